"""What each node kind and each timer kind does. `handlers()` is the one list the engine runs on:
a new node kind adds one `NodeHandler` line here (and its model in `flows.nodes`)."""

from __future__ import annotations

from runtime.engine.registry import Handlers, NodeHandler, NodeRegistry, TimerKinds
from runtime.nodes import (
    appointments,
    ask_timeouts,
    assist,
    booking,
    consent,
    context,
    core,
    handoff,
    http,
    reminders,
    safety,
    start,
)

NODE_HANDLERS: tuple[NodeHandler, ...] = (
    NodeHandler("send", core.enter_send),
    NodeHandler("ask", core.enter_ask, core.resume_ask, core.reask_ask),
    NodeHandler("branch", core.enter_branch),
    NodeHandler("set", core.enter_set),
    NodeHandler("goto", core.enter_goto),
    NodeHandler("call", core.enter_call),
    NodeHandler("end", core.enter_end),
    NodeHandler("handoff", handoff.enter_handoff),
    NodeHandler("faq", assist.enter_answering, assist.resume_faq),
    NodeHandler("llm", assist.enter_answering, assist.resume_llm),
    NodeHandler("book", booking.enter_book, booking.resume_book, booking.reask_offer),
    NodeHandler("reschedule", appointments.enter_choosing, appointments.resume_reschedule, appointments.reask_choosing),
    NodeHandler("cancel", appointments.enter_choosing, appointments.resume_cancel, appointments.reask_choosing),
    NodeHandler("confirm", appointments.enter_confirm),
    NodeHandler("my_appointments", appointments.enter_my_appointments),
    NodeHandler("remind", reminders.enter_remind),
    NodeHandler("consent", consent.enter_consent, consent.resume_consent, consent.reask_consent),
    NodeHandler("http", http.enter_http),
)

TIMER_HANDLERS = (
    ("reminder", reminders.fire_reminder),
    ("remind", reminders.fire_remind),
    ("ask_timeout", ask_timeouts.fire_ask_timeout),
    (handoff.KIND, handoff.fire_handoff_timeout),
    (start.KIND, start.fire_start),
)


def handlers(*extra: NodeHandler) -> Handlers:
    """papo's handlers, plus `extra` node kinds of your own (see docs/extending.md)."""
    return Handlers(NodeRegistry((*NODE_HANDLERS, *extra)), TimerKinds(TIMER_HANDLERS), context.read_idle,
                    safety.guard)


HANDLERS = handlers()
