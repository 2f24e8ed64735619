"""The language-model fallback: one command from a closed set, chosen by a model behind any
OpenAI-compatible endpoint, validated against the bot's catalog before papo acts on it."""

from runtime.llm.commands import Catalog, Command, Refused, check
from runtime.llm.fallback import Decision, LlmFallback, LlmRequest, llm_fallback
from runtime.llm.privacy import mask
from runtime.llm.settings import LlmConfig

__all__ = [
    "Catalog",
    "Command",
    "Decision",
    "LlmConfig",
    "LlmFallback",
    "LlmRequest",
    "Refused",
    "check",
    "llm_fallback",
    "mask",
]
