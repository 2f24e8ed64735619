"""Dates and times as patients write them (issue 11's examples), read at Wednesday 11/03/2026 10:00
in São Paulo: past and future days, abbreviations, day-month without "de", holidays, durations from
now, a part of the day away from the hour, the day wanted rather than the first one written."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from flows.settings import NluSettings
from nlu import extract_builtin, parse_date, parse_datetime, parse_time
from nlu.config import NluConfig
from nlu.holidays import easter
from nlu.temporal_types import Interval


def _at(now: datetime, day: str, clock: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), tzinfo=now.tzinfo)


@pytest.mark.parametrize(("text", "day"), [
    ("terça passada", "2026-03-10"),
    ("domingo passado", "2026-03-08"),
    ("antes de ontem", "2026-03-09"),
    ("31/10/74", "1974-10-31"),
    ("sex", "2026-03-13"),
    ("sáb", "2026-03-14"),
    ("qua.", "2026-03-18"),
    ("5 maio", "2026-05-05"),
    ("julho 4", "2026-07-04"),
    ("Natal", "2026-12-25"),
    ("véspera de ano novo", "2026-12-31"),
    ("5 de maio, 2027", "2027-05-05"),
    ("hoje não consigo, só amanhã", "2026-03-12"),
    ("amanhã não dá, pode ser sexta?", "2026-03-13"),
    ("amanhã é complicado, pode ser sexta?", "2026-03-13"),  # a day said to be hard is ruled out
    ("hoje tá corrido pra mim, quinta de manhã", "2026-03-12"),
    ("qualquer dia menos segunda", None),
    ("6ª feira", "2026-03-13"),
    ("a primeira segunda de abril", "2026-04-06"),
    ("o terceiro dia de outubro", "2026-10-03"),
    ("no primeiro dia de janeiro", "2027-01-01"),
    ("na 5ª feira desta semana", "2026-03-12"),
    ("2ª feira da semana que vem", "2026-03-16"),
    ("liga pra mim nesta quarta", "2026-03-11"),  # said on a Wednesday: today
])
def test_a_day(text: str, day: str | None, now: datetime) -> None:
    assert parse_date(text, now) == (date.fromisoformat(day) if day else None)


@pytest.mark.parametrize(("text", "moment"), [
    ("em 7 dias às 10h", "2026-03-18 10:00"),
    ("às 7 esta manhã", "2026-03-11 07:00"),
    ("dia quinze às dezoito", "2026-03-15 18:00"),
    ("daqui a 2 horas", "2026-03-11 12:00"),
    ("faz duas horas", "2026-03-11 08:00"),
    ("sex às 14h", "2026-03-13 14:00"),
    ("sexta às 14h", "2026-03-13 14:00"),  # dateparser read it as 14 August
    ("14/03 às 14", "2026-03-14 14:00"),  # dateparser read it as the year 2114
    ("amanhã às 5 da manhã", "2026-03-12 05:00"),
    ("as cinco e vinte amanhã pela manhã", "2026-03-12 05:20"),
    ("às 13h30 de sábado, dia 21 de março", "2026-03-21 13:30"),  # the date said, not the next Saturday
    ("daqui a vinte e cinco minutos", "2026-03-11 10:25"),
    ("neste exato momento", "2026-03-11 10:00"),
])
def test_a_moment(text: str, moment: str, now: datetime) -> None:
    assert parse_datetime(text, now) == _at(now, *moment.split())


@pytest.mark.parametrize(("text", "clock"), [
    ("meio dia e meia", "12:30"),
    ("quinze para o meio dia", "11:45"),
    ("quinze para as 3", "14:45"),
    ("9h20", "09:20"),
    ("pode ser o das 9 e 20", "09:20"),
    ("7pm", "19:00"),
    ("à zero hora e três minutos", "00:03"),
    ("às onze horas e cinquenta e cinco minutos", "11:55"),
    ("19h35m", "19:35"),
])
def test_a_time(text: str, clock: str, now: datetime) -> None:
    assert parse_time(text, now) == time.fromisoformat(clock)


@pytest.mark.parametrize(("text", "start", "end", "grain"), [
    ("mês passado", "2026-02-01 00:00", "2026-03-01 00:00", "month"),
    ("entre 14h e 16h", "2026-03-11 14:00", "2026-03-11 16:00", "hour"),
    ("entre 7 e 9", "2026-03-11 07:00", "2026-03-11 09:00", "hour"),
    ("entre 10 e meio dia", "2026-03-11 10:00", "2026-03-11 12:00", "hour"),
    ("depois das 18h", "2026-03-11 18:00", "2026-03-11 23:59", "hour"),
    ("amanhã antes das 10h", "2026-03-12 00:00", "2026-03-12 10:00", "hour"),
    ("de 2 a 4 na sexta", "2026-03-13 14:00", "2026-03-13 16:00", "hour"),
    ("semana passada", "2026-03-02 00:00", "2026-03-09 00:00", "week"),
    ("13 a 15 de julho", "2026-07-13 00:00", "2026-07-16 00:00", "day"),
    ("os próximos 3 dias", "2026-03-12 00:00", "2026-03-15 00:00", "day"),
    # parts of a month: its tens of days and its fortnights; of a week: Mon-Tue, Wed-Thu, Thu-Sun
    ("no começo de abril", "2026-04-01 00:00", "2026-04-11 00:00", "day"),
    ("meados de maio", "2026-05-11 00:00", "2026-05-21 00:00", "day"),
    ("no finalzinho do mês", "2026-03-21 00:00", "2026-04-01 00:00", "day"),
    ("no começo do mês", "2026-04-01 00:00", "2026-04-11 00:00", "day"),  # this month's has passed
    ("na segunda quinzena de abril", "2026-04-16 00:00", "2026-05-01 00:00", "day"),
    ("no fim da semana que vem", "2026-03-19 00:00", "2026-03-23 00:00", "day"),
    ("o primeiro fim de semana de abril", "2026-04-04 00:00", "2026-04-06 00:00", "weekend"),
    ("durante o mês de maio", "2026-05-01 00:00", "2026-06-01 00:00", "month"),
    # parts of a part of the day, within the bot's periods (manhã 6-12, tarde 12-18)
    ("amanhã no meio da tarde", "2026-03-12 13:00", "2026-03-12 17:00", "hour"),
    ("nas primeiras horas da manhã de sexta", "2026-03-13 06:00", "2026-03-13 09:00", "hour"),
    ("sexta no final do dia", "2026-03-13 15:00", "2026-03-13 18:00", "hour"),
    ("dentro de vinte e quatro horas", "2026-03-11 10:00", "2026-03-12 10:00", "second"),
    # the day as people live it
    ("amanhã depois do almoço", "2026-03-12 13:00", "2026-03-12 18:00", "hour"),
    ("sexta antes do almoço", "2026-03-13 06:00", "2026-03-13 12:00", "hour"),
    ("na hora do almoço de segunda", "2026-03-16 12:00", "2026-03-16 14:00", "hour"),
    ("quinta depois do trabalho", "2026-03-12 18:00", "2026-03-12 21:00", "hour"),
    ("sábado bem cedinho", "2026-03-14 06:00", "2026-03-14 12:00", "hour"),
])
def test_a_span(text: str, start: str, end: str, grain: str, now: datetime) -> None:
    [entity] = extract_builtin(text, now)
    assert entity.value == Interval(_at(now, *start.split()), _at(now, *end.split()), grain)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["é muito cedo pra saber", "cheguei cedo e não tinha ninguém"])
def test_early_in_a_sentence_is_no_time(text: str, now: datetime) -> None:
    assert [e for e in extract_builtin(text, now) if e.entity == "interval"] == []


def test_a_weekend_is_never_the_end_of_a_week(now: datetime) -> None:
    [weekend] = extract_builtin("no fim de semana", now)
    assert isinstance(weekend.value, Interval) and weekend.value.grain == "weekend"


def test_open_ranges_say_which_way(now: datetime) -> None:
    [after] = extract_builtin("depois das 18h", now)
    [before] = extract_builtin("antes do meio-dia", now)
    assert (after.additional_info or {})["open"] == "after" and (before.additional_info or {})["open"] == "before"


@pytest.mark.parametrize(("name", "day"), [
    ("Natal", "2026-12-25"), ("véspera de Natal", "2026-12-24"), ("Ano Novo", "2027-01-01"),
    ("véspera de ano novo", "2026-12-31"), ("Tiradentes", "2026-04-21"), ("Carnaval", "2027-02-09"),
    ("Sexta-feira Santa", "2026-04-03"), ("Corpus Christi", "2026-06-04"), ("Independência", "2026-09-07"),
    ("Finados", "2026-11-02"), ("Proclamação da República", "2026-11-15"), ("Consciência Negra", "2026-11-20"),
    ("Dia do Trabalho", "2026-05-01"), ("Nossa Senhora Aparecida", "2026-10-12"), ("Páscoa", "2026-04-05"),
    ("no feriado de Tiradentes", "2026-04-21"), ("Natal de 2030", "2030-12-25"),
    ("segunda de carnaval", "2027-02-08"), ("sábado de Carnaval", "2027-02-06"), ("terça de carnaval", "2027-02-09"),
    ("quarta-feira de cinzas", "2027-02-10"),
])
def test_brazils_holidays(name: str, day: str, now: datetime) -> None:
    assert parse_date(name, now) == date.fromisoformat(day)


def test_easter_is_computed() -> None:
    known = ["2000-04-23", "2019-04-21", "2024-03-31", "2025-04-20", "2026-04-05", "2027-03-28", "2038-04-25"]
    assert [easter(date.fromisoformat(day).year).isoformat() for day in known] == known


@pytest.mark.parametrize("text", [
    "moro em Natal", "fica na Rua Tiradentes, 45", "minha filha Aparecida", "vou ter consulta", "ter",
    "de 1 a 5, nota 4", "tenho 3 filhos", "a segunda opção", "a segunda vaga", "a quinta vaga", "a quarta tentativa",
])
def test_words_that_are_not_dates(text: str, now: datetime) -> None:
    assert [e.entity for e in extract_builtin(text, now) if e.entity != "number"] == []


@pytest.mark.parametrize(("text", "future", "past"), [
    ("31/10/74", "1974-10-31", "1974-10-31"),
    ("01/01/30", "2030-01-01", "1930-01-01"),
    ("dia 5", "2026-04-05", "2026-03-05"),
    ("sexta", "2026-03-13", "2026-03-06"),
    ("5 de maio", "2026-05-05", "2025-05-05"),
    ("Natal", "2026-12-25", "2025-12-25"),
    ("terça passada", "2026-03-10", "2026-03-10"),
    ("próxima terça", "2026-03-17", "2026-03-17"),
])
def test_the_question_says_which_way_a_date_goes(text: str, future: str, past: str, now: datetime) -> None:
    assert parse_date(text, now) == date.fromisoformat(future)
    assert parse_date(text, now, prefer="past") == date.fromisoformat(past)


def test_the_day_ruled_out_is_marked(now: datetime) -> None:
    ruled_out, wanted = extract_builtin("hoje não consigo, só amanhã", now)
    assert (ruled_out.text, (ruled_out.additional_info or {}).get("negated")) == ("hoje", True)
    assert (wanted.text, (wanted.additional_info or {}).get("negated")) == ("amanhã", None)


def test_dateparser_is_off_unless_asked(now: datetime) -> None:
    assert NluSettings().dateparser_fallback is False and NluConfig().dateparser_fallback is False
    assert parse_date("05 04 2026", now) is None
