from datetime import datetime
from pathlib import Path

import pytest

from nlu import NLU, ClassifierError, ConfigError, NluConfig, TrainingData


def test_parse_has_rasa_shape(clinic_nlu: NLU, now: datetime) -> None:
    result = clinic_nlu.parse("qro marcar com dermato pela unimed amanhã às 15h", now, message_id="m1")
    assert set(result) == {"text", "intent", "intent_ranking", "entities", "message_id"}
    assert result["intent"]["name"] == "book_appointment"
    ranking = result["intent_ranking"]
    assert ranking[0] == result["intent"]
    assert [r["confidence"] for r in ranking] == sorted((r["confidence"] for r in ranking), reverse=True)
    assert len(ranking) == 10  # the ten most likely of the clinic's 16 intents, as Rasa ranks
    assert 0.5 < sum(r["confidence"] for r in ranking) <= 1.0 + 1e-6  # the six least likely are left out
    found = {(e["entity"], e["value"]) for e in result["entities"]}
    assert found == {("especialidade", "dermatologia"), ("convenio", "Unimed"),
                     ("datetime", "2026-03-12T15:00:00-03:00")}
    for entity in result["entities"]:
        assert {"entity", "start", "end", "value", "confidence", "confidence_entity", "extractor"} <= set(entity)
        assert result["text"][entity["start"] : entity["end"]]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("oiii boa tarde", "greet"),
        ("vcs aceitam unimed?", "insurance"),
        ("quero cancelar a consulta", "cancel_appointment"),
        ("qual o endereço de vcs?", "address"),
        ("quero falar com uma atendente", "talk_to_human"),
        ("obgd!!", "thanks"),
    ],
)
def test_issue_examples(clinic_nlu: NLU, text: str, intent: str) -> None:
    assert clinic_nlu.parse(text)["intent"]["name"] == intent


def test_synonym_and_fuzzy_lookup(clinic_nlu: NLU, now: datetime) -> None:
    entities = clinic_nlu.parse("tem cardiologista? aceitam bradesko saude?", now)["entities"]
    specialty, plan = entities
    assert (specialty["value"], specialty["processors"]) == ("cardiologia", ["EntitySynonymMapper"])
    assert (plan["value"], plan["extractor"]) == ("Bradesco Saúde", "FuzzyLookupExtractor")
    assert 0.85 < plan["confidence"] < 1.0


def test_a_short_form_is_no_typo_of_a_longer_word(clinic_nlu: NLU, now: datetime) -> None:
    # "orto" (ortopedia) is one letter from "porto": a plan's name is not a specialty
    entities = clinic_nlu.parse("o meu agora é porto seguro", now)["entities"]
    assert [e["value"] for e in entities if e["entity"] == "especialidade"] == []
    fixed = clinic_nlu.parse("quero marcar com ortopdista", now)["entities"]  # a longer form keeps its typos
    assert [e["value"] for e in fixed if e["entity"] == "especialidade"] == ["ortopedia"]


def test_regex_from_data(clinic_nlu: NLU, now: datetime) -> None:
    entities = clinic_nlu.parse("meu cep é 01310-100", now)["entities"]
    assert [(e["entity"], e["value"], e["extractor"]) for e in entities] == [
        ("cep", "01310-100", "RegexEntityExtractor")
    ]


@pytest.mark.parametrize(
    "text",
    ["", "   ", "😀🎉🔥", "\x00\x01\x02\u202e", "a" * 10_000, "hello, how are you? je voudrais un rendez-vous",
     "明天下午三点", "lorem ipsum dolor sit amet"],
)
def test_bad_input_falls_back(clinic_nlu: NLU, now: datetime, text: str) -> None:
    result = clinic_nlu.parse(text, now)
    assert result["intent"]["name"] == "nlu_fallback"
    assert result["intent_ranking"][0]["name"] == "nlu_fallback"


