"""Leases: a lock that holds a random token and expires on its own, so a dead holder blocks nobody for long.

The worker running a conversation's turns (`RedisStore`, key `lock`) and the sender draining its
outbox (`Sender`, key `sendlock`) both use it. Only the token's owner renews or releases it. A
release reports how much work waits in a stream, in the same call, so the holder that lets go can
take the lock again instead of leaving that work behind (somebody who found the lock taken left it
to the holder).
"""

from __future__ import annotations

import redis.asyncio as aioredis

_TAKE = "return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0"
_RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0"
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return redis.call('XLEN', KEYS[2])
"""


class Leases:
    """Take, renew and release leased locks; each call is one round trip."""

    def __init__(self, client: aioredis.Redis) -> None:
        self._take = client.register_script(_TAKE)
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)

    async def take(self, key: str, token: str, *, lease_ms: int) -> bool:
        """True when the lock was free and is now `token`'s for `lease_ms`."""
        return bool(await self._take(keys=[key], args=[token, lease_ms]))

    async def renew(self, key: str, token: str, *, lease_ms: int) -> bool:
        """Extend the lease, only while `token` still holds the lock; False when it was lost."""
        return bool(await self._renew(keys=[key], args=[token, lease_ms]))

    async def release(self, key: str, token: str, *, waiting: str) -> int:
        """Give the lock back (only if `token` holds it); returns the length of the stream `waiting`.

        Both keys must share a hash tag (one Redis Cluster slot)."""
        return int(await self._release(keys=[key, waiting], args=[token]))
