from __future__ import annotations

import socket
from datetime import timedelta

import pytest
import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError

from runtime.scheduling import Scheduler, Slot, reminder_id
from runtime.timers import ClaimedTimer, Dispatcher, ManualClock, TimerQueue

from .conftest import local


def slot(*at: int) -> Slot:
    return Slot("consulta", "dra_ana", local(*at), local(*at) + timedelta(minutes=30))


async def dues(timers: TimerQueue) -> dict[str, object]:
    return {t.id.rsplit(":", 1)[1]: t.due for t in await timers.pending()}


async def test_booking_schedules_reminders_that_move_and_vanish_with_the_appointment(
    scheduler: Scheduler, timers: TimerQueue
) -> None:
    appt = await scheduler.book(slot(2026, 3, 12, 8, 0), "p1", details={"canal": "whatsapp"})
    assert await dues(timers) == {"24h": local(2026, 3, 11, 8, 0), "2h": local(2026, 3, 12, 6, 0)}
    reminder = await timers.get(reminder_id("clinica", appt.id, "24h"))
    assert reminder is not None and reminder.kind == "reminder"
    assert reminder.payload["appointment"] == appt.id and reminder.payload["patient"] == "p1"
    assert reminder.payload["local_start"] == "2026-03-12T08:00-03:00"
    assert reminder.payload["timezone"] == "America/Sao_Paulo"
    assert reminder.max_lateness == timedelta(hours=3)

    await scheduler.reschedule(appt.id, slot(2026, 3, 13, 9, 0), patient="p1")
    assert await dues(timers) == {"24h": local(2026, 3, 12, 9, 0), "2h": local(2026, 3, 13, 7, 0)}
    await scheduler.cancel(appt.id, patient="p1")
    assert await timers.size() == 0


async def test_a_reminder_already_due_at_booking_time_is_not_scheduled(
    scheduler: Scheduler, timers: TimerQueue
) -> None:
    await scheduler.book(slot(2026, 3, 9, 14, 0), "p1")                  # 5 h away
    assert list(await dues(timers)) == ["2h"]


async def test_reminders_fire_once_on_time_and_are_skipped_when_too_late(
    scheduler: Scheduler, timers: TimerQueue, clock: ManualClock
) -> None:
    await scheduler.book(slot(2026, 3, 12, 8, 0), "p1")
    await scheduler.book(slot(2026, 3, 12, 9, 0), "p2")
    sent: list[tuple[str, str]] = []

    async def send(claim: ClaimedTimer) -> None:
        sent.append((claim.timer.payload["patient"], claim.timer.payload["reminder"]))

    dispatcher = Dispatcher(timers, send, clock)
    clock.set(local(2026, 3, 11, 8, 30))                                # p1's 24h is 30 min late
    await dispatcher.drain()
    assert sent == [("p1", "24h")]
    clock.set(local(2026, 3, 12, 6, 20))                                # workers were down all night
    first = await dispatcher.drain()
    assert sent == [("p1", "24h"), ("p1", "2h")]                        # 20 min late: within 30 min
    assert [(s.timer.payload["patient"], s.reason) for s in first.skipped] == [("p2", "late")]  # 21 h late
    clock.set(local(2026, 3, 12, 8, 10))
    second = await dispatcher.drain()
    assert [s.timer.payload["reminder"] for s in second.skipped] == ["2h"]                     # 70 min late
    assert len(sent) == 2 and len(await timers.skipped()) == 2
    assert await timers.size() == 0


async def test_a_timer_outage_does_not_fail_the_booking_and_resync_repairs_it(
    scheduler: Scheduler, timers: TimerQueue, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    down = aioredis.Redis.from_url(f"redis://127.0.0.1:{port}/0", socket_connect_timeout=0.5)
    healthy, scheduler.timers = scheduler.timers, TimerQueue(down)
    appt = await scheduler.book(slot(2026, 3, 12, 8, 0), "p1")
    assert (await scheduler.get(appt.id)).active and "resync_reminders" in caplog.text
    scheduler.timers = healthy
    await scheduler.resync_reminders(appt.id)
    assert await timers.size() == 2
    await down.aclose()


async def test_an_idempotent_booking_whose_reminders_met_an_outage_fails_and_its_run_again_schedules_them(
    scheduler: Scheduler, timers: TimerQueue
) -> None:
    # A turn books with its event id as the key: losing Redis before the reminders are scheduled fails
    # the turn (its event waits to run again) instead of committing a booking with no reminders.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    down = aioredis.Redis.from_url(f"redis://127.0.0.1:{port}/0", socket_connect_timeout=0.5)
    healthy, scheduler.timers = scheduler.timers, TimerQueue(down)
    with pytest.raises(RedisConnectionError):
        await scheduler.book(slot(2026, 3, 12, 8, 0), "p1", idempotency_key="wamid.turn-1")
    assert await timers.size() == 0
    scheduler.timers = healthy
    again = await scheduler.book(slot(2026, 3, 12, 8, 0), "p1", idempotency_key="wamid.turn-1")
    assert [a.id for a in await scheduler.appointments_of("p1")] == [again.id]
    assert await timers.size() == 2
    await down.aclose()
