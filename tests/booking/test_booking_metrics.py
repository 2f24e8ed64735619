"""Bookings and reminders are counted in the process's metrics (GET /metrics renders them)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from runtime import metrics
from runtime.scheduling import SlotTaken

from .conftest import AGENDA, OpenBot
from .test_booking_timers import book_wednesday


def _value(name: str, **labels: str) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


async def test_a_booking_and_its_reminder_are_counted(open_bot: OpenBot) -> None:
    booked = _value("papo_bookings_total", bot="agenda", action="book", result="ok")
    fired = _value("papo_timers_fired_total", kind="reminder", result="ok")
    late = _value("papo_timer_lateness_seconds_count", kind="reminder")
    h = await open_bot(AGENDA)
    await book_wednesday(h)
    assert _value("papo_bookings_total", bot="agenda", action="book", result="ok") == booked + 1
    [reminder] = await h.advance(timedelta(hours=23))
    assert reminder.template is not None
    assert _value("papo_timers_fired_total", kind="reminder", result="ok") == fired + 1
    assert _value("papo_timer_lateness_seconds_count", kind="reminder") == late + 1


async def test_a_refused_booking_is_counted_by_its_reason(open_bot: OpenBot) -> None:
    h = await open_bot(AGENDA)
    scheduler = h.processor.services.scheduler
    assert scheduler is not None
    [slot] = await scheduler.find_slots("consulta", limit=1)
    taken = _value("papo_bookings_total", bot="agenda", action="book", result="SlotTaken")
    await scheduler.book(slot, "whatsapp:5511900000001")
    with pytest.raises(SlotTaken):
        await scheduler.book(slot, "whatsapp:5511900000002")
    assert _value("papo_bookings_total", bot="agenda", action="book", result="SlotTaken") == taken + 1
