"""Delivering outbound events: at least once, in order per contact and subscription, signed, retried
with exponential backoff for up to `give_up_after` (3 days), then kept as a dead letter to replay.

Each POST carries the event as its body and `Papo-Signature` (runtime.events.signing), `Papo-Event-Id`
and `Idempotency-Key` (the event id: a receiver that saw it already answers 2xx and does nothing),
`Papo-Event-Type`. A 2xx answer delivers it; anything else, or no answer within `timeout_s`, is a
failure: the contact's later events wait behind it. Logs carry the subscription, the event type and
id and the status; never the body.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp

from flows.integrations import ENV_REF, EVENT_TYPES
from runtime.engine.clock import Clock
from runtime.events.outbox import Entry, EventOutbox, Pair
from runtime.events.signing import HEADER, sign
from runtime.integrations.http_client import LazySession

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A subscription as papo serve runs it: its url and secret read from the environment."""

    id: str
    url: str
    secret: str
    types: frozenset[str]

    def wants(self, event_type: str) -> bool:
        return event_type in self.types


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    timeout_s: float = 10.0
    backoff_s: float = 5.0  # the first retry's wait; it doubles each time, jittered
    max_backoff_s: float = 3600.0
    give_up_after: timedelta = timedelta(days=3)
    lease_s: float = 60.0  # a pair is ours this long after each event we take
    pairs_at_once: int = 32  # pairs (contacts) delivered concurrently; each one's events in order
    batch: int = 50  # events read from a contact's stream at a time
    recover_every_s: float = 600.0  # how often events left without their signal are looked for (SCAN)

    def backoff(self, attempts: int) -> float:
        wait = min(self.backoff_s * 2.0 ** max(attempts - 1, 0), self.max_backoff_s)
        return float(wait * random.uniform(0.8, 1.0))


