"""ActionServerClient against an aiohttp server on 127.0.0.1 that speaks rasa-sdk's webhook protocol
(status codes and bodies as in rasa_sdk/endpoint.py)."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from nlu import ActionNotFound, ActionRejected, ActionServerUnavailable, DomainMissing
from nlu.action_server import ActionServerClient


class FakeActionServer:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.app = web.Application()
        self.app.router.add_post("/webhook", self._webhook)

    async def _webhook(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.bodies.append(body)
        action = body["next_action"]
        if action == "action_check_insurance":
            plan = body["tracker"]["slots"].get("convenio")
            events = [{"event": "slot", "name": "convenio_aceito", "value": plan == "Unimed"},
                      {"event": "slot", "name": "tentativas", "value": None},
                      {"event": "bot", "text": "ok"},
                      {"event": "followup", "name": "action_offer_slots"}]
            return web.json_response({"events": events, "responses": [{"text": f"Aceitamos {plan}!"}]})
        if action == "action_handoff":
            events = [{"event": "reset_slots"}, {"event": "slot", "name": "motivo", "value": "pediu humano"},
                      {"event": "pause"}, {"event": "reminder", "name": "lembrete", "date_time": "2026-03-12T09:00"},
                      {"event": "active_loop", "name": None}, {"event": "mystery"}]
            return web.json_response({"events": events, "responses": []})
        if action == "action_validate_cpf":
            return web.json_response({"error": "CPF inválido", "action_name": action}, status=400)
        if action == "action_needs_domain":
            if "domain" not in body:
                return web.json_response({"error": "domain missing", "action_name": action}, status=449)
            return web.json_response({"events": [{"event": "slot", "name": "ok", "value": True}], "responses": []})
        if action == "action_always_449":
            return web.json_response({"error": "domain missing", "action_name": action}, status=449)
        if action == "action_crash":
            return web.json_response({"error": "ZeroDivisionError", "request_body": body}, status=500)
        if action == "action_slow":
            await asyncio.sleep(0.5)
            return web.json_response({"events": [], "responses": []})
        return web.json_response({"error": f"No registered action found for name '{action}'.",
                                  "action_name": action}, status=404)


@pytest.fixture
async def action_server() -> AsyncIterator[tuple[FakeActionServer, ActionServerClient]]:
    fake = FakeActionServer()
    server = TestServer(fake.app, host="127.0.0.1", port=0)
    await server.start_server()
    client = ActionServerClient(str(server.make_url("")), domain={"slots": {"convenio": {}}}, timeout=0.2)
    yield fake, client
    await client.aclose()
    await server.close()


async def test_slots_followup_and_responses(action_server: tuple[FakeActionServer, ActionServerClient]) -> None:
    fake, client = action_server
    outcome = await client.run("action_check_insurance", sender_id="5511987654321",
                               slots={"convenio": "Unimed", "tentativas": 2}, message_id="wamid.9")
    assert outcome.variables == {"convenio_aceito": True, "tentativas": None}
    assert outcome.followup == "action_offer_slots"
    assert outcome.responses == [{"text": "Aceitamos Unimed!"}]
    sent = fake.bodies[0]
    assert sent["next_action"] == "action_check_insurance" and sent["domain"] == {"slots": {"convenio": {}}}
    assert sent["tracker"]["slots"] == {"convenio": "Unimed", "tentativas": 2}
    assert sent["tracker"]["latest_message"]["metadata"] == {"message_id": "wamid.9"}


async def test_control_events(action_server: tuple[FakeActionServer, ActionServerClient]) -> None:
    _, client = action_server
    outcome = await client.run("action_handoff", sender_id="u1")
    assert outcome.reset_all and outcome.variables == {"motivo": "pediu humano"}
    assert outcome.paused is True and outcome.active_loop == ""
    assert [r["name"] for r in outcome.reminders] == ["lembrete"]
    assert outcome.ignored == ["mystery"]


async def test_rejection_is_400(action_server: tuple[FakeActionServer, ActionServerClient]) -> None:
    _, client = action_server
    with pytest.raises(ActionRejected, match="CPF inválido") as caught:
        await client.run("action_validate_cpf", sender_id="u1")
    assert (caught.value.status, caught.value.action) == (400, "action_validate_cpf")


async def test_unknown_action_is_404(action_server: tuple[FakeActionServer, ActionServerClient]) -> None:
    fake, client = action_server
    with pytest.raises(ActionNotFound, match="has no action 'action_nope'"):
        await client.run("action_nope", sender_id="u1")
    assert len(fake.bodies) == 1  # never retried


async def test_449_resends_with_the_full_domain(action_server: tuple[FakeActionServer, ActionServerClient]) -> None:
    fake, client = action_server
    client.domain_digest = "abc123"
    outcome = await client.run("action_needs_domain", sender_id="u1")
    assert outcome.variables == {"ok": True}
    assert ["domain_digest" in b for b in fake.bodies] == [True, False]
    assert "domain" in fake.bodies[1]


async def test_449_after_the_full_domain_is_an_error(
    action_server: tuple[FakeActionServer, ActionServerClient],
) -> None:
    fake, client = action_server
    with pytest.raises(DomainMissing, match="needs the full domain") as caught:
        await client.run("action_always_449", sender_id="u1")
    assert caught.value.status == 449
    assert len(fake.bodies) == 1 and "domain" in fake.bodies[0]


async def test_server_error_is_500(action_server: tuple[FakeActionServer, ActionServerClient]) -> None:
    _, client = action_server
    with pytest.raises(ActionServerUnavailable, match="HTTP 500: ZeroDivisionError"):
        await client.run("action_crash", sender_id="u1")


async def test_timeout(action_server: tuple[FakeActionServer, ActionServerClient]) -> None:
    _, client = action_server
    with pytest.raises(ActionServerUnavailable, match="timed out after 0.2s"):
        await client.run("action_slow", sender_id="u1")


async def test_unreachable_server() -> None:
    server = TestServer(web.Application(), host="127.0.0.1", port=0)
    await server.start_server()
    url = str(server.make_url(""))
    await server.close()
    client = ActionServerClient(url, timeout=0.5)
    try:
        with pytest.raises(ActionServerUnavailable, match="unreachable"):
            await client.run("action_x", sender_id="u1")
    finally:
        await client.aclose()
