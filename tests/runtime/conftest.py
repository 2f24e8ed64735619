from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import fakeredis
import pytest
import redis.asyncio as aioredis

from runtime.conversations.library import BotLibrary
from runtime.conversations.store import RedisStore
from runtime.engine.clock import ManualClock
from runtime.service.harness import BotHarness
from runtime.service.redis_urls import connect

BOTS = Path(__file__).parent / "bots"
EXAMPLES = Path(__file__).parents[2] / "examples"
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # Monday 09:00 in São Paulo

OpenBot = Callable[..., Awaitable[BotHarness]]


@pytest.fixture(params=["redis", "embedded"])
async def client(request: pytest.FixtureRequest, redis_url: str, redis_prefix: str) -> AsyncIterator[aioredis.Redis]:
    """A real Redis server, and the embedded in-process one: the same code runs on both."""
    if request.param == "embedded":
        fake = fakeredis.FakeAsyncRedis(server=fakeredis.FakeServer())
        yield fake
        await fake.aclose()
        return
    real = connect(redis_url)  # REDIS_URL may name a cluster: these tests run on it too
    yield real
    async for key in real.scan_iter(match=f"{redis_prefix}*", count=1000):
        await real.delete(key)
    await real.aclose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def store(client: aioredis.Redis, redis_prefix: str) -> RedisStore:
    return RedisStore(client, prefix=redis_prefix)


@pytest.fixture
def open_bot(client: aioredis.Redis, redis_prefix: str, clock: ManualClock) -> OpenBot:
    """Open a bot folder (a name under tests/runtime/bots, or a path) as one user's harness."""

    async def open_(bot: str | Path, *, user: str = "5511987650000", library: BotLibrary | None = None) -> BotHarness:
        if library is None:
            root = bot if isinstance(bot, Path) else BOTS / bot
            library = BotLibrary.load(root, client=client, prefix=redis_prefix)
            await library.publish()
        return BotHarness(library, RedisStore(client, prefix=redis_prefix), clock, channel="whatsapp", user=user)

    return open_
