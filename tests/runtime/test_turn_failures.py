"""A turn that raises anything consumes its event with the bot's error message and the conversation
goes on: the next message is answered, the failure is logged under the conversation's hashed name
and listed for staff."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

import pytest
import redis.asyncio as aioredis

from nlu.errors import NluError
from runtime.conversations.library import BotLibrary
from runtime.conversations.store import RedisStore
from runtime.engine.clock import ManualClock
from runtime.locales import PACKS
from runtime.nodes.services import BotServices
from runtime.service.harness import BotHarness

from .conftest import BOTS

USER = "5511987650000"


class FlakyUnderstanding:
    """A real implementation of the NLU port whose reading of some messages fails, as a bug in an
    NLU backend would; every other message gets no intent."""

    fallback_intent = "nlu_fallback"

    def __init__(self, failures: dict[str, Exception]) -> None:
        self.failures = failures

    async def parse(self, text: str, now: datetime | None = None) -> dict[str, Any]:
        if text in self.failures:
            raise self.failures[text]
        return {"text": text, "intent": {"name": self.fallback_intent, "confidence": 1.0}, "entities": []}


@pytest.fixture
async def bot(client: aioredis.Redis, redis_prefix: str, clock: ManualClock) -> BotHarness:
    library = BotLibrary.load(BOTS / "engine", client=client, prefix=redis_prefix)
    await library.publish()
    services = BotServices(nlu=FlakyUnderstanding({"bug": ZeroDivisionError("division by zero"),
                                                   "nlu down": NluError("the model file is gone")}))
    return BotHarness(library, RedisStore(client, prefix=redis_prefix), clock, channel="whatsapp", user=USER,
                      services=services)


@pytest.mark.parametrize("poison", ["bug", "nlu down"])
async def test_any_exception_in_a_turn_is_answered_and_the_conversation_goes_on(
        bot: BotHarness, poison: str, caplog: pytest.LogCaptureFixture) -> None:
    assert [m.text for m in await bot.say("oi")] == ["nome?"]
    with caplog.at_level(logging.INFO):
        replies = await bot.say(poison)
    assert [m.text for m in replies] == [PACKS["pt-BR"].messages["error"]]
    assert bot.last[-1].notices[-1]["kind"] == "error"
    # the event was consumed: nothing waits in the inbox, and the next message is answered
    assert await bot.store.client.xlen(bot.store.keys.inbox(bot.key)) == 0
    assert [m.text for m in await bot.say("Ana")] != []
    # logged under the hashed name, never the number or the message
    failed = [r for r in caplog.records if "turn failed" in r.getMessage() and r.levelno >= logging.ERROR]
    assert len(failed) == 1 and bot.key.ref in failed[0].getMessage()
    assert all(USER not in r.getMessage() and poison not in r.getMessage()
               for r in caplog.records if r.levelno >= logging.INFO)


async def test_a_failed_turn_is_listed_for_staff(bot: BotHarness) -> None:
    await bot.say("bug")
    raw = await bot.store.client.xrevrange(bot.store.keys.failures(bot.key.bot), count=10)
    records = [json.loads(fields[b"f"] if b"f" in fields else fields["f"]) for _, fields in raw]
    # a shared stream: the conversation's hashed reference, never the number
    assert [(r["kind"], r["error"], r["ref"]) for r in records] == [("turn", "ZeroDivisionError", bot.key.ref)]
    assert USER not in json.dumps(records)


def test_every_error_of_papo_has_one_root() -> None:
    from connectors.errors import ConnectorError
    from flows.errors import PapoError
    from runtime.engine.errors import TurnError
    from runtime.scheduling import SchedulingError
    from runtime.timers import TimerError

    for error in (NluError, ConnectorError, TurnError, SchedulingError, TimerError):
        assert issubclass(error, PapoError), error
