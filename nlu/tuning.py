"""How sure the classifier must be before it answers, chosen per bot from the bot's own examples.

papo has two ways to turn a message's features into confidences:

- a sharp one: a linear SVM whose decision values go through a softmax over the intents plus one
  more entry, "no intent", whose value is a constant: an intent must beat it to get much
  confidence, so a message that no intent claims (a health question, a name, a topic the bot does
  not cover) gets low confidences everywhere instead of a confident guess. A plain softmax cannot
  say that: it only compares intents with each other, and the best of several bad matches wins;
- a cautious one: multinomial logistic regression with strong regularisation (`CAUTIOUS_C`) and
  the fixed rule 0.3 / 0.1, papo's model before any tuning. Its confidences stay low unless the
  examples agree strongly, so it falls back more often, on the bot's own intents too.

The sharp model is cross-validated on the bot's own examples (stratified k-fold; every example is
scored once by a model that never saw it). In each fold a share of the intents is also hidden from
the model: their held-out examples stand for the messages the bot will get about things it has no
intent for, and should fall back. From those held-out scores papo chooses:

- the regularisation `c` of the SVM, from a short grid, and the `temperature` and the `unknown`
  level ("no intent"'s decision value) of the softmax: together, the ones that give the held-out
  answers the highest likelihood (the right intent for an example of a known intent, "no intent"
  for an example of a hidden one), that is, the most honest confidences;
- the `threshold` and `ambiguity` margin of the fallback rule, never more lenient than 0.3 / 0.1:
  the pair that gives the most right answers minus wrong answers on the known intents' examples
  (it answers where an answer is more often right than wrong), among the pairs that keep the share
  of those examples that fall back within the bot's budget (`nlu.fallback_budget`, 10 % by default)
  and send at least half of the hidden intents' examples to the fallback
  (`UNKNOWN_FALLBACK_FLOOR`). Counting an answered example of a hidden intent as one more wrong
  answer instead, at an assumed share of such messages, chose stricter rules that threw away right
  answers for a few more fallbacks on the hidden ones (on Cosibot's 40+ set: 72 % of them fell back
  instead of 63 %, and 0.892 of the held-out part was answered right instead of 0.903).

The sharp model is kept only when its held-out figures fit the budget. When even the loosest rule
sends more than the budget of the bot's own held-out examples to the fallback, the examples are too
few or too alike to earn sharp confidences: what the sharp model answers there, on messages the bot
has never seen, is too often a wrong guess (on the clinic example it answers health and FAQ
questions with a flow). Such a bot, and one with too few examples to cross-validate at all, keeps
the cautious model.

In the likelihood, examples of hidden intents stand for `UNKNOWN_SHARE` (10 %) of the messages. The choice and the
held-out figures behind it are kept with the model (`Tuning`), so `papo nlu train` can say what the
bot should expect.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import minimize
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from nlu.fast_scoring import FloatArray, confidences, decision_rows

SHARP = "svm"
CAUTIOUS = "logistic"
C_GRID = (0.5, 1.0, 2.0)  # the SVM's
CAUTIOUS_C = 10.0  # the logistic regression's
DEFAULT_THRESHOLD = 0.3
DEFAULT_AMBIGUITY = 0.1
UNKNOWN_SHARE = 0.1  # the share of messages about something no intent covers, assumed at training
UNKNOWN_FALLBACK_FLOOR = 0.5  # the rule must send at least this share of them to the fallback
_THRESHOLDS = np.round(np.arange(DEFAULT_THRESHOLD, 0.951, 0.025), 3)
_MARGINS = np.round(np.arange(DEFAULT_AMBIGUITY, 0.501, 0.025), 3)
_MIN_PER_FOLD = 3  # an intent needs this many examples to be held out in cross-validation
_MIN_INTENTS_TO_HIDE = 6  # fewer pooled intents than this: none is hidden
_ABSENT = -1e4  # the decision value of an intent a fold's model never saw: never the answer
_IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class Tuning:
    """What training chose: the `model` (`SHARP` or `CAUTIOUS`), its regularisation `c`, the softmax's
    `temperature` and `unknown` level (None: no "no intent" entry) and the fallback rule; then the
    sharp model's cross-validated figures behind the choice, whichever model was kept (`folds` is 0
    when there were too few examples to cross-validate). The figures are on the held-out examples
    of the intents the fold's model knew, except `unknown_fallback`: the share of the hidden
    intents' examples that fell back."""

    model: str = CAUTIOUS
    c: float = CAUTIOUS_C
    temperature: float = 1.0
    unknown: float | None = None
    threshold: float = DEFAULT_THRESHOLD
    ambiguity: float = DEFAULT_AMBIGUITY
    folds: int = 0
    examples: int = 0  # how many examples were held out in turn
    top1: float = 0.0  # share whose top intent was right
    accuracy: float = 0.0  # share answered and right (a fallback counts as wrong)
    fallback_rate: float = 0.0
    answered_precision: float = 0.0  # share right among the answered
    unknown_examples: int = 0  # how many examples were held out with their intent hidden
    unknown_fallback: float = 0.0
    loosest_fallback: float = 0.0  # the held-out fallback rate of the loosest rule, 0.3 / 0.1

    @property
    def sharp(self) -> bool:
        return self.model == SHARP

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tuning:
        """Raises ValueError or TypeError when a field does not have its type."""
        d = cls()
        model = str(data.get("model", d.model))
        if model not in (SHARP, CAUTIOUS):
            raise ValueError(f"unknown model {model!r}")
        def number(name: str) -> float:
            return float(data.get(name, getattr(d, name)))

        def count(name: str) -> int:
            return int(data.get(name, getattr(d, name)))

        unknown = data.get("unknown")
        return cls(model=model, c=number("c"), temperature=number("temperature"),
                   unknown=None if unknown is None else float(unknown), threshold=number("threshold"),
                   ambiguity=number("ambiguity"), folds=count("folds"), examples=count("examples"),
                   top1=number("top1"), accuracy=number("accuracy"), fallback_rate=number("fallback_rate"),
                   answered_precision=number("answered_precision"), unknown_examples=count("unknown_examples"),
                   unknown_fallback=number("unknown_fallback"), loosest_fallback=number("loosest_fallback"))


