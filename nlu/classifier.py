"""The embedded intent classifier: TF-IDF over character and word n-grams, then a linear model whose
decision values become confidences through a softmax: a linear SVM with "no intent" in its softmax
when the bot's examples earn sharp confidences, else cautious logistic regression; the model, its
calibration and the fallback rule are chosen per bot by cross-validation (`nlu.tuning`)."""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from spellchecker import SpellChecker

from nlu.errors import ClassifierError
from nlu.fast_scoring import FastScorer, Weights, confidences, decision_rows
from nlu.text import normalise
from nlu.tuning import C_GRID, Tuning, linear_model, tune

_MAX_CHARS = 1000  # a longer message is classified on its beginning
_COMMON_WORDS = 100_000
_ACCENTS = re.compile("[\u0300-\u036f]")
_SPELL_MIN = 4  # shorter words are left as written: too many words lie one edit away


@dataclass(frozen=True, slots=True)
class ClassifierSettings:
    """c: the sharp model's regularisation, None to choose it by cross-validation from `c_grid`;
    fallback_budget: the largest share of the bot's own held-out examples the tuned fallback rule may
    send to the fallback (a bot whose examples cannot keep within it keeps the cautious model)."""

    c: float | None = None
    c_grid: tuple[float, ...] = C_GRID
    fallback_budget: float = 0.1
    folds: int = 3
    char_ngrams: tuple[int, int] = (2, 5)
    word_ngrams: tuple[int, int] = (1, 2)
    exact_match: bool = True  # a message equal to a training example (normalised) takes its intent
    spelling: bool = True  # a word neither the examples nor common Portuguese use is read as their nearest word


@dataclass(frozen=True, slots=True)
class IntentScore:
    name: str
    confidence: float


