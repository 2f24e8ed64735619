"""Free slots from a calendar and the busy intervals already taken: pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from runtime.scheduling.calendar import Calendar, Professional, Service, Span
from runtime.scheduling.model import Slot, SlotQuery

T = TypeVar("T", datetime, time)
Interval = tuple[datetime, datetime]


def subtract(spans: Iterable[tuple[T, T]], cuts: Sequence[tuple[T, T]]) -> list[tuple[T, T]]:
    """`spans` minus every cut, as sorted, non-empty pieces."""
    pieces = sorted(spans)
    for cut_start, cut_end in cuts:
        kept: list[tuple[T, T]] = []
        for start, end in pieces:
            if cut_end <= start or cut_start >= end:
                kept.append((start, end))
                continue
            if start < cut_start:
                kept.append((start, cut_start))
            if cut_end < end:
                kept.append((cut_end, end))
        pieces = kept
    return pieces


def to_utc(day: date, moment: time, tz: ZoneInfo) -> datetime:
    """A local wall time as a UTC instant (a time skipped by a DST jump maps past the jump)."""
    return datetime.combine(day, moment, tzinfo=tz).astimezone(UTC)


def working_intervals(calendar: Calendar, prof: Professional, day: date) -> list[Interval]:
    """When `prof` works on local `day`: weekly hours minus breaks, holidays and closures."""
    if day in calendar.holidays:
        return []
    spans = [(s.start, s.end) for s in prof.hours.get(day.weekday(), ())]
    breaks = [(b.span.start, b.span.end) for b in prof.breaks if b.applies(day)]
    local = subtract(spans, breaks)
    intervals = [(to_utc(day, a, calendar.tz), to_utc(day, b, calendar.tz)) for a, b in local]
    closures = [(c.start, c.end) for c in (*calendar.closures, *prof.closures)]
    return subtract(intervals, closures)


def local_days(calendar: Calendar, start: datetime, end: datetime) -> Iterator[date]:
    day, last = calendar.local(start).date(), calendar.local(end).date()
    while day <= last:
        yield day
        day += timedelta(days=1)


def is_free(start: datetime, end: datetime, busy: Sequence[Interval]) -> bool:
    return all(b_end <= start or b_start >= end for b_start, b_end in busy)


def in_period(calendar: Calendar, start: datetime, period: Span | tuple[time, time] | None) -> bool:
    if period is None:
        return True
    first, last = (period.start, period.end) if isinstance(period, Span) else period
    return first <= calendar.local(start).time() < last


def day_slots(calendar: Calendar, service: Service, prof: Professional, day: date,
              query: SlotQuery, busy: Sequence[Interval]) -> Iterator[Slot]:
    """Free slots of `service` with `prof` on local `day` that match `query`."""
    step = calendar.step_for(service)
    for open_at, close_at in working_intervals(calendar, prof, day):
        start = open_at
        while start + service.duration <= close_at:
            end = start + service.duration
            if (query.start <= start < query.end and in_period(calendar, start, query.period)
                    and is_free(start, end, busy)):
                yield Slot(service.id, prof.id, start, end)
            start += step


def is_offered(calendar: Calendar, slot: Slot) -> bool:
    """True when the slot lies within its professional's working hours with the service's length."""
    prof = calendar.professionals.get(slot.professional)
    service = calendar.services.get(slot.service)
    if prof is None or service is None or service.id not in prof.services:
        return False
    if slot.end - slot.start != service.duration:
        return False
    day = calendar.local(slot.start).date()
    return any(a <= slot.start and slot.end <= b for a, b in working_intervals(calendar, prof, day))
