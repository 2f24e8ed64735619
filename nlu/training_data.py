"""The internal model of NLU training data, shared by every Rasa format reader and writer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class EntityAnnotation:
    """An entity marked in a training example; offsets are in the plain text (markup removed)."""

    start: int
    end: int
    entity: str
    value: str
    role: str | None = None
    group: str | None = None

    def with_text(self, text: str) -> str:
        return text[self.start : self.end]


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    intent: str | None = None
    entities: tuple[EntityAnnotation, ...] = ()
    metadata: Mapping[str, Any] | None = None


@dataclass(slots=True)
class TrainingData:
    """Examples plus the entity helpers Rasa keeps beside them (synonyms, regexes, lookups)."""

    examples: list[Example] = field(default_factory=list)
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    regexes: dict[str, list[str]] = field(default_factory=dict)
    lookups: dict[str, list[str]] = field(default_factory=dict)
    intent_metadata: dict[str, Mapping[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_intents(cls, intents: Mapping[str, Iterable[str]]) -> TrainingData:
        """Plain examples from a mapping intent -> texts (flow triggers, option labels)."""
        return cls([Example(text, intent) for intent, texts in intents.items() for text in texts])

    @property
    def intents(self) -> list[str]:
        return sorted({example.intent for example in self.examples if example.intent})

    def intent_examples(self) -> list[tuple[str, str]]:
        return [(example.text, example.intent) for example in self.examples if example.intent]

    def merge(self, *others: TrainingData) -> TrainingData:
        merged = TrainingData(list(self.examples), _copy(self.synonyms), _copy(self.regexes), _copy(self.lookups),
                              dict(self.intent_metadata))
        for other in others:
            merged.examples.extend(other.examples)
            for target, source in ((merged.synonyms, other.synonyms), (merged.regexes, other.regexes),
                                   (merged.lookups, other.lookups)):
                for name, items in source.items():
                    bucket = target.setdefault(name, [])
                    bucket.extend(item for item in items if item not in bucket)
            merged.intent_metadata.update(other.intent_metadata)
        return merged

    def synonym_map(self) -> dict[str, str]:
        """Surface form (lower-case) -> canonical value, from `synonym:` blocks and annotations."""
        mapping = {form.lower(): value for value, forms in self.synonyms.items() for form in forms}
        for example in self.examples:
            for annotation in example.entities:
                surface = annotation.with_text(example.text)
                if surface != annotation.value:
                    mapping.setdefault(surface.lower(), annotation.value)
        return mapping


def _copy(source: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    return {name: list(items) for name, items in source.items()}
