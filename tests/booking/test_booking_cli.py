"""`papo appointments` lists a day's appointments and the pending timers, from a real Redis."""

from __future__ import annotations

from datetime import date

import pytest
import redis.asyncio as aioredis

from runtime.cli.appointments import list_appointments
from runtime.engine.clock import ManualClock
from runtime.service.harness import BotHarness
from runtime.service.settings import Settings

from .conftest import AGENDA, START


async def test_lists_appointments_and_timers(redis_url: str, redis_client: aioredis.Redis, redis_prefix: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    h = await BotHarness.open(AGENDA, client=redis_client, prefix=redis_prefix, clock=ManualClock(START),
                              user="5511987650000", channel="whatsapp")
    [offer] = await h.say("marcar")
    [offer] = await h.say("quarta")
    await h.say(choice_id=offer.options[0].id)
    await h.say("sim")
    settings = Settings(redis_url=redis_url, key_prefix=redis_prefix)
    assert await list_appointments(AGENDA, day=date(2026, 3, 4), settings=settings) == 0
    out = capsys.readouterr().out
    assert "agenda: 1 appointment(s) on 2026-03-04" in out
    assert "08:00  booked    Dra. Ana" in out and "whatsapp:5511987650000" in out
    assert "2 pending timer(s)" in out and "reminder:agenda:" in out
    assert await list_appointments(AGENDA, day=date(2026, 3, 5), as_json=True, settings=settings) == 0
    assert '"appointments": []' in capsys.readouterr().out


def test_the_papo_command_has_appointments() -> None:
    from runtime.cli.main import _parser

    args = _parser().parse_args(["appointments", str(AGENDA), "--day", "2026-03-04", "--json"])
    assert (args.command, args.day, args.json) == ("appointments", date(2026, 3, 4), True)
