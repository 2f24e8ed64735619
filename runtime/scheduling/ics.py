"""An iCalendar (.ics) feed of one professional's appointments, for staff to subscribe to.

Patients appear by a short reference only (no name, no phone): the feed leaves papo.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from icalendar import Calendar as ICalendar
from icalendar import Event

from runtime.scheduling.calendar import Calendar
from runtime.scheduling.model import Appointment

_STATUS = {"booked": "TENTATIVE", "confirmed": "CONFIRMED", "cancelled": "CANCELLED", "no_show": "CONFIRMED"}


def patient_ref(patient: str) -> str:
    return hashlib.sha256(patient.encode()).hexdigest()[:6]


def _event(calendar: Calendar, appt: Appointment, stamp: datetime) -> Event:
    service = calendar.services.get(appt.slot.service)
    title = service.name if service else appt.slot.service
    event = Event()
    event.add("uid", f"{appt.id}@{calendar.id}.papo")
    event.add("dtstamp", stamp)
    event.add("dtstart", calendar.local(appt.slot.start))
    event.add("dtend", calendar.local(appt.slot.end))
    event.add("summary", f"{title} · paciente {patient_ref(appt.patient)}")
    event.add("status", _STATUS[appt.status])
    event.add("sequence", len(appt.history) - 1)
    event.add("description", f"papo appointment {appt.id}; status {appt.status}")
    return event


def build_feed(calendar: Calendar, professional: str, appointments: Iterable[Appointment],
               *, now: datetime) -> bytes:
    """The feed as bytes (text/calendar); cancelled appointments stay, marked CANCELLED."""
    prof = calendar.professional(professional)
    feed = ICalendar()
    feed.add("prodid", "-//papo//scheduling//EN")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", f"{prof.name} ({calendar.id})")
    feed.add("x-wr-timezone", calendar.tz.key)
    for appt in appointments:
        if appt.slot.professional == professional:
            feed.add_component(_event(calendar, appt, now))
    feed.add_missing_timezones()
    return bytes(feed.to_ical())
