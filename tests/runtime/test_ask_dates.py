"""`ask` nodes of date input read dates the way patients write them, in the direction the question
points (`when`): a birth date lies in the past, an appointment in the future. Today is Monday
02/03/2026 in São Paulo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.errors import FlowInvalid
from flows.loader import load_bot

from .conftest import OpenBot

NOT_UNDERSTOOD = "Desculpe, não entendi."


def _bot(root: Path, when: str | None) -> Path:
    (root / "flows").mkdir(parents=True)
    (root / "bot.json").write_text(json.dumps({"name": "d", "default_locale": "pt-BR",
                                               "timezone": "America/Sao_Paulo", "entry_flow": "f"}))
    ask = {"kind": "ask", "input": "date", "var": "dia", "text": "Que dia?", "next": "ok"}
    if when is not None:
        ask["when"] = when
    flow = {"id": "f", "entry": "dia", "nodes": {"dia": ask, "ok": {"kind": "end", "text": "{{ dia }}"}}}
    (root / "flows" / "f.json").write_text(json.dumps(flow))
    return root


async def _answer(open_bot: OpenBot, root: Path, text: str) -> str:
    bot = await open_bot(root)
    await bot.say("oi")
    return " | ".join(m.text for m in await bot.say(text))


@pytest.mark.parametrize(("text", "stored"), [
    ("31/10/74", "1974-10-31"),  # not 2074
    ("nasci em 5 maio de 1990", "1990-05-05"),
    ("dia 5", "2026-02-05"),  # the last 5th, not the next
    ("terça passada", "2026-02-24"),
])
async def test_a_birth_date_lies_in_the_past(open_bot: OpenBot, tmp_path: Path, text: str, stored: str) -> None:
    assert await _answer(open_bot, _bot(tmp_path / "bot", "past"), text) == stored


async def test_a_day_after_today_is_no_birth_date(open_bot: OpenBot, tmp_path: Path) -> None:
    assert (await _answer(open_bot, _bot(tmp_path / "bot", "past"), "amanhã")).startswith(NOT_UNDERSTOOD)


@pytest.mark.parametrize(("text", "stored"), [
    ("hoje não consigo, só amanhã", "2026-03-03"),  # the day wanted, not the first one written
    ("sex", "2026-03-06"),
    ("dia 5", "2026-03-05"),
    ("Natal", "2026-12-25"),
])
async def test_an_appointment_lies_in_the_future(open_bot: OpenBot, tmp_path: Path, text: str, stored: str) -> None:
    assert await _answer(open_bot, _bot(tmp_path / "bot", "future"), text) == stored


async def test_a_day_gone_by_is_no_appointment(open_bot: OpenBot, tmp_path: Path) -> None:
    assert (await _answer(open_bot, _bot(tmp_path / "bot", "future"), "ontem")).startswith(NOT_UNDERSTOOD)


async def test_without_when_a_date_is_read_as_before(open_bot: OpenBot, tmp_path: Path) -> None:
    root = _bot(tmp_path / "bot", None)
    assert await _answer(open_bot, root, "ontem") == "2026-03-01"
    assert load_bot(root).flows["f"].nodes["dia"].when is None  # type: ignore[attr-defined]


def test_when_is_only_for_dates(tmp_path: Path) -> None:
    root = _bot(tmp_path / "bot", "past")
    flow = json.loads((root / "flows" / "f.json").read_text())
    flow["nodes"]["dia"]["input"] = "number"
    (root / "flows" / "f.json").write_text(json.dumps(flow))
    with pytest.raises(FlowInvalid, match="when-without-date"):
        load_bot(root)


async def test_a_variable_filled_from_a_date_takes_the_one_wanted(open_bot: OpenBot) -> None:
    bot = await open_bot("engine")
    await bot.say("oi")
    await bot.say("hoje às 10h não consigo, só amanhã às 15h")
    state = await bot.state()
    assert state is not None and state.vars["quando"] == "2026-03-03T15:00:00-03:00"
