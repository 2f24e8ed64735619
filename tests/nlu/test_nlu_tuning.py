"""The fallback rule fits each bot: regularisation, temperature, threshold and ambiguity margin are
chosen at training by cross-validation on the bot's own examples, within its fallback budget, and
kept with the cached model; bot.json's explicit values still win."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from nlu import NLU, ClassifierSettings, ConfigError, NluConfig, TrainingData
from nlu.model_cache import trained_classifier
from nlu.tuning import C_GRID, Tuning


def test_training_chooses_the_rule_within_the_budget(clinic_data: TrainingData) -> None:
    tuning = NLU.from_data(clinic_data).classifier.tuning
    assert tuning.folds == 5 and tuning.examples > 300
    assert tuning.c in C_GRID
    assert tuning.fallback_rate <= 0.1
    assert 0.3 <= tuning.threshold < 1 and 0.1 <= tuning.ambiguity < 1
    assert tuning.answered_precision > tuning.top1 >= tuning.accuracy  # falling back removed mostly wrong answers


def test_a_smaller_budget_falls_back_less(clinic_data: TrainingData) -> None:
    none = NLU.from_data(clinic_data, NluConfig(classifier=ClassifierSettings(fallback_budget=0.0)))
    assert (none.threshold, none.ambiguity_threshold) == (0.3, 0.1)  # the least strict rule
    wide = NLU.from_data(clinic_data, NluConfig(classifier=ClassifierSettings(fallback_budget=0.3)))
    assert wide.classifier.tuning.answered_precision >= none.classifier.tuning.answered_precision


def test_explicit_values_win_over_the_tuned_ones(clinic_nlu: NLU) -> None:
    tuned = clinic_nlu.classifier.tuning
    assert (clinic_nlu.threshold, clinic_nlu.ambiguity_threshold) == (tuned.threshold, tuned.ambiguity)
    pinned = NLU(clinic_nlu.data, clinic_nlu.classifier, NluConfig(threshold=0.42))
    assert (pinned.threshold, pinned.ambiguity_threshold) == (0.42, tuned.ambiguity)
    pinned = NLU(clinic_nlu.data, clinic_nlu.classifier, NluConfig(ambiguity_threshold=0.07))
    assert (pinned.threshold, pinned.ambiguity_threshold) == (tuned.threshold, 0.07)


def test_bot_json_sets_the_budget_and_the_explicit_rule(tmp_path: Path) -> None:
    config = NluConfig.from_mapping({"fallback_budget": 0.05}, bot_dir=tmp_path)
    assert (config.threshold, config.ambiguity_threshold, config.classifier.fallback_budget) == (None, None, 0.05)
    with pytest.raises(ConfigError, match="fallback_budget"):
        NluConfig.from_mapping({"fallback_budget": 2}, bot_dir=tmp_path)


def test_too_few_examples_keep_the_defaults() -> None:
    nlu = NLU.from_intents({"greet": ["oi", "olá"], "goodbye": ["tchau", "até mais"]})
    assert nlu.classifier.tuning == Tuning()
    assert (nlu.threshold, nlu.ambiguity_threshold) == (0.3, 0.1)
    assert nlu.parse("oi")["intent"]["name"] == "greet"


def test_the_choice_is_cached_with_the_model(clinic_data: TrainingData, tmp_path: Path) -> None:
    examples = clinic_data.intent_examples()
    fresh = trained_classifier(examples, ClassifierSettings(), tmp_path)
    (path,) = tmp_path.glob("intents-*.npz")
    with np.load(path, allow_pickle=False) as archive:
        meta = json.loads(archive["meta"].tobytes().decode("utf-8"))
    assert Tuning.from_json(meta["tuning"]) == fresh.tuning
    cached = trained_classifier(examples, ClassifierSettings(), tmp_path)
    assert cached is not fresh and cached.tuning == fresh.tuning
    other_budget = trained_classifier(examples, replace(ClassifierSettings(), fallback_budget=0.05), tmp_path)
    assert len(list(tmp_path.glob("intents-*.npz"))) == 2
    assert other_budget.tuning.fallback_rate <= 0.05


def test_a_fixed_c_is_used_as_given(clinic_data: TrainingData) -> None:
    tuning = NLU.from_data(clinic_data, NluConfig(classifier=ClassifierSettings(c=0.1))).classifier.tuning
    assert tuning.c == 0.1 and tuning.folds == 5
