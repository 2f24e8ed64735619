"""The embedded intent classifier: TF-IDF over character and word n-grams, then logistic regression."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from nlu.errors import ClassifierError
from nlu.fast_scoring import FastScorer, Weights
from nlu.text import normalise

_MAX_CHARS = 1000  # a longer message is classified on its beginning


@dataclass(frozen=True, slots=True)
class ClassifierSettings:
    c: float = 10.0
    char_ngrams: tuple[int, int] = (2, 5)
    word_ngrams: tuple[int, int] = (1, 2)
    exact_match: bool = True  # a message equal to a training example (normalised) takes its intent


@dataclass(frozen=True, slots=True)
class IntentScore:
    name: str
    confidence: float


class IntentClassifier:
    """Trained on (text, intent) pairs; `rank` returns every intent, most likely first."""

    def __init__(self, settings: ClassifierSettings = ClassifierSettings()) -> None:
        self.settings = settings
        self._pipeline: Pipeline | None = None
        self._scorer: FastScorer | None = None
        self._classes: list[str] = []
        self._exact: dict[str, str] = {}

    def fit(self, examples: Sequence[tuple[str, str]]) -> IntentClassifier:
        texts = [normalise(text)[:_MAX_CHARS] for text, _ in examples]
        labels = [intent for _, intent in examples]
        counts = Counter(labels)
        if len(counts) < 2:
            raise ClassifierError(
                f"the classifier needs examples of at least two intents, got {sorted(counts) or 'none'}; "
                "add examples to nlu.yml or triggers to the flows"
            )
        self._pipeline = self._build().fit(texts, labels)
        self._scorer = FastScorer.from_pipeline(self._pipeline)
        self._classes = [str(name) for name in self._pipeline.classes_]
        self._exact = _unambiguous(texts, labels) if self.settings.exact_match else {}
        return self

    def _vectorizers(self) -> list[tuple[str, TfidfVectorizer]]:
        settings = self.settings
        return [
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=settings.char_ngrams, sublinear_tf=True)),
            ("words", TfidfVectorizer(analyzer="word", ngram_range=settings.word_ngrams, sublinear_tf=True,
                                      token_pattern=r"(?u)\b\w+\b")),
        ]

    def _build(self) -> Pipeline:
        settings = self.settings
        features = FeatureUnion(self._vectorizers())
        model = LogisticRegression(C=settings.c, class_weight="balanced", max_iter=2000)
        return Pipeline([("features", features), ("model", model)])

    def export(self) -> tuple[dict[str, Any], dict[str, npt.NDArray[Any]]]:
        """The trained model as data: a JSON-able dict and named float arrays (see `restore`)."""
        if self._scorer is None:
            raise ClassifierError("the classifier is not trained: call fit() first")
        weights = self._scorer.weights
        meta = {"classes": self._classes, "exact": self._exact, "terms": weights.terms,
                "sublinear": weights.sublinear}
        arrays = {"coef": weights.coef, "intercept": weights.intercept,
                  **{f"idf{i}": idf for i, idf in enumerate(weights.idf)}}
        return meta, arrays

    @classmethod
    def restore(cls, settings: ClassifierSettings, meta: Mapping[str, Any],
                arrays: Mapping[str, npt.NDArray[Any]]) -> IntentClassifier:
        """A classifier from `export()`'s data; the tokenisers are rebuilt from `settings`. Raises
        ValueError or KeyError when the data does not fit together."""
        classifier = cls(settings)
        analyzers = [vectorizer.build_analyzer() for _, vectorizer in classifier._vectorizers()]
        terms = [[str(term) for term in block] for block in meta["terms"]]
        weights = Weights(terms, [np.asarray(arrays[f"idf{i}"], dtype=np.float64) for i in range(len(terms))],
                          [bool(flag) for flag in meta["sublinear"]],
                          np.asarray(arrays["coef"], dtype=np.float64),
                          np.asarray(arrays["intercept"], dtype=np.float64))
        classes = [str(name) for name in meta["classes"]]
        if weights.coef.shape[0] != (1 if len(classes) == 2 else len(classes)):
            raise ValueError(f"{len(classes)} intents but {weights.coef.shape[0]} rows of coefficients")
        classifier._scorer = FastScorer(analyzers, weights)
        classifier._classes = classes
        classifier._exact = {str(k): str(v) for k, v in dict(meta["exact"]).items()}
        return classifier

    @property
    def intents(self) -> list[str]:
        return list(self._classes)

    def rank(self, text: str) -> list[IntentScore]:
        if self._scorer is None:
            raise ClassifierError("the classifier is not trained: call fit() or load it from the cache first")
        folded = normalise(text)[:_MAX_CHARS]
        if not folded.strip():
            return []
        probabilities = self._scorer.probabilities(folded)
        order = np.argsort(-probabilities)
        ranking = [IntentScore(self._classes[i], float(probabilities[i])) for i in order]
        exact = self._exact.get(folded)
        if exact is not None:
            ranking = [IntentScore(exact, 1.0), *(s for s in ranking if s.name != exact)]
        return ranking

    def reference_probabilities(self, text: str) -> list[float]:
        """sklearn's own `predict_proba` for the text: slow, kept to check the fast path."""
        if self._pipeline is None:
            raise ClassifierError("the classifier is not trained")
        return [float(p) for p in self._pipeline.predict_proba([normalise(text)[:_MAX_CHARS]])[0]]


def _unambiguous(texts: list[str], labels: list[str]) -> dict[str, str]:
    seen: dict[str, set[str]] = {}
    for text, label in zip(texts, labels, strict=True):
        seen.setdefault(text, set()).add(label)
    return {text: next(iter(found)) for text, found in seen.items() if len(found) == 1}
