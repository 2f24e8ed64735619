"""pt-BR rules for days: "amanhã", "quinta que vem", "dia 20", "20/03", "20 de março", "semana que vem"."""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta

from nlu.lexicon import MONTHS, WEEKDAY_ABBREVIATIONS, WEEKDAYS
from nlu.numbers import read_words
from nlu.temporal_types import Found, Interval, TemporalRules

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_FULL_MONTH = "|".join(name for name in MONTHS if len(name) > 3)
_WEEKDAY = "segunda|terca|quarta|quinta|sexta|sabado|domingo"
_ABBR = "|".join(WEEKDAY_ABBREVIATIONS)

_RELATIVE_DAY = re.compile(r"\b(?:(depois\s+de\s+amanha)|(anteontem)|(hoje|hj)|(amanha|amnh|amn)|(ontem))\b")
_WEEKDAY_RE = re.compile(
    rf"\b(?:(?P<mod>proxima|proximo|essa|esta|nessa|nesta)\s+)?(?P<wd>{_WEEKDAY})(?:[\s-]*feira)?"
    r"(?:\s+(?P<after>que\s+vem|da\s+(?:semana\s+que\s+vem|proxima\s+semana)))?\b"
    r"(?!\s+(?:opcao|vez|via|alternativa|consulta|parte|etapa|dose|sessao|pessoa|filha|filho)\b)"
)
_WEEKDAY_ABBR_RE = re.compile(
    rf"\b(?:na|no|ate|essa|esta|proxima|proximo)\s+(?P<wd>{_ABBR})\b\.?"
)
_DAY_OF_MONTH = re.compile(
    rf"\b(?:(?:no\s+)?dia\s+(?P<d1>\d{{1,2}}|primeiro)|(?P<d2>\d{{1,2}})(?:o|a)?(?=\s+de\s+(?:{_MONTH})\b)"
    rf"|(?P<d3>primeiro)(?=\s+de\s+(?:{_MONTH})\b)"
    rf"|(?P<dw>(?:vinte|trinta)(?:\s+e\s+[a-z]+)?|[a-z]+)(?=\s+de\s+(?:{_MONTH})\b))"
    rf"(?:\s+de\s+(?P<month>{_MONTH})\b\.?(?:\s+(?:de\s+)?(?P<year>\d{{4}}))?)?(?![/\d])"
)
_NUMERIC = re.compile(
    r"(?<![\d/.-])(?:dia\s+)?(?P<d>\d{1,2})(?P<sep>[/-])(?P<m>\d{1,2})(?:(?P=sep)(?P<y>\d{4}|\d{2}))?(?![\d/-])"
)
_DOTTED = re.compile(r"(?<![\d.])(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})(?![\d.])")
_ISO = re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")
_WEEK = re.compile(
    r"\b(?:(?:na\s+)?(?:semana\s+que\s+vem|proxima\s+semana)|(?P<this>(?:n?essa|n?esta)\s+semana))\b"
)
_WEEKEND = re.compile(
    r"\b(?:(?P<next>proximo)\s+)?(?:fim|final)\s+de\s+semana(?:\s+(?P<after>que\s+vem))?\b|\bfds\b"
)
_MONTH_RE = re.compile(
    rf"\b(?:(?P<next>mes\s+que\s+vem|proximo\s+mes)|(?:em|no\s+mes\s+de|para|pra|ate)\s+(?P<name>{_FULL_MONTH}))\b"
)