def linear_model(tuning: Tuning) -> LinearSVC | LogisticRegression:
    """The classifier on top of the TF-IDF features: a linear SVM (one-vs-rest) for the sharp model,
    multinomial logistic regression for the cautious one; classes balanced."""
    if tuning.sharp:
        return _svm(tuning.c)
    return LogisticRegression(C=tuning.c, class_weight="balanced", max_iter=2000)


def _svm(c: float) -> LinearSVC:
    return LinearSVC(C=c, class_weight="balanced", max_iter=5000, random_state=0)


@dataclass(frozen=True, slots=True)
class _HeldOut:
    """Decision values of every pooled example from a model that never saw it: `known` rows for
    examples of intents the model knew (their intents' columns in `truth`), `hidden` rows for the
    examples of intents hidden from it."""

    known: FloatArray
    truth: _IntArray
    hidden: FloatArray


def tune(features: sp.csr_matrix, labels: Sequence[str], *, budget: float, c_grid: Sequence[float] = C_GRID,
         folds: int = 3, seed: int = 0) -> Tuning:
    """Cross-validate the sharp model and keep it when it fits the budget (see the module)."""
    y = np.asarray(labels)
    counts = Counter(labels)
    pool = np.flatnonzero([counts[label] >= max(folds, _MIN_PER_FOLD) for label in labels])
    if len(set(y[pool].tolist())) < 2:
        return Tuning()
    always = np.setdiff1d(np.arange(len(labels)), pool)  # intents too small to hold out: training only
    classes = np.unique(y)
    splits = list(StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(pool, y[pool]))
    hidden = _hidden_groups(sorted(set(y[pool].tolist())), folds, seed)
    best: tuple[float, float, float, float, _HeldOut] | None = None
    for c in c_grid:
        held = _held_out(features, y, classes, pool, always, splits, hidden, c)
        loss, temperature, unknown = _calibrate(held)
        if best is None or loss < best[0]:
            best = (loss, c, temperature, unknown, held)
    assert best is not None
    _, c, temperature, unknown, held = best
    sharp = _fallback_rule(held, budget, c, temperature, unknown, folds)
    if sharp.loosest_fallback > budget + 1e-9:
        return replace(sharp, model=CAUTIOUS, c=CAUTIOUS_C, temperature=1.0, unknown=None,
                       threshold=DEFAULT_THRESHOLD, ambiguity=DEFAULT_AMBIGUITY)
    return sharp


