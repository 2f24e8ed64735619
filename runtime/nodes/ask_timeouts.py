"""An `ask` with `timeouts`: a ladder of timers counted from when the question was asked, each
nudging the user or moving the conversation on; ignored once the question is answered."""

from __future__ import annotations

from typing import Any

from flows.model import parse_duration
from flows.nodes import AskNode
from runtime.engine.effects import TimerRequest
from runtime.nodes.reminders import ignore
from runtime.nodes.services import BotTurn


async def fire_ask_timeout(t: BotTurn, payload: dict[str, Any]) -> None:
    state, flow = t.state, t.flow
    if (state.waiting != "input" or flow is None or state.node is None or state.flow != payload.get("flow")
            or state.node != payload.get("node") or state.asked_at != payload.get("asked_at")):
        ignore(t, "the question was answered or the conversation moved on")
        return
    node, rung = flow.node(state.node), int(payload.get("rung", 0))
    if not isinstance(node, AskNode) or rung >= len(node.timeouts):
        ignore(t, "the question changed")
        return
    step = node.timeouts[rung]
    t.notices.append({"kind": "ask_timeout", "node": f"{flow.id}/{node.id}", "after": step.after})
    if step.text:
        t.say(t.text(step.text))
    if step.next:
        state.asked_at = None
        await t.run(step.next)


def ask_started(node: AskNode, t: BotTurn) -> None:
    """Note when the question was asked and schedule its timeout ladder from then."""
    t.state.asked_at = t.now.isoformat()
    if not node.timeouts or t.flow is None:
        return
    if not t.services.has_timers:
        t.notices.append({"kind": "timeouts_off", "node": node.id, "why": "no timer queue"})
        return
    channel, user = t.event.channel, t.event.user
    payload = {"channel": channel, "user": user, "flow": t.flow.id, "node": node.id, "asked_at": t.state.asked_at}
    for i, rung in enumerate(node.timeouts):
        t.schedule(TimerRequest(f"ask:{t.ref}:{i}", t.now + parse_duration(rung.after), "ask_timeout",
                                {**payload, "rung": i}))
