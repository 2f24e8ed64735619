"""Outbound events in Redis: each conversation's events in its own stream (written by the turn's commit,
under its hash tag), and per bot a sorted set of (subscription, conversation) pairs with events to
deliver, scored by when to try next.

Ordering per contact: one deliverer at a time holds a pair (its score pushed a lease ahead by `claim`),
and takes the conversation's events after that subscription's cursor, in stream order. A commit's signal
only adds a pair that is not there (ZADD NX), so it never cuts a lease short; a deliverer that finds
nothing more removes the pair and then looks once more, so an event committed meanwhile is never left
without its pair.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as aioredis

from runtime.keys import ConversationKey, Keys
from runtime.privacy.names import Directory

STATE_TTL_MS = 90 * 24 * 3600 * 1000  # a conversation's events go with its state (runtime.conversations.keys)
LOG_KEPT = 5000  # deliveries listed for staff
DEAD_KEPT = 10_000

_CLAIM = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) > tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], 'XX', ARGV[3], ARGV[1])
return 1
"""


@dataclass(frozen=True, slots=True)
class Pair:
    """A subscription and a conversation with events for it."""

    sub: str
    key: ConversationKey

    @property
    def member(self) -> str:
        """The pair in the bot's shared sorted set: the conversation by its digest, never its user id."""
        return json.dumps([self.sub, self.key.digest], separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class Entry:
    id: str  # the stream id
    body: str  # the envelope as sent
    only: str  # "" or the one subscription it is for (a replay)
    event: dict[str, Any] = field(default_factory=dict, compare=False)  # the body, parsed once

    @classmethod
    def read(cls, sid: str, body: str, only: str = "") -> Entry:
        return cls(sid, body, only, json.loads(body))


class EventOutbox:
    def __init__(self, client: aioredis.Redis, *, prefix: str, bot: str) -> None:
        self.client = client
        self.keys = Keys(prefix)
        self.bot = bot
        self.due_key = self.keys.event_due(bot)
        self.retry_key = self.keys.event_retry(bot)
        self.log_key = self.keys.event_log(bot)
        self.dead_key = self.keys.event_dead(bot)
        self._claim = client.register_script(_CLAIM)
        self.names = Directory(client, prefix=prefix, bot=bot)

    async def signal(self, key: ConversationKey, subs: Iterable[str], *, now_ms: int) -> None:
        """Each subscription has events of `key` to take (written before this call)."""
        members = {Pair(sub, key).member: now_ms for sub in subs}
        if members:
            async with self.client.pipeline(transaction=False) as pipe:
                self.names.remember(pipe, key)
                pipe.zadd(self.due_key, members, nx=True)
                await pipe.execute()

    async def append(self, key: ConversationKey, bodies: Sequence[str], subs: Iterable[str], *, now_ms: int,
                     only: str = "") -> None:
        """Events that no turn commits (a staff action outside the chat), then their signal."""
        async with self.client.pipeline(transaction=True) as pipe:
            for body in bodies:
                pipe.xadd(self.keys.events(key), {"e": body, **({"s": only} if only else {})})
            pipe.pexpire(self.keys.events(key), STATE_TTL_MS)
            await pipe.execute()
        await self.signal(key, subs, now_ms=now_ms)

    async def due(self, now_ms: int, limit: int) -> list[Pair]:
        """Pairs whose time has come; one whose conversation was erased meanwhile is let go."""
        found: list[Any] = await self.client.zrangebyscore(self.due_key, "-inf", now_ms, start=0, num=limit)
        members = [(m, json.loads(m)) for m in found]
        named = await self.names.resolve(parts[1] for _, parts in members)
        pairs, gone = [], []
        for member, (sub, digest) in members:
            if digest in named:
                pairs.append(Pair(sub, named[digest]))
            else:
                gone.append(member)
        if gone:
            await self.client.zrem(self.due_key, *gone)
        return pairs

    async def claim(self, pair: Pair, *, now_ms: int, until_ms: int) -> bool:
        return bool(await self._claim(keys=[self.due_key], args=[pair.member, now_ms, until_ms]))

    async def hold(self, pair: Pair, until_ms: int) -> None:
        """Keep the pair ours until `until_ms` (a longer lease, or the next try after a failure)."""
        await self.client.zadd(self.due_key, {pair.member: until_ms}, xx=True)

    async def cursor(self, pair: Pair) -> str:
        raw = await self.client.hget(self.keys.event_cursors(pair.key), pair.sub)
        return _text(raw) if raw is not None else ""

    async def after(self, pair: Pair, cursor: str, count: int) -> list[Entry]:
        raw = await self.client.xrange(self.keys.events(pair.key), f"({cursor}" if cursor else "-", "+", count=count)
        return [Entry.read(sid, f["e"], f.get("s", "")) for sid, f in _entries(raw)]

    async def passed(self, pair: Pair, entry_id: str, records: Sequence[dict[str, Any]] = ()) -> None:
        """The subscription is done with the pair's events up to `entry_id` (delivered, not wanted, or given
        up): move its cursor, and log `records` (deliveries) in the same round trip."""
        async with self.client.pipeline(transaction=False) as pipe:
            pipe.hset(self.keys.event_cursors(pair.key), pair.sub, entry_id)
            pipe.pexpire(self.keys.event_cursors(pair.key), STATE_TTL_MS)
            if records:
                pipe.hdel(self.retry_key, pair.member)
            for record in records:
                pipe.xadd(self.log_key, {"d": json.dumps(record)}, maxlen=LOG_KEPT, approximate=True)
            await pipe.execute()

    async def failing(self, pair: Pair) -> dict[str, Any] | None:
        raw = await self.client.hget(self.retry_key, pair.member)
        return json.loads(raw) if raw is not None else None

    async def retry_later(self, pair: Pair, state: dict[str, Any], *, next_ms: int) -> None:
        async with self.client.pipeline(transaction=False) as pipe:
            pipe.hset(self.retry_key, pair.member, json.dumps(state))
            pipe.zadd(self.due_key, {pair.member: next_ms}, xx=True)
            await pipe.execute()

    async def bury(self, pair: Pair, entry: Entry, record: dict[str, Any]) -> None:
        """Give an event up: into the dead letters (to replay), and on with the contact's next events."""
        await self.client.xadd(self.dead_key, {"sub": pair.sub, "e": entry.body, "d": json.dumps(record)},
                               maxlen=DEAD_KEPT, approximate=True)
        await self.passed(pair, entry.id, [record])

    async def finish(self, pair: Pair, subs: Sequence[str]) -> None:
        """Nothing left for the pair: let it go, then look once more (see the module's docstring); drop
        what every subscription has passed."""
        await self.client.zrem(self.due_key, pair.member)
        cursor = await self.cursor(pair)
        if await self.after(pair, cursor, 1):
            await self.client.zadd(self.due_key, {pair.member: 0}, nx=True)
        cursors = await self.client.hmget(self.keys.event_cursors(pair.key), list(subs))
        if subs and all(c is not None for c in cursors):
            oldest = min((_text(c) for c in cursors), key=_stream_order)
            await self.client.xtrim(self.keys.events(pair.key), minid=_next_id(oldest), approximate=False)

    async def left_behind(self) -> list[ConversationKey]:
        """Conversations whose stream holds events while no pair of theirs waits: a process killed between
        a commit and its signal. SCANs the bot's event streams: a recovery sweep, never a hot path."""
        keys = [_text(k) async for k in self.client.scan_iter(match=self.keys.events_of(self.bot), count=1000)]
        if not keys:
            return []
        async with self.client.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.xlen(key)
            lengths = await pipe.execute()
        found = []
        for key, length in zip(keys, lengths, strict=True):
            bot, channel, user = key[key.index("{") + 1:key.rindex("}")].split(":", 2)
            if length and bot == self.bot:
                found.append(ConversationKey(bot, channel, user))
        return found

    # -- for staff -----------------------------------------------------------------------------------

    async def retrying(self) -> list[dict[str, Any]]:
        found = await self.client.hgetall(self.retry_key)
        return [{**json.loads(v), "subscription": json.loads(k)[0]} for k, v in found.items()]

    async def waiting(self) -> int:
        return int(await self.client.zcard(self.due_key))

    async def log(self, count: int) -> list[dict[str, Any]]:
        raw = await self.client.xrevrange(self.log_key, count=count)
        return [{"entry": sid, **json.loads(f["d"])} for sid, f in _entries(raw)]

    async def dead(self, count: int) -> list[dict[str, Any]]:
        raw = await self.client.xrevrange(self.dead_key, count=count)
        return [_dead(sid, f) for sid, f in _entries(raw)]

    async def dead_one(self, dead_id: str) -> dict[str, Any] | None:
        entries = _entries(await self.client.xrange(self.dead_key, dead_id, dead_id))
        return _dead(*entries[0]) if entries else None

    async def forget_dead(self, dead_id: str, record: dict[str, Any]) -> None:
        async with self.client.pipeline(transaction=False) as pipe:
            pipe.xdel(self.dead_key, dead_id)
            pipe.xadd(self.log_key, {"d": json.dumps(record)}, maxlen=LOG_KEPT, approximate=True)
            await pipe.execute()


def _entries(raw: Any) -> list[tuple[str, dict[str, str]]]:
    return [(_text(sid), {_text(k): _text(v) for k, v in fields.items()}) for sid, fields in raw or ()]


def _dead(sid: str, f: dict[str, str]) -> dict[str, Any]:
    return {"dead_id": sid, "subscription": f["sub"], "body": f["e"], **json.loads(f["d"])}


def _stream_order(sid: str) -> tuple[int, int]:
    ms, _, seq = sid.partition("-")
    return int(ms), int(seq or 0)


def _next_id(sid: str) -> str:
    ms, seq = _stream_order(sid)
    return f"{ms}-{seq + 1}"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
