"""The sender: takes a conversation's outbox in order and sends it through the channel's connector.

One sender at a time drains a conversation (a lease on its `sendlock`, `runtime.conversations.locks`),
so replies leave in the order the turns committed them. Each message:
- the channel's reply window (`Connector.window`, e.g. Meta's 24 hours) is checked at send time:
  inside it a message goes as its free-form content; outside it a message with a template goes as
  the template, one without is not sent and is recorded as `WindowClosed`;
- it is rendered into the channel's payloads (an image and then a list are two), sent one by one,
  each paced per recipient and per business number (`runtime.service.pacing`);
- retryable errors are retried with backoff, honouring `retry_after`, from the payload that failed;
  permanent ones are recorded and the message is dropped from the outbox; when retries run out,
  the message stays first in the outbox and the signal is left pending, so it is tried again after
  the lease, again from the payload that failed.

Once one payload of several went out, the sender keeps the message's payloads and how many went
out in `{conv}:sending` (written before the delivery record), so a retry, by this sender or by
another one after a crash, never sends them again. An outbox entry is removed only after the
channel accepted (or refused for good) its last payload. A crash between the channel accepting a
payload and that record (or that removal) sends that one payload again: at most one payload per
conversation can go out twice (at-least-once), never one be lost.

A sender that stays alive never sends a payload twice, even when Redis goes away while the channel
answers and stays away longer than the lease. Before each payload goes out, in the same round trip as
the lease's renewal, the sender marks it in flight in `{conv}:sending` with its own process id. It keeps
the receipt of every payload whose bookkeeping failed and, as soon as Redis answers again, finishes that
bookkeeping (`settle`), only where its own mark still stands. Another sender that finds a payload marked
in flight by somebody else does not send it: it waits `settle_grace_s` (a lease by default) for the
owner to settle it, and sends it only when the mark still stands after that (its owner was killed): only
a killed sender can cause a resend, of the one payload it had in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import enum
import json
import logging
import random
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from redis.exceptions import RedisError

from connectors import Connector, SendError, Throttled, WindowClosed
from flows.messages import OutboundMessage, Receipt
from runtime import logs, metrics
from runtime.conversations import keys as C
from runtime.conversations.keys import ConversationKey
from runtime.conversations.store import Ack, RedisStore
from runtime.engine import codec
from runtime.engine.clock import Clock
from runtime.engine.errors import RetriesExhausted
from runtime.engine.state import Conversation
from runtime.privacy.consent import may_send
from runtime.service.delivery import ADVANCE_FN, DeliveryBook
from runtime.service.pacing import PACE_FN, Pacer

log = logging.getLogger(__name__)

UNSETTLED_KEPT = 10_000  # receipts kept while Redis is away, at most
ENTRIES = 1  # outbox entries read at once: the one to send next


class NoConsent(SendError):
    """The contact has not consented to messages of this purpose (or is blocked): never sent."""


@dataclass(frozen=True, slots=True)
class SendPolicy:
    retries: int = 5             # attempts after the first one, for retryable errors
    retry_base_s: float = 0.5    # backoff: base * 2**attempt, unless the channel says `retry_after`
    retry_max_s: float = 60.0
    lease_ms: int = C.WORK_LEASE_MS
    # How long a payload another sender marked in flight is left to it to settle (it may be alive, its
    # receipt kept while Redis was away) before it counts as lost with that sender and is sent again.
    # None: one lease, so the signal comes back once more meanwhile (each time counts as a delivery).
    settle_grace_s: float | None = None

    @property
    def grace_s(self) -> float:
        return self.lease_ms / 1000 if self.settle_grace_s is None else self.settle_grace_s


class Outcome(enum.Enum):
    SENT = "sent"
    REFUSED = "refused"  # recorded, dropped from the outbox
    LATER = "later"      # still first in the outbox


@dataclass(frozen=True, slots=True)
class Progress:
    """An outbox entry on its way out: its channel payloads, as rendered when its first try began, how
    many of them the channel accepted, and the payload in flight: being sent by sender `by` (a process
    id), whose receipt is not recorded yet; `seen_ms` is when another sender first found that mark."""

    to: str
    payloads: tuple[dict[str, Any], ...]
    sent: int = 0
    by: str = ""
    seen_ms: int = 0

    @property
    def in_flight(self) -> bool:
        return bool(self.by)

    def after(self, n: int) -> Progress:
        """Payload `n` was accepted: nothing is in flight."""
        return dataclasses.replace(self, sent=n + 1, by="", seen_ms=0)

    def flying(self, by: str) -> Progress:
        """Payload `sent` is being sent by `by`."""
        return dataclasses.replace(self, by=by, seen_ms=0)

    def to_json(self) -> str:
        data: dict[str, Any] = {"to": self.to, "payloads": self.payloads, "sent": self.sent}
        if self.by:
            data |= {"by": self.by, "seen_ms": self.seen_ms}
        return json.dumps(data)

    @classmethod
    def from_json(cls, raw: str | bytes) -> Progress:
        data = json.loads(raw)
        return cls(data["to"], tuple(data["payloads"]), int(data["sent"]), str(data.get("by", "")),
                   int(data.get("seen_ms", 0)))


@dataclass(frozen=True, slots=True)
class _Next:
    """The first outbox entries, the progress of those partly sent, and whether the first one was made
    ready to go (its turn taken, marked in flight with `Sender.placeholder`)."""

    entries: list[tuple[Any, dict[Any, Any]]]
    progress: dict[str, Progress]
    ready: bool

    @classmethod
    def of(cls, entries: Any, progress: Any, ready: Any) -> _Next:
        return cls([(sid, _pairs(fields)) for sid, fields in entries or []],
                   {_text(k): Progress.from_json(v) for k, v in _pairs(progress or []).items()}, int(ready) == 0)


@dataclass(frozen=True, slots=True)
class _Opened:
    """What `_OPEN` read with the send lock: the conversation's state, the address replies go to, and the
    first outbox entries."""

    state: Conversation | None
    to: str
    next: _Next


@dataclass(frozen=True, slots=True)
class Unsettled:
    """A payload the channel accepted whose bookkeeping has not gone through yet."""

    receipt: Receipt
    papo_id: str
    progress: Progress  # as it was while the payload was in flight


# Every script below starts with the same keys and arguments, what a payload's turn needs. KEYS: sendlock,
# sending, the recipient's pacing key, outbox, ..., and last, when ARGV[9] is '1', the business number's
# pacing counter. ARGV: token, lease (ms), the in-flight mark, its ttl (ms), now (ms), pacing per user (ms),
# sends per second per number, pacing keys kept (ms), '1' or ''.
_TURN = PACE_FN + """
local rate = ARGV[9] == '1' and KEYS[#KEYS] or ''
-- The lease renewed, the send's pacing taken and the payload marked in flight: 0 to go, -1 when the lease
-- was lost, else the ms to wait (nothing taken).
local function go(entry, mark)
  if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  local wait = pace(KEYS[3], rate, tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]))
  if wait > 0 then return wait end
  redis.call('HSET', KEYS[2], entry, mark)
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
  return 0
