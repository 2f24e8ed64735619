"""The calendar model: services, professionals and their weekly hours, holidays, closures, rules.

Wall-clock times (hours, breaks, periods) are local to `Calendar.tz`; closures are stored as UTC
instants. Build one with `runtime.scheduling.load_calendar`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from runtime.scheduling.errors import UnknownName

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class Span:
    start: time
    end: time

    def contains(self, moment: time) -> bool:
        return self.start <= moment < self.end


DEFAULT_PERIODS: Mapping[str, Span] = {
    "manha": Span(time(5), time(12)),
    "tarde": Span(time(12), time(18)),
    "noite": Span(time(18), time(23, 59)),
}


@dataclass(frozen=True, slots=True)
class Price:
    amount: Decimal
    currency: str = "BRL"


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    name: str
    duration: timedelta
    price: Price | None = None


@dataclass(frozen=True, slots=True)
class Closure:
    start: datetime
    end: datetime
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Break:
    weekdays: frozenset[int]      # 0 = Monday; empty: every day
    span: Span

    def applies(self, day: date) -> bool:
        return not self.weekdays or day.weekday() in self.weekdays


@dataclass(frozen=True, slots=True)
class Professional:
    id: str
    name: str
    services: frozenset[str]
    hours: Mapping[int, tuple[Span, ...]]        # weekday (0 = Monday) -> working spans
    breaks: tuple[Break, ...] = ()
    closures: tuple[Closure, ...] = ()


@dataclass(frozen=True, slots=True)
class BookingRules:
    min_notice: timedelta = timedelta(minutes=60)
    cancel_min_notice: timedelta = timedelta(0)
    max_ahead: timedelta = timedelta(days=60)
    hold: timedelta = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class ReminderRule:
    id: str
    before: timedelta
    max_lateness: timedelta = timedelta(minutes=60)


@dataclass(frozen=True, slots=True)
class Calendar:
    id: str
    tz: ZoneInfo
    services: Mapping[str, Service]
    professionals: Mapping[str, Professional]
    holidays: Mapping[date, str] = field(default_factory=dict)
    closures: tuple[Closure, ...] = ()
    periods: Mapping[str, Span] = field(default_factory=lambda: dict(DEFAULT_PERIODS))
    rules: BookingRules = BookingRules()
    reminders: tuple[ReminderRule, ...] = ()
    slot_step: timedelta | None = None

    def service(self, service_id: str) -> Service:
        if (found := self.services.get(service_id)) is None:
            raise UnknownName(f"no service {service_id!r} in calendar {self.id!r}; "
                              f"known: {', '.join(sorted(self.services))}")
        return found

    def professional(self, professional_id: str) -> Professional:
        if (found := self.professionals.get(professional_id)) is None:
            raise UnknownName(f"no professional {professional_id!r} in calendar {self.id!r}; "
                              f"known: {', '.join(sorted(self.professionals))}")
        return found

    def offering(self, service_id: str, professional_id: str | None = None) -> list[Professional]:
        """Professionals offering the service (only `professional_id` when given)."""
        self.service(service_id)
        if professional_id is not None:
            chosen = self.professional(professional_id)
            if service_id not in chosen.services:
                raise UnknownName(f"{chosen.name} ({professional_id}) does not offer {service_id!r}; "
                                  f"they offer: {', '.join(sorted(chosen.services))}")
            return [chosen]
        return [p for p in self.professionals.values() if service_id in p.services]

    def period(self, name: str) -> Span:
        if (found := self.periods.get(name)) is None:
            raise UnknownName(f"no period {name!r}; known: {', '.join(sorted(self.periods))}")
        return found

    def step_for(self, service: Service) -> timedelta:
        return self.slot_step or service.duration

    def local(self, instant: datetime) -> datetime:
        return instant.astimezone(self.tz)