def _hidden_groups(intents: list[str], folds: int, seed: int) -> list[set[str]]:
    """Per fold, the intents its model does not see (none when there are too few intents)."""
    if len(intents) < _MIN_INTENTS_TO_HIDE:
        return [set() for _ in range(folds)]
    order = np.random.default_rng(seed).permutation(len(intents))
    return [{intents[i] for i in order[fold::folds]} for fold in range(folds)]


def _held_out(features: sp.csr_matrix, y: npt.NDArray[Any], classes: npt.NDArray[Any], pool: _IntArray,
              always: _IntArray, splits: list[tuple[_IntArray, _IntArray]], hidden: list[set[str]],
              c: float) -> _HeldOut:
    known: list[FloatArray] = []
    truth: list[_IntArray] = []
    unknown: list[FloatArray] = []
    for (train, test), hide in zip(splits, hidden, strict=True):
        rows = np.concatenate([pool[train], always])
        rows = rows[~np.isin(y[rows], list(hide))]
        model = _svm(c).fit(features[rows], y[rows])
        coef, intercept = decision_rows(model.coef_, model.intercept_)
        decisions = np.full((len(test), len(classes)), _ABSENT)
        decisions[:, np.searchsorted(classes, model.classes_)] = features[pool[test]] @ coef.T + intercept
        is_hidden = np.isin(y[pool[test]], list(hide))
        known.append(decisions[~is_hidden])
        truth.append(np.searchsorted(classes, y[pool[test]][~is_hidden]))
        unknown.append(decisions[is_hidden])
    return _HeldOut(np.vstack(known), np.concatenate(truth), np.vstack(unknown))


def _unknown_weight(held: _HeldOut) -> float:
    """What one hidden intent's example weighs against one known intent's: together they stand for
    `UNKNOWN_SHARE` of the messages."""
    if not len(held.hidden):
        return 0.0
    return UNKNOWN_SHARE / (1 - UNKNOWN_SHARE) * len(held.known) / len(held.hidden)


def _calibrate(held: _HeldOut) -> tuple[float, float, float]:
    """The temperature and unknown level that maximise the held-out likelihood, with the loss per
    example. The logits are (decision / temperature, unknown / temperature), linear in
    (1 / temperature, unknown / temperature), so the loss is convex in those two and one
    quasi-Newton search finds its minimum."""
    weight = _unknown_weight(held)
    rows = np.arange(len(held.truth))
    total = len(held.known) + weight * len(held.hidden)

    def loss(params: FloatArray) -> tuple[float, FloatArray]:
        scale, level = float(params[0]), float(params[1])
        value, gradient = 0.0, np.zeros(2)
        for decisions, target_known in ((held.known, True), (held.hidden, False)):
            if not len(decisions):
                continue
            logits = decisions * scale
            top = np.maximum(logits.max(axis=1), level)
            exp = np.exp(logits - top[:, None])
            exp_unknown = np.exp(level - top)
            norm = exp.sum(axis=1) + exp_unknown
            log_norm = np.log(norm) + top
            p_unknown = exp_unknown / norm
            expected = (exp * np.where(decisions > _ABSENT, decisions, 0.0)).sum(axis=1) / norm
            if target_known:
                value += float((log_norm - logits[rows, held.truth]).sum())
                gradient += [float((expected - decisions[rows, held.truth]).sum()), float(p_unknown.sum())]
            else:
                value += weight * float((log_norm - level).sum())
                gradient += weight * np.array([float(expected.sum()), float((p_unknown - 1.0).sum())])
        return value / total, gradient / total

    start = np.array([1 / 0.15, -0.5 / 0.15])  # about what it finds on the bots tried
    found = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=[(0.5, 200.0), (-400.0, 100.0)])
    scale, level = (float(v) for v in found.x)
    return float(found.fun), 1 / scale, level / scale


