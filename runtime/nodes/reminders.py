"""Reminders into conversations:

- `reminder` timers (from the scheduler) start the bot's reminder flow with the appointment in
  `appointment`, after keeping the user's place;
- a `remind` node schedules a `remind` timer that starts the node's flow the same way.

Each handler first checks that the conversation is still where the timer expects it; a timer
whose conversation moved on is ignored (and noted).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flows.model import parse_duration
from flows.nodes import RemindNode
from runtime.engine.effects import TimerRequest
from runtime.engine.outcomes import Go, Outcome
from runtime.nodes.booking_texts import appointment_vars
from runtime.nodes.services import BotTurn
from runtime.privacy.consent import may_send
from runtime.scheduling import SchedulingError
from runtime.scheduling.calendar import ReminderRule
from runtime.scheduling.model import iso


def ignore(t: BotTurn, why: str) -> None:
    t.notices.append({"kind": "timer_ignored", "timer": t.event.data.get("timer"), "why": why})


async def _start_beside(t: BotTurn, flow_id: str, variables: Mapping[str, Any]) -> None:
    """Run `flow_id` now; a waiting question of another flow is asked again when it ends."""
    if t.flow is not None and t.flow.id == flow_id:
        t.clear()  # a second reminder replaces the first one's unanswered question
    elif t.state.waiting == "input" and t.state.node is not None and t.flow is not None:
        t.push(t.state.node, reenter=True)
    else:
        t.clear()
    t.state.vars.update(variables)
    await t.run(t.start_flow(flow_id))



async def fire_reminder(t: BotTurn, payload: dict[str, Any]) -> None:
    flow_id, scheduler = t.bot.scheduling.reminder_flow, t.services.scheduler
    if not flow_id or flow_id not in t.bot.flows or scheduler is None:
        ignore(t, "the bot has no scheduling.reminder_flow or no calendar")
        return
    if t.state.waiting == "handoff":
        ignore(t, "staff are talking to the patient")
        return
    if (why := may_send(t.state, "reminders")) is not None:
        ignore(t, why)
        return
    try:
        appt = await scheduler.get(str(payload["appointment"]), patient=str(payload["patient"]))
    except SchedulingError:
        ignore(t, "the appointment is gone")
        return
    if not appt.active or iso(appt.slot.start) != payload.get("start"):
        ignore(t, "the appointment was cancelled or moved")
        return
    if (why := _passed(t, appt.slot.start, scheduler.calendar.reminders, str(payload.get("reminder")))) is not None:
        ignore(t, why)
        return
    t.notices.append({"kind": "reminder", "appointment": appt.id, "reminder": payload.get("reminder")})
    await _start_beside(t, flow_id, {"appointment": appointment_vars(appt, scheduler.calendar, t.words)})



def _passed(t: BotTurn, start: datetime, rules: Sequence[ReminderRule], rule_id: str) -> str | None:
    """Why a reminder's moment has passed, or None: it waited in the inbox (its process died before
    running it) until after the appointment, past its own lateness limit, or past a later reminder's
    moment. A reminder is dropped then, never sent late."""
    if t.now >= start:
        return "the appointment has started or is over"
    rule = next((r for r in rules if r.id == rule_id), None)
    if rule is not None and any(r.before < rule.before and t.now >= start - r.before for r in rules):
        return "a later reminder superseded it"
    if rule is not None and t.now > start - rule.before + min(rule.max_lateness, rule.before):
        return "the reminder's moment has passed"
    return None


async def fire_remind(t: BotTurn, payload: dict[str, Any]) -> None:
    expected = t.state.private.reminders
    timer_id = str(t.event.data.get("timer_id"))
    if expected.get(timer_id) != payload.get("due") or payload.get("flow") not in t.bot.flows:
        ignore(t, "the conversation no longer expects this reminder")
        return
    if t.state.waiting == "handoff":
        ignore(t, "staff are talking to the user")
        return
    expected.pop(timer_id)
    if t.state.opted_out_at is not None:
        ignore(t, "the patient asked for no more messages")
        return
    await _start_beside(t, str(payload["flow"]), {})


def _instant(value: Any, zone: str) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo(zone))



async def enter_remind(node: RemindNode, t: BotTurn) -> Outcome:
    instant = _instant(t.evaluate(node.at), t.bot.timezone)
    if instant is None or not t.services.has_timers or t.flow is None:
        t.notices.append({"kind": "remind_failed", "node": node.id, "why": "no instant or no timer queue"})
        return Go(node.on_error)
    due = instant - parse_duration(node.before or "0s") + parse_duration(node.after or "0s")
    if due <= t.now:
        t.notices.append({"kind": "remind_failed", "node": node.id, "why": "already past"})
        return Go(node.on_error)
    timer_id = f"remind:{t.ref}:{t.flow.id}:{node.id}"
    payload = {"channel": t.event.channel, "user": t.event.user, "flow": node.flow, "due": due.isoformat()}
    t.schedule(TimerRequest(timer_id, due, "remind", payload))
    t.state.private.reminders[timer_id] = due.isoformat()
    return Go(node.next)
