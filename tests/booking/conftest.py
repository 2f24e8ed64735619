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
from runtime.nodes.services import BotServices
from runtime.service.harness import BotHarness
from runtime.service.wiring import build_services

AGENDA = Path(__file__).parent / "bots" / "agenda"
CLINIC = Path(__file__).parents[2] / "examples" / "clinic"
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # Monday 09:00 in São Paulo

OpenBot = Callable[..., Awaitable[BotHarness]]
_BASE: dict[Path, BotServices] = {}  # one trained NLU per bot for the whole run


@pytest.fixture(params=["redis", "embedded"])
async def client(request: pytest.FixtureRequest, redis_client: aioredis.Redis) -> AsyncIterator[aioredis.Redis]:
    """A real Redis server, and the embedded in-process one: the same code runs on both."""
    if request.param == "redis":
        yield redis_client
        return
    fake = fakeredis.FakeAsyncRedis(server=fakeredis.FakeServer())
    yield fake
    await fake.aclose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def open_bot(client: aioredis.Redis, redis_prefix: str, clock: ManualClock) -> AsyncIterator[OpenBot]:
    """Open a bot folder as one user's harness; users of one bot share its calendar and timers."""
    libraries: dict[Path, tuple[BotLibrary, BotServices]] = {}

    async def open_(root: Path, *, user: str = "5511987650000") -> BotHarness:
        if root not in libraries:
            library = BotLibrary.load(root, client=client, prefix=redis_prefix)
            await library.publish()
            base = _BASE.setdefault(root, build_services(library.current, root))
            services = build_services(library.current, root, redis=client, prefix=redis_prefix, clock=clock,
                                      base=base)
            libraries[root] = (library, services)
        library, services = libraries[root]
        return BotHarness(library, RedisStore(client, prefix=redis_prefix), clock, channel="whatsapp", user=user,
                          services=services)

    yield open_


async def at_clinic_slots(open_bot: OpenBot, specialty: str) -> BotHarness:
    """The clinic, Carla greeted and booking `specialty` (an option id): its slots are offered."""
    h = await open_bot(CLINIC)
    for said in ("oi", "Carla", "agendar"):
        await h.say(said)
    await h.say(choice_id=specialty)
    return h
