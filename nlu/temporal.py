"""Dates and times in pt-BR text: rules first, then `dateparser` as a fallback."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from nlu.calendar_rules import DAY_RULES
from nlu.clock_ranges import merge_ranges
from nlu.clock_rules import CLOCK_RULES
from nlu.temporal_types import DEFAULT_RULES, Found, Interval, TemporalRules
from nlu.text import fold

# What may stand between a day and a time that belong together: "amanhã às 15h", "dia 12, 15h30".
_GLUE = re.compile(r"[\s,]*(?:(?:de|a|as|ao|pela|na|no|por\s+volta\s+das|e)\s+)?[\s,]*")


def find_temporal(text: str, now: datetime, rules: TemporalRules = DEFAULT_RULES) -> list[Found]:
    """Every date, time, period and interval in `text`, joined where a day and a time go together."""
    folded = fold(text)
    candidates = [found for rule in (*DAY_RULES, *CLOCK_RULES) for found in rule(folded, now, rules)]
    chosen = merge_ranges(folded, _non_overlapping(candidates))
    return _join(folded, chosen, now, rules)


def _non_overlapping(candidates: list[Found]) -> list[Found]:
    chosen: list[Found] = []
    for found in sorted(candidates, key=lambda f: (-f.size, f.start)):
        if all(found.end <= other.start or found.start >= other.end for other in chosen):
            chosen.append(found)
    return sorted(chosen, key=lambda f: f.start)


def _join(folded: str, items: list[Found], now: datetime, rules: TemporalRules) -> list[Found]:
    joined: list[Found] = []
    index = 0
    while index < len(items):
        current = items[index]
        following = items[index + 1] if index + 1 < len(items) else None
        if following is not None and _glued(folded, current, following):
            merged = _merge(current, following, now, rules)
            if merged is not None:
                joined.append(merged)
                index += 2
                continue
        joined.append(_alone(current, now, rules))
        index += 1
    return joined


def _glued(folded: str, left: Found, right: Found) -> bool:
    return _GLUE.fullmatch(folded[left.end : right.start]) is not None


def _merge(left: Found, right: Found, now: datetime, rules: TemporalRules) -> Found | None:
    day_item, clock_item = (left, right) if left.kind == "date" else (right, left)
    if day_item.kind != "date" or day_item.day is None or clock_item.kind not in ("time", "period"):
        return None
    start, end = min(left.start, right.start), max(left.end, right.end)
    zone = now.tzinfo
    if clock_item.kind == "time" and clock_item.clock is not None:
        moment = datetime.combine(day_item.day, clock_item.clock, tzinfo=zone)
        if clock_item.clock == time(0) and clock_item.period is None:
            moment += timedelta(days=1)  # "amanhã à meia-noite": the midnight that ends that day
        return Found(start, end, "datetime", day=day_item.day, clock=clock_item.clock, moment=moment)
    interval = _period_interval(day_item.day, clock_item, now, rules)
    return Found(start, end, "interval", day=day_item.day, interval=interval, period=clock_item.period)


def _period_interval(day: date, item: Found, now: datetime, rules: TemporalRules) -> Interval:
    zone = now.tzinfo
    if item.clock is not None and item.until is not None:
        return Interval(datetime.combine(day, item.clock, tzinfo=zone), datetime.combine(day, item.until, tzinfo=zone),
                        "hour")
    first, last = rules.periods[item.period or ""]
    start = datetime.combine(day, time(first), tzinfo=zone)
    return Interval(start, start + timedelta(hours=last - first), "day_period")


def _alone(item: Found, now: datetime, rules: TemporalRules) -> Found:
    if item.kind != "period":
        return item
    interval = _period_interval(now.date(), item, now, rules)
    return Found(item.start, item.end, "interval", day=now.date(), interval=interval, period=item.period)


def next_occurrence(clock: time, now: datetime) -> datetime:
    """The next moment at `clock` from `now`: today if still ahead, else tomorrow."""
    moment = datetime.combine(now.date(), clock, tzinfo=now.tzinfo)
    return moment if moment > now else moment + timedelta(days=1)
