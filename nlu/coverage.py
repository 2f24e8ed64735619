"""Which of several readings explains more of a message: the measure of specificity.

A message may match a FAQ entry and a flow's trigger at once ("e qto é a consulta com o
pediatra?" is a price question, and about pediatrics). The reading whose nearest example
accounts for more of the message's content words is the more specific one: "quanto custa a
consulta de pediatria?" covers quanto, consulta and pediatra; "quanto é a consulta particular?"
only quanto and consulta. Words are weighted by how rare they are among all examples (a word no
example has weighs most), and matched loosely: same stem ("pediatra", "pediatria"; "atende",
"atendem"), a plural, or a one-letter typo. A target's examples together may explain a message one
example alone does not ("o prédio tem elevador? minha vó é cadeirante"); but a target is about the
rare words most of its examples share, and a message that names none of them is explained half as
much by examples put together.
"""

from __future__ import annotations

import math
import re
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
    "oi ola bom boa dia tarde noite gostaria queria quero preciso favor sera ser nao sim ok pouco pouquinho "
    "ainda assim acho hein ta ah pois dai daqui ae rs kk beleza okay certo valeu obrigado obrigada show legal "
    "otimo perfeito combinado entendi sou estou esta estava tenho tinha era foi fui vou vai vao vamos querer quer "
    "queremos seria "
    "precisava precisaria precisar precisando poderia ops opa digo dizer melhor desculpa desculpe alias perdao "
    "corrigindo pode podem consegue conseguem saber qero keria kero gostava verdade vd "
    "voltei "  # "voltei, quero marcar sim": back in the conversation
    "qualquer "  # "pode ser qualquer dia de tarde": no subject of its own
    "uai ue oxe oxente bah tche visse vixe eita poxa".split()  # regional interjections
)


# They tell what kind of question it is, never what about: covering only them explains nothing.
INTERROGATIVES = frozenset("como quando quanto quanta quantos quantas qual quais onde porque quem".split())
INTERROGATIVE_WEIGHT = 0.5


@dataclass(frozen=True, slots=True)
class Coverage:
    """How much of a message a target explains: `score` (0-1, weighted by rarity), through `example`."""

    target: str
    score: float
    example: str = ""


# "demora mais ou menos quanto?": how roughly is asked, not what
ROUGHLY = re.compile(r"\bmais ou menos\b")


def content_words(text: str) -> tuple[str, ...]:
    return tuple(w for w in ROUGHLY.sub(" ", normalise(text)).split() if w not in STOPWORDS and not w.isdigit())


@lru_cache(maxsize=65536)
def same_word(a: str, b: str) -> bool:
    """Equal, a plural, the same stem of five letters or more with at most one more letter ("pediatra",
    "pediatria"), the same stem once a verb or noun ending is dropped ("chego", "chegar"), or one typo in
    a word of seven letters or more ("quando" and "quanto" stay apart)."""
    if a == b or a + "s" == b or b + "s" == a:
        return True
    if _short_verb(a, b) or _short_verb(b, a):  # "abrir", "abrem"
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
    if stem(a) == stem(b) and len(stem(a)) >= MIN_STEM:  # "chego", "chegar", "chegue"
        return True
    return shorter >= 7 and abs(len(a) - len(b)) <= 1 and Levenshtein.distance(a, b) <= 1


# Verb and noun endings, longest first: what is left is the stem ("chegar", "chego" -> "cheg").
_ENDINGS = tuple(sorted("ar er ir o a e os as es am em ando endo indo ado ada ados adas ido ida ou ei ava aram ue uei "
                        "amos emos imos aria eria iria".split(), key=len, reverse=True))
MIN_STEM = 4
_PERSON_ENDINGS = frozenset("o a e am em iu eu ou amos emos imos".split())


def _short_verb(infinitive: str, form: str) -> bool:
    """A verb of a three-letter stem in another person or tense, both of five letters or more: "abrir" and
    "abrem", "tomar" and "tomam". Stems that short are too common to compare in general ("caro", "cara"),
    so one side must be the infinitive."""
    if len(infinitive) != 5 or infinitive[-2:] not in ("ar", "er", "ir") or len(form) < 5:
        return False
    root = infinitive[:3]
    return form.startswith(root) and form[3:] in _PERSON_ENDINGS


