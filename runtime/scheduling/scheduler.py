"""`Scheduler`: the booking rules (notice, reach, ownership) and reminders, over any provider."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from runtime import metrics
from runtime.scheduling.availability import to_utc
from runtime.scheduling.calendar import Calendar
from runtime.scheduling.errors import (
    AppointmentNotFound,
    CancelTooLate,
    DateInPast,
    NotActive,
    SlotNotOffered,
    TooFarAhead,
    TooSoon,
)
from runtime.scheduling.ics import build_feed
from runtime.scheduling.model import Appointment, Hold, Slot, SlotQuery
from runtime.scheduling.provider import CalendarProvider
from runtime.scheduling.redis_provider import RedisCalendar
from runtime.scheduling.reminders import sync_reminders
from runtime.timers import Clock, SystemClock, TimerError, TimerQueue, require_aware

PATIENT = "patient"
log = logging.getLogger("papo.scheduling")


class Scheduler:
    """Find, hold, book, reschedule, cancel and list appointments of one calendar.

    Usage::

        scheduler = Scheduler.with_redis(load_calendar("examples/clinic"), redis, clock=clock, timers=queue)
        slots = await scheduler.find_slots("consulta", day=date(2026, 3, 10), period="manha")
        hold = await scheduler.hold(slots[0], patient="whatsapp:5511999990000")
        appt = await scheduler.book(hold, patient="whatsapp:5511999990000")

    `by` is "patient" for requests from the patient, who must respect the minimum notice, the
    booking reach and own the appointment; anything else ("staff", a staff id) is trusted.
    With `timers`, each active appointment keeps one reminder timer per calendar reminder rule.
    """

    def __init__(self, calendar: Calendar, provider: CalendarProvider, *, clock: Clock | None = None,
                 timers: TimerQueue | None = None) -> None:
        self.calendar = calendar
        self.provider = provider
        self.clock = clock or SystemClock()
        self.timers = timers

    @classmethod
    def with_redis(cls, calendar: Calendar, redis: aioredis.Redis, *, prefix: str = "papo",
                   clock: Clock | None = None, timers: TimerQueue | None = None) -> Scheduler:
        return cls(calendar, RedisCalendar(calendar, redis, prefix=prefix), clock=clock, timers=timers)

    @contextlib.contextmanager
    def _counted(self, action: str) -> Iterator[None]:
        """Count the change in `papo_bookings`: ok, or the name of the error that refused it."""
        try:
            yield
        except Exception as exc:
            metrics.BOOKINGS.labels(self.calendar.id, action, type(exc).__name__).inc()
            raise
        metrics.BOOKINGS.labels(self.calendar.id, action, "ok").inc()

    async def find_slots(self, service: str, *, professional: str | None = None, day: date | None = None,
                         period: str | tuple[time, time] | None = None, earliest: datetime | date | None = None,
                         limit: int = 5) -> list[Slot]:
        """The next free slots, earliest first; a naive `earliest` is local wall time (as nlu reads
        "amanhã depois das 14h"). `period` is one of the calendar's periods ("manha") or local
        (from, to) clock times ("entre 14h e 16h": slots starting from 14:00 and before 16:00).
        Raises DateInPast for a past `day`, TooFarAhead beyond the booking reach, UnknownName for
        an unknown service, professional or period."""
        now = self.clock.now()
        self.calendar.offering(service, professional)
        span = self.calendar.period(period) if isinstance(period, str) else None
        hours = (span.start, span.end) if span else period if isinstance(period, tuple) else None
        start, end = self._window(now, day, earliest)
        query = SlotQuery(service, start, end, professional, hours, limit)
        return await self.provider.find_slots(query, now=now) if start < end else []

    def _window(self, now: datetime, day: date | None, earliest: datetime | date | None
                ) -> tuple[datetime, datetime]:
        rules, today = self.calendar.rules, self.calendar.local(now).date()
        start, end = now + rules.min_notice, now + rules.max_ahead
        if day is not None:
            if day < today:
                raise DateInPast(f"{day.isoformat()} has already gone by (today is {today.isoformat()})")
            start, end = max(start, self._midnight(day)), min(end, self._midnight(day + timedelta(days=1)))
        if isinstance(earliest, datetime):
            aware = earliest if earliest.tzinfo else earliest.replace(tzinfo=self.calendar.tz)
            start = max(start, require_aware(aware))
        elif isinstance(earliest, date):
            start = max(start, self._midnight(earliest))
        if start >= now + rules.max_ahead:
            raise TooFarAhead(f"bookings open up to {rules.max_ahead.days} days ahead, until "
                              f"{self.calendar.local(now + rules.max_ahead).date().isoformat()}")
        return start, end

    def _midnight(self, day: date) -> datetime:
        return to_utc(day, time(0), self.calendar.tz)

    def _check_bookable(self, slot: Slot, now: datetime, by: str) -> None:
        if by != PATIENT:
            return
        rules = self.calendar.rules
        if slot.start <= now:
            raise DateInPast(f"{self.calendar.local(slot.start).isoformat()} has already gone by")
        if slot.start < now + rules.min_notice:
            raise TooSoon(f"bookings need {_minutes(rules.min_notice)} notice; offer a later slot")
        if slot.start > now + rules.max_ahead:
            raise TooFarAhead(f"bookings open up to {rules.max_ahead.days} days ahead; offer an earlier slot")

    async def hold(self, slot: Slot | str, patient: str) -> Hold:
        """Keep a slot for the calendar's hold time while the patient confirms; SlotTaken if gone."""
        now, chosen = self.clock.now(), _slot(slot)
        self._check_bookable(chosen, now, PATIENT)
        # Whole seconds: a hold travels as ISO 8601 without fractions, and the provider checks it
        # against the stored one when booking (a real clock's microseconds made it "expired").
        expires_at = (now + self.calendar.rules.hold).replace(microsecond=0)
        return await self.provider.hold(chosen, patient, now=now, expires_at=expires_at)

    async def release(self, hold: Hold | str) -> bool:
        return await self.provider.release(hold.id if isinstance(hold, Hold) else hold, now=self.clock.now())

    async def book(self, slot: Slot | Hold | str, patient: str, *, details: Mapping[str, Any] | None = None,
                   by: str = PATIENT, idempotency_key: str | None = None) -> Appointment:
        """Book a slot (a Slot, its ref, or the patient's Hold on it) atomically; never double-books.
        With an `idempotency_key` (a turn passes its event id), the same request books once: run again
        after a crash, it returns the appointment it made, and its reminders are scheduled."""
        with self._counted("book"):
            now = self.clock.now()
            chosen, hold_id = (slot.slot, slot.id) if isinstance(slot, Hold) else (_slot(slot), None)
            self._check_bookable(chosen, now, by)
            appt = await self.provider.book(chosen, patient, now=now, by=by, details=details or {},
                                            hold_id=hold_id, idempotency_key=idempotency_key)
        await self._sync(appt, now, run_again=idempotency_key is not None)
        return appt

    async def reschedule(self, appointment_id: str, slot: Slot | Hold | str, *, patient: str | None = None,
                         by: str = PATIENT) -> Appointment:
        with self._counted("reschedule"):
            now = self.clock.now()
            old = await self._changeable(appointment_id, patient, now, by)
            chosen, hold_id = (slot.slot, slot.id) if isinstance(slot, Hold) else (_slot(slot), None)
            self._check_bookable(chosen, now, by)
            appt = await self.provider.reschedule(old.id, chosen, now=now, by=by, hold_id=hold_id)
        await self._sync(appt, now)
        return appt

    async def cancel(self, appointment_id: str, *, patient: str | None = None, by: str = PATIENT,
                     reason: str | None = None) -> Appointment:
        with self._counted("cancel"):
            now = self.clock.now()
            await self._changeable(appointment_id, patient, now, by)
            appt = await self.provider.set_status(appointment_id, "cancelled", now=now, by=by, reason=reason)
        await self._sync(appt, now)
        return appt

    async def confirm(self, appointment_id: str, *, patient: str | None = None, by: str = PATIENT
                      ) -> Appointment:
        await self._active(appointment_id, patient)
        return await self.provider.set_status(appointment_id, "confirmed", now=self.clock.now(), by=by)

    async def mark_no_show(self, appointment_id: str, *, by: str = "staff") -> Appointment:
        now = self.clock.now()
        await self._active(appointment_id, None)
        appt = await self.provider.set_status(appointment_id, "no_show", now=now, by=by)
        await self._sync(appt, now)
        return appt

    async def get(self, appointment_id: str, *, patient: str | None = None) -> Appointment:
        appt = await self.provider.get(appointment_id)
        if appt is None or (patient is not None and appt.patient != patient):
            raise AppointmentNotFound(f"no appointment {appointment_id!r}"
                                      + (f" for patient {patient!r}" if patient else ""))
        return appt

    async def _active(self, appointment_id: str, patient: str | None) -> Appointment:
        appt = await self.get(appointment_id, patient=patient)
        if not appt.active:
            raise NotActive(f"appointment {appointment_id} is {appt.status}: nothing to change")
        return appt

    async def _changeable(self, appointment_id: str, patient: str | None, now: datetime, by: str
                          ) -> Appointment:
        appt = await self._active(appointment_id, patient)
        notice = self.calendar.rules.cancel_min_notice
        if by == PATIENT and appt.slot.start - now < notice:
            raise CancelTooLate(f"changes need {_minutes(notice)} notice before the start; "
                                "ask the patient to call the clinic")
        return appt

    async def _sync(self, appt: Appointment, now: datetime, *, run_again: bool = False) -> None:
        # The appointment is already committed (its calendar and the timers live in different
        # hash tags, so one script cannot do both): a timer failure must not report the booking
        # as failed. With `run_again` (an idempotent booking: a turn that fails while Redis is away
        # runs again and gets the same appointment) losing Redis propagates, so that the run
        # again schedules the reminders; otherwise it is logged and `resync_reminders` repairs it.
        if self.timers is None:
            return
        try:
            await sync_reminders(self.timers, self.calendar, appt, now)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            if run_again:
                raise
            log.warning("reminders of appointment %s not updated (redis unavailable: %s); call "
                        "resync_reminders(%r)", appt.id, type(exc).__name__, appt.id)
        except (RedisError, TimerError):
            log.exception("reminders of appointment %s not updated; call resync_reminders(%r)", appt.id, appt.id)

    async def resync_reminders(self, appointment_id: str) -> None:
        """Make the appointment's reminder timers match it again (after a failure or an outside change)."""
        if self.timers is not None:
            await sync_reminders(self.timers, self.calendar, await self.get(appointment_id), self.clock.now())

    async def appointments_of(self, patient: str, *, upcoming_only: bool = True) -> list[Appointment]:
        """The patient's appointments by start; by default only active ones not yet over."""
        now = self.clock.now()
        found = sorted(await self.provider.appointments_of(patient), key=lambda a: a.slot.start)
        return [a for a in found if not upcoming_only or (a.active and a.slot.end > now)]

    async def appointments_on(self, day: date, *, professional: str | None = None) -> list[Appointment]:
        """Every appointment (any status) starting on local `day`, by start."""
        start, end = self._midnight(day), self._midnight(day + timedelta(days=1))
        found = await self.provider.appointments_between(start, end, professional)
        return sorted(found, key=lambda a: (a.slot.start, a.slot.professional))

    async def ics_feed(self, professional: str, *, past: timedelta = timedelta(days=30)) -> bytes:
        """The professional's iCalendar feed, from `past` ago to the end of the booking reach."""
        now = self.clock.now()
        self.calendar.professional(professional)
        found = await self.provider.appointments_between(now - past, now + self.calendar.rules.max_ahead
                                                         + timedelta(days=1), professional)
        return build_feed(self.calendar, professional, sorted(found, key=lambda a: a.slot.start), now=now)

    async def aclose(self) -> None:
        await self.provider.aclose()


def _slot(slot: Slot | str) -> Slot:
    if isinstance(slot, Slot):
        return slot
    try:
        return Slot.from_ref(slot)
    except ValueError as exc:
        raise SlotNotOffered(f"{exc}: offer a slot from find_slots and pass its ref") from exc


def _minutes(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h" if minutes % 60 == 0 and minutes >= 60 else f"{minutes} min"
