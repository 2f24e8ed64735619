"""Which events a committed turn emits, read from what the turn did: its notices (a booking, a consent,
a handoff...) and the difference between the state before and after it (a new contact, labels). Pure:
the processor writes what this returns in the turn's own commit, so a turn that is never committed
emits nothing."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from flows.messages import InboundEvent, OutboundMessage
from runtime.engine.routing import labels_of
from runtime.engine.state import Conversation
from runtime.engine.turn import TurnResult
from runtime.events.envelope import envelope, event_id
from runtime.keys import ConversationKey
from runtime.llm.privacy import mask

Found = list[tuple[str, dict[str, Any]]]  # (type, data) in the order they happened

APPOINTMENT_NOTICES = {"booked": "appointment.booked", "rescheduled": "appointment.rescheduled",
                       "cancelled": "appointment.cancelled", "confirmed": "appointment.confirmed"}


def events_of(key: ConversationKey, before: Conversation | None, event: InboundEvent, result: TurnResult, *,
              at: datetime, wanted: Collection[str], private: Collection[str] = ()) -> list[dict[str, Any]]:
    """The envelopes of the events of `wanted` types this turn emits, in order."""
    found: Found = []
    if before is None:
        found.append(("contact.created", {}))
    found += _from_notices(before, result)
    found += _labels(before, result.state)
    if _finished(before, result) and not any(t == "conversation.ended" for t, _ in found):
        last = result.trace[-1].split("/")[0] if result.trace else before.flow if before is not None else None
        found.append(("conversation.ended", {"flow": last, "reason": "finished"}))
    found += _messages(event, result.messages, result.state, private)
    return [envelope(key, kind, data, at=at, id=event_id(key, event.id, i, kind))
            for i, (kind, data) in enumerate(found) if kind in wanted]


def _finished(before: Conversation | None, result: TurnResult) -> bool:
    """Nothing waits after the turn (no flow, no question, no staff) and something was going on: a flow
    ran in this turn, or one was running before it."""
    after = result.state
    if after.active or after.waiting is not None:
        return False
    return bool(result.trace) or (before is not None and (before.active or before.waiting is not None))


def _from_notices(before: Conversation | None, result: TurnResult) -> Found:
    found: Found = [("conversation.started", {"flow": result.state.flow})] if before is None else []
    for notice in result.notices:
        kind = notice.get("kind")
        if kind in _NOTICES:
            found += _NOTICES[kind](notice, before, result)
    return found


def _expired(notice: dict[str, Any], before: Conversation | None, result: TurnResult) -> Found:
    return [("conversation.ended", {"flow": notice.get("flow"), "reason": "expired"}),
            ("conversation.started", {"flow": result.state.flow})]


def _consent(notice: dict[str, Any], before: Conversation | None, result: TurnResult) -> Found:
    kind = "consent.given" if notice.get("granted") else "consent.revoked"
    return [(kind, {"purpose": notice.get("purpose"), "source": notice.get("source")})]


def _safety(notice: dict[str, Any], before: Conversation | None, result: TurnResult) -> Found:
    return [("opt_out", {"at": result.state.opted_out_at})] if notice.get("topic") == "opt_out" else []


APPOINTMENT_FIELDS = ("service", "professional", "start", "end", "status")  # never the patient


def appointment_data(appointment_id: str, found: dict[str, Any] | None, by: str) -> dict[str, Any]:
    """An appointment event's data: its id, who acted, and the slot when known (no patient field)."""
    slot = {k: found[k] for k in APPOINTMENT_FIELDS if found is not None and k in found}
    return {"appointment": appointment_id, "by": by, **slot}


def _appointment(kind: str) -> Callable[[dict[str, Any], Conversation | None, TurnResult], Found]:
    def found(notice: dict[str, Any], before: Conversation | None, result: TurnResult) -> Found:
        appt_id = str(notice.get("appointment"))
        held = next((v for v in result.state.vars.values() if isinstance(v, dict) and v.get("id") == appt_id), None)
        return [(APPOINTMENT_NOTICES[kind], appointment_data(appt_id, held, "patient"))]
    return found


_NOTICES: dict[str, Callable[[dict[str, Any], Conversation | None, TurnResult], Found]] = {
    "expired": _expired,
    "handoff": lambda n, b, r: [("handoff.requested", {"queue": n.get("queue")})],
    "taken_over": lambda n, b, r: [("handoff.taken", {"by": "staff"})],
    "handoff_resumed": lambda n, b, r: [("handoff.resolved", {"by": "staff", "flow": n.get("flow")})],
    "handoff_timed_out": lambda n, b, r: [("handoff.resolved", {"by": "timeout", "flow": None})],
    "consent": _consent,
    "safety": _safety,
    **{kind: _appointment(kind) for kind in APPOINTMENT_NOTICES},
}


def _labels(before: Conversation | None, after: Conversation) -> Found:
    old = set(labels_of(before)) if before is not None else set()
    new = set(labels_of(after))
    return ([("label.added", {"label": label}) for label in sorted(new - old)]
            + [("label.removed", {"label": label}) for label in sorted(old - new)])


def _messages(event: InboundEvent, replies: list[OutboundMessage], state: Conversation,
              private: Collection[str]) -> Found:
    """The texts in and out, masked: CPF, phone, e-mail, card numbers and personal variables' values."""
    values = [str(state.vars[name]) for name in private if state.vars.get(name) not in (None, "")]
    found: Found = []
    if event.kind not in ("timer", "system") and (event.text or event.choice_id):
        found.append(("message.received", {"text": mask(event.text, values), "choice": event.choice_id}))
    found += [("message.sent", {"text": mask(reply.text, values)}) for reply in replies if reply.text]
    return found
