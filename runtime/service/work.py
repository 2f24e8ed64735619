"""Work signals: Redis Streams partitioned by conversation, read through a consumer group.

A signal only names a conversation that has something to do (events in its inbox for the
workers, messages in its outbox for the sender), by its digest (`Directory`): the streams are
shared, so they never carry a user id. Handling one is idempotent (an empty inbox or
outbox is a no-op), so signals are at-least-once: a signal is acknowledged only after its
handler finished, a consumer that dies leaves it in the group's pending list, and another
consumer takes it over with XAUTOCLAIM once it has been idle longer than the lease. A signal
delivered more than `max_deliveries` times goes to the dead-letter stream (`Keys.dead_signals`).
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError, ResponseError

from runtime.conversations import keys as C
from runtime.conversations.keys import ConversationKey, Keys
from runtime.conversations.processor import Processor
from runtime.conversations.store import Ack
from runtime.keys import SignalKind
from runtime.privacy.names import Directory
from runtime.service.redis_urls import is_cluster

log = logging.getLogger(__name__)

# True: done, acknowledge (unless the handler did, in its own last round trip: `Ack.done`); False: later.
Handler = Callable[[ConversationKey, Ack | None], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class Signal:
    stream: str
    id: str
    key: ConversationKey


class SignalQueue:
    """A bot's `kind` signals (work or send) on `partitions` streams; a conversation's partition is a
    stable hash of it (`Keys.signals`)."""

    def __init__(self, client: aioredis.Redis, *, prefix: str, bot: str, kind: SignalKind,
                 partitions: int = C.PARTITIONS, group: str = C.GROUP, directory: Directory | None = None) -> None:
        keys = Keys(prefix)
        self.client = client
        self.directory = directory or Directory(client, prefix=prefix, bot=bot)
        self.name = f"{kind}:{bot}"
        self.group = group
        self.streams = [keys.signals(bot, kind, p) for p in range(partitions)]
        self.dead = keys.dead_signals(bot, kind)
        self._nudge = asyncio.Event()  # wakes this process's consumers (the embedded server cannot block)
        self.outage = Outage(f"{self.name} consumers")  # shared: one log line per outage, however many consumers
        self._cluster = is_cluster(client)

    def ack_for(self, signal: Signal) -> Ack | None:
        """What lets a handler acknowledge `signal` in its own last round trip: on one Redis only (on a
        cluster the signal's stream lives in another slot than the conversation)."""
        return None if self._cluster else Ack(signal.stream, self.group, signal.id)

    def stream_for(self, key: ConversationKey) -> str:
        return self.streams[zlib.crc32(f"{key.bot}:{key.channel}:{key.user}".encode()) % len(self.streams)]

    async def ensure_group(self) -> None:
        for stream in self.streams:
            try:
                await self.client.xgroup_create(stream, self.group, id="0", mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

    async def signal(self, *keys: ConversationKey, also: Callable[[Pipeline], None] | None = None) -> None:
        """Append one signal per conversation, in one round trip. `also` may queue best-effort commands
        (counters) on the same pipeline: their failure is logged, never the signal's."""
        if not keys:
            return
        async with self.client.pipeline(transaction=False) as pipe:
            self.queue(pipe, *keys)
            signals = len(pipe)
            if also is not None:
                also(pipe)
            replies = await pipe.execute(raise_on_error=False)
        for reply in replies[:signals]:
            if isinstance(reply, Exception):
                raise reply
        if any(isinstance(reply, Exception) for reply in replies[signals:]):
            log.info("%s: best-effort commands failed with the signal", self.name)
        self._nudge.set()

    def queue(self, pipe: Pipeline, *keys: ConversationKey) -> None:
        """Queue one signal per conversation on `pipe` (whoever executes it wakes this process's consumers
        with `nudge`)."""
        for key in dict.fromkeys(keys):
            pipe.xadd(self.stream_for(key), {"b": key.bot, "r": self.directory.remember(pipe, key)})

    async def read(self, consumer: str, *, count: int = 16, block_ms: int = 500) -> list[Signal]:
        """New signals for `consumer`, waiting up to `block_ms` for one (0: do not wait).

        On a Redis Cluster the partitions live in different slots, and one XREADGROUP may not span two:
        each partition is read on its own, without blocking, in one round trip per node; the consumer
        then waits on its own process's signals up to `block_ms` (`Consumer.run`)."""
        if self._cluster:
            async with self.client.pipeline(transaction=False) as pipe:
                for stream in self.streams:
                    pipe.xreadgroup(self.group, consumer, {stream: ">"}, count=count)
                replies: list[Any] = await pipe.execute()
            return await self._resolve([entry for reply in replies for stream, entries in reply or []
                                        for entry in _entries(stream, entries)])
        reply: Any = await self.client.xreadgroup(self.group, consumer, dict.fromkeys(self.streams, ">"), count=count,
                                                  block=block_ms or None)
        return await self._resolve([entry for stream, entries in reply or [] for entry in _entries(stream, entries)])

    async def ack(self, signal: Signal) -> None:
        await self._ack(signal.stream, signal.id)

    async def _ack(self, stream: str, sid: str) -> None:
        async with self.client.pipeline(transaction=False) as pipe:
            pipe.xack(stream, self.group, sid)
            pipe.xdel(stream, sid)  # acknowledged signals are of no further use
            await pipe.execute()

    async def _resolve(self, entries: list[_Entry]) -> list[Signal]:
        """The signals of these entries, each naming its conversation; an entry whose conversation was
        erased meanwhile (its name is gone) has nothing left to do and is acknowledged."""
        known = await self.directory.resolve(e.fields["r"] for e in entries if "r" in e.fields)
        signals = []
        for entry in entries:
            key = entry.key(known)
            if key is None:
                log.info("%s signal %s names no conversation any more (erased); dropped", self.name, entry.id)
                await self._ack(entry.stream, entry.id)
            else:
                signals.append(Signal(entry.stream, entry.id, key))
        return signals

    async def reclaim(self, consumer: str, *, min_idle_ms: int, count: int = 16) -> list[tuple[Signal, int]]:
        """Take over signals idle longer than `min_idle_ms`, with how often each was delivered."""
        claimed: list[tuple[Signal, int]] = []
        for stream in self.streams:
            reply = await self.client.xautoclaim(stream, self.group, consumer, min_idle_time=min_idle_ms,
                                                 start_id="0-0", count=count)
            for signal in await self._resolve(_entries(stream, reply[1])):
                claimed.append((signal, await self._deliveries(signal)))
        return claimed

    async def bury(self, signal: Signal, deliveries: int) -> None:
        """Move a signal that keeps failing to the dead-letter stream."""
        await self.client.xadd(self.dead, {"stream": signal.stream, "id": signal.id, "b": signal.key.bot,
                                           "r": signal.key.digest, "deliveries": deliveries},
                               maxlen=C.DEAD_KEPT, approximate=True)
        await self.ack(signal)
        log.warning("%s signal for conv=%s dead-lettered after %d deliveries", self.name, signal.key, deliveries)

    async def wait(self, timeout: float) -> None:
        """Wait until this process signals, or `timeout` seconds."""
        try:
            async with asyncio.timeout(timeout):
                await self._nudge.wait()
        except TimeoutError:
            pass
        self._nudge.clear()

    def nudge(self) -> None:
        self._nudge.set()

    async def _deliveries(self, signal: Signal) -> int:
        pending = await self.client.xpending_range(signal.stream, self.group, min=signal.id, max=signal.id, count=1)
        return int(pending[0]["times_delivered"]) if pending else 1


class Outage:
    """Says when Redis stops answering and when it answers again: one line each, not one per retry."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.down = False

    def failed(self, exc: BaseException) -> None:
        if not self.down:
            log.warning("%s: redis unavailable (%s: %s); retrying until it answers", self.what, type(exc).__name__, exc)
        self.down = True

    def answered(self) -> None:
        if self.down:
            log.info("%s: redis answers again", self.what)
        self.down = False


AT_ONCE = 8  # signals a consumer reads and handles at once: the conversations it works on or sends to at once


class Consumer:
    """One member of the group: reads signals, runs `handler`, acknowledges, takes over idle ones."""

    def __init__(self, queue: SignalQueue, handler: Handler, *, name: str, lease_ms: int = C.WORK_LEASE_MS,
                 max_deliveries: int = C.MAX_DELIVERIES, block_ms: int = 500, batch: int = AT_ONCE) -> None:
        self.queue = queue
        self.batch = batch  # signals taken at once (and handled at once); the other consumers take the rest
        self.handler = handler
        self.name = name
        self.lease_ms = lease_ms
        self.max_deliveries = max_deliveries
        self.block_ms = block_ms
        self._next_claim = 0.0
        self._stopped = False

    def stop(self) -> None:
        """Finish the signal at hand and return from `run` (within `block_ms`)."""
        self._stopped = True
        self.queue.nudge()

    async def run(self) -> None:
        """Consume until stopped or cancelled; Redis trouble is logged and retried, never fatal."""
        while not self._stopped:
            try:
                ran = await self.step()
            except (RedisError, OSError) as exc:
                _stop_if_cancelled(exc)
                self.queue.outage.failed(exc)
                await asyncio.sleep(0.5)
                continue
            self.queue.outage.answered()
            if not ran:
                await self.queue.wait(min(self.block_ms, self.lease_ms) / 1000)

    async def step(self) -> int:
        """One pass: new signals, then idle ones of other consumers when due. Returns how many ran.

        The signals of one read are handled at once, each its own conversation's: while one waits on Redis
        or the channel, the others run, and their commands go to Redis together. Two signals of the same
        conversation are safe as they are between consumers: one takes the lock and drains what waits."""
        signals = await self.queue.read(self.name, count=self.batch, block_ms=self.block_ms)
        if len(signals) == 1:
            await self._handle(signals[0])
        elif signals:
            outcomes = await asyncio.gather(*(self._handle(signal) for signal in signals), return_exceptions=True)
            for outcome in outcomes:  # Redis trouble: every handler has finished, the loop backs off
                if isinstance(outcome, BaseException):
                    raise outcome
        return len(signals) + await self._reclaim()

    async def _reclaim(self) -> int:
        loop = asyncio.get_running_loop()
        if loop.time() < self._next_claim:
            return 0
        self._next_claim = loop.time() + self.lease_ms / 2000
        claimed = await self.queue.reclaim(self.name, min_idle_ms=self.lease_ms)
        for signal, deliveries in claimed:
            log.info("%s consumer %s took over a signal for conv=%s (delivery %d)", self.queue.name, self.name,
                     signal.key, deliveries)
            if deliveries > self.max_deliveries:
                await self.queue.bury(signal, deliveries)
            else:
                await self._handle(signal)
        return len(claimed)

    async def _handle(self, signal: Signal) -> None:
        ack = self.queue.ack_for(signal)
        try:
            done = await self.handler(signal.key, ack)
        except (RedisError, OSError):
            raise
        except Exception as exc:  # a bug must not stop the loop: the signal stays pending and is retried
            _stop_if_cancelled(exc)
            log.exception("%s handler failed for conv=%s; it will be retried", self.queue.name, signal.key)
            return
        if done and not (ack is not None and ack.done):
            await self.queue.ack(signal)


class Worker:
    """Runs a conversation's waiting events (`Processor.drain`). Each committed turn with replies wakes
    a sender once, as it commits (the processor's `on_commit`); the worker itself only wakes one for
    replies that no turn of its drain announced."""

    def __init__(self, processor: Processor, sends: SignalQueue) -> None:
        self.processor = processor
        self.sends = sends

    async def handle(self, key: ConversationKey, ack: Ack | None = None) -> bool:
        results = await self.processor.drain(key, ack=ack)
        if results.emptied and any(result.messages for result in results):
            return True  # nothing waits, and the turns' replies woke a sender as they committed
        if results.emptied and results.outbox >= 0:
            inbox, outbox = 0, results.outbox  # the last commit counted them
        else:
            inbox, outbox = await self._waiting(key)
        if inbox:
            # Another worker holds the conversation's lock (or a dead one did, until its lease ends):
            # keep the signal pending so it comes back after the lease, and nothing waits forever.
            return False
        if outbox and not any(result.messages for result in results):
            # Replies wait that this drain did not commit: a process that died between a commit and its
            # signal left them (this work signal came back after the lease). Wake a sender for them.
            await self.sends.signal(key)
        return True

    async def _waiting(self, key: ConversationKey) -> tuple[int, int]:
        """How many events wait in the inbox and messages in the outbox, in one round trip."""
        store = self.processor.store
        async with store.client.pipeline(transaction=False) as pipe:
            pipe.xlen(store.keys.inbox(key))
            pipe.xlen(store.keys.outbox(key))
            inbox, outbox = await pipe.execute()
        return int(inbox), int(outbox)


def _stop_if_cancelled(exc: BaseException) -> None:
    """A client library may turn our cancellation into its own error: stop anyway."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError from exc


@dataclass(frozen=True, slots=True)
class _Entry:
    stream: str
    id: str
    fields: dict[str, str]

    def key(self, known: dict[str, ConversationKey]) -> ConversationKey | None:
        f = self.fields
        if "r" in f:
            return known.get(f["r"])
        if {"b", "c", "u"} <= f.keys():  # written by a release before digests: read once, after an upgrade
            return ConversationKey(f["b"], f["c"], f["u"])
        return None


def _entries(stream: Any, entries: Any) -> list[_Entry]:
    name = _text(stream)
    return [_Entry(name, _text(sid), {_text(k): _text(v) for k, v in raw.items()})
            for sid, raw in entries or [] if raw is not None]  # None: trimmed or deleted while pending


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
