"""Timer queue throughput and lateness, against plain ZADD / ZPOPMIN measured in the same run.

    .venv/bin/python -m benchmarks.timers [--redis-url URL] [--timers 20000] [--batch 100]

Prints timers scheduled/s and dispatched/s (claim + handler + complete, from a backlog), and the
lateness p50/p99 of timers falling due at a steady rate while a dispatcher polls; each next to the same
work done with bare sorted-set commands, and the ratio papo / floor.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and benchmarks/nlu.py would hide the nlu package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Awaitable, Callable  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402

import redis.asyncio as aioredis  # noqa: E402

from runtime.timers import ClaimedTimer, Dispatcher, SystemClock, Timer, TimerQueue, to_ms  # noqa: E402

CHUNK = 500
POLL = 0.005


async def timed(work: Callable[[], Awaitable[int]]) -> float:
    started = time.perf_counter()
    count = await work()
    return count / (time.perf_counter() - started)


async def schedule_papo(queue: TimerQueue, n: int, due: Callable[[int], datetime]) -> int:
    for start in range(0, n, CHUNK):
        await queue.schedule_many(Timer(f"t{i}", due(i), "bench") for i in range(start, min(n, start + CHUNK)))
    return n


async def schedule_floor(redis: aioredis.Redis, key: str, n: int, due: Callable[[int], datetime]) -> int:
    for start in range(0, n, CHUNK):
        async with redis.pipeline(transaction=False) as pipe:
            for i in range(start, min(n, start + CHUNK)):
                pipe.zadd(key, {f"t{i}": to_ms(due(i))})
            await pipe.execute()
    return n


async def dispatch_papo(queue: TimerQueue, batch: int, n: int, late: list[float] | None = None) -> int:
    clock = SystemClock()

    async def handle(claim: ClaimedTimer) -> None:
        if late is not None:
            late.append((clock.now() - claim.timer.due).total_seconds() * 1000)

    dispatcher = Dispatcher(queue, handle, clock, batch=batch)
    fired = 0
    while fired < n:
        report = await dispatcher.dispatch_due()
        fired += report.fired
        if report.idle:
            await asyncio.sleep(POLL)
    return fired


async def dispatch_floor(redis: aioredis.Redis, key: str, batch: int, n: int,
                         late: list[float] | None = None) -> int:
    popped = 0
    while popped < n:
        now_ms = to_ms(datetime.now(UTC))
        items = await redis.zpopmin(key, batch)
        due = [(m, s) for m, s in items if s <= now_ms]
        if len(due) < len(items):
            await redis.zadd(key, {m: s for m, s in items if s > now_ms})
        if late is not None:
            late += [now_ms - s for _, s in due]
        popped += len(due)
        if not due:
            await asyncio.sleep(POLL)
    return popped


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1]


async def run(url: str, n: int, batch: int, rate: int) -> None:
    redis = aioredis.Redis.from_url(url)
    prefix = f"papobench-{uuid.uuid4().hex[:8]}"
    queue = TimerQueue(redis, prefix=prefix)
    floor_key = f"{prefix}:{{floor}}:due"
    past = datetime.now(UTC) - timedelta(seconds=1)
    try:
        papo_s = await timed(lambda: schedule_papo(queue, n, lambda i: past))
        floor_s = await timed(lambda: schedule_floor(redis, floor_key, n, lambda i: past))
        papo_d = await timed(lambda: dispatch_papo(queue, batch, n))
        floor_d = await timed(lambda: dispatch_floor(redis, floor_key, batch, n))
        print(f"timers: {n}, batch {batch}, redis {url}")
        print(f"scheduled/s   papo {papo_s:9,.0f}   floor ZADD    {floor_s:9,.0f}   ratio {papo_s / floor_s:.2f}")
        print(f"dispatched/s  papo {papo_d:9,.0f}   floor ZPOPMIN {floor_d:9,.0f}   ratio {papo_d / floor_d:.2f}")
        await lateness(redis, queue, floor_key, n, batch, rate)
    finally:
        async for key in redis.scan_iter(match=f"{prefix}*", count=1000):
            await redis.delete(key)
        await redis.aclose()


async def lateness(redis: aioredis.Redis, queue: TimerQueue, floor_key: str, n: int, batch: int,
                   rate: int) -> None:
    spread = n / rate
    results = []
    for name in ("papo", "floor"):
        start = datetime.now(UTC) + timedelta(seconds=0.5)

        def due(i: int, start: datetime = start) -> datetime:
            return start + timedelta(seconds=spread * i / n)

        late: list[float] = []
        if name == "papo":
            await schedule_papo(queue, n, due)
            await dispatch_papo(queue, batch, n, late)
        else:
            await schedule_floor(redis, floor_key, n, due)
            await dispatch_floor(redis, floor_key, batch, n, late)
        results.append((pct(late, 50), pct(late, 99)))
    (p50, p99), (f50, f99) = results
    print(f"lateness ms   papo p50 {p50:6.1f} p99 {p99:6.1f}   floor p50 {f50:6.1f} p99 {f99:6.1f}   "
          f"ratio p50 {p50 / max(f50, 0.1):.2f} p99 {p99 / max(f99, 0.1):.2f}   "
          f"({n} timers falling due at {rate}/s, polling every {POLL * 1000:.0f} ms when idle)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--timers", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--rate", type=int, default=2_000, help="timers falling due per second, lateness part")
    args = parser.parse_args()
    asyncio.run(run(args.redis_url, args.timers, args.batch, args.rate))


if __name__ == "__main__":
    main()