def same_stem(a: str, b: str) -> bool:
    """The same word once a verb or noun ending is dropped ("vomitou", "vomito"); stricter than `same_word`."""
    return a == b or (stem(a) == stem(b) and len(stem(a)) >= MIN_STEM)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """`word` without a verb or noun ending, when at least MIN_STEM letters are left."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[:-len(ending)]
    return word


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
        rare = frozenset(w for w, c in counts.items() if c <= max(2, TOPIC_RARITY * total))
        self._topics = {target: _topic(kept, rare) for target, kept in self._examples.items()}

    def __contains__(self, target: str) -> bool:
        return target in self._examples

    def weight(self, word: str) -> float:
        """How much a word tells: the rarer the more; a question word tells the kind of question, not
        what about, so half as much."""
        weight = self._idf.get(word, self._unknown)
        return weight * INTERROGATIVE_WEIGHT if word in INTERROGATIVES else weight

    def coverage(self, text: str, target: str, *, ignore: frozenset[str] = frozenset()) -> Coverage:
        """How much of `text` the target's examples explain together (a FAQ entry's paraphrases are one
        question asked many ways); `example` is the one that explains most by itself. `ignore`: words
        left out of the message (the values of entities, when only the request counts)."""
        words = tuple(w for w in content_words(text) if w not in ignore)
        total = sum(self.weight(w) for w in words)
        examples = self._examples.get(target, ())
        if not words or total <= 0 or not examples:
            return Coverage(target, 0.0)
        covered_by = [frozenset(w for w in words if any(same_word(w, k) for k in known)) for _, known in examples]
        together = frozenset().union(*covered_by)
        if together <= INTERROGATIVES:  # "como assim": a question word alone names no topic
            return Coverage(target, 0.0)
        best = max(range(len(examples)), key=lambda i: sum(self.weight(w) for w in covered_by[i]))
        alone = sum(self.weight(w) for w in covered_by[best]) / total
        together_score = sum(self.weight(w) for w in together) / total
        topic = self._topics.get(target, ())
        said = content_words(text)
        if topic and not any(same_word(word, w) for word in topic for w in said):
            together_score *= OFF_TOPIC
        score = round(max(alone, together_score), 4)
        return Coverage(target, score, examples[best][0] if covered_by[best] else "")

    def topic(self, target: str) -> tuple[str, ...]:
        return self._topics.get(target, ())

    def share(self, text: str, names: Iterable[str]) -> float:
        """How much of `text` a handful of words explain (an option's names), weighted like `coverage`."""
        known = {w for name in names for w in content_words(name)}
        words = content_words(text)
        total = sum(self.weight(w) for w in words)
        covered = [w for w in words if any(same_word(w, k) for k in known)]
        if total <= 0 or set(covered) <= INTERROGATIVES:
            return 0.0
        return round(sum(self.weight(w) for w in covered) / total, 4)

    def best(self, text: str, targets: Iterable[str]) -> list[Coverage]:
        """`targets` by coverage, best first."""
        return sorted((self.coverage(text, t) for t in targets), key=lambda c: -c.score)


def _topic(examples: list[tuple[str, frozenset[str]]], rare: frozenset[str]) -> tuple[str, ...]:
    """The rare words most of a target's examples share ("pediatra" for the pediatrics entries): what
    the target is about. A message that names none of them asks about something else, however many of
    its other words the examples cover ("vocês atendem sábado de manhã?" is no question about pediatrics)."""
    if len(examples) < MIN_TOPIC_EXAMPLES:
        return ()
    found: list[str] = []
    for word in sorted({w for _, words in examples for w in words} & rare):
        if word in INTERROGATIVES or any(same_word(word, f) for f in found):
            continue
        share = sum(1 for _, words in examples if any(same_word(word, w) for w in words)) / len(examples)
        if share >= TOPIC_SHARE:
            found.append(word)
    return tuple(found)


MIN_TOPIC_EXAMPLES = 3
TOPIC_SHARE = 0.5  # of the target's examples
TOPIC_RARITY = 0.02  # of all examples, at most (or two): common words ("tem", "consulta") are no topic
OFF_TOPIC = 0.5  # what is left of the coverage of a message that names none of the target's topic words


__all__ = ["INTERROGATIVES", "STOPWORDS", "Coverage", "ExampleIndex", "content_words", "same_stem", "same_word", "stem"]
