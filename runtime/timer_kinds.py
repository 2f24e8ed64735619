"""Timers into conversations: a timer that falls due becomes an `InboundEvent(kind="timer")` with
the claim's `fire_key` as its id, submitted like a message (deduped, ordered, committed); `route`
hands it here, to the handler of its timer kind:

- `reminder` (from the scheduler): starts the bot's reminder flow with the appointment in
  `appointment`, after keeping the user's place;
- `remind` (from a `remind` node): starts the node's flow the same way;
- `ask_timeout` (from an `ask` with `timeouts`): nudges, or moves the conversation on.

Each handler first checks that the conversation is still where the timer expects it; a timer
whose conversation moved on is ignored (and noted).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from flows.messages import InboundEvent
from flows.model import AskNode, parse_duration
from flows.scheduling_nodes import RemindNode
from flows.templating import evaluate

from .booking_texts import appointment_vars
from .engine import Go, Outcome, Turn, TurnResult, nodes
from .scheduling import SchedulingError
from .scheduling.model import iso
from .timers import ClaimedTimer, Dispatcher, Timer

if TYPE_CHECKING:
    from .processor import Processor

log = logging.getLogger("papo.timers")

TimerTurn = Callable[[Turn, dict[str, Any]], Awaitable[None]]
REMINDERS = "_reminders"  # remind timers this conversation still expects: timer id -> due


class TimerKinds:
    """Handlers per timer kind; a duplicate fails loudly, an unknown kind is noted and ignored."""

    def __init__(self) -> None:
        self._kinds: dict[str, TimerTurn] = {}

    def handles(self, kind: str) -> Callable[[TimerTurn], TimerTurn]:
        def add(handler: TimerTurn) -> TimerTurn:
            if kind in self._kinds:
                raise ValueError(f"timer kind {kind!r} is already handled by {self._kinds[kind].__qualname__}")
            self._kinds[kind] = handler
            return handler

        return add

    async def route(self, t: Turn) -> None:
        kind = str(t.event.data.get("timer", ""))
        if (handler := self._kinds.get(kind)) is None:
            t.notices.append({"kind": "timer_ignored", "timer": kind, "why": "unknown timer kind"})
            return
        await handler(t, dict(t.event.data.get("payload", {})))

    def kinds(self) -> set[str]:
        return set(self._kinds)


timer_kinds = TimerKinds()


def conversation_of(payload: Mapping[str, Any]) -> tuple[str, str] | None:
    """(channel, user) of a timer: named in the payload, or its `patient` ("channel:user")."""
    if payload.get("channel") and payload.get("user"):
        return str(payload["channel"]), str(payload["user"])
    channel, sep, user = str(payload.get("patient", "")).partition(":")
    return (channel, user) if sep and channel and user else None


def timer_event(claim: ClaimedTimer, at: datetime) -> InboundEvent | None:
    where = conversation_of(claim.timer.payload)
    if where is None:
        return None
    return InboundEvent(channel=where[0], user=where[1], id=claim.fire_key, at=at, kind="timer",
                        data={"timer": claim.timer.kind, "timer_id": claim.timer.id,
                              "due": claim.timer.due.isoformat(), "payload": dict(claim.timer.payload)})


class ConversationTimers:
    """A `Dispatcher` handler: each due timer is submitted to its conversation as an event, so a
    timer claimed twice is answered once (the conversation's inbox dedupes its id)."""

    def __init__(self, processor: Processor) -> None:
        self.processor = processor
        self.results: list[TurnResult] = []

    async def __call__(self, claim: ClaimedTimer) -> None:
        event = timer_event(claim, self.processor.clock.now())
        if event is None:
            log.warning("timer %s names no conversation; dropped", claim.timer.id)
            return
        self.results += (await self.processor.submit(event)).results


def conversation_dispatcher(processor: Processor, **options: Any) -> Dispatcher | None:
    """The timer worker of a bot: each due timer goes to its conversation through `processor`
    (run it with `.run(stop)`); None when the bot's services have no timer queue."""
    timers = processor.services.timers
    if timers is None:
        return None
    return Dispatcher(timers, ConversationTimers(processor), processor.clock, **options)


def _ignore(t: Turn, why: str) -> None:
    t.notices.append({"kind": "timer_ignored", "timer": t.event.data.get("timer"), "why": why})


async def _start_beside(t: Turn, flow_id: str, variables: Mapping[str, Any]) -> None:
    """Run `flow_id` now; a waiting question of another flow is asked again when it ends."""
    if t.flow is not None and t.flow.id == flow_id:
        t.clear()  # a second reminder replaces the first one's unanswered question
    elif t.state.waiting == "input" and t.state.node is not None and t.flow is not None:
        t.push(t.state.node, reenter=True)
    else:
        t.clear()
    t.state.vars.update(variables)
    await t.run(t.start_flow(flow_id))


@timer_kinds.handles("reminder")
async def fire_reminder(t: Turn, payload: dict[str, Any]) -> None:
    flow_id, scheduler = t.bot.scheduling.get("reminder_flow"), t.services.scheduler
    if not flow_id or flow_id not in t.bot.flows or scheduler is None:
        _ignore(t, "the bot has no scheduling.reminder_flow or no calendar")
        return
    if t.state.waiting == "handoff":
        _ignore(t, "staff are talking to the patient")
        return
    try:
        appt = await scheduler.get(str(payload["appointment"]), patient=str(payload["patient"]))
    except SchedulingError:
        _ignore(t, "the appointment is gone")
        return
    if not appt.active or iso(appt.slot.start) != payload.get("start"):
        _ignore(t, "the appointment was cancelled or moved")
        return
    t.notices.append({"kind": "reminder", "appointment": appt.id, "reminder": payload.get("reminder")})
    await _start_beside(t, flow_id, {"appointment": appointment_vars(appt, scheduler.calendar)})


@timer_kinds.handles("remind")
async def fire_remind(t: Turn, payload: dict[str, Any]) -> None:
    expected = t.state.vars.get(REMINDERS) or {}
    timer_id = str(t.event.data.get("timer_id"))
    if expected.get(timer_id) != payload.get("due") or payload.get("flow") not in t.bot.flows:
        _ignore(t, "the conversation no longer expects this reminder")
        return
    if t.state.waiting == "handoff":
        _ignore(t, "staff are talking to the user")
        return
    expected.pop(timer_id)
    await _start_beside(t, str(payload["flow"]), {})


@timer_kinds.handles("ask_timeout")
async def fire_ask_timeout(t: Turn, payload: dict[str, Any]) -> None:
    state, flow = t.state, t.flow
    if (state.waiting != "input" or flow is None or state.node is None or state.flow != payload.get("flow")
            or state.node != payload.get("node") or state.asked_at != payload.get("asked_at")):
        _ignore(t, "the question was answered or the conversation moved on")
        return
    node, rung = flow.node(state.node), int(payload.get("rung", 0))
    if not isinstance(node, AskNode) or rung >= len(node.timeouts):
        _ignore(t, "the question changed")
        return
    step = node.timeouts[rung]
    t.notices.append({"kind": "ask_timeout", "node": f"{flow.id}/{node.id}", "after": step.after})
    if step.text:
        t.say(t.text(step.text))
    if step.next:
        state.asked_at = None
        await t.run(step.next)


async def ask_started(node: AskNode, t: Turn) -> None:
    """Note when the question was asked and schedule its timeout ladder from then."""
    t.state.asked_at = t.now.isoformat()
    if not node.timeouts or t.flow is None:
        return
    if t.services.timers is None:
        t.notices.append({"kind": "timeouts_off", "node": node.id, "why": "no timer queue"})
        return
    channel, user = t.event.channel, t.event.user
    payload = {"channel": channel, "user": user, "flow": t.flow.id, "node": node.id, "asked_at": t.state.asked_at}
    await t.services.timers.schedule_many(
        Timer(f"ask:{channel}:{user}:{i}", t.now + parse_duration(rung.after), "ask_timeout", {**payload, "rung": i})
        for i, rung in enumerate(node.timeouts))


def _instant(value: Any, zone: str) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo(zone))


@nodes.enters("remind")
async def enter_remind(node: RemindNode, t: Turn) -> Outcome:
    instant = _instant(evaluate(node.at, t.variables()), t.bot.timezone)
    if instant is None or t.services.timers is None or t.flow is None:
        t.notices.append({"kind": "remind_failed", "node": node.id, "why": "no instant or no timer queue"})
        return Go(node.on_error)
    due = instant - parse_duration(node.before or "0s") + parse_duration(node.after or "0s")
    if due <= t.now:
        t.notices.append({"kind": "remind_failed", "node": node.id, "why": "already past"})
        return Go(node.on_error)
    timer_id = f"remind:{t.event.channel}:{t.event.user}:{t.flow.id}:{node.id}"
    payload = {"channel": t.event.channel, "user": t.event.user, "flow": node.flow, "due": due.isoformat()}
    await t.services.timers.schedule(Timer(timer_id, due, "remind", payload))
    t.state.vars.setdefault(REMINDERS, {})[timer_id] = due.isoformat()
    return Go(node.next)
