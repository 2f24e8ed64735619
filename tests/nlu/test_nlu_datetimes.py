from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from nlu import NaiveDatetime, NluError, TemporalRules, parse_date, parse_datetime, parse_time
from nlu.entities import extract_builtin


def test_parse_date(now: datetime) -> None:
    assert parse_date("amanhã às 15h", now) == date(2026, 3, 12)
    assert parse_date("sexta à tarde", now) == date(2026, 3, 13)
    assert parse_date("dia 5", now) == date(2026, 4, 5)
    assert parse_date("15h", now) is None
    assert parse_date("semana que vem", now) is None  # a week is not a day: ask again
    assert parse_date("bom dia", now) is None


def test_dateparser_is_asked_only_when_the_rules_find_nothing_and_only_on_request(now: datetime) -> None:
    assert parse_date("05 04 2026", now) is None
    assert parse_date("05 04 2026", now, fallback=True) == date(2026, 4, 5)
    assert parse_date("5 abril", now) == date(2026, 4, 5)  # the rules read it


def test_parse_time(now: datetime) -> None:
    assert parse_time("às 3 da tarde", now) == time(15, 0)
    assert parse_time("amanhã 8h30", now) == time(8, 30)
    assert parse_time("meio-dia e meia", now) == time(12, 30)
    assert parse_time("amanhã", now) is None


def test_a_span_from_a_time_answers_a_question_for_that_time(now: datetime) -> None:
    # "a partir das 14h" is an open span (a slot list offers 14h and later), and 14h at a time question
    assert parse_time("a partir das 14h", now) == time(14, 0)
    assert parse_time("das 9 e meia em diante", now) == time(9, 30)
    assert parse_datetime("sexta a partir das 14h", now) == datetime(2026, 3, 13, 14, 0, tzinfo=now.tzinfo)
    assert parse_datetime("a partir das 9h", now) == datetime(2026, 3, 12, 9, 0, tzinfo=now.tzinfo)
    assert parse_time("depois das 18h", now) is None  # after 18h is not 18h: ask again


def test_parse_datetime(now: datetime) -> None:
    moment = parse_datetime("amanhã às 15h", now)
    assert moment == datetime(2026, 3, 12, 15, 0, tzinfo=now.tzinfo)
    assert moment is not None and moment.utcoffset() == timedelta(hours=-3)
    assert parse_datetime("às 16h", now) == datetime(2026, 3, 11, 16, 0, tzinfo=now.tzinfo)
    assert parse_datetime("às 9h", now) == datetime(2026, 3, 12, 9, 0, tzinfo=now.tzinfo)  # 9h has passed
    assert parse_datetime("daqui a 40 minutos", now) == now + timedelta(minutes=40)
    assert parse_datetime("meia-noite", now) == datetime(2026, 3, 12, 0, 0, tzinfo=now.tzinfo)
    assert parse_datetime("amanhã", now) is None


def test_rules_are_configurable(now: datetime) -> None:
    morning = TemporalRules(afternoon_hours=(1, 5))
    assert parse_time("às 7", now) == time(19, 0)
    assert parse_time("às 7", now, rules=morning) == time(7, 0)
    skip = TemporalRules(next_weekday_skips_week=True)
    assert parse_date("próxima quinta", now) == date(2026, 3, 12)
    assert parse_date("próxima quinta", now, rules=skip) == date(2026, 3, 19)
    assert parse_date("quinta", now, rules=skip) == date(2026, 3, 12)
    # "próxima" with the option is next week's: said on a Wednesday, Monday is in 5 days, not 12
    assert parse_date("próxima segunda", now, rules=skip) == date(2026, 3, 16)
    assert parse_date("próximo domingo", now, rules=skip) == date(2026, 3, 22)


def test_naive_now_is_refused() -> None:
    with pytest.raises(NaiveDatetime, match="timezone-aware") as caught:
        parse_date("amanhã", datetime(2026, 3, 11, 10, 0))
    assert isinstance(caught.value, NluError)


@pytest.mark.parametrize("text", ["", "\x00\x01", "🙂" * 500, "a" * 10_000, "tomorrow at 3pm", "明天"])
def test_hostile_input_never_raises(text: str, now: datetime) -> None:
    parse_date(text, now)
    parse_time(text, now)
    parse_datetime(text, now)


@pytest.mark.parametrize("text", ["31 de fevereiro", "30/02", "31 abril", "dia 31 de junho às 10h"])
def test_a_day_that_does_not_exist_is_not_a_date(text: str) -> None:
    now = datetime(2026, 3, 11, 10, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))
    assert parse_date(text, now) is None and parse_datetime(text, now) is None


