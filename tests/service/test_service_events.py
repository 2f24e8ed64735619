"""Outbound events under `papo serve`: the delivery loop runs beside the workers, staff see deliveries,
failures and dead letters on GET /admin/events (admin only) and replay a dead letter."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
import service_helpers as h

from runtime.engine.clock import ManualClock


def _receiver_module() -> object:
    """tests/integrations/receiver.py (the receiver of docs/events.md), loaded as the service tests load
    their helpers."""
    if (loaded := sys.modules.get("event_receiver")) is not None:
        return loaded
    spec = importlib.util.spec_from_file_location("event_receiver",
                                                  Path(__file__).parents[1] / "integrations" / "receiver.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["event_receiver"] = module
    spec.loader.exec_module(module)
    return module


Receiver = _receiver_module().Receiver  # type: ignore[attr-defined]

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SCHEMA = json.loads((Path(__file__).parents[2] / "flows" / "schema" / "events" / "event.schema.json")
                    .read_text(encoding="utf-8"))


def _bot(tmp_path: Path) -> Path:
    root = tmp_path / "echo"
    shutil.copytree(h.ECHO_BOT, root)
    data = json.loads((root / "bot.json").read_text(encoding="utf-8"))
    data["events"] = [{"id": "crm", "url": "${EVENTS_URL}", "secret": "${EVENTS_SECRET}"}]
    (root / "bot.json").write_text(json.dumps(data), encoding="utf-8")
    return root


async def test_staff_see_failures_and_replay_a_dead_letter(start: h.Start, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    clock = ManualClock(START)
    receiver = Receiver("segredo", lambda: clock.now().timestamp())
    await receiver.up()
    receiver.refuse["contact.created"] = 500
    monkeypatch.setenv("EVENTS_URL", receiver.url)
    monkeypatch.setenv("EVENTS_SECRET", "segredo")
    app = await start(clock=clock, bot=_bot(tmp_path))
    admin, agent = await h.staff(app, "admin"), await h.staff(app, "agent")
    assert (await app.post(h.wa_body(messages=[h.wa_message("wamid.E1", "oi")]))).status == 200

    async def listed() -> dict[str, object]:
        response = await app.client.get("/admin/events", headers=admin)
        assert response.status == 200
        found: dict[str, object] = await response.json()
        return found

    async def failing() -> bool:
        return bool((await listed())["failing"])

    await h.wait_until(failing)
    body = await listed()
    [fails] = body["failing"]  # type: ignore[misc]
    assert fails["type"] == "contact.created" and fails["error"] == "HTTP 500" and fails["subscription"] == "crm"
    assert body["subscriptions"] == [{"id": "crm", "host": f"127.0.0.1:{receiver.port}", "running": True,
                                      "types": sorted(body["subscriptions"][0]["types"])}]  # type: ignore[index]
    assert (await app.client.get("/admin/events", headers=agent)).status == 403
    assert receiver.taken == []  # the contact's later event waits behind the failing one

    clock.advance(timedelta(days=3, hours=1))  # past the retry period: a dead letter, the rest goes on
    app.service.events.nudge.set()  # type: ignore[union-attr]

    async def started() -> bool:
        return [e["type"] for e in receiver.taken] == ["conversation.started"]

    await h.wait_until(started)
    [dead] = (await listed())["dead"]  # type: ignore[misc]
    assert dead["event_type"] == "contact.created" and dead["outcome"] == "dead"
    del receiver.refuse["contact.created"]
    replayed = await app.client.post(f"/admin/events/dead/{dead['dead_id']}/replay", headers=admin)
    assert replayed.status == 200 and (await replayed.json())["replayed"] is True
    assert (await listed())["dead"] == [] and [e["type"] for e in receiver.taken][-1] == "contact.created"
    missing = await app.client.post("/admin/events/dead/0-1/replay", headers=admin)
    assert missing.status == 404 and "GET /admin/events" in (await missing.json())["error"]
    await receiver.down()


CLINIC = Path(__file__).parents[2] / "examples" / "clinic"
TOKEN = "admin-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MONDAY = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)  # 10:00 in São Paulo: the front desk is open


async def test_staff_actions_in_the_inbox_are_events_too(start: h.Start, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = ManualClock(MONDAY)
    receiver = Receiver("segredo-da-clinica", lambda: clock.now().timestamp())
    await receiver.up()
    for name, value in {"WHATSAPP_TOKEN": "wa-token", "WHATSAPP_APP_SECRET": h.fakes.APP_SECRET,
                        "WHATSAPP_VERIFY_TOKEN": "v", "WHATSAPP_PHONE_NUMBER_ID": h.fakes.PHONE_NUMBER_ID,
                        "CRM_EVENTS_URL": receiver.url, "CRM_EVENTS_SECRET": "segredo-da-clinica"}.items():
        monkeypatch.setenv(name, value)
    app = await start(bot=CLINIC, admin_token=TOKEN, clock=clock)

    async def call(method: str, path: str, body: object = None) -> dict[str, object]:
        answer = await app.client.request(method, path, json=body, headers=AUTH)
        assert answer.status == 200, await answer.text()
        found: dict[str, object] = await answer.json()
        return found

    for text in ("oi", "Hugo", "quero falar com atendente", "sim"):
        await app.client.post("/webhooks/rest/webhook", json={"sender": "p1", "message": text})
    base = "/admin/conversations/web/p1"
    await call("POST", f"{base}/takeover")
    await call("POST", f"{base}/labels", {"add": ["retorno"]})
    slots = (await call("GET", f"{base}/slots"))["slots"]
    booked = await call("POST", f"{base}/appointments", {"action": "book", "slot": slots[0]["ref"]})  # type: ignore[index]
    await call("POST", f"/admin/appointments/{booked['id']}/no-show")
    await call("POST", f"{base}/resume")
    expected = ["contact.created", "conversation.started", "handoff.requested", "handoff.taken", "label.added",
                "appointment.booked", "appointment.no_show", "handoff.resolved"]

    async def all_taken() -> bool:
        return [e["type"] for e in receiver.taken][:len(expected)] == expected

    await h.wait_until(all_taken)
    booked_event = receiver.taken[5]
    assert booked_event["data"] == {"appointment": booked["id"], "by": "staff", "service": booked["service"],
                                    "professional": booked["professional"], "start": booked["start"],
                                    "end": booked["end"], "status": "booked"}  # never the patient
    for event in receiver.taken:
        jsonschema.validate(event, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert receiver.bad_signatures == 0
    await receiver.down()
