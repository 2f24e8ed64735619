"""A conversation started from outside (`POST /api/v1/contacts/.../start`, a campaign): the `start`
timer kind, run as a turn of the contact's conversation like any message, so it is ordered with the
contact's own messages and committed once.

The payload (written by `runtime.service.start` and `runtime.campaigns`):

    id        the start's id (also the event id: a start is accepted once)
    flow      the flow to run; `vars` the variables it starts with
    template  {name, language, params, buttons}: rides on the flow's first message, which the sender
              replaces with it outside the channel's reply window (a campaign's flow starts with the
              `ask` its template asks; the contact's reply is the answer)
    window_s  the channel's reply window in seconds (None: the channel has none)
    purpose   "utility" or "marketing" (marketing needs an active opt-in)
    if_busy   "queue" (run when the conversation is idle again) or "refuse"
    origin    "api" or "campaign:<run>", for the notices

Checked again here, whatever the caller saw: blocked, opted out, consent, the window, and whether
the contact is in the middle of a flow (a booking, a question) or with staff. A conversation whose
session expired counts as idle.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

from flows.messages import InboundEvent, Template
from runtime.engine.effects import TimerRequest
from runtime.engine.routing import expired
from runtime.nodes.services import BotTurn

KIND = "start"


def refusal(state_opted_out: bool, blocked: bool, consent: bool | None, purpose: str) -> str | None:
    """Why a start of `purpose` may not reach the contact, or None; one rule for the API and the turn."""
    if blocked:
        return "blocked"
    if state_opted_out:
        return "opted_out"
    if purpose == "marketing" and consent is not True:
        return "no_consent" if consent is None else "opted_out"
    return None


def start_event(payload: dict[str, Any], at: datetime, *, event_id: str | None = None) -> InboundEvent:
    """The start as an event of the contact's conversation (its id: `start:<id>` unless given)."""
    return InboundEvent(str(payload["channel"]), str(payload["user"]), event_id or f"start:{payload['id']}", at,
                        kind="timer", data={"timer": KIND, "timer_id": str(payload["id"]), "payload": payload})


def busy(t: BotTurn) -> bool:
    return t.state.waiting is not None or t.state.active


async def fire_start(t: BotTurn, payload: dict[str, Any]) -> None:
    start_id = str(payload.get("id", ""))
    queued = [s for s in t.state.private.starts if s.get("id") == start_id]
    if payload.get("queued") and not queued:
        _note(t, payload, "ignored", "already run or refused")
        return
    flow_id = str(payload.get("flow", ""))
    why = "unknown_flow" if flow_id not in t.bot.flows else refusal(
        t.state.opted_out_at is not None, t.state.blocked_at is not None,
        t.state.consent("marketing"), str(payload.get("purpose", "utility")))
    if why is None and busy(t) and t.state.waiting != "handoff" and expired(t.state, t.now, t.bot):
        t.clear()  # a flow left half-way a whole session ago is over
    if why is None and busy(t):
        if payload.get("if_busy") == "queue":
            _queue(t, payload, fresh=not queued)
            return
        why = "busy"
    t.state.private.starts = [s for s in t.state.private.starts if s.get("id") != start_id]
    if why is not None:
        _note(t, payload, "refused", why)
        return
    await _run(t, payload, flow_id)


async def _run(t: BotTurn, payload: dict[str, Any], flow_id: str) -> None:
    """Run the flow; its first message carries the template, which the sender sends instead of it
    outside the channel's reply window (`connectors.window`). Outside the window without a template
    the start is refused."""
    window = payload.get("window_s")
    last = t.state.last_inbound()
    closed = window is not None and (last is None or (t.now - last).total_seconds() >= float(window))
    template: dict[str, Any] = payload.get("template") or {}
    if closed and not template:
        _note(t, payload, "refused", "window_closed")
        return
    t.clear()
    t.state.vars.update(payload.get("vars") or {})
    first = len(t.messages)
    await t.run(t.start_flow(flow_id))
    if template and len(t.messages) > first:
        t.messages[first] = dataclasses.replace(t.messages[first], template=_template(t, template))
    elif template:
        t.say(template=_template(t, template))
    if payload.get("purpose") == "marketing":  # the sender checks the opt-in again when it sends
        t.messages[first:] = [dataclasses.replace(m, purpose="marketing") for m in t.messages[first:]]
    _note(t, payload, "started", "template" if closed else "flow")


def _template(t: BotTurn, data: dict[str, Any]) -> Template:
    return Template(str(data["name"]), str(data.get("language") or t.locale.replace("-", "_")),
                    tuple(t.render(str(p)) for p in data.get("params", ())),
                    tuple(str(b) for b in data.get("buttons", ())))


def _queue(t: BotTurn, payload: dict[str, Any], *, fresh: bool) -> None:
    """Keep the start until the conversation is idle; a timer tries again when its session would expire
    (moved on each time the start finds the conversation still busy)."""
    if fresh:
        t.state.private.starts.append({k: v for k, v in payload.items() if k != "queued"})
    last = t.state.last_inbound() or t.now
    if t.state.asked_at:
        last = max(last, datetime.fromisoformat(t.state.asked_at))
    due = max(last + t.bot.session_expiry, t.now) + timedelta(minutes=1)
    t.schedule(TimerRequest(f"start:{payload.get('id')}:expiry", due, KIND,
                            {**payload, "channel": t.event.channel, "user": t.event.user, "queued": True}))
    _note(t, payload, "queued", "busy")


def _note(t: BotTurn, payload: dict[str, Any], outcome: str, why: str) -> None:
    t.notices.append({"kind": "start", "outcome": outcome, "why": why, "id": payload.get("id"),
                      "origin": payload.get("origin", "api"), "flow": payload.get("flow")})
