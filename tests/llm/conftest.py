from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from flows.loader import load_bot
from flows.model import Bot
from flows.settings import LlmSettings
from runtime.engine.clock import ManualClock
from runtime.llm import Catalog, LlmConfig, LlmFallback
from runtime.llm.fallback import LlmRequest
from runtime.service.harness import BotHarness

from .fake_openai import FakeOpenAI

BOT = Path(__file__).parent / "bots" / "assist"
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
DEADLINE = 0.3


@pytest.fixture
async def fake_llm() -> AsyncIterator[FakeOpenAI]:
    fake = FakeOpenAI()
    await fake.start()
    yield fake
    await fake.aclose()


@pytest.fixture
def bot() -> Bot:
    return load_bot(BOT)


@pytest.fixture
def catalog() -> Catalog:
    return Catalog({"estacionamento": "Temos estacionamento conveniado: 2 horas grátis."},
                   frozenset({"agendar"}), frozenset({"convenio"}))


def request(text: str, catalog: Catalog, **more: object) -> LlmRequest:
    return LlmRequest(text, "test:5511999990000", "pt-BR", catalog, "v1", **more)  # type: ignore[arg-type]


@pytest.fixture
async def fallback(fake_llm: FakeOpenAI, bot: Bot, redis_client: aioredis.Redis,
                   redis_prefix: str) -> AsyncIterator[LlmFallback]:
    config = LlmConfig(api_key="sk-test", base_url=str(fake_llm.server.make_url("/v1")),
                       settings=LlmSettings(deadline=DEADLINE, monthly_budget_usd=1.0))
    llm = LlmFallback(config, redis_client, bot=bot, prefix=redis_prefix)
    yield llm
    await llm.aclose()


@pytest.fixture
async def harness(fake_llm: FakeOpenAI, redis_client: aioredis.Redis, redis_prefix: str,
                  monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[BotHarness]:
    """The test bot with its LLM fallback pointed at the fake server; the name and CPF already given."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", str(fake_llm.server.make_url("/v1")))
    h = await BotHarness.open(BOT, client=redis_client, prefix=redis_prefix, clock=ManualClock(START))
    await h.say("oi")
    await h.say("Joana Prado")
    await h.say("529.982.247-25")
    yield h
    await h.aclose()
