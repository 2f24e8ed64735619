"""The clinic classifier against the held-out set in data/test_nlu.yml."""

from datetime import datetime
from pathlib import Path

import pytest

from nlu import (
    NLU,
    Evaluation,
    Example,
    IntentMetrics,
    TrainingData,
    advice,
    cross_validate,
    load_training_data,
    unique_examples,
)
from nlu.evaluate import evaluate
from nlu.text import normalise

DATA = Path(__file__).parent / "data"
TEST_SET = load_training_data([DATA / "test_nlu.yml"]).intent_examples()


def test_test_set_is_large_and_apart_from_training(clinic_nlu: NLU) -> None:
    assert len(TEST_SET) >= 300
    training = {normalise(text) for text, _ in clinic_nlu.data.intent_examples()}
    assert [text for text, _ in TEST_SET if normalise(text) in training] == []
    assert {intent for _, intent in TEST_SET} == set(clinic_nlu.classifier.intents)


def test_held_out_scores(clinic_nlu: NLU, now: datetime, capsys: pytest.CaptureFixture[str]) -> None:
    strict = evaluate(clinic_nlu, TEST_SET, now=now)
    lenient = evaluate(clinic_nlu, TEST_SET, now=now, fallback_is_right_for={"out_of_scope"})
    with capsys.disabled():
        print(f"\nintent test set: {strict.total} utterances, {len(strict.per_intent)} intents")
        print(f"strict (fallback always wrong): accuracy {strict.accuracy:.3f}, macro-F1 {strict.macro_f1:.3f}, "
              f"fallback rate {strict.fallback_rate:.3f}")
        print(f"fallback right for out_of_scope: accuracy {lenient.accuracy:.3f}, macro-F1 {lenient.macro_f1:.3f}")
    assert strict.accuracy >= 0.85 and strict.macro_f1 >= 0.88
    assert lenient.accuracy >= 0.9


def test_report_shape(clinic_nlu: NLU, now: datetime) -> None:
    seen: list[tuple[int, int]] = []
    sample = [("oi", "greet"), ("quero remarcar", "cancel_appointment"), ("tchau", "goodbye")]
    report = evaluate(clinic_nlu, sample, now=now, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert report.accuracy == pytest.approx(2 / 3)
    assert report.confusions == [("cancel_appointment", "reschedule_appointment", 1)]
    assert report.per_intent["greet"].recall == 1.0 and report.per_intent["cancel_appointment"].recall == 0.0
    assert report.errors == [("quero remarcar", "cancel_appointment", "reschedule_appointment")]
    assert "macro-F1" in report.summary()


def test_unique_examples_drop_duplicates_and_conflicts() -> None:
    data = TrainingData.from_intents({"greet": ["oi", "Oiii!", "bom dia"], "goodbye": ["tchau", "oi"]})
    assert unique_examples(data) == [("bom dia", "greet"), ("tchau", "goodbye")]


def test_cross_validation_on_part_of_the_clinic_data(clinic_data: TrainingData) -> None:
    kept = {"greet", "goodbye", "prices", "address"}
    part = TrainingData([e for e in clinic_data.examples if e.intent in kept])
    part.examples.append(Example("quero falar com alguém", "talk_to_human"))  # too few: training only
    seen: list[tuple[int, int]] = []
    report = cross_validate(part, folds=3, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert report.total == len(unique_examples(part)) - 1
    assert set(report.per_intent) == kept
    assert 0.5 < report.accuracy <= 1.0


def test_top1_and_answered_precision(clinic_nlu: NLU, now: datetime) -> None:
    sample = [("oi", "greet"), ("quero remarcar", "cancel_appointment"), ("tchau", "goodbye"), ("明天", "greet")]
    report = evaluate(clinic_nlu, sample, now=now)
    assert report.fallback_rate == 0.25  # "明天" shares nothing with the bot's examples
    assert report.accuracy == 0.5 and report.answered_precision == pytest.approx(2 / 3)
    assert report.top1_accuracy == 0.5
    assert "top-1 accuracy" in report.summary() and "answered precision" in report.summary()


def test_advice_names_thin_intents_and_confusable_pairs(clinic_data: TrainingData) -> None:
    part = TrainingData([e for e in clinic_data.examples if e.intent in {"greet", "goodbye"}])
    part.examples.extend([Example("quero falar com alguém", "talk_to_human"), Example("atendente", "talk_to_human")])
    report = cross_validate(part, folds=3)
    lines = advice(part.intent_examples(), report)
    assert lines[0].startswith("intent 'talk_to_human' has 2 distinct examples")
    confused = Evaluation(10, 0.6, 0.6, 0.0, {"a": IntentMetrics(1, 1, 1, 5), "b": IntentMetrics(1, 1, 1, 5)},
                          [("a", "b", 2), ("b", "a", 2)])
    assert advice([("x", "a")] * 0, confused) == [
        "intents 'a' and 'b' are confused 4 times: make their examples differ in the words that tell them apart, "
        "or merge them into one intent"]
