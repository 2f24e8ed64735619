"""Three worker processes share 10,000 timers; one is SIGKILLed while it holds a leased batch."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from runtime.timers import Timer, TimerQueue
from runtime.timers.queue import text

from .worker_process import effect_keys

ROOT = Path(__file__).resolve().parents[2]
TIMERS = 10_000


def start_worker(redis_url: str, prefix: str, name: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.timers.worker_process", redis_url, prefix, name, *extra],
        cwd=ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


@pytest.mark.slow
async def test_each_timer_fires_once_across_three_workers_when_one_is_killed(
    redis_client: aioredis.Redis, redis_url: str, redis_prefix: str
) -> None:
    queue = TimerQueue(redis_client, prefix=redis_prefix)
    due = datetime.now(UTC) - timedelta(seconds=1)
    for start in range(0, TIMERS, 2_000):
        await queue.schedule_many(Timer(f"t{n}", due=due) for n in range(start, start + 2_000))

    # the victim's leases run out quickly; the survivors' are long, so a survivor starved of CPU
    # on a busy machine never loses its own batch
    victim = start_worker(redis_url, redis_prefix, "victim", "--hold-after", "3", "--lease-ms", "500")
    procs = [victim]
    try:
        assert victim.stdout is not None and victim.stdout.readline().strip() == "ready"
        procs += [start_worker(redis_url, redis_prefix, f"w{n}", "--lease-ms", "10000") for n in (1, 2)]
        held = victim.stdout.readline().split()
        assert held[0] == "holding", "the victim worker drained the queue before holding a batch"
        os.kill(victim.pid, signal.SIGKILL)
        for proc in procs[1:]:
            assert await asyncio.to_thread(proc.wait, 60) == 0
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=10)
            assert proc.stdout is not None
            proc.stdout.close()

    deliveries_key, fired_key = effect_keys(redis_prefix)
    fired = await redis_client.hgetall(fired_key)
    deliveries = {text(k): int(v) for k, v in (await redis_client.hgetall(deliveries_key)).items()}
    assert len(fired) == TIMERS                                   # every effect happened once
    assert set(deliveries) == {f"t{n}" for n in range(TIMERS)}     # nothing lost with the victim
    # the held batch came back after its lease (a victim starved of CPU in an earlier batch may
    # have lost that one too); the effects were deduplicated on the fire key either way
    redelivered = {k for k, v in deliveries.items() if v > 1}
    assert set(held[1:]) <= redelivered and len(held) > 1
    assert max(deliveries.values()) == 2
    assert {text(v) for v in fired.values()} >= {"w1", "w2"}
    assert await queue.size() == 0