def _future_day(today: date, day: int) -> date | None:
    year, month = today.year, today.month
    for _ in range(13):
        if day <= monthrange(year, month)[1] and date(year, month, day) >= today:
            return date(year, month, day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _future_date(today: date, month: int, day: int, year: int | None) -> date | None:
    if year is not None:
        return _safe_date(year, month, day)
    found = _safe_date(today.year, month, day)
    if found is not None and found < today:
        found = _safe_date(today.year + 1, month, day)
    return found


def _year(raw: str | None) -> int | None:
    if raw is None:
        return None
    return 2000 + int(raw) if len(raw) == 2 else int(raw)


def _relative_days(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    offsets = (2, -2, 0, 1, -1)
    for match in _RELATIVE_DAY.finditer(text):
        offset = next(o for o, g in zip(offsets, match.groups(), strict=True) if g)
        yield Found(match.start(), match.end(), "date", day=now.date() + timedelta(days=offset))


def _weekday_date(today: date, weekday: int, skip_week: bool) -> date:
    ahead = (weekday - today.weekday()) % 7 or 7
    return today + timedelta(days=ahead + (7 if skip_week else 0))


def _weekdays(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    today = now.date()
    for match in _WEEKDAY_RE.finditer(text):
        weekday, after = WEEKDAYS[match["wd"]], match["after"] or ""
        if after.startswith("da"):
            monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
            day = monday + timedelta(days=weekday)
        else:
            nextish = bool(after) or (match["mod"] or "").startswith("proxim")
            day = _weekday_date(today, weekday, nextish and rules.next_weekday_skips_week)
        yield Found(match.start(), match.end(), "date", day=day)
    for match in _WEEKDAY_ABBR_RE.finditer(text):
        day = _weekday_date(today, WEEKDAY_ABBREVIATIONS[match["wd"]], False)
        yield Found(match.start("wd"), match.end(), "date", day=day)


def _days_of_month(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    today = now.date()
    for match in _DAY_OF_MONTH.finditer(text):
        day_number = _day_number(match)
        if day_number is None:
            continue
        if match["month"]:
            day = _future_date(today, MONTHS[match["month"]], day_number, _year(match["year"]))
        else:
            day = _future_day(today, day_number)
        if day is not None:
            yield Found(match.start(), match.end(), "date", day=day)


def _day_number(match: re.Match[str]) -> int | None:
    raw = match["d1"] or match["d2"] or match["d3"]
    if raw is not None:
        return 1 if raw == "primeiro" else int(raw)
    value = read_words(match["dw"].split())
    return int(value) if isinstance(value, int) and 1 <= value <= 31 else None


def _numeric(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    for pattern in (_NUMERIC, _DOTTED, _ISO):
        for match in pattern.finditer(text):
            day = _future_date(now.date(), int(match["m"]), int(match["d"]), _year(match["y"]))
            if day is not None:
                yield Found(match.start(), match.end(), "date", day=day)


def _days(now: datetime, first: date, last_exclusive: date, grain: str) -> Interval:
    zone = now.tzinfo
    start = datetime.combine(first, time(0), tzinfo=zone)
    return Interval(start, datetime.combine(last_exclusive, time(0), tzinfo=zone), grain)  # type: ignore[arg-type]


def _weeks(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    today = now.date()
    monday = today - timedelta(days=today.weekday())
    for match in _WEEK.finditer(text):
        first = today if match["this"] else monday + timedelta(days=7)
        span = _days(now, first, monday + timedelta(days=7 if match["this"] else 14), "week")
        yield Found(match.start(), match.end(), "interval", interval=span)
    for match in _WEEKEND.finditer(text):
        saturday = monday + timedelta(days=5)
        if match["next"] or match["after"]:
            saturday += timedelta(days=7) if today >= saturday else timedelta(0)
        first = max(today, saturday)
        span = _days(now, first, saturday + timedelta(days=2), "weekend")
        yield Found(match.start(), match.end(), "interval", interval=span)


def _months(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    today = now.date()
    for match in _MONTH_RE.finditer(text):
        if match["next"]:
            month, year = today.month % 12 + 1, today.year + (today.month == 12)
        else:
            month = MONTHS[match["name"]]
            year = today.year + (month < today.month)
        first = max(today, date(year, month, 1))
        last = date(year + (month == 12), month % 12 + 1, 1)
        yield Found(match.start(), match.end(), "interval", interval=_days(now, first, last, "month"))


DayRule = Callable[[str, datetime, TemporalRules], Iterator[Found]]
DAY_RULES: tuple[DayRule, ...] = (_relative_days, _weekdays, _days_of_month, _numeric, _weeks, _months)
