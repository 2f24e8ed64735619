"""`parse_date`, `parse_time`, `parse_datetime`: what an `ask` step of those types accepts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time

from nlu.errors import NaiveDatetime
from nlu.temporal import find_temporal, next_occurrence
from nlu.temporal_fallback import fallback_search, impossible_day
from nlu.temporal_types import DEFAULT_RULES, Found, Prefer, TemporalRules
from nlu.text import fold

_DAY_GRAINS = ("day_period", "hour")


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise NaiveDatetime(
            "`now` must be timezone-aware (e.g. datetime.now(ZoneInfo('America/Sao_Paulo'))), "
            f"got naive {now.isoformat()}"
        )


def _wanted(text: str, now: datetime, rules: TemporalRules, prefer: Prefer | None) -> list[Found]:
    """What the text names, without what it rules out ("hoje não consigo, só amanhã" is amanhã)."""
    _require_aware(now)
    if prefer is not None and prefer != rules.prefer:
        rules = replace(rules, prefer=prefer)
    return find_temporal(text, now, rules)


def _day_of(found: Found) -> date | None:
    if found.negated:
        return None
    if found.kind == "date":
        return found.day
    if found.kind == "datetime" and found.moment is not None:
        return found.moment.date()
    if found.kind == "interval" and found.interval is not None and found.interval.grain in _DAY_GRAINS:
        return found.interval.start.date()
    return None


def parse_date(
    text: str, now: datetime, *, rules: TemporalRules = DEFAULT_RULES, fallback: bool = False,
    prefer: Prefer | None = None,
) -> date | None:
    """The day the text names ("amanhã", "quinta", "dia 20", "20/03", "sexta à tarde", "Natal"), or None.

    Whole weeks or months ("semana que vem") are not one day: they give None, so the step asks again.
    `prefer="past"` reads a date that does not say which way it goes as the last one ("dia 5", "sexta",
    "31/10/74" for a birth date); `fallback` asks `dateparser` when the rules find nothing.
    """
    found_items = _wanted(text, now, rules, prefer)
    for found in found_items:
        day = _day_of(found)
        if day is not None:
            return day
    if fallback and not found_items:
        for _, moment in fallback_search(text, now):
            return moment.date()
    return None


def parse_time(
    text: str, now: datetime, *, rules: TemporalRules = DEFAULT_RULES, fallback: bool = False
) -> time | None:
    """The clock time the text names ("15h30", "3 da tarde", "meio-dia e meia"), naive, or None."""
    found_items = _wanted(text, now, rules, None)
    for found in found_items:
        if found.negated:
            continue
        if found.kind == "time" and found.clock is not None:
            return found.clock
        if found.kind == "datetime" and found.moment is not None:
            return found.moment.time()
        if found.from_clock and found.interval is not None:  # "a partir das 14h"
            return found.interval.start.time()
    if fallback and not found_items:
        for matched, moment in fallback_search(text, now):
            if any(char.isdigit() for char in matched) and moment.time() != time(0):
                return moment.time()
    return None


def parse_datetime(
    text: str, now: datetime, *, rules: TemporalRules = DEFAULT_RULES, fallback: bool = False,
    prefer: Prefer | None = None,
) -> datetime | None:
    """The moment the text names, aware in now's zone, or None when no clock time is given.

    A time alone means its next occurrence ("às 9" at 10:00 is tomorrow 09:00); a day alone gives None.
    """
    _require_aware(now)
    if impossible_day(fold(text)):
        return None  # "31 de junho às 10h" is no moment, not "10h" alone
    found_items = _wanted(text, now, rules, prefer)
    for found in found_items:
        if found.negated:
            continue
        if found.kind == "datetime" and found.moment is not None:
            return found.moment
        if found.kind == "time" and found.clock is not None:
            return next_occurrence(found.clock, now)
        if found.from_clock and found.interval is not None:  # "a partir das 14h de sexta"
            return found.interval.start if found.day is not None else next_occurrence(found.interval.start.time(), now)
    if fallback and not found_items:
        for _, moment in fallback_search(text, now):
            if moment.time() != time(0):
                return moment
    return None
