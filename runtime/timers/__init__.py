"""Durable timers for reminders and step timeouts: a Redis sorted set by due time, claimed in Lua.

A timer's id is its idempotency key: scheduling the same id again replaces it, so an `ask`
node's timeout ladder is one id per rung, e.g. for the conversation `clinica:whatsapp:5511...`::

    await queue.schedule_many([
        Timer("timeout:clinica:whatsapp:5511...:nudge", due=now + timedelta(minutes=10), kind="timeout",
              payload={"node": "pedir_data", "rung": "nudge", "version": 7}),
        Timer("timeout:clinica:whatsapp:5511...:close", due=now + timedelta(hours=23), kind="timeout",
              payload={"node": "pedir_data", "rung": "close", "version": 7}, max_lateness=timedelta(days=1)),
    ])

and an answer cancels both. Workers run a `Dispatcher` (or `claim_due` / `complete_many`
themselves); the handler turns a timer into an event for its conversation, deduplicated on
`claim.fire_key`.
"""

from runtime.timers.clock import Clock, ManualClock, SystemClock, from_ms, require_aware, to_ms
from runtime.timers.errors import NaiveDatetime, RetryLater, TimerConfigError, TimerEncodingError, TimerError
from runtime.timers.keys import ShardKeys, shard_of
from runtime.timers.model import ClaimBatch, ClaimedTimer, SkippedTimer, Timer
from runtime.timers.queue import TimerQueue
from runtime.timers.worker import Dispatcher, DispatchReport, SkipHandler, TimerHandler

__all__ = [
    "ClaimBatch",
    "ClaimedTimer",
    "Clock",
    "DispatchReport",
    "Dispatcher",
    "ManualClock",
    "NaiveDatetime",
    "RetryLater",
    "ShardKeys",
    "SkipHandler",
    "SkippedTimer",
    "SystemClock",
    "Timer",
    "TimerConfigError",
    "TimerEncodingError",
    "TimerError",
    "TimerHandler",
    "TimerQueue",
    "from_ms",
    "require_aware",
    "shard_of",
    "to_ms",
]
