"""pt-BR rules for clock times, periods of the day and offsets ("15h30", "3 da tarde", "7pm",
"às 9 e meia", "meio-dia e meia", "quinze para o meio-dia", "de manhã", "esta noite",
"no fim da tarde", "daqui a 2 dias", "em duas horas", "faz duas horas", "3 dias atrás", "dentro de 3 horas")."""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from nlu.numbers import COUNT, read_words
from nlu.temporal_types import Found, Interval, TemporalRules, has_any, has_digit

HOUR_WORDS: dict[str, int] = {
    "uma": 1, "um": 1, "duas": 2, "dois": 2, "tres": 3, "quatro": 4, "cinco": 5, "seis": 6,
    "sete": 7, "oito": 8, "nove": 9, "dez": 10, "onze": 11, "doze": 12, "treze": 13,
    "catorze": 14, "quatorze": 14, "quinze": 15, "dezesseis": 16, "dezessete": 17, "dezoito": 18,
    "dezenove": 19, "vinte e uma": 21, "vinte e um": 21, "vinte e duas": 22, "vinte e dois": 22,
    "vinte e tres": 23, "vinte": 20,
}
MINUTE_WORDS: dict[str, int] = {
    "meia": 30, "quinze": 15, "dez": 10, "cinco": 5, "vinte": 20, "vinte e cinco": 25,
    "trinta": 30, "trinta e cinco": 35, "quarenta": 40, "quarenta e cinco": 45, "cinquenta": 50,
    "cinquenta e cinco": 55,
}
HW = "|".join(sorted(HOUR_WORDS, key=len, reverse=True))
_MW = "|".join(sorted(MINUTE_WORDS, key=len, reverse=True))
_PRE = (
    r"(?P<pre>\b(?:as|a\s+partir\s+das|pras|para\s+as|das|ate\s+as|la\s+pelas|pelas"
    r"|por\s+volta\s+das|umas|cerca\s+das)\s+)"
)
# Words that make a bare number a count, not an hour: "as 2 consultas".
_NOT_HOURS = (
    r"dias?|semanas?|mes|minutos?|anos?|reais|consultas?|pessoas?|vez|vezes|filhos?|exames?|sessoes"
    r"|vagas?|opcoes|meses"
)
_PERIOD = r"(?:\s+(?:da|de|a|pela|na)\s+(?P<period>manha|tarde|noite|madrugada))"
_AMPM = r"(?P<ampm>\s*[ap]\.?\s?m\b\.?)"
# "e quinze", "e 20", "e três minutos": any count is minutes when "minutos" follows it.
_MINUTES = rf"(?:\s+e\s+(?:(?P<mw>{_MW}|[0-5]?\d)(?:\s+minutos?)?|(?P<mc>{COUNT})\s+minutos?))"
_TIME = re.compile(
    rf"{_PRE}?(?:"
    r"(?<![\d/])(?<!dia )(?P<h>[01]?\d|2[0-3])\s*(?P<unit>:|h|hs|hrs|horas?)\s*(?P<m>[0-5]\d)?(?::(?P<s>[0-5]\d))?"
    r"(?:\s*(?:m(?:in)?|hs|hrs|h)(?![a-z]))?"  # "19h35m", "10:00hs"
    rf"|(?<![\d/])(?<!dia )(?P<hb>[01]?\d|2[0-3])(?:\.(?P<mb>[0-5]\d))?(?!\s*(?:/|-\d|,\d|{_NOT_HOURS}))"
    rf"|(?P<hw>{HW})(?P<hours>\s+horas?)?)"
    rf"{_MINUTES}?{_AMPM}?(?P<sharp>\s+em\s+ponto)?{_PERIOD}?(?![\w/])"
)
_NOON = re.compile(
    rf"{_PRE}?\b(?:(?P<noon>meio[\s-]?dia)|(?P<midnight>meia[\s-]?noite|zero\s+hora))"
    rf"{_MINUTES}?\b"
)
_TARGET = rf"(?:(?P<noon>meio[\s-]?dia)|(?P<midnight>meia[\s-]?noite)|(?P<hw>{HW}|\d{{1,2}})(?:\s*h\b)?)"
_BEFORE = re.compile(
    rf"{_PRE}?\b(?P<mw>{_MW}|[0-5]?\d)(?:\s+(?:minutos?|mins?))?\s+(?:para|pras?|pro)\s+(?:as\s+|a\s+|o\s+)?"
    rf"{_TARGET}{_AMPM}?{_PERIOD}?\b"
)
_PAST_HOUR = re.compile(
    rf"(?<!dia )\b(?P<mw>{_MW}|[0-5]?\d)(?:\s+(?:minutos?|mins?))?\s+(?:depois|apos)\s+d[ao]s?\s+{_TARGET}"
    rf"{_AMPM}?{_PERIOD}?\b"
)
_PERIOD_RE = re.compile(
    r"\b(?:(?P<this>(?:d|n)?(?:esta|essa))|de|a|pela|na|no\s+periodo\s+da|durante\s+a|parte\s+da|periodo\s+da"
    r"|(?<!mais\s)(?:pra|para)(?:\s+a)?)"  # "muda pra tarde": the afternoon ("mais pra tarde" is later)
    r"\s+(?P<period>manha|tarde|noite|madrugada)\b"
)
# "no fim da tarde", "início da manhã", "no meio da tarde": the first half, the second half or the middle
# half of the bot's period ("primeiras horas da", "últimas horas da", "em plena" say the same). The day's
# beginning is the morning's first half, its end the afternoon's second half, its middle the hour before
# the afternoon and the two after it starts ("no meio do dia": 11-14 with the default periods).
_PERIOD_EDGE = re.compile(
    r"\b(?:(?:n?o|n?a|nas|ao|pelo|pelas)\s+)?(?:(?P<edge>inicio|comeco|comecinho|inicinho|fim|final|finalzinho|finzinho"
    r"|fimzinho|meio|metade|primeiras\s+horas|ultimas\s+horas)\s+da|em\s+plena)\s+(?P<period>manha|tarde|noite)\b"
    r"|\b(?:(?:n?o|n?a|ao|pelo)\s+)?(?P<day_edge>inicio|comeco|comecinho|fim|final|finalzinho|meio|metade)\s+do\s+dia\b"
    # the diminutives say an end of the period: "de manhãzinha" its start, "à tardinha" its end
    r"|\b(?:(?:de|da|a|pela|na|no)\s+)?(?P<small>manhazinha|manhazinho|tardinha|tardezinha|noitinha|noitezinha)\b"
)
_SMALL_PERIODS = {"manhazinha": ("manha", "inicio"), "manhazinho": ("manha", "inicio"), "tardinha": ("tarde", "fim"),
                  "tardezinha": ("tarde", "fim"), "noitinha": ("noite", "inicio"), "noitezinha": ("noite", "inicio")}
