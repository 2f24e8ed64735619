"""Outbound events for staff (role admin): what is delivered, what keeps failing, the dead letters and
their replay; and marking a no-show (role agent), which other systems hear of as appointment.no_show.

    GET  /admin/events?limit=50                  subscriptions (running and off), pairs waiting, events
                                                 failing now (attempts, error, next try), the latest
                                                 deliveries and the dead letters, newest first
    POST /admin/events/dead/{id}/replay          send a dead letter again now (the same event id)
    POST /admin/appointments/{id}/no-show        the patient did not come
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from runtime.conversations.keys import ConversationKey
from runtime.events.emit import appointment_data
from runtime.scheduling.errors import AppointmentNotFound, SchedulingError
from runtime.service.bot_service import Service
from runtime.service.guard import RouteHandler, dumps, error, staff_of


def routes() -> list[tuple[str, str, RouteHandler, str]]:
    return [("GET", "/admin/events", events, "admin"),
            ("POST", "/admin/events/dead/{id}/replay", replay, "admin"),
            ("POST", "/admin/appointments/{id}/no-show", no_show, "agent")]


async def events(request: web.Request, service: Service) -> web.StreamResponse:
    raw = request.query.get("limit", "50")
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        return error(400, f"limit {raw!r} must be a whole number from 1 to 1000")
    delivery = service.events
    subscriptions = [{"id": e.id, "host": urlsplit(e.url).netloc, "types": sorted(e.types), "running": True}
                     for e in (delivery.endpoints.values() if delivery is not None else ())]
    running_ids = {s["id"] for s in subscriptions}
    subscriptions += [{"id": s.id, "running": False} for s in service.library.current.events
                      if s.id not in running_ids]
    body: dict[str, Any] = {"subscriptions": subscriptions, "waiting": 0, "failing": [], "delivered": [], "dead": []}
    if delivery is not None:
        outbox, limit = delivery.outbox, int(raw)
        body |= {"waiting": await outbox.waiting(), "failing": await outbox.retrying(),
                 "delivered": await outbox.log(limit),
                 "dead": [_dead(d) for d in await outbox.dead(limit)]}
    return web.json_response(body, dumps=dumps)


def _dead(entry: dict[str, Any]) -> dict[str, Any]:
    event = json.loads(entry.pop("body"))
    return entry | {"event_type": event["type"], "time": event["time"]}


async def replay(request: web.Request, service: Service) -> web.StreamResponse:
    if service.events is None:
        return error(404, "no event subscription runs here: declare one in bot.json \"events\" and set its variables")
    result = await service.events.replay(request.match_info["id"])
    if result is None:
        return error(404, f"no dead letter {request.match_info['id']!r}; GET /admin/events lists them")
    return web.json_response(result, status=200 if result["replayed"] else 502, dumps=dumps)


async def no_show(request: web.Request, service: Service) -> web.StreamResponse:
    scheduler = service.processor.services.scheduler
    if scheduler is None:
        return error(404, f"bot {service.library.name!r} has no calendar.json")
    try:
        appt = await scheduler.mark_no_show(request.match_info["id"], by=staff_of(request).name)
    except SchedulingError as exc:
        return error(404 if isinstance(exc, AppointmentNotFound) else 409, str(exc))
    channel, _, user = appt.patient.partition(":")
    if user:
        await service.emit(ConversationKey(service.library.name, channel, user), "appointment.no_show",
                           appointment_data(appt.id, appt.to_json(), "staff"))
    return web.json_response(appt.to_json(), dumps=dumps)
