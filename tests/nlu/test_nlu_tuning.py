"""The fallback fits each bot: at training papo cross-validates a sharp model (a linear SVM with "no
intent" in its softmax) on the bot's own examples, hiding some intents to stand for messages no
intent covers, and keeps it only when its held-out figures fit the bot's fallback budget; a bot
whose examples cannot keep within the budget keeps the cautious model. The choice is cached with the
model; bot.json's explicit thresholds still win."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from flows.loader import load_bot
from nlu import NLU, ClassifierSettings, ConfigError, NluConfig, TrainingData, evaluate, load_training_data
from nlu.fast_scoring import confidences
from nlu.model_cache import trained_classifier
from nlu.tuning import C_GRID, CAUTIOUS, CAUTIOUS_C, SHARP, UNKNOWN_FALLBACK_FLOOR, Tuning, _allowed
from runtime.service.wiring import training_data

DATA = Path(__file__).parent / "data"
CLINIC = Path(__file__).parents[2] / "examples" / "clinic"


@pytest.fixture(scope="module")
def rich_data() -> TrainingData:
    """Cosibot's 18 intents with 80+ examples each: enough for sharp confidences."""
    cosibot = load_training_data([DATA / "cosibot_pt" / "nlu.yml"])
    counts = Counter(intent for _, intent in cosibot.intent_examples())
    return TrainingData([e for e in cosibot.examples if e.intent and counts[e.intent] >= 80])


@pytest.fixture(scope="module")
def rich_nlu(rich_data: TrainingData) -> NLU:
    return NLU.from_data(rich_data)


def test_a_bot_with_enough_examples_gets_the_sharp_model(rich_nlu: NLU) -> None:
    tuning = rich_nlu.classifier.tuning
    assert tuning.model == SHARP and tuning.c in C_GRID and tuning.unknown is not None
    assert tuning.folds == 3 and tuning.examples > 1500 and tuning.unknown_examples > 500
    assert tuning.loosest_fallback <= tuning.fallback_rate <= 0.1
    assert 0.3 <= tuning.threshold < 1 and 0.1 <= tuning.ambiguity < 1
    assert tuning.answered_precision > tuning.top1 >= tuning.accuracy  # falling back removed mostly wrong answers
    assert tuning.unknown_fallback >= UNKNOWN_FALLBACK_FLOOR  # most examples of intents never seen fell back


def test_a_message_no_intent_claims_gets_no_confident_intent(rich_nlu: NLU) -> None:
    """A plain softmax only compares intents: the best of several bad matches gets a confident answer.
    With "no intent" in the softmax, a message that no intent claims falls back."""
    scorer = rich_nlu.classifier._scorer
    assert scorer is not None
    weights = scorer.weights
    for text in ("quais documentos preciso levar?", "vocês atendem cachorro?", "quero marcar uma consulta",
                 "tem estacionamento?"):
        decisions = scorer.decisions(text)
        assert decisions is not None
        assert confidences(decisions, weights.temperature).max() > 0.5  # a plain softmax would answer
        assert rich_nlu.parse(text)["intent"]["name"] == "nlu_fallback", text
    known = {"o que é a covid-19?": "pt_covid_info", "qual o período de incubação do vírus?": "pt_covid_incubation",
             "o meu cão pode apanhar o vírus?": "pt_spread_pets"}
    assert {text: rich_nlu.parse(text)["intent"]["name"] for text in known} == known


def test_the_sharp_model_scores_fast_as_sklearn_does(rich_nlu: NLU) -> None:
    classifier = rich_nlu.classifier
    for text in ("afinal o que é esta tal de covid?", "tem estacionamento?", "obrigadinho pela ajuda"):
        ranking = {s.name: s.confidence for s in classifier.rank(text)}
        reference = dict(zip(classifier.intents, classifier.reference_probabilities(text), strict=True))
        assert ranking == pytest.approx(reference, abs=1e-9)
        assert sum(ranking.values()) < 1.0  # "no intent" keeps its share


def test_the_rule_must_send_most_unknown_messages_to_the_fallback() -> None:
    """Rules are (threshold, margin) cells, the loosest first; `declined` is the share of the hidden
    intents' examples each one sends to the fallback."""
    within = np.array([[True, True], [True, False]])
    declined = np.array([[0.4, 0.6], [0.7, 0.9]])
    assert UNKNOWN_FALLBACK_FLOOR == 0.5
    assert _allowed(within, declined).tolist() == [[False, True], [True, False]]
    # no rule within the budget reaches the floor: the ones nearest to it
    assert _allowed(within, declined - 0.3).tolist() == [[False, False], [True, False]]
    # no rule within the budget at all: the loosest (the tuning then keeps the cautious model)
    assert _allowed(np.zeros((2, 2), dtype=bool), declined).tolist() == [[True, False], [False, False]]


def test_no_intent_takes_its_share_of_the_confidence() -> None:
    decisions = np.array([[0.2, -0.4, -1.0], [-0.8, -0.9, -1.0]])
    plain = confidences(decisions, 0.15)
    assert plain.sum(axis=1) == pytest.approx([1.0, 1.0])
    with_unknown = confidences(decisions, 0.15, -0.5)
    assert with_unknown[0].max() > 0.9  # an intent above "no intent": confident
    assert with_unknown[1].max() < 0.2 < plain[1].max()  # no intent above it: no confidence left
    assert with_unknown.sum(axis=1)[1] < 0.3


