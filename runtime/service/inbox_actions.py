"""What an agent does with one conversation from the inbox (role `agent`).

    GET  /admin/conversations/{channel}/{user}/profile    variables (unmasked while with staff, for an agent
         only on a conversation that is theirs or nobody's), labels,
         assignee, appointments past and upcoming, reply window, notes
    POST /admin/conversations/{channel}/{user}/notes      {"text"}: an internal note, never sent
    POST /admin/conversations/{channel}/{user}/assign     {"to": "me" | <account> | null}
    POST /admin/conversations/{channel}/{user}/labels     {"add": [..], "remove": [..]}
    POST /admin/conversations/{channel}/{user}/takeover   the bot pauses; staff answer (hand back: .../resume)
    POST /admin/conversations/{channel}/{user}/read       the agent has read it: unread back to 0
    POST /admin/conversations/{channel}/{user}/appointments  {"action": "book", "slot": <ref>} |
         {"action": "reschedule", "appointment", "slot"} | {"action": "cancel", "appointment"}:
         the bot's own atomic booking, for the patient
    GET  /admin/conversations/{channel}/{user}/slots?service=&professional=&day=   free slots to offer
    GET  /admin/quick-replies?channel=&user=    canned answers (quick_replies.json), `{{ var }}` filled
         for that conversation, the templates, and whether the channel's reply window is open

Staff replies go through `POST .../messages` (runtime.service.admin), with `{"text"}`, `{"quick_reply": id}`
or `{"template": id}` (outside the channel's reply window only a template goes out).
"""

from __future__ import annotations

import contextlib
import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from redis.exceptions import RedisError

from flows.errors import TemplateError
from flows.messages import InboundEvent, Media, OutboundMessage, Template
from flows.model import Bot, localize
from flows.templating import render
from runtime.conversations import keys as C
from runtime.conversations.keys import ConversationKey
from runtime.conversations.transcript import TranscriptBook
from runtime.engine.routing import labels_of
from runtime.engine.state import Conversation
from runtime.events.emit import appointment_data
from runtime.scheduling.errors import SchedulingError
from runtime.scheduling.model import Slot
from runtime.service.bot_service import Service
from runtime.service.guard import DETAIL, RouteHandler, Staff, accounts, dumps, error, json_body, staff_of

QUICK_REPLIES = "quick_replies.json"
STAFF_EVENTS = {"book": "appointment.booked", "reschedule": "appointment.rescheduled",
                "cancel": "appointment.cancelled"}
LABEL_CHARS = 40


def routes() -> list[tuple[str, str, RouteHandler, str]]:
    base = "/admin/conversations/{channel}/{user}"
    return [("GET", f"{base}/profile", profile, "agent"),
            ("POST", f"{base}/notes", note, "agent"),
            ("POST", f"{base}/assign", assign, "agent"),
            ("POST", f"{base}/labels", labels, "agent"),
            ("POST", f"{base}/takeover", takeover, "agent"),
            ("POST", f"{base}/read", mark_read, "agent"),
            ("POST", f"{base}/appointments", appointment, "agent"),
            ("GET", f"{base}/slots", slots, "agent"),
            ("GET", "/admin/quick-replies", quick_replies, "agent")]


def key_of(request: web.Request, service: Service) -> ConversationKey:
    return ConversationKey(service.library.name, request.match_info["channel"], request.match_info["user"])


def _book(service: Service) -> TranscriptBook:
    return TranscriptBook(service.client, prefix=service.settings.key_prefix)


MASK = "***"
NAME_VARS = ("nome", "name", "nome_completo", "full_name")  # where a bot keeps the patient's name


def masked(variables: dict[str, Any], bot: Bot) -> dict[str, Any]:
    """Values of variables tagged pii or sensitive replaced by a mask (LGPD: exports show no more)."""
    out = {}
    for name, value in variables.items():
        declared = bot.variable(name)
        out[name] = MASK if declared is not None and {"pii", "sensitive"} & set(declared.tags) else value
    return out


