"""Which of several readings explains more of a message: the measure of specificity.

A message may match a FAQ entry and a flow's trigger at once ("e qto é a consulta com o
pediatra?" is a price question, and about pediatrics). The reading whose nearest example
accounts for more of the message's content words is the more specific one: "quanto custa a
consulta de pediatria?" covers quanto, consulta and pediatra; "quanto é a consulta particular?"
only quanto and consulta. Words are weighted by how rare they are among all examples (a word no
example has weighs most), and matched loosely: same stem ("pediatra", "pediatria"; "atende",
"atendem"), a plural, or a one-letter typo.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from nlu.text import normalise

# Words that say nothing about what is asked; interrogatives (quanto, quando, onde...) stay: they do.
STOPWORDS = frozenset(
    "a o as os um uma uns umas de da do das dos em no na nos nas para pra pro por pelo pela com e ou que "
    "eu me te se voce voces vcs meu minha meus minhas seu sua seus suas nosso nossa ele ela eles elas lhe "
    "isso esse essa este esta aquele aquela ai aqui la entao mas tambem ja so bem muito mesmo msm ne tipo "
    "oi ola bom boa dia tarde noite gostaria queria quero preciso favor sera ser nao sim ok".split()
)


@dataclass(frozen=True, slots=True)
class Coverage:
    """How much of a message a target explains: `score` (0-1, weighted by rarity), through `example`."""

    target: str
    score: float
    example: str = ""


def content_words(text: str) -> tuple[str, ...]:
    return tuple(w for w in normalise(text).split() if w not in STOPWORDS and not w.isdigit())


@lru_cache(maxsize=65536)
def same_word(a: str, b: str) -> bool:
    """Equal, a plural, the same stem of five letters or more with at most one more letter ("pediatra",
    "pediatria"), or one typo in a word of seven letters or more ("quando" and "quanto" stay apart)."""
    if a == b or a + "s" == b or b + "s" == a:
        return True
    shorter = min(len(a), len(b))
    if shorter < 5:
        return False
    prefix = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        prefix += 1
    if prefix >= max(5, shorter - 2) and abs(len(a) - len(b)) <= 1:  # "atendem" is no "atendente"
        return True
    return shorter >= 7 and abs(len(a) - len(b)) <= 1 and Levenshtein.distance(a, b) <= 1


class ExampleIndex:
    """Examples per target ("faq:<entry>", "flow:<id>"); `coverage` says how much of a message a
    target's nearest example explains."""

    def __init__(self, examples: Mapping[str, Iterable[str]]) -> None:
        self._examples: dict[str, list[tuple[str, frozenset[str]]]] = {}
        counts: dict[str, int] = {}
        total = 0
        for target, texts in examples.items():
            kept = self._examples.setdefault(target, [])
            for text in texts:
                words = frozenset(content_words(text))
                if not words:
                    continue
                kept.append((text, words))
                total += 1
                for word in words:
                    counts[word] = counts.get(word, 0) + 1
        self._idf = {w: math.log((total + 1) / (c + 1)) + 1.0 for w, c in counts.items()}
        self._unknown = math.log(total + 1) + 1.0

    def __contains__(self, target: str) -> bool:
        return target in self._examples

    def weight(self, word: str) -> float:
        return self._idf.get(word, self._unknown)

    def coverage(self, text: str, target: str, *, ignore: frozenset[str] = frozenset()) -> Coverage:
        """`ignore`: words left out of the message (the values of entities, when only the request counts)."""
        words = tuple(w for w in content_words(text) if w not in ignore)
        total = sum(self.weight(w) for w in words)
        best = Coverage(target, 0.0)
        if not words or total <= 0:
            return best
        for example, known in self._examples.get(target, ()):
            covered = sum(self.weight(w) for w in words if any(same_word(w, k) for k in known))
            score = round(covered / total, 4)
            if score > best.score:
                best = Coverage(target, score, example)
        return best

    def best(self, text: str, targets: Iterable[str]) -> list[Coverage]:
        """`targets` by coverage, best first."""
        return sorted((self.coverage(text, t) for t in targets), key=lambda c: -c.score)


__all__ = ["STOPWORDS", "Coverage", "ExampleIndex", "content_words", "same_word"]
