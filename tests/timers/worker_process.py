"""A timer worker process for the crash test: `python -m tests.timers.worker_process URL PREFIX NAME`.

Each fired timer runs one Lua call that counts the delivery and records the effect under the
claim's fire key with HSETNX, the way a real handler makes its effect idempotent. With
`--hold-after N` the worker, on its N-th batch, performs the effects, prints "holding" and
waits without completing, so the parent can SIGKILL it while it holds leased timers.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta

import redis.asyncio as aioredis

from runtime.timers import SystemClock, TimerQueue

EFFECT = """
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
return redis.call('HSETNX', KEYS[2], ARGV[2], ARGV[3])
"""


def effect_keys(prefix: str) -> list[str]:
    return [f"{prefix}:{{effects}}:deliveries", f"{prefix}:{{effects}}:fired"]


async def main(url: str, prefix: str, name: str, hold_after: int, lease_ms: int) -> None:
    redis = aioredis.Redis.from_url(url)
    queue = TimerQueue(redis, prefix=prefix, lease=timedelta(milliseconds=lease_ms))
    effect = redis.register_script(EFFECT)
    clock = SystemClock()
    keys = effect_keys(prefix)
    print("ready", flush=True)
    batches = 0
    while await queue.size():
        claims = (await queue.claim_due(clock.now(), limit=100)).timers
        if not claims:
            await asyncio.sleep(0.02)
            continue
        batches += 1
        await asyncio.gather(*(effect(keys=keys, args=[c.timer.id, c.fire_key, name]) for c in claims))
        if batches == hold_after:
            print("holding", *(c.timer.id for c in claims), flush=True)
            await asyncio.Event().wait()
        await queue.complete_many(claims)
    await redis.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("prefix")
    parser.add_argument("name")
    parser.add_argument("--hold-after", type=int, default=0)
    parser.add_argument("--lease-ms", type=int, default=1000)
    ns = parser.parse_args()
    asyncio.run(main(ns.url, ns.prefix, ns.name, ns.hold_after, ns.lease_ms))
