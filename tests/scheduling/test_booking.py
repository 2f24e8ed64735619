from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
import redis.asyncio as aioredis

from runtime.scheduling import (
    AppointmentNotFound,
    CancelTooLate,
    DateInPast,
    HoldExpired,
    NotActive,
    Scheduler,
    Slot,
    SlotNotOffered,
    SlotTaken,
    TooSoon,
)
from runtime.timers import ManualClock

from .conftest import local


def consulta(*at: int, who: str = "dra_ana", minutes: int = 30, service: str = "consulta") -> Slot:
    start = local(*at)
    return Slot(service, who, start, start + timedelta(minutes=minutes))


async def test_a_hundred_patients_racing_for_one_slot_give_exactly_one_booking(
    redis_scheduler: Scheduler, redis_url: str, redis_prefix: str
) -> None:
    scheduler = redis_scheduler
    slot = consulta(2026, 3, 10, 8, 0)
    # each patient on its own connection, as 100 conversations on many workers would be
    clients = [aioredis.Redis.from_url(redis_url) for _ in range(100)]
    racers = [Scheduler.with_redis(scheduler.calendar, c, prefix=redis_prefix, clock=scheduler.clock)
              for c in clients]
    results = await asyncio.gather(*(r.book(slot, f"patient-{n}") for n, r in enumerate(racers)),
                                   return_exceptions=True)
    booked = [r for r in results if not isinstance(r, BaseException)]
    assert len(booked) == 1
    assert all(isinstance(r, SlotTaken) for r in results if isinstance(r, BaseException))
    assert [a.id for a in await scheduler.appointments_on(slot.start.date())] == [booked[0].id]
    for client in clients:
        await client.aclose()


async def test_hold_then_book_records_the_history(scheduler: Scheduler, clock: ManualClock) -> None:
    [slot] = await scheduler.find_slots("consulta", limit=1)
    hold = await scheduler.hold(slot.ref, "p1")
    assert hold.expires_at == clock.now() + timedelta(minutes=10)
    clock.advance(timedelta(minutes=3))
    appt = await scheduler.book(hold, "p1", details={"nome": "Maria"})
    assert (appt.slot, appt.status, appt.details) == (slot, "booked", {"nome": "Maria"})
    assert [(h.action, h.at) for h in appt.history] == [("booked", clock.now())]
    assert await scheduler.get(appt.id) == appt


async def test_a_hold_blocks_others_until_it_expires(scheduler: Scheduler, clock: ManualClock) -> None:
    slot = consulta(2026, 3, 10, 8, 0)
    hold = await scheduler.hold(slot, "p1")
    with pytest.raises(SlotTaken):
        await scheduler.book(slot, "p2")
    with pytest.raises(SlotTaken):
        await scheduler.hold(slot, "p2")
    clock.advance(timedelta(minutes=10))
    appt = await scheduler.book(slot, "p2")
    with pytest.raises(HoldExpired):
        await scheduler.book(hold, "p1")
    assert appt.patient == "p2"


async def test_a_new_hold_replaces_the_patients_previous_one(scheduler: Scheduler) -> None:
    first = await scheduler.hold(consulta(2026, 3, 10, 8, 0), "p1")
    await scheduler.hold(consulta(2026, 3, 10, 8, 30), "p1")
    await scheduler.book(first.slot, "p2")                            # free again
    with pytest.raises(HoldExpired):
        await scheduler.book(first, "p1")
    assert await scheduler.release(first) is False


async def test_a_slot_taken_between_offer_and_confirmation_leaves_nothing_half_booked(
    scheduler: Scheduler
) -> None:
    offered = await scheduler.find_slots("consulta", limit=3)
    await scheduler.book(offered[0], "p2")                            # someone else was quicker
    with pytest.raises(SlotTaken, match="offer the patient other slots"):
        await scheduler.book(offered[0], "p1")
    assert await scheduler.appointments_of("p1") == []
    assert offered[0] not in await scheduler.find_slots("consulta", limit=3)


