"""A handoff that staff never pick up gives the conversation back to the bot: the handoff node's
`resume_after` schedules a `handoff_timeout` timer; if the conversation is still with staff since
that same moment when it falls due, the bot goes on after the handoff node."""

from __future__ import annotations

from typing import Any

from flows.model import HandoffNode, parse_duration

from .engine import Go, Turn
from .timer_kinds import timer_kinds
from .timers import Timer

KIND = "handoff_timeout"


async def schedule_handoff_timeout(t: Turn, node: HandoffNode) -> None:
    if t.services.timers is None or node.resume_after is None or t.flow is None:
        return
    payload = {"channel": t.event.channel, "user": t.event.user, "flow": t.flow.id, "node": node.id,
               "since": t.state.asked_at}
    due = t.now + parse_duration(node.resume_after)
    await t.services.timers.schedule(Timer(f"handoff:{t.event.channel}:{t.event.user}", due, KIND, payload))


@timer_kinds.handles(KIND)
async def fire_handoff_timeout(t: Turn, payload: dict[str, Any]) -> None:
    state = t.state
    if (state.waiting != "handoff" or t.flow is None or state.flow != payload.get("flow")
            or state.node is None or state.node != payload.get("node") or state.asked_at != payload.get("since")):
        t.notices.append({"kind": "timer_ignored", "timer": KIND, "why": "staff already gave it back"})
        return
    node = t.flow.node(state.node)
    state.handoff_queue = state.asked_at = None
    t.notices.append({"kind": "handoff_timed_out"})
    await t.run(await t.follow(Go(getattr(node, "next", None))))