def name_of(state: Conversation | None) -> str | None:
    if state is None:
        return None
    return next((str(state.vars[n]) for n in NAME_VARS if state.vars.get(n)), None)


def local(service: Service, at: str | None) -> str | None:
    """An ISO time in the clinic's zone (bot.json `timezone`)."""
    if not at:
        return None
    return datetime.fromisoformat(at).astimezone(ZoneInfo(service.library.current.timezone)).isoformat()


async def publish(service: Service, key: ConversationKey, kind: str) -> None:
    """Tell live inbox views that a conversation changed (best effort: a view also refreshes itself)."""
    feed = service.processor.store.keys.inbox_feed(service.library.name)
    with contextlib.suppress(RedisError):
        async with service.client.pipeline(transaction=False) as pipe:
            pipe.xadd(feed, {"r": service.directory.remember(pipe, key), "k": kind}, maxlen=C.INBOX_FEED_KEPT,
                      approximate=True)
            await pipe.execute()


_changed = publish


async def _state(service: Service, key: ConversationKey) -> Conversation | None:
    state, _ = await service.processor.store.load(key)
    return state


def handles(staff: Staff, state: Conversation, assignee: str | None) -> bool:
    """Whether `staff` may see the conversation's values unmasked: only while it is with staff, and an
    agent only when it is theirs or nobody's yet (an admin oversees them all)."""
    return state.waiting == "handoff" and (staff.role != "agent" or not assignee or assignee == staff.name)


async def assignee_of(service: Service, key: ConversationKey) -> str | None:
    raw = await service.client.hget(service.processor.store.keys.staff(key), "assignee")
    return _text(raw) if raw else None


async def profile(request: web.Request, service: Service) -> web.StreamResponse:
    key = key_of(request, service)
    state = await _state(service, key)
    if state is None:
        return error(404, "no such conversation")
    raw = await service.client.hgetall(service.processor.store.keys.staff(key))
    meta = {_text(k): _text(v) for k, v in raw.items()}
    unmasked = handles(staff_of(request), state, meta.get("assignee") or None)
    scheduler = service.processor.services.scheduler
    appointments: list[dict[str, Any]] = []
    if scheduler is not None:
        found = await scheduler.appointments_of(f"{key.channel}:{key.user}", upcoming_only=False)
        now = service.processor.clock.now()
        appointments = [a.to_json() | {"upcoming": a.slot.start > now,
                                       "start_local": local(service, a.slot.start.isoformat())} for a in found]
    connector = service.connectors.get(key.channel)
    window = connector.window if connector is not None else None
    if unmasked:
        request[DETAIL] = "unmasked"
    return web.json_response({
        "channel": key.channel, "user": key.user, "ref": key.ref, "name": name_of(state),
        "with_staff": state.waiting == "handoff", "unmasked": unmasked, "taken_over": state.taken_from is not None,
        "where": f"{state.flow}/{state.node}" if state.flow else None,
        "variables": dict(state.vars) if unmasked else masked(state.vars, service.library.current),
        "labels": labels_of(state), "assignee": meta.get("assignee") or None,
        "urgent": bool(meta.get("urgent")), "unread": int(meta.get("unread") or 0),
        "appointments": appointments,
        "window_open": window is None or window.is_open(state.last_inbound(), service.processor.clock.now()),
        "last_inbound_local": local(service, state.last_inbound_at),
        "consents": state.to_json().get("consents"),
        "flows": sorted(service.library.current.flows),
    }, dumps=dumps)


