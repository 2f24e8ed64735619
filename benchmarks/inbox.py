"""The staff inbox under load, each figure next to plain Redis reads of the same data in the same run.

    PYTHONPATH=. .venv/bin/python benchmarks/inbox.py [--redis-url URL] [--waiting 500] [--messages 2000]

Seeds `--waiting` conversations waiting for staff and one conversation with `--messages` transcript lines
on the clinic, served by the real app (aiohttp on 127.0.0.1, real Redis), then measures:

- the queue (GET /admin/inbox, every waiting conversation) against the floor: HGETALL of the handoffs
  hash and, in one pipeline, each conversation's state and newest transcript line;
- the long conversation (GET .../messages, pages of 1,000 until all are read) against XRANGE of the
  same stream;
- the inbox staying live with that queue: a patient's message (over the web channel) until the event
  reaches a view (GET /admin/inbox/events) and the view has the new queue, against XADD -> XREAD.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and benchmarks/nlu.py would hide the nlu package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Awaitable, Callable  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from typing import Any  # noqa: E402

import redis.asyncio as aioredis  # noqa: E402
from aiohttp.test_utils import TestClient, TestServer  # noqa: E402

from runtime.conversations.keys import ConversationKey  # noqa: E402
from runtime.conversations.store import Logged  # noqa: E402
from runtime.engine.state import Conversation  # noqa: E402
from runtime.service.app import BOTS, build_app  # noqa: E402
from runtime.service.inbox import transcripts  # noqa: E402
from runtime.service.settings import Settings  # noqa: E402

CLINIC = Path(__file__).resolve().parents[1] / "examples" / "clinic"
TOKEN = "bench-admin-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ROUNDS = 15


async def median_ms(work: Callable[[], Awaitable[Any]], rounds: int = ROUNDS) -> float:
    await work()  # warm
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        await work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def line(i: int, at: datetime, by: str) -> dict[str, Any]:
    return {"id": f"m{i}", "dir": "in" if by == "patient" else "out", "by": by, "at": at.isoformat(),
            "text": f"mensagem número {i}: quero remarcar minha consulta de quinta para a semana que vem"}


async def seed(client: TestClient, waiting: int, messages: int) -> tuple[ConversationKey, list[ConversationKey]]:
    service = client.app[BOTS].by_name[next(iter(client.app[BOTS].by_name))]
    store, now = service.processor.store, datetime.now(UTC)
    convs = [ConversationKey(service.library.name, "web", f"bench-{i:04d}") for i in range(waiting)]
    for n, key in enumerate(convs):
        since = (now - timedelta(minutes=waiting - n)).isoformat()
        state = Conversation(waiting="handoff", handoff_queue="recepcao", asked_at=since, last_inbound_at=since,
                             vars={"nome": f"Paciente {n}"})
        lines = [line(j, now - timedelta(minutes=waiting - n), "patient" if j % 2 else "bot") for j in range(4)]
        await store.commit(key, state, [], expected_version=0, logged=Logged(lines, unread=2))
    await service.client.hset(service.handoffs_key, mapping={
        f"{k.channel}:{k.user}": json.dumps({"queue": "recepcao", "since": (now - timedelta(minutes=waiting - n))
                                             .isoformat()}) for n, k in enumerate(convs)})
    long = convs[0]
    book_lines = [line(i, now - timedelta(seconds=messages - i), "patient" if i % 2 else "bot")
                  for i in range(messages)]
    for start in range(0, messages, 500):
        await transcripts(service).add(long, book_lines[start:start + 500])
    return long, convs


async def queue_floor(redis: aioredis.Redis, service: Any) -> int:
    keys = service.processor.store.keys
    listed = await redis.hgetall(service.handoffs_key)
    async with redis.pipeline(transaction=False) as pipe:
        for field in listed:
            channel, user = field.decode().split(":", 1)
            key = ConversationKey(service.library.name, channel, user)
            pipe.hmget(keys.state(key), "ver", "doc")
            pipe.hgetall(keys.staff(key))
            pipe.xrevrange(keys.transcript(key), count=1)
        return len(await pipe.execute())


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--waiting", type=int, default=500)
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    prefix = f"papobench-{uuid.uuid4().hex[:8]}"
    redis = aioredis.Redis.from_url(args.redis_url)
    settings = Settings(redis_url=args.redis_url, key_prefix=prefix, admin_token=TOKEN, channels=(), workers=1,
                        senders=1, block_ms=50, pacing_per_user_s=0)
    client = TestClient(TestServer(build_app(settings, CLINIC, client=redis), host="127.0.0.1", port=0))
    await client.start_server()
    try:
        await report(client, redis, args.waiting, args.messages)
    finally:
        await client.close()
        async for key in redis.scan_iter(match=f"{prefix}*", count=1000):
            await redis.delete(key)
        await redis.aclose()


async def report(client: TestClient, redis: aioredis.Redis, waiting: int, messages: int) -> None:
    service = client.app[BOTS].first
    assert service is not None
    long, convs = await seed(client, waiting, messages)
    print(f"{waiting} conversations waiting for staff; one with {messages} transcript lines (real Redis)")

    async def queue_api() -> None:
        answer = await client.get("/admin/inbox", headers=AUTH)
        assert len((await answer.json())["conversations"]) == waiting

    api, floor = await median_ms(queue_api), await median_ms(lambda: queue_floor(redis, service))
    print(f"queue, GET /admin/inbox          {api:8.1f} ms   floor (HGETALL + pipelined reads) {floor:7.1f} ms"
          f"   ratio {api / floor:5.1f}")

    path = f"/admin/conversations/{long.channel}/{long.user}/messages?limit=1000"

    async def conversation_api() -> None:
        got, before = 0, ""
        while True:
            answer = await (await client.get(path + (f"&before={before}" if before else ""), headers=AUTH)).json()
            got += len(answer["messages"])
            if not answer["before"]:
                break
            before = answer["before"]
        assert got == total, got

    async def conversation_floor() -> None:
        assert len(await redis.xrange(service.processor.store.keys.transcript(long))) == total

    total = int(await redis.xlen(service.processor.store.keys.transcript(long)))  # the seeded 4 and the rest

    api, floor = await median_ms(conversation_api), await median_ms(conversation_floor)
    print(f"{messages} messages, GET .../messages  {api:8.1f} ms   floor (XRANGE of the stream)      {floor:7.1f} ms"
          f"   ratio {api / floor:5.1f}")
    await live(client, redis, service, convs)


async def live(client: TestClient, redis: aioredis.Redis, service: Any, convs: list[ConversationKey]) -> None:
    """A patient's message until a view following the events has the new queue, against XADD -> XREAD."""
    times = []
    async with client.get("/admin/inbox/events", headers=AUTH) as stream:
        while (await stream.content.readline()).strip() != b"":
            pass
        for n in range(ROUNDS):
            key = convs[(n * 37) % len(convs)]
            started = time.perf_counter()
            answer = await client.post("/webhooks/rest/webhook", json={"sender": key.user, "message": f"alô {n}"})
            assert answer.status == 200
            while not (await stream.content.readline()).startswith(b"data: {"):
                pass
            queue = await (await client.get("/admin/inbox", headers=AUTH)).json()
            assert any(c["user"] == key.user and c["last"]["text"] == f"alô {n}" for c in queue["conversations"])
            times.append((time.perf_counter() - started) * 1000)
    feed = f"{service.settings.key_prefix}:benchfloor"
    floor_times = []
    for n in range(ROUNDS):
        last = (await redis.xrevrange(feed, count=1) or [(b"0-0", {})])[0][0]
        started = time.perf_counter()
        reader = asyncio.create_task(redis.xread({feed: last}, block=5000))
        await redis.xadd(feed, {"n": n})
        await reader
        floor_times.append((time.perf_counter() - started) * 1000)
    api, floor = statistics.median(times), statistics.median(floor_times)
    print(f"live: message -> event -> queue   {api:8.1f} ms   floor (XADD -> XREAD)             {floor:7.1f} ms"
          f"   (with {len(convs)} waiting; p90 {sorted(times)[int(len(times) * 0.9)]:.1f} ms)")


if __name__ == "__main__":
    asyncio.run(main())
