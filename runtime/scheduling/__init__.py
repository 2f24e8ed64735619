"""Scheduling: the calendar model, availability, holds, atomic booking, reminders, iCalendar feeds."""

from runtime.scheduling.calendar import (
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
from runtime.scheduling.errors import (
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
from runtime.scheduling.http_provider import HttpCalendar
from runtime.scheduling.ics import build_feed
from runtime.scheduling.loading import load_calendar, parse_calendar
from runtime.scheduling.model import Appointment, HistoryEntry, Hold, Slot, SlotQuery, Status
from runtime.scheduling.provider import CalendarProvider
from runtime.scheduling.redis_provider import RedisCalendar
from runtime.scheduling.reminders import REMINDER_KIND, reminder_id, reminder_timer, sync_reminders
from runtime.scheduling.scheduler import Scheduler

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
