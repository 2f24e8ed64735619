"""The admin API of `papo serve`, for staff and their tools. Every route names the role it needs
(`routes()`); `runtime.service.guard` checks the caller's credentials and role and writes one
audit entry per call. Accounts, tokens and roles: docs/access.md.

    GET  /admin/appointments?day=YYYY-MM-DD       a day's appointments (default: today, clinic time)
    GET  /admin/timers?limit=50                   pending timers, soonest first
    GET  /admin/handoffs                          conversations waiting for a person, oldest first: name,
                                                  last message, times in the clinic's zone
    GET  /admin/conversations/{channel}/{user}    a conversation's state, pii and sensitive values masked;
         `?unmasked=1` shows them while the conversation is with staff (audited as such)
    POST /admin/conversations/{channel}/{user}/messages  {"text"}, {"quick_reply"} or {"template"}: staff
         reply through the channel, while the conversation is with staff (handoff or taken over)
         (monitoring rules may mask it, alert the dpo, or hold it until a dpo releases it: 202)
    POST /admin/conversations/{channel}/{user}/resume    staff hand the conversation back to the bot,
         where it left off or at {"flow": ...}
    GET  /admin/conversations/{channel}/{user}/decisions  what the FAQ and the LLM decided, newest
         first, and the conversation's LLM spend
    GET  /admin/llm                               this month's LLM calls, tokens and cost for the bot
    GET  /admin/failures?limit=50                 messages the channel refused (expired token, window...),
         turns that failed (kind "turn") and webhook items papo could not read (kind "webhook":
         malformed, unknown, errors Meta reported), newest first
    GET  /admin/calendar-feeds                    each professional's .ics address, to subscribe to
    POST /admin/calendar-feeds/{professional}/rotate   a new key for one feed (the old one works a day)
    ...  /admin/events, /admin/events/dead/{id}/replay, /admin/appointments/{id}/no-show: outbound
         events (`runtime.service.events_admin`)
    ...  /admin/contacts/..., /admin/requests, /admin/retention: the data-subject rights, role dpo
         (`runtime.service.privacy`)

    GET  /calendar/{professional}.ics?key=...     the feed itself; calendar apps cannot send headers, so
         the key in the address (random, one per professional, kept in Redis) is the credential.

The inbox (queue, live events, transcripts, notes, labels, take over): `runtime.service.inbox`.
Accounts, tokens and the audit log: `runtime.service.staff`; alerts, holds, incidents:
`runtime.service.oversight`.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import date
from typing import Any

from aiohttp import web

from flows.messages import InboundEvent
from runtime.access import ROLES, FeedKeys, may
from runtime.conversations.keys import ConversationKey
from runtime.conversations.transcript import outbound_lines
from runtime.service import campaigns, events_admin, inbox, inbox_actions, oversight, staff, start
from runtime.service.bot_service import Service
from runtime.service.guard import DETAIL, Chooser, RouteHandler, error, guarded, json_body, staff_of
from runtime.service.inbox_actions import MASK, masked
from runtime.service.privacy import privacy_routes

__all__ = ["MASK", "ROLES", "add_routes", "masked", "routes"]


def routes() -> list[tuple[str, str, RouteHandler, str]]:
    """(method, path, handler, role) for every admin route (POST /admin/login needs none)."""
    return [("GET", "/admin/appointments", appointments, "viewer"),
            ("GET", "/admin/timers", timers, "viewer"),
            ("GET", "/admin/handoffs", handoffs, "agent"),
            ("GET", "/admin/conversations/{channel}/{user}", conversation, "agent"),
            ("POST", "/admin/conversations/{channel}/{user}/messages", staff_message, "agent"),
            ("POST", "/admin/conversations/{channel}/{user}/resume", resume, "agent"),
            ("GET", "/admin/conversations/{channel}/{user}/decisions", decisions, "agent"),
            ("GET", "/admin/llm", llm_usage, "admin"),
            ("GET", "/admin/failures", failures, "admin"),
            ("GET", "/admin/calendar-feeds", calendar_feeds, "admin"),
            ("POST", "/admin/calendar-feeds/{professional}/rotate", rotate_feed, "admin"),
            *inbox.routes(), *staff.routes(), *oversight.routes(), *privacy_routes(), *events_admin.routes(),
            *start.routes(), *campaigns.routes()]


def add_routes(app: web.Application, chooser: Chooser) -> None:
    for method, path, handler, role in routes():
        app.router.add_route(method, path, guarded(handler, chooser, role))

    async def login(request: web.Request) -> web.StreamResponse:
        return await staff.login(request, chooser(request))

    async def feed(request: web.Request) -> web.StreamResponse:
        return await calendar_feed(request, chooser(request))

    app.router.add_post("/admin/login", login)
    app.router.add_get("/calendar/{professional}.ics", feed)


async def appointments(request: web.Request, service: Service) -> web.StreamResponse:
    scheduler = service.processor.services.scheduler
    if scheduler is None:
        return _error(404, f"bot {service.library.name!r} has no calendar.json")
    try:
        day = date.fromisoformat(request.query["day"]) if "day" in request.query else \
            scheduler.calendar.local(scheduler.clock.now()).date()
    except ValueError:
        return _error(400, f"day {request.query['day']!r} is not a date; use YYYY-MM-DD")
    found = [a.to_json() for a in await scheduler.appointments_on(day)]
    return web.json_response({"day": day.isoformat(), "appointments": _for_role(request, service, found)},
                             dumps=lambda d: json.dumps(d, ensure_ascii=False))


async def timers(request: web.Request, service: Service) -> web.StreamResponse:
    queue = service.processor.services.timers
    if queue is None:
        return _error(404, "this bot has no timers")
    raw = request.query.get("limit", "50")
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        return _error(400, f"limit {raw!r} must be a whole number from 1 to 1000")
    found = [t.to_json() for t in await queue.pending(int(raw))]
    for timer in found:
        timer["payload"] = _for_role(request, service, [timer["payload"]])[0]
    return web.json_response({"timers": found}, dumps=lambda d: json.dumps(d, ensure_ascii=False))


PERSONAL = ("patient", "user", "details")  # appointment and timer fields that name or describe a patient


def _for_role(request: web.Request, service: Service, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records as the caller's role may see them: a viewer (or a dpo) gets the patient as the
    conversation's hashed reference and the details masked; agents and admins see them, audited so."""
    if may(staff_of(request).role, "agent"):
        if any(set(PERSONAL) & set(r) for r in records):
            request[DETAIL] = "unmasked"
        return records
    out = []
    for record in records:
        shown = dict(record)
        if isinstance(shown.get("patient"), str):
            channel, _, user = shown["patient"].partition(":")
            shown["patient"] = ConversationKey(service.library.name, channel, user).ref
        if "user" in shown:
            shown["user"] = MASK
        if isinstance(shown.get("details"), dict):
            shown["details"] = dict.fromkeys(shown["details"], MASK)
        out.append(shown)
    return out


