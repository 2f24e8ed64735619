"""Being told to start a conversation: POST /api/v1/contacts/{channel}/{user}/start with an integration
token, through the whole path (inbox, worker, commit, sender) to the fake Graph API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import service_helpers as h

from runtime.access import Accounts
from runtime.engine.clock import ManualClock
from runtime.keys import ConversationKey

CLINIC = Path(__file__).parents[2] / "examples" / "clinic"
TOKEN = "admin-token-0123456789abcdef"
MONDAY_9H = datetime(2026, 3, 2, 12, tzinfo=UTC)  # 09:00 in São Paulo
SUNDAY = datetime(2026, 3, 1, 15, tzinfo=UTC)
PATH = f"/api/v1/contacts/whatsapp/{h.USER}/start"
RESULT = {"name": "resultado_pronto", "language": "pt_BR", "params": ["{{ nome }}"],
          "buttons": ["agendar_retorno", "agora_nao"]}  # UTILITY in the clinic's templates.json
RECALL = {"name": "retorno_consulta", "language": "pt_BR", "params": ["{{ nome }}"],
          "buttons": ["agendar_retorno", "agora_nao"]}  # MARKETING


@pytest.fixture(autouse=True)
def clinic_channels(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"WHATSAPP_TOKEN": "wa-token", "WHATSAPP_APP_SECRET": h.fakes.APP_SECRET,
                        "WHATSAPP_VERIFY_TOKEN": "v", "WHATSAPP_PHONE_NUMBER_ID": h.fakes.PHONE_NUMBER_ID}.items():
        monkeypatch.setenv(name, value)


async def _clinic(start: h.Start, clock: ManualClock) -> tuple[h.Running, dict[str, str]]:
    app = await start(bot=CLINIC, admin_token=TOKEN, clock=clock)
    book = Accounts(app.redis, prefix=app.prefix)
    await book.add("crm", "integration")
    token, _ = await book.issue("crm", label="crm")
    return app, {"Authorization": f"Bearer {token}"}


async def _says(app: h.Running, text: str, wamid: str, clock: ManualClock) -> None:
    body = h.wa_body(messages=[h.wa_message(wamid, text, ts=int(clock.now().timestamp()))])
    assert (await app.post(body)).status == 200


def _templates(app: h.Running) -> list[dict[str, Any]]:
    return [c.json["template"] for c in app.graph.calls if c.json.get("type") == "template"]


async def _sent(app: h.Running, count: int) -> None:
    async def enough() -> bool:
        return len(app.graph.calls) >= count
    await h.wait_until(enough)


async def test_outside_the_window_a_template_is_required_and_then_asks_the_first_question(start: h.Start) -> None:
    clock = ManualClock(MONDAY_9H)
    app, crm = await _clinic(start, clock)
    missing = await app.client.post(PATH, headers=crm, json={"flow": "retorno", "variables": {"nome": "Ana"}})
    assert missing.status == 422 and (await missing.json())["reason"] == "window_closed"
    assert "template" in (await missing.json())["error"]
    answer = await app.client.post(PATH, headers=crm, json={"flow": "retorno", "variables": {"nome": "Ana"},
                                                            "template": RECALL, "purpose": "marketing"})
    assert answer.status == 422 and (await answer.json())["reason"] == "no_consent"  # a recall is marketing
    answer = await app.client.post(PATH, headers=crm, json={"flow": "resultado_pronto", "variables": {"nome": "Ana"},
                                                            "template": RESULT})
    assert answer.status == 202 and (await answer.json())["status"] == "started"
    await _sent(app, 1)
    [sent] = _templates(app)
    assert sent["name"] == "resultado_pronto" and "Ana" in str(sent["components"])
    clock.advance(timedelta(minutes=5))
    await _says(app, "Agora não", "wamid.reply1", clock)
    await _sent(app, 2)
    assert "Quando quiser marcar" in app.texts()[-1]  # the reply answered the flow's first question


async def test_the_flows_default_template_is_used_when_the_call_names_none(start: h.Start) -> None:
    app, crm = await _clinic(start, ManualClock(MONDAY_9H))
    answer = await app.client.post(PATH, headers=crm, json={"flow": "resultado_pronto", "variables": {"nome": "Bia"}})
    assert answer.status == 202  # campaigns.json "start" names resultado_pronto's template
    await _sent(app, 1)
    assert _templates(app)[0]["name"] == "resultado_pronto"


async def test_inside_the_window_the_flow_runs_as_it_is(start: h.Start) -> None:
    clock = ManualClock(MONDAY_9H)
    app, crm = await _clinic(start, clock)
    await _says(app, "oi", "wamid.hello", clock)
    await _says(app, "tchau", "wamid.bye", clock)  # the greeting's question left: the conversation is idle

    async def said_bye() -> bool:
        return any("Até logo" in str(c.json) for c in app.graph.calls)
    await h.wait_until(said_bye)
    answer = await app.client.post(PATH, headers=crm, json={"flow": "retorno", "variables": {"nome": "Ana"}})
    assert answer.status == 202 and (await answer.json())["status"] == "started"

    async def asked() -> bool:
        return any("Faz 6 meses" in str(c.json) for c in app.graph.calls)
    await h.wait_until(asked)
    [question] = [c.json for c in app.graph.calls if "Faz 6 meses" in str(c.json)]
    assert question["type"] == "interactive" and _templates(app) == []  # free-form inside the window


async def test_marketing_needs_an_opt_in_and_an_opt_out_refuses(start: h.Start) -> None:
    clock = ManualClock(MONDAY_9H)
    app, crm = await _clinic(start, clock)
    body = {"flow": "retorno", "template": RECALL, "purpose": "marketing"}
    refused = await app.client.post(PATH, headers=crm, json=body)
    assert refused.status == 422 and (await refused.json())["reason"] == "no_consent"
    await _says(app, "novidades", "wamid.n1", clock)
    await _says(app, "Sim, quero", "wamid.n2", clock)
    key = ConversationKey("clinica-sorriso", "whatsapp", h.USER)

    async def consented() -> bool:
        state, _ = await app.service.processor.store.load(key)
        return state is not None and state.consent("marketing") is True
    await h.wait_until(consented)
    assert (await app.client.post(PATH, headers=crm, json=body)).status == 202
    await _says(app, "pare de me mandar mensagens", "wamid.n3", clock)

    async def opted_out() -> bool:
        state, _ = await app.service.processor.store.load(key)
        return state is not None and state.opted_out_at is not None
    await h.wait_until(opted_out)
    stopped = await app.client.post(PATH, headers=crm, json=body)
    assert stopped.status == 422 and (await stopped.json())["reason"] == "opted_out"


async def test_during_a_booking_it_refuses_or_queues_until_the_conversation_is_idle(start: h.Start) -> None:
    clock = ManualClock(MONDAY_9H)
    app, crm = await _clinic(start, clock)
    await _says(app, "quero agendar uma consulta", "wamid.b1", clock)
    key = ConversationKey("clinica-sorriso", "whatsapp", h.USER)

    async def booking() -> bool:
        state, _ = await app.service.processor.store.load(key)
        return state is not None and state.waiting == "input" and state.flow == "agendar"
    await h.wait_until(booking)
    body = {"flow": "retorno", "variables": {"nome": "Ana"}}
    refused = await app.client.post(PATH, headers=crm, json=body)
    assert refused.status == 409 and (await refused.json())["reason"] == "busy"
    queued = await app.client.post(PATH, headers=crm, json={**body, "if_busy": "queue"})
    assert queued.status == 202 and (await queued.json())["status"] == "queued"

    async def kept() -> bool:
        state, _ = await app.service.processor.store.load(key)
        return state is not None and len(state.private.starts) == 1
    await h.wait_until(kept)
    assert not any("Faz 6 meses" in str(c.json) for c in app.graph.calls)  # the booking is not broken into
    await _says(app, "sair", "wamid.b2", clock)  # the patient leaves the booking: the conversation is idle

    async def started() -> bool:
        return any("Faz 6 meses" in str(c.json) for c in app.graph.calls)
    await h.wait_until(started)
    state, _ = await app.service.processor.store.load(key)
    assert state is not None and state.flow == "retorno" and state.private.starts == []


async def test_outside_business_hours_it_refuses_or_waits_for_the_opening(start: h.Start) -> None:
    clock = ManualClock(SUNDAY)
    app, crm = await _clinic(start, clock)
    body = {"flow": "resultado_pronto", "variables": {"nome": "Ana"}, "template": RESULT}
    refused = await app.client.post(PATH, headers=crm, json=body)
    assert refused.status == 409 and (await refused.json())["reason"] == "closed"
    assert "2026-03-02T08:00:00-03:00" in (await refused.json())["error"]
    later = await app.client.post(PATH, headers=crm, json={**body, "if_closed": "queue"})
    answer = await later.json()
    assert later.status == 202 and answer["status"] == "scheduled" and answer["at"] == "2026-03-02T08:00:00-03:00"
    assert app.graph.calls == []
    clock.set(datetime(2026, 3, 2, 11, 1, tzinfo=UTC))
    await _sent(app, 1)
    assert _templates(app)[0]["name"] == "resultado_pronto"


@pytest.mark.parametrize(("body", "needle"), [
    ({"flow": "nao_existe"}, "is not a flow"),
    ({"flow": "retorno", "variables": ["x"]}, "variables must be"),
    ({"flow": "retorno", "if_busy": "wait"}, "if_busy"),
    ({"flow": "retorno", "purpose": "spam"}, "purpose"),
    ({"flow": "retorno", "template": {"params": []}}, "template must be"),
    ({}, "is not a flow"),
])
async def test_bad_requests_say_what_is_wrong(start: h.Start, body: dict[str, Any], needle: str) -> None:
    app, crm = await _clinic(start, ManualClock(MONDAY_9H))
    answer = await app.client.post(PATH, headers=crm, json=body)
    assert answer.status == 400 and needle in (await answer.json())["error"]


async def test_an_unknown_channel_and_other_roles(start: h.Start) -> None:
    app, crm = await _clinic(start, ManualClock(MONDAY_9H))
    unknown = await app.client.post("/api/v1/contacts/telegram/123/start", headers=crm, json={"flow": "retorno"})
    assert unknown.status == 404 and "not served" in (await unknown.json())["error"]
    assert (await app.client.get("/admin/timers", headers=crm)).status == 403  # the token reads nothing


async def test_the_same_idempotency_key_starts_once(start: h.Start) -> None:
    clock = ManualClock(MONDAY_9H)
    app, crm = await _clinic(start, clock)
    headers = {**crm, "Idempotency-Key": "lab-result-77"}
    body = {"flow": "resultado_pronto", "variables": {"nome": "Ana"}, "template": RESULT}
    first = await (await app.client.post(PATH, headers=headers, json=body)).json()
    await _sent(app, 1)
    second = await (await app.client.post(PATH, headers=headers, json=body)).json()
    assert first["status"] == "started" and second["status"] == "duplicate"
    await app.service.processor.drain(ConversationKey("clinica-sorriso", "whatsapp", h.USER))
    assert len(_templates(app)) == 1


@pytest.mark.parametrize(("template", "needle"), [
    ({"name": "nao_existe", "params": []}, "not in templates.json"),
    ({"name": "retorno_consulta", "language": "en_US", "params": ["{{ nome }}"]}, "no 'en_US' version"),
    ({"name": "retorno_consulta", "params": []}, "takes 1 parameter(s); 0 given"),
    ({"name": "lembrete_consulta", "params": ["a", "b", "c"], "purpose": "marketing"}, "needs a MARKETING template"),
])
async def test_a_template_the_catalog_does_not_have_as_asked_is_refused(start: h.Start, template: dict[str, Any],
                                                                        needle: str) -> None:
    app, crm = await _clinic(start, ManualClock(MONDAY_9H))
    purpose = template.pop("purpose", "utility")
    answer = await app.client.post(PATH, headers=crm, json={"flow": "retorno", "template": template,
                                                            "purpose": purpose})
    assert answer.status == 400 and needle in (await answer.json())["error"]
