"""What the data-protection officer watches over the admin API (all need the dpo role):

    GET  /admin/alerts?limit=50          monitoring alerts, newest first (rule, conversation ref,
                                         message id, direction, time, masked snippet)
    GET  /admin/holds                    staff messages a `hold` rule stopped, oldest first (snippets);
                                         one left 30 days is dropped
    POST /admin/holds/{id}/release       send it to the patient (the conversation must still be with staff)
    POST /admin/holds/{id}/discard       drop it
    GET  /admin/incidents                security incidents, newest first, with business days left
    POST /admin/incidents                {"title", "detected_at", "description"?, "data_classes"?,
                                         "affected"?, "measures"?}: kept 5 years, deadline in business days
"""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from aiohttp import web

from flows.messages import OutboundMessage
from runtime.monitoring import AlertBook, HoldBook, IncidentBook, IncidentInvalid
from runtime.service.bot_service import Service
from runtime.service.guard import DETAIL, TARGET, RouteHandler, error, json_body, staff_of


def routes() -> list[tuple[str, str, RouteHandler, str]]:
    return [("GET", "/admin/alerts", alerts, "dpo"),
            ("GET", "/admin/holds", holds, "dpo"),
            ("POST", "/admin/holds/{id}/release", release, "dpo"),
            ("POST", "/admin/holds/{id}/discard", discard, "dpo"),
            ("GET", "/admin/incidents", incidents, "dpo"),
            ("POST", "/admin/incidents", record_incident, "dpo")]


def hold_book(service: Service) -> HoldBook:
    return HoldBook(service.client, prefix=service.settings.key_prefix, bot=service.library.name)


def alert_book(service: Service) -> AlertBook:
    return AlertBook(service.client, prefix=service.settings.key_prefix, bot=service.library.name)


def incident_book(service: Service) -> IncidentBook:
    return IncidentBook(service.client, prefix=service.settings.key_prefix, clock=service.processor.clock)


async def alerts(request: web.Request, service: Service) -> web.StreamResponse:
    raw = request.query.get("limit", "50")
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        return error(400, f"limit {raw!r} must be a whole number from 1 to 1000")
    return web.json_response({"alerts": await alert_book(service).recent(int(raw))})


async def holds(request: web.Request, service: Service) -> web.StreamResponse:
    found = await hold_book(service).all(now=service.processor.clock.now())
    return web.json_response({"holds": [h.listed() for h in found]})


async def release(request: web.Request, service: Service) -> web.StreamResponse:
    book = hold_book(service)
    held = next((h for h in await book.all() if h.id == request.match_info["id"]), None)
    if held is None:
        return error(404, "no such held message (released or discarded already?); GET /admin/holds lists them")
    key = await book.conversation(held)
    if key is None:
        return error(409, "the contact was erased; discard the message")
    request[TARGET] = key.ref
    state, _ = await service.processor.store.load(key)
    if state is None or state.waiting != "handoff":
        return error(409, "the conversation is back with the bot; discard the message or hand it over again first")
    if await book.take(held.id) is None:
        return error(404, "released or discarded meanwhile")
    message = OutboundMessage(id=f"staff-{held.id}", text=held.text)
    await service.processor.store.queue_messages(key, [message])
    await service.sends.signal(key)
    request[DETAIL] = f"hold={held.id}"
    return web.json_response({"released": held.id, "queued": message.id})


async def discard(request: web.Request, service: Service) -> web.StreamResponse:
    held = await hold_book(service).take(request.match_info["id"])
    if held is None:
        return error(404, "no such held message (released or discarded already?); GET /admin/holds lists them")
    request[TARGET], request[DETAIL] = held.conversation, f"hold={held.id}"
    return web.json_response({"discarded": held.id})


async def incidents(request: web.Request, service: Service) -> web.StreamResponse:
    today = service.processor.clock.now().astimezone(ZoneInfo(service.library.current.timezone)).date()
    found = await incident_book(service).all()
    return web.json_response({"incidents": [i.to_json(today) for i in found]},
                             dumps=lambda d: json.dumps(d, ensure_ascii=False))


async def record_incident(request: web.Request, service: Service) -> web.StreamResponse:
    try:
        incident = await incident_book(service).record(await json_body(request), by=staff_of(request).name)
    except IncidentInvalid as exc:
        return error(400, str(exc))
    request[TARGET] = incident.id
    today = service.processor.clock.now().astimezone(ZoneInfo(service.library.current.timezone)).date()
    return web.json_response(incident.to_json(today), status=201, dumps=lambda d: json.dumps(d, ensure_ascii=False))
