from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import redis.asyncio as aioredis

from runtime.scheduling import (
    Calendar,
    DateInPast,
    Scheduler,
    Slot,
    TooFarAhead,
    UnknownName,
    parse_calendar,
)
from runtime.timers import ManualClock

from .conftest import SP, clinic_data, local


def starts(slots: list[Slot]) -> list[tuple[str, str]]:
    return [(s.professional, s.start.astimezone(SP).strftime("%a %d %H:%M")) for s in slots]


async def test_next_free_slots_respect_notice_breaks_and_lunch(scheduler: Scheduler) -> None:
    slots = await scheduler.find_slots("consulta")                # Monday 09:00, 60 min notice
    assert starts(slots) == [("dra_ana", "Mon 09 10:15"), ("dra_ana", "Mon 09 10:45"),
                             ("dra_ana", "Mon 09 11:15"), ("dra_ana", "Mon 09 14:00"),
                             ("dra_ana", "Mon 09 14:30")]
    assert all(s.end - s.start == timedelta(minutes=30) for s in slots)


async def test_a_day_a_period_and_a_professional_narrow_the_search(scheduler: Scheduler) -> None:
    tuesday = date(2026, 3, 10)
    afternoon = await scheduler.find_slots("consulta", day=tuesday, period="tarde", limit=4)
    assert starts(afternoon) == [("dr_bruno", "Tue 10 13:00"), ("dr_bruno", "Tue 10 13:30"),
                                 ("dr_bruno", "Tue 10 14:00"), ("dra_ana", "Tue 10 14:00")]
    evening = await scheduler.find_slots("consulta", day=tuesday, period="noite", professional="dr_bruno")
    assert starts(evening) == [("dr_bruno", "Tue 10 18:00"), ("dr_bruno", "Tue 10 18:30")]
    assert await scheduler.find_slots("consulta", day=date(2026, 3, 15)) == []       # Sunday


async def test_holidays_and_closures_are_not_offered(scheduler: Scheduler) -> None:
    assert await scheduler.find_slots("consulta", day=date(2026, 4, 3)) == []        # Sexta-feira Santa
    thursday = await scheduler.find_slots("consulta", day=date(2026, 3, 12), limit=20)
    assert {s.professional for s in thursday if s.start >= local(2026, 3, 12, 14, 0)} == {"dr_bruno"}
    assert await scheduler.find_slots("consulta", day=date(2026, 3, 19), professional="dr_bruno") == []


async def test_earliest_date_skips_ahead(scheduler: Scheduler) -> None:
    [first] = await scheduler.find_slots("consulta", earliest=date(2026, 3, 14), limit=1)
    assert starts([first]) == [("dr_bruno", "Sat 14 08:00")]
    [later] = await scheduler.find_slots("retorno", earliest=local(2026, 3, 16, 11, 50), limit=1)
    assert starts([later]) == [("dra_ana", "Mon 16 14:00")]        # 11:50 + 20 min would pass noon
    [wall] = await scheduler.find_slots("consulta", earliest=datetime(2026, 3, 17, 14, 10), limit=1)
    assert starts([wall]) == [("dr_bruno", "Tue 17 14:30")]        # naive: São Paulo wall time


async def test_bad_requests_get_clear_errors(scheduler: Scheduler) -> None:
    with pytest.raises(DateInPast, match="2026-03-08 has already gone by"):
        await scheduler.find_slots("consulta", day=date(2026, 3, 8))
    with pytest.raises(TooFarAhead, match="30 days ahead"):
        await scheduler.find_slots("consulta", day=date(2026, 5, 1))
    with pytest.raises(UnknownName, match="known: consulta, retorno"):
        await scheduler.find_slots("limpeza")
    with pytest.raises(UnknownName, match="does not offer 'retorno'"):
        await scheduler.find_slots("retorno", professional="dr_bruno")
    with pytest.raises(UnknownName, match="no period 'madrugada'"):
        await scheduler.find_slots("consulta", period="madrugada")


async def test_booked_slots_disappear_and_expired_holds_come_back(
    scheduler: Scheduler, clock: ManualClock
) -> None:
    first, second = (await scheduler.find_slots("consulta", limit=2))
    await scheduler.book(first, "p1")
    await scheduler.hold(second, "p2")
    assert first not in (after := await scheduler.find_slots("consulta", limit=3)) and second not in after
    clock.advance(timedelta(minutes=11))           # the hold lapses (and the first slot's notice passes)
    assert second in await scheduler.find_slots("consulta", limit=3)


async def test_other_zones_and_dst_changes_use_the_zone_rules(redis_client: aioredis.Redis,
                                                              redis_prefix: str) -> None:
    data = clinic_data()
    data["timezone"] = "America/Manaus"                           # UTC-4
    manaus = Scheduler.with_redis(parse_calendar(data, calendar_id="manaus"), redis_client,
                                  prefix=redis_prefix, clock=ManualClock(datetime(2026, 3, 9, 0, 0, tzinfo=UTC)))
    [slot] = await manaus.find_slots("consulta", limit=1)
    assert slot.start == datetime(2026, 3, 9, 12, 0, tzinfo=UTC)     # 08:00 in Manaus
    # São Paulo still had DST in 2018: it began on 2018-11-04 (UTC-3 -> UTC-2)
    sp = Scheduler.with_redis(parse_calendar(clinic_data(), calendar_id="sp2018"), redis_client,
                              prefix=redis_prefix, clock=ManualClock(datetime(2018, 11, 1, 0, 0, tzinfo=UTC)))
    friday = await sp.find_slots("consulta", day=date(2018, 11, 2), professional="dra_ana", limit=1)
    monday = await sp.find_slots("consulta", day=date(2018, 11, 5), professional="dra_ana", limit=1)
    assert friday[0].start == datetime(2018, 11, 2, 11, 0, tzinfo=UTC)
    assert monday[0].start == datetime(2018, 11, 5, 10, 0, tzinfo=UTC)


def test_calendar_fixture_is_a_calendar(calendar: Calendar) -> None:
    assert calendar.offering("consulta")[0].id == "dra_ana"
