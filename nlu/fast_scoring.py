"""A fitted TF-IDF + logistic-regression pipeline, scored one message at a time without sklearn's
per-call overhead (about 2 ms for a FeatureUnion on one text, against tens of microseconds here).

The arithmetic is the same as `Pipeline.predict_proba`; a test checks the two agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class _Block:
    analyzer: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: FloatArray
    offset: int
    sublinear: bool


class FastScorer:
    def __init__(self, pipeline: Pipeline) -> None:
        union: FeatureUnion = pipeline.named_steps["features"]
        model: LogisticRegression = pipeline.named_steps["model"]
        self._blocks: list[_Block] = []
        offset = 0
        for _, vectorizer in union.transformer_list:
            assert isinstance(vectorizer, TfidfVectorizer)
            vocabulary = {str(term): int(index) for term, index in vectorizer.vocabulary_.items()}
            self._blocks.append(_Block(vectorizer.build_analyzer(), vocabulary,
                                       np.asarray(vectorizer.idf_, dtype=np.float64), offset,
                                       bool(vectorizer.sublinear_tf)))
            offset += len(vocabulary)
        self._coef: FloatArray = np.asarray(model.coef_, dtype=np.float64)
        self._intercept: FloatArray = np.asarray(model.intercept_, dtype=np.float64)

    def probabilities(self, text: str) -> FloatArray:
        indices, values = self._features(text)
        decision = self._coef[:, indices] @ values + self._intercept
        if decision.shape[0] == 1:  # two classes: one sigmoid column
            positive = 1.0 / (1.0 + np.exp(-decision[0]))
            return np.array([1.0 - positive, positive])
        shifted = np.exp(decision - decision.max())
        return np.asarray(shifted / shifted.sum(), dtype=np.float64)

    def _features(self, text: str) -> tuple[npt.NDArray[np.intp], FloatArray]:
        all_indices: list[int] = []
        all_values: list[float] = []
        for block in self._blocks:
            counts = Counter(i for term in block.analyzer(text) if (i := block.vocabulary.get(term)) is not None)
            if not counts:
                continue
            local = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            weights = (np.log(tf) + 1.0 if block.sublinear else tf) * block.idf[local]
            weights /= np.sqrt(np.dot(weights, weights))
            all_indices.extend((local + block.offset).tolist())
            all_values.extend(weights.tolist())
        return np.asarray(all_indices, dtype=np.intp), np.asarray(all_values, dtype=np.float64)