# The day as people live it: "depois do almoço" is the afternoon after its first hour, "antes do almoço"
# the morning, "na hora do almoço" noon to two, "depois do trabalho" the evening's first half; "cedo"
# ("amanhã cedo", "bem cedinho") the morning, read only next to a day or as the whole answer.
_DAILY = re.compile(
    r"\b(?:(?P<after_lunch>(?:depois|dps|apos|pos)\s+(?:d?o\s+)?almoco)|(?P<before_lunch>antes\s+d?o\s+almoco)"
    r"|(?P<lunch>(?:n?a\s+|no\s+)?(?:hora|horario)\s+d?o\s+almoco|no\s+almoco)"
    r"|(?P<after_work>(?:depois|dps|apos|saindo)\s+d[oa]\s+(?:trabalho|expediente|servico|escola|aula))"
    r"|(?P<early>(?:bem\s+|logo\s+|de\s+manha\s+)?(?:cedinho|cedo)))\b"
)
_DAILY_WORDS = frozenset({"almoco", "trabalho", "expediente", "servico", "escola", "aula", "cedo", "cedinho"})
_FIRST_HALF = frozenset({"inicio", "comeco", "comecinho", "inicinho", "primeiras horas"})
_SECOND_HALF = frozenset({"fim", "final", "finalzinho", "fimzinho", "finzinho", "ultimas horas"})
_UNIT = r"dias?|semanas?|meses|mes|anos?|horas?|h|minutos?|min|segundos?"


def _count_re(name: str) -> str:
    return rf"(?P<{name}>\d+|{COUNT}|meia)"


