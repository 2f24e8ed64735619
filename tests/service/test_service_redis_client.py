"""The Redis client papo makes for one server (`redis_urls.connect`): a gate over a plain pool."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from redis.asyncio.connection import Connection, ConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import DataError, ResponseError

from runtime.service.redis_urls import GatedRedis, connect


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


class Writes(Connection):
    count = 0

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        Writes.count += 1
        await super().send_packed_command(command, check_health)


def counted(redis_url: str) -> GatedRedis:
    return GatedRedis.gated(ConnectionPool.from_url(redis_url, connection_class=Writes), 8)


async def test_what_several_tasks_send_at_once_goes_in_one_write_each_with_its_own_replies(redis_url: str) -> None:
    client = counted(redis_url)
    key = f"papo-test:batch:{uuid.uuid4().hex}"
    try:
        await client.set(f"{key}:text", "not a number")
        before = Writes.count

        async def piped(n: int) -> list[Any]:
            async with client.pipeline(transaction=False) as pipe:
                pipe.incrby(f"{key}:n", n)
                pipe.get(f"{key}:text")
                return await pipe.execute()

        replies = await asyncio.gather(*(client.incr(f"{key}:{i}") for i in range(5)), piped(10),
                                       client.incr(f"{key}:text"), client.set(f"{key}:none", None),  # type: ignore[arg-type]
                                       client.get(f"{key}:text"), return_exceptions=True)
        assert replies[:5] == [1] * 5
        assert replies[5] == [10, b"not a number"]  # a pipeline's replies, in its order
        assert isinstance(replies[6], ResponseError)  # a command's own error reaches its caller only
        assert isinstance(replies[7], DataError)  # refused before sending: the others were sent without it
        assert replies[8] == b"not a number"
        assert Writes.count - before == 8  # the batch was refused before it was written: each caller alone then

        before = Writes.count
        assert await asyncio.gather(*(client.incr(f"{key}:{i}") for i in range(5))) == [2] * 5
        assert Writes.count - before == 1
    finally:
        await client.delete(*[k async for k in client.scan_iter(match=f"{key}*")])
        await client.aclose()


async def test_a_blocking_read_goes_alone_and_holds_up_nobody(redis_url: str) -> None:
    client = counted(redis_url)
    key = f"papo-test:batch:{uuid.uuid4().hex}"
    try:
        async def pop() -> Any:
            return await client.blpop([key], timeout=2)

        waiting = asyncio.create_task(pop())
        await asyncio.sleep(0.05)
        assert await client.rpush(key, "x") == 1  # not queued behind the blocked connection
        assert list(await waiting) == [key.encode(), b"x"]
    finally:
        await client.aclose()


async def test_a_broken_connection_fails_every_caller_of_its_batch(redis_url: str) -> None:
    client = GatedRedis.gated(ConnectionPool.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1), 4)
    try:
        replies = await asyncio.gather(client.get("a"), client.get("b"), return_exceptions=True)
        assert all(isinstance(r, RedisConnectionError) for r in replies)
    finally:
        await client.aclose()


async def test_commands_packed_by_hiredis_say_the_same_as_redis_py_packs_them(redis_url: str) -> None:
    """`connect` packs commands with hiredis: every kind of argument redis-py takes still goes through as it
    would, a command of two words is split, and what Redis cannot take is refused before anything is sent."""
    client = connect(redis_url)
    key = f"papo-test:packed:{uuid.uuid4().hex}"
    try:
        packer = client.connection_pool.connection_class()
        command = ("SET", key, "ação", b"\x00raw", 7, 2.5)
        assert b"".join(packer.pack_command(*command)) == b"".join(Connection().pack_command(*command))
        await client.set(f"{key}:text", "ação ✓")
        await client.set(f"{key}:bytes", memoryview(b"raw"))
        await client.set(f"{key}:float", 2.5)
        await client.set(f"{key}:big", 10**20)
        assert await client.mget(f"{key}:text", f"{key}:bytes", f"{key}:float", f"{key}:big") == [
            "ação ✓".encode(), b"raw", b"2.5", b"100000000000000000000"]
        assert "maxmemory" in await client.config_get("maxmemory")  # "CONFIG GET": two words, two arguments
        for bad in (None, True, object()):
            try:
                await client.set(f"{key}:bad", bad)  # type: ignore[arg-type]
            except DataError as exc:
                assert type(bad).__name__ in str(exc)
            else:
                raise AssertionError(f"{bad!r} was sent")
        assert await client.exists(f"{key}:bad") == 0
        assert (await client.eval("return ARGV[1] .. ARGV[2]", 0, "a", 1)) == b"a1"
    finally:
        await client.delete(*[k async for k in client.scan_iter(match=f"{key}*")])
        await client.aclose()
