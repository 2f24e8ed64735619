"""An outbound event as a receiver gets it: a unique id (also the idempotency key), the schema version,
the type, the time, the bot, the contact as a hashed reference (never the phone number) and the data.
Its JSON Schema is `flows/schema/events/event.schema.json`."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from runtime.keys import ConversationKey

VERSION = 1


def contact_id(key: ConversationKey) -> str:
    """The conversation's digest (32 hex digits of SHA-256 over `bot:channel:user`), as papo's shared
    streams name it: the same contact always has the same id, which does not reveal the user id."""
    return key.digest


def event_id(key: ConversationKey, cause: str, index: int, event_type: str) -> str:
    """A stable id for the `index`-th event a cause (an inbound event's id) produced: a turn that runs
    again after a crash, before its commit, emits the same ids."""
    digest = hashlib.sha256(f"{key.bot}|{key.channel}|{key.user}|{cause}|{index}|{event_type}".encode())
    return f"evt_{digest.hexdigest()[:26]}"


def envelope(key: ConversationKey, event_type: str, data: dict[str, Any], *, at: datetime, id: str) -> dict[str, Any]:
    return {"id": id, "version": VERSION, "type": event_type, "time": _utc(at), "bot": key.bot,
            "contact": {"id": contact_id(key), "channel": key.channel}, "data": data}


def encoded(event: dict[str, Any]) -> str:
    """The bytes a receiver gets (and signs over), as text: compact, UTF-8."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