async def conversation(request: web.Request, service: Service) -> web.StreamResponse:
    key = _key(request, service)
    state, _ = await service.processor.store.load(key)
    if state is None:
        return _error(404, "no such conversation")
    unmasked = request.query.get("unmasked") in ("1", "true")
    if unmasked and state.waiting != "handoff":
        return _error(403, "unmasked values are shown only while the conversation is with staff (handoff)")
    if unmasked and not inbox_actions.handles(staff_of(request), state, await inbox_actions.assignee_of(service, key)):
        return _error(403, "this conversation is assigned to another agent: its values are theirs to see unmasked")
    document = state.to_json() | {"version": state.version}
    del document["private"]  # the node handlers' own state: no one's data
    document["vars"] = dict(state.vars) if unmasked else masked(state.vars, service.library.current)
    if unmasked:
        request[DETAIL] = "unmasked"
    document["failures"] = await service.deliveries.failures(key)
    return web.json_response(document, dumps=lambda d: json.dumps(d, ensure_ascii=False))


async def handoffs(request: web.Request, service: Service) -> web.StreamResponse:
    """Oldest first (the inbox's queue puts urgent ones first): name, last message, local times."""
    waiting = sorted(await inbox.waiting(service), key=lambda item: item["since"] or "")
    return web.json_response({"handoffs": waiting}, dumps=lambda d: json.dumps(d, ensure_ascii=False))


async def staff_message(request: web.Request, service: Service) -> web.StreamResponse:
    key = _key(request, service)
    body = await _json_body(request)
    state, _ = await service.processor.store.load(key)
    if state is None or state.waiting != "handoff":
        return _error(409, "this conversation is with the bot; take it over (POST .../takeover) before replying")
    message = inbox_actions.reply_message(service, state, body)
    if isinstance(message, str):
        return _error(400, message)
    connector = service.connectors.get(key.channel)
    if (connector is not None and connector.window is not None and message.template is None
            and not connector.window.is_open(state.last_inbound(), service.processor.clock.now())):
        return _error(409, f"the {key.channel} reply window is closed (the patient last wrote more than "
                           f"{connector.window.length.total_seconds() / 3600:g} h ago): send a template "
                           "(GET /admin/quick-replies lists them)")
    if (monitor := service.processor.monitor) is not None and (screened := monitor.screen(message.text, "staff")).hits:
        at = service.processor.clock.now().isoformat()
        await monitor.alerts.raise_for(screened.hits, conversation=key.ref, message=message.id, direction="staff",
                                       at=at)
        if held := screened.wants("hold"):
            kept = await oversight.hold_book(service).hold(
                key, screened.text, rules=tuple(h.rule for h in held), snippet=held[0].snippet,
                by=staff_of(request).name, at=at)
            request[DETAIL] = f"held={kept.id}"
            return web.json_response({"held": kept.id, "rules": list(kept.rules),
                                      "note": "a monitoring rule holds this message until a dpo releases it"},
                                     status=202)
        message = dataclasses.replace(message, text=screened.text)
    await service.processor.store.queue_messages(key, [message])
    await inbox.transcripts(service).add(key, outbound_lines([message], at=service.processor.clock.now().isoformat(),
                                                             by="staff", staff=staff_of(request).name))
    if connector is None or connector.replies == "push":  # a web page fetches its replies (GET .../pending)
        await service.sends.signal(key)
    await inbox_actions.publish(service, key, "staff_message")
    return web.json_response({"queued": message.id})