end
-- The first of `entries` made ready to go, unless some progress of it is kept (-2: not made ready).
local function ready(entries)
  if #entries == 0 or redis.call('HEXISTS', KEYS[2], entries[1][1]) == 1 then return -2 end
  return go(entries[1][1], ARGV[3])
end
"""
# One payload's turn. ARGV[10]: the outbox entry.
_GO = _TURN + "return go(ARGV[10], ARGV[3])"
# Take the send lock and read what a drain needs, and make the first entry ready to go, in one round trip.
# KEYS[5..6]: state, address; ARGV[10]: how many entries. Nothing waits: {2}. Held by another sender:
# {0, the outbox's length}.
_OPEN = _TURN + """
if redis.call('XLEN', KEYS[4]) == 0 then return {2} end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {0, redis.call('XLEN', KEYS[4])} end
local state = redis.call('HMGET', KEYS[5], 'ver', 'doc')
local entries = redis.call('XRANGE', KEYS[4], '-', '+', 'COUNT', ARGV[10])
local progress = redis.call('HGETALL', KEYS[2])
local made = ready(entries)
return {1, state[1] or '', state[2] or '', redis.call('GET', KEYS[6]) or '', entries, progress, made}
"""
# An outbox entry done: the channel's receipt recorded (when it took the last payload), the entry dropped with
# its progress, then the next entry read and made ready to go; with none left, the lock given back and the
# send signal acknowledged (on one Redis), in one round trip. KEYS[5..7]: the delivery record, sent, failed;
# KEYS[8]: the signal's stream (when ARGV[17] names a signal). ARGV[10..]: entry, channel id ('': no
# receipt), papo id, at, records' ttl, how many entries, signal group, signal id. Returns {0} when nothing
# is left, else {1, entries, progress, ready}.
_FINISH = _TURN + ADVANCE_FN + """
if ARGV[11] ~= '' then
  redis.call('HSET', KEYS[6], ARGV[11], ARGV[12])
  redis.call('PEXPIRE', KEYS[6], ARGV[14])
  redis.call('HDEL', KEYS[7], ARGV[12])
  advance(KEYS[5], 'accepted', 0, ARGV[13], ARGV[12], '', '', ARGV[14])
