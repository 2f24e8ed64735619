"""A clinic's own scheduling system on 127.0.0.1 that speaks the HTTP provider contract.

It keeps appointments with a RedisCalendar, so the contract is exercised end to end; it checks
the bearer token and can be told to answer 503 to the next requests.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time
from typing import Any

from aiohttp import web

from runtime.scheduling import (
    AppointmentNotFound,
    HoldExpired,
    NotActive,
    RedisCalendar,
    SchedulingError,
    Slot,
    SlotNotOffered,
    SlotTaken,
)
from runtime.scheduling.model import SlotQuery, parse_iso
from runtime.timers.clock import require_aware

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_STATUS: dict[type[SchedulingError], tuple[int, str]] = {
    SlotTaken: (409, "slot_taken"), HoldExpired: (410, "hold_expired"), NotActive: (409, "not_active"),
    SlotNotOffered: (422, "slot_not_offered"), AppointmentNotFound: (404, "not_found"),
}


class ClinicSystem:
    def __init__(self, calendar: RedisCalendar, token: str) -> None:
        self.calendar = calendar
        self.token = token
        self.failures_to_serve = 0
        self.app = web.Application(middlewares=[self._guard])
        self.app.router.add_get("/api/slots", self.slots)
        self.app.router.add_post("/api/holds", self.hold)
        self.app.router.add_get("/api/holds/{id}", self.get_hold)
        self.app.router.add_delete("/api/holds/{id}", self.release)
        self.app.router.add_post("/api/appointments", self.book)
        self.app.router.add_get("/api/appointments", self.listing)
        self.app.router.add_get("/api/appointments/{id}", self.get)
        self.app.router.add_post("/api/appointments/{id}/reschedule", self.reschedule)
        self.app.router.add_post("/api/appointments/{id}/status", self.status)

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if self.failures_to_serve:
            self.failures_to_serve -= 1
            return web.json_response({"error": "down", "message": "maintenance"}, status=503)
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.json_response({"error": "unauthorized", "message": "bad token"}, status=401)
        try:
            return await handler(request)
        except SchedulingError as exc:
            status, code = _STATUS.get(type(exc), (400, "refused"))
            return web.json_response({"error": code, "message": str(exc)}, status=status)

    async def slots(self, request: web.Request) -> web.Response:
        q = request.query
        period = (_clock(q["period_from"]), _clock(q["period_to"])) if "period_from" in q else None
        query = SlotQuery(q["service"], parse_iso(q["start"]), parse_iso(q["end"]), q.get("professional"),
                          period, int(q["limit"]))
        found = await self.calendar.find_slots(query, now=parse_iso(q["now"]))
        return web.json_response({"slots": [s.to_json() for s in found]})

    async def hold(self, request: web.Request) -> web.Response:
        body = await request.json()
        hold = await self.calendar.hold(Slot.from_json(body["slot"]), body["patient"],
                                        now=parse_iso(body["now"]), expires_at=parse_iso(body["expires_at"]))
        return web.json_response({"hold": hold.to_json()}, status=201)

    async def get_hold(self, request: web.Request) -> web.Response:
        hold = await self.calendar.get_hold(request.match_info["id"])
        if hold is None:
            raise AppointmentNotFound("no such hold")
        return web.json_response({"hold": hold.to_json()})

    async def release(self, request: web.Request) -> web.Response:
        if not await self.calendar.release(request.match_info["id"], now=datetime.now(UTC)):
            raise AppointmentNotFound("no such hold")
        return web.Response(status=204)

    async def book(self, request: web.Request) -> web.Response:
        body = await request.json()
        appt = await self.calendar.book(Slot.from_json(body["slot"]), body["patient"], now=parse_iso(body["now"]),
                                        by=body["by"], details=body["details"], hold_id=body["hold_id"],
                                        idempotency_key=body.get("idempotency_key"))
        return web.json_response({"appointment": appt.to_json()}, status=201)

    async def listing(self, request: web.Request) -> web.Response:
        q = request.query
        if "patient" in q:
            found = await self.calendar.appointments_of(q["patient"])
        else:
            found = await self.calendar.appointments_between(parse_iso(q["start"]), parse_iso(q["end"]),
                                                             q.get("professional"))
        return web.json_response({"appointments": [a.to_json() for a in found]})

    async def get(self, request: web.Request) -> web.Response:
        appt = await self.calendar.get(request.match_info["id"])
        if appt is None:
            raise AppointmentNotFound(f"no appointment {request.match_info['id']}")
        return web.json_response({"appointment": appt.to_json()})

    async def reschedule(self, request: web.Request) -> web.Response:
        body = await request.json()
        appt = await self.calendar.reschedule(request.match_info["id"], Slot.from_json(body["slot"]),
                                              now=parse_iso(body["now"]), by=body["by"], hold_id=body["hold_id"])
        return web.json_response({"appointment": appt.to_json()})

    async def status(self, request: web.Request) -> web.Response:
        body: dict[str, Any] = await request.json()
        appt = await self.calendar.set_status(request.match_info["id"], body["status"],
                                              now=require_aware(parse_iso(body["now"])), by=body["by"],
                                              reason=body.get("reason"))
        return web.json_response({"appointment": appt.to_json()})


def _clock(text: str) -> time:
    return time.fromisoformat(text)
