"""The language-model fallback: one command from a closed set, chosen by a model behind any
OpenAI-compatible endpoint, validated against the bot's catalog before papo acts on it."""

from runtime.llm.commands import Catalog, Command, Refused, check
from runtime.llm.fallback import Decision, LlmFallback, LlmRequest, llm_fallback
from runtime.llm.privacy import mask
from runtime.llm.settings import LlmSettings

__all__ = [
    "Catalog",
    "Command",
    "Decision",
    "LlmFallback",
    "LlmRequest",
    "LlmSettings",
    "Refused",
    "check",
    "llm_fallback",
    "mask",
]
