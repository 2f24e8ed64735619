"""Opening hours (bot.json "hours"): open now, the next opening, open time counted across nights,
weekends and holidays, a queue's own hours, and the away message once per closed period. The
handoff's closed message and `resume_after` are conversation tests of the clinic
(examples/clinic/tests/horario.yaml)."""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import redis.asyncio as aioredis

from flows.settings import HoursSettings
from runtime.engine.clock import ManualClock
from runtime.engine.hours import OpeningHours
from runtime.service.harness import BotHarness

SP = ZoneInfo("America/Sao_Paulo")
HELLO = Path(__file__).parents[2] / "examples" / "hello"
WEEKDAYS_8_TO_19 = {day: ((time(8), time(19)),) for day in range(5)}
ON_CALL = {5: ((time(22), time.max),), 6: ((time(0), time(6)),)}  # Saturday 22:00 to Sunday 06:00
CLINIC = OpeningHours(HoursSettings(WEEKDAYS_8_TO_19, {"plantao": ON_CALL}, ("BR",),
                                    {date(2026, 12, 24): "Véspera de Natal"}), "America/Sao_Paulo")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SP)


def test_open_within_a_span_and_closed_outside_it() -> None:
    assert CLINIC.is_open(at("2026-03-06 08:00"))  # a Friday
    assert CLINIC.is_open(at("2026-03-06 18:59"))
    assert not CLINIC.is_open(at("2026-03-06 19:00"))
    assert not CLINIC.is_open(at("2026-03-07 10:00"))  # Saturday
    assert not CLINIC.is_open(at("2026-04-03 10:00"))  # Good Friday
    assert not CLINIC.is_open(at("2026-04-21 10:00"))  # Tiradentes
    assert not CLINIC.is_open(at("2026-12-24 10:00"))  # a closed day of the bot's own
    assert CLINIC.closed_on(date(2026, 4, 21)) == "Tiradentes"


def test_the_next_opening_skips_nights_weekends_and_holidays() -> None:
    assert CLINIC.next_opening(at("2026-03-06 23:10")) == at("2026-03-09 08:00")
    assert CLINIC.next_opening(at("2026-03-09 07:59")) == at("2026-03-09 08:00")
    assert CLINIC.next_opening(at("2026-03-09 10:00")) == at("2026-03-09 10:00")  # open: now
    assert CLINIC.next_opening(at("2026-04-02 20:00")) == at("2026-04-06 08:00")  # Good Friday, then the weekend


def test_open_time_is_counted_across_closed_time() -> None:
    assert CLINIC.add_open(at("2026-03-06 17:00"), timedelta(hours=4)) == at("2026-03-09 10:00")
    assert CLINIC.add_open(at("2026-03-06 23:10"), timedelta(hours=4)) == at("2026-03-09 12:00")
    assert CLINIC.add_open(at("2026-03-09 09:00"), timedelta(hours=1)) == at("2026-03-09 10:00")
    assert CLINIC.add_open(at("2026-03-09 09:00"), timedelta(hours=11)) == at("2026-03-10 09:00")


def test_a_queue_has_its_own_hours_and_spans_over_midnight_join() -> None:
    assert CLINIC.is_open(at("2026-03-07 23:30"), "plantao")
    assert CLINIC.is_open(at("2026-03-08 03:00"), "plantao")
    assert not CLINIC.is_open(at("2026-03-09 10:00"), "plantao")
    assert CLINIC.add_open(at("2026-03-07 23:00"), timedelta(hours=2), "plantao") == at("2026-03-08 01:00")
    assert CLINIC.closed_since(at("2026-03-08 07:00"), "plantao") == at("2026-03-08 06:00")
    assert CLINIC.is_open(at("2026-03-09 10:00"), "unknown queue")  # the bot's hours


def test_the_closed_period_starts_at_the_last_closing() -> None:
    assert CLINIC.closed_since(at("2026-03-09 07:00")) == at("2026-03-06 19:00")
    assert CLINIC.closed_since(at("2026-03-06 23:00")) == at("2026-03-06 19:00")
    assert CLINIC.closed_since(at("2026-03-09 09:00")) is None


def test_without_hours_it_is_always_open() -> None:
    always = OpeningHours(HoursSettings(), "UTC")
    moment = datetime(2026, 3, 8, 3, 0, tzinfo=ZoneInfo("UTC"))
    assert always.is_open(moment) and always.closed_since(moment) is None
    assert always.add_open(moment, timedelta(hours=4)) == moment + timedelta(hours=4)


@pytest.fixture
async def harness(tmp_path: Path, redis_client: aioredis.Redis, redis_prefix: str) -> AsyncIterator[BotHarness]:
    root = tmp_path / "hello"
    shutil.copytree(HELLO, root)
    shutil.rmtree(root / "tests")
    bot = json.loads((root / "bot.json").read_text(encoding="utf-8"))
    bot |= {"timezone": "America/Sao_Paulo", "default_locale": "pt-BR", "hours": {
        "open": {d: [{"from": "08:00", "to": "19:00"}] for d in ("mon", "tue", "wed", "thu", "fri")},
        "away_text": "Estamos fora do horário; a equipe volta {{ next_opening }}."}}
    (root / "bot.json").write_text(json.dumps(bot), encoding="utf-8")
    flow = json.loads((root / "flows" / "hello.json").read_text(encoding="utf-8"))
    flow["nodes"]["greet"]["text"] = "{% if open_now %}Equipe aqui{% else %}Equipe volta {{ next_opening }}{% endif %}"
    (root / "flows" / "hello.json").write_text(json.dumps(flow), encoding="utf-8")
    clock = ManualClock(at("2026-03-06 23:10"))  # a Friday night
    opened = await BotHarness.open(root, client=redis_client, prefix=redis_prefix, clock=clock)
    yield opened
    await opened.aclose()


async def test_the_away_message_goes_once_per_closed_period(harness: BotHarness) -> None:
    first = [m.text for m in await harness.say("hi")]
    assert first == ["Estamos fora do horário; a equipe volta segunda-feira, 09/03, às 08:00.",
                     "Hi! What is your name?"]
    assert [m.text for m in await harness.say("Rita")] == ["Equipe volta segunda-feira, 09/03, às 08:00"]
    harness.manual_clock.advance(timedelta(hours=30))  # Sunday morning: the same closed period
    assert "Estamos fora" not in " ".join(m.text for m in await harness.say("hi"))
    harness.manual_clock.advance(timedelta(days=1))  # Monday 05:10: still the same period
    assert "Estamos fora" not in " ".join(m.text for m in await harness.say("hi"))
    harness.manual_clock.advance(timedelta(hours=5))  # Monday 10:10: open
    assert [m.text for m in await harness.say("hi")] == ["Hi! What is your name?"]
    assert [m.text for m in await harness.say("Rita")] == ["Equipe aqui"]
    harness.manual_clock.advance(timedelta(hours=10))  # Monday 20:10: a new closed period
    again = [m.text for m in await harness.say("hi")]
    assert again[0] == "Estamos fora do horário; a equipe volta terça-feira, 10/03, às 08:00."
