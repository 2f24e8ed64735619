"""Taking events of one conversation in order, one at a time, none lost, none answered twice.

`submit` dedupes the event by id, appends it to the conversation's inbox and tries to take
the conversation's lock, in one Redis call. Whoever holds the lock drains the inbox in order:
load state and a batch of events (one call), run the turn, commit state + replies + the
event's removal (one call, fenced by the state version). A caller that does not get the lock
returns at once: its event waits in the inbox for the holder, who checks the inbox again as it
lets go, so no event is left behind.
"""

from __future__ import annotations

import logging
import secrets
import time
import traceback
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial

from redis.asyncio.client import Pipeline
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from flows.messages import InboundEvent, OutboundMessage
from flows.model import localize
from runtime import logs, metrics
from runtime.conversations import keys as C
from runtime.conversations.keys import ConversationKey
from runtime.conversations.library import BotLibrary
from runtime.conversations.store import Ack, Logged, Pending, RedisStore, Riders
from runtime.conversations.transcript import inbound_line, outbound_lines
from runtime.engine.clock import Clock
from runtime.engine.errors import StaleVersion
from runtime.engine.registry import Handlers
from runtime.engine.routing import turn
from runtime.engine.state import Conversation
from runtime.engine.turn import TurnResult
from runtime.events import EventEmitter
from runtime.locales import pack_for
from runtime.monitoring import Hit, Monitor
from runtime.nodes import HANDLERS
from runtime.nodes.services import BotServices
from runtime.privacy.cards import mask_cards
from runtime.privacy.ledger import ConsentLedger
from runtime.privacy.requests import PrivacyRequests
from runtime.timers import Timer
from runtime.timers.scripts import SCHEDULE

log = logging.getLogger(__name__)

URGENT_TOPICS = ("urgent", "medical")  # a safety topic that raises a conversation's urgent flag for staff
# After each commit: the turn, and whether its riders went with the commit (else the hook sends them).
OnCommit = Callable[[ConversationKey, TurnResult, bool], Awaitable[None]]
RidersOf = Callable[[ConversationKey, TurnResult], Riders]  # what rides on a turn's commit


@dataclass(frozen=True, slots=True)
class Submitted:
    queued_as: str | None  # the inbox stream id, None for a duplicate of an accepted event
    results: list[TurnResult]  # turns this caller ran (possibly other callers' events too)
    taken: list[OutboundMessage] | None = None  # with `take`: the outbox its last commit removed

    @property
    def accepted(self) -> bool:
        return self.queued_as is not None


class Drained(list[TurnResult]):
    """The committed turns of a drain; `emptied`: it ended with the inbox empty and the lock given back
    (an event that came after has its own signal); then `outbox`: how many messages waited in the outbox,
    and with `take`, `taken`: the outbox that last commit removed."""

    emptied: bool = False
    outbox: int = -1  # -1: not known
    taken: list[OutboundMessage] | None = None


