"""The Redis client papo makes for one server (`redis_urls.connect`): a gate over a plain pool."""

from __future__ import annotations

import asyncio

from runtime.service.redis_urls import connect


async def test_more_commands_than_connections_wait_their_turn_on_one_redis(redis_url: str) -> None:
    """A burst larger than the pool waits for connections instead of failing (a webhook must not be lost
    to a busy pool), commands and pipelines alike, and never opens more than the pool's size."""
    client = connect(redis_url, max_connections=3)
    try:
        waits = [client.blpop(["papo-test:never"], timeout=0.2) for _ in range(6)]  # each holds a connection
        async with client.pipeline(transaction=False) as pipe:
            pipe.ping()
            piped = pipe.execute()
            assert await asyncio.gather(*waits, piped) == [None] * 6 + [[True]]
        pool = client.connection_pool
        assert len(pool._in_use_connections) + len(pool._available_connections) == 3  # type: ignore[attr-defined]
    finally:
        await client.aclose()
