"""Dates and times in pt-BR text: the rules of calendar_rules, calendar_spans, clock_rules,
clock_ranges and date_ranges, joined where a day and a time go together ("amanhã às 15h", "às 7
esta manhã"), with what the message rules out marked ("hoje não consigo, só amanhã")."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from nlu.calendar_rules import DAY_RULES
from nlu.calendar_spans import SPAN_RULES
from nlu.clock_ranges import clock_ranges, merge_ranges
from nlu.clock_rules import CLOCK_RULES, add_months
from nlu.date_ranges import compose, day_ranges, month_ranges, numeric_day_ranges
from nlu.numbers import COUNT, read_words
from nlu.temporal_types import DEFAULT_RULES, Found, Interval, TemporalRules
from nlu.text import fold

RULES = (*DAY_RULES, *SPAN_RULES, *CLOCK_RULES, clock_ranges, day_ranges, month_ranges,
         numeric_day_ranges)

# What may stand between a day and a time that belong together: "amanhã às 15h", "dia 12, 15h30".
_GLUE = re.compile(
    r"[\s,]*(?:(?:de|do|da|a|as|ao|pela|na|no|por\s+volta\s+das|e|em|cerca\s+das)\s+)?[\s,]*|t"
    r"|[\s,]+(?:em|no|na)\s+[a-z]{3,}[\s,]+"  # a place between them: "na sexta em Londres às 5"
)
# Around a weak item ("sex", "15.00"), the words that still leave it the whole answer.
_FILLER = re.compile(r"[\W\s]*(?:(?:pode\s+ser|prefiro|melhor|entao|ok|sim|na|no|o|a|e)\b[\W\s]*)*")
_CLAUSE_END = re.compile(r"[,.;!?]|\b(?:mas|so|porem|entao|prefiro|melhor)\b")
# "hoje não", "amanhã eu não posso", and a day said to be hard: "essa semana tá corrida", "amanhã é complicado"
_NEGATED_AFTER = re.compile(r"\s*(?:eu\s+)?(?:nao|n|nem)\b"
                            r"|\s*(?:(?:pra\s+mim|para\s+mim)\s+)?(?:ta|esta|e|fica|vai\s+ser)"
                            r"\s+(?:muito\s+|meio\s+|bem\s+|mt\s+)?"
                            r"(?:corrid[oa]|complicad[oa]|dificil|apertad[oa]|puxad[oa]|ruim|lotad[oa]|enrolad[oa])\b")
_NEXT_DENIED = re.compile(r"\s*(?:e\s+)?(?:nao|n)\s+")  # "quinta não hj", "quinta e não hoje": the next one
_NEGATED_BEFORE = re.compile(
    r"(?:\b(?:nao|n)\s+(?:[a-z]+\s+){0,3}|\b(?:menos|exceto|excepto|tirando|sem\s+ser|em\s+vez\s+de"
    r"|ao\s+inves\s+de|fora)\s+)$"
)


def find_temporal(text: str, now: datetime, rules: TemporalRules = DEFAULT_RULES) -> list[Found]:
    """Every date, time, period and interval in `text`, joined where a day and a time go together."""
    folded = fold(text)
    candidates = [found for rule in RULES for found in rule(folded, now, rules)]
    chosen = merge_ranges(folded, _non_overlapping(candidates))
    joined = compose(folded, _join(folded, chosen, now, rules), now)
    kept = [found for found in joined if not found.weak or _whole(folded, found) or _paired(folded, found, joined)]
    starts = frozenset(found.start for found in kept)
    return [_negation(folded, item, starts) for found in kept
            for item in _day_apart(folded, _open_span(folded, _counted_from(folded, found), now, rules), found)]


def _day_apart(folded: str, item: Found, said: Found) -> list[Found]:
    """A span open after a day that was said with a part of the day ("depois do natal de tarde"): the days from
    or after that day, and apart from them the part of the day, on any of them (not from the end of that
    afternoon)."""
    if item.open != "after" or said.kind != "interval" or said.day is None or said.period is None \
            or said.interval is None or said.interval.grain != "day_period" or item.interval is None:
        return [item]
    part = _LAST_WORDS.search(folded, said.start, said.end)
    if part is None or part.start() <= said.start:
        return [item]
    first = said.day if item.interval.start <= said.interval.start else said.day + timedelta(days=1)
    midnight = datetime.combine(first, time(0), tzinfo=item.interval.start.tzinfo)
    days = replace(item, end=part.start(), interval=Interval(midnight, midnight + _OPEN_HORIZON, "day"))
    return [days, replace(said, start=part.start(), day=None)]


_LAST_WORDS = re.compile(r"\s(?:(?:de|da|a|na|pela|no|do|bem|mais)\s+)*\w+\s*$")  # "... de tarde", "... cedo"


# "2 dias depois da sexta", "uma semana antes do dia 20", "2 semanas e 6 dias depois de sábado",
# "3 dias depois de amanhã": a count of days or larger units from the day said.
_FROM_COUNT = COUNT
_FROM_UNIT = r"dias?|semanas?|mes|meses|anos?"
_COUNTED_FROM = re.compile(
    rf"\b(?P<n>{_FROM_COUNT})\s+(?P<u>{_FROM_UNIT})(?:,?\s+e\s+(?P<n2>{_FROM_COUNT})\s+(?P<u2>{_FROM_UNIT}))?\s+"
    r"(?:(?P<dir>depois|dps|apos|antes|a\s+partir)\s+(?:d[eoa]s?\s+|d?es[st][ea]\s+)?(?:(?:o|a|dia)\s+)*)?$"
)
_DAYS_IN = {"dia": 1, "dias": 1, "semana": 7, "semanas": 7}


def _counted_from(folded: str, item: Found) -> Found:
    if item.kind != "date" or item.day is None:
        return item
    found = _COUNTED_FROM.search(folded[: item.start])
    if found is None:
        return item
    day, sign = item.day, -1 if found["dir"] == "antes" else 1
    if found["dir"] is None:  # "3 dias depois de amanhã": the count goes with "depois de"
        if not re.match(r"depois\s+de\s+amanha\b", folded[item.start :]):
            return item
        day -= timedelta(days=1)
    for raw, unit in ((found["n"], found["u"]), (found["n2"], found["u2"])):
        if raw is None:
            continue
        count = int(raw) if raw.isdigit() else read_words(raw.split())
        if not isinstance(count, int):
            return item
        if unit in _DAYS_IN:
            day += timedelta(days=sign * count * _DAYS_IN[unit])
        else:
            day = add_months(day, sign * count * (12 if unit.startswith("ano") else 1))
    return replace(item, start=found.start(), day=day, weekday=False)


# "antes de agosto": from now until the span said begins; "até o dia 30": until that day ends (in pt-BR the
# day is included: "a promoção vai até o dia 30"; `TemporalRules.until_includes`); "a partir do dia 12":
# from that day on; "depois do dia 12": from the day after. An open span after a day is bounded a year on.
_UNTIL = re.compile(r"\b(?:ate|antes\s+(?:d[eoa]s?|d?es[st][ea]))\s+(?:(?:o|a|os|as|dia)\s+)*$")
_FROM = re.compile(r"\ba\s+partir\s+(?:d[eoa]s?|d?es[st][ea])\s+(?:(?:o|a|dia)\s+)*$")
_AFTER = re.compile(r"\b(?:depois|dps)\s+(?:d[eoa]s?|d?es[st][ea])\s+(?:(?:o|a|dia)\s+)*$")
_OPEN_GRAINS = frozenset({"day_period", "week", "weekend", "month", "quarter", "year"})
_OPEN_HORIZON = timedelta(days=365)


def _open_span(folded: str, item: Found, now: datetime, rules: TemporalRules) -> Found:
    if item.open is not None:
        return item
    if item.kind == "date" and item.day is not None:
        midnight = datetime.combine(item.day, time(0), tzinfo=now.tzinfo)
        span = Interval(midnight, midnight + timedelta(days=1), "day")
    elif item.kind == "interval" and item.interval is not None and item.interval.grain in _OPEN_GRAINS:
        span = item.interval
    else:
        return item
    before = folded[: item.start]
    until = _UNTIL.search(before)
    own = until is None and re.match(r"ate\s", folded[item.start :]) is not None  # "até agosto" read whole
    if until is not None or own:
        start = until.start() if until is not None else item.start
        if item.weekday and folded.startswith("ate", start) and _whole(folded, replace(item, start=start)):
            return item  # "até amanhã!", "até segunda": a goodbye, or the day itself
        if span.start <= now:
            return item
        end = span.end if rules.until_includes and folded.startswith("ate", start) else span.start
        return Found(start, item.end, "interval", interval=Interval(now, end, "minute"),
                     open="before", negated=item.negated)
    for opener, first in ((_FROM.search(before), span.start), (_AFTER.search(before), span.end)):
        if opener is not None:
            return Found(opener.start(), item.end, "interval",
                         interval=Interval(first, first + _OPEN_HORIZON, "day"), open="after", negated=item.negated)
    return item


def _non_overlapping(candidates: list[Found]) -> list[Found]:
    chosen: list[Found] = []
    for found in sorted(candidates, key=lambda f: (-f.size, f.start)):
        if all(found.end <= other.start or found.start >= other.end for other in chosen):
            chosen.append(found)
    return sorted(chosen, key=lambda f: f.start)


def _join(folded: str, items: list[Found], now: datetime, rules: TemporalRules) -> list[Found]:
    joined: list[Found] = []
    for item in items:
        previous = joined[-1] if joined else None
        merged = _merge(previous, item, now, rules) if previous is not None and _glued(folded, previous, item) else None
        if merged is not None:
            joined[-1] = merged
        else:
            joined.append(item)
    return [_alone(item, now, rules) for item in joined]


def _glued(folded: str, left: Found, right: Found) -> bool:
    return _GLUE.fullmatch(folded[left.end : right.start]) is not None


def _merge(left: Found, right: Found, now: datetime, rules: TemporalRules) -> Found | None:
    start, end = min(left.start, right.start), max(left.end, right.end)
    for first, second in ((left, right), (right, left)):
        merged = _merge_ordered(first, second, now, rules)
        if merged is not None:
            return replace(merged, start=start, end=end, weak=False)
    return None


def _merge_ordered(first: Found, other: Found, now: datetime, rules: TemporalRules) -> Found | None:
    if first.counted and first.day is not None and other.kind == "date" and other.weekday and other.day is not None \
            and not other.counted:  # "daqui duas semanas na terça": that week's Tuesday
        day = first.day + timedelta(days=other.day.weekday() - first.day.weekday())
        return Found(0, 0, "date", day=max(day, other.day), weekday=True)
    if first.kind == "date" and first.day is not None:
        return _on_day(first.day, first.weekday, other, now, rules)
    if first.kind == "datetime" and first.weekday and first.clock is not None and other.kind == "date" \
            and other.day is not None and not other.weekday:  # "às 13h30 de sábado, dia 21 de setembro"
        return _on_day(other.day, False, replace(first, kind="time", day=None, moment=None), now, rules)
    if first.kind == "interval" and first.day is not None and first.period and other.kind == "time":
        return _on_day(first.day, False, other, now, rules, first.period)  # "amanhã de manhã às 7"
    if first.kind == "interval" and first.day is not None and first.period and other.kind == "period" \
            and other.clock is not None and other.until is not None:
        return _range_in_period(first, other, now, rules)  # "quinta de manhã a partir das 10"
    if other.kind != "period" or other.period is None:
        return None  # a clock range ("das 14h às 16h") has no period; "fim da tarde" has both
    if first.kind == "time" and first.clock is not None:  # "às 7 esta manhã", "a tarde as 7"
        clock = _in_period(first.clock, first.shifted, other.period)
        if other.day is None:
            return Found(0, 0, "time", clock=clock, period=other.period)
        moment = datetime.combine(other.day, clock, tzinfo=now.tzinfo)
        return Found(0, 0, "datetime", day=other.day, clock=clock, moment=moment)
    if first.kind == "datetime" and first.moment is not None and first.clock is not None:
        clock = _in_period(first.clock, first.shifted, other.period)  # "as cinco amanhã pela manhã"
        moment = datetime.combine(first.moment.date(), clock, tzinfo=now.tzinfo)
        return replace(first, clock=clock, moment=moment, shifted=False)
    return None


def _on_day(day: date, by_weekday: bool, other: Found, now: datetime, rules: TemporalRules,
            period: str | None = None) -> Found | None:
    """A day and what goes with it: an explicit date said next to a weekday, a time, a period."""
    zone = now.tzinfo
    if other.kind == "date" and other.day is not None and by_weekday and not other.weekday and not other.counted:
        return other  # "sexta, 12 de setembro": the explicit date
    if other.kind == "time" and other.clock is not None:
        clock = _in_period(other.clock, other.shifted, period) if period else other.clock
        moment = datetime.combine(day, clock, tzinfo=zone)
        if clock == time(0) and other.period is None and period is None:
            moment += timedelta(days=1)  # "amanhã à meia-noite": the midnight that ends that day
        return Found(0, 0, "datetime", day=day, clock=clock, moment=moment, shifted=other.shifted and not period,
                     weekday=by_weekday)
    if other.kind == "period":
        interval = _period_interval(day, other, now, rules)
        return Found(0, 0, "interval", day=day, interval=interval, period=other.period, open=other.open,
                     from_clock=other.from_clock)
    return None


def _range_in_period(day_part: Found, span: Found, now: datetime, rules: TemporalRules) -> Found | None:
    """A clock range said after a day and its part of the day, read inside that part: "terça à tarde depois
    das 4" is 16:00 to the afternoon's end, "quinta pela manhã das 9 e meia em diante" 09:30 to noon. None
    when the range falls outside the part of the day."""
    assert day_part.day is not None and day_part.period and span.clock is not None and span.until is not None
    first, last = rules.periods[day_part.period]
    zone = now.tzinfo
    low = datetime.combine(day_part.day, time(first), tzinfo=zone)
    high = low + timedelta(hours=last - first)
    for shift in (0, -12, 12):  # "de manhã entre 7 e 9" read as 19-21 by the afternoon rule is 7-9
        start = datetime.combine(day_part.day, span.clock, tzinfo=zone) + timedelta(hours=shift)
        until = datetime.combine(day_part.day, span.until, tzinfo=zone) + timedelta(hours=shift)
        if span.open == "before":  # "quinta de manhã antes das 10": from the morning's start
            if until.date() != day_part.day or not low < until <= high:
                continue
            start = low
        elif start.date() != day_part.day or not low <= start < high:
            continue
        end = min(until if span.open != "after" and until > start else high, high)
        return Found(0, 0, "interval", day=day_part.day, interval=Interval(start, end, "hour"),
                     period=day_part.period, open=span.open, from_clock=span.from_clock)
    return None


def _in_period(clock: time, shifted: bool, period: str) -> time:
    """`clock` read in `period`: 7 (moved to 19 by the afternoon rule) is 7 in the morning."""
    hour = clock.hour
    if period in ("manha", "madrugada") and shifted:
        hour -= 12
    elif period in ("tarde", "noite") and hour < 12:
        hour += 12
    return clock.replace(hour=hour % 24)


def _period_interval(day: date, item: Found, now: datetime, rules: TemporalRules) -> Interval:
    zone = now.tzinfo
    if item.clock is not None and item.until is not None:
        start = datetime.combine(day, item.clock, tzinfo=zone)
        end = datetime.combine(day, item.until, tzinfo=zone)
        if end <= start:
            end += timedelta(days=1)  # "antes da meia-noite": until the midnight that ends the day
        return Interval(start, end, "hour")
    first, last = rules.periods[item.period or ""]
    start = datetime.combine(day, time(first), tzinfo=zone)
    return Interval(start, start + timedelta(hours=last - first), "day_period")


def _alone(item: Found, now: datetime, rules: TemporalRules) -> Found:
    if item.kind != "period":
        return item
    interval = _period_interval(item.day or now.date(), item, now, rules)  # no day said: today's
    return Found(item.start, item.end, "interval", day=item.day, interval=interval, period=item.period,
                 open=item.open, from_clock=item.from_clock, weak=item.weak)


_OR_AND = re.compile(r"\s*(?:,\s*)?(?:ou|e|,)\s*")


def _paired(folded: str, item: Found, items: list[Found]) -> bool:
    """A weak weekday said with another one ("qui ou sex", "seg e qua"): days, both of them."""
    return item.weekday and any(
        other is not item and other.weekday
        and _OR_AND.fullmatch(folded[min(item.end, other.end):max(item.start, other.start)]) is not None
        for other in items)


def _whole(folded: str, item: Found) -> bool:
    return all(_FILLER.fullmatch(part) is not None for part in (folded[: item.start], folded[item.end :]))


def _negation(folded: str, item: Found, starts: frozenset[int] = frozenset()) -> Found:
    """`item` ruled out by a "não" before or after it; `starts`: where the message's other items begin ("quinta
    não hj": the "não" is today's)."""
    before = folded[: item.start]
    ends = list(_CLAUSE_END.finditer(before))
    clause_before = before[ends[-1].end() :] if ends else before
    after = folded[item.end :]
    stop = _CLAUSE_END.search(after)
    clause_after = after[: stop.start()] if stop else after
    denied = _NEGATED_AFTER.match(clause_after)
    if denied is not None and (nxt := _NEXT_DENIED.match(clause_after)) is not None and item.end + len(nxt.group()) \
            in starts:
        denied = None
    if denied or _NEGATED_BEFORE.search(clause_before):
        return _flipped(item) or replace(item, negated=True)
    return item


def _flipped(item: Found) -> Found | None:
    """An open span ruled out is the other side of its hour: "só não pode antes das 10" is from 10 on, "depois
    das 16h não dá" until 16h. None for anything else."""
    span = item.interval
    if item.kind != "interval" or span is None or item.open not in ("after", "before") or span.grain != "hour":
        return None
    day = span.start.date() if item.open == "before" else span.end.date()
    zone = span.start.tzinfo
    if item.open == "before":
        return replace(item, interval=Interval(span.end, datetime.combine(day, time(23, 59), tzinfo=zone), "hour"),
                       open="after", from_clock=False)
    return replace(item, interval=Interval(datetime.combine(day, time(0), tzinfo=zone), span.start, "hour"),
                   open="before", from_clock=False)


def next_occurrence(clock: time, now: datetime) -> datetime:
    """The next moment at `clock` from `now`: today if still ahead, else tomorrow."""
    moment = datetime.combine(now.date(), clock, tzinfo=now.tzinfo)
    return moment if moment > now else moment + timedelta(days=1)
