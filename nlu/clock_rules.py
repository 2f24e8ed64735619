"""pt-BR rules for clock times, periods of the day and offsets ("15h30", "3 da tarde",
"às 9 e meia", "meio-dia", "de manhã", "daqui a 2 dias", "em duas horas")."""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta

from nlu.numbers import read_words
from nlu.temporal_types import Found, TemporalRules

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
_HW = "|".join(sorted(HOUR_WORDS, key=len, reverse=True))
_MW = "|".join(sorted(MINUTE_WORDS, key=len, reverse=True))
_PRE = (
    r"(?P<pre>\b(?:as|a\s+partir\s+das|pras|para\s+as|das|ate\s+as|la\s+pelas|pelas"
    r"|por\s+volta\s+das|umas)\s+)"
)
# Words that make a bare number a count, not an hour: "as 2 consultas".
_NOT_HOURS = (
    r"dias?|semanas?|mes|minutos?|anos?|reais|consultas?|pessoas?|vez|vezes|filhos?|exames?|sessoes"
    r"|vagas?|opcoes|meses"
)
_PERIOD = r"(?:\s+(?:da|de|a|pela|na)\s+(?P<period>manha|tarde|noite|madrugada))"
_MINUTES = rf"(?:\s+e\s+(?P<mw>{_MW}|[0-5]?\d)(?:\s+minutos?)?)"
_TIME = re.compile(
    rf"{_PRE}?(?:"
    r"(?<!\d)(?<!dia )(?P<h>[01]?\d|2[0-3])\s*(?P<unit>:|h|hs|hrs|horas?)\s*(?P<m>[0-5]\d)?(?:\s*min)?"
    rf"|(?<!\d)(?<!dia )(?P<hb>[01]?\d|2[0-3])(?:\.(?P<mb>[0-5]\d))?(?!\s*(?:/|-\d|,\d|{_NOT_HOURS}))"
    rf"|(?P<hw>{_HW})(?P<hours>\s+horas?)?)"
    rf"{_MINUTES}?{_PERIOD}?(?![\w/])"
)
_NOON = re.compile(
    rf"{_PRE}?\b(?:(?P<noon>meio[\s-]?dia)|(?P<midnight>meia[\s-]?noite))(?:\s+e\s+(?P<mw>{_MW}))?\b"
)
_BEFORE = re.compile(
    rf"{_PRE}?\b(?P<mw>{_MW}|[0-5]?\d)(?:\s+minutos)?\s+(?:para|pras?)\s+(?:as\s+|a\s+)?(?P<hw>{_HW}|\d{{1,2}})"
    rf"{_PERIOD}?\b"
)
_PERIOD_RE = re.compile(
    r"\b(?:de|a|pela|na|no\s+periodo\s+da|durante\s+a|parte\s+da|periodo\s+da)\s+(?P<period>manha|tarde|noite)\b"
)
_COUNT = (
    r"(?P<n>\d+|uma?|duas|dois|tres|quatro|cinco|seis|sete|oito|nove|dez|quinze|vinte|trinta|quarenta"
    r"|meia)"
)
_OFFSET = re.compile(
    rf"\b(?:daqui\s+(?:a\s+)?|em\s+|dentro\s+de\s+|apos\s+){_COUNT}\s*"
    r"(?P<unit>dias?|semanas?|meses|mes|horas?|h|minutos?|min)\b"
)
_UNITS = {
    "dia": "days", "dias": "days", "semana": "weeks", "semanas": "weeks", "mes": "months",
    "meses": "months", "hora": "hours", "horas": "hours", "h": "hours", "minuto": "minutes",
    "minutos": "minutes", "min": "minutes",
}


def _hour_value(raw: str) -> int:
    return int(raw) if raw.isdigit() else HOUR_WORDS[raw]


def _minute_value(raw: str | None) -> int:
    if raw is None:
        return 0
    return int(raw) if raw.isdigit() else MINUTE_WORDS[raw]


def _apply_period(hour: int, period: str | None, raw: str, rules: TemporalRules) -> int:
    if period in ("tarde", "noite"):
        return 0 if hour == 12 and period == "noite" else hour + 12 if hour < 12 else hour
    if period == "madrugada":
        return 0 if hour == 12 else hour
    if period is None and raw.isdigit() and not raw.startswith("0"):
        low, high = rules.afternoon_hours
        return hour + 12 if low <= hour <= high else hour
    if period is None and not raw.isdigit():
        low, high = rules.afternoon_hours
        return hour + 12 if low <= hour <= high else hour
    return hour


def _times(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    for match in _TIME.finditer(text):
        bare = match["hb"] is not None or (match["hw"] is not None and not match["hours"])
        if bare and not (match["pre"] or match["period"] or match["mw"] == "meia" or match["mb"]):
            continue
        if match["hb"] is not None and match["mb"] is not None and not match["pre"]:
            continue
        raw = match["h"] or match["hb"] or match["hw"]
        if match["period"] in ("manha", "madrugada") and _hour_value(raw) > 12:
            continue  # "13 de manhã" is a day and a period, not a time
        minute = int(match["m"] or match["mb"] or 0) or _minute_value(match["mw"])
        hour = _apply_period(_hour_value(raw), match["period"], raw, rules)
        if match["unit"] == ":" and match["m"] is None:
            continue
        yield Found(match.start(), match.end(), "time", clock=time(hour % 24, minute), period=match["period"])


def _noon(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    for match in _NOON.finditer(text):
        clock = time(12 if match["noon"] else 0, _minute_value(match["mw"]))
        yield Found(match.start(), match.end(), "time", clock=clock)
    for match in _BEFORE.finditer(text):
        raw = match["hw"]
        hour = _apply_period(_hour_value(raw), match["period"], raw, rules)
        minutes = hour * 60 - _minute_value(match["mw"])
        if 0 < _minute_value(match["mw"]) < 60:
            yield Found(match.start(), match.end(), "time", clock=time(minutes // 60 % 24, minutes % 60))


def _periods(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    for match in _PERIOD_RE.finditer(text):
        yield Found(match.start(), match.end(), "period", period=match["period"])


def _count(raw: str) -> float:
    if raw.isdigit():
        return float(raw)
    if raw == "meia":
        return 0.5
    value = read_words([raw])
    return float(value) if value is not None else 0.0


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def _offsets(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    for match in _OFFSET.finditer(text):
        count, unit = _count(match["n"]), _UNITS[match["unit"]]
        if unit == "months":
            yield Found(match.start(), match.end(), "date", day=_add_months(now.date(), int(count)))
        elif unit in ("days", "weeks"):
            delta = timedelta(days=count * (7 if unit == "weeks" else 1))
            yield Found(match.start(), match.end(), "date", day=now.date() + delta)
        else:
            moment = (now + timedelta(**{unit: count})).replace(second=0, microsecond=0)
            yield Found(match.start(), match.end(), "datetime", moment=moment)


ClockRule = Callable[[str, datetime, TemporalRules], Iterator[Found]]
CLOCK_RULES: tuple[ClockRule, ...] = (_times, _noon, _periods, _offsets)
