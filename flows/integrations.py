"""bot.json's integration sections, parsed once at load: `http` (the hosts `http` nodes may call) and
`events` (where papo tells other systems what happened). Their defaults are written here and nowhere
else; secrets are `${ENV}` references, resolved where papo runs, never stored."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ENV_REF = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)\}")
HTTP_TIMEOUT_S = 5.0
PRIVATE_TAGS = frozenset({"pii", "sensitive"})
PRIVATE_BUILTINS = frozenset({"user"})  # the user's id on the channel: a phone number on WhatsApp

# Every event type papo emits; `message.*` only to a subscription that names them (masked texts).
EVENT_TYPES: tuple[str, ...] = (
    "contact.created", "conversation.started", "conversation.ended",
    "handoff.requested", "handoff.taken", "handoff.resolved",
    "appointment.booked", "appointment.rescheduled", "appointment.cancelled", "appointment.confirmed",
    "appointment.no_show",
    "consent.given", "consent.revoked", "opt_out",
    "label.added", "label.removed",
    "message.received", "message.sent",
)
OPT_IN_TYPES = frozenset({"message.received", "message.sent"})  # never sent to a subscription by default


@dataclass(frozen=True, slots=True)
class HttpSettings:
    """bot.json "http": which hosts `http` nodes may call. An entry is a host (`crm.example.com`,
    `127.0.0.1:8080`) or an `${ENV}` reference whose value (a URL or a host) is read where papo runs."""

    allow_hosts: tuple[str, ...] = ()
    timeout: float = HTTP_TIMEOUT_S  # seconds, for a node that names none

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> HttpSettings:
        return cls(tuple(data.get("allow_hosts", ())), float(data.get("timeout", HTTP_TIMEOUT_S)))

    @property
    def literal_hosts(self) -> frozenset[str]:
        return frozenset(h.lower() for h in self.allow_hosts if not ENV_REF.fullmatch(h))

    @property
    def env_hosts(self) -> frozenset[str]:
        """The environment variables whose values are allowed hosts."""
        return frozenset(m.group(1) for h in self.allow_hosts if (m := ENV_REF.fullmatch(h)))


@dataclass(frozen=True, slots=True)
class EventSubscription:
    """One entry of bot.json "events": where to POST which event types, signed with `secret`."""

    id: str
    url: str  # a https URL or an ${ENV} reference to one
    secret: str  # an ${ENV} reference
    types: tuple[str, ...] = ()  # empty: every type but the message ones

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EventSubscription:
        return cls(data["id"], data["url"], data["secret"], tuple(data.get("types", ())))

    def wants(self, event_type: str) -> bool:
        return event_type in self.types if self.types else event_type not in OPT_IN_TYPES


def subscriptions_from_json(data: Any) -> tuple[EventSubscription, ...]:
    return tuple(EventSubscription.from_json(s) for s in data or ())

