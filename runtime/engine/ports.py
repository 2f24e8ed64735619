"""What a turn needs from outside the engine, as Protocols: the flow versions, the NLU, and the
services bundle node handlers receive. The engine imports no Redis, HTTP or scheduling code;
`runtime.nodes.services.BotServices` is the bundle papo passes in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol

from flows.messages import InboundEvent
from flows.model import Bot, Flow


class Library(Protocol):
    """What a turn needs to know about flow versions (see `runtime.conversations.library.BotLibrary`)."""

    @property
    def current(self) -> Bot: ...

    def newest(self, flow_id: str) -> Flow: ...

    def flow(self, flow_id: str, digest: str) -> Flow: ...


class Understanding(Protocol):
    """Reads a message: Rasa's /model/parse shape (intent, intent_ranking, entities)."""

    @property
    def fallback_intent(self) -> str: ...

    async def parse(self, text: str, now: datetime | None = None) -> dict[str, Any]: ...


Typing = Callable[[InboundEvent], Awaitable[None]]


class ServicesPort(Protocol):
    """The part of the services bundle the engine itself uses; node handlers see the whole bundle."""

    @property
    def nlu(self) -> Understanding | None: ...

    @property
    def has_timers(self) -> bool: ...
