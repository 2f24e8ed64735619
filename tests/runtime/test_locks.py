"""The one lease helper the store (a conversation's turns) and the sender (its outbox) share."""

from __future__ import annotations

import redis.asyncio as aioredis

from runtime.conversations.locks import Leases
from runtime.keys import ConversationKey, Keys

CONV = ConversationKey("clinica", "whatsapp", "5511999990000")


async def test_a_lease_is_taken_renewed_and_released_by_its_token_only(client: aioredis.Redis,
                                                                        redis_prefix: str) -> None:
    keys = Keys(redis_prefix)
    lock, outbox = keys.send_lock(CONV), keys.outbox(CONV)
    leases = Leases(client)
    assert await leases.take(lock, "a", lease_ms=10_000)
    assert not await leases.take(lock, "b", lease_ms=10_000)  # held: the other caller leaves the work to "a"
    assert not await leases.renew(lock, "b", lease_ms=60_000)
    assert await leases.renew(lock, "a", lease_ms=60_000) and 10_000 < await client.pttl(lock) <= 60_000
    await client.xadd(outbox, {"m": "{}"})
    assert await leases.release(lock, "b", waiting=outbox) == 1  # not b's to release: still held
    assert await client.get(lock) == b"a"
    assert await leases.release(lock, "a", waiting=outbox) == 1  # released, and one message still waits
    assert await client.get(lock) is None
    assert await leases.take(lock, "b", lease_ms=10_000)


async def test_a_lost_lease_cannot_be_renewed(client: aioredis.Redis, redis_prefix: str) -> None:
    lock = Keys(redis_prefix).lock(CONV)
    leases = Leases(client)
    assert await leases.take(lock, "a", lease_ms=10_000)
    await client.delete(lock)  # the lease ran out
    assert await leases.take(lock, "b", lease_ms=10_000)
    assert not await leases.renew(lock, "a", lease_ms=10_000)
    assert await client.get(lock) == b"b"
