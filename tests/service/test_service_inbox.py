"""The staff inbox's admin routes, on the clinic over the web channel, real Redis, a manual clock."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import service_helpers as h

from runtime.conversations.keys import ConversationKey
from runtime.engine.clock import ManualClock
from runtime.engine.state import Conversation

CLINIC = Path(__file__).parents[2] / "examples" / "clinic"
TOKEN = "admin-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MONDAY = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)  # 10:00 in São Paulo: the front desk is open


@pytest.fixture(autouse=True)
def clinic_channels(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"WHATSAPP_TOKEN": "wa-token", "WHATSAPP_APP_SECRET": h.fakes.APP_SECRET,
                        "WHATSAPP_VERIFY_TOKEN": "v", "WHATSAPP_PHONE_NUMBER_ID": h.fakes.PHONE_NUMBER_ID}.items():
        monkeypatch.setenv(name, value)


class Desk:
    """The clinic served with the admin token; patients on the web channel."""

    def __init__(self, app: h.Running, clock: ManualClock) -> None:
        self.app, self.clock = app, clock

    async def say(self, user: str, text: str) -> list[dict[str, Any]]:
        answer = await self.app.client.post("/webhooks/rest/webhook", json={"sender": user, "message": text})
        assert answer.status == 200
        return list(await answer.json())

    async def to_staff(self, user: str, name: str, *, asking: str = "quero falar com atendente") -> None:
        await self.say(user, "oi")
        await self.say(user, name)
        await self.say(user, asking)
        assert "recepção" in str(await self.say(user, "sim"))

    async def get(self, path: str, *, status: int = 200, headers: dict[str, str] = AUTH) -> Any:
        answer = await self.app.client.get(path, headers=headers)
        assert answer.status == status, await answer.text()
        return await answer.json()

    async def post(self, path: str, body: Any = None, *, status: int = 200, headers: dict[str, str] = AUTH) -> Any:
        answer = await self.app.client.post(path, json=body if body is not None else {}, headers=headers)
        assert answer.status == status, await answer.text()
        return await answer.json()


@pytest.fixture
async def desk(start: h.Start) -> Desk:
    clock = ManualClock(MONDAY)
    app = await start(bot=CLINIC, admin_token=TOKEN, clock=clock)
    return Desk(app, clock)


CONV = "/admin/conversations/web/{user}"


async def test_the_queue_shows_name_last_message_and_local_times(desk: Desk) -> None:
    await desk.to_staff("p1", "Lia")
    desk.clock.advance(timedelta(minutes=5))
    await desk.say("p1", "meu filho está com febre desde ontem")
    queue = await desk.get("/admin/inbox")
    [item] = queue["conversations"]
    assert (item["name"], item["channel"], item["user"]) == ("Lia", "web", "p1")
    assert item["last"]["text"] == "meu filho está com febre desde ontem" and item["last"]["by"] == "patient"
    assert item["since_local"].startswith("2026-03-02T10:00") and item["since_local"].endswith("-03:00")
    assert item["waiting_s"] == 300 and item["unread"] == 1 and item["closed"] is False
    assert queue["timezone"] == "America/Sao_Paulo"
    [listed] = (await desk.get("/admin/handoffs"))["handoffs"]
    assert listed["name"] == "Lia" and listed["last"]["at_local"].startswith("2026-03-02T10:05")


async def test_the_transcript_has_every_message_in_order_with_where_and_status(desk: Desk) -> None:
    await desk.to_staff("p2", "Rui")
    await desk.say("p2", "meu filho vomitou a noite toda, é urgente")
    page = await desk.get(CONV.format(user="p2") + "/messages")
    texts = [(m["dir"], m["by"], m["text"]) for m in page["messages"]]
    assert texts[0] == ("in", "patient", "oi")
    assert ("in", "patient", "meu filho vomitou a noite toda, é urgente") in texts
    bot = [m for m in page["messages"] if m["by"] == "bot"]
    assert all(m["status"] == "sent" for m in bot) and all(m.get("where") for m in bot[:4])
    assert any(m["where"] == "atendente/transferir" for m in bot)
    older = await desk.get(CONV.format(user="p2") + "/messages?limit=2")
    assert [m["text"] for m in older["messages"]] == [t for _, _, t in texts[-2:]]
    back = await desk.get(CONV.format(user="p2") + f"/messages?limit=2&before={older['before']}")
    assert [m["text"] for m in back["messages"]] == [t for _, _, t in texts[-4:-2]]
    assert (await desk.app.client.get(CONV.format(user="p2") + "/messages?limit=x", headers=AUTH)).status == 400


async def test_an_urgent_message_jumps_the_queue(desk: Desk) -> None:
    await desk.to_staff("first", "Ana")
    desk.clock.advance(timedelta(minutes=1))
    await desk.to_staff("second", "Bia")
    await desk.say("second", "meu filho vomitou a noite toda, é urgente")
    order = [(c["user"], c["urgent"]) for c in (await desk.get("/admin/inbox"))["conversations"]]
    assert order == [("second", True), ("first", False)]


async def test_staff_reply_with_a_quick_reply_reaches_the_web_page_by_polling(desk: Desk) -> None:
    await desk.to_staff("p3", "Caio")
    canned = await desk.get("/admin/quick-replies?channel=web&user=p3")
    assert canned["window_open"] is True
    assert next(r for r in canned["replies"] if r["id"] == "saudacao")["text"].startswith("Olá, Caio!")
    await desk.post(CONV.format(user="p3") + "/messages", {"quick_reply": "saudacao"})
    pending = await (await desk.app.client.get("/webhooks/web/pending?sender=p3")).json()
    assert [p["text"] for p in pending] == ["Olá, Caio! Aqui é da recepção da clínica. Como posso ajudar?"]
    assert await (await desk.app.client.get("/webhooks/web/pending?sender=p3")).json() == []
    lines = (await desk.get(CONV.format(user="p3") + "/messages"))["messages"]
    assert lines[-1]["by"] == "staff" and lines[-1]["staff"] == "bootstrap"
    await desk.post(CONV.format(user="p3") + "/messages", {"quick_reply": "nope"}, status=400)
    await desk.post(CONV.format(user="p3") + "/messages", {"text": "  "}, status=400)
    assert (await desk.app.client.get("/webhooks/web/pending")).status == 400
    assert (await desk.app.client.get("/webhooks/whatsapp/pending?sender=x")).status == 404


async def test_notes_labels_assignment_and_read(desk: Desk) -> None:
    await desk.to_staff("p4", "Duda")
    base = CONV.format(user="p4")
    await desk.post(base + "/notes", {"text": "prefere manhã"}, status=201)
    await desk.post(base + "/notes", {"text": ""}, status=400)
    assert (await desk.post(base + "/labels", {"add": ["retorno", "convênio"]}))["labels"] == ["convênio", "retorno"]
    assert (await desk.post(base + "/labels", {"remove": ["convênio"]}))["labels"] == ["retorno"]
    await desk.post(base + "/labels", {"add": [""]}, status=400)
    await desk.post(base + "/assign", {"to": "ghost"}, status=400)
    assert (await desk.post(base + "/assign", {"to": "me"}))["assignee"] == "bootstrap"
    await desk.say("p4", "alô?")
    [item] = (await desk.get("/admin/inbox?mine=1"))["conversations"]
    assert item["labels"] == ["retorno"] and item["assignee"] == "bootstrap" and item["unread"] == 1
    assert (await desk.get("/admin/inbox?unassigned=1"))["conversations"] == []
    assert len((await desk.get("/admin/inbox?label=retorno"))["conversations"]) == 1
    assert (await desk.get("/admin/inbox?label=outra"))["conversations"] == []
    assert len((await desk.get("/admin/inbox?q=dud"))["conversations"]) == 1
    assert (await desk.get("/admin/inbox?channel=whatsapp"))["conversations"] == []
    await desk.post(base + "/read")
    assert (await desk.get("/admin/inbox"))["conversations"][0]["unread"] == 0
    lines = (await desk.get(base + "/messages"))["messages"]
    assert any(m["dir"] == "note" and m["text"] == "prefere manhã" for m in lines)
    profile = await desk.get(base + "/profile")
    assert profile["name"] == "Duda" and profile["labels"] == ["retorno"] and profile["variables"]["nome"] == "Duda"


async def test_staff_take_over_a_conversation_the_bot_handles_and_hand_it_back(desk: Desk) -> None:
    await desk.say("p5", "oi")
    base = CONV.format(user="p5")
    await desk.post(base + "/messages", {"text": "olá"}, status=409)
    assert (await desk.post(base + "/takeover"))["taken_over"] is True
    assert [c["user"] for c in (await desk.get("/admin/inbox"))["conversations"]] == ["p5"]
    assert await desk.say("p5", "Eva") == []  # the bot is paused
    await desk.post(base + "/messages", {"text": "Oi Eva, aqui é a recepção"})
    resumed = await desk.post(base + "/resume")
    assert resumed["resumed"] is True
    replies = await desk.say("p5", "Eva")  # where it was: the bot's question about the name
    assert "Eva" in json.dumps(replies, ensure_ascii=False)
    assert (await desk.get("/admin/inbox"))["conversations"] == []


async def test_hand_back_at_a_chosen_flow(desk: Desk) -> None:
    await desk.to_staff("p6", "Gil")
    await desk.post(CONV.format(user="p6") + "/resume", {"flow": "horarios"})
    pending = await (await desk.app.client.get("/webhooks/web/pending?sender=p6")).json()
    assert "segunda a sexta" in json.dumps(pending, ensure_ascii=False)


async def test_staff_send_a_file_by_its_address_with_a_caption(desk: Desk) -> None:
    key = ConversationKey(desk.app.service.library.name, "whatsapp", h.USER)
    store = desk.app.service.processor.store
    state = Conversation(waiting="handoff", last_inbound_at=MONDAY.isoformat(), vars={"nome": "Iva"})
    await store.commit(key, state, [], expected_version=0)
    base = f"/admin/conversations/whatsapp/{h.USER}"
    url = "https://clinica.example/preparo-exame.pdf"
    queued = await desk.post(base + "/messages", {"media": {"kind": "document", "url": url},
                                                  "text": "Segue o preparo do exame"})

    async def sent() -> bool:
        return bool(desk.app.graph.calls)

    await h.wait_until(sent)
    call = desk.app.graph.calls[0].json
    assert call["type"] == "document" and call["document"] == {
        "link": url, "caption": "Segue o preparo do exame", "filename": "preparo-exame.pdf"}
    lines = (await desk.get(base + "/messages"))["messages"]
    assert lines[-1]["by"] == "staff" and lines[-1]["id"] == queued["queued"]
    refused = await desk.post(base + "/messages", {"media": {"kind": "image", "url": "http://x/a.png"}}, status=400)
    assert "https" in refused["error"]
    await desk.post(base + "/messages", {"media": {"kind": "hologram", "url": url}}, status=400)


async def test_outside_the_window_only_a_template_goes(desk: Desk) -> None:
    key = ConversationKey(desk.app.service.library.name, "whatsapp", h.USER)
    store = desk.app.service.processor.store
    state = Conversation(waiting="handoff", last_inbound_at=(MONDAY - timedelta(days=2)).isoformat(),
                         vars={"nome": "Iva"})
    await store.commit(key, state, [], expected_version=0)
    base = f"/admin/conversations/whatsapp/{h.USER}"
    refused = await desk.post(base + "/messages", {"text": "oi"}, status=409)
    assert "template" in refused["error"]
    assert (await desk.get(f"/admin/quick-replies?channel=whatsapp&user={h.USER}"))["window_open"] is False
    await desk.post(base + "/messages", {"template": "retomar"})

    async def sent() -> bool:
        return bool(desk.app.graph.calls)

    await h.wait_until(sent)
    [call] = desk.app.graph.calls
    assert call.json["type"] == "template" and call.json["template"]["name"] == "retomar_contato"
    assert call.json["template"]["components"][0]["parameters"] == [{"type": "text", "text": "Iva"}]


async def test_staff_book_and_cancel_for_the_patient(desk: Desk) -> None:
    await desk.to_staff("p7", "Hugo")
    base = CONV.format(user="p7")
    offer = await desk.get(base + "/slots")
    slot = offer["slots"][0]
    booked = await desk.post(base + "/appointments", {"action": "book", "slot": slot["ref"]})
    await desk.post(base + "/appointments", {"action": "book", "slot": slot["ref"]}, status=409)  # taken
    [appt] = (await desk.get(base + "/profile"))["appointments"]
    assert appt["id"] == booked["id"] and appt["upcoming"] is True
    later = offer["slots"][1]["ref"]
    await desk.post(base + "/appointments", {"action": "reschedule", "appointment": booked["id"], "slot": later})
    await desk.post(base + "/appointments", {"action": "cancel", "appointment": booked["id"]})
    [appt] = (await desk.get(base + "/profile"))["appointments"]
    assert appt["status"] == "cancelled"
    await desk.post(base + "/appointments", {"action": "fly"}, status=400)


async def test_live_events_tell_a_view_what_changed(desk: Desk) -> None:
    async with desk.app.client.get("/admin/inbox/events", headers=AUTH) as stream:
        assert stream.status == 200 and stream.headers["Content-Type"] == "text/event-stream"
        assert await stream.content.readline() == b"event: ready\n"
        await stream.content.readline()
        await stream.content.readline()
        await desk.to_staff("p8", "Ivo")
        async with asyncio.timeout(30):  # a guard against a hang, not a speed assertion
            while (line := await stream.content.readline()) and not line.startswith(b"data: {"):
                pass
        assert json.loads(line[6:]) == {"channel": "web", "user": "p8", "kind": "message"}


async def test_an_open_event_stream_ends_when_the_server_shuts_down(desk: Desk) -> None:
    # Left open, a staff member's inbox tab would hold every SIGTERM for the whole grace period.
    async with desk.app.client.get("/admin/inbox/events", headers=AUTH) as stream:
        assert await stream.content.readline() == b"event: ready\n"
        await desk.app.client.server.app.shutdown()  # what SIGTERM starts: the shutdown signal
        async with asyncio.timeout(30):  # a guard against a hang, not a speed assertion
            rest = await stream.content.read()
        assert b"event: changed" not in rest and stream.content.at_eof()


async def test_marking_read_tells_the_views_only_when_something_was_unread(desk: Desk) -> None:
    # A view that shows a conversation marks it read whenever it changes: were every mark a change,
    # two open views would mark and reload each other for ever.
    await desk.to_staff("p10", "Jair")
    base = CONV.format(user="p10")
    feed = desk.app.service.processor.store.keys.inbox_feed(desk.app.service.library.name)

    async def kinds() -> list[str]:
        return [fields[b"k"].decode() for _, fields in await desk.app.redis.xrange(feed)]

    await desk.say("p10", "alô?")
    before = await kinds()
    assert before[-1] == "message"
    await desk.post(base + "/read")
    assert await kinds() == [*before, "read"]
    await desk.post(base + "/read")
    await desk.post(base + "/read")
    assert await kinds() == [*before, "read"]  # nothing was unread any more
    assert (await desk.get("/admin/inbox"))["conversations"][0]["unread"] == 0


async def test_an_agent_needs_the_agent_role(desk: Desk) -> None:
    await desk.post("/admin/users", {"name": "root", "role": "admin", "password": "a-long-password-0"}, status=201)
    root = await desk.post("/admin/login", {"name": "root", "password": "a-long-password-0"}, headers={})
    admin = {"Authorization": f"Bearer {root['token']}"}
    await desk.post("/admin/users", {"name": "vera", "role": "viewer", "password": "a-long-password-1"}, status=201,
                    headers=admin)
    login = await desk.post("/admin/login", {"name": "vera", "password": "a-long-password-1"}, headers={})
    viewer = {"Authorization": f"Bearer {login['token']}"}
    assert (await desk.app.client.get("/admin/inbox", headers=viewer)).status == 403
    assert (await desk.app.client.get("/admin/inbox", headers={"Authorization": "Bearer nope"})).status == 401


async def test_an_agent_sees_the_values_of_the_conversations_it_handles_only(desk: Desk) -> None:
    from runtime.access.accounts import Accounts

    accounts = Accounts(desk.app.redis, prefix=desk.app.prefix)
    ana, bia = {}, {}
    for name, headers in (("ana", ana), ("bia", bia)):
        await accounts.add(name, "agent")
        headers["Authorization"] = f"Bearer {(await accounts.issue(name))[0]}"
    await desk.to_staff("p9", "Iara")
    base = CONV.format(user="p9")
    for headers in (ana, bia):  # nobody's yet: every agent may pick it up
        assert (await desk.get(base + "/profile", headers=headers))["variables"]["nome"] == "Iara"
    await desk.post(base + "/assign", {"to": "me"}, headers=ana)
    mine = await desk.get(base + "/profile", headers=ana)
    theirs = await desk.get(base + "/profile", headers=bia)
    assert mine["unmasked"] and mine["variables"]["nome"] == "Iara"
    assert not theirs["unmasked"] and theirs["variables"]["nome"] != "Iara" and theirs["with_staff"]
    await desk.get(f"{base}?unmasked=1", headers=bia, status=403)
    assert (await desk.get(f"{base}?unmasked=1", headers=ana))["vars"]["nome"] == "Iara"
    assert (await desk.get(base + "/profile"))["variables"]["nome"] == "Iara"  # an admin oversees them all
