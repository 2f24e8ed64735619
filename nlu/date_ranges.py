"""Ranges of days and of larger spans: "13 a 15 de julho", "entre 4 e 22 deste mês", "de hoje até
amanhã", "21 de dez. a 6 de jan", "de março a maio", "do primeiro trimestre de 2027 ao terceiro"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from nlu.calendar_rules import (
    FULL_MONTH,
    MONTH,
    REL_MONTH,
    day_number,
    day_of_month,
    month_day,
    safe_date,
    year_of,
)
from nlu.calendar_spans import month_of_year, month_start
from nlu.lexicon import MONTHS
from nlu.temporal_types import Found, Interval, TemporalRules, has_any, has_digit

_FULL_MONTH_WORDS = frozenset(name for name in MONTHS if len(name) > 3)

_DAY_RANGE = re.compile(
    r"\b(?:(?P<open>de|do|desde|entre|a\s+partir\s+d[eo])\s+)?(?:(?:o|dia)\s+)*"
    r"(?P<d1>\d{1,2}|primeiro)(?:o)?\s*(?P<link>-|a|ao|ate(?:\s+ao?)?|e(?:\s+o)?)\s*(?:(?:o|dia)\s+)*"
    r"(?P<d2>\d{1,2})(?:o)?"
    rf"\s+(?:de\s+)?(?:(?P<month>{MONTH})\b\.?|(?P<rel>{REL_MONTH})\b)"
    r"(?:,?\s+(?:de\s+)?(?P<year>\d{4})|\s+de\s+(?P<year2>\d{2}))?(?![\d:h])"
)
# "entre 28 e 30", "do dia 28 ao 30", "entre os dias 5 e 8": days of this month (or the next that has them), when
# the words say they are days or the numbers cannot be hours.
_BARE_DAY_RANGE = re.compile(
    r"\b(?:(?P<open>entre|de|do|dos|desde)\s+(?:[oa]s?\s+)?)?(?P<days>dias?\s+)?(?P<d1>\d{1,2})\s*"
    r"(?P<link>-|a|ao|ate(?:\s+o)?|e(?:\s+o)?)\s*(?P<day2>dia\s+)?(?P<d2>\d{1,2})\b"
    rf"(?![/:.]\d|\s*(?:h\b|hs\b|hrs?\b|horas?|min|reais|r\$|anos?|dias?|semanas?|meses|kg|graus|quilos?|pessoas?)"
    rf"|\s+(?:de\s+|do\s+)?(?:{MONTH}|{REL_MONTH})\b|\s*(?:da|de)\s+(?:manha|tarde|noite|madrugada))"
)
_HOURS_IN_DAY = 24
_MONTH_RANGE = re.compile(
    rf"\b(?:de|desde|entre)\s+(?P<m1>{FULL_MONTH})\s+(?:a|ate|e)\s+(?P<m2>{FULL_MONTH})\b"
    r"(?:\s+(?:de\s+)?(?P<year>\d{4})\b)?"
)
# "28/2-1/3", "10/1 a 11/2/2017": two numeric dates (day first) with the year, if any, said at the end.
_NUMERIC_RANGE = re.compile(
    r"(?<![\d/.-])(?P<d1>\d{1,2})/(?P<m1>\d{1,2})(?:/(?P<y1>\d{4}|\d{2}))?\s*(?:-|a|ate)\s*"
    r"(?P<d2>\d{1,2})/(?P<m2>\d{1,2})(?:/(?P<y2>\d{4}|\d{2}))?(?![\d/]|\s*(?:h\b|:|horas))"
)
# "novembro 19-20", "julho 3 a 5": a month name, then a range of its days.
_MONTH_FIRST_RANGE = re.compile(
    rf"\b(?P<month>{FULL_MONTH})\s+(?P<d1>\d{{1,2}})\s*(?:-|a|ate)\s*(?P<d2>\d{{1,2}})"
    r"(?:,?\s+(?:de\s+)?(?P<year>\d{4}))?(?![\d/:]|\s*(?:h\b|hs\b|horas))"
)
_LINK = re.compile(r"\s*(?:-|a|ao|ate(?:\s+(?:a|o|ao|as))?|e(?:\s+(?:o|a|as))?)\s*")
_ENTRE = re.compile(r"\bentre(?:\s+[oa]s?)?\s+$")
_OPENER = re.compile(r"\b(?:de|do|da|desde|entre(?:\s+[oa]s?)?|a\s+partir\s+d[eoa]s?)\s+$")
_SPANS = ("week", "month", "quarter", "year")


def day_ranges(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    today = now.date()
    if not has_digit(text):
        return
    for match in _DAY_RANGE.finditer(text):
        if match["link"].startswith("e") and not (match["open"] or "").startswith("entre"):
            continue  # "19 e 20 de novembro" are two days, not a range
        first_number, last_number = day_number(match["d1"]), day_number(match["d2"])
        if first_number is None or last_number is None or first_number >= last_number:
            continue
        last = _last_day(match, today, last_number, rules)
        first = safe_date(last.year, last.month, first_number) if last is not None else None
        if first is not None and last is not None:
            zone = now.tzinfo
            span = Interval(datetime.combine(first, time(0), tzinfo=zone),
                            datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone), "day")
            yield Found(match.start(), match.end(), "interval", interval=span)
    yield from _bare_day_ranges(text, now, rules)


def _bare_day_ranges(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    for match in _BARE_DAY_RANGE.finditer(text):
        if not (match["open"] or match["days"]) or match["link"].startswith("e") and match["open"] != "entre":
            continue  # "de 28 e 30": not a range
        first_number, last_number = int(match["d1"]), int(match["d2"])
        said_days = match["days"] or match["day2"] or match["open"] == "do"
        if not 1 <= first_number < last_number <= 31 or not (said_days or last_number > _HOURS_IN_DAY):
            continue
        last = day_of_month(now.date(), last_number, rules.prefer)
        first = safe_date(last.year, last.month, first_number) if last is not None else None
        if first is not None and last is not None:
            zone = now.tzinfo
            span = Interval(datetime.combine(first, time(0), tzinfo=zone),
                            datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone), "day")
            yield Found(match.start(), match.end(), "interval", interval=span)


def numeric_day_ranges(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    """ "28/2-1/3", "10/1-11/2/2017", "novembro 19-20": ranges of days written with numbers."""
    today = now.date()
    if not has_digit(text):
        return
    found: list[tuple[re.Match[str], tuple[int, int], tuple[int, int], int | None]] = []
    if "/" in text:
        for match in _NUMERIC_RANGE.finditer(text):
            year = year_of(match["y2"] or match["y1"], today, rules.prefer)
            found.append((match, (int(match["m1"]), int(match["d1"])), (int(match["m2"]), int(match["d2"])), year))
    if has_any(text, _FULL_MONTH_WORDS):
        for match in _MONTH_FIRST_RANGE.finditer(text):
            month = MONTHS[match["month"]]
            year = int(match["year"]) if match["year"] else None
            found.append((match, (month, int(match["d1"])), (month, int(match["d2"])), year))
    for match, (first_month, first_day), (last_month, last_day), year in found:
        last = month_day(today, last_month, last_day, year, rules.prefer)
        if last is None or not 1 <= first_month <= 12:
            continue
        first = safe_date(last.year, first_month, first_day)
        if first is not None and first > last:
            first = safe_date(last.year - 1, first_month, first_day)
        if first is None or first >= last or (last - first).days > 366:
            continue
        zone = now.tzinfo
        span = Interval(datetime.combine(first, time(0), tzinfo=zone),
                        datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone), "day")
        yield Found(match.start(), match.end(), "interval", interval=span)


def month_ranges(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    """ "de março a maio", "entre junho e agosto de 2027": whole months."""
    today = now.date()
    if not has_any(text, _FULL_MONTH_WORDS):
        return
    for match in _MONTH_RANGE.finditer(text):
        first_month, last_month = MONTHS[match["m1"]], MONTHS[match["m2"]]
        if match["year"]:
            last = date(int(match["year"]), last_month, 1)
            first = date(last.year - (first_month > last_month), first_month, 1)
        else:
            first = month_of_year(today, first_month, rules)
            last = date(first.year + (last_month < first_month), last_month, 1)
        end = month_start(last.year, last.month, 1)
        zone = now.tzinfo
        start = datetime.combine(max(first, today) if first <= today < end else first, time(0), tzinfo=zone)
        yield Found(match.start(), match.end(), "interval",
                    interval=Interval(start, datetime.combine(end, time(0), tzinfo=zone), "month"))


def _last_day(match: re.Match[str], today: date, number: int, rules: TemporalRules) -> date | None:
    if match["rel"]:
        rel = match["rel"]
        months = 1 if ("proximo" in rel or "vem" in rel) else -1 if ("passado" in rel or "anterior" in rel) else 0
        return day_of_month(today, number, rules.prefer, months)
    year = year_of(match["year"] or match["year2"], today, rules.prefer)
    return month_day(today, MONTHS[match["month"]], number, year, rules.prefer)


def compose(folded: str, items: list[Found], now: datetime) -> list[Found]:
    """Two days, moments or spans linked as a range ("de hoje até amanhã") become one interval."""
    out: list[Found] = []
    for item in items:
        previous = out[-1] if out else None
        joined = _range(folded, previous, item, now) if previous is not None else None
        if joined is not None:
            out[-1] = joined
        else:
            out.append(item)
    return out


def _range(folded: str, left: Found, right: Found, now: datetime) -> Found | None:
    gap = folded[left.end : right.start]
    if right.open == "before" and folded.startswith("ate", right.start) and not gap.strip():
        return _until(left, right)  # "das 16h de hoje até as 17h de amanhã"
    link = _LINK.fullmatch(gap)
    if link is None:
        return None
    before = folded[max(0, left.start - 12) : left.start]
    entre = _ENTRE.search(before)
    if link.group().strip().startswith("e") and entre is None:
        return None
    span = _span(left, right, now)
    if span is None or span.start >= span.end:
        return None
    opener = _OPENER.search(before)
    start = left.start - len(opener.group()) if opener is not None else left.start
    return Found(start, right.end, "interval", interval=span)


def _until(left: Found, right: Found) -> Found | None:
    if left.kind != "datetime" or left.moment is None or right.interval is None or left.moment >= right.interval.end:
        return None
    return Found(left.start, right.end, "interval", interval=Interval(left.moment, right.interval.end, "minute"))


def _span(left: Found, right: Found, now: datetime) -> Interval | None:
    if left.kind == "date" and right.kind == "date" and left.day and right.day:
        zone, first, last = now.tzinfo, left.day, right.day
        if first > last and right.weekday:  # "de segunda a sexta" said on a Wednesday: the Friday after
            last += timedelta(days=-(-(first - last).days // 7) * 7)
        elif first > last:  # "entre 1 de dezembro e 4 de fevereiro", said on 19 December
            first = safe_date(first.year - 1, first.month, first.day) or first
        return Interval(datetime.combine(first, time(0), tzinfo=zone),
                        datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone), "day")
    if left.kind == "datetime" and right.kind == "datetime" and left.moment and right.moment:
        return Interval(left.moment, right.moment, "minute")
    if left.interval is not None and right.interval is not None and left.interval.grain == right.interval.grain \
            and left.interval.grain in _SPANS:
        return Interval(left.interval.start, right.interval.end, left.interval.grain)
    return None
