"""Timers into conversations: a timer that falls due becomes an `InboundEvent(kind="timer")` with
the claim's `fire_key` as its id, submitted like a message (deduped, ordered, committed); the
engine hands it to the handler of its timer kind (`runtime.nodes.handlers()`)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from flows.messages import InboundEvent
from runtime.conversations.keys import ConversationKey
from runtime.conversations.processor import Processor
from runtime.engine.turn import TurnResult
from runtime.timers import ClaimedTimer, Dispatcher, RetryLater

log = logging.getLogger("papo.timers")


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


Busy = Callable[[ConversationKey], Awaitable[None]]


class ConversationTimers:
    """A `Dispatcher` handler: each due timer is submitted to its conversation as an event, so a
    timer claimed twice is answered once (the conversation's inbox dedupes its id).

    When another process holds the conversation, its event waits in the inbox for it. `busy` (the
    service's work signal) makes sure somebody runs it even if that process dies: the signal is taken
    over after its lease like any message's, and the timer is done. A timer claimed again (its first
    process died) is signalled too: that process may have committed the turn and died before its
    replies' signal, and the signal's worker wakes a sender for replies nobody announced. Without it (one
    process, tests)
    the timer is claimed again after the retry delay, and its deduplicated submit drains the inbox."""

    def __init__(self, processor: Processor, busy: Busy | None = None) -> None:
        self.processor = processor
        self.busy = busy
        self.results: list[TurnResult] = []

    async def __call__(self, claim: ClaimedTimer) -> None:
        event = timer_event(claim, self.processor.clock.now())
        if event is None:
            log.warning("timer %s names no conversation; dropped", claim.timer.id)
            return
        submitted = await self.processor.submit(event)
        self.results += submitted.results
        key = self.processor.key_for(event)
        if self.busy is not None and not submitted.accepted:
            # Claimed again: the process that submitted it first died, maybe after the turn's commit and
            # before its replies' signal; a work signal's worker drains what waits and wakes a sender
            # for replies nobody announced
            await self.busy(key)
        elif await self.processor.waiting(key):
            # Another process holds the conversation (or a dead one did, until its lease ends)
            if self.busy is not None:
                await self.busy(key)
                return
            raise RetryLater("its conversation is being run elsewhere")


def conversation_dispatcher(processor: Processor, *, busy: Busy | None = None, **options: Any) -> Dispatcher | None:
    """The timer worker of a bot: each due timer goes to its conversation through `processor`
    (run it with `.run(stop)`); None when the bot's services have no timer queue."""
    timers = processor.services.timers
    if timers is None:
        return None
    return Dispatcher(timers, ConversationTimers(processor, busy), processor.clock, **options)
