"""The admin API: staff list appointments and timers, look at a conversation (personal data
masked) and hand a conversation back to the bot."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import service_helpers as h

from runtime.engine.clock import ManualClock

CLINIC = Path(__file__).parents[2] / "examples" / "clinic"
TOKEN = "admin-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TS = 1772452800  # 2026-03-02 12:00 UTC, a Monday morning in São Paulo


@pytest.fixture(autouse=True)
def clinic_channels(monkeypatch: pytest.MonkeyPatch) -> None:
    """The variables examples/clinic/bot.json names for WhatsApp, pointing at the fake Graph API."""
    for name, value in {"WHATSAPP_TOKEN": "wa-token", "WHATSAPP_APP_SECRET": h.fakes.APP_SECRET,
                        "WHATSAPP_VERIFY_TOKEN": "v", "WHATSAPP_PHONE_NUMBER_ID": h.fakes.PHONE_NUMBER_ID}.items():
        monkeypatch.setenv(name, value)


async def _say(app: h.Running, n: int, text: str, replies: int) -> None:
    assert (await app.post(h.wa_body(messages=[h.wa_message(f"wamid.adm{n}", text, ts=TS + n)]))).status == 200

    async def answered() -> bool:
        return len(app.graph.calls) >= replies

    await h.wait_until(answered)


async def test_without_a_token_there_is_no_admin_api(start: h.Start) -> None:
    app = await start(bot=CLINIC)
    assert (await app.client.get("/admin/timers", headers=AUTH)).status == 404


async def test_a_wrong_token_is_refused(start: h.Start) -> None:
    app = await start(bot=CLINIC, admin_token=TOKEN)
    for headers in ({}, {"Authorization": "Bearer nope"}):
        answer = await app.client.get("/admin/timers", headers=headers)
        assert answer.status == 401 and "PAPO_ADMIN_TOKEN" in (await answer.json())["error"]


async def test_staff_see_the_conversation_masked_and_hand_it_back(start: h.Start) -> None:
    app = await start(bot=CLINIC, admin_token=TOKEN, clock=ManualClock(datetime.fromtimestamp(TS, UTC)))
    path = f"/admin/conversations/whatsapp/{h.USER}"
    await _say(app, 1, "oi", 2)
    await _say(app, 2, "Maria", 4)
    state = await (await app.client.get(path, headers=AUTH)).json()
    assert state["vars"]["nome"] == "***" and state["node"] == "escolha"  # nome is tagged pii
    assert (await app.client.post(f"{path}/resume", headers=AUTH)).status == 409  # not with staff
    await _say(app, 3, "atendente", 5)
    await _say(app, 4, "sim", 6)
    assert (await (await app.client.get(path, headers=AUTH)).json())["waiting"] == "handoff"
    answer = await app.client.post(f"{path}/resume", headers=AUTH)
    assert answer.status == 200 and (await answer.json()) == {"resumed": True, "replies": 1}

    async def back() -> bool:
        return any("Oi de novo" in text for text in app.texts())

    await h.wait_until(back)
    assert (await app.client.get("/admin/conversations/whatsapp/5500000000000", headers=AUTH)).status == 404


async def test_the_conversation_view_shows_no_node_state(start: h.Start) -> None:
    """While the patient picks a slot, the booking step (offered slots, hold) is in the stored
    state but not in what staff see."""
    app = await start(bot=CLINIC, admin_token=TOKEN, clock=ManualClock(datetime.fromtimestamp(TS, UTC)))
    await _say(app, 1, "oi", 2)
    await _say(app, 2, "Maria", 4)
    await _say(app, 3, "quero marcar uma consulta", 5)
    await _say(app, 4, "clínica geral", 6)
    stored, _ = await app.service.processor.store.load(app.key)
    assert stored is not None and stored.private.booking is not None and stored.private.booking["stage"] == "pick"
    answer = await app.client.get(f"/admin/conversations/whatsapp/{h.USER}", headers=AUTH)
    state = await answer.json()
    assert state["node"] == "marcar_clinica" and state["waiting"] == "input"
    assert "private" not in state and not any(name.startswith("_") for name in state["vars"])
    assert stored.private.booking["offered"][0] not in await answer.text()


async def test_appointments_and_timers_are_listed(start: h.Start) -> None:
    app = await start(bot=CLINIC, admin_token=TOKEN, clock=ManualClock(datetime.fromtimestamp(TS, UTC)))
    listed = await (await app.client.get("/admin/appointments?day=2026-03-02", headers=AUTH)).json()
    assert listed == {"day": "2026-03-02", "appointments": []}
    assert (await app.client.get("/admin/appointments?day=amanha", headers=AUTH)).status == 400
    assert (await (await app.client.get("/admin/timers", headers=AUTH)).json()) == {"timers": []}
    assert (await app.client.get("/admin/timers?limit=x", headers=AUTH)).status == 400


async def test_staff_list_handoffs_reply_through_the_channel_and_resume_at_a_flow(start: h.Start) -> None:
    app = await start(bot=CLINIC, admin_token=TOKEN, clock=ManualClock(datetime.fromtimestamp(TS, UTC)))
    path = f"/admin/conversations/whatsapp/{h.USER}"
    for n, (text, replies) in enumerate([("oi", 2), ("Maria", 4), ("atendente", 5), ("sim", 6)], 1):
        await _say(app, n, text, replies)
    listed = await (await app.client.get("/admin/handoffs", headers=AUTH)).json()
    assert [(e["channel"], e["user"], e["queue"]) for e in listed["handoffs"]] == [("whatsapp", h.USER, "recepcao")]
    answer = await app.client.post(f"{path}/messages", headers=AUTH, json={"text": "Olá Maria, aqui é a Ana!"})
    assert answer.status == 200

    async def staff_said() -> bool:
        return "Olá Maria, aqui é a Ana!" in app.texts()

    await h.wait_until(staff_said)
    refused = await app.client.post(f"{path}/resume", headers=AUTH, json={"flow": "nope"})
    assert refused.status == 400 and "menu" in (await refused.json())["error"]
    assert (await app.client.post(f"{path}/resume", headers=AUTH, json={"flow": "menu"})).status == 200

    async def menu_again() -> bool:
        last = app.graph.calls[-1].json
        return bool(last.get("interactive", {}).get("body", {}).get("text") == "Como posso ajudar, Maria?")

    await h.wait_until(menu_again)
    assert (await (await app.client.get("/admin/handoffs", headers=AUTH)).json()) == {"handoffs": []}
    late = await app.client.post(f"{path}/messages", headers=AUTH, json={"text": "oi?"})
    assert late.status == 409  # back with the bot: staff do not talk over it


async def test_each_professional_has_a_calendar_feed_to_subscribe_to(start: h.Start) -> None:
    app = await start(bot=CLINIC, admin_token=TOKEN, clock=ManualClock(datetime.fromtimestamp(TS, UTC)))
    scheduler = app.service.processor.services.scheduler
    assert scheduler is not None
    [slot] = await scheduler.find_slots("consulta", professional="dra_ana", limit=1)
    await scheduler.book(slot, patient=f"whatsapp:{h.USER}")
    feeds = (await (await app.client.get("/admin/calendar-feeds", headers=AUTH)).json())["feeds"]
    assert [f["professional"] for f in feeds] == ["dr_bruno", "dra_ana"]
    url = next(f["url"] for f in feeds if f["professional"] == "dra_ana")
    path = url[url.index("/calendar/"):]
    answer = await app.client.get(path)
    assert answer.status == 200 and answer.content_type == "text/calendar"
    feed = await answer.text()
    assert feed.startswith("BEGIN:VCALENDAR") and feed.count("BEGIN:VEVENT") == 1
    assert h.USER not in feed  # the patient's phone number stays out of staff calendars
    assert (await app.client.get(path.replace("key=", "key=x"))).status == 401
    assert (await app.client.get("/calendar/dra_ana.ics")).status == 401


async def test_refused_messages_are_visible_to_staff(start: h.Start) -> None:
    app = await start(admin_token=TOKEN)  # the echo bot
    app.graph.answer(h.fakes.Reply(401, h.fakes.graph_error(190, "Error validating access token")))
    assert (await app.post(h.wa_body(messages=[h.wa_message("wamid.F1", "oi")]))).status == 200

    async def refused() -> bool:
        return bool((await (await app.client.get("/admin/failures", headers=AUTH)).json())["failures"])

    await h.wait_until(refused)
    [failure] = (await (await app.client.get("/admin/failures", headers=AUTH)).json())["failures"]
    assert (failure["code"], failure["channel"], failure["message"]) == (190, "whatsapp", "wamid.F1:0")
    assert "wa-token" not in json.dumps(failure)  # never the secret
    state = await (await app.client.get(f"/admin/conversations/whatsapp/{h.USER}", headers=AUTH)).json()
    assert state["failures"]["wamid.F1:0"]["code"] == 190
