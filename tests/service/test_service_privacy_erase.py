"""Erasure end to end (LGPD art. 18 VI): one patient goes through every feature of the clinic bot
over WhatsApp webhooks (booking, a reminder, the FAQ, the LLM, a handoff with a staff reply,
delivery statuses, an opt-out, a data request, a card number), then the dpo erases the contact and
the whole keyspace, names and values, holds no trace of them: not the number in either form, not
its hashed reference, not a value the patient gave."""

from __future__ import annotations

import importlib.util
import inspect
import json
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import redis.asyncio as aioredis
import service_helpers as h

from runtime.engine.clock import ManualClock
from runtime.keys import Keys
from runtime.privacy import ERASED, KEPT, Contact

CLINIC = Path(__file__).parents[2] / "examples" / "clinic"
LLM_TESTS = Path(__file__).parents[1] / "llm"
TOKEN = "admin-token-0123456789abcdef"
TS = 1772452800  # Monday 2026-03-02 09:00 in São Paulo
USER = h.USER  # 5511987654321; WhatsApp may also write it 551187654321
OLD_FORM = "551187654321"
NAME = "Mariana Quintella"


def _fake_openai() -> ModuleType:
    if "fake_openai" in sys.modules:
        return sys.modules["fake_openai"]
    spec = importlib.util.spec_from_file_location("fake_openai", LLM_TESTS / "fake_openai.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fake_openai"] = module
    spec.loader.exec_module(module)
    return module


fakes_llm = _fake_openai()


@pytest.fixture(autouse=True)
def clinic_channels(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"WHATSAPP_TOKEN": "wa-token", "WHATSAPP_APP_SECRET": h.fakes.APP_SECRET,
                        "WHATSAPP_VERIFY_TOKEN": "v", "WHATSAPP_PHONE_NUMBER_ID": h.fakes.PHONE_NUMBER_ID}.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
async def model(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Any]:
    fake = fakes_llm.FakeOpenAI()
    await fake.start()
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", str(fake.server.make_url("/v1")))
    yield fake
    await fake.aclose()


class Patient:
    """Talks to the served clinic through webhooks, and waits until papo has answered and sent."""

    def __init__(self, app: h.Running, clock: ManualClock) -> None:
        self.app, self.clock, self.n = app, clock, 0

    async def idle(self, before: int) -> None:
        keys = self.app.service.processor.store.keys
        key = self.app.key

        async def done() -> bool:
            waiting = await self.app.redis.xlen(keys.inbox(key)) + await self.app.redis.xlen(keys.outbox(key))
            return len(self.app.graph.calls) > before and waiting == 0

        await h.wait_until(done)

    async def says(self, text: str, *, wa_id: str = USER) -> list[str]:
        self.n += 1
        before = len(self.app.graph.calls)
        ts = int(self.clock.now().timestamp())
        body = h.wa_body(messages=[h.wa_message(f"wamid.in{self.n}", text, ts=ts, user=wa_id)])
        assert (await self.app.post(body)).status == 200
        await self.idle(before)
        return [c.json.get("text", {}).get("body", "") or json.dumps(c.json, ensure_ascii=False)
                for c in self.app.graph.calls[before:]]

    async def statuses(self) -> None:
        """Every message papo sent is delivered and read; the last one also fails, as Meta may report."""
        sent = [f"wamid.out{i}" for i in range(len(self.app.graph.calls))]
        ts = int(self.clock.now().timestamp())
        reports = [h.wa_status(w, s, ts=ts) for w in sent for s in ("delivered", "read")]
        assert (await self.app.post(h.wa_body(statuses=reports))).status == 200