async def test_overlaps_between_services_of_different_lengths_are_refused(scheduler: Scheduler) -> None:
    await scheduler.book(consulta(2026, 3, 10, 8, 0, service="retorno", minutes=20), "p1")
    with pytest.raises(SlotTaken):
        await scheduler.book(consulta(2026, 3, 10, 8, 15), "p2")          # 08:15-08:45 over 08:00-08:20
    await scheduler.book(consulta(2026, 3, 10, 8, 20, service="retorno", minutes=20), "p2")   # touching is fine


async def test_slots_outside_hours_too_soon_or_past_are_refused(scheduler: Scheduler) -> None:
    with pytest.raises(SlotNotOffered, match="not within working hours"):
        await scheduler.book(consulta(2026, 3, 10, 12, 0), "p1")      # lunch
    with pytest.raises(SlotNotOffered):
        await scheduler.book(consulta(2026, 3, 10, 8, 0, minutes=45), "p1")
    with pytest.raises(SlotNotOffered, match="not 'service"):
        await scheduler.book("garbage", "p1")
    with pytest.raises(TooSoon, match="1 h notice"):
        await scheduler.book(consulta(2026, 3, 9, 9, 30), "p1")
    with pytest.raises(DateInPast):
        await scheduler.book(consulta(2026, 3, 9, 8, 0), "p1")
    staff = await scheduler.book(consulta(2026, 3, 9, 9, 30), "p1", by="staff")
    assert staff.history[0].by == "staff"


async def test_reschedule_moves_the_appointment_and_frees_the_old_slot(scheduler: Scheduler,
                                                                       clock: ManualClock) -> None:
    appt = await scheduler.book(consulta(2026, 3, 10, 8, 0), "p1")
    await scheduler.book(consulta(2026, 3, 10, 9, 0), "p2")
    with pytest.raises(SlotTaken):
        await scheduler.reschedule(appt.id, consulta(2026, 3, 10, 9, 0), patient="p1")
    assert (await scheduler.get(appt.id)).slot == appt.slot          # unchanged by the failed attempt
    clock.advance(timedelta(minutes=5))
    moved = await scheduler.reschedule(appt.id, consulta(2026, 3, 10, 13, 0, who="dr_bruno"), patient="p1")
    assert moved.slot.professional == "dr_bruno"
    assert [h.action for h in moved.history] == ["booked", "rescheduled"]
    assert moved.history[-1].start == local(2026, 3, 10, 13, 0)
    await scheduler.book(consulta(2026, 3, 10, 8, 0), "p3")           # the old slot is free


async def test_reschedule_onto_a_held_slot_uses_the_patients_hold(scheduler: Scheduler) -> None:
    appt = await scheduler.book(consulta(2026, 3, 10, 8, 0), "p1")
    hold = await scheduler.hold(consulta(2026, 3, 11, 8, 0), "p1")
    moved = await scheduler.reschedule(appt.id, hold, patient="p1")
    assert moved.slot == hold.slot
    with pytest.raises(SlotTaken):
        await scheduler.book(hold.slot, "p2")


async def test_cancel_frees_the_slot_and_respects_the_notice(scheduler: Scheduler, clock: ManualClock) -> None:
    appt = await scheduler.book(consulta(2026, 3, 10, 8, 0), "p1")
    cancelled = await scheduler.cancel(appt.id, patient="p1", reason="viagem")
    assert cancelled.status == "cancelled" and cancelled.history[-1].reason == "viagem"
    with pytest.raises(NotActive):
        await scheduler.cancel(appt.id, patient="p1")
    again = await scheduler.book(consulta(2026, 3, 10, 8, 0), "p2")
    clock.set(local(2026, 3, 10, 6, 30))                              # 90 min before, notice is 2 h
    with pytest.raises(CancelTooLate, match="2 h notice"):
        await scheduler.cancel(again.id, patient="p2")
    with pytest.raises(CancelTooLate):
        await scheduler.reschedule(again.id, consulta(2026, 3, 11, 8, 0), patient="p2")
    assert (await scheduler.cancel(again.id, by="staff")).history[-1].by == "staff"


