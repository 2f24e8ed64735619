"""Value objects of the timer queue: what is scheduled, what a worker claims, what was skipped."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from runtime.timers.clock import from_ms, require_aware, to_ms
from runtime.timers.errors import TimerEncodingError


@dataclass(frozen=True, slots=True)
class Timer:
    """Something to fire at `due`; scheduling an `id` again replaces it (the id is the idempotency key).

    `max_lateness`: when the timer is claimed later than `due + max_lateness` it is skipped and
    recorded instead of fired (None: the queue's default applies).
    """

    id: str
    due: datetime
    kind: str = "timer"
    payload: Mapping[str, Any] = field(default_factory=dict)
    max_lateness: timedelta | None = None

    def __post_init__(self) -> None:
        if not self.id:
            raise TimerEncodingError("a timer needs a non-empty id, e.g. \"reminder:<appointment>:24h\"")
        object.__setattr__(self, "due", require_aware(self.due))

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "due": self.due.isoformat(), "payload": dict(self.payload)}


@dataclass(frozen=True, slots=True)
class ClaimedTimer:
    """A timer leased to one worker until `lease_until`; finish it with `complete` or `retry`.

    Claims are at least once: after a crash the same timer may be claimed again. `fire_key`
    is the same on every claim of one scheduling of the timer, so effects keyed on it
    (a dedupe `SET NX`, an event id) happen once.
    """

    timer: Timer
    token: str
    attempt: int
    rev: str
    lease_until: datetime

    @property
    def fire_key(self) -> str:
        return f"{self.timer.id}:{self.rev}"


@dataclass(frozen=True, slots=True)
class SkippedTimer:
    """A timer not fired: `reason` is "late" (past its lateness limit) or "dead" (out of attempts)."""

    timer: Timer
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ClaimBatch:
    timers: list[ClaimedTimer]
    skipped: list[SkippedTimer]


def encode(timer: Timer, rev: str) -> str:
    """`<due_ms>|<max_late_ms or -1>|<json>`: the Lua claim reads the two numbers without a JSON parser."""
    late = -1 if timer.max_lateness is None else timer.max_lateness // timedelta(milliseconds=1)
    try:
        doc = json.dumps({"kind": timer.kind, "payload": dict(timer.payload), "rev": rev},
                         ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise TimerEncodingError(f"timer {timer.id!r}: payload is not JSON-serialisable ({exc}); "
                                 "pass plain dicts, lists, strings and numbers") from exc
    return f"{to_ms(timer.due)}|{late}|{doc}"


def decode(timer_id: str, body: str) -> tuple[Timer, str]:
    """The timer and its revision from a stored body."""
    due_ms, late_ms, doc = body.split("|", 2)
    data = json.loads(doc)
    late = None if int(late_ms) < 0 else timedelta(milliseconds=int(late_ms))
    timer = Timer(id=timer_id, due=from_ms(due_ms), kind=data["kind"], payload=data["payload"],
                  max_lateness=late)
    return timer, str(data["rev"])
