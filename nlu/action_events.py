"""What the events of a rasa-sdk action mean for a papo conversation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# Events that only describe what happened; papo logs them and changes nothing.
LOG_ONLY = frozenset({"user", "bot", "action", "agent", "export", "user_featurization", "loop_interrupted",
                      "entities", "stack", "flow_started", "flow_completed"})


@dataclass
class ActionOutcome:
    """The effect of one action run: variables to set, control changes, messages to send.

    variables: name -> new value (None when the slot was reset). reset_all: every variable was
    reset first. paused: True after `pause`, False after `resume`, None when unchanged.
    active_loop: the loop's name, "" when the loop ended, None when unchanged.
    """

    variables: dict[str, Any] = field(default_factory=dict)
    reset_all: bool = False
    followup: str | None = None
    paused: bool | None = None
    restart: bool = False
    rewind: int = 0
    rejected: bool = False
    active_loop: str | None = None
    reminders: list[dict[str, Any]] = field(default_factory=list)
    cancelled_reminders: list[dict[str, Any]] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def apply_events(events: Sequence[Mapping[str, Any]], responses: Sequence[Mapping[str, Any]] = ()) -> ActionOutcome:
    """Fold rasa-sdk events, in order, into one outcome."""
    outcome = ActionOutcome(responses=[dict(r) for r in responses], events=[dict(e) for e in events])
    for event in events:
        _apply(outcome, event)
    return outcome


def _apply(outcome: ActionOutcome, event: Mapping[str, Any]) -> None:
    kind = str(event.get("event", ""))
    if kind == "slot":
        outcome.variables[str(event["name"])] = event.get("value")
    elif kind == "reset_slots":
        outcome.variables.clear()
        outcome.reset_all = True
    elif kind == "followup":
        outcome.followup = str(event["name"])
    elif kind in ("pause", "resume"):
        outcome.paused = kind == "pause"
    elif kind == "restart":
        outcome.restart = True
    elif kind in ("rewind", "undo"):
        outcome.rewind += 1
    elif kind == "action_execution_rejected":
        outcome.rejected = True
    elif kind in ("active_loop", "form"):
        outcome.active_loop = event.get("name") or ""
    elif kind == "reminder":
        outcome.reminders.append(dict(event))
    elif kind == "cancel_reminder":
        outcome.cancelled_reminders.append(dict(event))
    elif kind not in LOG_ONLY and kind != "session_started":
        outcome.ignored.append(kind)