class Processor:
    def __init__(self, store: RedisStore, library: BotLibrary, clock: Clock, *,
                 services: BotServices | None = None, on_commit: OnCommit | None = None,
                 lease_ms: int = C.LOCK_LEASE_MS, handlers: Handlers = HANDLERS) -> None:
        self.store = store
        self.library = library
        self.clock = clock
        self.services = services or BotServices()
        self.on_commit = on_commit
        self.riders: RidersOf | None = None  # commands that ride on a turn's commit (the sender's signal, counters)
        self.lease_ms = lease_ms
        self.handlers = handlers
        self.monitor: Monitor | None = None  # term rules: patient messages before storing, replies before commit
        self.events: EventEmitter | None = None  # outbound events, written by the turn's commit (runtime.events)

    def key_for(self, event: InboundEvent) -> ConversationKey:
        return ConversationKey(self.library.name, event.channel, event.user)

    async def submit(self, event: InboundEvent, *, take: bool = False) -> Submitted:
        """Queue the event and run what waits, if nobody else is. With `take`, the commit that gives the
        lock back also removes the outbox and returns it (`Submitted.taken`; None when this caller did not
        run the last turn): a channel that answers in the HTTP response, in two round trips."""
        key = self.key_for(event)
        with logs.bound(key.ref, event.id):
            return await self._submit(key, event, take)

    async def _submit(self, key: ConversationKey, event: InboundEvent, take: bool = False) -> Submitted:
        token = secrets.token_hex(8)
        if self.monitor is not None:  # term rules first: a card number is a match they alert on
            event = await self.monitor.inbound(key, event)
        event = without_cards(event)
        queued = await self.store.enqueue(key, event, token=token, lease_ms=self.lease_ms,
                                          accepted_at=self.clock.now())
        if queued.id is None:
            # Seen before, but maybe never run: whoever queued it may have died before draining (a timer
            # claimed again after its process was killed). Make sure the inbox is drained.
            log.info("duplicate event conv=%s; draining what waits", key)
            return Submitted(None, await self.drain(key))
        results = Drained()
        if queued.locked:
            await self._drain_locked(key, token, results, first=(queued.state, list(queued.pending)), take=take)
        return Submitted(queued.id, results, results.taken)

    async def accept(self, event: InboundEvent) -> str | None:
        """Queue an event without running it (a webhook answers after this); returns its inbox
        id, or None for a duplicate. Somebody must `drain` the conversation afterwards."""
        key = self.key_for(event)
        if self.monitor is not None:  # term rules first: a card number is a match they alert on
            event = await self.monitor.inbound(key, event)
        event = without_cards(event)
        queued = await self.store.enqueue(key, event, token="", lease_ms=self.lease_ms, accepted_at=self.clock.now())
        return queued.id

    async def accept_all(self, events: Sequence[InboundEvent], *, addresses: Mapping[ConversationKey, str],
                         then: Callable[[Pipeline], None]) -> list[str | None]:
        """`accept` for a webhook's events, with where replies go and what `then` queues (their work
        signals), in one round trip; each event's inbox id, or None for a duplicate."""
        ready = []
        for event in events:
            key = self.key_for(event)
            if self.monitor is not None:
                event = await self.monitor.inbound(key, event)
            ready.append((key, without_cards(event)))
        return await self.store.accept(ready, accepted_at=self.clock.now(), addresses=addresses, then=then)

    async def waiting(self, key: ConversationKey) -> int:
        """How many events wait in the conversation's inbox (being run by someone, or left behind)."""
        return int(await self.store.client.xlen(self.store.keys.inbox(key)))

    async def drain(self, key: ConversationKey, *, ack: Ack | None = None) -> Drained:
        """Process whatever waits in this conversation's inbox, if nobody else is. On one Redis, the commit
        that gives the lock back also acknowledges `ack` (its `done` says so)."""
        token = secrets.token_hex(8)
        results = Drained()
        with logs.bound(key.ref):
            first = await self.store.lock_and_load(key, token, lease_ms=self.lease_ms, batch=C.INBOX_BATCH)
            if first is not None:
                results.emptied = await self._drain_locked(key, token, results, first=first, ack=ack)
        return results

    async def _drain_locked(self, key: ConversationKey, token: str, results: Drained, *,
                            first: tuple[Conversation | None, list[Pending]] | None = None, ack: Ack | None = None,
                            take: bool = False) -> bool:
        """Turn events into committed turns while we hold the lock.

        The last commit gives the lock back in the same call once the inbox is empty; if we stop
        otherwise, `release` reports what is left and we try to take the lock again, so an event
        that arrived meanwhile is never left behind.
        """
        batch = first if first is not None else await self.store.load(key, batch=C.INBOX_BATCH)
        while True:
            state, pending = batch
            if pending and await self._run_batch(key, token, state, pending, results, ack=ack, take=take):
                return True  # released by the final commit, which found the inbox empty
            if await self.store.release(key, token) == 0:
                return True
            again = await self.store.lock_and_load(key, token, lease_ms=self.lease_ms, batch=C.INBOX_BATCH)
            if again is None:
                return False
            batch = again

    async def _run_batch(self, key: ConversationKey, token: str, state: Conversation | None, pending: list[Pending],
                         results: Drained, *, ack: Ack | None = None, take: bool = False) -> bool:
        """Run and commit each event in order; True when a commit gave the lock back."""
        for item in pending:
            logs.set_trace(item.event.id)
            started = time.perf_counter()
            result = await self._turn(key, state, item.event)
            found: list[tuple[str, Hit]] = []
            if self.monitor is not None:  # the bot's own replies, masked before they are stored
                result.messages, found = self.monitor.outbound(result.messages)
            at = self.clock.now()
            events = self.events.of(key, state, item.event, result, at) if self.events is not None else []
            riders = self.riders(key, result) if self.riders is not None else Riders()
            if ack is not None:
                riders = replace(riders, ack=ack)
            if result.timers and (timers := self.services.timers) is not None:
                # never after the commit: an outage or a crash in between would lose a reminder. With it on one
                # Redis; on a cluster (other slots) just before it: a turn that then fails to commit leaves
                # timers its conversation ignores, as each timer checks the state that asked for it.
                due = [Timer(r.id, r.due, r.kind, r.payload) for r in result.timers]
                if self.store.one_redis:
                    riders = riders.also(partial(timers.queue_many, timers=due), scripts=(SCHEDULE,))
                else:
                    await timers.schedule_many(due)
            try:
                committed = await self.store.commit(key, result.state, result.messages,
                                                    expected_version=state.version if state else 0,
                                                    consumed=item.id, token=token, lease_ms=self.lease_ms,
                                                    logged=self._logged(item.event, state, result), events=events,
                                                    riders=riders, take=take)
            except StaleVersion:
                log.warning("conversation moved on under us conv=%s; reloading", key)
                return False
            if events and self.events is not None:
                await self.events.committed(key, at)
            result.state.version = committed.version
            state = result.state
            results.append(result)
            metrics.TURN_SECONDS.labels(key.bot).observe(time.perf_counter() - started)
            failed = any(n.get("kind") == "error" for n in result.notices)
            metrics.TURNS.labels(key.bot, "failed" if failed else "ok").inc()
            await self._apply_effects(key, result)
            if found and self.monitor is not None:
                await self.monitor.alert_outbound(key, found, self.clock.now().isoformat())
            log.info("turn conv=%s trace=%s out=%d", key, ",".join(result.trace), len(result.messages))
            if self.on_commit is not None:
                await self.on_commit(key, result, committed.rode)
            if committed.released:
                results.taken = committed.taken
                results.outbox = committed.outbox
                return True
        return False

    def _logged(self, event: InboundEvent, before: Conversation | None, result: TurnResult) -> Logged:
        """The turn's transcript lines and the inbox's counters, written by the same commit."""
        at = self.clock.now().isoformat()
        where = result.trace[-1] if result.trace else None
        inbound = inbound_line(event, at=at)
        lines = ([inbound] if inbound is not None else []) + outbound_lines(result.messages, at=at, where=where)
        with_staff = before is not None and before.waiting == "handoff" and result.state.waiting == "handoff"
        urgent = next((n["topic"] for n in result.notices
                       if n.get("kind") == "safety" and n.get("topic") in URGENT_TOPICS), "")
        return Logged(lines, unread=int(inbound is not None and with_staff), urgent=urgent)

    async def _apply_effects(self, key: ConversationKey, result: TurnResult) -> None:
        """What the committed turn asked for besides state, replies and timers (which go with the commit):
        consents, privacy requests. A turn that was never committed (fenced off, crashed) asked for nothing."""
        consents = [n for n in result.notices if n.get("kind") == "consent"]
        if consents:  # the evidence of each consent change, append-only (LGPD art. 8 §2)
            await ConsentLedger(self.store.client, prefix=self.store.keys.prefix).append(key, consents)
        for notice in result.notices:
            if notice.get("kind") == "privacy_request":  # staff answer within 15 days (LGPD art. 19)
                await PrivacyRequests(self.store.client, prefix=self.store.keys.prefix, bot=key.bot).open(
                    key, request=str(notice.get("request", "access")), at=self.clock.now(),
                    message_id=str(notice.get("message_id", "")))

    async def _turn(self, key: ConversationKey, state: Conversation | None, event: InboundEvent) -> TurnResult:
        """Run the turn. Whatever it raises (a bug in a node, an NLU or channel error...) consumes the
        event with the bot's `error` message and leaves the flow, so the next message is answered;
        only losing Redis itself propagates, and the event waits in the inbox to be run again."""
        try:
            await self.library.ensure(state)
            return await turn(self.library, state, event, self.clock, self.services, self.handlers)
        except (RedisConnectionError, RedisTimeoutError):
            raise
        except Exception as exc:
            where = "".join(traceback.format_tb(exc.__traceback__)).rstrip()
            # The message may quote the user's words: type and stack at ERROR, the text only at DEBUG.
            log.error("turn failed conv=%s event kind=%s: %s\n%s", key, event.kind, type(exc).__name__, where)
            log.debug("turn failed conv=%s: %r", key, exc)
            await self.store.record_failure(key, {"kind": "turn", "event": event.id, "error": type(exc).__name__,
                                                  "at": self.clock.now().isoformat()})
            return self._failed(state, event, exc)

    def _failed(self, state: Conversation | None, event: InboundEvent, exc: Exception) -> TurnResult:
        fresh = state.clone() if state is not None else Conversation(started_at=self.clock.now().isoformat())
        fresh.flow = fresh.flow_version = fresh.node = fresh.waiting = None
        fresh.stack, fresh.retries = [], 0
        bot = self.library.current
        text = bot.messages.get("error")
        locale = fresh.locale or bot.default_locale
        default = pack_for(locale, bot.default_locale).messages["error"]
        reply = localize(text, locale, bot.default_locale) if text else default
        return TurnResult(fresh, [OutboundMessage(id=f"{event.id}:0", text=reply)], [],
                          [{"kind": "error", "error": type(exc).__name__}])


def without_cards(event: InboundEvent) -> InboundEvent:
    """The event with card numbers masked, before anything stores it (the inbox is the first write)."""
    masked = mask_cards(event.text)
    return event if masked == event.text else replace(event, text=masked, data={**event.data, "masked": "card"})
