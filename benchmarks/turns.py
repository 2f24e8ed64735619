"""Turns per second through papo's whole path (dedupe + inbox + lock, load, turn, fenced commit,
release) against a real Redis, next to a floor measured in the same run: one GET and one SET
per turn over the same clients, with the same concurrency.

    python -m benchmarks.turns [--conversations 200] [--turns 10] [--concurrency 32]

Uses REDIS_URL or redis://127.0.0.1:6379/0 and its own key prefix, deleted afterwards; REDIS_URL may
name a cluster (redis+cluster://host:port), and then both sides run on it.
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
from datetime import UTC, datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, cast  # noqa: E402

import redis.asyncio as aioredis  # noqa: E402
from redis.asyncio.cluster import ClusterNode  # noqa: E402

from flows.messages import InboundEvent  # noqa: E402
from runtime.conversations.library import BotLibrary  # noqa: E402
from runtime.conversations.processor import Processor  # noqa: E402
from runtime.conversations.store import RedisStore  # noqa: E402
from runtime.engine.clock import SystemClock  # noqa: E402
from runtime.service.redis_urls import GatedCluster, connect, parse  # noqa: E402

BOT = Path(__file__).parent / "bots" / "echo"


class CountingRedis(aioredis.Redis):
    """Counts round trips: every command or script call the client sends."""

    calls = 0

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        CountingRedis.calls += 1
        return await super().execute_command(*args, **options)


class CountingCluster(GatedCluster):
    async def execute_command(self, *args: Any, **options: Any) -> Any:
        CountingRedis.calls += 1
        return await super().execute_command(*args, **options)


def client(url: str) -> aioredis.Redis:
    target = parse(url)
    if target.kind == "cluster":
        nodes = [ClusterNode(host, port) for host, port in target.nodes]
        return cast(aioredis.Redis, CountingCluster(startup_nodes=nodes, max_connections=64))
    pool = aioredis.BlockingConnectionPool.from_url(url, max_connections=64, timeout=10)
    return CountingRedis.from_pool(pool)


async def run_papo(url: str, prefix: str, conversations: int, turns: int, concurrency: int) -> tuple[float, float]:
    redis = client(url)
    library = BotLibrary.load(BOT, client=redis, prefix=prefix)
    processor = Processor(RedisStore(redis, prefix=prefix), library, SystemClock())
    start_at = datetime.now(UTC)
    gate = asyncio.Semaphore(concurrency)

    async def talk(n: int) -> None:
        async with gate:
            for i in range(turns):
                event = InboundEvent("whatsapp", f"bench-{n}", f"{prefix}-{n}-{i}", start_at + timedelta(seconds=i),
                                     text=f"message {i}")
                await processor.submit(event)

    CountingRedis.calls = 0
    began = time.perf_counter()
    await asyncio.gather(*(talk(n) for n in range(conversations)))
    elapsed = time.perf_counter() - began
    trips = CountingRedis.calls / (conversations * turns)
    await redis.aclose()
    return conversations * turns / elapsed, trips


async def run_floor(url: str, prefix: str, conversations: int, turns: int, concurrency: int) -> float:
    redis = client(url)
    gate = asyncio.Semaphore(concurrency)
    body = "x" * 600  # about the size of a conversation document

    async def talk(n: int) -> None:
        async with gate:
            for _ in range(turns):
                await redis.get(f"{prefix}:floor:{n}")
                await redis.set(f"{prefix}:floor:{n}", body)

    began = time.perf_counter()
    await asyncio.gather(*(talk(n) for n in range(conversations)))
    elapsed = time.perf_counter() - began
    await redis.aclose()
    return conversations * turns / elapsed


async def cleanup(url: str, prefix: str) -> None:
    redis = connect(url)
    async for key in redis.scan_iter(match=f"{prefix}*", count=1000):
        await redis.delete(key)
    await redis.aclose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    shape = (args.conversations, args.turns, args.concurrency)
    print(f"{args.conversations} conversations x {args.turns} turns, {args.concurrency} at a time, {url}")
    print(f"{'round':>5} {'floor turns/s':>14} {'papo turns/s':>13} {'ratio':>6} {'round trips/turn':>17}")
    ratios = []
    for n in range(1, args.rounds + 1):
        prefix = f"papobench-{uuid.uuid4().hex[:8]}"
        try:
            floor = await run_floor(url, prefix, *shape)
            papo, trips = await run_papo(url, prefix, *shape)
        finally:
            await cleanup(url, prefix)
        ratios.append(papo / floor)
        print(f"{n:>5} {floor:>14,.0f} {papo:>13,.0f} {papo / floor:>6.2f} {trips:>17.2f}")
    print(f"median ratio papo/floor: {sorted(ratios)[len(ratios) // 2]:.2f} "
          "(floor = one GET + one SET per turn, no engine)")


if __name__ == "__main__":
    asyncio.run(main())
