"""Reminders tied to an appointment: one timer per calendar reminder rule, replaced when the
appointment moves and cancelled when it is cancelled. Timer ids are stable per (appointment, rule)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from runtime.scheduling.calendar import Calendar, ReminderRule
from runtime.scheduling.model import Appointment, iso
from runtime.timers import Timer, TimerQueue

REMINDER_KIND = "reminder"


def reminder_id(calendar_id: str, appointment_id: str, rule_id: str) -> str:
    return f"reminder:{calendar_id}:{appointment_id}:{rule_id}"


def reminder_payload(calendar: Calendar, appt: Appointment, rule: ReminderRule) -> dict[str, Any]:
    """What the reminder handler needs: the appointment in context and the wall time the patient saw."""
    return {
        "calendar": calendar.id,
        "appointment": appt.id,
        "reminder": rule.id,
        "patient": appt.patient,
        "service": appt.slot.service,
        "professional": appt.slot.professional,
        "start": iso(appt.slot.start),
        "local_start": calendar.local(appt.slot.start).isoformat(timespec="minutes"),
        "timezone": calendar.tz.key,
        "details": dict(appt.details),
    }


def reminder_timer(calendar: Calendar, appt: Appointment, rule: ReminderRule) -> Timer:
    """Never fires after the appointment starts: its lateness limit ends at the start at the latest."""
    return Timer(
        id=reminder_id(calendar.id, appt.id, rule.id),
        due=appt.slot.start - rule.before,
        kind=REMINDER_KIND,
        payload=reminder_payload(calendar, appt, rule),
        max_lateness=min(rule.max_lateness, rule.before),
    )


async def sync_reminders(timers: TimerQueue, calendar: Calendar, appt: Appointment, now: datetime) -> list[Timer]:
    """Make the queue match the appointment: its future reminders scheduled (replacing older ones),
    the others cancelled. Idempotent; returns the timers scheduled."""
    scheduled: list[Timer] = []
    for rule in calendar.reminders:
        timer = reminder_timer(calendar, appt, rule)
        if appt.active and timer.due >= now:
            scheduled.append(timer)
        else:
            await timers.cancel(timer.id)
    await timers.schedule_many(scheduled)
    return scheduled
