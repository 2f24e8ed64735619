"""The clinic classifier against the held-out set in data/test_nlu.yml."""

from datetime import datetime
from pathlib import Path

import pytest

from nlu import NLU, Example, TrainingData, cross_validate, load_training_data, unique_examples
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
