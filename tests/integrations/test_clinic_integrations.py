"""The clinic example's integrations: its greeting looks the patient up in the clinic's CRM (a local
server here) and its "crm" event subscription; with neither configured it works as before."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from runtime.engine.clock import ManualClock
from runtime.service.events_wiring import open_events
from runtime.service.harness import BotHarness

from .fake_crm import FakeCrm
from .receiver import Receiver

CLINIC = Path(__file__).parents[2] / "examples" / "clinic"
START = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)  # a Monday, 10:00 in São Paulo
PHONE = "5511987654321"


@pytest.fixture
async def crm() -> AsyncIterator[FakeCrm]:
    fake = FakeCrm()
    await fake.start()
    yield fake
    await fake.aclose()


async def _clinic(client: aioredis.Redis, prefix: str) -> BotHarness:
    return await BotHarness.open(CLINIC, client=client, prefix=prefix, clock=ManualClock(START), user=PHONE,
                                 channel="whatsapp")


async def test_a_patient_the_crm_knows_is_greeted_by_name(crm: FakeCrm, redis_client: aioredis.Redis,
                                                         redis_prefix: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_URL", crm.url)
    monkeypatch.setenv("CRM_TOKEN", "token-da-clinica")
    clinic = await _clinic(redis_client, redis_prefix)
    replies = await clinic.say("oi")
    await clinic.aclose()
    assert [r.text for r in replies][:2] == ["Olá! Eu sou a assistente virtual da Clínica Sorriso. 😊",
                                            "Prazer, Joana Prado!"]
    [request] = crm.requests
    assert request["query"] == {"telefone": PHONE}
    assert request["headers"]["Authorization"] == "Bearer token-da-clinica"


async def test_a_patient_the_crm_does_not_know_is_asked_the_name(crm: FakeCrm, redis_client: aioredis.Redis,
                                                                 redis_prefix: str,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_URL", crm.url)
    monkeypatch.setenv("CRM_TOKEN", "token-da-clinica")
    crm.statuses.append(404)
    clinic = await _clinic(redis_client, redis_prefix)
    replies = await clinic.say("oi")
    await clinic.aclose()
    assert [r.text for r in replies][1] == "Como posso te chamar?"
    assert len(crm.requests) == 1  # a 404 is an answer: not tried again


async def test_without_a_crm_the_greeting_asks_the_name(redis_client: aioredis.Redis, redis_prefix: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRM_URL", raising=False)
    clinic = await _clinic(redis_client, redis_prefix)
    replies = await clinic.say("oi")
    await clinic.aclose()
    assert [r.text for r in replies][1] == "Como posso te chamar?"


async def test_the_clinic_subscription_is_off_until_its_variables_are_set(redis_client: aioredis.Redis,
                                                                          redis_prefix: str,
                                                                          caplog: pytest.LogCaptureFixture) -> None:
    clinic = await _clinic(redis_client, redis_prefix)
    clock = ManualClock(START)
    assert open_events(clinic.library.current, clinic.processor, redis_client, prefix=redis_prefix, clock=clock,
                       env={}) is None
    assert "event subscription 'crm' is off: CRM_EVENTS_URL, CRM_EVENTS_SECRET not set" in caplog.text
    receiver = Receiver("segredo-da-clinica", lambda: clock.now().timestamp())
    await receiver.up()
    delivery = open_events(clinic.library.current, clinic.processor, redis_client, prefix=redis_prefix,
                           clock=clock, env={"CRM_EVENTS_URL": receiver.url,
                                             "CRM_EVENTS_SECRET": "segredo-da-clinica"})
    assert delivery is not None
    await clinic.say("oi")
    await clinic.say("Maria")
    await clinic.say("atendente")
    await clinic.say("sim")
    await clinic.resume_handoff()
    await delivery.drain()
    await delivery.aclose()
    await receiver.down()
    await clinic.aclose()
    assert [e["type"] for e in receiver.taken] == ["contact.created", "conversation.started", "handoff.requested",
                                                   "handoff.resolved", "conversation.ended"]


async def test_a_booking_in_the_chat_tells_the_crm_the_slot_never_the_patient(redis_client: aioredis.Redis,
                                                                              redis_prefix: str) -> None:
    clinic = await _clinic(redis_client, redis_prefix)
    clock = clinic.manual_clock
    receiver = Receiver("segredo-da-clinica", lambda: clock.now().timestamp())
    await receiver.up()
    delivery = open_events(clinic.library.current, clinic.processor, redis_client, prefix=redis_prefix,
                           clock=clock, env={"CRM_EVENTS_URL": receiver.url,
                                             "CRM_EVENTS_SECRET": "segredo-da-clinica"})
    assert delivery is not None
    for text in ("oi", "Maria", "quero marcar uma consulta sexta à tarde", "clínica geral", "1"):
        await clinic.say(text)
    assert any("marcada" in r.text for r in await clinic.say("confirmo"))
    await delivery.drain()
    await delivery.aclose()
    await receiver.down()
    state = await clinic.state()
    await clinic.aclose()
    [booked] = [e for e in receiver.taken if e["type"] == "appointment.booked"]
    appointment = next(v for v in state.vars.values() if isinstance(v, dict) and "start" in v)  # type: ignore[union-attr]
    assert booked["data"] == {"appointment": appointment["id"], "by": "patient", "service": appointment["service"],
                              "professional": appointment["professional"], "start": appointment["start"],
                              "end": appointment["end"], "status": "booked"}
    assert PHONE not in json.dumps(receiver.taken) and "Maria" not in json.dumps(receiver.taken)
