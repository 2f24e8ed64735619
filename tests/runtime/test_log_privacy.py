"""No phone number reaches a log line above DEBUG: every conversation test of the clinic is played by a
WhatsApp user, with reminders, timeouts, handoffs and bookings, and every log record is scanned."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest

from runtime.conversations.library import BotLibrary
from runtime.engine.clock import ManualClock
from runtime.service.convtest import load_cases, run_case
from runtime.service.harness import BotHarness

from .conftest import EXAMPLES, START

AGENDA = Path(__file__).parents[1] / "booking" / "bots" / "agenda"

NUMBER = "5511987650000"
FORMS = (NUMBER, "551187650000", "987650000", "11987650000")  # with and without Brazil's 9th digit
LONG_DIGITS = re.compile(r"\b\d{10,}\b")  # a number as a word of its own, not ten digits inside a hex id


async def test_a_full_clinic_run_logs_no_phone_number(caplog: pytest.LogCaptureFixture) -> None:
    root = EXAMPLES / "clinic"
    cases, issues = load_cases(root)
    assert issues == [] and len(cases) >= 40
    library = BotLibrary.load(root)
    failures = []
    with caplog.at_level(logging.INFO):
        for file, case in cases:
            result = await run_case(library, file, {**case, "channel": "whatsapp", "user": NUMBER})
            failures += [f"{case['name']}: {f}" for f in result.failures]
        await _late_timers()
    assert failures == []
    records = [r for r in caplog.records if r.levelno > logging.DEBUG]
    assert records, "the run logged nothing at INFO: the scan would prove nothing"
    leaked = []
    for record in records:
        text = record.getMessage() + (record.exc_text or "")
        if any(form in text for form in FORMS) or LONG_DIGITS.search(text):
            leaked.append(f"{record.name} {record.levelname}: {text[:200]}")
    assert leaked == []


async def _late_timers() -> None:
    """An ask's timeout ladder claimed far too late: the timers are skipped, and said so in the log."""
    clock = ManualClock(START)
    harness = await BotHarness.open(AGENDA, clock=clock, channel="whatsapp", user=NUMBER)
    try:
        await harness.say("pergunta")
        clock.advance(timedelta(days=30))
        await harness.fire_due()
    finally:
        await harness.aclose()