async def resume(request: web.Request, service: Service) -> web.StreamResponse:
    """The bot takes the conversation back from staff: on after its handoff node, or at a flow."""
    key = _key(request, service)
    body = await _json_body(request)
    flow = body.get("flow")
    if flow is not None and flow not in service.library.current.flows:
        return _error(400, f"flow {flow!r} does not exist; flows: {', '.join(sorted(service.library.current.flows))}")
    state, _ = await service.processor.store.load(key)
    if state is None or state.waiting != "handoff":
        return _error(409, "this conversation is not with staff; nothing to resume")
    data: dict[str, Any] = {"action": "resume"} | ({"flow": flow} if flow else {})
    event = InboundEvent(key.channel, key.user, f"admin-resume-{uuid.uuid4().hex}", service.processor.clock.now(),
                         kind="system", data=data)
    submitted = await service.processor.submit(event)
    connector = service.connectors.get(key.channel)
    if connector is None or connector.replies == "push":  # a web page fetches the bot's words (GET .../pending)
        await service.sends.signal(key)
    await inbox_actions.handed_back(service, key, staff_of(request).name, flow)
    return web.json_response({"resumed": True, "replies": sum(len(r.messages) for r in submitted.results)})


async def decisions(request: web.Request, service: Service) -> web.StreamResponse:
    key = _key(request, service)
    raw = await service.client.lrange(service.decisions_key(key), 0, -1)
    llm = service.processor.services.llm
    usage = await llm.ledger.usage(conversation=f"{key.channel}:{key.user}") if llm is not None else {}
    return web.json_response({"decisions": [json.loads(item) for item in raw], "llm_usage": usage})


async def failures(request: web.Request, service: Service) -> web.StreamResponse:
    raw = request.query.get("limit", "50")
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        return _error(400, f"limit {raw!r} must be a whole number from 1 to 1000")
    return web.json_response({"failures": await service.deliveries.recent_failures(service.library.name, int(raw))})


async def llm_usage(request: web.Request, service: Service) -> web.StreamResponse:
    llm = service.processor.services.llm
    if llm is None:
        return _error(404, "the LLM fallback is off for this bot (no OPENAI_API_KEY)")
    now = service.processor.clock.now()
    return web.json_response({"month": f"{now:%Y-%m}", "usage": await llm.ledger.usage(now=now),
                              "budget_usd": llm.settings.monthly_budget_usd})


def feed_keys(service: Service) -> FeedKeys:
    return FeedKeys(service.client, prefix=service.settings.key_prefix, bot=service.library.name,
                    clock=service.processor.clock)


async def calendar_feeds(request: web.Request, service: Service) -> web.StreamResponse:
    scheduler = service.processor.services.scheduler
    if scheduler is None:
        return _error(404, f"bot {service.library.name!r} has no calendar.json")
    base, keys = f"{request.scheme}://{request.host}", feed_keys(service)
    return web.json_response({"feeds": [
        {"professional": pid, "name": p.name,
         "url": f"{base}/calendar/{pid}.ics?bot={service.library.name}&key={await keys.key_for(pid)}"}
        for pid, p in sorted(scheduler.calendar.professionals.items())]})


async def rotate_feed(request: web.Request, service: Service) -> web.StreamResponse:
    scheduler = service.processor.services.scheduler
    professional = request.match_info["professional"]
    if scheduler is None or professional not in scheduler.calendar.professionals:
        return _error(404, "no such calendar")
    key = await feed_keys(service).rotate(professional)
    url = f"{request.scheme}://{request.host}/calendar/{professional}.ics?bot={service.library.name}&key={key}"
    return web.json_response({"professional": professional, "url": url, "previous_valid_for": "1 day"})


async def calendar_feed(request: web.Request, service: Service) -> web.StreamResponse:
    scheduler = service.processor.services.scheduler
    professional = request.match_info["professional"]
    if scheduler is None or professional not in scheduler.calendar.professionals:
        return _error(404, "no such calendar")
    if not await feed_keys(service).check(professional, request.query.get("key", "")):
        return _error(401, "missing or wrong key: take the address from GET /admin/calendar-feeds")
    body = await scheduler.ics_feed(professional)
    return web.Response(body=body, content_type="text/calendar", charset="utf-8")


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _key(request: web.Request, service: Service) -> ConversationKey:
    return ConversationKey(service.library.name, request.match_info["channel"], request.match_info["user"])


_error = error
_json_body = json_body
