"""Errors of the scheduling layer. Each has a stable `code` a flow node can map to a message.

    SchedulingError
     ├── CalendarInvalid           calendar.json broken: every issue, with file and JSON pointer
     ├── UnknownName               a service or professional that the calendar does not have
     ├── BookingRefused            the request is well formed but cannot be honoured now
     │    ├── SlotTaken            someone else holds or booked it first (offer -> confirmation race)
     │    ├── HoldExpired          the hold ran out, was replaced or released
     │    ├── SlotNotOffered       outside working hours, a holiday, a closure, a wrong duration
     │    ├── TooSoon              inside the minimum notice
     │    │    └── DateInPast      a day or time that has already gone by
     │    ├── TooFarAhead          beyond how far ahead one may book
     │    ├── CancelTooLate        inside the minimum notice for cancelling or rescheduling
     │    └── NotActive            the appointment is cancelled or over
     ├── AppointmentNotFound
     └── ProviderUnavailable       the clinic's own system did not answer (HTTP provider)
"""

from __future__ import annotations

from collections.abc import Sequence

from flows.errors import FlowIssue, PapoError


class SchedulingError(PapoError):
    """Root of every error raised by `runtime.scheduling`."""

    code = "scheduling-error"


CalendarIssue = FlowIssue  # the same file / pointer / line / hint shape as every papo validation issue


class CalendarInvalid(SchedulingError):
    code = "calendar-invalid"

    def __init__(self, issues: Sequence[CalendarIssue]) -> None:
        self.issues = tuple(issues)
        super().__init__(f"{len(self.issues)} problem(s) in the calendar:\n" + "\n".join(map(str, self.issues)))


class UnknownName(SchedulingError):
    code = "unknown-name"


class BookingRefused(SchedulingError):
    code = "booking-refused"


class SlotTaken(BookingRefused):
    code = "slot-taken"


class HoldExpired(BookingRefused):
    code = "hold-expired"


class SlotNotOffered(BookingRefused):
    code = "slot-not-offered"


class TooSoon(BookingRefused):
    code = "too-soon"


class DateInPast(TooSoon):
    code = "date-in-past"


class TooFarAhead(BookingRefused):
    code = "too-far-ahead"


class CancelTooLate(BookingRefused):
    code = "cancel-too-late"


class NotActive(BookingRefused):
    code = "not-active"


class AppointmentNotFound(SchedulingError):
    code = "appointment-not-found"


class ProviderUnavailable(SchedulingError):
    code = "provider-unavailable"