@pytest.mark.parametrize(("text", "day"), [
    ("12 mar", date(2026, 3, 12)), ("pode ser 15 set, às 10h", date(2026, 9, 15)), ("15 set 2027", date(2027, 9, 15)),
    ("15set", date(2026, 9, 15)), ("DOM 15SET", date(2026, 9, 15)), ("5 mai", date(2026, 5, 5)),
])
def test_a_day_with_a_month_abbreviation(text: str, day: date, now: datetime) -> None:
    assert parse_date(text, now) == day


@pytest.mark.parametrize("text", ["dez dias", "tenho 12 mar e sol", "10 out de casa"])
def test_an_abbreviation_that_is_also_a_word_is_no_month_inside_a_sentence(text: str, now: datetime) -> None:
    assert parse_date(text, now) is None


@pytest.mark.parametrize("text", ["32 agosto 2014", "29 fevereiro 2014", "31 de abril de 2027"])
def test_a_day_the_month_does_not_have_is_not_read_as_the_month(text: str, now: datetime) -> None:
    assert extract_builtin(text, now, dimensions=("date", "interval")) == []


@pytest.mark.parametrize(("text", "first", "last"), [
    ("de segunda a sexta", date(2026, 3, 16), date(2026, 3, 20)),  # not back to this Friday
    ("de sexta a segunda", date(2026, 3, 13), date(2026, 3, 16)),
    ("semana retrasada", date(2026, 2, 23), date(2026, 3, 1)),
    ("no mês retrasado", date(2026, 1, 1), date(2026, 1, 31)),
])
def test_spans_of_days(text: str, first: date, last: date, now: datetime) -> None:
    (entity,) = extract_builtin(text, now, dimensions=("interval",))
    assert (entity.value.start.date(), entity.value.end.date() - timedelta(days=1)) == (first, last)


@pytest.mark.parametrize(("text", "day"), [
    ("dia 12 do 4", date(2026, 4, 12)), ("pode ser dia 5 do 6 às 10h", date(2026, 6, 5)),
    ("dia 12 do 4 de 2027", date(2027, 4, 12)),
    ("estou com febre desde segunda", date(2026, 3, 9)), ("desde o dia 5", date(2026, 3, 5)),
    ("desde dia 20", date(2026, 2, 20)), ("desde 20 de dezembro", date(2025, 12, 20)),
    ("tem 3 dias que estou com dor", date(2026, 3, 8)), ("daqui a uns 2 dias", date(2026, 3, 13)),
])
def test_colloquial_days(text: str, day: date, now: datetime) -> None:
    assert parse_date(text, now) == day


def test_a_count_of_days_someone_has_is_no_date(now: datetime) -> None:
    assert parse_date("ele tem 3 dias de folga", now) is None


@pytest.mark.parametrize(("text", "start", "end"), [
    ("no fim da tarde", datetime(2026, 3, 11, 15), datetime(2026, 3, 11, 18)),
    ("amanhã no início da manhã", datetime(2026, 3, 12, 6), datetime(2026, 3, 12, 9)),
    ("sexta no final da noite", datetime(2026, 3, 13, 21), datetime(2026, 3, 14, 0)),
])
def test_the_first_or_second_half_of_a_period(text: str, start: datetime, end: datetime, now: datetime) -> None:
    (entity,) = extract_builtin(text, now, dimensions=("interval",))
    assert (entity.value.start, entity.value.end) == (start.replace(tzinfo=now.tzinfo), end.replace(tzinfo=now.tzinfo))
    assert entity.additional_info is not None and entity.additional_info["period"] in ("tarde", "manha", "noite")
    assert parse_time("no fim da tarde às 5", now) == time(17, 0)


@pytest.mark.parametrize(("text", "first", "period"), [
    ("depois do natal de tarde", date(2026, 12, 26), "tarde"),  # the days after it, in the afternoon
    ("a partir do dia 20 de manhã", date(2026, 3, 20), "manha"),  # from that day on, in the morning
])
def test_a_part_of_the_day_said_with_the_day_an_open_span_starts_at_is_apart(text: str, first: date, period: str,
                                                                            now: datetime) -> None:
    days, part = extract_builtin(text, now, dimensions=("interval",))
    assert days.additional_info["open"] == "after" and days.value.start.date() == first
    assert part.additional_info["period"] == period and "day" not in part.additional_info


@pytest.mark.parametrize(("text", "period"), [("da pra mudar pra tarde?", "tarde"), ("muda pra manhã", "manha"),
                                              ("mais pra tarde", None)])  # later, not the afternoon
def test_a_part_of_the_day_moved_to(text: str, period: str | None, now: datetime) -> None:
    found = [e.additional_info.get("period") for e in extract_builtin(text, now, dimensions=("interval",))]
    assert found == ([period] if period else [])
