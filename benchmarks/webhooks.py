"""Signed WhatsApp webhooks at `papo serve` over loopback, next to a bare aiohttp handler in the same run.

Both servers run as their own processes; this process drives them and plays the Graph API, so it
also times each message from its webhook to the reply reaching the fake Graph server.

    python -m benchmarks.webhooks [--seconds 4] [--concurrency 32] [--replies 300]

Uses REDIS_URL or redis://127.0.0.1:6379/0 and its own key prefix, deleted afterwards.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and benchmarks/nlu.py would hide the nlu package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import hashlib  # noqa: E402
import hmac  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import aiohttp  # noqa: E402
import redis.asyncio as aioredis  # noqa: E402
from aiohttp import web  # noqa: E402

from connectors.constants import WEBHOOK_MAX_BYTES  # noqa: E402

BOT = Path(__file__).parent / "bots" / "echo"
ROOT = Path(__file__).parents[1]
SECRET = "bench-secret"
PHONE_ID = "1065"
BARE = """
import sys
from aiohttp import web
async def handle(request):
    await request.read()
    return web.json_response({"ok": True})
app = web.Application(client_max_size=MAX_BYTES)
app.router.add_post("/webhooks/whatsapp", handle)
app.router.add_get("/readyz", lambda request: web.json_response({"ok": True}))
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
""".replace("MAX_BYTES", str(WEBHOOK_MAX_BYTES))  # the same body limit as papo serve


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def webhook(n: int, text: str = "Olá, quero marcar uma consulta") -> tuple[str, bytes, dict[str, str]]:
    wamid, user = f"wamid.{uuid.uuid4().hex}", f"55119{n:08d}"
    value = {"messaging_product": "whatsapp", "metadata": {"display_phone_number": "5511940000000",
                                                           "phone_number_id": PHONE_ID},
             "contacts": [{"profile": {"name": "Maria"}, "wa_id": user}],
             "messages": [{"from": user, "id": wamid, "timestamp": str(int(time.time())), "type": "text",
                           "text": {"body": text}}]}
    raw = json.dumps({"object": "whatsapp_business_account",
                      "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}]}).encode()
    signature = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    return wamid, raw, {"X-Hub-Signature-256": f"sha256={signature}", "Content-Type": "application/json"}


class FakeGraph:
    """Accepts every send and notes when the reply to each inbound message arrived."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}

    async def messages(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.arrived[str(body.get("biz_opaque_callback_data", "")).rsplit(":", 1)[0]] = time.perf_counter()
        return web.json_response({"messaging_product": "whatsapp", "contacts": [{"wa_id": body.get("to")}],
                                  "messages": [{"id": f"wamid.out{uuid.uuid4().hex}"}]})


async def serve_graph(graph: FakeGraph) -> tuple[web.AppRunner, int]:
    """The fake Graph API on a free port of 127.0.0.1."""
    app = web.Application()
    app.router.add_post("/{version}/{account}/messages", graph.messages)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, port


async def wait_ready(session: aiohttp.ClientSession, url: str) -> None:
    for _ in range(300):
        try:
            async with session.get(f"{url}/readyz") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise SystemExit(f"{url} did not become ready")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux): what a request costs, whatever else runs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def load(session: aiohttp.ClientSession, url: str, seconds: float, concurrency: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    stop = time.perf_counter() + seconds
    counter = iter(range(10**9))

    async def client() -> None:
        while time.perf_counter() < stop:
            _, raw, headers = webhook(next(counter) % 5000)
            began = time.perf_counter()
            async with session.post(f"{url}/webhooks/whatsapp", data=raw, headers=headers) as resp:
                await resp.read()
                if resp.status != 200:
                    raise SystemExit(f"{url} answered {resp.status}")
            latencies.append(time.perf_counter() - began)

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return len(latencies) / (time.perf_counter() - began), sorted(latencies)


async def end_to_end(session: aiohttp.ClientSession, url: str, graph: FakeGraph, count: int) -> list[float]:
    """One webhook at a time (a clinic's real load): time until its reply reaches the Graph API."""
    times = []
    for n in range(count):
        wamid, raw, headers = webhook(100_000 + n)
        began = time.perf_counter()
        async with session.post(f"{url}/webhooks/whatsapp", data=raw, headers=headers) as resp:
            await resp.read()
        while wamid not in graph.arrived:
            await asyncio.sleep(0.0005)
        times.append(graph.arrived[wamid] - began)
    return sorted(times)


async def drain(graph: FakeGraph, count: int) -> float:
    """Wait until every webhook of the load phase got its reply; replies per second meanwhile."""
    began, before = time.perf_counter(), len(graph.arrived)
    while len(graph.arrived) < count:
        await asyncio.sleep(0.05)
    return (count - before) / max(time.perf_counter() - began, 1e-9)


def pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(len(values) * q))] * 1000