_OFFSET = re.compile(
    rf"\b(?:daqui\s+(?:a\s+)?(?:uns\s+|umas\s+|cerca\s+de\s+)?|em\s+|apos\s+){_count_re('n')}\s*(?P<unit>{_UNIT})\b"
    rf"(?:,?\s+e\s+{_count_re('n_b')}\s*(?P<unit_b>{_UNIT})\b|\s+e\s+(?P<half>meia)\b)?"  # "8 semanas e 2 dias"
    r"(?!\s+atras)"
)
# "dentro de 3 horas", "5 horas no futuro": every moment from now until then, not the last one.
_CLOCK_UNIT = r"horas?|h|minutos?|min|segundos?"
_WITHIN = re.compile(
    rf"\b(?:dentro\s+de\s+{_count_re('n')}\s*(?P<unit>{_UNIT})"
    rf"|{_count_re('n2')}\s*(?P<unit2>{_CLOCK_UNIT})\s+(?:no|pro|para\s+o)\s+futuro)\b"
)
_AGO = re.compile(
    rf"\b(?:(?:faz|fazem|ha)\s+(?:uns\s+|umas\s+|cerca\s+de\s+)?{_count_re('n')}\s*(?P<unit>{_UNIT})(?:\s+atras)?"
    rf"|{_count_re('n2')}\s*(?P<unit2>{_UNIT})\s+atras"
    rf"|tem\s+(?:uns\s+|umas\s+|cerca\s+de\s+)?{_count_re('n3')}\s*(?P<unit3>{_UNIT})\s+que)\b"  # "tem 3 dias que"
)
_UNITS = {
    "dia": "days", "dias": "days", "semana": "weeks", "semanas": "weeks", "mes": "months",
    "meses": "months", "ano": "years", "anos": "years", "hora": "hours", "horas": "hours", "h": "hours",
    "minuto": "minutes", "minutos": "minutes", "min": "minutes", "segundo": "seconds", "segundos": "seconds",
}


_HOUR_WORDS = frozenset(word for name in HOUR_WORDS for word in name.split())
_NOON_WORDS = frozenset({"meio", "meia", "meiodia", "meianoite", "zero"})
_BEFORE_WORDS = frozenset({"para", "pra", "pras", "pro"})
_PAST_HOUR_WORDS = frozenset({"depois", "apos"})
_PERIOD_WORDS = frozenset({"manha", "tarde", "noite", "madrugada"})
_EDGE_WORDS = _PERIOD_WORDS | {"dia", "manhazinha", "manhazinho", "tardinha", "tardezinha", "noitinha", "noitezinha"}
_OFFSET_WORDS = frozenset({"daqui", "em", "dentro", "apos", "faz", "fazem", "ha", "atras", "futuro", "tem"})


def _hour_value(raw: str) -> int:
    return int(raw) if raw.isdigit() else HOUR_WORDS[raw]


def _minute_value(raw: str | None) -> int:
    if raw is None:
        return 0
    return int(raw) if raw.isdigit() else MINUTE_WORDS[raw]


def _minutes_said(match: re.Match[str]) -> int:
    if match["mc"]:
        value = read_words(match["mc"].split()) if not match["mc"].isdigit() else int(match["mc"])
        return value if isinstance(value, int) and 0 <= value < 60 else 0
    return _minute_value(match["mw"])


def apply_period(hour: int, period: str | None, raw: str, rules: TemporalRules) -> tuple[int, bool]:
    """The 24-hour hour for an hour said with a period (or none); True when the afternoon rule
    moved it ("às 2" → 14)."""
    if period in ("tarde", "noite"):
        return (0 if hour == 12 and period == "noite" else hour + 12 if hour < 12 else hour), False
    if period == "madrugada":
        return (0 if hour == 12 else hour), False
    if period is None and not raw.startswith("0"):
        low, high = rules.afternoon_hours
        if low <= hour <= high:
            return hour + 12, True
    return hour, False


def _with_ampm(hour: int, ampm: str | None) -> int | None:
    if ampm is None:
        return None
    if hour > 12:
        return hour
    return hour % 12 + (12 if "p" in ampm else 0)


# "vai levar 7 horas", "durou sete horas", "3 horas é a duração": a count of hours, not a time.
_LASTS_BEFORE = re.compile(
    r"\b(?:dur[a-z]*|lev[a-z]*|demor[a-z]*|gast[a-z]*|esper[a-z]*|fiq[a-z]*|fic[a-z]*|durante|por)"
    r"\s+(?:(?:uns|umas|cerca\s+de|mais\s+de|menos\s+de|ate|quase)\s+)?$"
)
_LASTS_AFTER = re.compile(r"\s+(?:de\s+duracao|(?:e|eh|foi|sera)\s+a\s+duracao)\b")


