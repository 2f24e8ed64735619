from datetime import date, datetime, time

from nlu import Interval, extract_builtin


def test_spans_values_and_extractors(now: datetime) -> None:
    text = "Sou Ana, CPF 529.982.247-25, zap (11) 98765-4321, ana@Clinica.com.br, quero 2 consultas amanhã às 15h"
    found = [(e.entity, e.text, e.value, e.extractor) for e in extract_builtin(text, now)]
    assert found == [
        ("cpf", "529.982.247-25", "52998224725", "PtBrCpf"),
        ("phone", "(11) 98765-4321", "+5511987654321", "PtBrPhone"),
        ("email", "ana@Clinica.com.br", "ana@clinica.com.br", "PtBrEmail"),
        ("number", "2", 2, "PtBrNumber"),
        ("datetime", "amanhã às 15h", datetime(2026, 3, 12, 15, 0, tzinfo=now.tzinfo), "PtBrTemporal"),
    ]
    for entity in extract_builtin(text, now):
        assert text[entity.start : entity.end] == entity.text


def test_rasa_dict_for_an_interval(now: datetime) -> None:
    (entity,) = extract_builtin("pode ser sexta à tarde?", now)
    assert isinstance(entity.value, Interval)
    assert entity.to_rasa() == {
        "entity": "interval", "start": 9, "end": 22, "confidence": 1.0, "confidence_entity": 1.0,
        "extractor": "PtBrTemporal",
        "value": {"from": "2026-03-13T12:00:00-03:00", "to": "2026-03-13T18:00:00-03:00"},
        "additional_info": {"type": "interval", "grain": "day_period", "period": "tarde",
                            "from": "2026-03-13T12:00:00-03:00", "to": "2026-03-13T18:00:00-03:00",
                            "day": "2026-03-13",  # the day said with the period
                            "value": {"from": "2026-03-13T12:00:00-03:00", "to": "2026-03-13T18:00:00-03:00"}},
    }


def test_dates_times_and_numbers_in_words(now: datetime) -> None:
    found = {(e.entity, e.value) for e in extract_builtin("dia 20 às duas e meia, somos três pessoas", now)}
    assert found == {("datetime", datetime(2026, 3, 20, 14, 30, tzinfo=now.tzinfo)), ("number", 3)}
    assert [e.value for e in extract_builtin("20/03 ou 12:15", now)] == [date(2026, 3, 20), time(12, 15)]


def test_dimensions_filter(now: datetime) -> None:
    text = "amanhã, 3 pessoas"
    assert [e.entity for e in extract_builtin(text, now, dimensions=("number",))] == ["number"]
    assert [e.entity for e in extract_builtin(text, now, dimensions=("date",))] == ["date"]


def test_lone_article_is_not_a_number(now: datetime) -> None:
    assert extract_builtin("quero uma consulta", now) == []


def test_dateparser_fallback_is_marked(now: datetime) -> None:
    (entity,) = extract_builtin("05 04 2026", now, dateparser_fallback=True)
    assert (entity.entity, entity.value, entity.extractor) == ("date", date(2026, 4, 5), "Dateparser")
    assert entity.confidence < 1.0
