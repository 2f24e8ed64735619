"""Conversation state, inbox and outbox in Redis, each change one Lua call.

The same code runs against a real server (`REDIS_URL`) and against the embedded in-process
server (`fakeredis`, which runs the same Lua), so `papo chat` needs no server.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import NoScriptError

from flows.messages import InboundEvent, OutboundMessage
from runtime.conversations import keys as C
from runtime.conversations.keys import ConversationKey, Keys
from runtime.conversations.locks import Leases
from runtime.engine import codec
from runtime.engine.errors import StaleVersion
from runtime.engine.state import Conversation

log = logging.getLogger(__name__)
# KEYS: seen, inbox, lock, state; ARGV: event, dedupe ttl (s; 0: an id that cannot repeat, no marker), token,
# lease, batch, accepted at (ms), inbox ttl (ms).
_ENQUEUE = """
if ARGV[2] ~= '0' and not redis.call('SET', KEYS[1], ARGV[6], 'NX', 'EX', ARGV[2]) then return {false, 0} end
local id = redis.call('XADD', KEYS[2], '*', 'e', ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[7])
if ARGV[3] == '' or not redis.call('SET', KEYS[3], ARGV[3], 'NX', 'PX', ARGV[4]) then return {id, 0} end
local st = redis.call('HMGET', KEYS[4], 'ver', 'doc')
return {id, 1, st[1], st[2], redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', ARGV[5])}
"""

# Remove and return the whole outbox.
_TAKE = """
local entries = redis.call('XRANGE', KEYS[1], '-', '+')
for _, entry in ipairs(entries) do redis.call('XDEL', KEYS[1], entry[1]) end
return entries
"""

_LOAD = """
local st = redis.call('HMGET', KEYS[1], 'ver', 'doc')
return {st[1], st[2], redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', ARGV[1])}
"""

# The lock, then the state and the first events, in one round trip; nothing when another holds the lock.
_LOCK_LOAD = """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
local st = redis.call('HMGET', KEYS[2], 'ver', 'doc')
return {st[1], st[2], redis.call('XRANGE', KEYS[3], '-', '+', 'COUNT', ARGV[3])}
"""

# KEYS: state, inbox, outbox, lock, transcript, staff view, events, and (one Redis only) the stream of the work
# signal to acknowledge once the lock is given back. ARGV: version, doc, consumed, ttl, token, lease,
# transcript kept, signal group, signal id, take ('1': the commit that gives the lock back also takes the
# outbox and returns it), then counted lists from ARGV[11]: lines, unread, urgent, events, messages.
_COMMIT = """
local ver = tonumber(redis.call('HGET', KEYS[1], 'ver') or '0')
if ver ~= tonumber(ARGV[1]) then return {-1, ver, 0, 0, 0} end
if ARGV[3] ~= '' and redis.call('XDEL', KEYS[2], ARGV[3]) == 0 then return {-2, ver, 0, 0, 0} end
ver = ver + 1
redis.call('HSET', KEYS[1], 'ver', ver, 'doc', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local at = 11
local n = tonumber(ARGV[at])
for i = at + 1, at + n do redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[7], '*', 't', ARGV[i]) end
if n > 0 then redis.call('PEXPIRE', KEYS[5], ARGV[4]) end
at = at + n + 1
local unread, urgent = tonumber(ARGV[at]), ARGV[at + 1]
if unread > 0 then redis.call('HINCRBY', KEYS[6], 'unread', unread) end
if urgent ~= '' then redis.call('HSET', KEYS[6], 'urgent', urgent) end
if unread > 0 or urgent ~= '' then redis.call('PEXPIRE', KEYS[6], ARGV[4]) end
at = at + 2
local e = tonumber(ARGV[at])
for i = at + 1, at + e do redis.call('XADD', KEYS[7], '*', 'e', ARGV[i]) end
if e > 0 then redis.call('PEXPIRE', KEYS[7], ARGV[4]) end
for i = at + e + 1, #ARGV do redis.call('XADD', KEYS[3], '*', 'm', ARGV[i]) end
if #ARGV > at + e then redis.call('PEXPIRE', KEYS[3], ARGV[4]) end
local released, acked, taken = 0, 0, {}
if ARGV[5] ~= '' and redis.call('GET', KEYS[4]) == ARGV[5] then
  if redis.call('XLEN', KEYS[2]) == 0 then
    redis.call('DEL', KEYS[4])
    released = 1
    if KEYS[8] and ARGV[9] ~= '' then
      redis.call('XACK', KEYS[8], ARGV[8], ARGV[9])
      redis.call('XDEL', KEYS[8], ARGV[9])
      acked = 1
    end
    if ARGV[10] == '1' then
      taken = redis.call('XRANGE', KEYS[3], '-', '+')
      for _, entry in ipairs(taken) do redis.call('XDEL', KEYS[3], entry[1]) end
    end
  else
    redis.call('PEXPIRE', KEYS[4], ARGV[6])
  end
end
return {1, ver, released, acked, redis.call('XLEN', KEYS[3]), taken}
"""


@dataclass(frozen=True, slots=True)
class Pending:
    """An accepted event waiting in a conversation's inbox; `id` is its stream id."""

    id: str
    event: InboundEvent


@dataclass(frozen=True, slots=True)
class Enqueued:
    id: str | None  # None: a duplicate, already seen
    locked: bool    # this caller now holds the conversation's lock...
    state: Conversation | None = None  # ...and here is the state
    pending: tuple[Pending, ...] = ()  # and the first events waiting, oldest first


@dataclass(frozen=True, slots=True)
class Logged:
    """What a commit also writes for staff: transcript lines, unread patient messages, the urgent flag."""

    lines: Sequence[dict[str, Any]] = ()
    unread: int = 0
    urgent: str = ""  # "" leaves the flag as it is; else why (a safety topic)


@dataclass(frozen=True, slots=True)
class Committed:
    version: int
    released: bool  # the inbox was empty, so the lock was given back in the same call
    rode: bool = False  # the riders went in the same round trip
    outbox: int = 0  # messages waiting in the outbox after it
    taken: list[OutboundMessage] | None = None  # with `take`, the outbox it removed as it gave the lock back


@dataclass(slots=True)
class Ack:
    """A signal its handler acknowledges in its own last round trip (on one Redis): the signal's stream,
    group and id; `done` once acknowledged."""

    stream: str
    group: str
    id: str
    done: bool = False


@dataclass(frozen=True, slots=True)
class Riders:
    """What rides on a commit's round trip (on one Redis): commands that must follow it (`then`), commands
    whose failure is only logged (`best_effort`), and the work signal to acknowledge when the commit gives
    the lock back (`ack`)."""

    then: Callable[[Pipeline], None] | None = None
    best_effort: Callable[[Pipeline], None] | None = None
    ack: Ack | None = None
    scripts: tuple[str, ...] = ()  # the Lua sources `then` calls by sha: loaded again after NOSCRIPT

    @property
    def any(self) -> bool:
        return self.then is not None or self.best_effort is not None or self.ack is not None

    def also(self, more: Callable[[Pipeline], None], *, scripts: tuple[str, ...] = ()) -> Riders:
        """These riders, and `more` after their `then` (it too must be safe to run twice)."""
        first = self.then

        def both(pipe: Pipeline) -> None:
            if first is not None:
                first(pipe)
            more(pipe)

        return replace(self, then=both, scripts=self.scripts + scripts)


class AlreadyConsumed(StaleVersion):
    """The event was committed by another worker; this worker's turn is thrown away."""


class RedisStore:
    """State, inbox, outbox and lock of conversations, in Redis (real or embedded)."""

    def __init__(self, client: aioredis.Redis, *, prefix: str = C.DEFAULT_PREFIX,
                 state_ttl_ms: int = C.STATE_TTL_MS) -> None:
        self.client = client
        self.keys = Keys(prefix)
        self.leases = Leases(client)
        self.state_ttl_ms = state_ttl_ms
        self._enqueue = client.register_script(_ENQUEUE)
        self.one_redis = not isinstance(client, RedisCluster)  # else a cluster: keys of two slots never meet
        self._load = client.register_script(_LOAD)
        self._lock_load = client.register_script(_LOCK_LOAD)
        self._commit = client.register_script(_COMMIT)
        self._take = client.register_script(_TAKE)

    async def enqueue(self, conv: ConversationKey, event: InboundEvent, *, token: str,
                      lease_ms: int = C.LOCK_LEASE_MS, batch: int = C.INBOX_BATCH,
                      accepted_at: datetime | None = None) -> Enqueued:
        """Dedupe by event id, append to the inbox and, with a `token`, try to take the lock; when
        the lock is taken, also read the state and the first `batch` events. One round trip."""
        keys, args = self._enqueue_call(conv, event, token=token, lease_ms=lease_ms, batch=batch,
                                        accepted_at=accepted_at)
        reply = await self._enqueue(keys=keys, args=args)
        if not reply[0]:
            return Enqueued(None, False)
        if not reply[1]:
            return Enqueued(_text(reply[0]), False)
        return Enqueued(_text(reply[0]), True, _state(reply[2], reply[3]), _pending(reply[4]))

    def _enqueue_call(self, conv: ConversationKey, event: InboundEvent, *, token: str, lease_ms: int, batch: int,
                      accepted_at: datetime | None) -> tuple[list[str], list[Any]]:
        keys = [self.keys.seen(conv, event.id), self.keys.inbox(conv), self.keys.lock(conv), self.keys.state(conv)]
        # the dedupe marker's value: when it was accepted (its retention counts from then)
        seen_at = int((accepted_at or event.at).timestamp() * 1000)
        dedupe_s = 0 if event.fresh_id else C.DEDUPE_TTL_S
        return keys, [codec.dumps(event.to_dict()), dedupe_s, token, lease_ms, batch, seen_at, self.state_ttl_ms]

    async def accept(self, events: Sequence[tuple[ConversationKey, InboundEvent]], *, accepted_at: datetime,
                     addresses: Mapping[ConversationKey, str], then: Callable[[Pipeline], None]) -> list[str | None]:
        """A webhook's events deduped by id and appended to their inboxes, where replies go remembered, and
        what `then` queues (their work signals), in one round trip; each event's inbox id, or None for a
        duplicate. On a Redis Cluster one call per event, then the rest: a cluster pipeline takes no
        script, and its nodes run in parallel, while a signal must never be read before its event."""
        if not self.one_redis:
            ids = [(await self.enqueue(conv, event, token="", accepted_at=accepted_at)).id for conv, event in events]
            async with self.client.pipeline(transaction=False) as pipe:
                self._addresses(pipe, addresses)
                then(pipe)
                await pipe.execute()
            return ids
        for attempt in (1, 2):
            async with self.client.pipeline(transaction=False) as pipe:
                for conv, event in events:  # EVALSHA itself: a script object would ask SCRIPT EXISTS first
                    keys, args = self._enqueue_call(conv, event, token="", lease_ms=1, batch=1,
                                                    accepted_at=accepted_at)
                    pipe.evalsha(self._enqueue.sha, len(keys), *keys, *args)
                self._addresses(pipe, addresses)
                then(pipe)
                replies = await pipe.execute(raise_on_error=False)
            if attempt == 1 and any(isinstance(r, NoScriptError) for r in replies):
                await self.client.script_load(_ENQUEUE)  # Redis restarted or flushed its scripts: once more
                continue
            for reply in replies:
                if isinstance(reply, Exception):
                    raise reply
            break
        return [_text(reply[0]) if reply[0] else None for reply in replies[:len(events)]]

    async def lock_and_load(self, conv: ConversationKey, token: str, *, lease_ms: int = C.LOCK_LEASE_MS,
                            batch: int = C.INBOX_BATCH) -> tuple[Conversation | None, list[Pending]] | None:
        """Take the lock and read the state and up to `batch` waiting events, in one round trip; None
        when another holds the lock."""
        reply = await self._lock_load(keys=[self.keys.lock(conv), self.keys.state(conv), self.keys.inbox(conv)],
                                      args=[token, lease_ms, batch])
        if not reply:
            return None
        ver, doc, entries = reply
        return _state(ver, doc), list(_pending(entries))

    async def lock(self, conv: ConversationKey, token: str, *, lease_ms: int = C.LOCK_LEASE_MS) -> bool:
        return await self.leases.take(self.keys.lock(conv), token, lease_ms=lease_ms)

    async def release(self, conv: ConversationKey, token: str) -> int:
        """Give the lock back (only if still ours); returns how many events wait in the inbox."""
        return await self.leases.release(self.keys.lock(conv), token, waiting=self.keys.inbox(conv))

    async def load(self, conv: ConversationKey, *, batch: int = 0) -> tuple[Conversation | None, list[Pending]]:
        """The state and up to `batch` pending events, oldest first, in one round trip."""
        ver, doc, entries = await self._load(
            keys=[self.keys.state(conv), self.keys.inbox(conv)], args=[max(batch, 1)])
        return _state(ver, doc), list(_pending(entries)) if batch else []

    async def commit(self, conv: ConversationKey, state: Conversation, messages: list[OutboundMessage], *,
                     expected_version: int, consumed: str = "", token: str = "",
                     lease_ms: int = C.LOCK_LEASE_MS, logged: Logged = Logged(),
                     events: Sequence[str] = (), riders: Riders = Riders(), take: bool = False) -> Committed:
        """Write the new state, consume the event and queue the replies, atomically. With the
        lock's `token`, also renew the lease, or give the lock back when the inbox is empty.
        `logged` goes to the transcript and the inbox's view in the same call, `events` (encoded outbound
        events, `runtime.events`) to the conversation's event stream.

        On one Redis (not a cluster) `riders` go in the same round trip: their commands after the commit's
        (the sender's signal, counters), and the work signal acknowledged by the commit that gives the lock
        back. `Committed.rode` says whether they did; elsewhere the caller sends them itself. With `take`,
        the commit that gives the lock back also removes the outbox and returns it (`Committed.taken`): a
        channel that answers in the HTTP response.

        Raises StaleVersion when another writer moved the conversation on (the fencing token),
        AlreadyConsumed when the event was committed by someone else; nothing is written then.
        """
        keys = [self.keys.state(conv), self.keys.inbox(conv), self.keys.outbox(conv), self.keys.lock(conv),
                self.keys.transcript(conv), self.keys.staff(conv), self.keys.events(conv)]
        ack = riders.ack if self.one_redis else None
        if ack is not None:
            keys.append(ack.stream)
        args: list[Any] = [expected_version, codec.dumps(state.to_json()), consumed, self.state_ttl_ms, token,
                           lease_ms, C.TRANSCRIPT_KEPT, ack.group if ack else "", ack.id if ack else "",
                           "1" if take else "", len(logged.lines)]
        args += [codec.dumps(line) for line in logged.lines]
        args += [logged.unread, logged.urgent, len(events), *events]
        args += [codec.dumps(m.to_dict()) for m in messages]
        rode = self.one_redis and riders.any
        reply = await (self._commit_riding(keys, args, riders) if rode else self._commit(keys=keys, args=args))
        status, version, released, acked, outbox = reply[:5]
        if status == -1:
            raise StaleVersion(conv, expected=expected_version, found=int(version))
        if status == -2:
            raise AlreadyConsumed(conv, expected=expected_version, found=int(version))
        if ack is not None and acked:
            ack.done = True
        taken = None if not (take and released) else [OutboundMessage.from_dict(codec.loads(_fields(raw)["m"]))
                                                     for _, raw in reply[5]]
        return Committed(int(version), bool(released), rode=rode, outbox=int(outbox), taken=taken)

    async def _commit_riding(self, keys: list[str], args: list[Any], riders: Riders) -> Any:
        """The commit and its riders in one pipeline; the commit's reply. A Redis that lost its scripts
        (restarted, flushed) runs again what did not run: the commit with the riders that must follow it, or
        those riders alone; never the best-effort ones, which already ran."""
        for attempt in (1, 2):
            async with self.client.pipeline(transaction=False) as pipe:
                pipe.evalsha(self._commit.sha, len(keys), *keys, *args)  # a script object would ask SCRIPT EXISTS
                if riders.then is not None:
                    riders.then(pipe)
                needed = len(pipe)
                if riders.best_effort is not None and attempt == 1:
                    riders.best_effort(pipe)
                replies = await pipe.execute(raise_on_error=False)
            if attempt == 1 and any(isinstance(reply, NoScriptError) for reply in replies[:needed]):
                for source in (_COMMIT, *riders.scripts):
                    await self.client.script_load(source)
                if isinstance(replies[0], NoScriptError):
                    continue
                if riders.then is not None:  # the commit went through: only what must follow it, again
                    async with self.client.pipeline(transaction=False) as pipe:
                        riders.then(pipe)
                        replies[1:needed] = await pipe.execute(raise_on_error=False)
            for reply in replies[:needed]:
                if isinstance(reply, Exception):
                    raise reply
            if any(isinstance(reply, Exception) for reply in replies[needed:]):
                log.info("best-effort commands failed with a commit")
            return replies[0]
        raise AssertionError("unreachable")

    async def outbox(self, conv: ConversationKey, *, take: bool = False) -> list[OutboundMessage]:
        """Messages committed for this conversation; `take` removes those returned. One round trip."""
        key = self.keys.outbox(conv)
        entries: list[tuple[Any, Any]] = (await self._take(keys=[key]) if take else await self.client.xrange(key)) or []
        return [OutboundMessage.from_dict(codec.loads(_fields(raw)["m"])) for _, raw in entries]

    async def remember_addresses(self, addresses: dict[ConversationKey, str]) -> None:
        """Where replies go, as the channel last sent it (WhatsApp's wa_id may lack Brazil's 9th digit
        while the conversation is keyed by the canonical form); one round trip for a whole webhook."""
        if not addresses:
            return
        async with self.client.pipeline(transaction=False) as pipe:
            self._addresses(pipe, addresses)
            await pipe.execute()

    def _addresses(self, pipe: Pipeline, addresses: Mapping[ConversationKey, str]) -> None:
        for conv, address in addresses.items():
            if address == conv.user:
                pipe.delete(self.keys.address(conv))
            else:
                pipe.set(self.keys.address(conv), address, px=self.state_ttl_ms)

    async def address(self, conv: ConversationKey) -> str:
        raw = await self.client.get(self.keys.address(conv))
        return _text(raw) if raw is not None else conv.user

    async def queue_messages(self, conv: ConversationKey, messages: list[OutboundMessage]) -> None:
        """Add messages that no turn wrote (staff replying) to the outbox, after what waits there."""
        async with self.client.pipeline(transaction=True) as pipe:
            for message in messages:
                pipe.xadd(self.keys.outbox(conv), {"m": codec.dumps(message.to_dict())})
            await pipe.execute()

    async def record_failure(self, conv: ConversationKey, record: dict[str, Any]) -> None:
        """A turn that failed, for staff: the bot-wide failures stream the admin API lists
        (`GET /admin/failures`), next to messages the channel refused."""
        entry = {"channel": conv.channel, "ref": conv.ref, **record}  # a shared stream: no phone number
        await self.client.xadd(self.keys.failures(conv.bot), {"f": json.dumps(entry)},
                               maxlen=C.FAILURES_KEPT, approximate=True)

    async def forget(self, conv: ConversationKey) -> None:
        """Delete the conversation's state, inbox and outbox (a reset; an LGPD erasure is
        `runtime.privacy.erase`, which removes every other trace too)."""
        keys = self.keys
        await self.client.delete(keys.state(conv), keys.inbox(conv), keys.outbox(conv), keys.lock(conv),
                                 keys.address(conv), keys.sending(conv), keys.transcript(conv), keys.staff(conv))

    async def aclose(self) -> None:
        await self.client.aclose()


def _state(ver: Any, doc: Any) -> Conversation | None:
    return Conversation.from_json(codec.loads(doc), version=int(ver)) if doc else None


def _pending(entries: Any) -> tuple[Pending, ...]:
    return tuple(Pending(_text(sid), InboundEvent.from_dict(codec.loads(_fields(raw)["e"]))) for sid, raw in entries)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _fields(raw: Any) -> dict[str, str]:
    if isinstance(raw, dict):
        return {_text(k): _text(v) for k, v in raw.items()}
    return {_text(raw[i]): _text(raw[i + 1]) for i in range(0, len(raw), 2)}