async def start(args: list[str], env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(sys.executable, *args, cwd=ROOT, env=env,
                                                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--replies", type=int, default=300)
    args = parser.parse_args()
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    prefix = f"papobench-{uuid.uuid4().hex[:8]}"
    graph = FakeGraph()
    runner, graph_port = await serve_graph(graph)
    bare_port, papo_port = free_port(), free_port()
    env = {**os.environ, "REDIS_URL": url, "PAPO_KEY_PREFIX": prefix, "PAPO_LOG_LEVEL": "WARNING",
           "WHATSAPP_TOKEN": "bench", "WHATSAPP_APP_SECRET": SECRET, "WHATSAPP_VERIFY_TOKEN": "bench",
           "WHATSAPP_PHONE_NUMBER_ID": PHONE_ID, "PAPO_GRAPH_BASE_URL": f"http://127.0.0.1:{graph_port}",
           "PAPO_PACING_PER_USER_S": "0", "PAPO_RATE_PER_NUMBER": "1000000"}
    bare = await start(["-c", BARE, str(bare_port)], env)
    papo = await start(["-m", "runtime.cli.main", "serve", str(BOT), "--port", str(papo_port)], env)
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=args.concurrency)) as session:
            results: dict[str, tuple[float, list[float]]] = {}
            cpu: dict[str, float] = {}
            for name, port, proc in (("bare aiohttp", bare_port, bare), ("papo ingest", papo_port, papo)):
                await wait_ready(session, f"http://127.0.0.1:{port}")
                before = cpu_seconds(proc.pid)
                results[name] = await load(session, f"http://127.0.0.1:{port}", args.seconds, args.concurrency)
                cpu[name] = (cpu_seconds(proc.pid) - before) / max(len(results[name][1]), 1)
            drained = await drain(graph, len(results["papo ingest"][1]))
            replies = await end_to_end(session, f"http://127.0.0.1:{papo_port}", graph, args.replies)
    finally:
        for proc in (bare, papo):
            proc.terminate()
            await proc.wait()
        await runner.cleanup()
        await cleanup(url, prefix)
    report(results, drained, replies, args)
    print(f"CPU per request: bare {cpu['bare aiohttp'] * 1000:.2f} ms, papo {cpu['papo ingest'] * 1000:.2f} ms "
          f"(ratio bare/papo {cpu['bare aiohttp'] / cpu['papo ingest']:.2f}: steadier than req/s on a busy machine; "
          "papo's includes its workers and sender answering the load)")


def report(results: dict[str, tuple[float, list[float]]], drained: float, replies: list[float],
           args: Any) -> None:
    print(f"signed WhatsApp webhooks, {args.concurrency} at a time for {args.seconds:.0f} s each")
    print(f"{'server':<14} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for name, (rate, latencies) in results.items():
        print(f"{name:<14} {rate:>8,.0f} {pct(latencies, 0.5):>8.1f} {pct(latencies, 0.99):>8.1f}")
    ratio = results["papo ingest"][0] / results["bare aiohttp"][0]
    print(f"ratio papo/bare: {ratio:.2f} (bare = read the body, answer 200; papo = verify, parse, dedupe, queue)")
    print(f"backlog of the load phase answered at {drained:,.0f} replies/s (turn + send, one papo process)")
    print(f"webhook -> reply at the Graph API, one at a time, {len(replies)} messages: "
          f"p50 {pct(replies, 0.5):.1f} ms, p99 {pct(replies, 0.99):.1f} ms")


async def cleanup(url: str, prefix: str) -> None:
    redis = aioredis.Redis.from_url(url)
    async for key in redis.scan_iter(match=f"{prefix}*", count=1000):
        await redis.delete(key)
    await redis.aclose()


if __name__ == "__main__":
    asyncio.run(main())