def test_a_thin_bot_keeps_the_cautious_model(clinic_data: TrainingData) -> None:
    """The clinic's examples, held out, fall back more than the 10 % budget even under the loosest
    rule: the sharp model would answer messages it has never seen with guesses."""
    nlu = NLU.from_data(clinic_data)
    tuning = nlu.classifier.tuning
    assert tuning.folds == 3 and tuning.loosest_fallback > 0.1
    assert (tuning.model, tuning.c, tuning.unknown) == (CAUTIOUS, CAUTIOUS_C, None)
    assert (nlu.threshold, nlu.ambiguity_threshold) == (0.3, 0.1)


# Messages of the clinic's conversation tests (examples/clinic/tests) that no flow of the clinic
# answers: the FAQ, the medical deflection or the fallback message must take them, so the NLU must
# fall back on them (a linear SVM whose plain softmax was tuned on the clinic's examples sent them to
# flows: "posso pagar com pix?" to the prices, "estou com febre..." to the opening hours).
CLINIC_FALLS_BACK = ["posso levar acompanhante?", "posso pagar com pix?", "tem elevador no prédio?",
                     "quais documentos preciso levar?", "e se eu me atrasar?", "atende bebê?",
                     "estou com febre, que remédio posso tomar?", "como assim", "talvez amanha", "ajuda", "Ana",
                     "xpto qwerty"]


def test_the_clinic_falls_back_on_what_no_flow_answers() -> None:
    bot = load_bot(CLINIC)
    nlu = NLU.from_data(load_training_data([CLINIC / "nlu.yml"]).merge(training_data(bot)))
    flows = {intent for flow in bot.flows.values() for intent in flow.triggers.intents}
    read = {text: nlu.parse(text)["intent"]["name"] for text in CLINIC_FALLS_BACK}
    assert {text: intent for text, intent in read.items() if intent in flows} == {}
    assert nlu.parse("quero marcar uma consulta amanhã de manhã")["intent"]["name"] == "book_appointment"


def test_the_clinic_reads_its_held_out_set_as_well_as_before() -> None:
    """tests/nlu/data/test_nlu.yml, which the clinic's examples were not written from: no worse than
    papo's fixed model and rule before any tuning (accuracy 0.888, fallback rate 0.078)."""
    bot = load_bot(CLINIC)
    nlu = NLU.from_data(load_training_data([CLINIC / "nlu.yml"]).merge(training_data(bot)))
    held_out = [(e.text, e.intent) for e in load_training_data([DATA / "test_nlu.yml"]).examples if e.intent]
    result = evaluate(nlu, held_out)
    assert result.accuracy >= 0.888 and result.fallback_rate <= 0.078


def test_a_smaller_budget_asks_more_of_the_examples(rich_data: TrainingData) -> None:
    none = NLU.from_data(rich_data, NluConfig(classifier=ClassifierSettings(fallback_budget=0.0)))
    assert none.classifier.tuning.model == CAUTIOUS  # nothing fits a budget of 0
    wide = NLU.from_data(rich_data, NluConfig(classifier=ClassifierSettings(fallback_budget=0.3)))
    assert wide.classifier.tuning.model == SHARP and wide.classifier.tuning.fallback_rate <= 0.3


def test_explicit_values_win_over_the_tuned_ones(rich_nlu: NLU) -> None:
    tuned = rich_nlu.classifier.tuning
    assert (rich_nlu.threshold, rich_nlu.ambiguity_threshold) == (tuned.threshold, tuned.ambiguity)
    pinned = NLU(rich_nlu.data, rich_nlu.classifier, NluConfig(threshold=0.42))
    assert (pinned.threshold, pinned.ambiguity_threshold) == (0.42, tuned.ambiguity)
    pinned = NLU(rich_nlu.data, rich_nlu.classifier, NluConfig(ambiguity_threshold=0.07))
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


def test_the_choice_is_cached_with_the_model(rich_data: TrainingData, tmp_path: Path) -> None:
    examples = rich_data.intent_examples()
    fresh = trained_classifier(examples, ClassifierSettings(), tmp_path)
    (path,) = tmp_path.glob("intents-*.npz")
    with np.load(path, allow_pickle=False) as archive:
        meta = json.loads(archive["meta"].tobytes().decode("utf-8"))
    assert Tuning.from_json(meta["tuning"]) == fresh.tuning and fresh.tuning.model == SHARP
    cached = trained_classifier(examples, ClassifierSettings(), tmp_path)
    assert cached is not fresh and cached.tuning == fresh.tuning
    for text in ("quais os sintomas?", "Marina", "obrigado!"):
        assert [(s.name, s.confidence) for s in cached.rank(text)] == [(s.name, s.confidence) for s in fresh.rank(text)]
    other_budget = trained_classifier(examples, replace(ClassifierSettings(), fallback_budget=0.0), tmp_path)
    assert len(list(tmp_path.glob("intents-*.npz"))) == 2
    assert other_budget.tuning.model == CAUTIOUS


def test_a_cache_with_an_unknown_model_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown model"):
        Tuning.from_json({"model": "forest"})


def test_a_fixed_c_is_used_as_given(rich_data: TrainingData) -> None:
    tuning = NLU.from_data(rich_data, NluConfig(classifier=ClassifierSettings(c=0.7))).classifier.tuning
    assert (tuning.model, tuning.c, tuning.folds) == (SHARP, 0.7, 3)
