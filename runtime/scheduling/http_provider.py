"""`HttpCalendar`: a provider that books in the clinic's own system over a small JSON contract.

Every path is relative to `base_url`; bodies and answers are JSON; instants are ISO 8601 UTC
("2026-03-10T12:00:00Z"); slots, holds and appointments use the shapes of `Slot.to_json`,
`Hold.to_json` and `Appointment.to_json`. `now` is papo's clock reading (the server may use its
own). With a token, requests carry `Authorization: Bearer <token>`.

    GET    /slots?service&start&end&limit[&professional][&period_from&period_to]&now
                                             200 {"slots": [slot...]}
    POST   /holds {"slot", "patient", "expires_at", "now"}        201 {"hold": hold}
    GET    /holds/{id}                       200 {"hold": hold}
    DELETE /holds/{id}                       204 (404 when unknown)
    POST   /appointments {"slot", "patient", "by", "details", "hold_id", "now"}
                                             201 {"appointment": appointment}
    GET    /appointments/{id}                200 {"appointment": appointment}
    GET    /appointments?patient=P           200 {"appointments": [...]}
    GET    /appointments?start&end[&professional]                 200 {"appointments": [...]}
    POST   /appointments/{id}/reschedule {"slot", "by", "hold_id", "now"}  200 {"appointment"}
    POST   /appointments/{id}/status {"status", "by", "reason", "now"}     200 {"appointment"}

Errors answer 4xx with {"error": code, "message": text}; codes: slot_taken (409),
not_active (409: the appointment is cancelled or over), hold_expired (410),
slot_not_offered (422), not_found (404). Any 5xx, timeout or refused
connection raises ProviderUnavailable. See HTTP_PROVIDER.md for examples.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import aiohttp

from runtime.scheduling.errors import (
    AppointmentNotFound,
    HoldExpired,
    NotActive,
    ProviderUnavailable,
    SchedulingError,
    SlotNotOffered,
    SlotTaken,
)
from runtime.scheduling.model import Appointment, Hold, Slot, SlotQuery, Status, iso

_BY_CODE: dict[str, type[SchedulingError]] = {
    "slot_taken": SlotTaken, "hold_expired": HoldExpired, "slot_not_offered": SlotNotOffered,
    "not_found": AppointmentNotFound, "not_active": NotActive,
}


class HttpCalendar:
    def __init__(self, base_url: str, *, token: str | None = None,
                 timeout: timedelta = timedelta(seconds=10)) -> None:
        self.base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._timeout = aiohttp.ClientTimeout(total=timeout.total_seconds())
        self._session: aiohttp.ClientSession | None = None

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _call(self, method: str, path: str, *, params: Mapping[str, str] | None = None,
                    body: Mapping[str, Any] | None = None, missing_ok: bool = False) -> dict[str, Any] | None:
        if self._session is None:
            self._session = aiohttp.ClientSession(headers=self._headers, timeout=self._timeout)
        url = f"{self.base_url}{path}"
        try:
            async with self._session.request(method, url, params=params, json=body) as response:
                data = await response.json(content_type=None) if response.status != 204 else {}
                status = response.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise ProviderUnavailable(f"{method} {url} failed: {exc!r}; check that the clinic system is up "
                                      "and base_url is right") from exc
        if status == 404 and missing_ok:
            return None
        if status >= 400:
            raise _error(method, url, status, data if isinstance(data, dict) else {})
        return data if isinstance(data, dict) else {}

    async def _must(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        data = await self._call(method, path, **kw)
        assert data is not None          # only `missing_ok` calls may come back empty
        return data

    async def find_slots(self, query: SlotQuery, *, now: datetime) -> list[Slot]:
        data = await self._must("GET", "/slots", params={**query.to_params(), "now": iso(now)})
        return [Slot.from_json(s) for s in data.get("slots", [])][:query.limit]

    async def hold(self, slot: Slot, patient: str, *, now: datetime, expires_at: datetime) -> Hold:
        body = {"slot": slot.to_json(), "patient": patient, "expires_at": iso(expires_at), "now": iso(now)}
        return Hold.from_json((await self._must("POST", "/holds", body=body))["hold"])

    async def get_hold(self, hold_id: str) -> Hold | None:
        data = await self._call("GET", f"/holds/{hold_id}", missing_ok=True)
        return None if data is None else Hold.from_json(data["hold"])

    async def release(self, hold_id: str, *, now: datetime) -> bool:
        return await self._call("DELETE", f"/holds/{hold_id}", missing_ok=True) is not None

    async def book(self, slot: Slot, patient: str, *, now: datetime, by: str,
                   details: Mapping[str, Any], hold_id: str | None = None,
                   idempotency_key: str | None = None) -> Appointment:
        body = {"slot": slot.to_json(), "patient": patient, "by": by, "details": dict(details),
                "hold_id": hold_id, "now": iso(now), "idempotency_key": idempotency_key}
        return Appointment.from_json((await self._must("POST", "/appointments", body=body))["appointment"])

    async def reschedule(self, appointment_id: str, slot: Slot, *, now: datetime, by: str,
                         hold_id: str | None = None) -> Appointment:
        body = {"slot": slot.to_json(), "by": by, "hold_id": hold_id, "now": iso(now)}
        data = await self._must("POST", f"/appointments/{appointment_id}/reschedule", body=body)
        return Appointment.from_json(data["appointment"])

    async def set_status(self, appointment_id: str, status: Status, *, now: datetime, by: str,
                         reason: str | None = None) -> Appointment:
        body = {"status": status, "by": by, "reason": reason, "now": iso(now)}
        data = await self._must("POST", f"/appointments/{appointment_id}/status", body=body)
        return Appointment.from_json(data["appointment"])

    async def get(self, appointment_id: str) -> Appointment | None:
        data = await self._call("GET", f"/appointments/{appointment_id}", missing_ok=True)
        return None if data is None else Appointment.from_json(data["appointment"])

    async def appointments_of(self, patient: str) -> list[Appointment]:
        data = await self._must("GET", "/appointments", params={"patient": patient})
        return [Appointment.from_json(a) for a in data.get("appointments", [])]

    async def appointments_between(self, start: datetime, end: datetime,
                                   professional: str | None = None) -> list[Appointment]:
        params = {"start": iso(start), "end": iso(end)}
        if professional:
            params["professional"] = professional
        data = await self._must("GET", "/appointments", params=params)
        return [Appointment.from_json(a) for a in data.get("appointments", [])]


def _error(method: str, url: str, status: int, data: Mapping[str, Any]) -> SchedulingError:
    code, message = str(data.get("error", "")), str(data.get("message", ""))
    if status >= 500:
        return ProviderUnavailable(f"{method} {url} answered {status}: {message or 'server error'}; "
                                   "the clinic system is failing, try again later")
    kind = _BY_CODE.get(code, AppointmentNotFound if status == 404 else SchedulingError)
    return kind(f"clinic system refused {method} {url} ({status} {code}): {message or 'no message'}")
