"""Value objects shared by every provider: slots, holds, appointments and their history.

Instants are aware UTC datetimes; the calendar's zone turns them into local wall time for people.
`to_json`/`from_json` define the wire and storage form (ISO 8601 with "Z"), also used by the
HTTP provider's contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from typing import Any, Literal, cast

from runtime.timers.clock import from_ms, require_aware, to_ms

Status = Literal["booked", "confirmed", "cancelled", "no_show"]
Action = Literal["booked", "rescheduled", "cancelled", "confirmed", "no_show"]
ACTIVE: frozenset[str] = frozenset({"booked", "confirmed"})


def iso(instant: datetime) -> str:
    return require_aware(instant).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    return require_aware(datetime.fromisoformat(text.replace("Z", "+00:00")))


@dataclass(frozen=True, slots=True)
class Slot:
    """`service` with `professional` from `start` to `end`; `ref` is a compact id for a button."""

    service: str
    professional: str
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", require_aware(self.start))
        object.__setattr__(self, "end", require_aware(self.end))

    @property
    def ref(self) -> str:
        return f"{self.service}|{self.professional}|{to_ms(self.start)}|{to_ms(self.end)}"

    @classmethod
    def from_ref(cls, ref: str) -> Slot:
        try:
            service, professional, start, end = ref.split("|")
            return cls(service, professional, from_ms(int(start)), from_ms(int(end)))
        except ValueError as exc:
            raise ValueError(f"slot ref {ref!r} is not 'service|professional|start_ms|end_ms'") from exc

    def to_json(self) -> dict[str, str]:
        return {"service": self.service, "professional": self.professional,
                "start": iso(self.start), "end": iso(self.end)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Slot:
        return cls(data["service"], data["professional"], parse_iso(data["start"]), parse_iso(data["end"]))


@dataclass(frozen=True, slots=True)
class Hold:
    id: str
    slot: Slot
    patient: str
    expires_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "slot": self.slot.to_json(), "patient": self.patient,
                "expires_at": iso(self.expires_at)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Hold:
        return cls(data["id"], Slot.from_json(data["slot"]), data["patient"], parse_iso(data["expires_at"]))


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: datetime
    action: Action
    by: str = "patient"                       # "patient", "staff", "system" or a staff member id
    start: datetime | None = None             # for booked/rescheduled: the new start
    professional: str | None = None
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"at": iso(self.at), "action": self.action, "by": self.by}
        if self.start is not None:
            data["start"] = iso(self.start)
        if self.professional is not None:
            data["professional"] = self.professional
        if self.reason:
            data["reason"] = self.reason
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> HistoryEntry:
        start = parse_iso(data["start"]) if data.get("start") else None
        return cls(parse_iso(data["at"]), cast(Action, data["action"]), data.get("by", "patient"), start,
                   data.get("professional"), data.get("reason"))


@dataclass(frozen=True, slots=True)
class Appointment:
    id: str
    slot: Slot
    patient: str
    status: Status = "booked"
    details: Mapping[str, Any] = field(default_factory=dict)   # e.g. the patient's name, channel
    history: tuple[HistoryEntry, ...] = ()

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def changed(self, entry: HistoryEntry, *, status: Status | None = None, slot: Slot | None = None
                ) -> Appointment:
        return replace(self, status=status or self.status, slot=slot or self.slot,
                       history=(*self.history, entry))

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, **self.slot.to_json(), "patient": self.patient, "status": self.status,
                "details": dict(self.details), "history": [h.to_json() for h in self.history]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Appointment:
        history = tuple(HistoryEntry.from_json(h) for h in data.get("history", ()))
        return cls(data["id"], Slot.from_json(data), data["patient"], cast(Status, data["status"]),
                   data.get("details") or {}, history)


@dataclass(frozen=True, slots=True)
class SlotQuery:
    """What a provider searches: starts within [start, end), local start time within `period`."""

    service: str
    start: datetime
    end: datetime
    professional: str | None = None
    period: tuple[time, time] | None = None
    limit: int = 5

    def to_params(self) -> dict[str, str]:
        params = {"service": self.service, "start": iso(self.start), "end": iso(self.end),
                  "limit": str(self.limit)}
        if self.professional:
            params["professional"] = self.professional
        if self.period:
            params["period_from"], params["period_to"] = (t.strftime("%H:%M") for t in self.period)
        return params
