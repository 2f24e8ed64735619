"""How well an NLU reads a labelled test set: accuracy, top-1 accuracy, answered precision, macro-F1,
per-intent P/R/F1, confusions; and advice on the training data (too few examples, confusable pairs)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

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
    top1_accuracy: float = 0.0  # share whose most likely intent was right, fallback or not
    answered_precision: float = 0.0  # share right among the messages not sent to the fallback

    def summary(self) -> str:
        lines = [f"examples: {self.total}", f"accuracy: {self.accuracy:.3f} (a fallback counts as wrong)",
                 f"fallback rate: {self.fallback_rate:.3f}",
                 f"top-1 accuracy: {self.top1_accuracy:.3f} (the most likely intent, before the fallback rule)",
                 f"answered precision: {self.answered_precision:.3f} (right among the messages answered)",
                 f"macro-F1: {self.macro_f1:.3f}", "intent                     P      R      F1    n"]
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
    top: list[str] = []
    fallback = nlu.config.fallback_intent
    fallbacks = 0
    for index, (text, intent) in enumerate(examples, start=1):
        parsed = nlu.parse(text, now)
        name = parsed["intent"]["name"]
        fallbacks += name == fallback
        predicted.append(intent if name == fallback and intent in fallback_is_right_for else name)
        top.append(top_intent(parsed, fallback))
        if progress is not None:
            progress(index, len(examples))
    expected = [intent for _, intent in examples]
    return score(examples, expected, predicted, fallbacks, top=top, fallback_intent=fallback)


def top_intent(parsed: dict[str, Any], fallback: str) -> str:
    """The most likely intent of a parse, whether or not the fallback rule kept it ("" if none)."""
    return next((r["name"] for r in parsed["intent_ranking"] if r["name"] != fallback), "")


def score(examples: Sequence[tuple[str, str]], expected: list[str], predicted: list[str],
          fallbacks: int, *, top: list[str] | None = None, fallback_intent: str | None = None) -> Evaluation:
    """Metrics from predictions already made; `fallbacks` counts the raw fallback answers, `top` are
    the most likely intents before the fallback rule (for the top-1 accuracy)."""
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
    answered = [(e, p) for e, p in zip(expected, predicted, strict=True) if p != fallback_intent]
    right = sum(e == p for e, p in answered)
    answered_count = len(expected) - fallbacks
    return Evaluation(
        total=len(expected),
        accuracy=float(accuracy_score(expected, predicted)) if expected else 0.0,
        macro_f1=float(sum(f1) / len(labels)) if labels else 0.0,
        fallback_rate=fallbacks / len(predicted) if predicted else 0.0,
        per_intent=per_intent,
        confusions=[(e, p, n) for (e, p), n in pairs.most_common()],
        errors=errors,
        top1_accuracy=(sum(e == t for e, t in zip(expected, top, strict=True)) / len(expected)
                       if top is not None and expected else 0.0),
        answered_precision=right / answered_count if answered_count > 0 else 0.0,
    )


def advice(examples: Sequence[tuple[str, str]], evaluation: Evaluation | None = None, *,
           min_examples: int = 10, min_confused: int = 2, share: float = 0.1) -> list[str]:
    """Warnings about the training data: intents with fewer than `min_examples` distinct examples,
    and pairs of intents that `evaluation` confused at least `min_confused` times and for at least
    `share` of the smaller one's test messages."""
    from nlu.text import normalise

    distinct = Counter(intent for _, intent in {(normalise(text), intent) for text, intent in examples})
    lines = [f"intent {name!r} has {count} distinct example{'s' if count != 1 else ''}; give it "
             f"{min_examples} or more, in the words patients use, or the classifier will rarely pick it"
             for name, count in sorted(distinct.items()) if count < min_examples]
    if evaluation is None:
        return lines
    both: Counter[tuple[str, str]] = Counter()
    for expected, predicted, count in evaluation.confusions:
        if predicted in evaluation.per_intent:
            both[(expected, predicted) if expected < predicted else (predicted, expected)] += count
    for (first, second), count in both.most_common():
        support = min(evaluation.per_intent[first].support, evaluation.per_intent[second].support)
        if count >= min_confused and count >= share * support:
            lines.append(f"intents {first!r} and {second!r} are confused {count} times: make their examples "
                         "differ in the words that tell them apart, or merge them into one intent")
    return lines
