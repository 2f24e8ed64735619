"""How sure the classifier must be before it answers, chosen per bot from the bot's own examples.

A fixed rule (answer when the top confidence is at least 0.3 and leads the second by 0.1) fits no
bot well: with a hundred intents the confidences spread thin and right answers are thrown away,
with a dozen examples per intent a quarter of the messages fall back. So at training time the
examples are cross-validated (stratified k-fold; every example is scored once by a model that never
saw it) and from those held-out scores papo chooses:

- the regularisation `c` of the linear model, from a short grid;
- the softmax `temperature` that turns decision values into confidences (the one that makes them
  honest probabilities on the held-out examples, by log-loss);
- the `threshold` and `ambiguity` margin of the fallback rule: the pair that gives the most right
  answers minus wrong answers (a wrong answer costs what a right one gains: the rule answers when
  it is more likely right than wrong), with the share of messages that fall back within the
  bot's budget (`nlu.fallback_budget`, 10 % by default).

The held-out figures of that choice are kept with the model (`Tuning`), so `papo nlu train` can say
what the bot should expect.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from nlu.fast_scoring import FloatArray, decision_rows, softmax

C_GRID = (0.5, 2.0, 8.0)
DEFAULT_C = 1.0
DEFAULT_TEMPERATURE = 0.15  # what tuning finds on the bots tried; used when there is too little data
DEFAULT_THRESHOLD = 0.3
DEFAULT_AMBIGUITY = 0.1
_TEMPERATURES = np.geomspace(0.02, 2.0, 31)
# Never more lenient than Rasa's usual rule (0.3 / 0.1): held-out examples are all in the bot's
# domain, and what is not (a health question, gibberish) must still fall back.
_THRESHOLDS = np.round(np.arange(DEFAULT_THRESHOLD, 0.951, 0.025), 3)
_MARGINS = np.round(np.arange(DEFAULT_AMBIGUITY, 0.501, 0.025), 3)
_MIN_PER_FOLD = 3  # an intent needs this many examples to be held out in cross-validation
_LARGE = 2000  # above this many examples, three folds are enough (and twice as fast)


@dataclass(frozen=True, slots=True)
class Tuning:
    """What training chose, with the cross-validated figures behind the choice (`folds` is 0 when
    there were too few examples to cross-validate, and the defaults were kept)."""

    c: float = DEFAULT_C
    temperature: float = DEFAULT_TEMPERATURE
    threshold: float = DEFAULT_THRESHOLD
    ambiguity: float = DEFAULT_AMBIGUITY
    folds: int = 0
    examples: int = 0  # how many examples were held out in turn
    top1: float = 0.0  # share whose top intent was right
    accuracy: float = 0.0  # share answered and right (a fallback counts as wrong)
    fallback_rate: float = 0.0
    answered_precision: float = 0.0  # share right among the answered

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tuning:
        d = cls()
        number = {name: float(data.get(name, getattr(d, name))) for name in
                  ("c", "temperature", "threshold", "ambiguity", "top1", "accuracy", "fallback_rate",
                   "answered_precision")}
        return cls(folds=int(data.get("folds", d.folds)), examples=int(data.get("examples", d.examples)), **number)


def linear_model(c: float) -> LinearSVC:
    """The classifier on top of the TF-IDF features: a linear SVM, one-vs-rest, classes balanced."""
    return LinearSVC(C=c, class_weight="balanced", max_iter=5000, random_state=0)


def tune(features: sp.csr_matrix, labels: Sequence[str], *, budget: float, c_grid: Sequence[float] = C_GRID,
         folds: int = 5, seed: int = 0) -> Tuning:
    """Choose c, temperature, threshold and ambiguity margin by cross-validation (see the module)."""
    y = np.asarray(labels)
    counts = Counter(labels)
    folds = min(folds, 3 if len(labels) > _LARGE else folds)
    pool = np.flatnonzero([counts[label] >= max(folds, _MIN_PER_FOLD) for label in labels])
    if len(set(y[pool].tolist())) < 2:
        return Tuning()
    always = np.setdiff1d(np.arange(len(labels)), pool)  # intents too small to hold out: training only
    classes = np.unique(y)
    splits = list(StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(pool, y[pool]))
    best: Tuning | None = None
    best_key: tuple[float, ...] = ()
    for c in c_grid:
        decisions = _held_out(features, y, classes, pool, always, splits, c)
        right = classes[decisions.argmax(axis=1)] == y[pool]
        temperature = _temperature(decisions, np.searchsorted(classes, y[pool]))
        tuning = _fallback_rule(softmax(decisions, temperature), right, budget, c, temperature, folds)
        key = (_utility(tuning), tuning.top1, -abs(np.log(c / DEFAULT_C)))
        if best is None or key > best_key:
            best, best_key = tuning, key
    assert best is not None
    return best


def _held_out(features: sp.csr_matrix, y: npt.NDArray[Any], classes: npt.NDArray[Any], pool: npt.NDArray[np.intp],
              always: npt.NDArray[np.intp], splits: list[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]],
              c: float) -> FloatArray:
    """Decision values for every pooled example, each from a model trained without it."""
    decisions = np.zeros((len(pool), len(classes)))
    for train, test in splits:
        rows = np.concatenate([pool[train], always])
        model = linear_model(c).fit(features[rows], y[rows])
        coef, intercept = decision_rows(model.coef_, model.intercept_)
        columns = np.searchsorted(classes, model.classes_)
        decisions[np.ix_(test, columns)] = features[pool[test]] @ coef.T + intercept
        missing = np.setdiff1d(np.arange(len(classes)), columns)
        if len(missing):  # an intent absent from this fold's training data is never the answer
            decisions[np.ix_(test, missing)] = -1e9
    return decisions


def _temperature(decisions: FloatArray, truth: npt.NDArray[np.intp]) -> float:
    """The temperature whose softmax gives the held-out truth the highest likelihood."""
    losses = []
    for temperature in _TEMPERATURES:
        probabilities = softmax(decisions, float(temperature))
        losses.append(-np.log(np.maximum(probabilities[np.arange(len(truth)), truth], 1e-12)).mean())
    return float(_TEMPERATURES[int(np.argmin(losses))])


def _fallback_rule(probabilities: FloatArray, right: npt.NDArray[np.bool_], budget: float, c: float,
                   temperature: float, folds: int) -> Tuning:
    ordered = np.sort(probabilities, axis=1)
    top, margin = ordered[:, -1], ordered[:, -1] - ordered[:, -2]
    answered = (top[None, None, :] >= _THRESHOLDS[:, None, None]) & (margin[None, None, :] >= _MARGINS[None, :, None])
    kept_right = (answered & right).sum(axis=2)
    kept_wrong = (answered & ~right).sum(axis=2)
    fallback = 1.0 - answered.mean(axis=2)
    allowed = fallback <= budget + 1e-9
    allowed[0, 0] = True  # the least strict rule is always possible, whatever the budget
    utility = np.where(allowed, kept_right - kept_wrong, -np.inf)
    # the best utility; among equals the lowest fallback, then the lowest threshold and margin
    order = np.lexsort((_MARGINS[None, :].repeat(len(_THRESHOLDS), 0).ravel(),
                        _THRESHOLDS[:, None].repeat(len(_MARGINS), 1).ravel(),
                        fallback.ravel(), -utility.ravel()))
    t, m = np.unravel_index(order[0], utility.shape)
    n = len(right)
    answered_count = int(kept_right[t, m] + kept_wrong[t, m])
    return Tuning(c=c, temperature=temperature, threshold=float(_THRESHOLDS[t]), ambiguity=float(_MARGINS[m]),
                  folds=folds, examples=n, top1=float(right.mean()), accuracy=float(kept_right[t, m] / n),
                  fallback_rate=float(fallback[t, m]),
                  answered_precision=float(kept_right[t, m] / answered_count) if answered_count else 0.0)


def _utility(tuning: Tuning) -> float:
    """Right answers minus wrong ones, per held-out example."""
    answered = 1.0 - tuning.fallback_rate
    return tuning.accuracy - (answered - tuning.accuracy)
