"""`papo serve` runs the bot with its services: the NLU (also as Rasa's /model/parse) and the
conversation timers (an unanswered question is nudged through the channel)."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import service_helpers as h

from runtime.engine.clock import ManualClock

NUDGE = Path(__file__).parent / "bots" / "nudge"


async def test_model_parse_speaks_rasas_shape(start: h.Start) -> None:
    app = await start(bot=NUDGE)
    answer = await app.client.post("/model/parse", json={"text": "quero marcar uma consulta amanhã às 15h",
                                                         "message_id": "m1"})
    assert answer.status == 200
    parsed = await answer.json()
    assert parsed["intent"]["name"] == "book_appointment" and parsed["message_id"] == "m1"
    assert [e["entity"] for e in parsed["entities"]] == ["datetime"]
    for bad in (b"not json", b'{"txt": "oi"}'):
        refused = await app.client.post("/model/parse", data=bad)
        assert refused.status == 400 and "text" in (await refused.json())["error"]


async def test_a_bot_without_nlu_says_so(start: h.Start) -> None:
    app = await start()  # the echo bot has no nlu.yml
    answer = await app.client.post("/model/parse", json={"text": "oi"})
    assert answer.status == 404 and "no NLU" in (await answer.json())["error"]


async def test_an_unanswered_question_is_nudged_through_the_channel(start: h.Start) -> None:
    clock = ManualClock(datetime(2026, 1, 1, 12, 0, tzinfo=UTC))
    app = await start(bot=NUDGE, clock=clock)
    assert (await app.post(h.wa_body(messages=[h.wa_message("wamid.N1", "oi", ts=1767268800)]))).status == 200

    async def said(count: int) -> bool:
        return len(app.graph.calls) >= count

    await h.wait_until(lambda: said(1))
    assert app.texts() == ["Qual é o seu nome?"]
    clock.advance(timedelta(minutes=11))  # the service's timer loop finds the nudge due
    await h.wait_until(lambda: said(2))
    assert app.texts() == ["Qual é o seu nome?", "Ainda está aí? 🙂"]


async def test_no_phone_number_reaches_the_log_through_timers_and_the_sender(
        start: h.Start, caplog: pytest.LogCaptureFixture) -> None:
    """A nudge that falls due after the 24-hour window is refused and logged: by the timer's and the
    message's pseudonymous ids, never by the user's number."""
    clock = ManualClock(datetime(2026, 1, 1, 12, 0, tzinfo=UTC))
    app = await start(bot=NUDGE, clock=clock)
    with caplog.at_level(logging.INFO):
        assert (await app.post(h.wa_body(messages=[h.wa_message("wamid.P1", "oi", ts=1767268800)]))).status == 200

        async def asked() -> bool:
            return len(app.graph.calls) >= 1

        await h.wait_until(asked)
        clock.advance(timedelta(hours=25))  # the nudge goes out of the window: refused, and logged

        async def refused() -> bool:
            return any("not sent" in r.getMessage() for r in caplog.records)

        await h.wait_until(refused)
    ours = [r for r in caplog.records if r.levelno > logging.DEBUG and not r.name.startswith("aiohttp.access")]
    assert any(r.name.startswith("runtime") for r in ours)  # papo (serve has no access log) said something
    # a number as a word of its own: a hexadecimal id ("af0732120302") may hold ten digits in a row
    leaked = [r.getMessage() for r in ours if re.search(r"\b\d{10,}\b|" + h.USER[-8:], r.getMessage())]
    assert leaked == []