async def note(request: web.Request, service: Service) -> web.StreamResponse:
    key, body = key_of(request, service), await json_body(request)
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        return error(400, 'send {"text": "..."} with the note (staff see it; it is never sent)')
    if await _state(service, key) is None:
        return error(404, "no such conversation")
    line = {"id": f"note-{uuid.uuid4().hex}", "dir": "note", "by": "staff", "staff": staff_of(request).name,
            "text": text.strip(), "at": service.processor.clock.now().isoformat()}
    await _book(service).add(key, [line])
    await _changed(service, key, "note")
    return web.json_response({"noted": line["id"]}, status=201)


async def assign(request: web.Request, service: Service) -> web.StreamResponse:
    key, body = key_of(request, service), await json_body(request)
    to = body.get("to", "me")
    me = staff_of(request).name
    if to is not None and not isinstance(to, str):
        return error(400, 'send {"to": "me"}, {"to": "<account name>"} or {"to": null} to unassign')
    name = me if to == "me" else to
    if name is not None and name != me and await accounts(service).get(name) is None:
        return error(400, f"there is no staff account {name!r}; see GET /admin/users")
    if (state := await _state(service, key)) is None:
        return error(404, "no such conversation")
    staff_key = service.processor.store.keys.staff(key)
    if name is not None and state.waiting == "handoff":  # a person took the handoff the patient asked for
        await service.emit(key, "handoff.taken", {"by": "staff"})
    if name is None:
        await service.client.hdel(staff_key, "assignee")
    else:
        await service.client.hset(staff_key, "assignee", name)
        await service.client.pexpire(staff_key, service.processor.store.state_ttl_ms)
    await _event_line(service, key, f"assigned to {name}" if name else "unassigned", me)
    await _changed(service, key, "assigned")
    return web.json_response({"assignee": name})


async def labels(request: web.Request, service: Service) -> web.StreamResponse:
    key, body = key_of(request, service), await json_body(request)
    add, remove = body.get("add", []), body.get("remove", [])
    if not _names(add) or not _names(remove):
        return error(400, f'send {{"add": ["retorno"], "remove": ["novo"]}}: lists of labels of 1 to {LABEL_CHARS} '
                          "characters")
    if await _state(service, key) is None:
        return error(404, "no such conversation")
    await _system(service, key, {"action": "labels", "add": add, "remove": remove})
    state = await _state(service, key)
    await _changed(service, key, "labels")
    return web.json_response({"labels": labels_of(state) if state else []})


def _names(items: Any) -> bool:
    return isinstance(items, list) and all(isinstance(i, str) and 0 < len(i.strip()) <= LABEL_CHARS for i in items)


async def takeover(request: web.Request, service: Service) -> web.StreamResponse:
    key = key_of(request, service)
    state = await _state(service, key)
    if state is None:
        return error(404, "no such conversation")
    me = staff_of(request).name
    if state.waiting != "handoff":
        await _system(service, key, {"action": "takeover", "by": me})
        await _event_line(service, key, "took over from the bot", me)
    else:  # the handoff the patient asked for (taking over from the bot emits with its turn)
        await service.emit(key, "handoff.taken", {"by": "staff"})
    staff_key = service.processor.store.keys.staff(key)
    await service.client.hset(staff_key, "assignee", me)
    await service.client.pexpire(staff_key, service.processor.store.state_ttl_ms)
    await _changed(service, key, "taken_over")
    return web.json_response({"taken_over": True, "assignee": me})


async def mark_read(request: web.Request, service: Service) -> web.StreamResponse:
    """Unread back to 0. Live views hear of it only when something was unread: a view that shows the
    conversation marks it read whenever it changes, so a change for every mark would never end."""
    key = key_of(request, service)
    async with service.client.pipeline(transaction=True) as pipe:
        pipe.hget(service.processor.store.keys.staff(key), "unread")
        pipe.hset(service.processor.store.keys.staff(key), "unread", 0)
        was, _ = await pipe.execute()
    if int(was or 0):
        await _changed(service, key, "read")
    return web.json_response({"unread": 0})


