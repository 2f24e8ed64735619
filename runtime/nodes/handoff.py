"""A handoff that staff never pick up gives the conversation back to the bot: the handoff node's
`resume_after` schedules a `handoff_timeout` timer; if the conversation is still with staff since
that same moment when it falls due, the bot goes on after the handoff node."""

from __future__ import annotations

from typing import Any

from flows.model import localize, parse_duration
from flows.nodes import HandoffNode
from runtime.engine.effects import TimerRequest
from runtime.engine.outcomes import Go, Outcome, Wait
from runtime.nodes.services import BotTurn

KIND = "handoff_timeout"


def schedule_handoff_timeout(t: BotTurn, node: HandoffNode) -> None:
    """`resume_after` counts the hours staff are in (bot.json "hours"): a request made at night waits
    for the morning, and then for the whole of `resume_after`."""
    if not t.services.has_timers or node.resume_after is None or t.flow is None:
        return
    payload = {"channel": t.event.channel, "user": t.event.user, "flow": t.flow.id, "node": node.id,
               "since": t.state.asked_at}
    due = t.hours.add_open(t.now, parse_duration(node.resume_after), node.queue or "default")
    t.schedule(TimerRequest(f"handoff:{t.ref}", due, KIND, payload))



async def fire_handoff_timeout(t: BotTurn, payload: dict[str, Any]) -> None:
    state = t.state
    if (state.waiting != "handoff" or t.flow is None or state.flow != payload.get("flow")
            or state.node is None or state.node != payload.get("node") or state.asked_at != payload.get("since")):
        t.notices.append({"kind": "timer_ignored", "timer": KIND, "why": "staff already gave it back"})
        return
    node = t.flow.node(state.node)
    state.handoff_queue = state.asked_at = None
    t.notices.append({"kind": "handoff_timed_out"})
    await t.run(await t.follow(Go(getattr(node, "next", None))))



async def enter_handoff(node: HandoffNode, t: BotTurn) -> Outcome:
    if node.text:
        t.say(t.text(node.text))
    queue = node.queue or "default"
    closed_since = t.hours.closed_since(t.now, queue)
    if closed_since is not None:  # staff are out: say when they are back; the conversation waits in the queue
        closed = localize(t.bot.messages.get("closed") or t.words.messages["closed"], t.locale, t.bot.default_locale)
        t.say(t.render(closed, {"open_now": False, "next_opening": t.next_opening(queue)}))
        t.state.away_sent_at = closed_since.isoformat()
        t.notices.append({"kind": "handoff_closed", "queue": queue})
    t.state.handoff_queue = queue
    t.state.asked_at = t.now.isoformat()  # when staff got the conversation
    t.notices.append({"kind": "handoff", "queue": t.state.handoff_queue})
    if node.resume_after:
        schedule_handoff_timeout(t, node)
    return Wait("handoff")
