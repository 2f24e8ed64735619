"""The intent classifier on examples papo's authors did not write: Cosibot's European-Portuguese
intents (data/cosibot_pt, MIT), held out 80/20 by a deterministic stratified split. A fallback
counts as a wrong answer; the rule chosen at training may send at most 10 % of the bot's own
held-out examples to the fallback. The figures asserted are the ones reached; the goal on the 40+
set is 0.90 accuracy at no more than 10 % fallback (reached: 0.901 at 4.2 %, top-1 0.914).

    pytest -s tests/nlu/test_nlu_public_sets.py   # prints the scores
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from nlu import NLU, Evaluation, TrainingData, evaluate, holdout_split, load_training_data

COSIBOT = load_training_data([Path(__file__).parent / "data" / "cosibot_pt" / "nlu.yml"])


def _scores(data: TrainingData, label: str) -> Evaluation:
    train, test = holdout_split(data)
    nlu = NLU.from_data(train)
    assert nlu.classifier.tuning.sharp  # enough examples to earn the sharp model
    result = evaluate(nlu, test)
    print(f"\n{label}: {len(result.per_intent)} intents, {len(train.examples)} training / {result.total} held-out "
          f"examples\n  accuracy {result.accuracy:.3f}, fallback rate {result.fallback_rate:.3f}, "
          f"top-1 accuracy {result.top1_accuracy:.3f}, answered precision {result.answered_precision:.3f}")
    return result


def test_every_intent_of_five_examples_or_more(capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        result = _scores(COSIBOT, "cosibot_pt, every intent with 5+ examples")
    assert len(result.per_intent) == 138
    assert result.fallback_rate <= 0.07
    assert result.top1_accuracy >= 0.885 and result.accuracy >= 0.865 and result.answered_precision >= 0.925


@cache
def _rich_scores() -> Evaluation:
    counts = Counter(intent for _, intent in COSIBOT.intent_examples())
    rich = TrainingData([e for e in COSIBOT.examples if e.intent and counts[e.intent] >= 40])
    return _scores(rich, "cosibot_pt, intents with 40+ examples")


def test_intents_of_forty_examples_or_more(capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        result = _rich_scores()
    assert len(result.per_intent) >= 55
    assert result.fallback_rate <= 0.045
    assert result.top1_accuracy >= 0.91 and result.accuracy >= 0.9 and result.answered_precision >= 0.935


def test_the_split_is_deterministic_and_stratified() -> None:
    train, test = holdout_split(COSIBOT)
    again_train, again_test = holdout_split(COSIBOT)
    assert test == again_test and train.examples == again_train.examples
    held = Counter(intent for _, intent in test)
    trained = Counter(e.intent for e in train.examples)
    assert set(held) <= set(trained) and all(held[i] <= trained[i] for i in held)
    assert not {text for text, _ in test} & {e.text for e in train.examples}


def test_the_goal_on_intents_of_forty_examples_or_more() -> None:
    """The goal on the 40+ set: 0.90 accuracy at no more than 10 % fallback, with the rule chosen by
    cross-validation on the training part only."""
    result = _rich_scores()
    assert result.fallback_rate <= 0.10 and result.accuracy >= 0.90
