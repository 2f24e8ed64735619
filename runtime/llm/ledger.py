"""What the fallback keeps in Redis: spend per bot per month and per conversation, the answer
cache, and the short masked history sent as context. Keys: `<prefix>:llm:<bot>:...` (`runtime.keys.Keys`)."""

from __future__ import annotations

import hashlib
from datetime import datetime

import redis.asyncio as aioredis

from runtime import metrics
from runtime.keys import Keys

USAGE_TTL = 400 * 86400  # a month's figures stay a little over a year
CONVERSATION_TTL = 30 * 86400
MICRO = 1_000_000


class Ledger:
    def __init__(self, redis: aioredis.Redis, *, prefix: str, bot: str) -> None:
        self.redis = redis
        self.bot = bot
        self.keys = Keys(prefix)

    def _month(self, now: datetime) -> str:
        return self.keys.llm_usage(self.bot, f"{now:%Y-%m}")

    def _conversation(self, conversation: str) -> str:
        return self.keys.llm_conversation(self.bot, conversation)

    async def month_cost(self, now: datetime) -> float:
        raw = await self.redis.hget(self._month(now), "micro_usd")
        return int(raw or 0) / MICRO

    async def usage(self, *, now: datetime | None = None, conversation: str | None = None) -> dict[str, int]:
        key = self._conversation(conversation) if conversation else self._month(now or datetime.now())
        raw = await self.redis.hgetall(key)
        return {(k.decode() if isinstance(k, bytes) else k): int(v) for k, v in raw.items()}

    async def record(self, now: datetime, conversation: str, tokens_in: int, tokens_out: int, cost: float) -> None:
        metrics.LLM_CALLS.labels(self.bot).inc()
        metrics.LLM_TOKENS.labels(self.bot, "in").inc(tokens_in)
        metrics.LLM_TOKENS.labels(self.bot, "out").inc(tokens_out)
        metrics.LLM_COST.labels(self.bot).inc(cost)
        async with self.redis.pipeline(transaction=False) as pipe:  # two slots on a cluster; counters need no MULTI
            for key, ttl in ((self._month(now), USAGE_TTL), (self._conversation(conversation), CONVERSATION_TTL)):
                pipe.hincrby(key, "calls", 1)
                pipe.hincrby(key, "tokens_in", tokens_in)
                pipe.hincrby(key, "tokens_out", tokens_out)
                pipe.hincrby(key, "micro_usd", round(cost * MICRO))
                pipe.expire(key, ttl)
            await pipe.execute()

    def cache_key(self, version: str, question: str) -> str:
        digest = hashlib.sha256(question.encode()).hexdigest()[:32]
        return self.keys.llm_cache(self.bot, version, digest)

    async def cached(self, key: str) -> str | None:
        raw = await self.redis.get(key)
        return raw.decode() if isinstance(raw, bytes) else raw

    async def cache(self, key: str, value: str, ttl: int) -> None:
        await self.redis.set(key, value, ex=ttl)

    async def history(self, conversation: str) -> list[str]:
        raw = await self.redis.lrange(self.keys.llm_history(self.bot, conversation), 0, -1)
        return [r.decode() if isinstance(r, bytes) else r for r in raw]

    async def remember(self, conversation: str, user: str, bot: str, max_turns: int) -> None:
        key = self.keys.llm_history(self.bot, conversation)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.rpush(key, f"user: {user}", f"assistant: {bot}")
            pipe.ltrim(key, -2 * max(max_turns, 1), -1)
            pipe.expire(key, CONVERSATION_TTL)
            await pipe.execute()