async def _system(service: Service, key: ConversationKey, data: dict[str, Any]) -> None:
    """A staff action as a system event: it goes through the conversation's turn and commit, in order."""
    event = InboundEvent(key.channel, key.user, f"admin-{data['action']}-{uuid.uuid4().hex}",
                         service.processor.clock.now(), kind="system", data=data)
    await service.processor.submit(event)


async def _event_line(service: Service, key: ConversationKey, text: str, staff: str) -> None:
    await _book(service).add(key, [{"id": f"event-{uuid.uuid4().hex}", "dir": "event", "by": "staff", "staff": staff,
                                    "text": text, "at": service.processor.clock.now().isoformat()}])


async def handed_back(service: Service, key: ConversationKey, staff: str, flow: str | None) -> None:
    """After `POST .../resume`: the inbox forgets the assignment and the counters, and says so."""
    await service.client.hdel(service.processor.store.keys.staff(key), "assignee", "unread", "urgent")
    await _event_line(service, key, f"handed back to the bot{f' at {flow}' if flow else ''}", staff)
    await _changed(service, key, "resumed")


def canned(service: Service) -> dict[str, Any]:
    """quick_replies.json of the bot folder: {"replies": [{id, title, text}], "templates": [{id, title,
    name, language, params}]}; missing: none."""
    path = Path(service.library.root) / QUICK_REPLIES
    if not path.is_file():
        return {"replies": [], "templates": []}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {"replies": list(data.get("replies", [])), "templates": list(data.get("templates", []))}


def _fill(text: Any, state: Conversation | None, service: Service) -> str:
    bot = service.library.current
    locale = (state.locale if state else None) or bot.default_locale
    raw = localize(text, locale, bot.default_locale) if not isinstance(text, str) else text
    try:
        return render(raw, dict(state.vars) if state else {})
    except TemplateError:
        return raw


async def quick_replies(request: web.Request, service: Service) -> web.StreamResponse:
    data = canned(service)
    state = None
    if "channel" in request.query and "user" in request.query:
        state = await _state(service, ConversationKey(service.library.name, request.query["channel"],
                                                      request.query["user"]))
    replies = [{"id": r["id"], "title": r.get("title", r["id"]), "text": _fill(r.get("text", ""), state, service)}
               for r in data["replies"]]
    templates = [{"id": t.get("id", t["name"]), "title": t.get("title", t["name"]), "name": t["name"]}
                 for t in data["templates"]]
    window = None
    if state is not None and (connector := service.connectors.get(request.query["channel"])) is not None:
        window = connector.window is None or connector.window.is_open(state.last_inbound(),
                                                                      service.processor.clock.now())
    return web.json_response({"replies": replies, "templates": templates, "window_open": window}, dumps=dumps)


def reply_message(service: Service, state: Conversation, body: dict[str, Any]) -> OutboundMessage | str:
    """The staff reply a `POST .../messages` body asks for, or what is wrong with the body."""
    ident = f"staff-{uuid.uuid4().hex}"
    data = canned(service)
    if isinstance(body.get("quick_reply"), str):
        found = next((r for r in data["replies"] if r["id"] == body["quick_reply"]), None)
        if found is None:
            return f"no quick reply {body['quick_reply']!r} in {QUICK_REPLIES}"
        return OutboundMessage(id=ident, text=_fill(found.get("text", ""), state, service))
    if isinstance(body.get("template"), str):
        tpl = next((t for t in data["templates"] if t.get("id", t["name"]) == body["template"]), None)
        if tpl is None:
            return f"no template {body['template']!r} in {QUICK_REPLIES}"
        params = tuple(_fill(p, state, service) for p in tpl.get("params", ()))
        text = _fill(tpl.get("text", ""), state, service)
        return OutboundMessage(id=ident, text=text, template=Template(tpl["name"], tpl.get("language", "pt_BR"),
                                                                      params))
    if "media" in body:  # the caption is the message's text: the renderers send it with the file, and the
        media = _media(body["media"])  # monitoring rules read it
        caption = body.get("text")
        text = caption.strip() if isinstance(caption, str) else ""
        return media if isinstance(media, str) else OutboundMessage(id=ident, text=text, media=media)
    if not isinstance(body.get("text"), str) or not body["text"].strip():
        return ('send {"text": "..."}, {"quick_reply": "<id>"}, {"template": "<id>"} or {"media": {"kind": '
                '"image", "url": "https://..."}} with the message')
    return OutboundMessage(id=ident, text=body["text"])


