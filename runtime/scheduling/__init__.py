"""Scheduling: the calendar model, availability, holds, atomic booking, reminders, iCalendar feeds."""

from .calendar import (
    BookingRules,
    Break,
    Calendar,
    Closure,
    Price,
    Professional,
    ReminderRule,
    Service,
    Span,
)
from .errors import (
    AppointmentNotFound,
    BookingRefused,
    CalendarInvalid,
    CalendarIssue,
    CancelTooLate,
    DateInPast,
    HoldExpired,
    NotActive,
    ProviderUnavailable,
    SchedulingError,
    SlotNotOffered,
    SlotTaken,
    TooFarAhead,
    TooSoon,
    UnknownName,
)
from .http_provider import HttpCalendar
from .ics import build_feed
from .loading import load_calendar, parse_calendar
from .model import Appointment, HistoryEntry, Hold, Slot, SlotQuery, Status
from .provider import CalendarProvider
from .redis_provider import RedisCalendar
from .reminders import REMINDER_KIND, reminder_id, reminder_timer, sync_reminders
from .scheduler import Scheduler

__all__ = [
    "REMINDER_KIND",
    "Appointment",
    "AppointmentNotFound",
    "BookingRefused",
    "BookingRules",
    "Break",
    "Calendar",
    "CalendarInvalid",
    "CalendarIssue",
    "CalendarProvider",
    "CancelTooLate",
    "Closure",
    "DateInPast",
    "HistoryEntry",
    "Hold",
    "HoldExpired",
    "HttpCalendar",
    "NotActive",
    "Price",
    "Professional",
    "ProviderUnavailable",
    "RedisCalendar",
    "ReminderRule",
    "Scheduler",
    "SchedulingError",
    "Service",
    "Slot",
    "SlotNotOffered",
    "SlotQuery",
    "SlotTaken",
    "Span",
    "Status",
    "TooFarAhead",
    "TooSoon",
    "UnknownName",
    "build_feed",
    "load_calendar",
    "parse_calendar",
    "reminder_id",
    "reminder_timer",
    "sync_reminders",
]
