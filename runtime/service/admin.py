"""The admin API of `papo serve`, for staff and their tools. Enabled by PAPO_ADMIN_TOKEN; every
call needs `Authorization: Bearer <token>`.

    GET  /admin/appointments?day=YYYY-MM-DD       a day's appointments (default: today, clinic time)
    GET  /admin/timers?limit=50                   pending timers, soonest first
    GET  /admin/handoffs                          conversations waiting for a person, oldest first
    GET  /admin/conversations/{channel}/{user}    a conversation's state, pii and sensitive values masked
    POST /admin/conversations/{channel}/{user}/messages  {"text": ...}: staff reply through the channel
    POST /admin/conversations/{channel}/{user}/resume    staff hand the conversation back to the bot,
         where it left off or at {"flow": ...}
    GET  /admin/conversations/{channel}/{user}/decisions  what the FAQ and the LLM decided, newest
         first, and the conversation's LLM spend
    GET  /admin/llm                               this month's LLM calls, tokens and cost for the bot
    GET  /admin/failures?limit=50                 messages the channel refused (expired token, window...),
         turns that failed (kind "turn") and webhook items papo could not read (kind "webhook":
         malformed, unknown, errors Meta reported), newest first
    GET  /admin/calendar-feeds                    each professional's .ics address, to subscribe to
    ...  /admin/contacts/..., /admin/requests, /admin/retention: the data-subject rights, role dpo
         (`runtime.service.privacy`)

    GET  /calendar/{professional}.ics?key=...     the feed itself; calendar apps cannot send headers, so
         the key in the address (derived from the admin token, one per professional) is the credential.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from aiohttp import web

from flows.messages import InboundEvent, OutboundMessage
from flows.model import Bot
from runtime.conversations.keys import ConversationKey
from runtime.service.bot_service import Service
from runtime.service.privacy import privacy_routes

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MASK = "***"


Chooser = Callable[[web.Request], Service]  # the bot a request is about (`?bot=`, else the first)


# The staff roles. Every admin route names the role it needs (`ROUTES` below); until staff accounts
# exist, the admin token holds every role.
ROLES = ("viewer", "agent", "editor", "admin", "dpo")

RouteHandler = Callable[[web.Request, Service], Awaitable[web.StreamResponse]]


def routes() -> list[tuple[str, str, RouteHandler, str]]:
    """(method, path, handler, role) for every admin route."""
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
            *privacy_routes()]


def add_routes(app: web.Application, chooser: Chooser) -> None:
    for method, path, handler, role in routes():
        app.router.add_route(method, path, _guarded(handler, chooser, role))

    async def feed(request: web.Request) -> web.StreamResponse:
        return await calendar_feed(request, chooser(request))

    app.router.add_get("/calendar/{professional}.ics", feed)


def _guarded(handler: RouteHandler, chooser: Chooser, role: str) -> Handler:
    assert role in ROLES, role
    async def guarded(request: web.Request) -> web.StreamResponse:
        service = chooser(request)
        token = service.settings.admin_token
        given = _bytes(request.headers.get("Authorization", "").removeprefix("Bearer "))
        if token is None or not hmac.compare_digest(given, _bytes(token)):
            return _error(401, "missing or wrong admin token: send Authorization: Bearer <PAPO_ADMIN_TOKEN>")
        return await handler(request, service)

    return guarded


async def appointments(request: web.Request, service: Service) -> web.StreamResponse:
    scheduler = service.processor.services.scheduler
    if scheduler is None:
        return _error(404, f"bot {service.library.name!r} has no calendar.json")
    try:
        day = date.fromisoformat(request.query["day"]) if "day" in request.query else \
            scheduler.calendar.local(scheduler.clock.now()).date()
    except ValueError:
        return _error(400, f"day {request.query['day']!r} is not a date; use YYYY-MM-DD")
    found = await scheduler.appointments_on(day)
    return web.json_response({"day": day.isoformat(), "appointments": [a.to_json() for a in found]})


async def timers(request: web.Request, service: Service) -> web.StreamResponse:
    queue = service.processor.services.timers
    if queue is None:
        return _error(404, "this bot has no timers")
    raw = request.query.get("limit", "50")
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        return _error(400, f"limit {raw!r} must be a whole number from 1 to 1000")
    return web.json_response({"timers": [t.to_json() for t in await queue.pending(int(raw))]})


async def conversation(request: web.Request, service: Service) -> web.StreamResponse:
    key = _key(request, service)
    state, _ = await service.processor.store.load(key)
    if state is None:
        return _error(404, "no such conversation")
    document = state.to_json() | {"version": state.version}
    del document["private"]  # the node handlers' own state: no one's data
    document["vars"] = masked(state.vars, service.library.current)
    document["failures"] = await service.deliveries.failures(key)
    return web.json_response(document, dumps=lambda d: json.dumps(d, ensure_ascii=False))


async def handoffs(request: web.Request, service: Service) -> web.StreamResponse:
    waiting = []
    for field, raw in (await service.client.hgetall(service.handoffs_key)).items():
        channel, _, user = _text(field).partition(":")
        key = ConversationKey(service.library.name, channel, user)
        state, _ = await service.processor.store.load(key)
        if state is None or state.waiting != "handoff":
            await service.client.hdel(service.handoffs_key, field)  # given back meanwhile
            continue
        waiting.append({"channel": channel, "user": user, **json.loads(raw)})
    waiting.sort(key=lambda entry: entry.get("since") or "")
    return web.json_response({"handoffs": waiting})


async def staff_message(request: web.Request, service: Service) -> web.StreamResponse:
    key = _key(request, service)
    body = await _json_body(request)
    if not isinstance(body.get("text"), str) or not body["text"].strip():
        return _error(400, 'send {"text": "..."} with the message for the patient')
    state, _ = await service.processor.store.load(key)
    if state is None or state.waiting != "handoff":
        return _error(409, "this conversation is with the bot; hand it over (a handoff node) before replying")
    message = OutboundMessage(id=f"staff-{uuid.uuid4().hex}", text=body["text"])
    await service.processor.store.queue_messages(key, [message])
    await service.sends.signal(key)
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
    await service.sends.signal(key)
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


def feed_key(service: Service, professional: str) -> str:
    token = (service.settings.admin_token or "").encode()
    return hmac.new(token, f"ics:{service.library.name}:{professional}".encode(), hashlib.sha256).hexdigest()[:32]


async def calendar_feeds(request: web.Request, service: Service) -> web.StreamResponse:
    scheduler = service.processor.services.scheduler
    if scheduler is None:
        return _error(404, f"bot {service.library.name!r} has no calendar.json")
    base = f"{request.scheme}://{request.host}"
    return web.json_response({"feeds": [
        {"professional": pid, "name": p.name,
         "url": f"{base}/calendar/{pid}.ics?bot={service.library.name}&key={feed_key(service, pid)}"}
        for pid, p in sorted(scheduler.calendar.professionals.items())]})


async def calendar_feed(request: web.Request, service: Service) -> web.StreamResponse:
    scheduler = service.processor.services.scheduler
    professional = request.match_info["professional"]
    if scheduler is None or professional not in scheduler.calendar.professionals:
        return _error(404, "no such calendar")
    given = _bytes(request.query.get("key", ""))
    if not hmac.compare_digest(given, feed_key(service, professional).encode()):
        return _error(401, "missing or wrong key: take the address from GET /admin/calendar-feeds")
    body = await scheduler.ics_feed(professional)
    return web.Response(body=body, content_type="text/calendar", charset="utf-8")


def masked(variables: dict[str, Any], bot: Bot) -> dict[str, Any]:
    """Values of variables tagged pii or sensitive replaced by a mask (LGPD: exports show no more)."""
    out = {}
    for name, value in variables.items():
        declared = bot.variable(name)
        out[name] = MASK if declared is not None and {"pii", "sensitive"} & set(declared.tags) else value
    return out


async def _json_body(request: web.Request) -> dict[str, Any]:
    if not request.body_exists:  # (can_read_body is false once the body was read, as it always is by now)
        return {}
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _bytes(value: str) -> bytes:
    """UTF-8 that never fails: a header that was not UTF-8 (aiohttp keeps its bytes as surrogates) compares unequal."""
    return value.encode("utf-8", "surrogatepass")


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _key(request: web.Request, service: Service) -> ConversationKey:
    return ConversationKey(service.library.name, request.match_info["channel"], request.match_info["user"])


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)
