"""The Redis calendar's key layout: one hash tag per calendar, so every booking script is one slot.

    <prefix>:{cal:<calendar>}:busy              sorted set  busy member -> start (ms)
    <prefix>:{cal:<calendar>}:appts             hash        appointment id -> JSON
    <prefix>:{cal:<calendar>}:starts            sorted set  appointment id -> start (ms)
    <prefix>:{cal:<calendar>}:patient:<patient> sorted set  appointment id -> start (ms)
    <prefix>:{cal:<calendar>}:holds             hash        hold id -> "<busy member>#<hold JSON>"
    <prefix>:{cal:<calendar>}:holdexp           sorted set  hold id -> expiry (ms)
    <prefix>:{cal:<calendar>}:holdof            hash        patient -> their current hold id

A busy member is "<a|h>|<professional>|<id>|<end_ms>|<hold expiry ms, 0 for appointments>", so
a Lua script checks overlaps and hold expiry from the member alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from runtime.timers.clock import from_ms, to_ms

# No appointment is longer than this (the schema caps a service at 720 minutes); overlap checks
# look this far back from a slot's start.
MAX_SPAN = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class CalendarKeys:
    prefix: str
    calendar: str

    def _key(self, part: str) -> str:
        return f"{self.prefix}:{{cal:{self.calendar}}}:{part}"

    @property
    def busy(self) -> str:
        return self._key("busy")

    @property
    def appts(self) -> str:
        return self._key("appts")

    @property
    def starts(self) -> str:
        return self._key("starts")

    def patient(self, patient: str) -> str:
        return self._key(f"patient:{patient}")

    @property
    def holds(self) -> str:
        return self._key("holds")

    def script_keys(self, patient: str) -> list[str]:
        """KEYS of every calendar script, always in this order."""
        return [self.busy, self.appts, self.starts, self.patient(patient), self.holds,
                self._key("holdexp"), self._key("holdof")]


@dataclass(frozen=True, slots=True)
class BusyMember:
    kind: str              # "a" appointment, "h" hold
    professional: str
    id: str
    end: datetime
    expires: datetime | None = None

    def encode(self) -> str:
        expires = 0 if self.expires is None else to_ms(self.expires)
        return f"{self.kind}|{self.professional}|{self.id}|{to_ms(self.end)}|{expires}"

    @classmethod
    def decode(cls, member: str) -> BusyMember:
        kind, prof, ident, end, expires = member.split("|")
        return cls(kind, prof, ident, from_ms(int(end)), from_ms(int(expires)) if kind == "h" else None)