def test_fallback_rule_is_configurable(clinic_nlu: NLU, now: datetime) -> None:
    strict = NLU(clinic_nlu.data, clinic_nlu.classifier, NluConfig(threshold=1.0))
    assert strict.parse("quero marcar uma consulta pra sexta", now)["intent"]["name"] == "nlu_fallback"
    ambiguous = NLU(strict.data, strict.classifier, NluConfig(threshold=0.0, ambiguity_threshold=1.0))
    assert ambiguous.parse("quero marcar uma consulta pra sexta", now)["intent"]["name"] == "nlu_fallback"
    with pytest.raises(ConfigError, match="threshold"):
        NluConfig(threshold=1.5)


def test_exact_training_example_is_certain(clinic_nlu: NLU) -> None:
    assert clinic_nlu.parse("Quero Marcar Uma Consulta!")["intent"] == {"name": "book_appointment", "confidence": 1.0}


def test_fast_scoring_equals_sklearn(clinic_nlu: NLU) -> None:
    classifier = clinic_nlu.classifier
    for text in ["qro marcar amanhã", "quanto custa?", "hmm talvez depois", "tem pediatra pro meu filho?"]:
        ranking = {s.name: s.confidence for s in classifier.rank(text)}
        reference = dict(zip(classifier.intents, classifier.reference_probabilities(text), strict=True))
        assert ranking == pytest.approx(reference, abs=1e-9)


def test_one_intent_is_not_enough() -> None:
    with pytest.raises(ClassifierError, match="at least two intents"):
        NLU.from_intents({"greet": ["oi", "olá"]})


def test_from_bot_reads_nlu_yml_and_caches(tmp_path: Path, now: datetime) -> None:
    (tmp_path / "nlu.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - oi\n    - bom dia\n'
        "- intent: goodbye\n  examples: |\n    - tchau\n    - até mais\n", encoding="utf-8")
    extra = TrainingData.from_intents({"book": ["quero marcar", "agendar consulta"]})
    bot = NLU.from_bot(tmp_path, extra)
    assert bot.classifier.intents == ["book", "goodbye", "greet"]
    assert len(list((tmp_path / ".papo-cache").glob("intents-*.npz"))) == 1
    assert bot.parse("quero agendar", now)["intent"]["name"] == "book"


def test_config_from_bot_json_section(tmp_path: Path) -> None:
    config = NluConfig.from_mapping({"threshold": 0.4, "ambiguity_threshold": 0.05}, bot_dir=tmp_path)
    assert (config.threshold, config.cache_dir) == (0.4, tmp_path / ".papo-cache")
    with pytest.raises(ConfigError, match="unknown nlu setting.*treshold"):
        NluConfig.from_mapping({"treshold": 0.4})
    with pytest.raises(ConfigError, match="'alto'; expected a number from 0 to 1"):
        NluConfig.from_mapping({"threshold": "alto"})
    with pytest.raises(ConfigError, match="not an IANA zone name"):
        NluConfig.from_mapping({"timezone": "Brasil/Sao Paulo"})


def test_retrieval_intents_fill_the_response_selector(now: datetime) -> None:
    bot = NLU.from_intents({
        "faq/horario": ["que horas abre?", "qual o horário de funcionamento?", "vocês abrem sábado?"],
        "faq/endereco": ["qual o endereço?", "onde fica a clínica?", "como chego aí?"],
        "greet": ["oi", "bom dia", "boa tarde"],
    })
    result = bot.parse("que horas vocês abrem no sábado?", now)
    assert result["intent"]["name"] == "faq"
    assert {r["name"] for r in result["intent_ranking"]} == {"faq", "greet"}
    selector = result["response_selector"]
    assert selector["all_retrieval_intents"] == ["faq"]
    assert selector["faq"]["response"]["intent_response_key"] == "faq/horario"
    assert selector["faq"]["response"]["utter_action"] == "utter_faq/horario"
    assert sum(r["confidence"] for r in selector["faq"]["ranking"]) == pytest.approx(1.0)
    assert bot.parse("oi", now)["intent"]["name"] == "greet"
