"""Settings of the embedded NLU for one bot: built from bot.json's "nlu" section
(`flows.settings.NluSettings`, where its defaults are written) plus what only the NLU knows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flows.settings import NluSettings
from nlu.classifier import ClassifierSettings
from nlu.data_entities import DataEntitySettings
from nlu.entities import BUILTIN_DIMENSIONS
from nlu.errors import ConfigError
from nlu.temporal_types import DEFAULT_RULES, TemporalRules

CACHE_FOLDER = ".papo-cache"
BOT_DEFAULTS = NluSettings()
FALLBACK_INTENT = BOT_DEFAULTS.fallback_intent
TIMEZONE = "America/Sao_Paulo"  # of an NLU used without a bot; a bot's NLU has the bot's timezone


@dataclass(frozen=True, slots=True)
class NluConfig:
    """threshold: below this top confidence the parse is `fallback_intent`;
    ambiguity_threshold: so is it when top1 - top2 is below this (Rasa's FallbackClassifier rule).
    Either one left None is the value training chose by cross-validation (`nlu.tuning`), within
    `classifier.fallback_budget`."""

    threshold: float | None = BOT_DEFAULTS.threshold
    ambiguity_threshold: float | None = BOT_DEFAULTS.ambiguity_threshold
    fallback_intent: str = FALLBACK_INTENT
    timezone: str = TIMEZONE
    cache_dir: Path | None = None
    builtin_entities: tuple[str, ...] = BUILTIN_DIMENSIONS
    dateparser_fallback: bool = BOT_DEFAULTS.dateparser_fallback
    temporal_rules: TemporalRules = DEFAULT_RULES
    classifier: ClassifierSettings = field(default_factory=ClassifierSettings)
    data_entities: DataEntitySettings = field(default_factory=DataEntitySettings)

    def __post_init__(self) -> None:
        for name in ("threshold", "ambiguity_threshold"):
            value = getattr(self, name)
            if value is not None and not _is_share(value):
                raise ConfigError(f"nlu {name} is {value!r}; expected a number from 0 to 1, e.g. 0.3, "
                                  "or leave it out to have it chosen at training")
        budget = self.classifier.fallback_budget
        if not _is_share(budget):
            raise ConfigError(f"nlu fallback_budget is {budget!r}; expected a number from 0 to 1, e.g. 0.1")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ConfigError(
                f"nlu timezone {self.timezone!r} is not an IANA zone name; use e.g. \"America/Sao_Paulo\""
            ) from error

    @classmethod
    def from_settings(cls, settings: NluSettings, *, timezone: str | None = None,
                      bot_dir: Path | None = None) -> NluConfig:
        """From bot.json's "nlu" section; `timezone` (the bot's) is used when the section names none.
        A relative cache_dir is inside the bot folder (default `.papo-cache`)."""
        cache = settings.cache_dir or (CACHE_FOLDER if bot_dir is not None else None)
        cache_dir = None if cache is None else (bot_dir / cache if bot_dir is not None else Path(cache))
        return cls(threshold=settings.threshold, ambiguity_threshold=settings.ambiguity_threshold,
                   fallback_intent=settings.fallback_intent, timezone=settings.timezone or timezone or TIMEZONE,
                   cache_dir=cache_dir, dateparser_fallback=settings.dateparser_fallback,
                   classifier=ClassifierSettings(fallback_budget=settings.fallback_budget))

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any], *, bot_dir: Path | None = None) -> NluConfig:
        """From an `nlu` section that no schema has checked: an unknown key is an error."""
        known = {f.name for f in fields(NluSettings)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ConfigError(f"unknown nlu setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        return cls.from_settings(NluSettings.from_json(raw), bot_dir=bot_dir)


def _is_share(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and 0.0 <= value <= 1.0
