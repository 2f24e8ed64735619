"""Campaign runs in Redis (keys: `Keys.campaign*`): each run's audience (a list of the contacts'
conversation digests, `ConversationKey.digest`, fixed when the run is created; `Directory` reads them
back: these keys are shared by many contacts, so they never hold a number), its cursor and status,
what each contact got, the runner's lease, and the two limits every run of a bot shares: starts per
second and unique contacts a day.

A contact is never started twice by a run: its start is an event with the run's id (`start:c-<run>`)
in the contact's own inbox, which dedupes event ids, and its outcome is written after; a runner
killed between the two writes the same event again when the run resumes (a duplicate, dropped) and
then the outcome. Runs of a bot are taken by one runner at a time (the lease), so two processes do
not work through the same batch.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any, Literal

import redis.asyncio as aioredis

from runtime.keys import ConversationKey, Keys
from runtime.privacy.names import Directory

Status = Literal["running", "paused", "cancelled", "done"]
STATUSES: tuple[Status, ...] = ("running", "paused", "cancelled", "done")
CHUNK = 1000

# KEYS: meta; ARGV: new status, allowed current statuses...; 1 if changed
_SET_STATUS = """
local now = redis.call('HGET', KEYS[1], 'status')
if not now then return -1 end
for i = 2, #ARGV do if ARGV[i] == now then redis.call('HSET', KEYS[1], 'status', ARGV[1]) return 1 end end
return 0
"""
# KEYS: lease; ARGV: token, ms; 1 when the caller holds it (taken or renewed)
_LEASE = """
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""
# KEYS: day set; ARGV: limit, ttl s, members...; for each member in order, 1 when it may be reached
# today; stops at the first that may not (0), the rest are not counted
_REACH = """
local limit, out = tonumber(ARGV[1]), {}
for i = 3, #ARGV do
  if redis.call('SISMEMBER', KEYS[1], ARGV[i]) == 0 then
    if redis.call('SCARD', KEYS[1]) >= limit then out[#out + 1] = 0 return out end
    redis.call('SADD', KEYS[1], ARGV[i])
  end
  out[#out + 1] = 1
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return out
"""
# KEYS: rate counter; ARGV: wanted, limit; how many of them this second allows
_RATE = """
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local granted = math.min(tonumber(ARGV[1]), tonumber(ARGV[2]) - used)
if granted <= 0 then return 0 end
redis.call('INCRBY', KEYS[1], granted)
redis.call('EXPIRE', KEYS[1], 2)
return granted
"""


def text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class CampaignBook:
    def __init__(self, client: aioredis.Redis, *, prefix: str, bot: str) -> None:
        self.client = client
        self.keys = Keys(prefix)
        self.bot = bot
        self._status = client.register_script(_SET_STATUS)
        self._lease = client.register_script(_LEASE)
        self._reach = client.register_script(_REACH)
        self._rate = client.register_script(_RATE)
        self.names = Directory(client, prefix=prefix, bot=bot)

    def key(self, run: str, part: str) -> str:
        return self.keys.campaign(self.bot, run, part)

    async def create(self, campaign: str, contacts: list[ConversationKey], *, at: datetime,
                     status: Status = "running", not_before: datetime | None = None) -> str:
        """A new run of `campaign` for `contacts`, not started before `not_before`; its id. The run appears
        whole, its start time with it: a runner never sees it without."""
        run = f"{campaign}-{at.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(2)}"
        for n in range(0, len(contacts), CHUNK):
            async with self.client.pipeline(transaction=False) as pipe:
                digests = [self.names.remember(pipe, key) for key in contacts[n:n + CHUNK]]
                pipe.rpush(self.key(run, "audience"), *digests)
                await pipe.execute()
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(self.key(run, "meta"), mapping={"campaign": campaign, "status": status, "size": len(contacts),
                                                      "cursor": 0, "created": at.isoformat()})
            if not_before is not None:  # in the same transaction: a runner never sees the run without it
                pipe.hset(self.key(run, "meta"), "not_before", not_before.isoformat())
            pipe.zadd(self.keys.campaigns(self.bot), {run: at.timestamp()})
            await pipe.execute()
        return run

    async def runs(self) -> list[str]:
        return [text(r) for r in await self.client.zrange(self.keys.campaigns(self.bot), 0, -1)]

    async def meta(self, run: str) -> dict[str, str] | None:
        raw = await self.client.hgetall(self.key(run, "meta"))
        return {text(k): text(v) for k, v in raw.items()} if raw else None

    async def set_status(self, run: str, status: Status, *, allowed: tuple[Status, ...]) -> int:
        """1 changed, 0 not from its current status, -1 no such run."""
        return int(await self._status(keys=[self.key(run, "meta")], args=[status, *allowed]))

    async def note(self, run: str, field: str, value: str) -> None:
        await self.client.hset(self.key(run, "meta"), field, value)

    async def unnote(self, run: str, field: str) -> None:
        await self.client.hdel(self.key(run, "meta"), field)

    async def hold(self, run: str, token: str, ms: int) -> bool:
        return bool(await self._lease(keys=[self.key(run, "lease")], args=[token, ms]))

    async def audience(self, run: str, cursor: int, count: int) -> list[str]:
        """Digests of the audience from `cursor` on (an erased contact's: ERASED_MEMBER)."""
        return [text(m) for m in await self.client.lrange(self.key(run, "audience"), cursor, cursor + count - 1)]

    async def contacts(self, members: list[str]) -> dict[str, ConversationKey]:
        """The conversations these digests name (an erased contact's is missing)."""
        return await self.names.resolve(members)

    async def outcomes(self, run: str, members: list[str]) -> list[dict[str, Any] | None]:
        raw = await self.client.hmget(self.key(run, "done"), members) if members else []
        return [json.loads(v) if v is not None else None for v in raw]

    async def record(self, run: str, outcomes: dict[str, dict[str, Any]], cursor: int) -> None:
        async with self.client.pipeline(transaction=True) as pipe:
            if outcomes:
                pipe.hset(self.key(run, "done"), mapping={m: json.dumps(o) for m, o in outcomes.items()})
            pipe.hset(self.key(run, "meta"), "cursor", cursor)
            await pipe.execute()

    async def all_outcomes(self, run: str) -> dict[str, dict[str, Any]]:
        return {text(k): json.loads(v) async for k, v in self.client.hscan_iter(self.key(run, "done"), count=CHUNK)}

    async def reach(self, day: str, members: list[str], limit: int) -> int:
        """How many of `members`, in order, may be reached on `day` within the number's tier of unique
        contacts (each one counted in it)."""
        if not members:
            return 0
        found = await self._reach(keys=[self.keys.campaign_day(self.bot, day)], args=[limit, 2 * 86_400, *members])
        return sum(1 for ok in found if int(ok))

    async def rate(self, second: int, wanted: int, limit: int) -> int:
        return int(await self._rate(keys=[self.keys.campaign_rate(self.bot, second)], args=[wanted, limit]))
