"""The Redis calendar's keys and its busy members.

The key layout is `runtime.keys.Keys.calendar` (`<prefix>:{cal:<calendar>}:<part>`, see
`CalendarKeys`): one hash tag per calendar, so every booking script is one slot.

A busy member is "<a|h>|<professional>|<id>|<end_ms>|<hold expiry ms, 0 for appointments>", so
a Lua script checks overlaps and hold expiry from the member alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from runtime.keys import CalendarKeys
from runtime.timers.clock import from_ms, to_ms

__all__ = ["MAX_SPAN", "BusyMember", "CalendarKeys"]

# No appointment is longer than this (the schema caps a service at 720 minutes); overlap checks
# look this far back from a slot's start.
MAX_SPAN = timedelta(hours=24)


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
