"""What the processor and staff actions emit through: the turn's events (written by its commit) and
events of staff actions outside the chat; both wake the delivery loop of this process."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from flows.messages import InboundEvent
from runtime.engine.state import Conversation
from runtime.engine.turn import TurnResult
from runtime.events.emit import events_of
from runtime.events.envelope import encoded, envelope
from runtime.events.outbox import EventOutbox
from runtime.keys import ConversationKey


class EventEmitter:
    def __init__(self, outbox: EventOutbox, subs: Sequence[str], wanted: Collection[str], *,
                 private: Collection[str] = (), nudge: asyncio.Event | None = None) -> None:
        self.outbox = outbox
        self.subs = list(subs)
        self.wanted = frozenset(wanted)
        self.private = tuple(private)
        self.nudge = nudge

    def of(self, key: ConversationKey, before: Conversation | None, event: InboundEvent, result: TurnResult,
           at: datetime) -> list[str]:
        """The turn's events, encoded, for its commit."""
        return [encoded(e) for e in events_of(key, before, event, result, at=at, wanted=self.wanted,
                                              private=self.private)]

    async def committed(self, key: ConversationKey, at: datetime) -> None:
        """A commit wrote events of `key`: every subscription has something to take."""
        await self.outbox.signal(key, self.subs, now_ms=int(at.timestamp() * 1000))
        if self.nudge is not None:
            self.nudge.set()

    async def emit(self, key: ConversationKey, event_type: str, data: dict[str, Any], *, at: datetime) -> None:
        """An event of a staff action outside the chat (a booking from the inbox, a no-show)."""
        if event_type not in self.wanted:
            return
        body = encoded(envelope(key, event_type, data, at=at, id=f"evt_{secrets.token_hex(13)}"))
        await self.outbox.append(key, [body], self.subs, now_ms=int(at.timestamp() * 1000))
        if self.nudge is not None:
            self.nudge.set()
