"""The outside world of a bot's turns, built once per bot: intent recognition from the bot's
own data (its `nlu.yml` and its flows' trigger keywords), and later parts' services."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import nlu
from flows.model import Bot
from nlu.config import NluConfig
from nlu.pipeline import NLU

from .engine import Services

log = logging.getLogger(__name__)


class NluIntents:
    """Flow triggers by intent, through the embedded NLU; unsure answers count as no intent."""

    def __init__(self, understanding: NLU) -> None:
        self.nlu = understanding

    def intent(self, text: str) -> tuple[str, float] | None:
        found = self.nlu.parse(text)["intent"]
        if not found or found["name"] == self.nlu.config.fallback_intent:
            return None
        return str(found["name"]), float(found["confidence"])

    def parse(self, text: str, **options: Any) -> dict[str, Any]:
        return self.nlu.parse(text, **options)


def training_data(bot: Bot) -> nlu.TrainingData:
    """Examples the flows themselves give: each trigger keyword of a flow that names intents is
    an example of its first intent."""
    examples = [nlu.Example(keyword, flow.triggers.intents[0])
                for flow in bot.flows.values() if flow.triggers.intents
                for keyword in flow.triggers.keywords]
    return nlu.TrainingData(examples)


def understanding(bot: Bot, root: Path) -> NLU | None:
    """The bot's NLU, trained (or read from its cache) from nlu.yml and the flows; None when the
    bot has no intents at all."""
    if not (root / "nlu.yml").exists() and not any(f.triggers.intents for f in bot.flows.values()):
        return None
    settings = dict(bot.settings.get("nlu", {}))
    settings.setdefault("timezone", bot.timezone)
    config = NluConfig.from_mapping(settings, bot_dir=root)
    return NLU.from_bot(root, training_data(bot), config)


def build_services(bot: Bot, root: Path) -> Services:
    understood = understanding(bot, root)
    return Services(intents=NluIntents(understood) if understood is not None else None)
