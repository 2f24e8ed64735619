"""The embedded mode runs on fakeredis (with lupa): booking Lua must behave the same there."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import fakeredis
import pytest

from runtime.scheduling import Calendar, HoldExpired, Scheduler, SlotTaken
from runtime.timers import ManualClock, TimerQueue


async def test_find_hold_book_reschedule_cancel_on_fakeredis(calendar: Calendar, clock: ManualClock) -> None:
    redis = fakeredis.FakeAsyncRedis()
    timers = TimerQueue(redis)
    scheduler = Scheduler.with_redis(calendar, redis, clock=clock, timers=timers)
    first, second, third = await scheduler.find_slots("consulta", day=date(2026, 3, 10), limit=3)
    hold = await scheduler.hold(first, "p1")
    with pytest.raises(SlotTaken):
        await scheduler.book(first, "p2")
    results = await asyncio.gather(*(scheduler.book(second, f"q{n}") for n in range(10)),
                                   return_exceptions=True)
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    appt = await scheduler.book(hold, "p1")
    moved = await scheduler.reschedule(appt.id, third, patient="p1")
    assert await timers.size() == 3                   # p1's 24h and 2h, and the 2h of the 08:30 winner
    await scheduler.cancel(moved.id, patient="p1")
    assert await timers.size() == 1 and third in await scheduler.find_slots("consulta", day=date(2026, 3, 10))
    later = await scheduler.hold(first, "p3")
    clock.advance(timedelta(minutes=10))
    with pytest.raises(HoldExpired):
        await scheduler.book(later, "p3")
    await redis.aclose()