MEDIA_KINDS = ("image", "video", "audio", "document")


def _media(data: Any) -> Media | str:
    """A file staff send by its public https address (the channel fetches it), or what is wrong."""
    if not isinstance(data, dict) or data.get("kind") not in MEDIA_KINDS:
        return f'media needs a "kind", one of {", ".join(MEDIA_KINDS)}, and an https "url"'
    url = data.get("url")
    if not isinstance(url, str) or not url.startswith("https://") or len(url) > 2000:
        return 'media needs an https "url" the channel can fetch (it downloads the file from there)'
    filename = data.get("filename") if isinstance(data.get("filename"), str) else ""
    return Media(kind=data["kind"], url=url,
                 filename=filename or (url.rsplit("/", 1)[-1] if data["kind"] == "document" else ""))


async def slots(request: web.Request, service: Service) -> web.StreamResponse:
    scheduler = service.processor.services.scheduler
    if scheduler is None:
        return error(404, f"bot {service.library.name!r} has no calendar.json")
    services = sorted(scheduler.calendar.services)
    wanted = request.query.get("service") or (services[0] if services else "")
    try:
        found = await scheduler.find_slots(wanted, professional=request.query.get("professional") or None,
                                           limit=10)
    except (SchedulingError, ValueError) as exc:
        return error(400, f"{exc}; services: {', '.join(services)}")
    return web.json_response({"services": services, "service": wanted,
                              "slots": [s.to_json() | {"ref": s.ref, "start_local": local(service, s.start.isoformat())}
                                        for s in found]}, dumps=dumps)


async def appointment(request: web.Request, service: Service) -> web.StreamResponse:
    key, body = key_of(request, service), await json_body(request)
    scheduler = service.processor.services.scheduler
    if scheduler is None:
        return error(404, f"bot {service.library.name!r} has no calendar.json")
    action, patient, me = body.get("action"), f"{key.channel}:{key.user}", staff_of(request).name
    try:
        if action == "book" and isinstance(body.get("slot"), str):
            state = await _state(service, key)
            details = {"name": _name(state)} if _name(state) else {}
            appt = await scheduler.book(Slot.from_ref(body["slot"]), patient, details=details, by="staff")
        elif action == "reschedule" and isinstance(body.get("appointment"), str) and isinstance(body.get("slot"), str):
            appt = await scheduler.reschedule(body["appointment"], Slot.from_ref(body["slot"]), patient=patient,
                                              by="staff")
        elif action == "cancel" and isinstance(body.get("appointment"), str):
            appt = await scheduler.cancel(body["appointment"], patient=patient, by="staff")
        else:
            return error(400, 'send {"action": "book", "slot": "<ref from .../slots>"}, {"action": "reschedule", '
                              '"appointment": "<id>", "slot": "<ref>"} or {"action": "cancel", "appointment": "<id>"}')
    except (SchedulingError, ValueError) as exc:
        return error(409 if isinstance(exc, SchedulingError) else 400, str(exc))
    await _event_line(service, key, f"{action}: {appt.id} {appt.slot.start.isoformat()}", me)
    await service.emit(key, STAFF_EVENTS[action], appointment_data(appt.id, appt.to_json(), "staff"))
    await _changed(service, key, "appointment")
    return web.json_response(appt.to_json(), dumps=dumps)


_name = name_of


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
