"""Retrieval over a bot's FAQ: which entry a message asks about, and how sure that is.

Questions and paraphrases are normalised (`nlu.normalise`) and vectorised twice with TF-IDF,
by words without the most common function words and by character n-grams (typos, plurals);
an entry's score is its best question's mean cosine similarity. A match is confident when the
best score reaches `threshold` and leads the next entry by `margin`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sklearn.feature_extraction.text import TfidfVectorizer

from flows.faq import Faq
from flows.settings import FaqSettings
from nlu.coverage import ROUGHLY
from nlu.slots import CHILDREN, RELATIONS
from nlu.text import normalise

DEFAULT_THRESHOLD = FaqSettings().threshold
DEFAULT_MARGIN = FaqSettings().margin
# Words that say nothing about which question it is; keeping them makes every question look alike.
_STOPWORDS = frozenset(
    "a o as os um uma de da do das dos em no na nos nas para pra por com e ou que qual quais voces voce vcs "
    "eu meu minha se me te tem ter e ai aqui la isso esse essa este esta como quando onde sobre ao aos "
    "tambem ja so saber quero queria gostaria gostava".split()  # "tb quero saber se aceita pix"
)


# An entry about one subject (a specialty, a professional) asked by a message naming none weighs this much
# of its likeness: "cês atende sábado?" asks the clinic's hours, not the pediatrician's days.
_UNNAMED_SUBJECT = 0.7

# What a day or a time named in a question stands for among the FAQ's questions; a question asking when
# stands for it too.
_WHEN = " dias horario"
_ASKS_WHEN = frozenset({"quando"})


@dataclass(frozen=True, slots=True)
class FaqMatch:
    entry: str
    score: float


@dataclass(frozen=True, slots=True)
class FaqReading:
    """The ranked entries for one message and whether the best is confident."""

    ranking: tuple[FaqMatch, ...]
    confident: bool
    by_answer: str | None = None  # the entry a word only its answer says chose ("aceitam cheque?")

    @property
    def best(self) -> FaqMatch | None:
        return self.ranking[0] if self.ranking else None


class FaqIndex:
    def __init__(self, faq: Faq, *, threshold: float = DEFAULT_THRESHOLD, margin: float = DEFAULT_MARGIN) -> None:
        self.faq = faq
        self.threshold = threshold
        self.margin = margin
        self._owners: list[str] = []
        texts: list[str] = []
        for entry in faq.entries:
            for question in entry.questions:
                self._owners.append(entry.id)
                texts.append(_content(question))
        self._words = TfidfVectorizer(analyzer="word", token_pattern=r"(?u)\b\w+\b", sublinear_tf=True)
        self._chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        self.specific: frozenset[str] | None = None  # entries about one subject, once `mark_specific` ran
        self._word_matrix = self._words.fit_transform(texts) if texts else None
        self._char_matrix = self._chars.fit_transform(texts) if texts else None
        self._answer_words = _answer_words(faq, texts)

    @classmethod
    def from_settings(cls, faq: Faq, settings: FaqSettings) -> FaqIndex:
        """The index bot.json's "faq" section describes."""
        return cls(faq, threshold=settings.threshold, margin=settings.margin)

    def mark_specific(self, names_subject: Callable[[str], bool]) -> None:
        """Note the entries about one subject: at least half of their questions name one (`names_subject`:
        a specialty, a professional), as "em que dias o pediatra atende?" and "quando o dr bruno atende?"."""
        self.specific = frozenset(e.id for e in self.faq.entries
                                  if e.questions and 2 * sum(map(names_subject, e.questions)) >= len(e.questions))

    def read(self, text: str, *, topics: Sequence[str] = (), limit: int = 5, when: bool = False,
             unnamed: bool = False) -> FaqReading:
        """Rank entries for `text`; `topics` keeps only entries tagged with one of them. `when`: the text
        names a day or a time, so it asks when something happens ("o pediatra atende segunda?" asks the
        pediatrician's days, as "em que dias o pediatra atende?" does). `unnamed`: the text names no
        subject, so an entry about one (see `mark_specific`) weighs less."""
        when = when or bool(_ASKS_WHEN & set(normalise(text).split()))  # "qdo o pediatra atende?"
        content = _content(text) + (_WHEN if when else "")
        if self._word_matrix is None or self._char_matrix is None or not content.strip():
            return FaqReading((), False)
        words = (self._word_matrix @ self._words.transform([content]).T).toarray().ravel()
        chars = (self._char_matrix @ self._chars.transform([content]).T).toarray().ravel()
        scores = (words + chars) / 2
        allowed = self._allowed(topics)
        specific = self.specific if unnamed and self.specific else frozenset()
        best: dict[str, float] = {}
        for owner, score in zip(self._owners, scores.tolist(), strict=True):
            if owner in specific:
                score *= _UNNAMED_SUBJECT
            if owner in allowed and score > best.get(owner, -1.0):
                best[owner] = score
        named = {self._answer_words[w] for w in content.split() if w in self._answer_words}
        chosen = None
        if len(named) == 1 and (owner := next(iter(named))) in best and best[owner] >= _ANSWERED_FLOOR:
            # "aceitam cheque?": a word only one entry's answer says ("Não aceitamos cheque"), asked of entries
            # whose questions are alike: that entry, by the margin a confident reading needs
            best[owner], chosen = max(best.values()) + self.margin, owner
        ranking = tuple(FaqMatch(e, round(s, 4)) for e, s in sorted(best.items(), key=lambda item: -item[1]))[:limit]
        return FaqReading(ranking, self._confident(ranking), chosen)

    def _allowed(self, topics: Iterable[str]) -> set[str]:
        wanted = set(topics)
        return {e.id for e in self.faq.entries if not wanted or wanted & set(e.tags)}

    def _confident(self, ranking: Sequence[FaqMatch]) -> bool:
        if not ranking or ranking[0].score < self.threshold:
            return False
        runner_up = ranking[1].score if len(ranking) > 1 else 0.0
        return ranking[0].score - runner_up >= self.margin


