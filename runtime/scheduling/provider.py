"""`CalendarProvider`: the seam between the scheduler's rules and where appointments live.

`RedisCalendar` (the default) keeps them in Redis; `HttpCalendar` asks the clinic's own system.
Providers store and search; the `Scheduler` above them enforces notice, reach and ownership.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from runtime.scheduling.model import Appointment, Hold, Slot, SlotQuery, Status


class CalendarProvider(Protocol):
    async def find_slots(self, query: SlotQuery, *, now: datetime) -> list[Slot]:
        """Free slots matching `query`, earliest first, at most `query.limit`."""
        ...

    async def hold(self, slot: Slot, patient: str, *, now: datetime, expires_at: datetime) -> Hold:
        """Keep `slot` for `patient` until `expires_at`, replacing their previous hold; SlotTaken."""
        ...

    async def get_hold(self, hold_id: str) -> Hold | None: ...

    async def release(self, hold_id: str, *, now: datetime) -> bool: ...

    async def book(self, slot: Slot, patient: str, *, now: datetime, by: str,
                   details: Mapping[str, Any], hold_id: str | None = None,
                   idempotency_key: str | None = None) -> Appointment:
        """Book atomically; SlotTaken if anyone else holds or booked it, HoldExpired for a stale hold.
        A second call with the same `idempotency_key` (and patient) returns the first call's appointment
        and books nothing: a turn run again after a crash finds the booking it made."""
        ...

    async def reschedule(self, appointment_id: str, slot: Slot, *, now: datetime, by: str,
                         hold_id: str | None = None) -> Appointment: ...

    async def set_status(self, appointment_id: str, status: Status, *, now: datetime, by: str,
                         reason: str | None = None) -> Appointment:
        """Cancel, confirm or mark a no-show, adding to the history; a cancel frees the slot."""
        ...

    async def get(self, appointment_id: str) -> Appointment | None: ...

    async def appointments_of(self, patient: str) -> list[Appointment]: ...

    async def appointments_between(self, start: datetime, end: datetime,
                                   professional: str | None = None) -> list[Appointment]:
        """Appointments (any status) starting in [start, end), by start."""
        ...

    async def aclose(self) -> None: ...
