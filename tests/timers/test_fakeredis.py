"""The embedded mode runs on fakeredis (with lupa): the same Lua must work there."""

from __future__ import annotations

from datetime import timedelta

import fakeredis

from runtime.timers import ClaimedTimer, Dispatcher, ManualClock, Timer, TimerQueue

from .conftest import T0


async def test_schedule_claim_recover_and_skip_on_fakeredis(clock: ManualClock) -> None:
    redis = fakeredis.FakeAsyncRedis()
    queue = TimerQueue(redis, max_lateness=timedelta(hours=1), lease=timedelta(seconds=30))
    await queue.schedule_many([Timer("late", due=T0 - timedelta(hours=2)), Timer("ok", due=T0)])
    batch = await queue.claim_due(clock.now())
    assert [c.timer.id for c in batch.timers] == ["ok"] and [s.timer.id for s in batch.skipped] == ["late"]
    [again] = (await queue.claim_due(clock.advance(timedelta(seconds=30)))).timers
    assert again.attempt == 2
    fired: list[str] = []

    async def handle(claim: ClaimedTimer) -> None:
        fired.append(claim.fire_key)

    await redis.script_flush()                    # as after a Redis restart: NOSCRIPT is handled
    await queue.schedule(Timer("next", due=clock.now()))
    await Dispatcher(queue, handle, clock).drain()
    assert len(fired) == 1 and await queue.complete(again) and await queue.size() == 0
    assert [s.reason for s in await queue.skipped()] == ["late"]
    await redis.aclose()
