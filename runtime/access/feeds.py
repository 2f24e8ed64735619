"""Calendar feed keys: one random key per professional, kept in Redis, rotated alone.

Calendar apps cannot send headers, so the key in the feed's address is its credential. Rotating
one professional's key touches no other feed and no admin credential; the previous key keeps
working for a grace day, so subscribed calendars can be updated.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta

import redis.asyncio as aioredis

from runtime.engine.clock import Clock, SystemClock
from runtime.keys import Keys

GRACE = timedelta(days=1)


class FeedKeys:
    def __init__(self, client: aioredis.Redis, *, prefix: str, bot: str, clock: Clock | None = None) -> None:
        self.client = client
        self.key = Keys(prefix).feed_keys(bot)
        self.clock = clock or SystemClock()

    async def key_for(self, professional: str) -> str:
        """The professional's key, made on first use."""
        await self.client.hsetnx(self.key, professional, secrets.token_urlsafe(24))
        return _text(await self.client.hget(self.key, professional))

    async def rotate(self, professional: str) -> str:
        old = await self.key_for(professional)
        new = secrets.token_urlsafe(24)
        until = (self.clock.now() + GRACE).isoformat()
        await self.client.hset(self.key, mapping={professional: new, f"{professional}#previous": old,
                                                  f"{professional}#until": until})
        return new

    async def check(self, professional: str, given: str) -> bool:
        current, previous, until = await self.client.hmget(self.key, [professional, f"{professional}#previous",
                                                                      f"{professional}#until"])
        ok = current is not None and hmac.compare_digest(given.encode(), _text(current).encode())
        if previous is not None and until is not None and datetime.fromisoformat(_text(until)) > self.clock.now():
            ok = hmac.compare_digest(given.encode(), _text(previous).encode()) or ok
        return ok


def _text(raw: object) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)
