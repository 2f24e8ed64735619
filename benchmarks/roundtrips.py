"""Redis round trips of the whole path, from a signed WhatsApp webhook to its reply at the Graph API.

`papo serve` (role `all`: ingest, workers, sender, timers) runs in this process on a Redis client
whose connections count every write to the socket: one write is one round trip, a pipeline or a Lua
script included. Messages go one at a time, each waiting for its reply; the round trips the idle
loops make meanwhile (blocking reads of the signal streams, the timer poll) are measured over the
same time with no message and taken off.

    python -m benchmarks.roundtrips [--messages 100] [--bot benchmarks/bots/monitored] [--text "..."] [--steady]

Each message comes from its own patient. `--steady` posts them all at once and waits for every reply:
the steady state of a busy process, where one read of a signal stream brings several signals.

`--bot benchmarks/bots/monitored` runs a bot with term monitoring rules (docs/access.md): a text no
rule matches costs no round trip more; `--text "cartão 4111 1111 1111 1111"` makes every message
match a masking, alerting rule (its alerts: one round trip at ingest, one for the bot's echo).

Uses REDIS_URL or redis://127.0.0.1:6379/0 and its own key prefix, deleted afterwards.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and benchmarks/nlu.py would hide the nlu package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections import Counter  # noqa: E402
from dataclasses import replace  # noqa: E402
from typing import Any  # noqa: E402

import aiohttp  # noqa: E402
import redis.asyncio as aioredis  # noqa: E402
from aiohttp import web  # noqa: E402
from redis.asyncio.connection import Connection  # noqa: E402

from benchmarks.webhooks import PHONE_ID, SECRET, FakeGraph, free_port, serve_graph, webhook  # noqa: E402
from runtime.service.app import build_app  # noqa: E402
from runtime.service.settings import Settings  # noqa: E402
from runtime.service.work import Consumer  # noqa: E402

BOT = Path(__file__).parent / "bots" / "echo"


class CountingConnection(Connection):
    """A connection that counts its writes (round trips), by the first command of each and by the part
    of the path that sent it."""

    sent: Counter[str] = Counter()
    parts: Counter[str] = Counter()

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        first = command[0] if isinstance(command, list | tuple) else command
        raw = bytes(first) if isinstance(first, bytes | bytearray | memoryview) else str(first).encode()
        parts = raw.split(b"\r\n")
        CountingConnection.sent[parts[2].decode(errors="replace").upper() if len(parts) > 2 else "?"] += 1
        CountingConnection.parts[part_of_path()] += 1
        await super().send_packed_command(command, check_health)


def part_of_path() -> str:
    """Who sent this round trip: ingest (answering the webhook), the sender, the timers, or the worker
    (a turn); the outermost of them on the call stack decides."""
    found: set[str] = set()
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if name.endswith(("service/ingest.py", "service/app.py")):
            found.add("ingest")
        elif name.endswith(("service/sender.py", "service/pacing.py", "service/delivery.py")):
            found.add("sender")
        elif name.endswith(("timers/worker.py", "timers/queue.py")):
            found.add("timers")
        elif name.endswith(("conversations/processor.py",)):
            found.add("worker")
        elif name.endswith("service/work.py") and isinstance(frame.f_locals.get("self"), Consumer):
            found.add("sender" if frame.f_locals["self"].queue.name.startswith("send") else "worker")
        frame = frame.f_back  # type: ignore[assignment]
    return next((part for part in ("ingest", "sender", "timers", "worker") if part in found), "other")


def counting_client(url: str) -> aioredis.Redis:
    pool = aioredis.BlockingConnectionPool.from_url(url, max_connections=64, timeout=10,
                                                    connection_class=CountingConnection)
    return aioredis.Redis.from_pool(pool)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--bot", type=Path, default=BOT, help="the bot folder (default: benchmarks/bots/echo)")
    parser.add_argument("--text", default="Olá, quero marcar uma consulta", help="what each message says")
    parser.add_argument("--steady", action="store_true", help="post all messages at once")
    args = parser.parse_args()
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    prefix = f"paporound-{uuid.uuid4().hex[:8]}"
    graph = FakeGraph()
    graph_runner, graph_port = await serve_graph(graph)
    papo_port = free_port()
    env = {"WHATSAPP_TOKEN": "bench", "WHATSAPP_APP_SECRET": SECRET, "WHATSAPP_VERIFY_TOKEN": "bench",
           "WHATSAPP_PHONE_NUMBER_ID": PHONE_ID, "REDIS_URL": url, "PAPO_KEY_PREFIX": prefix,
           "PAPO_GRAPH_BASE_URL": f"http://127.0.0.1:{graph_port}", "PAPO_PACING_PER_USER_S": "0",
           "PAPO_RATE_PER_NUMBER": "1000000"}
    settings = replace(Settings.from_env(env), workers=1, senders=1)
    client = counting_client(url)
    runner = web.AppRunner(build_app(settings, args.bot, client=client), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", papo_port).start()
    papo = f"http://127.0.0.1:{papo_port}"
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(300):
                async with session.get(f"{papo}/readyz") as ready:
                    if ready.status == 200:
                        break
                await asyncio.sleep(0.05)
            await one(session, papo, graph, 0, args.text)  # warm up: scripts loaded, groups created
            if args.steady:  # and as many connections open as a burst needs
                await asyncio.gather(*(one(session, papo, graph, -n, args.text) for n in range(1, args.messages + 1)))
            await asyncio.sleep(1.0)
            CountingConnection.sent.clear()
            CountingConnection.parts.clear()
            began = time.perf_counter()
            if args.steady:
                await asyncio.gather(*(one(session, papo, graph, n, args.text)
                                       for n in range(1, args.messages + 1)))
            else:
                for n in range(1, args.messages + 1):
                    await one(session, papo, graph, n, args.text)
            busy_s = time.perf_counter() - began
            busy, busy_parts = Counter(CountingConnection.sent), Counter(CountingConnection.parts)
            CountingConnection.sent.clear()
            CountingConnection.parts.clear()
            await asyncio.sleep(busy_s)
            idle, idle_parts = Counter(CountingConnection.sent), Counter(CountingConnection.parts)
    finally:
        await runner.cleanup()
        await graph_runner.cleanup()
        await cleanup(client, prefix)
    report(busy, idle, args.messages, busy_s, args.steady)
    print(f"{'part of the path':<34} {'per message':>12}")
    for name in ("ingest", "worker", "sender", "timers", "other"):
        print(f"{name:<34} {(busy_parts[name] - idle_parts[name]) / args.messages:>12.2f}")


async def one(session: aiohttp.ClientSession, papo: str, graph: FakeGraph, n: int, text: str) -> None:
    wamid, raw, headers = webhook(200_000 + n, text)  # each from its own patient
    async with session.post(f"{papo}/webhooks/whatsapp", data=raw, headers=headers) as resp:
        if resp.status != 200:
            raise SystemExit(f"papo answered {resp.status}")
    while wamid not in graph.arrived:
        await asyncio.sleep(0.0005)
    await asyncio.sleep(0.02)  # the sender's bookkeeping after the Graph API answered


def report(busy: Counter[str], idle: Counter[str], messages: int, seconds: float, steady: bool) -> None:
    total = (sum(busy.values()) - sum(idle.values())) / messages
    print(f"{messages} messages, {'all at once' if steady else 'one at a time'}, webhook -> reply at the Graph API "
          f"({seconds:.1f} s)")
    print(f"Redis round trips per message: {total:.1f} (idle loops over the same time taken off: "
          f"{sum(idle.values()) / messages:.1f} per message)")
    print(f"{'first command of the round trip':<34} {'per message':>12}")
    for name in sorted(set(busy) | set(idle), key=lambda k: -(busy[k] - idle[k])):
        print(f"{name:<34} {(busy[name] - idle[name]) / messages:>12.2f}")


async def cleanup(client: aioredis.Redis, prefix: str) -> None:
    async for key in client.scan_iter(match=f"{prefix}*", count=1000):
        await client.delete(key)
    await client.aclose()


if __name__ == "__main__":
    asyncio.run(main())
