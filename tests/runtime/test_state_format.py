"""Upgrades: a conversation state written by an earlier release (format 1, no "format" key; formats 2 and 3)
is migrated on load and the conversation goes on; a state from a newer release is refused, unchanged."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from runtime.engine.clock import ManualClock
from runtime.engine.errors import StateFormatUnknown
from runtime.engine.state import STATE_FORMAT, Conversation, migrated
from runtime.service.harness import BotHarness

STATES = Path(__file__).parent / "states"
AGENDA = Path(__file__).parents[1] / "booking" / "bots" / "agenda"
USER = "5511987650000"


def _v1() -> dict[str, object]:
    return dict(json.loads((STATES / "v1-agenda-offered.json").read_text()))


def test_a_format_1_document_is_migrated_without_changing_what_it_says() -> None:
    old = _v1()
    assert "format" not in old
    new = migrated(old)
    assert new == old | {"format": STATE_FORMAT} and "format" not in old  # the stored document is not touched
    assert Conversation.from_json(old, version=3).to_json() == new


def test_a_format_2_document_is_migrated_without_changing_what_it_says() -> None:
    old = dict(json.loads((STATES / "v2-agenda-offered.json").read_text()))
    assert old["format"] == 2 and "opening" not in old["private"]
    new = migrated(old)
    assert new == old | {"format": STATE_FORMAT} and old["format"] == 2
    assert Conversation.from_json(old, version=3).to_json() == new


def test_a_format_3_document_is_migrated_without_changing_what_it_says() -> None:
    old = dict(json.loads((STATES / "v3-agenda-offered.json").read_text()))
    assert old["format"] == 3 and old["private"]["opening"] and "interrupted" not in old["private"]
    new = migrated(old)
    assert new == old | {"format": STATE_FORMAT} and old["format"] == 3
    assert Conversation.from_json(old, version=3).to_json() == new


def test_the_question_an_emergency_interrupted_is_kept_only_while_there_is_one() -> None:
    state = Conversation.from_json(_v1(), version=1)
    assert "interrupted" not in state.to_json()["private"]
    state.private.interrupted = {"flow": "boas_vindas", "version": "abc", "node": "pedir_nome", "turn": 1}
    again = Conversation.from_json(json.loads(json.dumps(state.to_json())), version=1)
    assert again.private.interrupted == state.private.interrupted


def test_the_message_that_started_a_flow_is_kept_only_while_there_is_one() -> None:
    state = Conversation.from_json(_v1(), version=1)
    assert "opening" not in state.to_json()["private"]
    state.private.opening = {"flow": "marcar", "text": "quero marcar com o dr bruno", "used": []}
    again = Conversation.from_json(json.loads(json.dumps(state.to_json())), version=1)
    assert again.private.opening == state.private.opening


def test_node_state_kept_in_variables_by_older_documents_moves_to_private() -> None:
    old = _v1() | {"vars": {"nome": "Ana", "_booking": {"stage": "pick"}}, "private": {}}
    state = Conversation.from_json(old, version=1)
    assert state.vars == {"nome": "Ana"} and state.private.booking == {"stage": "pick"}


def test_a_newer_format_is_refused_with_what_to_do() -> None:
    with pytest.raises(StateFormatUnknown, match="format 9, newer than this papo reads .* restore the Redis"):
        Conversation.from_json(_v1() | {"format": 9}, version=1)


@pytest.mark.parametrize("fixture", ["v1-agenda-offered.json", "v2-agenda-offered.json", "v3-agenda-offered.json"])
async def test_a_conversation_saved_by_an_earlier_release_books_after_the_upgrade(
        redis_client: aioredis.Redis, redis_prefix: str, fixture: str) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 12, 5, tzinfo=UTC))
    h = await BotHarness.open(AGENDA, client=redis_client, prefix=redis_prefix, clock=clock, user=USER,
                              channel="whatsapp")
    doc = dict(json.loads((STATES / fixture).read_text()))
    # pinned to the agenda flow as it is today: the fixture's digest would go stale when someone edits it
    doc["flow_version"] = h.library.newest("marcar").digest
    await redis_client.hset(h.store.keys.state(h.key), mapping={"ver": 2, "doc": json.dumps(doc)})

    offered = doc["private"]["booking"]["offered"]  # type: ignore[index]
    [confirm] = await h.say(choice_id=offered[0])
    assert confirm.text.startswith("Confirma")
    booked = await h.say(choice_id="sim")
    assert [m.text for m in booked][-1] == "Marcado: quarta-feira, 04/03, às 08:00"
    scheduler = h.processor.services.scheduler
    assert scheduler is not None and len(await scheduler.appointments_of(f"whatsapp:{USER}")) == 1
    saved = json.loads(await redis_client.hget(h.store.keys.state(h.key), "doc"))
    assert saved["format"] == STATE_FORMAT and saved["turns"] == 4
    await h.aclose()


def test_the_question_the_faq_answered_is_kept_only_while_there_is_one() -> None:
    state = Conversation.from_json(_v1(), version=1)
    assert "asked" not in state.to_json()["private"]
    state.private.asked = {"text": "tem pediatra segunda?", "turn": 3}
    again = Conversation.from_json(json.loads(json.dumps(state.to_json())), version=1)
    assert again.private.asked == state.private.asked
