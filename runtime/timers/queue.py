"""`TimerQueue`: durable timers in Redis sorted sets, claimed atomically by any number of workers."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline

from runtime.keys import DEFAULT_PREFIX, Keys
from runtime.timers.clock import from_ms, to_ms
from runtime.timers.errors import TimerConfigError
from runtime.timers.keys import ShardKeys, shard_of
from runtime.timers.model import ClaimBatch, ClaimedTimer, SkippedTimer, Timer, decode, encode
from runtime.timers.scripts import CANCEL, CLAIM, COMPLETE, EXTEND, RETRY, SCHEDULE

SCHEDULE_CHUNK = 500
Raw = Any  # what redis-py hands back: bytes or str, depending on decode_responses


def text(value: Raw) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class TimerQueue:
    """Timers for reminders and step timeouts, fired at least once and completed exactly once.

    Usage::

        queue = TimerQueue(redis, prefix="papo", bot="clinica")
        await queue.schedule(Timer("appt:42:24h", due=start - timedelta(hours=24), kind="reminder"))
        batch = await queue.claim_due(clock.now(), limit=100)
        for claim in batch.timers:
            ...                         # make the effect idempotent on claim.fire_key
            await queue.complete(claim)

    Its keys are `<prefix>:<bot>:{timers:<n>}:...` (`<prefix>:{timers:<n>}:...` without a bot).
    `lease`: how long a claim is kept before another worker may take it over. `max_lateness`:
    default lateness limit for timers that set none (None: never skip). `shards`: timers are
    spread over this many hash tags (Redis Cluster slots); keep it fixed once timers exist.
    """

    def __init__(
        self,
        redis: aioredis.Redis,
        *,
        prefix: str = DEFAULT_PREFIX,
        bot: str = "",
        shards: int = 1,
        lease: timedelta = timedelta(seconds=60),
        max_lateness: timedelta | None = None,
        max_attempts: int = 5,
        skipped_maxlen: int = 10_000,
    ) -> None:
        if shards < 1 or max_attempts < 1 or lease <= timedelta(0):
            raise TimerConfigError(f"shards={shards}, max_attempts={max_attempts}, lease={lease}: shards and "
                                   "max_attempts must be 1 or more and the lease longer than zero")
        self.redis = redis
        self.prefix = prefix
        self.lease = lease
        self.max_lateness = max_lateness
        self.max_attempts = max_attempts
        self.skipped_maxlen = skipped_maxlen
        self._shards = [Keys(prefix).timer_shard(n, bot=bot) for n in range(shards)]
        self._next_shard = 0
        self._schedule = redis.register_script(SCHEDULE)
        self._cancel = redis.register_script(CANCEL)
        self._claim = redis.register_script(CLAIM)
        self._complete = redis.register_script(COMPLETE)
        self._retry = redis.register_script(RETRY)
        self._extend = redis.register_script(EXTEND)

    @classmethod
    def from_url(cls, url: str, **options: Any) -> TimerQueue:
        return cls(aioredis.Redis.from_url(url), **options)

    async def aclose(self) -> None:
        await self.redis.aclose()

    def keys_for(self, timer_id: str) -> ShardKeys:
        return self._shards[shard_of(timer_id, len(self._shards))]

    async def schedule(self, timer: Timer) -> None:
        """Add `timer`, or replace the one with the same id (even if a worker holds it)."""
        await self.schedule_many([timer])

    async def schedule_many(self, timers: Iterable[Timer]) -> int:
        """Like `schedule` for each timer, one Lua call per shard; returns how many were scheduled."""
        calls = self._schedule_calls(timers)
        for keys, args in calls:
            await self._schedule(keys=keys, args=args)
        return sum(len(args) // 3 for _, args in calls)

    def queue_many(self, pipe: Pipeline, timers: Iterable[Timer]) -> None:
        """`schedule_many` queued on a pipeline another call executes (a turn's commit, on one Redis). Run
        again after NOSCRIPT with `SCHEDULE` loaded: scheduling a timer again replaces it."""
        for keys, args in self._schedule_calls(timers):
            pipe.evalsha(self._schedule.sha, len(keys), *keys, *args)

    def _schedule_calls(self, timers: Iterable[Timer]) -> list[tuple[list[str], list[str | int]]]:
        by_shard: dict[int, list[str | int]] = {}
        for timer in timers:
            args = by_shard.setdefault(shard_of(timer.id, len(self._shards)), [])
            args += [timer.id, to_ms(timer.due), encode(timer, uuid.uuid4().hex[:12])]
        step = 3 * SCHEDULE_CHUNK           # a bounded amount of work per Lua call
        return [(self._shards[shard].all(), args[start:start + step])
                for shard, args in by_shard.items() for start in range(0, len(args), step)]

    async def cancel(self, timer_id: str) -> bool:
        """Forget a timer; True if it was there. A worker holding it can no longer complete it."""
        return bool(await self._cancel(keys=self.keys_for(timer_id).all(), args=[timer_id]))

    async def get(self, timer_id: str) -> Timer | None:
        body = await self.redis.hget(self.keys_for(timer_id).body, timer_id)
        return None if body is None else decode(timer_id, text(body))[0]

    async def claim_due(self, now: datetime, limit: int = 100) -> ClaimBatch:
        """Lease up to `limit` timers due at `now` (expired leases first), skipping late ones."""
        batch = ClaimBatch([], [])
        for _ in range(len(self._shards)):
            room = limit - len(batch.timers) - len(batch.skipped)
            if room <= 0:
                break
            keys = self._shards[self._next_shard]
            self._next_shard = (self._next_shard + 1) % len(self._shards)
            await self._claim_shard(keys, now, room, batch)
        return batch

    async def _claim_shard(self, keys: ShardKeys, now: datetime, limit: int, batch: ClaimBatch) -> None:
        lease_until = now + self.lease
        default_late = -1 if self.max_lateness is None else self.max_lateness // timedelta(milliseconds=1)
        args: list[str | int] = [to_ms(now), limit, to_ms(lease_until), uuid.uuid4().hex,
                default_late, self.max_attempts, self.skipped_maxlen]
        for row in await self._claim(keys=keys.all(), args=args):
            kind, extra, timer_id, body = _split_row(row)
            timer, rev = decode(timer_id, body)
            if kind == "c":
                batch.timers.append(ClaimedTimer(timer, f"{args[3]}:{extra}", int(extra), rev, lease_until))
            else:
                batch.skipped.append(SkippedTimer(timer, extra, now))

    async def complete(self, claim: ClaimedTimer) -> bool:
        """Remove a fired timer; False if the lease was lost (taken over, rescheduled or cancelled)."""
        return (await self.complete_many([claim]))[0]

    async def complete_many(self, claims: Iterable[ClaimedTimer]) -> list[bool]:
        """`complete` for each claim, one Lua call per shard; results in the order given."""
        by_shard: dict[int, list[tuple[int, ClaimedTimer]]] = {}
        for n, claim in enumerate(claims):
            by_shard.setdefault(shard_of(claim.timer.id, len(self._shards)), []).append((n, claim))
        results: dict[int, bool] = {}
        for shard, items in by_shard.items():
            args = [part for _, claim in items for part in (claim.timer.id, claim.token)]
            done = await self._complete(keys=self._shards[shard].all(), args=args)
            results.update((n, bool(flag)) for (n, _), flag in zip(items, done, strict=True))
        return [results[n] for n in range(len(results))]

    async def retry(self, claim: ClaimedTimer, due: datetime) -> bool:
        """Give a claimed timer back to fire again at `due`; its attempt count is kept."""
        keys = self.keys_for(claim.timer.id).all()
        return bool(await self._retry(keys=keys, args=[claim.timer.id, claim.token, to_ms(due)]))

    async def extend(self, claim: ClaimedTimer, now: datetime) -> bool:
        """Renew the lease to `now + lease` while a handler is still working."""
        keys = self.keys_for(claim.timer.id).all()
        args: list[str | int] = [claim.timer.id, claim.token, to_ms(now + self.lease)]
        return bool(await self._extend(keys=keys, args=args))

    async def pending(self, limit: int = 100) -> list[Timer]:
        """The next `limit` timers by due time (not the ones currently claimed), for admin listings."""
        found: list[Timer] = []
        for keys in self._shards:
            ids = [text(i) for i in await self.redis.zrange(keys.due, 0, limit - 1)]
            bodies = await self.redis.hmget(keys.body, ids) if ids else []
            found += [decode(i, text(b))[0] for i, b in zip(ids, bodies, strict=True) if b is not None]
        return sorted(found, key=lambda t: t.due)[:limit]

    async def size(self) -> int:
        """Timers waiting or claimed, over every shard."""
        total = 0
        for keys in self._shards:
            total += await self.redis.zcard(keys.due) + await self.redis.zcard(keys.inflight)
        return total

    async def skipped(self, limit: int = 100) -> list[SkippedTimer]:
        """The latest timers skipped as too late or dead, newest first."""
        found: list[SkippedTimer] = []
        for keys in self._shards:
            for _, fields in await self.redis.xrevrange(keys.skipped, count=limit) or []:
                found.append(_skipped_from(fields or {}))
        return sorted(found, key=lambda s: s.at, reverse=True)[:limit]


def _split_row(row: Raw) -> tuple[str, str, str, str]:
    """kind, attempt or reason, id, body from one claim reply (see scripts.CLAIM)."""
    raw = row if isinstance(row, bytes) else str(row).encode()
    head, size, rest = raw[1:].split(b":", 2)
    cut = int(size)
    return chr(raw[0]), head.decode(), rest[:cut].decode(), rest[cut:].decode()


def _skipped_from(fields: dict[Raw, Raw]) -> SkippedTimer:
    data = {text(k): text(v) for k, v in fields.items()}
    timer, _ = decode(data["id"], data["body"])
    return SkippedTimer(timer, data["reason"], from_ms(data["at"]))