def _lasts(text: str, match: re.Match[str]) -> bool:
    counted = match["unit"] in ("h", "hs", "hrs", "hora", "horas") or match["hours"]
    if (match["pre"] and match["pre"].split()[0] not in ("umas", "cerca")) or not counted:
        return False
    return _LASTS_BEFORE.search(text, 0, match.start()) is not None or _LASTS_AFTER.match(text, match.end()) is not None


def _times(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    if not has_digit(text) and not has_any(text, _HOUR_WORDS):
        return
    for match in _TIME.finditer(text):
        found = _time(match, rules)
        if found is not None and not _lasts(text, match):
            yield found


def _time(match: re.Match[str], rules: TemporalRules) -> Found | None:
    bare = match["hb"] is not None or (match["hw"] is not None and not match["hours"])
    strong = match["pre"] or match["period"] or match["ampm"] or match["mw"] == "meia"
    weak = False
    if bare and not strong and not match["sharp"]:
        if not (match["mb"] or match["mw"]) or (match["hw"] is not None and HOUR_WORDS[match["hw"]] > 12):
            return None  # "tres", "15", "vinte e cinco": numbers, not times
        weak = True  # "15.00", "5 e quinze", "oito e quinze": a time next to a day, or as the whole message
    if match["unit"] == ":" and match["m"] is None:
        return None
    raw = match["h"] or match["hb"] or match["hw"]
    if match["period"] in ("manha", "madrugada") and _hour_value(raw) > 12:
        return None  # "13 de manhã" is a day and a period, not a time
    minute = int(match["m"] or match["mb"] or 0) or _minutes_said(match)
    twelve = _with_ampm(_hour_value(raw), match["ampm"])
    if twelve is not None:
        hour, shifted = twelve, False
    else:
        hour, shifted = apply_period(_hour_value(raw), match["period"], raw, rules)
    clock = time(hour % 24, minute, int(match["s"] or 0))
    return Found(match.start(), match.end(), "time", clock=clock, period=match["period"], weak=weak, shifted=shifted)


def _target(match: re.Match[str], rules: TemporalRules) -> tuple[int, bool]:
    if match["noon"] or match["midnight"]:
        return (12 if match["noon"] else 24), False
    raw = match["hw"]
    twelve = _with_ampm(_hour_value(raw), match["ampm"])
    return (twelve, False) if twelve is not None else apply_period(_hour_value(raw), match["period"], raw, rules)


def _noon(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    for match in _NOON.finditer(text) if has_any(text, _NOON_WORDS) else ():
        clock = time(12 if match["noon"] else 0, _minutes_said(match))
        yield Found(match.start(), match.end(), "time", clock=clock)
    for pattern, sign, words in ((_BEFORE, -1, _BEFORE_WORDS), (_PAST_HOUR, 1, _PAST_HOUR_WORDS)):
        for match in pattern.finditer(text) if has_any(text, words) else ():
            hour, shifted = _target(match, rules)
            offset = _minute_value(match["mw"])
            if 0 < offset < 60:
                minutes = hour * 60 + sign * offset
                clock = time(minutes // 60 % 24, minutes % 60)
                yield Found(match.start(), match.end(), "time", clock=clock, shifted=shifted)


def _periods(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    for match in _PERIOD_RE.finditer(text) if has_any(text, _PERIOD_WORDS) else ():
        day = now.date() if match["this"] else None
        yield Found(match.start(), match.end(), "period", period=match["period"], day=day)
    for match in _PERIOD_EDGE.finditer(text) if has_any(text, _EDGE_WORDS) else ():
        period, start, end = _edge_hours(match, rules)
        yield Found(match.start(), match.end(), "period", period=period, clock=time(start), until=time(end % 24))
    for match in _DAILY.finditer(text) if has_any(text, _DAILY_WORDS) else ():
        period, start, end = _daily_hours(match, rules)
        yield Found(match.start(), match.end(), "period", period=period, clock=time(start), until=time(end % 24),
                    weak=match["early"] is not None)


def _daily_hours(match: re.Match[str], rules: TemporalRules) -> tuple[str, int, int]:
    morning, afternoon, evening = rules.periods["manha"], rules.periods["tarde"], rules.periods["noite"]
    if match["after_lunch"]:
        return "tarde", min(afternoon[0] + 1, afternoon[1]), afternoon[1]
    if match["before_lunch"]:
        return "manha", morning[0], morning[1]
    if match["lunch"]:
        return "tarde", afternoon[0], min(afternoon[0] + 2, afternoon[1])
    if match["after_work"]:
        return "noite", evening[0], (evening[0] + evening[1]) // 2
    return "manha", morning[0], morning[1]


def _edge_hours(match: re.Match[str], rules: TemporalRules) -> tuple[str | None, int, int]:
    if match["day_edge"]:
        edge = " ".join(match["day_edge"].split())
        if edge in _FIRST_HALF:
            period, edge = "manha", "inicio"
        elif edge in _SECOND_HALF:
            period, edge = "tarde", "fim"
        else:
            noon = rules.periods["tarde"][0]
            return None, noon - 1, noon + 2
    elif match["small"]:
        period, edge = _SMALL_PERIODS[match["small"]]
    else:
        period, edge = match["period"], " ".join((match["edge"] or "meio").split())
    first, last = rules.periods[period]
    middle, quarter = (first + last) // 2, (last - first) // 4
    if edge in _FIRST_HALF:
        return period, first, middle
    if edge in _SECOND_HALF:
        return period, middle, last
    return period, first + quarter, last - quarter


def _count(raw: str) -> float:
    if raw.isdigit():
        return float(raw)
    if raw == "meia":
        return 0.5
    value = read_words(raw.split())
    return float(value) if value is not None else 0.0


def add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def _moved(match: re.Match[str], count: float, unit: str, now: datetime, sign: int) -> Found:
    if unit in ("months", "years"):
        months = int(count) * (12 if unit == "years" else 1)
        return Found(match.start(), match.end(), "date", day=add_months(now.date(), sign * months))
    if unit in ("days", "weeks"):
        delta = timedelta(days=count * (7 if unit == "weeks" else 1))
        return Found(match.start(), match.end(), "date", day=now.date() + sign * delta, counted=delta.days >= 7)
    moment = now + sign * timedelta(**{unit: count})
    if unit != "seconds":
        moment = moment.replace(second=0, microsecond=0)
    return Found(match.start(), match.end(), "datetime", moment=moment)


def _moved_again(found: Found, count: float, unit: str, now: datetime) -> Found:
    """A second count after the first ("8 semanas e 2 dias", "1 hora e 20 minutos")."""
    if found.day is not None and unit in ("months", "years"):
        return replace(found, day=add_months(found.day, int(count) * (12 if unit == "years" else 1)))
    if found.day is not None and unit in ("days", "weeks"):
        return replace(found, day=found.day + timedelta(days=count * (7 if unit == "weeks" else 1)))
    if found.moment is not None and unit in ("hours", "minutes", "seconds"):
        moment = found.moment + timedelta(**{unit: count})
        return replace(found, moment=moment if unit == "seconds" else moment.replace(second=0, microsecond=0))
    return found


def _within(match: re.Match[str], count: float, unit: str, now: datetime) -> Found:
    """From now until `count` units from now; a span of days ends with the last day said."""
    if unit in ("seconds", "minutes", "hours"):
        start = now.replace(microsecond=0)
        return Found(match.start(), match.end(), "interval",
                     interval=Interval(start, start + timedelta(**{unit: count}), "second"))
    last = _moved(match, count, unit, now, 1).day
    assert last is not None
    first = datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=now.tzinfo)
    return Found(match.start(), match.end(), "interval", interval=Interval(first, end, "day"))


def _offsets(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    if not has_any(text, _OFFSET_WORDS):
        return
    for match in _OFFSET.finditer(text):
        found = _moved(match, _count(match["n"]), _UNITS[match["unit"]], now, 1)
        if match["n_b"]:
            found = _moved_again(found, _count(match["n_b"]), _UNITS[match["unit_b"]], now)
        elif match["half"] and _UNITS[match["unit"]] == "hours":
            found = _moved_again(found, 30, "minutes", now)  # "em 2 horas e meia"
        yield found
    for match in _WITHIN.finditer(text):
        raw, unit = (match["n"], match["unit"]) if match["n"] else (match["n2"], match["unit2"])
        yield _within(match, _count(raw), _UNITS[unit], now)
    for match in _AGO.finditer(text):
        raw, unit = next((match[n], match[u]) for n, u in (("n", "unit"), ("n2", "unit2"), ("n3", "unit3"))
                         if match[n])
        yield _moved(match, _count(raw), _UNITS[unit], now, -1)


ClockRule = Callable[[str, datetime, TemporalRules], Iterator[Found]]
CLOCK_RULES: tuple[ClockRule, ...] = (_times, _noon, _periods, _offsets)
