"""Slots picked and narrowed the way patients write times: "10h30", "o das 10 e meia", "entre 7 e 9",
"depois das 11h", "hoje não consigo, só amanhã". The agenda bot offers Dra. Ana's 30-minute slots,
Monday to Friday 08:00-12:00; it is Monday 02/03/2026 09:00, with an hour's notice."""

from __future__ import annotations

import pytest

from flows.messages import OutboundMessage

from .conftest import AGENDA, OpenBot


def titles(message: OutboundMessage) -> list[str]:
    return [o.title for o in message.options]


@pytest.mark.parametrize("typed", ["10h30", "10:30", "pode ser o das 10 e meia", "o das 10 e 30 por favor"])
async def test_an_offered_slot_is_picked_by_its_time(open_bot: OpenBot, typed: str) -> None:
    h = await open_bot(AGENDA)
    [offer] = await h.say("marcar")
    assert titles(offer) == ["Seg 02/03 às 10:00", "Seg 02/03 às 10:30", "Seg 02/03 às 11:00"]
    [confirm] = await h.say(typed)
    assert "segunda-feira, 02/03, às 10:30" in confirm.text


async def test_a_time_that_was_not_offered_asks_for_slots_at_that_time(open_bot: OpenBot) -> None:
    h = await open_bot(AGENDA)
    await h.say("marcar")
    [offer] = await h.say("9h")
    assert titles(offer)[0] == "Ter 03/03 às 09:00"


@pytest.mark.parametrize(("typed", "offered"), [
    ("entre 10h e 11h", ["Seg 02/03 às 10:00", "Seg 02/03 às 10:30", "Ter 03/03 às 10:00"]),
    ("entre 7 e 9", ["Ter 03/03 às 08:00", "Ter 03/03 às 08:30", "Qua 04/03 às 08:00"]),
    ("depois das 11h", ["Seg 02/03 às 11:00", "Seg 02/03 às 11:30", "Ter 03/03 às 11:00"]),
    ("quarta entre 9h e 10h", ["Qua 04/03 às 09:00", "Qua 04/03 às 09:30"]),
    ("hoje não consigo, só amanhã", ["Ter 03/03 às 08:00", "Ter 03/03 às 08:30", "Ter 03/03 às 09:00"]),
    ("sex de manhã", ["Sex 06/03 às 08:00", "Sex 06/03 às 08:30", "Sex 06/03 às 09:00"]),
])
async def test_hours_said_as_a_range_narrow_the_offer(open_bot: OpenBot, typed: str, offered: list[str]) -> None:
    h = await open_bot(AGENDA)
    await h.say("marcar")
    [offer] = await h.say(typed)
    assert titles(offer) == offered
