from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestServer

from runtime.scheduling import (
    AppointmentNotFound,
    Calendar,
    HoldExpired,
    HttpCalendar,
    ProviderUnavailable,
    RedisCalendar,
    Scheduler,
    SchedulingError,
    SlotTaken,
)
from runtime.timers import ManualClock, TimerQueue

from .clinic_system import ClinicSystem
from .conftest import TOKEN, local


@pytest.fixture
async def clinic(calendar: Calendar, redis_client: aioredis.Redis, redis_prefix: str
                 ) -> AsyncIterator[tuple[ClinicSystem, str]]:
    system = ClinicSystem(RedisCalendar(calendar, redis_client, prefix=f"{redis_prefix}:clinic"), TOKEN)
    server = TestServer(system.app, host="127.0.0.1", port=0)
    await server.start_server()
    yield system, str(server.make_url("/api"))
    await server.close()


@pytest.fixture
async def remote(clinic: tuple[ClinicSystem, str], calendar: Calendar, clock: ManualClock,
                 timers: TimerQueue) -> AsyncIterator[Scheduler]:
    scheduler = Scheduler(calendar, HttpCalendar(clinic[1], token=TOKEN), clock=clock, timers=timers)
    yield scheduler
    await scheduler.aclose()


async def test_the_remote_system_offers_holds_and_books(remote: Scheduler, clock: ManualClock,
                                                        timers: TimerQueue) -> None:
    slots = await remote.find_slots("consulta", day=date(2026, 3, 10), period="tarde", limit=2)
    assert [s.start for s in slots] == [local(2026, 3, 10, 13, 0), local(2026, 3, 10, 13, 30)]
    hold = await remote.hold(slots[0], "p1")
    with pytest.raises(SlotTaken):
        await remote.book(slots[0], "p2")
    appt = await remote.book(hold, "p1", details={"nome": "Maria"})
    assert appt.details == {"nome": "Maria"} and await remote.get(appt.id) == appt
    assert await timers.size() == 2                                   # reminders work the same way
    moved = await remote.reschedule(appt.id, slots[1], patient="p1")
    assert [h.action for h in moved.history] == ["booked", "rescheduled"]
    assert [a.id for a in await remote.appointments_of("p1")] == [appt.id]
    assert [a.id for a in await remote.appointments_on(date(2026, 3, 10))] == [appt.id]
    assert (await remote.confirm(appt.id)).status == "confirmed"
    assert (await remote.cancel(appt.id, patient="p1")).status == "cancelled"
    assert await timers.size() == 0


async def test_a_booking_request_sent_again_books_once(remote: Scheduler, timers: TimerQueue) -> None:
    """The idempotency key travels to the clinic's system: the same request again is the same booking."""
    [slot] = await remote.find_slots("consulta", day=date(2026, 3, 10), period="tarde", limit=1)
    hold = await remote.hold(slot, "p1")
    first = await remote.book(hold, "p1", idempotency_key="wamid.A1")
    again = await remote.book(hold, "p1", idempotency_key="wamid.A1")  # the hold is used up by now
    assert again == first
    assert [a.id for a in await remote.appointments_of("p1")] == [first.id]
    assert await timers.size() == 2


async def test_remote_refusals_map_to_the_same_errors(remote: Scheduler, clock: ManualClock) -> None:
    [slot] = await remote.find_slots("consulta", limit=1)
    hold = await remote.hold(slot, "p1")
    clock.advance(timedelta(minutes=10))
    with pytest.raises(HoldExpired):
        await remote.book(hold, "p1")
    with pytest.raises(AppointmentNotFound):
        await remote.get("nope")
    assert await remote.release("nope") is False


async def test_an_unavailable_or_misconfigured_system_gets_clear_errors(
    clinic: tuple[ClinicSystem, str], calendar: Calendar, clock: ManualClock
) -> None:
    system, url = clinic
    system.failures_to_serve = 1
    scheduler = Scheduler(calendar, HttpCalendar(url, token=TOKEN), clock=clock)
    with pytest.raises(ProviderUnavailable, match="503: maintenance"):
        await scheduler.find_slots("consulta")
    assert await scheduler.find_slots("consulta", limit=1)
    await scheduler.aclose()
    wrong = Scheduler(calendar, HttpCalendar(url, token="wrong"), clock=clock)
    with pytest.raises(SchedulingError, match="401 unauthorized"):
        await wrong.find_slots("consulta")
    await wrong.aclose()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    nobody = Scheduler(calendar, HttpCalendar(f"http://127.0.0.1:{port}/api"), clock=clock)
    with pytest.raises(ProviderUnavailable, match="check that the clinic system is up"):
        await nobody.find_slots("consulta")
    await nobody.aclose()
