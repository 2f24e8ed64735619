"""The embedded NLU: one object per bot that turns a message into Rasa's `/model/parse` shape."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from nlu.classifier import IntentClassifier, IntentScore
from nlu.config import CACHE_FOLDER, NluConfig
from nlu.data_entities import DataEntityExtractor
from nlu.entities import Entity, extract_builtin
from nlu.model_cache import trained_classifier
from nlu.rasa_files import load_training_data
from nlu.retrieval import split_retrieval
from nlu.spans import Occupied
from nlu.training_data import TrainingData

log = logging.getLogger(__name__)
_MAX_TEXT = 10_000
RANKING_LENGTH = 10  # intents in `intent_ranking`, as Rasa's classifiers give by default


class NLU:
    """Intent ranking with a fallback rule, built-in and data-defined entities.

    >>> nlu = NLU.from_intents({"greet": ["oi", "bom dia"], "goodbye": ["tchau", "até mais"]})
    >>> nlu.parse("oiii")["intent"]["name"]
    'greet'
    """

    def __init__(self, data: TrainingData, classifier: IntentClassifier, config: NluConfig) -> None:
        self.data = data
        self.config = config
        self.classifier = classifier
        self._entities = DataEntityExtractor(data, config.data_entities)
        self._zone = ZoneInfo(config.timezone)

    @classmethod
    def from_data(cls, data: TrainingData, config: NluConfig | None = None) -> NLU:
        """Train (or load from `config.cache_dir`) a classifier for the data."""
        config = config or NluConfig()
        examples = data.intent_examples()
        classifier = trained_classifier(examples, config.classifier, config.cache_dir)
        nlu = cls(data, classifier, config)
        log.info("nlu ready: %d intents, %d examples; %s model, fallback below %.3f or a lead under %.3f",
                 len(classifier.intents), len(examples), "sharp" if classifier.tuning.sharp else "cautious",
                 nlu.threshold, nlu.ambiguity_threshold)
        return nlu

    @classmethod
    def from_intents(cls, intents: Mapping[str, Iterable[str]], config: NluConfig | None = None) -> NLU:
        return cls.from_data(TrainingData.from_intents(intents), config)

    @classmethod
    def from_bot(
        cls, bot_dir: str | Path, extra: TrainingData | None = None, config: NluConfig | None = None
    ) -> NLU:
        """The bot folder's `nlu.yml` (if any) plus `extra` (flow triggers, option labels); the
        model is cached in `<bot_dir>/.papo-cache` unless the config names another folder."""
        bot = Path(bot_dir)
        config = config or NluConfig()
        if config.cache_dir is None:
            config = replace(config, cache_dir=bot / CACHE_FOLDER)
        files = [path for path in (bot / "nlu.yml", bot / "nlu.yaml") if path.exists()]
        data = load_training_data(files)
        return cls.from_data(data.merge(extra) if extra is not None else data, config)

    @property
    def threshold(self) -> float:
        """The least top confidence of an answer: bot.json's, else the one chosen at training."""
        return self.config.threshold if self.config.threshold is not None else self.classifier.tuning.threshold

    @property
    def ambiguity_threshold(self) -> float:
        """The least lead of the top intent over the second: bot.json's, else the one chosen at training."""
        configured = self.config.ambiguity_threshold
        return configured if configured is not None else self.classifier.tuning.ambiguity

    @property
    def fallback_intent(self) -> str:
        """The intent name `parse` gives when it is unsure."""
        return self.config.fallback_intent

    def parse(self, text: str, now: datetime | None = None, *, message_id: str | None = None) -> dict[str, Any]:
        """Rasa's `/model/parse` result: text, intent, intent_ranking, entities. Never raises on bad text."""
        text = _clean(text)
        now = now or datetime.now(self._zone)
        if now.tzinfo is None:
            now = now.replace(tzinfo=self._zone)  # a naive clock is read in the bot's zone
        ranking, selector = split_retrieval(self.classifier.rank(text, limit=RANKING_LENGTH))
        intent, ranking = self._apply_fallback(ranking)
        result: dict[str, Any] = {
            "text": text,
            "intent": {"name": intent.name, "confidence": round(intent.confidence, 6)},
            "intent_ranking": [{"name": s.name, "confidence": round(s.confidence, 6)} for s in ranking],
            "entities": [entity.to_rasa() for entity in self.entities(text, now)],
        }
        if selector is not None:
            result["response_selector"] = selector
        if message_id is not None:
            result["message_id"] = message_id
        return result

    def _apply_fallback(self, ranking: list[IntentScore]) -> tuple[IntentScore, list[IntentScore]]:
        top = ranking[0].confidence if ranking else 0.0
        second = ranking[1].confidence if len(ranking) > 1 else 0.0
        if ranking and top >= self.threshold and top - second >= self.ambiguity_threshold:
            return ranking[0], ranking
        fallback = IntentScore(self.config.fallback_intent, self.threshold)
        return fallback, [fallback, *ranking]

    def data_entities(self, text: str) -> list[Entity]:
        """The entities the bot's own data defines (its lookups, synonyms and regexes) in `text`; none of
        the built-in ones (dates, numbers, contacts)."""
        return self._entities.extract(text)

    def entities(self, text: str, now: datetime) -> list[Entity]:
        builtin = extract_builtin(
            text, now, dimensions=self.config.builtin_entities, rules=self.config.temporal_rules,
            dateparser_fallback=self.config.dateparser_fallback,
        )
        found = self._entities.extract(text)
        occupied = Occupied()
        for entity in found:
            occupied.take(entity.start, entity.end)
        kept = [e for e in builtin if occupied.is_free(e.start, e.end)]
        return sorted([*found, *kept], key=lambda e: (e.start, e.entity))


def _clean(text: str) -> str:
    text = text if isinstance(text, str) else str(text)
    return "".join(char if char.isprintable() or char in "\n\t" else " " for char in text[:_MAX_TEXT])
