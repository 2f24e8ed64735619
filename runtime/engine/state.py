"""Conversation state: one JSON document per conversation.

`vars` holds the user's data: what the flows asked and set. What node handlers keep for
themselves between turns lives in `private`, which templates, exports and the admin API never see.

Each document carries its format (`"format": STATE_FORMAT`); one written by an older release is
brought up to date on load, one step per format (`MIGRATIONS`), and saved in the current format by
its next commit. A document of a newer format is refused (StateFormatUnknown), never half-read.

    format 1   (no "format" key) papo 0.1: node state in `private`; before that in vars `_booking`...
    format 2   the same fields, with "format"
    format 3   `private.opening`: the message that started the running flow, and under "before" the question
               the FAQ answered just before it, when one did (left out while none is kept; "before" is optional)
    format 4   `private.interrupted`: a name question an emergency interrupted, and `private.asked`: the
               question the FAQ answered last (each left out while none is kept)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Literal

from runtime.engine import codec
from runtime.engine.errors import StateFormatUnknown

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
class Private:
    """Node handlers' own state between turns; like `vars`, it ends with the session."""

    booking: dict[str, Any] | None = None  # the waiting scheduling node's step (runtime.nodes.booking)
    reminders: dict[str, str] = field(default_factory=dict)  # `remind` timers still expected: id -> due
    starts: list[dict[str, Any]] = field(default_factory=list)  # starts queued until the conversation is idle
    # The message that started the running flow, for its later questions (`runtime.nodes.core`):
    # {"flow": id, "text": ..., "used": [node ids it answered]}
    opening: dict[str, Any] | None = None
    # A name question an emergency interrupted, for the answer to the offer of a person that follows
    # (`runtime.nodes.safety`): {"flow": id, "version": digest, "node": id, "turn": the turn it was asked in}
    interrupted: dict[str, Any] | None = None
    # The question the FAQ answered last, for the message right after it ("tem pediatra segunda?", then
    # "então quero marcar no sábado": `runtime.nodes.core`): {"text": ..., "turn": the turn it was asked in}
    asked: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """The document to store (its values are the state's own: written, never changed)."""
        data = {name: getattr(self, name) for name in _PRIVATE_FIELDS}
        if not self.starts:  # left out while none waits: documents stay as the format describes them
            del data["starts"]
        if self.opening is None:
            del data["opening"]
        if self.interrupted is None:
            del data["interrupted"]
        if self.asked is None:
            del data["asked"]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Private:
        return cls(**data)


# Where documents stored before `private` existed kept it: in vars, under these names.
_FORMER_VARS = {"_booking": "booking", "_reminders": "reminders"}


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
    opted_out_at: str | None = None  # the patient asked for no more messages: no reminders, no proactive sends
    privacy_requested_at: str | None = None  # the patient asked about their personal data: staff must answer
    away_sent_at: str | None = None  # the closed period (its start) the away message went out for
    taken_from: str | None = None  # staff took the conversation over from the bot: "input" (a question waited) or ""
    blocked_at: str | None = None  # staff blocked processing (LGPD art. 18 IV): the data is kept, nothing runs
    # The consent of each purpose now ("marketing", "reminders"): {"granted", "at", "source"}; the ledger
    # (`runtime.privacy.ledger`) keeps every change as evidence.
    consents: dict[str, dict[str, Any]] = field(default_factory=dict)
    private: Private = field(default_factory=Private)

    @property
    def active(self) -> bool:
        return self.flow is not None

    def consent(self, purpose: str) -> bool | None:
        """True (opted in), False (refused or revoked) or None (never asked) for `purpose`."""
        entry = self.consents.get(purpose)
        return None if entry is None else bool(entry.get("granted"))

    def last_inbound(self) -> datetime | None:
        return datetime.fromisoformat(self.last_inbound_at) if self.last_inbound_at else None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"format": STATE_FORMAT}
        data |= {name: getattr(self, name) for name in _DOC_FIELDS}
        data["stack"] = [{name: getattr(frame, name) for name in _FRAME_FIELDS} for frame in self.stack]
        data["private"] = self.private.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], *, version: int) -> Conversation:
        fields = migrated(data)
        del fields["format"]
        fields["stack"] = [Frame(**f) for f in fields.get("stack", [])]
        fields["private"] = Private.from_json(fields.get("private", {}))
        return cls(version=version, **fields)

    def clone(self) -> Conversation:
        """A deep copy: a turn works on its own copy, never on its input."""
        return Conversation.from_json(codec.loads(codec.dumps(self.to_json())), version=self.version)


STATE_FORMAT = 4


def migrated(data: dict[str, Any]) -> dict[str, Any]:
    """`data` (a stored document, not changed) in the current format; raises StateFormatUnknown for a newer one."""
    found = int(data.get("format", 1))
    if found > STATE_FORMAT:
        raise StateFormatUnknown(found, STATE_FORMAT)
    doc = dict(data)
    for step in range(found, STATE_FORMAT):
        doc = MIGRATIONS[step](doc)
    return doc


def _from_1(doc: dict[str, Any]) -> dict[str, Any]:
    """Format 1 -> 2: node state still kept in vars moves to `private`; the format is written down."""
    doc["vars"], doc["private"] = _split_former_vars(doc.get("vars", {}), doc.get("private", {}))
    return doc | {"format": 2}


def _from_2(doc: dict[str, Any]) -> dict[str, Any]:
    """Format 2 -> 3: nothing to move (a format 2 document keeps no opening message)."""
    return doc | {"format": 3}


def _from_3(doc: dict[str, Any]) -> dict[str, Any]:
    """Format 3 -> 4: nothing to move (a format 3 document keeps no interrupted or answered question)."""
    return doc | {"format": 4}


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _from_1, 2: _from_2, 3: _from_3}


def _split_former_vars(variables: dict[str, Any], private: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """An older document's node state moves from its variables to `private`."""
    if not _FORMER_VARS.keys() & variables.keys():
        return variables, private
    moved = {new: variables[old] for old, new in _FORMER_VARS.items() if old in variables}
    return {k: v for k, v in variables.items() if k not in _FORMER_VARS}, moved | private


_FRAME_FIELDS = tuple(f.name for f in fields(Frame))
_PRIVATE_FIELDS = tuple(f.name for f in fields(Private))
_DOC_FIELDS = tuple(name for name in Conversation.__dataclass_fields__ if name != "version")
