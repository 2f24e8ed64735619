"""Settings of the embedded NLU for one bot."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from nlu.classifier import ClassifierSettings
from nlu.data_entities import DataEntitySettings
from nlu.entities import BUILTIN_DIMENSIONS
from nlu.errors import ConfigError
from nlu.temporal_types import DEFAULT_RULES, TemporalRules

CACHE_FOLDER = ".papo-cache"
FALLBACK_INTENT = "nlu_fallback"


@dataclass(frozen=True, slots=True)
class NluConfig:
    """threshold: below this top confidence the parse is `fallback_intent`;
    ambiguity_threshold: so is it when top1 - top2 is below this (Rasa's FallbackClassifier rule)."""

    threshold: float = 0.3
    ambiguity_threshold: float = 0.1
    fallback_intent: str = FALLBACK_INTENT
    timezone: str = "America/Sao_Paulo"
    cache_dir: Path | None = None
    builtin_entities: tuple[str, ...] = BUILTIN_DIMENSIONS
    dateparser_fallback: bool = False
    temporal_rules: TemporalRules = DEFAULT_RULES
    classifier: ClassifierSettings = field(default_factory=ClassifierSettings)
    data_entities: DataEntitySettings = field(default_factory=DataEntitySettings)

    def __post_init__(self) -> None:
        for name in ("threshold", "ambiguity_threshold"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
                raise ConfigError(f"nlu {name} is {value!r}; expected a number from 0 to 1, e.g. 0.3")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ConfigError(
                f"nlu timezone {self.timezone!r} is not an IANA zone name; use e.g. \"America/Sao_Paulo\""
            ) from error

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any], *, bot_dir: Path | None = None) -> NluConfig:
        """From the `nlu` section of bot.json: threshold, ambiguity_threshold, timezone, cache_dir,
        dateparser_fallback. A relative cache_dir is inside the bot folder (default `.papo-cache`)."""
        known = {"threshold", "ambiguity_threshold", "fallback_intent", "timezone", "cache_dir",
                 "dateparser_fallback"}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ConfigError(f"unknown nlu setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        values = dict(raw)
        cache = values.pop("cache_dir", CACHE_FOLDER if bot_dir is not None else None)
        cache_dir = None if cache is None else (bot_dir / cache if bot_dir is not None else Path(cache))
        return cls(cache_dir=cache_dir, **values)
