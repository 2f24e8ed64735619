from __future__ import annotations

import asyncio
from datetime import timedelta

import redis.asyncio as aioredis

from runtime.timers import ClaimedTimer, Dispatcher, ManualClock, SkippedTimer, Timer, TimerQueue

from .conftest import T0


async def test_after_an_outage_timers_within_the_limit_fire_and_older_ones_are_skipped_and_recorded(
    redis_client: aioredis.Redis, redis_prefix: str, clock: ManualClock
) -> None:
    queue = TimerQueue(redis_client, prefix=redis_prefix, max_lateness=timedelta(hours=1))
    # one timer every 30 minutes from 08:00 to 12:00; the workers were down all morning
    await queue.schedule_many(Timer(f"r{n}", due=T0 - timedelta(minutes=30 * n), kind="reminder")
                              for n in range(9))
    # a step timeout that must close the conversation however late it is
    await queue.schedule(Timer("close", due=T0 - timedelta(hours=4), kind="timeout",
                               max_lateness=timedelta(days=365)))
    fired: list[str] = []
    noticed: list[SkippedTimer] = []

    async def handle(claim: ClaimedTimer) -> None:
        fired.append(claim.timer.id)

    async def on_skip(skipped: SkippedTimer) -> None:
        noticed.append(skipped)

    report = await Dispatcher(queue, handle, clock, batch=3, on_skip=on_skip).drain()
    assert sorted(fired) == ["close", "r0", "r1", "r2"]            # at most 1 h late
    assert sorted(s.timer.id for s in noticed) == [f"r{n}" for n in range(3, 9)]
    assert report.fired == 4 and len(report.skipped) == 6
    recorded = await queue.skipped()
    assert {(s.timer.id, s.reason, s.at) for s in recorded} == {(f"r{n}", "late", T0) for n in range(3, 9)}
    assert await queue.size() == 0


async def test_a_failing_handler_is_retried_later_and_other_timers_still_fire(
    queue: TimerQueue, clock: ManualClock
) -> None:
    await queue.schedule_many([Timer("bad", due=T0), Timer("good", due=T0)])
    fired: list[str] = []

    async def handle(claim: ClaimedTimer) -> None:
        if claim.timer.id == "bad" and claim.attempt == 1:
            raise RuntimeError("the connector is down")
        fired.append(claim.timer.id)

    dispatcher = Dispatcher(queue, handle, clock, retry_after=timedelta(minutes=2), concurrency=4)
    first = await dispatcher.drain()
    assert (first.fired, first.failed, fired) == (1, 1, ["good"])
    clock.advance(timedelta(minutes=2))
    assert (await dispatcher.drain()).fired == 1 and fired == ["good", "bad"]


async def test_run_dispatches_until_stopped(queue: TimerQueue, clock: ManualClock) -> None:
    await queue.schedule(Timer("t1", due=T0))
    stop = asyncio.Event()

    async def handle(claim: ClaimedTimer) -> None:
        stop.set()

    dispatcher = Dispatcher(queue, handle, clock)
    await asyncio.wait_for(dispatcher.run(stop, poll=timedelta(milliseconds=10)), timeout=5)
    assert await queue.size() == 0