async def keyspace(client: aioredis.Redis, prefix: str) -> dict[str, str]:
    """Every key under the test's prefix and everything in it, as text."""
    found: dict[str, str] = {}
    async for raw in client.scan_iter(match=f"{prefix}*", count=1000):
        key = raw.decode()
        kind = (await client.type(key)).decode()
        if kind == "string":
            value: Any = await client.get(key)
        elif kind == "hash":
            value = await client.hgetall(key)
        elif kind == "list":
            value = await client.lrange(key, 0, -1)
        elif kind == "set":
            value = await client.smembers(key)
        elif kind == "zset":
            value = await client.zrange(key, 0, -1, withscores=True)
        else:
            value = await client.xrange(key)
        found[key] = repr(value)
    return found


def hits(space: dict[str, str], needles: list[str]) -> list[str]:
    return [f"{needle!r} in {key}" for key, text in space.items() for needle in needles if needle in key + text]


def _instant(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def personal_values(variables: dict[str, Any]) -> list[str]:
    """The values the patient gave: strings of 5+ characters that are not the bot's own words, nor a
    slot's time, which the anonymised appointment keeps on purpose (service, professional, slot, status)."""
    content = " ".join(p.read_text(encoding="utf-8") for p in CLINIC.rglob("*.json"))
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and len(value) >= 5 and value not in content and not _instant(value):
            found.append(value)

    walk(variables)
    return found


def test_every_key_family_has_an_erase_rule() -> None:
    families = {name for name, _ in inspect.getmembers(Keys, inspect.isfunction) if not name.startswith("_")}
    assert not set(ERASED) & set(KEPT), "a family is either erased or holds no personal data"
    assert families - set(ERASED) - set(KEPT) == set(), "add the new key family to runtime.privacy.erase"
    assert set(ERASED) | set(KEPT) == families, "a rule names a key family that no longer exists"


async def test_erasure_leaves_no_trace_of_the_patient_anywhere(start: h.Start, model: Any, redis_client: aioredis.Redis,
                                                              redis_prefix: str) -> None:
    clock = ManualClock(datetime.fromtimestamp(TS, UTC))
    app = await start(bot=CLINIC, admin_token=TOKEN, clock=clock)
    dpo, agent = await h.staff(app, "dpo"), await h.staff(app, "agent")
    patient = Patient(app, clock)
    await patient.says("oi")
    await patient.says(NAME)
    await patient.says("quero marcar uma consulta sexta à tarde")
    await patient.says("clínica geral")
    await patient.says("1")
    booked = await patient.says("confirmo")
    assert any("consulta está marcada" in text for text in booked)
    await patient.says("qual o endereço de vocês?")  # a flow or the FAQ
    model.answer(fakes_llm.command("answer_faq", faq_id="formas_pagamento", text="Aceitamos Pix e cartão."))
    await patient.says("vocês parcelam no boleto para o meu marido?", wa_id=OLD_FORM)  # the LLM; the old form
    await patient.says("meu cartão é 4111 1111 1111 1111, pode anotar?")
    await patient.says("atendente")
    await patient.says("sim")
    path = f"/admin/conversations/whatsapp/{USER}"
    before = len(app.graph.calls)
    refusal = h.fakes.graph_error(131026, "Message undeliverable")  # listed in the bot's failures
    app.graph.answer(h.fakes.Reply(status=400, body=refusal))
    assert (await app.client.post(f"{path}/messages", headers=agent, json={"text": "Oi Mariana!"})).status == 200
    await patient.idle(before)
    before = len(app.graph.calls)
    assert (await app.client.post(f"{path}/messages", headers=agent, json={"text": "Oi de novo!"})).status == 200
    await patient.idle(before)
    assert (await app.client.post(f"{path}/resume", headers=agent)).status == 200
    await patient.statuses()
    before = len(app.graph.calls)
    clock.set(datetime(2026, 3, 5, 16, 31, tzinfo=UTC))  # Thursday, a day before Friday 13:30: the reminder
    await patient.idle(before)

    async def reminded() -> bool:  # the 24 h reminder's timer is acknowledged once its turn is done, after the send
        export = await (await app.client.get(f"/admin/contacts/whatsapp/{USER}/export", headers=dpo)).json()
        return len([t for t in export["scheduled"] if t["kind"] == "reminder"]) == 1

    await h.wait_until(reminded)
    await patient.statuses()
    await patient.says("apagar meus dados")
    await patient.says("PARAR")

    state, _ = await app.service.processor.store.load(app.key)
    assert state is not None and state.vars["nome"] == NAME
    contact = Contact(app.service.library.name, "whatsapp", USER)
    needles = [*contact.needles(), *personal_values(state.vars), NAME]
    assert OLD_FORM in needles and len(needles) >= 5, needles
    space = await keyspace(redis_client, redis_prefix)
    assert hits(space, needles), "the scan finds the patient before the erasure"
    bot, k = app.service.library.name, Keys(redis_prefix)
    shared = {k.handoffs(bot), k.inbox_feed(bot), k.failures(bot), k.alerts(bot), k.holds(bot), k.requests(bot),
              *(k.signals(bot, kind, p) for kind in ("work", "send") for p in range(8)),
              *(k.dead_signals(bot, kind) for kind in ("work", "send"))}
    assert shared & set(space) >= {k.handoffs(bot), k.inbox_feed(bot), k.failures(bot)}
    # the bot's shared streams and indexes name the conversation by its digest, never by the number
    assert hits({key: text for key, text in space.items() if key in shared}, [USER, OLD_FORM]) == []
    assert "4111 1111 1111 1111" not in "".join(space.values()) and "4111111111111111" not in "".join(space.values())
    export = await (await app.client.get(f"/admin/contacts/whatsapp/{USER}/export", headers=dpo)).json()
    [pending] = [t for t in export["scheduled"] if t["kind"] == "reminder"]  # the 2 h one; the 24 h one went
    assert pending["payload"]["reminder"] == "2h" and pending["due"].startswith("2026-03-06")  # Friday
    listed = await (await app.client.get("/admin/requests", headers=dpo)).json()
    assert [r["request"] for r in listed["requests"]] == ["erase"] and listed["requests"][0]["days_left"] == 15

    refused = await app.client.delete(f"/admin/contacts/whatsapp/{USER}", headers=dpo)
    assert refused.status == 400 and "identity" in (await refused.json())["error"]
    answer = await app.client.delete(f"/admin/contacts/whatsapp/{USER}", headers=dpo,
                                     json={"identity_confirmed": True})
    assert answer.status == 200
    erased = (await answer.json())["erased"]
    for data_class in ("state", "messages", "dedupe", "deliveries", "consents", "decisions", "llm", "timers",
                       "appointments", "stream_entries", "requests"):
        assert erased.get(data_class, 0) > 0, (data_class, erased)

    space = await keyspace(redis_client, redis_prefix)
    audit = Keys(redis_prefix).audit()
    # The audit log is kept (LGPD art. 37; art. 16 I): its entries name the contact only by the hashed
    # reference, never by a number or a value, and one of them records this erasure.
    assert hits({k: v for k, v in space.items() if k != audit}, needles) == []
    hashed = app.key.ref.rsplit("/", 1)[1]
    assert [n for n in hits({audit: space[audit]}, needles) if not n.startswith(f"'{hashed}'")] == []
    appts = [json.loads(v) for k, v in (await redis_client.hgetall(Keys(redis_prefix).calendar(
        app.service.library.name).appts)).items()]
    assert len(appts) == 1 and appts[0]["anonymised"] and appts[0]["service"] and appts[0]["status"] == "booked"
    again = await app.client.delete(f"/admin/contacts/whatsapp/{OLD_FORM}?identity_confirmed=1", headers=dpo)
    assert sum((await again.json())["erased"].values()) == 0  # idempotent, from either form
    export = await (await app.client.get(f"/admin/contacts/whatsapp/{USER}/export", headers=dpo)).json()
    assert export["found"] is False and export["conversations"] == []
    assert clock.now() - datetime.fromtimestamp(TS, UTC) < timedelta(days=7)
