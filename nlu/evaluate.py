"""How well an NLU reads a labelled test set: accuracy, macro-F1, per-intent P/R/F1, confusions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nlu.pipeline import NLU

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class IntentMetrics:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class Evaluation:
    total: int
    accuracy: float
    macro_f1: float
    fallback_rate: float
    per_intent: dict[str, IntentMetrics]
    confusions: list[tuple[str, str, int]]  # (expected, predicted, count), most frequent first
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (text, expected, predicted)

    def summary(self) -> str:
        lines = [f"examples: {self.total}", f"accuracy: {self.accuracy:.3f}", f"macro-F1: {self.macro_f1:.3f}",
                 f"fallback rate: {self.fallback_rate:.3f}", "intent                     P      R      F1    n"]
        for name, m in sorted(self.per_intent.items()):
            lines.append(f"{name:24} {m.precision:6.3f} {m.recall:6.3f} {m.f1:6.3f} {m.support:4d}")
        lines.extend(f"confused: {e} -> {p} ({n})" for e, p, n in self.confusions[:10])
        return "\n".join(lines)


def evaluate(
    nlu: NLU,
    examples: Sequence[tuple[str, str]],
    *,
    now: datetime | None = None,
    progress: Progress | None = None,
    fallback_is_right_for: Collection[str] = (),
) -> Evaluation:
    """Parse every (text, expected intent) pair; a fallback counts as a wrong answer, except for
    the intents in `fallback_is_right_for` (e.g. "out_of_scope", where falling back is the goal)."""
    predicted: list[str] = []
    fallback = nlu.config.fallback_intent
    fallbacks = 0
    for index, (text, intent) in enumerate(examples, start=1):
        name = nlu.parse(text, now)["intent"]["name"]
        fallbacks += name == fallback
        predicted.append(intent if name == fallback and intent in fallback_is_right_for else name)
        if progress is not None:
            progress(index, len(examples))
    expected = [intent for _, intent in examples]
    return score(examples, expected, predicted, fallbacks)


def score(examples: Sequence[tuple[str, str]], expected: list[str], predicted: list[str],
          fallbacks: int) -> Evaluation:
    """Metrics from predictions already made; `fallbacks` counts the raw fallback answers."""
    labels = sorted(set(expected))
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support  # heavy: loaded on use

    precision, recall, f1, support = precision_recall_fscore_support(
        expected, predicted, labels=labels, zero_division=0
    )
    per_intent = {
        label: IntentMetrics(float(p), float(r), float(f), int(s))
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    }
    pairs = Counter((e, p) for e, p in zip(expected, predicted, strict=True) if e != p)
    errors = [(text, e, p) for (text, _), e, p in zip(examples, expected, predicted, strict=True) if e != p]
    return Evaluation(
        total=len(expected),
        accuracy=float(accuracy_score(expected, predicted)) if expected else 0.0,
        macro_f1=float(sum(f1) / len(labels)) if labels else 0.0,
        fallback_rate=fallbacks / len(predicted) if predicted else 0.0,
        per_intent=per_intent,
        confusions=[(e, p, n) for (e, p), n in pairs.most_common()],
        errors=errors,
    )
