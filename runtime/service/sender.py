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
conversation can go out twice (at-least-once), never one be lost. A sender that stays alive keeps the
receipts of payloads whose bookkeeping failed (Redis went away while the channel answered) and, when
Redis is back, finishes that bookkeeping without sending them again: only a killed sender can resend.
"""

from __future__ import annotations

import asyncio
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

from connectors import Connector, SendError, Throttled
from flows.messages import OutboundMessage, Receipt
from runtime.conversations import keys as C
from runtime.conversations.keys import ConversationKey
from runtime.conversations.store import RedisStore
from runtime.engine.clock import Clock
from runtime.engine.errors import RetriesExhausted
from runtime.engine.state import Conversation
from runtime.privacy.consent import may_send
from runtime.service.delivery import DeliveryBook
from runtime.service.pacing import Pacer

log = logging.getLogger(__name__)

UNSETTLED_KEPT = 10_000  # receipts kept while Redis is away, at most


class NoConsent(SendError):
    """The contact has not consented to messages of this purpose (or is blocked): never sent."""


@dataclass(frozen=True, slots=True)
class SendPolicy:
    retries: int = 5             # attempts after the first one, for retryable errors
    retry_base_s: float = 0.5    # backoff: base * 2**attempt, unless the channel says `retry_after`
    retry_max_s: float = 60.0
    lease_ms: int = C.WORK_LEASE_MS


class Outcome(enum.Enum):
    SENT = "sent"
    REFUSED = "refused"  # recorded, dropped from the outbox
    LATER = "later"      # still first in the outbox


@dataclass(frozen=True, slots=True)
class Progress:
    """An outbox entry on its way out: its channel payloads, as rendered when its first try began, and
    how many of them the channel accepted. Kept in Redis once one payload of several went out."""

    to: str
    payloads: tuple[dict[str, Any], ...]
    sent: int = 0

    def after(self, n: int) -> Progress:
        return dataclasses.replace(self, sent=n + 1)

    def to_json(self) -> str:
        return json.dumps({"to": self.to, "payloads": self.payloads, "sent": self.sent})

    @classmethod
    def from_json(cls, raw: str | bytes) -> Progress:
        data = json.loads(raw)
        return cls(data["to"], tuple(data["payloads"]), int(data["sent"]))


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
        # Payloads the channel accepted whose bookkeeping in Redis has not gone through yet (Redis went
        # away while the Graph API answered): a retry takes the receipt from here instead of sending
        # again. Dropped when the outbox entry is removed; bounded, oldest first.
        self._unsettled: OrderedDict[tuple[ConversationKey, str, int], Receipt] = OrderedDict()
        self.on_refused: Callable[[ConversationKey, SendError], Awaitable[None]] | None = None

    async def handle(self, key: ConversationKey) -> bool:
        """Send what waits in the outbox; False when a message must be tried again later."""
        connector = self.connectors.get(key.channel)
        if connector is None:
            log.warning("no connector for channel %r: the outbox of conv=%s waits", key.channel, key)
            return True
        token = secrets.token_hex(8)
        lock, outbox = self.keys.send_lock(key), self.keys.outbox(key)
        took = False
        while await self.store.leases.take(lock, token, lease_ms=self.policy.lease_ms):
            took = True
            try:
                done = await self._flush(key, connector, token)
            finally:
                left = await self.store.leases.release(lock, token, waiting=outbox)
            if not done:
                return False
            if not left:
                return True
        if took:
            return True  # another sender took over just now; it checks the outbox again as it lets go
        # Held since before we came: by a live sender (it checks the outbox as it lets go) or by one that was
        # killed (its lock lasts until the lease ends). While replies wait, keep the signal pending: it comes
        # back after the lease, and no reply waits for the patient's next message.
        return not await self.store.client.xlen(outbox)

    async def _flush(self, key: ConversationKey, connector: Connector, token: str) -> bool:
        state, _ = await self.store.load(key)
        to = await self.store.address(key)
        while True:
            entries, progress = await self._next_entries(key)
            if not entries:
                return True
            for sid, raw in entries:
                entry = _text(sid)
                message = OutboundMessage.from_dict(json.loads(_field(raw, "m")))
                started = progress.get(entry) or self._start(key, connector, state, message, to)
                if isinstance(started, SendError):
                    await self._refuse(key, message, started)
                elif await self._deliver(key, connector, entry, message, started, token) is Outcome.LATER:
                    return False
                await self._done(key, entry)
                self._settled(key, entry, len(started.payloads) if isinstance(started, Progress) else 0)

    async def _next_entries(self, key: ConversationKey) -> tuple[Any, dict[str, Progress]]:
        """The first outbox entries and the progress of those partly sent, in one round trip."""
        async with self.store.client.pipeline(transaction=False) as pipe:
            pipe.xrange(self.keys.outbox(key), count=16)
            pipe.hgetall(self.keys.sending(key))
            entries, progress = await pipe.execute()
        return entries, {_text(k): Progress.from_json(v) for k, v in (progress or {}).items()}

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
                       progress: Progress, token: str) -> Outcome:
        """Send the payloads not sent yet, in order; stop at the first that is refused or must wait."""
        for n in range(progress.sent, len(progress.payloads)):
            sent = self._unsettled.get((key, entry, n)) or await self._send_payload(key, connector, message,
                                                                                   progress, n, token)
            if isinstance(sent, Outcome):
                return sent
            self._unsettle(key, entry, n, sent)
            progress = progress.after(n)
            if progress.sent < len(progress.payloads):
                await self._record(key, entry, progress)  # first: a crash before it sends this payload again
            await self.deliveries.accepted(key, channel_id=sent.message_id, papo_id=message.id, at=self._now())
        return Outcome.SENT

    async def _send_payload(self, key: ConversationKey, connector: Connector, message: OutboundMessage,
                            progress: Progress, n: int, token: str) -> Receipt | Outcome:
        """Payload `n` of the message, tried until accepted (its receipt), refused, or out of retries."""
        last: SendError | None = None
        tries = 0
        for attempt in range(self.policy.retries + 1):
            if attempt:
                wait = self._backoff(attempt - 1, last)
                if wait > self.policy.lease_ms / 2000:
                    break  # longer than our lease allows: the signal comes back after the lease
                await asyncio.sleep(wait)
            await self.store.leases.renew(self.keys.send_lock(key), token, lease_ms=self.policy.lease_ms)
            await self.pacer.wait_turn(key, self.accounts.get(key.channel, ""))
            tries += 1
            try:
                return await connector.send_payload(progress.payloads[n], to=progress.to)
            except SendError as exc:
                if not exc.retryable:
                    return await self._refuse(key, message, exc)
                log.info("send of msg=%s (payload %d of %d) conv=%s failed (%s), attempt %d", message.id, n + 1,
                         len(progress.payloads), key, type(exc).__name__, attempt + 1)
                last = exc
        assert last is not None
        exhausted = RetriesExhausted(message.id, tries, last)
        log.warning("conv=%s: %s", key, exhausted)
        await self.deliveries.refused(key, papo_id=message.id, error=exhausted, at=self._now())
        return Outcome.LATER

    def _unsettle(self, key: ConversationKey, entry: str, n: int, receipt: Receipt) -> None:
        self._unsettled[(key, entry, n)] = receipt
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

    async def _done(self, key: ConversationKey, entry: str) -> None:
        """The message went out (or never will): drop it from the outbox, and its progress with it."""
        async with self.store.client.pipeline(transaction=True) as pipe:
            pipe.xdel(self.keys.outbox(key), entry)
            pipe.hdel(self.keys.sending(key), entry)
            await pipe.execute()

    def fit_window(self, connector: Connector, state: Conversation | None, message: OutboundMessage) -> OutboundMessage:
        """The message to send now, by the channel's reply window; raises WindowClosed outside it."""
        if connector.window is None:
            return message
        last = state.last_inbound() if state is not None else None
        return connector.window.fit(message, last_inbound=last, now=self.clock.now(), channel=connector.channel)

    async def _refuse(self, key: ConversationKey, message: OutboundMessage, exc: SendError) -> Outcome:
        log.warning("msg=%s conv=%s not sent: %s", message.id, key, type(exc).__name__)
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


def _field(raw: Any, name: str) -> str:
    return _text(raw[name.encode()] if name.encode() in raw else raw[name])


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
