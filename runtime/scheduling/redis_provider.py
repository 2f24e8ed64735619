"""`RedisCalendar`: appointments and holds in Redis, booked by Lua scripts that cannot double-book."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import redis.asyncio as aioredis

from runtime.keys import Keys
from runtime.scheduling.availability import Interval, day_slots, is_offered, local_days
from runtime.scheduling.calendar import Calendar
from runtime.scheduling.errors import (
    AppointmentNotFound,
    HoldExpired,
    NotActive,
    SchedulingError,
    SlotNotOffered,
    SlotTaken,
)
from runtime.scheduling.keys import MAX_SPAN, BusyMember
from runtime.scheduling.model import Action, Appointment, HistoryEntry, Hold, Slot, SlotQuery, Status
from runtime.scheduling.redis_scripts import BOOK, HOLD, RELEASE, RESCHEDULE, UPDATE
from runtime.timers.clock import from_ms, to_ms

SEARCH_CHUNK = timedelta(days=14)
CAS_TRIES = 5


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _dump(appointment: Appointment) -> str:
    return json.dumps(appointment.to_json(), ensure_ascii=False, separators=(",", ":"))


class RedisCalendar:
    """The embedded calendar provider: works on a real Redis and on fakeredis alike."""

    def __init__(self, calendar: Calendar, redis: aioredis.Redis, *, prefix: str = "papo") -> None:
        self.calendar = calendar
        self.redis = redis
        self.keys = Keys(prefix).calendar(calendar.id)
        self._hold = redis.register_script(HOLD)
        self._book = redis.register_script(BOOK)
        self._reschedule = redis.register_script(RESCHEDULE)
        self._update = redis.register_script(UPDATE)
        self._release = redis.register_script(RELEASE)

    async def aclose(self) -> None:
        await self.redis.aclose()

    async def find_slots(self, query: SlotQuery, *, now: datetime) -> list[Slot]:
        service = self.calendar.service(query.service)
        profs = self.calendar.offering(query.service, query.professional)
        found: list[Slot] = []
        start = query.start
        while start < query.end and len(found) < query.limit:
            chunk = replace(query, start=start, end=min(query.end, start + SEARCH_CHUNK))
            busy = await self._busy(chunk.start - MAX_SPAN, chunk.end + service.duration, now)
            for day in local_days(self.calendar, chunk.start, chunk.end):
                slots = [s for p in profs for s in day_slots(self.calendar, service, p, day, chunk,
                                                             busy.get(p.id, []))]
                found += sorted(slots, key=lambda s: (s.start, s.professional))
                if len(found) >= query.limit:
                    break
            start = chunk.end
        return found[:query.limit]

    async def _busy(self, start: datetime, end: datetime, now: datetime) -> dict[str, list[Interval]]:
        busy: dict[str, list[Interval]] = {}
        rows: list[Any] = await self.redis.zrangebyscore(
            self.keys.busy, to_ms(start), f"({to_ms(end)}", withscores=True)
        for raw, score in rows:
            member = BusyMember.decode(_text(raw))
            if member.expires is None or member.expires > now:
                busy.setdefault(member.professional, []).append((from_ms(float(score)), member.end))
        return busy

    def _window(self, slot: Slot) -> list[str | int]:
        return [f"({to_ms(slot.start - MAX_SPAN)}", f"({to_ms(slot.end)}", to_ms(slot.start), slot.professional]

    def _check_offered(self, slot: Slot) -> None:
        if not is_offered(self.calendar, slot):
            raise SlotNotOffered(f"{slot.service} with {slot.professional} at {slot.start.isoformat()} is not "
                                 "within working hours (or has the wrong length): offer a slot from find_slots")

    async def hold(self, slot: Slot, patient: str, *, now: datetime, expires_at: datetime) -> Hold:
        self._check_offered(slot)
        hold = Hold(uuid.uuid4().hex[:12], slot, patient, expires_at)
        member = BusyMember("h", slot.professional, hold.id, slot.end, expires_at).encode()
        value = member + "#" + json.dumps(hold.to_json(), separators=(",", ":"))
        args = [to_ms(now), *self._window(slot), member, hold.id, value, patient, to_ms(expires_at)]
        result = await self._hold(keys=self.keys.script_keys(patient), args=args)
        _raise_for(result, slot)
        return hold

    async def get_hold(self, hold_id: str) -> Hold | None:
        value = await self.redis.hget(self.keys.holds, hold_id)
        return None if value is None else Hold.from_json(json.loads(_text(value).split("#", 1)[1]))

    async def release(self, hold_id: str, *, now: datetime) -> bool:
        return bool(await self._release(keys=self.keys.script_keys(""), args=[to_ms(now), hold_id]))

    async def _hold_args(self, hold_id: str | None, patient: str, slot: Slot) -> list[str | int]:
        if hold_id is None:
            return ["", ""]
        hold = await self.get_hold(hold_id)
        if hold is None or hold.patient != patient or hold.slot != slot:
            raise HoldExpired(f"hold {hold_id} is gone, belongs to someone else or is for another slot: "
                              "find and hold the slot again")
        return [hold_id, BusyMember("h", slot.professional, hold_id, slot.end, hold.expires_at).encode()]

    async def book(self, slot: Slot, patient: str, *, now: datetime, by: str,
                   details: Mapping[str, Any], hold_id: str | None = None,
                   idempotency_key: str | None = None) -> Appointment:
        self._check_offered(slot)
        entry = HistoryEntry(now, "booked", by, slot.start, slot.professional)
        appt_id = _idempotent_id(patient, idempotency_key) if idempotency_key else uuid.uuid4().hex[:12]
        appt = Appointment(appt_id, slot, patient, "booked", dict(details), (entry,))
        if idempotency_key and (earlier := await self.get(appt_id)) is not None and earlier.patient == patient:
            return earlier  # booked by this same request before (its turn crashed before committing)
        member = BusyMember("a", slot.professional, appt.id, slot.end).encode()
        args = [to_ms(now), *self._window(slot), member, appt.id, _dump(appt),
                *await self._hold_args(hold_id, patient, slot), patient]
        result = await self._book(keys=self.keys.script_keys(patient), args=args)
        if _text(result[0]) == "exists" and (earlier := await self.get(appt_id)) is not None:
            return earlier  # the same request raced itself: the first one won
        _raise_for(result, slot)
        return appt

    async def reschedule(self, appointment_id: str, slot: Slot, *, now: datetime, by: str,
                         hold_id: str | None = None) -> Appointment:
        self._check_offered(slot)
        for _ in range(CAS_TRIES):
            old_json, appt = await self._load(appointment_id)
            entry = HistoryEntry(now, "rescheduled", by, slot.start, slot.professional)
            new = appt.changed(entry, slot=slot)
            old_member = BusyMember("a", appt.slot.professional, appt.id, appt.slot.end).encode()
            member = BusyMember("a", slot.professional, appt.id, slot.end).encode()
            args = [to_ms(now), *self._window(slot), member, appt.id, old_json, _dump(new), old_member,
                    *await self._hold_args(hold_id, appt.patient, slot), appt.patient]
            result = await self._reschedule(keys=self.keys.script_keys(appt.patient), args=args)
            if _text(result[0]) != "conflict":
                _raise_for(result, slot)
                return new
        raise SchedulingError(f"appointment {appointment_id} kept changing while rescheduling: try again")

    async def set_status(self, appointment_id: str, status: Status, *, now: datetime, by: str,
                         reason: str | None = None) -> Appointment:
        action: Action = "cancelled" if status == "cancelled" else "confirmed" if status == "confirmed" else "no_show"
        for _ in range(CAS_TRIES):
            old_json, appt = await self._load(appointment_id)
            new = appt.changed(HistoryEntry(now, action, by, reason=reason), status=status)
            frees = status == "cancelled"
            member = BusyMember("a", appt.slot.professional, appt.id, appt.slot.end).encode() if frees else ""
            args: list[str | int] = [to_ms(now), appt.id, old_json, _dump(new), member]
            if await self._update(keys=self.keys.script_keys(appt.patient), args=args):
                return new
        raise SchedulingError(f"appointment {appointment_id} kept changing: try again")

    async def _load(self, appointment_id: str) -> tuple[str, Appointment]:
        """The stored JSON (for compare-and-set) and the appointment, which must be active."""
        raw = await self.redis.hget(self.keys.appts, appointment_id)
        if raw is None:
            raise AppointmentNotFound(f"no appointment {appointment_id!r} in calendar {self.calendar.id!r}")
        text = _text(raw)
        appt = Appointment.from_json(json.loads(text))
        if not appt.active:
            raise NotActive(f"appointment {appointment_id} is {appt.status}: nothing to change")
        return text, appt

    async def get(self, appointment_id: str) -> Appointment | None:
        raw = await self.redis.hget(self.keys.appts, appointment_id)
        return None if raw is None else Appointment.from_json(json.loads(_text(raw)))

    async def _many(self, ids: list[Any]) -> list[Appointment]:
        if not ids:
            return []
        rows = await self.redis.hmget(self.keys.appts, [_text(i) for i in ids])
        return [Appointment.from_json(json.loads(_text(r))) for r in rows if r is not None]

    async def appointments_of(self, patient: str) -> list[Appointment]:
        return await self._many(await self.redis.zrange(self.keys.patient(patient), 0, -1))

    async def appointments_between(self, start: datetime, end: datetime,
                                   professional: str | None = None) -> list[Appointment]:
        ids = await self.redis.zrangebyscore(self.keys.starts, to_ms(start), f"({to_ms(end)}")
        found = await self._many(ids)
        return [a for a in found if professional is None or a.slot.professional == professional]


def _idempotent_id(patient: str, key: str) -> str:
    """The appointment id of a booking request: the same request always books the same id."""
    return hashlib.sha256(f"{patient}\x00{key}".encode()).hexdigest()[:12]


def _raise_for(result: list[Any], slot: Slot) -> None:
    outcome = _text(result[0])
    if outcome == "taken":
        raise SlotTaken(f"{slot.service} with {slot.professional} at {slot.start.isoformat()} was just taken: "
                        "offer the patient other slots")
    if outcome == "hold_gone":
        raise HoldExpired("the hold on this slot expired or was replaced: find and hold the slot again")
