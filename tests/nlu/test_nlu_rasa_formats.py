from pathlib import Path

import pytest

from nlu import EntityAnnotation, TrainingData, TrainingDataError, export_yaml, load_training_data, write_yaml
from nlu.rasa_files import read_training_data

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def all_forms() -> TrainingData:
    return load_training_data([DATA / "all_forms.yml"])


def test_every_annotation_form(all_forms: TrainingData) -> None:
    first, second, third, fourth, plain = all_forms.examples[:5]
    assert first.text == "quero marcar com dermato amanhã"
    assert first.entities == (
        EntityAnnotation(17, 24, "especialidade", "dermatologia"),
        EntityAnnotation(25, 31, "data", "amanhã"),
    )
    assert second.entities[1] == EntityAnnotation(27, 35, "medico", "Dra. Ana", role="preferido")
    assert [(e.entity, e.role, e.group) for e in third.entities] == [("cidade", "origem", "1"),
                                                                       ("cidade", "destino", "1")]
    assert [(e.start, e.end, e.entity, e.value) for e in fourth.entities] == [
        (11, 18, "dia_semana", "seg"), (11, 18, "data", "segunda")]
    assert plain.entities == ()
    assert all_forms.intent_metadata == {"book_appointment": {"sentiment": "neutral"}}


def test_retrieval_intent_and_example_metadata(all_forms: TrainingData) -> None:
    faq = [e for e in all_forms.examples if e.intent == "faq/horario"]
    assert [(e.text, e.metadata) for e in faq] == [("que horas vocês abrem?", {"source": "whatsapp"}),
                                                   ("vocês abrem sábado?", None)]


def test_helpers(all_forms: TrainingData) -> None:
    assert all_forms.synonyms == {"dermatologia": ["dermatologista", "dermato"]}
    assert all_forms.regexes == {"cpf": [r"\d{3}\.\d{3}\.\d{3}-\d{2}"]}
    assert all_forms.lookups == {"convenio": ["Unimed", "Amil"]}
    assert all_forms.synonym_map()["dermato"] == "dermatologia"


def test_yaml_round_trip_is_lossless(all_forms: TrainingData, tmp_path: Path) -> None:
    target = tmp_path / "out.yml"
    export_yaml(all_forms, target)
    again = load_training_data([target])
    assert again == all_forms
    assert write_yaml(again) == target.read_text(encoding="utf-8")
    assert '[dermato]{"entity": "especialidade", "value": "dermatologia"}' in target.read_text(encoding="utf-8")


def _core(data: TrainingData) -> tuple[object, ...]:
    return ([(e.text, e.intent, e.entities) for e in data.examples], data.synonyms, data.regexes, data.lookups)


def test_legacy_markdown_and_json_read_the_same_data() -> None:
    markdown = load_training_data([DATA / "legacy.md"])
    legacy_json = load_training_data([DATA / "legacy.json"])
    assert _core(markdown) == _core(legacy_json)
    assert markdown.examples[0].entities[0] == EntityAnnotation(17, 24, "especialidade", "dermatologia")
    assert read_training_data(write_yaml(markdown), source="x.yml") == markdown


def test_clinic_training_file_round_trips() -> None:
    clinic = load_training_data([DATA / "nlu.yml"])
    assert read_training_data(write_yaml(clinic), source="again.yml") == clinic


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.yml", "nlu: [", "bad.yml: not valid YAML"),
        ("new.yml", 'version: "4.0"\nnlu: []\n', "newer than the supported"),
        ("kind.yml", "nlu:\n- story: x\n", "needs one of the keys intent"),
        ("line.yml", "nlu:\n- intent: a\n  examples: |\n    oi\n", "must start with '- '"),
        ("json.yml", 'nlu:\n- intent: a\n  examples: |\n    - [x]{entity: e}\n', "not valid JSON"),
        ("bad.md", "## intent:greet\noi\n", "bad.md:2: unexpected line 'oi'"),
        ("bad.json", '{"nope": 1}', "rasa_nlu_data"),
        ("span.json", '{"rasa_nlu_data": {"common_examples": [{"text": "oi", "entities": '
                      '[{"start": 0, "end": 9, "entity": "e"}]}]}}', "outside the text"),
    ],
)
def test_errors_say_where_and_how(name: str, content: str, message: str) -> None:
    with pytest.raises(TrainingDataError, match=message.replace("[", r"\[")):
        read_training_data(content, source=name)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TrainingDataError, match="cannot be read"):
        load_training_data([tmp_path / "absent.yml"])


def test_folder_merges_its_files(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text("nlu:\n- intent: a\n  examples: |\n    - um\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("## intent:b\n- dois\n", encoding="utf-8")
    assert load_training_data([tmp_path]).intent_examples() == [("um", "a"), ("dois", "b")]