class EventDelivery:
    def __init__(self, outbox: EventOutbox, endpoints: Sequence[Endpoint], clock: Clock, *,
                 policy: DeliveryPolicy = DeliveryPolicy()) -> None:
        self.outbox = outbox
        self.endpoints = {e.id: e for e in endpoints}
        self.clock = clock
        self.policy = policy
        self.nudge = asyncio.Event()  # set after a commit with events: deliver now rather than at the next poll
        self._sessions = LazySession()

    @property
    def subs(self) -> list[str]:
        return list(self.endpoints)

    def _now_ms(self) -> int:
        return int(self.clock.now().timestamp() * 1000)

    async def deliver_due(self) -> tuple[int, int]:
        """One round over the pairs due now, `pairs_at_once` at a time: (pairs taken, events delivered)."""
        pairs = await self.outbox.due(self._now_ms(), self.policy.pairs_at_once * 4)
        gate = asyncio.Semaphore(self.policy.pairs_at_once)

        async def one(pair: Pair) -> int | None:
            async with gate:
                return await self._pair(pair)

        done = [n for n in await asyncio.gather(*(one(p) for p in pairs)) if n is not None]
        return len(done), sum(done)

    async def drain(self) -> int:
        """Rounds until no pair due now can be taken; returns the events delivered."""
        total = 0
        while True:
            taken, delivered = await self.deliver_due()
            total += delivered
            if not taken:
                return total

    async def run(self, stop: asyncio.Event, *, poll_s: float = 0.5) -> None:
        """Deliver until `stop`; a Redis or network error waits for the next round. Every
        `recover_every_s`, and once at start, events left without their signal are signalled again."""
        recovered = 0.0
        while not stop.is_set():
            try:
                if time.monotonic() - recovered > self.policy.recover_every_s or not recovered:
                    recovered = time.monotonic()
                    await self.recover()
                await self.drain()
            except Exception as exc:  # the loop must outlive any one failure; the event waits in Redis
                log.warning("event delivery round failed: %s", type(exc).__name__)
            self.nudge.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(first_set(stop, self.nudge), poll_s)

    async def recover(self) -> int:
        """Signal every subscription for conversations whose events wait with no pair of theirs (a process
        killed between a commit and its signal); a pair already waiting is left as it is (ZADD NX)."""
        found = await self.outbox.left_behind()
        for key in found:
            await self.outbox.signal(key, self.subs, now_ms=self._now_ms())
        return len(found)

    async def _pair(self, pair: Pair) -> int | None:
        """Deliver a pair's events in order; None when somebody else holds it. The cursor moves once per
        batch read (a crash in between sends that batch's delivered events again: at least once)."""
        now = self._now_ms()
        if not await self.outbox.claim(pair, now_ms=now, until_ms=now + self._lease_ms):
            return None
        endpoint = self.endpoints.get(pair.sub)
        if endpoint is None:  # a subscription removed from bot.json (or off): its events stay, unsent
            await self.outbox.finish(pair, ())
            return 0
        cursor = await self.outbox.cursor(pair)
        walk = _Walk(cursor, cursor, await self.outbox.failing(pair), now)
        while entries := await self.outbox.after(pair, walk.cursor, self.policy.batch):
            if not await self._batch(endpoint, pair, entries, walk):
                return walk.delivered  # an event waits for its next try; later ones wait behind it
            if len(entries) < self.policy.batch:
                break  # the stream's end: `finish` looks once more after letting the pair go
        await self.outbox.finish(pair, self.subs)
        return walk.delivered

    @property
    def _lease_ms(self) -> int:
        return int(self.policy.lease_s * 1000)

    async def _batch(self, endpoint: Endpoint, pair: Pair, entries: list[Entry], walk: _Walk) -> bool:
        """Deliver `entries` in order and move the cursor past them; False when one failed (the cursor
        stops before it)."""
        records: list[dict[str, Any]] = []
        for entry in entries:
            if (entry.only and entry.only != pair.sub) or not endpoint.wants(entry.event["type"]):
                walk.cursor = entry.id
                continue
            outcome = await self._one(endpoint, pair, entry, walk.failing)
            walk.failing = None  # only the first event can be the one that failed before
            if outcome["outcome"] == "failed":
                if walk.cursor != walk.saved:
                    await self.outbox.passed(pair, walk.cursor, records)
                await self.outbox.retry_later(pair, outcome, next_ms=outcome.pop("next_ms"))
                return False
            if outcome["outcome"] == "dead":
                if records:
                    await self.outbox.passed(pair, walk.cursor, records)
                await self.outbox.bury(pair, entry, outcome)
                records, walk.saved = [], entry.id
            else:
                records.append(outcome)
                walk.delivered += 1
            walk.cursor = entry.id
            if self._now_ms() - walk.held > self._lease_ms // 2:  # keep the pair ours while it takes long
                walk.held = self._now_ms()
                await self.outbox.hold(pair, walk.held + self._lease_ms)
        await self.outbox.passed(pair, walk.cursor, records)
        walk.saved = walk.cursor
        return True

    async def _one(self, endpoint: Endpoint, pair: Pair, entry: Entry,
                   failing: dict[str, Any] | None) -> dict[str, Any]:
        """Deliver one event: its record, with the outcome "delivered", "dead" (given up) or "failed"
        (to try again at `next_ms`)."""
        event = entry.event
        state = failing if failing is not None and failing.get("event") == event["id"] else None
        attempts = (state["attempts"] if state else 0) + 1
        status, error = await self.post(endpoint, entry.body.encode(), event)
        now = self.clock.now()
        record = {"event": event["id"], "type": event["type"], "subscription": endpoint.id,
                  "contact": event["contact"]["id"], "attempts": attempts, "status": status,
                  "at": now.isoformat()}
        if error is None:
            return record | {"outcome": "delivered"}
        first = datetime.fromisoformat(state["first_failed_at"]) if state else now
        if now - first >= self.policy.give_up_after:
            log.warning("event %s (%s) to subscription %s given up after %d attempts: %s", event["id"],
                        event["type"], endpoint.id, attempts, error)
            return record | {"outcome": "dead", "error": error, "first_failed_at": first.isoformat()}
        wait = self.policy.backoff(attempts)
        log.info("event %s (%s) to subscription %s failed (%s); try %d in %.0f s", event["id"], event["type"],
                 endpoint.id, error, attempts + 1, wait)
        later = now + timedelta(seconds=wait)
        return record | {"outcome": "failed", "error": error, "first_failed_at": first.isoformat(),
                         "next_at": later.isoformat(), "next_ms": int(later.timestamp() * 1000)}

    async def post(self, endpoint: Endpoint, body: bytes, event: Mapping[str, Any]) -> tuple[int | None, str | None]:
        """POST one event: (status, None) when the receiver took it, else (status or None, why not)."""
        headers = {"Content-Type": "application/json", "User-Agent": "papo-events/1",
                   HEADER: sign(endpoint.secret, int(self.clock.now().timestamp()), body),
                   "Papo-Event-Id": event["id"], "Idempotency-Key": event["id"], "Papo-Event-Type": event["type"]}
        try:
            async with self._sessions.get().post(endpoint.url, data=body, headers=headers, allow_redirects=False,
                                         timeout=aiohttp.ClientTimeout(total=self.policy.timeout_s)) as response:
                await response.read()
                return response.status, None if 200 <= response.status < 300 else f"HTTP {response.status}"
        except TimeoutError:
            return None, f"no answer within {self.policy.timeout_s:g} s"
        except aiohttp.ClientError as exc:
            return None, type(exc).__name__

    async def replay(self, dead_id: str) -> dict[str, Any] | None:
        """Send a dead letter again, now; on success it leaves the dead letters. None: no such entry."""
        dead = await self.outbox.dead_one(dead_id)
        if dead is None:
            return None
        endpoint = self.endpoints.get(dead["subscription"])
        if endpoint is None:
            return {"replayed": False, "error": f"subscription {dead['subscription']!r} is not running here"}
        event = Entry.read(dead_id, dead["body"]).event
        status, error = await self.post(endpoint, dead["body"].encode(), event)
        if error is not None:
            return {"replayed": False, "status": status, "error": error}
        await self.outbox.forget_dead(dead_id, {"event": event["id"], "type": event["type"],
                                                "subscription": endpoint.id, "contact": event["contact"]["id"],
                                                "status": status, "outcome": "replayed",
                                                "at": self.clock.now().isoformat()})
        return {"replayed": True, "status": status, "event": event["id"]}

    async def aclose(self) -> None:
        await self._sessions.aclose()


