"""LLM settings: the secret and endpoint from the environment, the rest per bot (bot.json "llm")."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from flows.model import parse_duration

DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_PRICES = (0.15, 0.60)  # USD per million input / output tokens (gpt-4o-mini)


@dataclass(frozen=True, slots=True)
class LlmSettings:
    api_key: str = ""
    base_url: str | None = None
    model: str = DEFAULT_MODEL
    enabled: bool = True
    deadline: float = 12.0  # seconds for the whole fallback, retry included
    retries: int = 1
    max_turns: int = 6
    max_tokens: int = 200
    monthly_budget_usd: float = 20.0
    price_in: float = DEFAULT_PRICES[0]
    price_out: float = DEFAULT_PRICES[1]
    cache_ttl: int = 86400

    @classmethod
    def from_env(cls, bot: Mapping[str, Any], env: Mapping[str, str] = os.environ) -> Self:
        prices = bot.get("price_per_million", {})
        return cls(
            api_key=env.get("OPENAI_API_KEY", ""),
            base_url=env.get("OPENAI_BASE_URL") or None,
            model=str(bot.get("model") or env.get("PAPO_LLM_MODEL") or DEFAULT_MODEL),
            enabled=bool(bot.get("enabled", True)),
            deadline=float(bot.get("deadline", 12.0)),
            retries=int(bot.get("retries", 1)),
            max_turns=int(bot.get("max_turns", 6)),
            max_tokens=int(bot.get("max_tokens", 200)),
            monthly_budget_usd=float(bot.get("monthly_budget_usd", 20.0)),
            price_in=float(prices.get("input", DEFAULT_PRICES[0])),
            price_out=float(prices.get("output", DEFAULT_PRICES[1])),
            cache_ttl=int(parse_duration(str(bot.get("cache_ttl", "24h"))).total_seconds()),
        )

    def cost(self, tokens_in: int, tokens_out: int) -> float:
        return (tokens_in * self.price_in + tokens_out * self.price_out) / 1_000_000

    @property
    def off_reason(self) -> str | None:
        """Why the model will not be called, or None when it will."""
        if not self.enabled:
            return "the bot's llm.enabled is false"
        if not self.api_key:
            return "OPENAI_API_KEY is not set"
        return None