end
redis.call('XDEL', KEYS[4], ARGV[10])
redis.call('HDEL', KEYS[2], ARGV[10])
local entries = redis.call('XRANGE', KEYS[4], '-', '+', 'COUNT', ARGV[15])
if #entries == 0 then
  if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
  if ARGV[17] ~= '' then
    redis.call('XACK', KEYS[8], ARGV[16], ARGV[17])
    redis.call('XDEL', KEYS[8], ARGV[17])
  end
  return {0}
end
local progress = redis.call('HGETALL', KEYS[2])
local made = ready(entries)
return {1, entries, progress, made}
"""
# Replace an outbox entry's progress (or drop it: an empty one) only if it is still exactly what the caller saw.
_SWAP = """
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
if ARGV[3] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) end
return 1
"""
# Finish the bookkeeping of a payload accepted while Redis was away, only where the sender's own mark
# still stands (nobody else took the entry over): the next progress, or, after its last payload, the entry
# leaves the outbox.
_SETTLE = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local progress = cjson.decode(raw)
if progress['by'] ~= ARGV[2] or tonumber(progress['sent']) ~= tonumber(ARGV[3]) then return 0 end
if ARGV[4] == '' then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('XDEL', KEYS[2], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
end
return 1
"""


class Sender:
    def __init__(self, store: RedisStore, connectors: Mapping[str, Connector], accounts: Mapping[str, str], *,
                 deliveries: DeliveryBook, pacer: Pacer, clock: Clock, policy: SendPolicy | None = None) -> None:
        self.store = store
        self.keys = store.keys
        self.connectors = connectors
        self.accounts = accounts
        self.deliveries = deliveries
        self.pacer = pacer
        self.clock = clock
        self.policy = policy or SendPolicy()
        self.me = secrets.token_hex(8)  # this process, in the marks of payloads in flight
        # Payloads the channel accepted whose bookkeeping in Redis has not gone through yet (Redis went
        # away while the Graph API answered): a retry takes the receipt from here instead of sending
        # again, and `settle` finishes their bookkeeping when Redis is back. Dropped when the outbox entry
        # is removed; bounded, oldest first.
        self._unsettled: OrderedDict[tuple[ConversationKey, str, int], Unsettled] = OrderedDict()
        self._sending: set[tuple[ConversationKey, str, int]] = set()  # waiting on the channel right now
        self._stranded: set[ConversationKey] = set()  # with receipts whose bookkeeping Redis refused
        self._open = store.client.register_script(_OPEN)
        self._go = store.client.register_script(_GO)
        self._finish = store.client.register_script(_FINISH)
        self._one_redis = store.one_redis  # else a cluster: the number's pacing counter lives in another slot
        # The in-flight mark of an entry made ready before it was rendered: nothing sent yet, all to render.
        self.placeholder = Progress("", (), 0, self.me).to_json()
        self._swap = store.client.register_script(_SWAP)
        self._settle = store.client.register_script(_SETTLE)
        self.on_refused: Callable[[ConversationKey, SendError], Awaitable[None]] | None = None

    async def handle(self, key: ConversationKey, ack: Ack | None = None) -> bool:
        """Send what waits in the outbox; False when a message must be tried again later. On one Redis,
        the round trip that finds the outbox empty also acknowledges `ack` (its `done` says so)."""
        with logs.bound(key.ref):
            return await self._handle(key, ack)

    async def _handle(self, key: ConversationKey, ack: Ack | None) -> bool:
        connector = self.connectors.get(key.channel)
        if connector is None:
            log.warning("no connector for channel %r: the outbox of conv=%s waits", key.channel, key)
            return True
        token = secrets.token_hex(8)
        try:
            opened = await self._opened(key, token)
            if not isinstance(opened, _Opened):
                # Held since before we came: by a live sender (it checks the outbox as it lets go) or by one
                # that was killed (its lock lasts until the lease ends). While replies wait, keep the signal
                # pending: it comes back after the lease, and no reply waits for the patient's next message.
                return not opened
            done = False
            try:
                done = await self._flush(key, connector, token, opened, ack)
            finally:
                if not done:  # stopped before the outbox was empty: whoever comes next goes on
                    await self.store.leases.release(self.keys.send_lock(key), token, waiting=self.keys.outbox(key))
            return done
        except (RedisError, OSError):
            if any(k == key for k, _, _ in self._unsettled):
                self._stranded.add(key)  # receipts Redis did not take: `settle` finishes them when it is back
            raise

    def _turn(self, key: ConversationKey, token: str, mark: str, head: list[str],
              tail: list[Any]) -> tuple[list[str], list[Any]]:
        """The keys and arguments of a script that starts with `_TURN`: `head` after its first three keys,
        `tail` after its nine arguments."""
        recipient, rate, pacing = self.pacer.turn(key, self.accounts.get(key.channel, ""),
                                                  with_number=self._one_redis)
        keys = [self.keys.send_lock(key), self.keys.sending(key), recipient, *head, *([rate] if rate else [])]
        return keys, [token, self.policy.lease_ms, mark, self.store.state_ttl_ms, *pacing, "1" if rate else "",
                      *tail]

    async def _opened(self, key: ConversationKey, token: str) -> _Opened | int:
        """The send lock taken, what a drain needs (state, address, the first outbox entries and their
        progress), and the first entry made ready to go; when another sender holds the lock, how many
        messages wait in the outbox (0 also when nothing waits)."""
        keys, args = self._turn(key, token, self.placeholder,
                                [self.keys.outbox(key), self.keys.state(key), self.keys.address(key)], [ENTRIES])
        reply = await self._open(keys=keys, args=args)
        if int(reply[0]) != 1:
            return 0 if int(reply[0]) == 2 else int(reply[1])
        _, ver, doc, address, entries, sending, ready = reply
        state = Conversation.from_json(codec.loads(doc), version=int(ver)) if doc else None
        return _Opened(state, _text(address) or key.user, _Next.of(entries, sending, ready))

    async def _flush(self, key: ConversationKey, connector: Connector, token: str, opened: _Opened,
                     ack: Ack | None) -> bool:
        """Send the outbox's entries in order; True when it is empty and the lock was given back."""
        state, to, batch = opened.state, opened.to, opened.next
        while batch.entries:
            sid, raw = batch.entries[0]
            entry = _text(sid)
            message = OutboundMessage.from_dict(codec.loads(_field(raw, "m")))
            logs.set_trace(message.id)
            progress = batch.progress
            if entry in progress and not await self._may_resume(key, entry, progress[entry]):
                return False  # another sender may still settle it: back after the lease
            kept = progress.get(entry)  # nothing sent yet: rendered again, the window checked again
            started = kept if kept is not None and kept.sent else self._start(key, connector, state, message, to)
            receipt: Receipt | None = None
            if isinstance(started, SendError):
                await self._refuse(key, message, started)
            else:
                sent = await self._deliver(key, connector, entry, message, started, token, ready=batch.ready)
                if sent is Outcome.LATER:
                    return False
                receipt = sent if isinstance(sent, Receipt) else None
            following = await self._finished(key, entry, message.id, receipt, token, ack)
            self._settled(key, entry, len(started.payloads) if isinstance(started, Progress) else 0)
            if following is None:
                return True
            batch = following
        return False  # read nothing after all (gone meanwhile): let go as usual

    async def _finished(self, key: ConversationKey, entry: str, papo_id: str, receipt: Receipt | None, token: str,
                        ack: Ack | None) -> _Next | None:
        """The entry went out (`receipt`: the channel's for its last payload, recorded here) or never will:
        drop it from the outbox with its progress, and read the next entries with the first made ready to
        go; None when none is left (the lock given back, `ack` acknowledged), in one round trip."""
        ack = ack if self._one_redis else None
        channel_id = receipt.message_id if receipt is not None else ""
        head = [self.keys.outbox(key), self.keys.delivery(key, channel_id or "-"), self.keys.sent(key),
                self.keys.failed(key), *([ack.stream] if ack else [])]
        keys, args = self._turn(key, token, self.placeholder, head,
                                [entry, channel_id, papo_id, self._now(), self.deliveries.ttl_ms, ENTRIES,
                                 ack.group if ack else "", ack.id if ack else ""])
        reply = await self._finish(keys=keys, args=args)
        if not int(reply[0]):
            if ack is not None:
                ack.done = True
            return None
        return _Next.of(reply[1], reply[2], reply[3])

    async def _may_resume(self, key: ConversationKey, entry: str, progress: Progress) -> bool:
        """Whether this sender may go on with an outbox entry whose progress it found: not while one of
        its payloads is in flight with a sender that may still settle it."""
        if not progress.in_flight:
            return True
        if progress.by == self.me:  # ours: its receipt is kept (see `_deliver`), or it never came
            return (key, entry, progress.sent) not in self._sending
        now = int(self.clock.now().timestamp() * 1000)
        if not progress.seen_ms:
            log.info("conv=%s: a payload is in flight with another sender; it has %.1f s to settle it", key,
                     self.policy.grace_s)
            await self._swap(keys=[self.keys.sending(key)],
                             args=[entry, progress.to_json(), dataclasses.replace(progress, seen_ms=now).to_json()])
            return False
        if now - progress.seen_ms < self.policy.grace_s * 1000:
            return False
        log.info("conv=%s: a payload in flight with a sender that is gone is sent again", key)
        return True

    async def settle(self) -> int:
        """Finish the bookkeeping of payloads the channel accepted while Redis was away, where this
        sender's mark still stands; returns how many were settled. Raises while Redis is still away."""
        settled = 0
        for (key, entry, n), item in list(self._unsettled.items()):
            if key not in self._stranded or (key, entry, n) in self._sending:
                continue
            last = n + 1 == len(item.progress.payloads)
            await self.deliveries.accepted(key, channel_id=item.receipt.message_id, papo_id=item.papo_id,
                                           at=self._now())
            settled += await self._settle(keys=[self.keys.sending(key), self.keys.outbox(key)],
                                          args=[entry, self.me, n, "" if last else item.progress.after(n).to_json()])
            self._unsettled.pop((key, entry, n), None)
        self._stranded &= {k for k, _, _ in self._unsettled}
        return settled

    async def keep_settling(self, stop: asyncio.Event, *, every_s: float = 0.5) -> None:
        """`settle` whenever receipts wait for Redis, until `stop` is set."""
        while not stop.is_set():
            if self._stranded:
                try:
                    await self.settle()
                except (RedisError, OSError):
                    pass  # still away: next time
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every_s)

    def _start(self, key: ConversationKey, connector: Connector, state: Conversation | None, message: OutboundMessage,
               to: str) -> Progress | SendError:
        """The payloads of a message not sent yet, or why it cannot be sent (no consent for its purpose,
        window closed, not renderable)."""
        if (why := may_send(state, message.purpose)) is not None:
            return NoConsent(f"message {message.id} ({message.purpose or 'reply'}) not sent: {why}")
        try:
            rendered = connector.render(self.fit_window(connector, state, message), to=to)
        except SendError as exc:
            return exc
        if rendered.adjustments:
            log.debug("msg=%s conv=%s adjusted: %s", message.id, key, "; ".join(rendered.adjustments))
        return Progress(to, rendered.payloads)

    async def _deliver(self, key: ConversationKey, connector: Connector, entry: str, message: OutboundMessage,
                       progress: Progress, token: str, *, ready: bool) -> Receipt | Outcome:
        """Send the payloads not sent yet, in order; stop at the first that is refused or must wait. The last
        payload's receipt is returned, for the round trip that drops the entry to record; `ready`: the first
        payload's turn was taken, and it marked in flight, as the entry was read."""
        sent: Receipt | Outcome = Outcome.SENT
        for n in range(progress.sent, len(progress.payloads)):
            kept = self._unsettled.get((key, entry, n))
            sent = kept.receipt if kept else await self._send_payload(key, connector, entry, message, progress, n,
                                                                      token, ready=ready and n == 0)
            if isinstance(sent, Outcome):
                return sent
            self._unsettle(key, entry, n, Unsettled(sent, message.id, progress))
            progress = progress.after(n)
            if progress.sent < len(progress.payloads):
                await self._record(key, entry, progress)  # first: a crash before it sends this payload again
                await self.deliveries.accepted(key, channel_id=sent.message_id, papo_id=message.id, at=self._now())
        return sent

    async def _send_payload(self, key: ConversationKey, connector: Connector, entry: str, message: OutboundMessage,
                            progress: Progress, n: int, token: str, *, ready: bool) -> Receipt | Outcome:
        """Payload `n` of the message, tried until accepted (its receipt), refused, or out of retries."""
        last: SendError | None = None
        tries = 0
        mark = self.placeholder
        for attempt in range(self.policy.retries + 1):
            if attempt:
                wait = self._backoff(attempt - 1, last)
                if wait > self.policy.lease_ms / 2000:
                    break  # longer than our lease allows: the signal comes back after the lease
                await asyncio.sleep(wait)
            if not (ready and attempt == 0):
                mark = progress.flying(self.me).to_json()
                if not await self._went(key, entry, mark, token):
                    log.info("conv=%s: the send lease lapsed; another sender goes on", key)
                    return Outcome.LATER
            if not self._one_redis:  # on a cluster the number's counter lives in another slot
                while wait := await self.pacer.take_number(key.channel, self.accounts.get(key.channel, "")):
                    await self.pacer.sleep(wait)
            tries += 1
            self._sending.add((key, entry, n))
            try:
                receipt = await connector.send_payload(progress.payloads[n], to=progress.to)
                metrics.SENDS.labels(key.bot, key.channel, "sent", "").inc()
                return receipt
            except SendError as exc:
                if not exc.retryable:
                    return await self._refuse(key, message, exc)
                metrics.SENDS.labels(key.bot, key.channel, "retried", _code(exc)).inc()
                log.info("send of msg=%s (payload %d of %d) conv=%s failed (%s), attempt %d", message.id, n + 1,
                         len(progress.payloads), key, type(exc).__name__, attempt + 1)
                last = exc
            finally:
                self._sending.discard((key, entry, n))
        assert last is not None
        # not in flight any more (unless the lease went to another sender meanwhile): whoever goes on needn't wait
        await self._swap(keys=[self.keys.sending(key)],
                         args=[entry, mark, progress.to_json() if progress.sent else ""])
        exhausted = RetriesExhausted(message.id, tries, last)
        metrics.SENDS.labels(key.bot, key.channel, "exhausted", _code(last)).inc()
        log.warning("conv=%s: %s", key, exhausted)
        await self.deliveries.refused(key, papo_id=message.id, error=exhausted, at=self._now())
        return Outcome.LATER

    async def _went(self, key: ConversationKey, entry: str, mark: str, token: str) -> bool:
        """The payload's turn taken (waiting for the recipient's and the number's pacing), the lease renewed
        and `mark` written, one round trip each time; False when the lease was lost."""
        while True:
            keys, args = self._turn(key, token, mark, [self.keys.outbox(key)], [entry])
            wait_ms = int(await self._go(keys=keys, args=args))
            if wait_ms < 0:
                return False
            if not wait_ms:
                return True
            await self.pacer.sleep(wait_ms / 1000)

    def _unsettle(self, key: ConversationKey, entry: str, n: int, item: Unsettled) -> None:
        self._unsettled[(key, entry, n)] = item
        while len(self._unsettled) > UNSETTLED_KEPT:
            self._unsettled.popitem(last=False)

    def _settled(self, key: ConversationKey, entry: str, payloads: int) -> None:
        for n in range(payloads):
            self._unsettled.pop((key, entry, n), None)

    async def _record(self, key: ConversationKey, entry: str, progress: Progress) -> None:
        """Remember which payloads of the outbox entry went out, so no retry sends them again."""
        sending = self.keys.sending(key)
        async with self.store.client.pipeline(transaction=True) as pipe:
            pipe.hset(sending, entry, progress.to_json())
            pipe.pexpire(sending, self.store.state_ttl_ms)
            await pipe.execute()

    def fit_window(self, connector: Connector, state: Conversation | None, message: OutboundMessage) -> OutboundMessage:
        """The message to send now, by the channel's reply window; raises WindowClosed outside it."""
        if connector.window is None:
            return message
        last = state.last_inbound() if state is not None else None
        return connector.window.fit(message, last_inbound=last, now=self.clock.now(), channel=connector.channel)

    async def _refuse(self, key: ConversationKey, message: OutboundMessage, exc: SendError) -> Outcome:
        log.warning("msg=%s conv=%s not sent: %s", message.id, key, type(exc).__name__)
        metrics.SENDS.labels(key.bot, key.channel, "refused", _code(exc)).inc()
        if isinstance(exc, WindowClosed):
            metrics.WINDOW_REFUSALS.labels(key.bot, key.channel).inc()
        await self.deliveries.refused(key, papo_id=message.id, error=exc, at=self._now())
        if self.on_refused is not None:
            await self.on_refused(key, exc)
        return Outcome.REFUSED

    def _backoff(self, attempt: int, error: SendError | None) -> float:
        if error is not None and error.retry_after is not None:
            return min(error.retry_after, self.policy.retry_max_s)
        if isinstance(error, Throttled) and error.scope == "recipient":
            return float(min(4**attempt, self.policy.retry_max_s))  # Meta's pair rate limit: 4^X s, X from 0
        base = self.policy.retry_base_s * 2**attempt
        return float(min(base * (1 + random.random() / 10), self.policy.retry_max_s))

    def _now(self) -> str:
        return self.clock.now().isoformat()


def _code(exc: SendError) -> str:
    """The channel API's error code, as a metric label ('' when it answered none)."""
    return "" if exc.code is None else str(exc.code)


def _pairs(flat: Any) -> dict[Any, Any]:
    """A flat [field, value, ...] list (a Lua script's reply) as a dict."""
    return dict(zip(flat[::2], flat[1::2], strict=True))


def _field(raw: Any, name: str) -> str:
    return _text(raw[name.encode()] if name.encode() in raw else raw[name])


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