@dataclass(slots=True)
class _Walk:
    """How far one delivery of a pair got: the cursor reached, the one stored, the failure it started
    with, when its lease was last renewed, how many events it delivered."""

    cursor: str
    saved: str
    failing: dict[str, Any] | None
    held: int
    delivered: int = 0


async def first_set(*events: asyncio.Event) -> None:
    """Return as soon as one of `events` is set."""
    waits = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waits:
            w.cancel()


def endpoints_from(subscriptions: Iterable[Any], env: Mapping[str, str]) -> tuple[list[Endpoint], list[str]]:
    """The bot's subscriptions whose url and secret are set in `env`, and a line for each one that is off."""
    running, off = [], []
    for sub in subscriptions:
        missing = [m.group(1) for value in (sub.url, sub.secret) for m in ENV_REF.finditer(value)
                   if not env.get(m.group(1))]
        if missing:
            off.append(f"event subscription {sub.id!r} is off: {', '.join(missing)} not set; set "
                       f"{' and '.join(missing)} to send it events")
            continue
        url = ENV_REF.sub(lambda m: env[m.group(1)], sub.url)
        secret = ENV_REF.sub(lambda m: env[m.group(1)], sub.secret)
        running.append(Endpoint(sub.id, url, secret, frozenset(t for t in EVENT_TYPES if sub.wants(t))))
    return running, off
