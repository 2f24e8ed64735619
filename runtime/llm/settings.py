"""What the LLM fallback runs with: the bot's "llm" section (`flows.settings.LlmSettings`, where
its defaults are written) plus the secret, the endpoint and the default model from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Self

from flows.settings import LlmSettings

DEFAULT_MODEL = "gpt-4o-mini"


@dataclass(frozen=True, slots=True)
class LlmConfig:
    api_key: str = ""
    base_url: str | None = None
    model: str = DEFAULT_MODEL
    settings: LlmSettings = LlmSettings()

    @classmethod
    def from_env(cls, settings: LlmSettings, env: Mapping[str, str] = os.environ) -> Self:
        return cls(
            api_key=env.get("OPENAI_API_KEY", ""),
            base_url=env.get("OPENAI_BASE_URL") or None,
            model=settings.model or env.get("PAPO_LLM_MODEL") or DEFAULT_MODEL,
            settings=settings,
        )

    @property
    def off_reason(self) -> str | None:
        """Why the model will not be called, or None when it will."""
        if not self.settings.enabled:
            return "the bot's llm.enabled is false"
        if not self.api_key:
            return "OPENAI_API_KEY is not set"
        return None
