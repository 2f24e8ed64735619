"""Failed sign-ins per address: after 10 within 10 minutes, the address waits 10 minutes (429)."""

from __future__ import annotations

import redis.asyncio as aioredis

from runtime.keys import Keys

MAX_FAILURES = 10
WINDOW_S = 600


class LoginLimiter:
    def __init__(self, client: aioredis.Redis, *, prefix: str, max_failures: int = MAX_FAILURES,
                 window_s: int = WINDOW_S) -> None:
        self.client = client
        self.keys = Keys(prefix)
        self.max_failures = max_failures
        self.window_s = window_s

    async def blocked(self, address: str) -> bool:
        raw = await self.client.get(self.keys.login_failures(address))
        return raw is not None and int(raw) >= self.max_failures

    async def failed(self, address: str) -> bool:
        """Count a failure; True when this one blocks the address (it waits `window_s` from now)."""
        key = self.keys.login_failures(address)
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, self.window_s, nx=True)
            count, _ = await pipe.execute()
        if int(count) >= self.max_failures:
            await self.client.expire(key, self.window_s)
            return int(count) == self.max_failures
        return False
