"""The other rights over the admin API (role dpo) and consent at the edge: export (and its summary),
correction, blocking, marketing only with an opt-in, and stops from WhatsApp itself (the
`user_preferences` webhook and error 131050)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import service_helpers as h

from runtime.engine.clock import ManualClock
from runtime.privacy import ConsentLedger

CLINIC = Path(__file__).parents[2] / "examples" / "clinic"
TOKEN = "admin-token-0123456789abcdef"
TS = 1772452800
CONTACT = f"/admin/contacts/whatsapp/{h.USER}"


@pytest.fixture(autouse=True)
def clinic_channels(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"WHATSAPP_TOKEN": "wa-token", "WHATSAPP_APP_SECRET": h.fakes.APP_SECRET,
                        "WHATSAPP_VERIFY_TOKEN": "v", "WHATSAPP_PHONE_NUMBER_ID": h.fakes.PHONE_NUMBER_ID}.items():
        monkeypatch.setenv(name, value)


async def _say(app: h.Running, n: int, text: str, *, user: str = h.USER) -> None:
    before = len(app.graph.calls)
    body = h.wa_body(messages=[h.wa_message(f"wamid.r{n}", text, ts=TS + n, user=user)])
    assert (await app.post(body)).status == 200

    async def answered() -> bool:
        keys = app.service.processor.store.keys
        left = await app.redis.xlen(keys.inbox(app.key)) + await app.redis.xlen(keys.outbox(app.key))
        return len(app.graph.calls) > before and left == 0

    await h.wait_until(answered)


async def _opened(start: h.Start) -> h.Running:
    app = await start(bot=CLINIC, admin_token=TOKEN, clock=ManualClock(datetime.fromtimestamp(TS, UTC)))
    await _say(app, 1, "oi")
    await _say(app, 2, "Maria Eduarda")
    return app


async def _drained(app: h.Running) -> None:
    async def empty() -> bool:
        return await app.redis.xlen(app.service.processor.store.keys.outbox(app.key)) == 0

    await h.wait_until(empty)


async def test_the_export_holds_everything_unmasked_and_the_summary_counts_it(start: h.Start) -> None:
    app = await _opened(start)
    dpo = await h.staff(app, "dpo")
    await _say(app, 3, "quero receber novidades")
    await _say(app, 4, "sim")
    answer = await app.client.get(f"{CONTACT}/export", headers=dpo)
    assert answer.status == 200 and "attachment" in answer.headers["Content-Disposition"]
    export = await answer.json()
    assert export["format"] == "papo.contact-export" and export["version"] == 1 and export["found"]
    [conversation] = export["conversations"]
    assert conversation["variables"]["nome"] == "Maria Eduarda"  # unmasked: the person's own data
    assert conversation["variable_tags"] == {"nome": ["pii"]}
    [entry] = conversation["consents"]["ledger"]
    assert entry["purpose"] == "marketing" and entry["granted"] is True and entry["text_id"] == "novidades_v1"
    assert len(entry["text_hash"]) == 64 and entry["message_id"] == "wamid.r4" and entry["channel"] == "whatsapp"
    assert conversation["deliveries"] and conversation["decisions"] is not None
    assert any("Meta" in r["name"] for r in export["recipients"]) and any("LLM" in r["name"]
                                                                         for r in export["recipients"])
    assert "Clínica Sorriso Ltda." in export["controller"]["controller"]
    summary = await (await app.client.get(f"{CONTACT}/export?summary=1", headers=dpo)).json()
    assert summary["summary"] and summary["held"]["variables"] >= 1 and summary["consents"]["marketing"]["granted"]
    assert "Maria Eduarda" not in str(summary)  # the simplified answer names kinds of data, not the data


async def test_staff_correct_a_variable_and_block_then_unblock(start: h.Start) -> None:
    app = await _opened(start)
    dpo, agent = await h.staff(app, "dpo"), await h.staff(app, "agent")
    refused = await app.client.patch(f"{CONTACT}/variables", headers=dpo, json={"vars": {"senha": "x"}})
    assert refused.status == 400 and "senha" in (await refused.json())["error"]
    fixed = await app.client.patch(f"{CONTACT}/variables", headers=dpo, json={"vars": {"nome": "Maria Eduarda Silva"}})
    assert fixed.status == 200 and await fixed.json() == {"corrected": ["nome"]}
    state, _ = await app.service.processor.store.load(app.key)
    assert state is not None and state.vars["nome"] == "Maria Eduarda Silva"
    assert (await app.client.post(f"{CONTACT}/block", headers=dpo)).status == 200
    before = len(app.graph.calls)
    assert (await app.post(h.wa_body(messages=[h.wa_message("wamid.r9", "menu", ts=TS + 9)]))).status == 200

    async def consumed() -> bool:
        return await app.redis.xlen(app.service.processor.store.keys.inbox(app.key)) == 0

    await h.wait_until(consumed)
    state, _ = await app.service.processor.store.load(app.key)
    assert state is not None and state.blocked_at is not None and state.vars["nome"] == "Maria Eduarda Silva"
    queued = await app.client.post(f"{CONTACT}/messages", headers=agent, json={"purpose": "service", "text": "Oi"})
    assert queued.status == 200
    await _drained(app)
    assert len(app.graph.calls) == before  # blocked: no reply, no staff message
    failed = await app.service.deliveries.failures(app.key)
    assert any(f["error"] == "NoConsent" for f in failed.values())
    assert (await app.client.post(f"{CONTACT}/unblock", headers=dpo)).status == 200
    await _say(app, 10, "menu")
    assert "Como posso ajudar" in str(app.graph.calls[-1].json)


async def test_marketing_without_an_opt_in_never_reaches_the_graph_api(start: h.Start) -> None:
    app = await _opened(start)
    agent = await h.staff(app, "agent")
    before = len(app.graph.calls)
    campaign = {"purpose": "marketing", "text": "Promoção de clareamento!"}
    assert (await app.client.post(f"{CONTACT}/messages", headers=agent, json=campaign)).status == 200
    await _drained(app)
    assert len(app.graph.calls) == before
    failed = await app.service.deliveries.failures(app.key)
    assert [f["error"] for f in failed.values()] == ["NoConsent"]
    await _say(app, 3, "novidades")
    await _say(app, 4, "sim")
    before = len(app.graph.calls)
    assert (await app.client.post(f"{CONTACT}/messages", headers=agent, json=campaign)).status == 200
    await _drained(app)
    assert "Promoção de clareamento!" in str(app.graph.calls[before:])
    await _say(app, 5, "PARAR")  # the opt-out stops marketing in the same turn
    before = len(app.graph.calls)
    assert (await app.client.post(f"{CONTACT}/messages", headers=agent, json=campaign)).status == 200
    await _drained(app)
    assert len(app.graph.calls) == before
    bad = await app.client.post(f"{CONTACT}/messages", headers=agent, json={"purpose": "spam", "text": "x"})
    assert bad.status == 400


def _preferences(value: str, wa_id: str = "551187654321") -> bytes:
    """WhatsApp's user_preferences webhook (the old 8-digit form of the patient's number)."""
    import json
    change = {"field": "user_preferences", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "5511940000000", "phone_number_id": h.fakes.PHONE_NUMBER_ID},
        "contacts": [{"wa_id": wa_id, "profile": {"name": "Maria"}}],
        "user_preferences": [{"wa_id": wa_id, "detail": "User requested to stop marketing messages",
                              "category": "marketing_messages", "value": value, "timestamp": TS + 50}]}}
    body = {"object": "whatsapp_business_account", "entry": [{"id": "1022", "changes": [change]}]}
    return json.dumps(body).encode()


async def test_the_user_preferences_webhook_stops_and_resumes_marketing(start: h.Start) -> None:
    app = await _opened(start)
    await _say(app, 3, "novidades")
    await _say(app, 4, "sim")
    assert (await app.post(_preferences("stop"))).status == 200

    async def marketing(granted: bool) -> bool:
        state, _ = await app.service.processor.store.load(app.key)
        return state is not None and state.consent("marketing") is granted

    await h.wait_until(lambda: marketing(False))  # the worker runs it as a turn of the conversation

    async def recorded() -> bool:  # the ledger's entry follows the turn's commit
        entries = await ConsentLedger(app.redis, prefix=app.prefix).entries(app.key)
        return [(e["granted"], e["source"]) for e in entries][-1] == (False, "user_preferences")

    await h.wait_until(recorded)
    assert (await app.post(_preferences("resume"))).status == 200
    await h.wait_until(lambda: marketing(True))


async def test_error_131050_revokes_marketing_and_it_is_never_tried_again(start: h.Start) -> None:
    app = await _opened(start)
    agent = await h.staff(app, "agent")
    await _say(app, 3, "novidades")
    await _say(app, 4, "sim")
    stopped: Any = h.fakes.graph_error(131050, "User has stopped marketing messages")
    app.graph.answer(h.fakes.Reply(status=400, body=stopped))
    campaign = {"purpose": "marketing", "text": "Promoção!"}
    assert (await app.client.post(f"{CONTACT}/messages", headers=agent, json=campaign)).status == 200
    await _drained(app)

    async def revoked() -> bool:
        state, _ = await app.service.processor.store.load(app.key)
        return state is not None and state.consent("marketing") is False

    await h.wait_until(revoked)
    before = len(app.graph.calls)
    assert (await app.client.post(f"{CONTACT}/messages", headers=agent, json=campaign)).status == 200
    await _drained(app)
    assert len(app.graph.calls) == before
    entries = await ConsentLedger(app.redis, prefix=app.prefix).entries(app.key)
    assert entries[-1]["source"] == "channel_stopped_marketing"


async def test_a_card_number_never_reaches_redis(start: h.Start) -> None:
    app = await _opened(start)
    await _say(app, 3, "meu cartão é 5555 5555 5555 4444 validade 12/29")
    await _say(app, 4, "o outro é 4012888888881881")
    found = []
    async for key in app.redis.scan_iter(match=f"{app.prefix}*"):
        kind = (await app.redis.type(key)).decode()
        value = {"string": app.redis.get, "hash": app.redis.hgetall, "stream": app.redis.xrange}.get(kind)
        found.append(repr(key) + repr(await value(key) if value else ""))
    everything = "".join(found)
    for card in ("5555 5555 5555 4444", "5555555555554444", "4012888888881881"):
        assert card not in everything


async def test_requests_opened_in_the_chat_are_listed_with_their_clock_and_closed_by_staff(start: h.Start) -> None:
    app = await _opened(start)
    dpo = await h.staff(app, "dpo")
    await _say(app, 3, "LGPD")
    [request] = (await (await app.client.get("/admin/requests", headers=dpo)).json())["requests"]
    assert request["request"] == "access" and request["status"] == "open" and request["days_left"] == 15
    assert request["due_at"].startswith("2026-03-17")
    closed = await app.client.post(f"/admin/requests/{request['id']}/close", headers=dpo, json={})
    assert closed.status == 200 and (await closed.json())["status"] == "answered"
    assert (await app.client.post("/admin/requests/nope/close", headers=dpo)).status == 404


async def test_the_timers_process_sweeps_what_is_past_its_retention(start: h.Start) -> None:
    clock = ManualClock(datetime.fromtimestamp(TS, UTC))
    app = await start(bot=CLINIC, admin_token=TOKEN, clock=clock, retention_every_s=1)
    dpo = await h.staff(app, "dpo")
    await _say(app, 1, "oi")
    report = await (await app.client.get("/admin/retention", headers=dpo)).json()
    assert {r["class"]: r["held"] for r in report["retention"] if "held" in r}["idle_state"] == 1
    clock.advance(timedelta(days=91))

    async def forgotten() -> bool:
        state, _ = await app.service.processor.store.load(app.key)
        return state is None

    await h.wait_until(forgotten)
