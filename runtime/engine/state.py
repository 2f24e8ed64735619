"""Conversation state: one JSON document per conversation."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

Waiting = Literal["input", "handoff"]


@dataclass(slots=True)
class Frame:
    """Where to go back to when the running flow ends.

    `reenter` means "enter `node` again" (an interrupt that resumes re-asks the question);
    otherwise `node` is the caller's next node, or None when the caller ends too.
    """

    flow: str
    version: str
    node: str | None
    reenter: bool = False


@dataclass(slots=True)
class Conversation:
    """The state of one conversation. `version` is the store's fencing token."""

    version: int = 0
    flow: str | None = None
    flow_version: str | None = None
    node: str | None = None
    waiting: Waiting | None = None
    stack: list[Frame] = field(default_factory=list)
    vars: dict[str, Any] = field(default_factory=dict)
    retries: int = 0
    locale: str | None = None
    handoff_queue: str | None = None
    started_at: str | None = None
    last_inbound_at: str | None = None
    turns: int = 0
    asked_at: str | None = None  # when the waiting question was asked: its timeouts count from here

    @property
    def active(self) -> bool:
        return self.flow is not None

    def last_inbound(self) -> datetime | None:
        return datetime.fromisoformat(self.last_inbound_at) if self.last_inbound_at else None

    def to_json(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in _DOC_FIELDS}
        data["stack"] = [asdict(frame) for frame in self.stack]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], *, version: int) -> Conversation:
        fields = dict(data)
        fields["stack"] = [Frame(**f) for f in fields.get("stack", [])]
        return cls(version=version, **fields)

    def clone(self) -> Conversation:
        """A deep copy: a turn works on its own copy, never on its input."""
        return Conversation.from_json(json.loads(json.dumps(self.to_json())), version=self.version)


_DOC_FIELDS = tuple(name for name in Conversation.__dataclass_fields__ if name != "version")