def _fallback_rule(held: _HeldOut, budget: float, c: float, temperature: float, unknown: float,
                   folds: int) -> Tuning:
    known = confidences(held.known, temperature, unknown)
    right = known.argmax(axis=1) == held.truth
    answered = _answered(known)
    hidden = _answered(confidences(held.hidden, temperature, unknown)) if len(held.hidden) else None
    kept_right = (answered & right).sum(axis=2)
    kept_wrong = (answered & ~right).sum(axis=2)
    fallback = 1.0 - answered.mean(axis=2)
    utility = (kept_right - kept_wrong).astype(np.float64)
    declined = 1.0 - hidden.mean(axis=2) if hidden is not None else np.ones_like(fallback)
    allowed = _allowed(fallback <= budget + 1e-9, declined)
    utility = np.where(allowed, utility, -np.inf)
    # the best utility; among equals the lowest fallback, then the lowest threshold and margin
    order = np.lexsort((_MARGINS[None, :].repeat(len(_THRESHOLDS), 0).ravel(),
                        _THRESHOLDS[:, None].repeat(len(_MARGINS), 1).ravel(),
                        fallback.ravel(), -utility.ravel()))
    t, m = np.unravel_index(order[0], utility.shape)
    n = len(right)
    answered_count = int(kept_right[t, m] + kept_wrong[t, m])
    return Tuning(model=SHARP, c=c, temperature=temperature, unknown=unknown, threshold=float(_THRESHOLDS[t]),
                  ambiguity=float(_MARGINS[m]), folds=folds, examples=n, top1=float(right.mean()),
                  accuracy=float(kept_right[t, m] / n), fallback_rate=float(fallback[t, m]),
                  answered_precision=float(kept_right[t, m] / answered_count) if answered_count else 0.0,
                  unknown_examples=len(held.hidden),
                  unknown_fallback=float(1.0 - hidden[t, m].mean()) if hidden is not None else 0.0,
                  loosest_fallback=float(fallback[0, 0]))


def _allowed(within: npt.NDArray[np.bool_], declined: FloatArray) -> npt.NDArray[np.bool_]:
    """The rules to choose from: within the budget, and sending at least `UNKNOWN_FALLBACK_FLOOR` of
    the hidden intents' examples to the fallback; when no rule within the budget does, the ones
    that come nearest; when no rule is within the budget, the least strict one."""
    meets = within & (declined >= UNKNOWN_FALLBACK_FLOOR)
    if meets.any():
        return meets
    if within.any():
        nearest: npt.NDArray[np.bool_] = within & (declined >= declined[within].max() - 1e-9)
        return nearest
    loosest = np.zeros_like(within)
    loosest[0, 0] = True
    return loosest


def _answered(probabilities: FloatArray) -> npt.NDArray[np.bool_]:
    """Per (threshold, margin, example): whether the rule answers it."""
    ordered = np.sort(probabilities, axis=1)
    top, margin = ordered[:, -1], ordered[:, -1] - ordered[:, -2]
    return (top[None, None, :] >= _THRESHOLDS[:, None, None]) & (margin[None, None, :] >= _MARGINS[None, :, None])
