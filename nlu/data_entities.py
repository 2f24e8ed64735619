"""Entities defined by training data: regexes, lookup tables (exact and fuzzy), synonyms."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from nlu.entities import Entity
from nlu.errors import TrainingDataError
from nlu.text import fold
from nlu.training_data import TrainingData

_WORD = re.compile(r"\w+")
_MAX_NGRAM = 3


@dataclass(frozen=True, slots=True)
class DataEntitySettings:
    fuzzy: bool = True
    fuzzy_min_score: float = 88.0
    fuzzy_min_length: int = 4
    # A typo is looked for in forms of five letters or more: one letter more or less turns a shorter form
    # into another word ("orto", short for ortopedia, is one letter from "porto" in "porto seguro").
    fuzzy_min_form_length: int = 5
    fuzzy_max_words: int = 60  # typos are looked for in the first words of long messages only
    annotated_values: bool = True  # values annotated in examples act as a lookup table too


class DataEntityExtractor:
    """Finds the entities a bot's training data defines and maps them through its synonyms."""

    def __init__(self, data: TrainingData, settings: DataEntitySettings = DataEntitySettings()) -> None:
        self.settings = settings
        self._regexes = _compile_regexes(data.regexes)
        self._lookups = _lookup_tables(data, settings.annotated_values)
        self._exact = {name: _alternation(list(table)) for name, table in self._lookups.items() if table}
        self._by_length = {name: _by_length(table) for name, table in self._lookups.items()}
        self._synonyms = {fold(form): value for form, value in data.synonym_map().items()}

    def extract(self, text: str) -> list[Entity]:
        folded = fold(text)
        found = [*self._regex_entities(text), *self._lookup_entities(text, folded)]
        if self.settings.fuzzy:
            found.extend(self._fuzzy_entities(text, folded, found))
        return [self._map_synonym(entity) for entity in found]

    def _regex_entities(self, text: str) -> Iterator[Entity]:
        for name, pattern in self._regexes:
            for match in pattern.finditer(text):
                if match.end() > match.start():
                    yield Entity(name, match.start(), match.end(), match.group(), match.group(),
                                 "RegexEntityExtractor")

    def _lookup_entities(self, text: str, folded: str) -> Iterator[Entity]:
        for name, pattern in self._exact.items():
            for match in pattern.finditer(folded):
                value = self._lookups[name][match.group()]
                yield Entity(name, match.start(), match.end(), text[match.start() : match.end()], value,
                             "RegexEntityExtractor")

    def _fuzzy_entities(self, text: str, folded: str, exact: list[Entity]) -> Iterator[Entity]:
        words = list(_WORD.finditer(folded))[: self.settings.fuzzy_max_words]
        taken = list(exact)
        for size in range(_MAX_NGRAM, 0, -1):
            for index in range(len(words) - size + 1):
                start, end = words[index].start(), words[index + size - 1].end()
                if end - start < self.settings.fuzzy_min_length or _overlaps(start, end, taken):
                    continue
                hit = self._best_fuzzy(folded[start:end])
                if hit is not None:
                    name, value, score = hit
                    entity = Entity(name, start, end, text[start:end], value, "FuzzyLookupExtractor",
                                    confidence=round(score / 100, 3))
                    taken.append(entity)
                    yield entity

    def _best_fuzzy(self, candidate: str) -> tuple[str, str, float] | None:
        best: tuple[str, str, float] | None = None
        cutoff = self.settings.fuzzy_min_score
        shortest, longest = _length_window(len(candidate), cutoff)
        shortest = max(shortest, self.settings.fuzzy_min_form_length)
        for name, table in self._lookups.items():
            lengths = self._by_length[name]
            forms = [form for size in range(shortest, longest + 1) for form in lengths.get(size, ())]
            if not forms:
                continue
            hit = process.extractOne(candidate, forms, scorer=fuzz.ratio, score_cutoff=cutoff)
            if hit is not None and (best is None or hit[1] > best[2]):
                best = (name, table[hit[0]], float(hit[1]))
        return best

    def _map_synonym(self, entity: Entity) -> Entity:
        canonical = self._synonyms.get(fold(str(entity.value)))
        if canonical is None or canonical == entity.value:
            return entity
        return Entity(entity.entity, entity.start, entity.end, entity.text, canonical, entity.extractor,
                      entity.confidence, entity.role, entity.group, (*entity.processors, "EntitySynonymMapper"))


def _by_length(table: dict[str, str]) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = {}
    for form in table:
        grouped.setdefault(len(form), []).append(form)
    return grouped


def _length_window(length: int, cutoff: float) -> tuple[int, int]:
    """The lengths a form may have and still reach `cutoff` in `fuzz.ratio` against a text of this
    length: the ratio is at most 200 * min / (a + b), so far shorter or longer forms are skipped
    without being compared."""
    share = cutoff / 100
    return math.ceil(length * share / (2 - share) - 1e-9), math.floor(length * (2 - share) / share + 1e-9)


def _overlaps(start: int, end: int, taken: list[Entity]) -> bool:
    return any(start < other.end and other.start < end for other in taken)


def _compile_regexes(regexes: dict[str, list[str]]) -> list[tuple[str, re.Pattern[str]]]:
    compiled = []
    for name, patterns in regexes.items():
        for pattern in patterns:
            try:
                compiled.append((name, re.compile(pattern, re.IGNORECASE)))
            except re.error as error:
                raise TrainingDataError(
                    f"regex {name!r}: the pattern {pattern!r} does not compile ({error}); fix or remove it"
                ) from error
    return compiled


def _lookup_tables(data: TrainingData, annotated: bool) -> dict[str, dict[str, str]]:
    """Entity name -> {folded surface form: value}."""
    tables: dict[str, dict[str, str]] = {}
    for name, elements in data.lookups.items():
        table = tables.setdefault(name, {})
        for element in elements:
            table.setdefault(fold(element.strip()), element.strip())
    if annotated:
        for example in data.examples:
            for annotation in example.entities:
                surface = fold(annotation.with_text(example.text).strip())
                tables.setdefault(annotation.entity, {}).setdefault(surface, annotation.value)
    _add_synonym_forms(tables, data.synonyms)
    return {name: {form: value for form, value in table.items() if form} for name, table in tables.items()}


def _add_synonym_forms(tables: dict[str, dict[str, str]], synonyms: dict[str, list[str]]) -> None:
    """A table holding one form of a synonym set learns the other forms ("dermato" beside "dermatologista")."""
    for canonical, forms in synonyms.items():
        folded = {fold(form.strip()) for form in [canonical, *forms]}
        for table in tables.values():
            if not folded.isdisjoint(table):
                for form in [canonical, *forms]:
                    table.setdefault(fold(form.strip()), canonical)


def _alternation(forms: list[str]) -> re.Pattern[str]:
    ordered = sorted(forms, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, ordered)) + r")(?!\w)")