# Grown-ups the patient may bring stand for anyone: "posso ir com meu marido?" asks what "posso levar alguém
# junto?" asks. Children stay as written: they are what the pediatric entries are about.
_SOMEONE = frozenset(word for word, who in RELATIONS.items() if who not in CHILDREN) | {"acompanhante"}


_ANSWERED_FLOOR = 0.4  # an entry must be this near already for a word of its answer to choose it
_ANSWER_WORD = 5  # ... a word of at least this many letters


def _answer_words(faq: Faq, questions: list[str]) -> dict[str, str]:
    """The words only one entry's answer says, in no question of any entry: each with its entry."""
    asked = {w for q in questions for w in q.split()}
    owners: dict[str, set[str]] = {}
    for entry in faq.entries:
        answers = (entry.answer,) if isinstance(entry.answer, str) else tuple(entry.answer.values())
        for word in {w for a in answers for w in _content(a).split()}:
            if len(word) >= _ANSWER_WORD and word not in asked and not word.isdigit():
                owners.setdefault(word, set()).add(entry.id)
    return {word: next(iter(ids)) for word, ids in owners.items() if len(ids) == 1}


def _content(text: str) -> str:
    text = ROUGHLY.sub(" ", normalise(text))  # "demora mais ou menos quanto?"
    return " ".join("alguem" if w in _SOMEONE else _masculine(w) for w in text.split() if w not in _STOPWORDS)


# A participle in any gender and number is one word to the index: "chegar atrasada" asks what "chegar atrasado" does.
_PARTICIPLE = re.compile(r"(?<=\w{3})([ai])d[ao]s?$")


def _masculine(word: str) -> str:
    return _PARTICIPLE.sub(r"\1do", word)


__all__ = ["DEFAULT_MARGIN", "DEFAULT_THRESHOLD", "FaqIndex", "FaqMatch", "FaqReading"]