async def test_patients_see_and_touch_only_their_own_appointments(scheduler: Scheduler,
                                                                  clock: ManualClock) -> None:
    mine = await scheduler.book(consulta(2026, 3, 11, 8, 0), "p1")
    early = await scheduler.book(consulta(2026, 3, 10, 8, 0), "p1")
    other = await scheduler.book(consulta(2026, 3, 10, 8, 30), "p2")
    assert [a.id for a in await scheduler.appointments_of("p1")] == [early.id, mine.id]
    with pytest.raises(AppointmentNotFound):
        await scheduler.cancel(other.id, patient="p1")
    with pytest.raises(AppointmentNotFound):
        await scheduler.get("nope")
    await scheduler.cancel(mine.id, patient="p1")
    clock.set(local(2026, 3, 10, 9, 0))
    assert await scheduler.appointments_of("p1") == []               # one cancelled, one over
    assert len(await scheduler.appointments_of("p1", upcoming_only=False)) == 2


async def test_confirm_and_no_show_are_recorded(scheduler: Scheduler, clock: ManualClock) -> None:
    appt = await scheduler.book(consulta(2026, 3, 10, 8, 0), "p1")
    assert (await scheduler.confirm(appt.id, patient="p1")).status == "confirmed"
    clock.set(local(2026, 3, 10, 8, 40))
    missed = await scheduler.mark_no_show(appt.id)
    assert [h.action for h in missed.history] == ["booked", "confirmed", "no_show"]
    with pytest.raises(NotActive):
        await scheduler.confirm(appt.id)


async def test_appointments_on_a_local_day(scheduler: Scheduler) -> None:
    late = await scheduler.book(consulta(2026, 3, 10, 18, 30, who="dr_bruno"), "p1")   # 21:30 UTC
    early = await scheduler.book(consulta(2026, 3, 10, 8, 0), "p2")
    await scheduler.book(consulta(2026, 3, 11, 8, 0), "p3")
    day = date(2026, 3, 10)
    assert [a.id for a in await scheduler.appointments_on(day)] == [early.id, late.id]
    assert [a.id for a in await scheduler.appointments_on(day, professional="dr_bruno")] == [late.id]


async def test_a_patients_own_hold_never_blocks_them_and_ends_with_the_booking(scheduler: Scheduler) -> None:
    slot = consulta(2026, 3, 10, 8, 0)
    await scheduler.hold(slot, "p1")
    appt = await scheduler.book(slot, "p1")                           # without passing the hold
    other = await scheduler.hold(consulta(2026, 3, 11, 8, 0), "p1")
    moved = await scheduler.reschedule(appt.id, other.slot, patient="p1")
    assert moved.slot == other.slot
    assert await scheduler.release(other) is False                    # ended by the reschedule
    await scheduler.book(slot, "p2")                                  # the first slot is free again


async def test_two_concurrent_cancels_record_one_cancellation(scheduler: Scheduler) -> None:
    appt = await scheduler.book(consulta(2026, 3, 10, 8, 0), "p1")
    results = await asyncio.gather(scheduler.cancel(appt.id), scheduler.cancel(appt.id), return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["Appointment", "NotActive"]
    assert [h.action for h in (await scheduler.get(appt.id)).history] == ["booked", "cancelled"]


async def test_every_calendar_key_carries_the_prefix_and_one_hash_tag(
    redis_scheduler: Scheduler, redis_client: aioredis.Redis, redis_prefix: str
) -> None:
    appt = await redis_scheduler.book(consulta(2026, 3, 10, 8, 0), "whatsapp:5511999990000")
    await redis_scheduler.hold(consulta(2026, 3, 10, 9, 0), "p2")
    await redis_scheduler.reschedule(appt.id, consulta(2026, 3, 10, 8, 30))
    keys = {k.decode() async for k in redis_client.scan_iter(match=f"{redis_prefix}:{{cal:*")}
    assert {k.split("}:", 1)[1] for k in keys} == {
        "busy", "appts", "starts", "patient:whatsapp:5511999990000", "holds", "holdexp", "holdof"}
    assert all(k.startswith(f"{redis_prefix}:{{cal:clinica}}:") for k in keys)