class IntentClassifier:
    """Trained on (text, intent) pairs; `rank` returns the intents, most likely first."""

    def __init__(self, settings: ClassifierSettings = ClassifierSettings()) -> None:
        self.settings = settings
        self.tuning = Tuning()
        self._union: FeatureUnion | None = None
        self._scorer: FastScorer | None = None
        self._classes: list[str] = []
        self._exact: dict[str, str] = {}
        self._words: dict[int, list[str]] = {}  # the examples' words by length, commonest first
        self._known: frozenset[str] = frozenset()

    def fit(self, examples: Sequence[tuple[str, str]]) -> IntentClassifier:
        texts = [normalise(text)[:_MAX_CHARS] for text, _ in examples]
        labels = [intent for _, intent in examples]
        counts = Counter(labels)
        if len(counts) < 2:
            raise ClassifierError(
                f"the classifier needs examples of at least two intents, got {sorted(counts) or 'none'}; "
                "add examples to nlu.yml or triggers to the flows"
            )
        union = FeatureUnion(self._vectorizers())
        features = union.fit_transform(texts).tocsr()
        settings = self.settings
        grid = (settings.c,) if settings.c is not None else settings.c_grid
        once = _first_of_each(texts, labels)  # duplicates would be held out and seen at once
        self.tuning = tune(features[once], [labels[i] for i in once], budget=settings.fallback_budget, c_grid=grid,
                           folds=settings.folds)
        model = linear_model(self.tuning).fit(features, labels)
        self._union = union
        self._scorer = FastScorer.from_union(union, model.coef_, model.intercept_, self.tuning.temperature,
                                             self.tuning.unknown)
        self._classes = [str(name) for name in model.classes_]
        self._exact = _unambiguous(texts, labels) if settings.exact_match else {}
        self._index_words()
        return self

    def _index_words(self) -> None:
        if self._scorer is None:
            return
        weights = self._scorer.weights
        words_block = weights.terms[-1]
        idf = weights.idf[-1]
        unigrams = sorted((float(idf[i]), term) for i, term in enumerate(words_block) if " " not in term)
        self._known = frozenset(term for _, term in unigrams)
        if self.settings.spelling:
            portuguese_words()  # loaded with the model, not on the first message
        self._words = {}
        for _, term in unigrams:
            if term.isalpha() and len(term) >= _SPELL_MIN:
                self._words.setdefault(len(term), []).append(term)

    def _spelled(self, folded: str) -> str:
        """`folded` with each word that neither the examples nor Portuguese use replaced by the examples'
        nearest word (the commonest among equals): one letter changed or dropped, or two left out
        ("agndar" -> "agendar", "amnh" -> "amanha"); twice that for words of 8 letters or more. A
        message made mostly of such words that no example word is near (another language, gibberish) stays
        as written."""
        tokens = folded.split()
        words = portuguese_words()
        unknown = [i for i, token in enumerate(tokens) if token not in self._known and token not in words]
        if not unknown:
            return folded  # spelled right
        spelled = list(tokens)
        for index in unknown:
            token = tokens[index]
            if len(token) < _SPELL_MIN or not token.isalpha():
                continue
            edits = 1 if len(token) < 8 else 2
            pool = [word for size in range(len(token) - edits, len(token) + 2 * edits + 1)
                    for word in self._words.get(size, ())]
            # a letter left out costs half a letter changed or added: chat drops letters ("agndar", "amnh")
            best = process.extractOne(token, pool, scorer=Levenshtein.distance, scorer_kwargs={"weights": (1, 2, 2)},
                                      score_cutoff=2 * edits)
            if best is not None:
                spelled[index] = best[0]
        unread = sum(spelled[i] == tokens[i] for i in unknown)
        if unread >= 3 and 2 * unread > len(tokens):
            return folded  # mostly words nobody here knows, even misspelt ("lorem ipsum"): as written
        return " ".join(spelled)

    def _vectorizers(self) -> list[tuple[str, TfidfVectorizer]]:
        settings = self.settings
        return [
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=settings.char_ngrams, sublinear_tf=True)),
            ("words", TfidfVectorizer(analyzer="word", ngram_range=settings.word_ngrams, sublinear_tf=True,
                                      token_pattern=r"(?u)\b\w+\b")),
        ]

    def export(self) -> tuple[dict[str, Any], dict[str, npt.NDArray[Any]]]:
        """The trained model as data: a JSON-able dict and named float arrays (see `restore`)."""
        if self._scorer is None:
            raise ClassifierError("the classifier is not trained: call fit() first")
        weights = self._scorer.weights
        meta = {"classes": self._classes, "exact": self._exact, "terms": weights.terms,
                "sublinear": weights.sublinear, "tuning": self.tuning.to_json()}
        arrays = {"coef": weights.coef, "intercept": weights.intercept,
                  **{f"idf{i}": idf for i, idf in enumerate(weights.idf)}}
        return meta, arrays

    @classmethod
    def restore(cls, settings: ClassifierSettings, meta: Mapping[str, Any],
                arrays: Mapping[str, npt.NDArray[Any]]) -> IntentClassifier:
        """A classifier from `export()`'s data; the tokenisers are rebuilt from `settings`. Raises
        ValueError, TypeError or KeyError when the data does not fit together."""
        classifier = cls(settings)
        classifier.tuning = Tuning.from_json(dict(meta["tuning"]))
        analyzers = [vectorizer.build_analyzer() for _, vectorizer in classifier._vectorizers()]
        terms = [[str(term) for term in block] for block in meta["terms"]]
        weights = Weights(terms, [np.asarray(arrays[f"idf{i}"], dtype=np.float64) for i in range(len(terms))],
                          [bool(flag) for flag in meta["sublinear"]],
                          np.asarray(arrays["coef"], dtype=np.float64),
                          np.asarray(arrays["intercept"], dtype=np.float64), classifier.tuning.temperature,
                          classifier.tuning.unknown)
        classes = [str(name) for name in meta["classes"]]
        if weights.coef.shape[0] != len(classes):
            raise ValueError(f"{len(classes)} intents but {weights.coef.shape[0]} rows of coefficients")
        classifier._scorer = FastScorer(analyzers, weights)
        classifier._classes = classes
        classifier._exact = {str(k): str(v) for k, v in dict(meta["exact"]).items()}
        classifier._index_words()
        return classifier

    @property
    def intents(self) -> list[str]:
        return list(self._classes)

    def rank(self, text: str, limit: int | None = None) -> list[IntentScore]:
        """The intents by confidence, the `limit` most likely only when given; empty when the text
        shares nothing with the training examples."""
        if self._scorer is None:
            raise ClassifierError("the classifier is not trained: call fit() or load it from the cache first")
        folded = normalise(text)[:_MAX_CHARS]
        exact = self._exact.get(folded)
        if exact is None and sum(char.isalnum() for char in folded) < 2:
            return []  # "", "?", "a": nothing to go on unless an example says exactly this
        probabilities = self._scorer.probabilities(self._spelled(folded) if self.settings.spelling else folded)
        if probabilities is None:
            return []
        order = _top(probabilities, limit)
        ranking = [IntentScore(self._classes[i], float(probabilities[i])) for i in order]
        if exact is not None:
            ranking = [IntentScore(exact, 1.0), *(s for s in ranking if s.name != exact)][: len(order)]
        return ranking

    def reference_probabilities(self, text: str) -> list[float]:
        """The confidences computed with sklearn's own featurisation: slow, kept to check the fast path."""
        if self._union is None or self._scorer is None:
            raise ClassifierError("the classifier is not trained")
        features = self._union.transform([normalise(text)[:_MAX_CHARS]])
        weights = self._scorer.weights
        coef, intercept = decision_rows(weights.coef, weights.intercept)
        return [float(p) for p in confidences(features @ coef.T + intercept, weights.temperature, weights.unknown)[0]]


@cache
def portuguese_words() -> frozenset[str]:
    """The commonest Portuguese words, folded like the messages (pyspellchecker's word list, from
    subtitles): a word here is spelled right even when the bot's examples never use it."""
    counts = SpellChecker(language="pt", distance=1).word_frequency.dictionary
    common = heapq.nlargest(_COMMON_WORDS, counts, key=counts.__getitem__)
    folded = _ACCENTS.sub("", unicodedata.normalize("NFKD", "\n".join(common)))
    return frozenset(folded.split("\n"))


def _top(probabilities: npt.NDArray[np.float64], limit: int | None) -> npt.NDArray[np.intp]:
    if limit is None or limit >= len(probabilities):
        return np.argsort(-probabilities, kind="stable")
    best = np.argpartition(-probabilities, limit)[:limit]
    return best[np.argsort(-probabilities[best], kind="stable")]


def _first_of_each(texts: list[str], labels: list[str]) -> list[int]:
    """The row of each distinct normalised text, when all its copies carry one intent."""
    first: dict[str, int] = {}
    intents: dict[str, set[str]] = {}
    for index, (text, label) in enumerate(zip(texts, labels, strict=True)):
        first.setdefault(text, index)
        intents.setdefault(text, set()).add(label)
    return [index for text, index in first.items() if len(intents[text]) == 1]


def _unambiguous(texts: list[str], labels: list[str]) -> dict[str, str]:
    seen: dict[str, set[str]] = {}
    for text, label in zip(texts, labels, strict=True):
        seen.setdefault(text, set()).add(label)
    return {text: next(iter(found)) for text, found in seen.items() if len(found) == 1}
