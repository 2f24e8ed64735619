"""pt-BR rules for spans of days: weeks ("semana passada", "a primeira semana de abril"), weekends,
months ("mês passado", "em junho de 2026", "3/2026"), quarters, years, and counted spans
("os próximos 3 dias", "últimos 2 meses")."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta

from nlu.calendar_rules import FULL_MONTH, MONTH, MONTH_WORDS, year_of
from nlu.lexicon import MONTHS, ORDINALS
from nlu.numbers import COUNT, read_words
from nlu.temporal_types import Found, Grain, Interval, TemporalRules, has_any, has_digit, tokens

_THIS = r"(?:n?este|n?esse|n?esta|n?essa)"
_WEEK = re.compile(
    r"\b(?:(?P<next>(?:na\s+)?(?:semana\s+q(?:ue)?\s+vem|proxima\s+semana|outra\s+semana|semana\s+seguinte))"
    r"|(?P<this>" + _THIS + r"\s+semana)"
    r"|(?P<last>(?:na\s+)?(?:semana\s+(?:passada|anterior)|(?:passada|anterior|ultima)\s+semana))"
    r"|(?P<before_last>(?:na\s+)?semana\s+retrasada))\b"
)
_WEEK_OF = re.compile(
    r"\b(?P<ord>primeira|segunda|terceira|quarta|quinta|ultima)\s+semana\s+"
    rf"(?:(?:de|do|em)\s+(?P<month>{MONTH})\b\.?|(?P<rel>d[eo]s[st]e\s+mes|do\s+mes(?:\s+q(?:ue)?\s+vem)?"
    r"|do\s+proximo\s+mes)|(?:de\s+)?(?P<year>\d{4}))"
)
_WEEKEND = re.compile(
    r"\b(?:(?P<next>proximo)\s+)?(?:" + _THIS + r"\s+)?(?:fim|final)\s+de\s+semana"
    r"(?:\s+(?P<after>q(?:ue)?\s+vem|passado))?\b|\bfds\b"
)
# "o primeiro fim de semana de setembro", "o último final de semana do mês": by its Saturday.
_NTH_WEEKEND = re.compile(
    r"\b(?P<ord>primeiro|segundo|terceiro|quarto|ultimo)\s+(?:fim|final)\s+de\s+semana\s+"
    rf"(?:(?:de|do|em)\s+(?:mes\s+de\s+)?(?P<month>{FULL_MONTH})\b|(?P<rel>d[eo]s[st]e\s+mes|do\s+mes(?:\s+q(?:ue)?\s+vem)?"
    r"|do\s+proximo\s+mes))"
)
_MONTH_RE = re.compile(
    r"\b(?:(?P<next>mes\s+q(?:ue)?\s+vem|proximo\s+mes)|(?P<this>(?:n?este|n?esse)\s+mes)(?!\s+que)"
    r"|(?P<last>mes\s+(?:passado|anterior)|ultimo\s+mes)(?!\s+(?:de\s+)?\d)|(?P<before_last>mes\s+retrasado)"
    r"|(?:(?P<mod>em|no\s+mes\s+de|(?:durante\s+)?o\s+mes\s+de|durante|para|pra|ate|n?este|n?esse|o\s+proximo|no\s+proximo|proximo|o\s+ultimo"
    rf"|no\s+ultimo|ultimo)\s+)?(?P<name>{FULL_MONTH})\b(?:\s+(?:de\s+)?(?P<year>\d{{4}})\b|\s+de\s+(?P<year2>\d\d)\b"
    r"|\s+d[eo]\s+(?P<yrel>proximo\s+ano|ano\s+q(?:ue)?\s+vem|ano\s+passado|(?:d?es[st]e|n?es[st]e)\s+ano))?)"
)
_DAY_BEFORE = re.compile(r"(?<![\d/.:-])\d{1,2}\s*(?:de\s+)?$")
_ORDINAL_MONTH = re.compile(
    r"\b(?P<ord>decimo\s+(?:primeiro|segundo)|primeiro|segundo|terceiro|quarto|quinto|sexto|setimo|oitavo|nono"
    r"|decimo|ultimo)\s+mes(?:\s+(?:de\s+)?(?P<year>\d{4}))?\b"
)
_NUMERIC_MONTH = re.compile(
    r"(?<![\d/.-])(?:(?P<m>\d{1,2})/(?P<y>\d{4})|(?P<y2>\d{4})[/.-](?P<m2>\d{1,2}))(?![\d/.-])"
)
_QUARTER = re.compile(
    r"\b(?:(?P<ord>primeiro|segundo|terceiro|quarto|ultimo)\s+trimestre(?:\s+(?:de\s+)?(?P<year>\d{4}))?"
    r"|(?:(?P<mod>n?este|n?esse|proximo|o\s+proximo|no\s+proximo)\s+)?trimestre"
    r"(?:\s+(?P<after>atual|actual|passado|anterior|q(?:ue)?\s+vem))?)\b"
)
_YEAR_RE = re.compile(
    r"\b(?:(?P<next>ano\s+q(?:ue)?\s+vem|proximo\s+ano)|(?P<this>(?:n?este|n?esse)\s+ano)"
    r"|(?P<last>ano\s+(?:passado|anterior)|ultimo\s+ano)|(?:em|no\s+ano\s+de|ano\s+de|o\s+ano\s+de)\s+(?P<y>(?:19|20)\d\d))\b"
)
_BARE_YEAR = re.compile(r"(?<![\d/.:,-])(?:19|20)\d\d(?![\d/.:,-])")
_COUNT_WORDS = _COUNT = COUNT
_UNIT = r"dias?|semanas?|mes|meses|anos?|horas?|minutos?|mins?|segundos?"
_COUNTED = re.compile(
    rf"\b(?:(?P<d1>proxim[oa]s?|ultim[oa]s|passad[oa]s)\s+(?P<n1>{_COUNT})\s+(?P<u1>{_UNIT})"
    rf"|(?P<n2>{_COUNT})\s+(?:(?P<d2>proxim[oa]s|ultim[oa]s|anteriores)\s+(?P<u2>{_UNIT})"
    rf"|(?P<u3>{_UNIT})\s+(?P<d3>q(?:ue)?\s+vem|anteriores|seguintes|passad[oa]s)))\b"
)
_UNITS: dict[str, Grain] = {
    "dia": "day", "dias": "day", "semana": "week", "semanas": "week", "mes": "month", "meses": "month",
    "ano": "year", "anos": "year", "hora": "hour", "horas": "hour", "minuto": "minute", "minutos": "minute",
    "segundo": "second", "segundos": "second", "min": "minute", "mins": "minute",
}


_WEEK_WORDS = frozenset({"semana", "fds"})
_MONTH_RULE_WORDS = MONTH_WORDS | {"mes"}
# A unit counted inside a year: "semana 27 do ano passado", "9o mês do próximo ano", "as últimas 3
# semanas deste ano", "os primeiros dez dias de 2027". Weeks are whole (Monday to Sunday) and inside the year.
_OF_YEAR = (
    r"(?:d[eo]\s+(?:(?P<next>ano\s+q(?:ue)?\s+vem|proximo\s+ano)|(?P<last>ano\s+(?:passado|anterior)|ultimo\s+ano)"
    r"|(?P<this>(?:n?es[st]e|corrente)\s+ano)|(?P<y>(?:19|20)\d\d))|(?P<this2>des[st]e\s+ano))\b"
)
_NTH_OF_YEAR = re.compile(
    r"\b(?:semana\s+(?P<week>\d{1,2})|(?P<week2>\d{1,2})\s*(?:a|ª|º|°)\s+semana"
    r"|(?P<month>\d{1,2})\s*(?:o|º|°)\s+mes|(?P<ord>[a-z]+)\s+mes)\s+" + _OF_YEAR
)
_EDGE_OF_YEAR = re.compile(
    r"\b(?P<edge>primeir[oa]s|ultim[oa]s)\s+(?P<n>" + _COUNT_WORDS + r")\s+(?P<unit>dias|semanas|meses)\s+" + _OF_YEAR
)
# "a próxima década" (2020-2029 said in 2018), "a última década", "nesta década".
_DECADE = re.compile(
    r"\b(?:(?P<next>proxima\s+decada|decada\s+q(?:ue)?\s+vem)|(?P<last>ultima\s+decada|decada\s+passada)"
    r"|(?:n?es[st]a\s+decada|decada\s+atual))\b"
)
# A part of a month or a week: "no começo de abril", "meados de dezembro", "no final do mês", "na segunda
# quinzena de abril", "no meio da semana". A month's beginning, middle and end are its three tens of days
# (1-10, 11-20, 21 to the end, as Brazilian calendars and bills count them: "decêndios"), its fortnights
# 1-15 and 16 to the end; a week's beginning is Monday and Tuesday, its middle Wednesday and Thursday, its
# end Thursday to Sunday. "fim de semana" is the weekend (above), never the end of a week.
_PART_WORDS = frozenset({"comeco", "inicio", "principio", "meio", "metade", "meados", "final", "fim", "finalzinho",
                         "quinzena"})
_PART_OF = re.compile(
    r"\b(?:(?P<part>comeco|inicio|principio|meio|metade|meados|finalzinho|final|fim)\b"
    r"|(?P<half>primeira|segunda|1a|2a)\s+quinzena\b)(?:\s+(?P<of>de|do|da|n?es[st][ea]|d?es[st][ea])\s+"
    rf"(?:(?:mes\s+de\s+)?(?P<month>{FULL_MONTH})\b(?:\s+(?:de\s+)?(?P<year>\d{{4}})\b)?"
    r"|(?P<mrel>(?:(?:n?es[st]e|proximo)\s+)?mes(?:\s+(?:q(?:ue)?\s+vem|passado))?)\b"
    r"|(?P<wrel>(?:(?:n?es[st]a|proxima)\s+)?semana(?:\s+(?:q(?:ue)?\s+vem|passada))?)\b))?"
)
_MONTH_PARTS = {"comeco": (1, 10), "inicio": (1, 10), "principio": (1, 10), "meio": (11, 20), "metade": (11, 20),
                "meados": (11, 20), "final": (21, 31), "fim": (21, 31), "finalzinho": (21, 31),
                "primeira": (1, 15), "1a": (1, 15), "segunda": (16, 31), "2a": (16, 31)}
_WEEK_PARTS = {"comeco": (0, 1), "inicio": (0, 1), "principio": (0, 1), "meio": (2, 3), "metade": (2, 3),
               "meados": (2, 3), "final": (3, 6), "fim": (3, 6), "finalzinho": (3, 6)}


def _parts_of_spans(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    today = now.date()
    if not has_any(text, _PART_WORDS):
        return
    for match in _PART_OF.finditer(text):
        part = match["part"] or match["half"]
        if not (match["month"] or match["mrel"] or match["wrel"]) and not match["half"]:
            continue  # "no final", "no começo": of what, it does not say
        if match["wrel"]:
            if match["of"] == "de" or part not in _WEEK_PARTS:
                continue  # "fim de semana" is the weekend
            first, last = _part_of_week(match["wrel"], today, _WEEK_PARTS[part])
        else:
            month = _month_of_part(match, today, rules)
            if month is None:
                continue
            first, last = _part_of_month(month, _MONTH_PARTS[part])
            # "no começo do mês" said on the 15th: the next one
            if match["mrel"] in ("mes", None) and not match["month"] and last < today:
                first, last = _part_of_month(month_start(month.year, month.month, 1), _MONTH_PARTS[part])
        if rules.prefer == "future" and first <= today <= last:
            first = today
        yield Found(match.start(), match.end(), "interval", interval=_span(now, first, last + timedelta(days=1), "day"))


def _part_of_month(month: date, days: tuple[int, int]) -> tuple[date, date]:
    end_of_month = month_start(month.year, month.month, 1) - timedelta(days=1)
    return month.replace(day=days[0]), min(month + timedelta(days=days[1] - 1), end_of_month)


def _month_of_part(match: re.Match[str], today: date, rules: TemporalRules) -> date | None:
    if match["month"]:
        if match["year"]:
            return date(int(match["year"]), MONTHS[match["month"]], 1)
        return month_of_year(today, MONTHS[match["month"]], rules)
    rel = match["mrel"] or "mes"  # "na segunda quinzena": of this month
    moved = 1 if ("proximo" in rel or "vem" in rel) else -1 if "passado" in rel else 0
    return month_start(today.year, today.month, moved)


def _part_of_week(rel: str, today: date, days: tuple[int, int]) -> tuple[date, date]:
    monday = today - timedelta(days=today.weekday())
    if "proxima" in rel or "vem" in rel:
        monday += timedelta(days=7)
    elif "passada" in rel:
        monday -= timedelta(days=7)
    elif rel == "semana" and today > monday + timedelta(days=days[1]):
        monday += timedelta(days=7)  # "no começo da semana" said on a Friday: next week's
    return monday + timedelta(days=days[0]), monday + timedelta(days=days[1])


_COUNTED_WORDS = frozenset({"proximo", "proxima", "proximos", "proximas", "ultimos", "ultimas", "passados",
                            "passadas", "anteriores", "vem", "seguintes"})


def _span(now: datetime, first: date, last_exclusive: date, grain: Grain) -> Interval:
    zone = now.tzinfo
    start = datetime.combine(first, time(0), tzinfo=zone)
    return Interval(start, datetime.combine(last_exclusive, time(0), tzinfo=zone), grain)


def month_start(year: int, month: int, months: int = 0) -> date:
    """The first day of `month` of `year`, moved `months` months."""
    index = month - 1 + months
    return date(year + index // 12, index % 12 + 1, 1)


def _weeks(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    today = now.date()
    monday = today - timedelta(days=today.weekday())
    if not has_any(text, _WEEK_WORDS):
        return
    for match in _WEEK.finditer(text):
        if match["this"]:
            span = _span(now, today, monday + timedelta(days=7), "week")
        else:
            first = monday + timedelta(days=7 if match["next"] else -14 if match["before_last"] else -7)
            span = _span(now, first, first + timedelta(days=7), "week")
        yield Found(match.start(), match.end(), "interval", interval=span)
    for match in _WEEK_OF.finditer(text):
        monday_of = _week_of(match, today, rules)
        if monday_of is not None:
            span = _span(now, monday_of, monday_of + timedelta(days=7), "week")
            yield Found(match.start(), match.end(), "interval", interval=span)
    for match in _NTH_WEEKEND.finditer(text):
        rel = match["rel"] or ""
        first = (month_of_year(today, MONTHS[match["month"]], rules) if match["month"]
                 else month_start(today.year, today.month, 1 if "vem" in rel or "proximo" in rel else 0))
        saturdays = [first + timedelta(days=(5 - first.weekday()) % 7 + 7 * n) for n in range(5)]
        saturdays = [day for day in saturdays if day.month == first.month]
        saturday = saturdays[-1] if match["ord"] == "ultimo" else saturdays[ORDINALS[match["ord"]] - 1]
        span = _span(now, saturday, saturday + timedelta(days=2), "weekend")
        yield Found(match.start(), match.end(), "interval", interval=span)
    for match in _WEEKEND.finditer(text):
        saturday = monday + timedelta(days=5)
        if match["after"] == "passado":
            saturday -= timedelta(days=7)
        elif (match["next"] or match["after"]) and today >= saturday:
            saturday += timedelta(days=7)
        first = saturday if match["after"] == "passado" else max(today, saturday)
        span = _span(now, first, saturday + timedelta(days=2), "weekend")
        yield Found(match.start(), match.end(), "interval", interval=span)


def _week_of(match: re.Match[str], today: date, rules: TemporalRules) -> date | None:
    """The Monday of the nth (or last) week of a month or year; a week belongs where its Thursday is."""
    nth = ORDINALS[match["ord"]] if match["ord"] != "ultima" else -1
    if match["year"]:
        year = int(match["year"])
        return date.fromisocalendar(year, nth, 1) if nth > 0 else date.fromisocalendar(year + 1, 1, 1) - timedelta(7)
    if match["month"]:
        first = month_of_year(today, MONTHS[match["month"]], rules)
    else:
        first = month_start(today.year, today.month, 1 if "vem" in match["rel"] or "proximo" in match["rel"] else 0)
    if nth > 0:
        thursday = first + timedelta(days=(3 - first.weekday()) % 7 + 7 * (nth - 1))
    else:
        last = month_start(first.year, first.month, 1) - timedelta(days=1)
        thursday = last - timedelta(days=(last.weekday() - 3) % 7)
    return thursday - timedelta(days=3) if thursday.month == first.month else None


def _months(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    today = now.date()
    named = has_any(text, _MONTH_RULE_WORDS)
    for match in _MONTH_RE.finditer(text) if named else ():
        if match["name"] and not match["mod"] and _DAY_BEFORE.search(text, 0, match.start()):
            continue  # a day the month does not have ("32 agosto 2014", "29 fevereiro 2014") is no month
        first = _month_named(match, today, rules)
        # a month name alone ("Marco" is also a name) is read only as the whole answer: "junho"
        alone = first is None and match["name"] is not None and not match["mod"]
        if alone:
            first = month_of_year(today, MONTHS[match["name"]], rules)
        if first is None:
            continue
        end = month_start(first.year, first.month, 1)
        span = _span(now, today if first <= today < end else first, end, "month")
        yield Found(match.start(), match.end(), "interval", interval=span, weak=alone)
    for match in _ORDINAL_MONTH.finditer(text) if named else ():
        year = int(match["year"]) if match["year"] else today.year
        if match["ord"] == "ultimo" and not match["year"]:
            continue  # "último mês" is last month (above)
        words = match["ord"].split()
        number = 12 if match["ord"] == "ultimo" else sum(ORDINALS[word] for word in words)
        if 1 <= number <= 12:
            first = date(year, number, 1)
            span = _span(now, first, month_start(year, number, 1), "month")
            yield Found(match.start(), match.end(), "interval", interval=span)
    for match in _NUMERIC_MONTH.finditer(text) if has_digit(text) else ():
        month, year = int(match["m"] or match["m2"]), int(match["y"] or match["y2"])
        if 1 <= month <= 12:
            span = _span(now, date(year, month, 1), month_start(year, month, 1), "month")
            yield Found(match.start(), match.end(), "interval", interval=span)


def _month_named(match: re.Match[str], today: date, rules: TemporalRules) -> date | None:
    this = month_start(today.year, today.month)
    if match["next"]:
        return month_start(today.year, today.month, 1)
    if match["this"]:
        return this
    if match["last"] or match["before_last"]:
        return month_start(today.year, today.month, -2 if match["before_last"] else -1)
    mod, month = match["mod"] or "", MONTHS[match["name"]]
    if match["year"] or match["year2"]:
        return date(year_of(match["year"] or match["year2"], today, rules.prefer) or today.year, month, 1)
    if match["yrel"]:
        moved = 1 if ("proximo" in match["yrel"] or "vem" in match["yrel"]) else -1 if "passado" in match["yrel"] else 0
        return date(today.year + moved, month, 1)
    if not mod:
        return None  # a month name alone ("Marco" is also a name) says too little
    if mod in ("este", "esse", "neste", "nesse"):
        return date(today.year, month, 1)
    if "ultimo" in mod:
        return date(today.year - (month >= today.month), month, 1)
    if "proximo" in mod:
        return date(today.year + (month <= today.month), month, 1)
    return month_of_year(today, month, rules)


def month_of_year(today: date, month: int, rules: TemporalRules) -> date:
    """The first day of the month named without a year: this one, else the next (or the last) one."""
    if rules.prefer == "past":
        return date(today.year - (month > today.month), month, 1)
    return date(today.year + (month < today.month), month, 1)


def _quarters(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    today = now.date()
    current = month_start(today.year, (today.month - 1) // 3 * 3 + 1)
    if "trimestre" not in tokens(text):
        return
    for match in _QUARTER.finditer(text):
        if match["ord"] and (match["year"] or match["ord"] != "ultimo"):
            number = 4 if match["ord"] == "ultimo" else ORDINALS[match["ord"]]
            first = date(int(match["year"]) if match["year"] else today.year, 3 * number - 2, 1)
        else:
            after, mod = match["after"] or "", match["mod"] or ""
            backwards = match["ord"] or after in ("passado", "anterior")
            moved = -3 if backwards else 3 if "proximo" in mod or after == "que vem" else 0
            first = month_start(current.year, current.month, moved)
        span = _span(now, first, month_start(first.year, first.month, 3), "quarter")
        yield Found(match.start(), match.end(), "interval", interval=span)


def _years(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    today = now.date()
    if "ano" not in tokens(text) and not has_digit(text):
        return
    for match in _YEAR_RE.finditer(text):
        year = int(match["y"]) if match["y"] else today.year + (1 if match["next"] else -1 if match["last"] else 0)
        first = max(today, date(year, 1, 1)) if match["this"] else date(year, 1, 1)
        yield Found(match.start(), match.end(), "interval", interval=_span(now, first, date(year + 1, 1, 1), "year"))
    for match in _BARE_YEAR.finditer(text) if has_digit(text) else ():  # "2011" as the whole answer
        year = int(match.group())
        span = _span(now, date(year, 1, 1), date(year + 1, 1, 1), "year")
        yield Found(match.start(), match.end(), "interval", interval=span, weak=True)


def _year_said(match: re.Match[str], today: date) -> int:
    if match["y"]:
        return int(match["y"])
    return today.year + (1 if match["next"] else -1 if match["last"] else 0)


def _units_of_year(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    if "ano" not in tokens(text) and not has_digit(text):
        return
    for match in _NTH_OF_YEAR.finditer(text):
        year = _year_said(match, now.date())
        week, month = match["week"] or match["week2"], match["month"]
        number = int(week or month) if (week or month) else ORDINALS.get(match["ord"] or "")
        if number is None:
            continue
        if week is not None:
            try:
                monday = date.fromisocalendar(year, number, 1)
            except ValueError:
                continue
            span = _span(now, monday, monday + timedelta(days=7), "week")
        elif 1 <= number <= 12:
            span = _span(now, date(year, number, 1), month_start(year, number, 1), "month")
        else:
            continue
        yield Found(match.start(), match.end(), "interval", interval=span)
    for match in _EDGE_OF_YEAR.finditer(text):
        year, raw, unit = _year_said(match, now.date()), match["n"], match["unit"]
        count = int(raw) if raw.isdigit() else read_words(raw.split())
        if not isinstance(count, int) or count < 1:
            continue
        first_day, next_year = date(year, 1, 1), date(year + 1, 1, 1)
        last = match["edge"].startswith("ult")
        if unit == "dias":
            first = next_year - timedelta(days=count) if last else first_day
            span = _span(now, first, first + timedelta(days=count), "day")
        elif unit == "semanas":
            if last:
                end = next_year - timedelta(days=next_year.weekday())
                first = end - timedelta(weeks=count)
            else:
                first = first_day + timedelta(days=(7 - first_day.weekday()) % 7)
            span = _span(now, first, first + timedelta(weeks=count), "week")
        else:
            if count > 12:
                continue
            first = date(year, 13 - count, 1) if last else first_day
            span = _span(now, first, month_start(first.year, first.month, count), "month")
        yield Found(match.start(), match.end(), "interval", interval=span)


def _decades(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    if "decada" not in tokens(text):
        return
    for match in _DECADE.finditer(text):
        first = now.year // 10 * 10 + (10 if match["next"] else -10 if match["last"] else 0)
        span = _span(now, date(first, 1, 1), date(first + 10, 1, 1), "year")
        yield Found(match.start(), match.end(), "interval", interval=span)


def _counted(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    if not has_any(text, _COUNTED_WORDS):
        return
    for match in _COUNTED.finditer(text):
        raw, unit = match["n1"] or match["n2"], match["u1"] or match["u2"] or match["u3"]
        direction = match["d1"] or match["d2"] or match["d3"]
        count = int(raw) if raw.isdigit() else read_words(raw.split())
        if not isinstance(count, int) or count < 1:
            continue
        interval = counted_span(now, _UNITS[unit], count, backwards=direction.startswith(("ult", "pass", "ant")))
        yield Found(match.start(), match.end(), "interval", interval=interval)


def counted_span(now: datetime, grain: Grain, count: int, *, backwards: bool) -> Interval:
    """The `count` whole units (days, weeks...) after the current one, or before it."""
    start = _unit_start(now, grain)
    if backwards:
        return Interval(_shift(start, grain, -count), start, grain)
    first = _shift(start, grain, 1)
    return Interval(first, _shift(first, grain, count), grain)


def _unit_start(now: datetime, grain: Grain) -> datetime:
    if grain in ("second", "minute", "hour"):
        cut = {"second": {"microsecond": 0}, "minute": {"second": 0, "microsecond": 0},
               "hour": {"minute": 0, "second": 0, "microsecond": 0}}[grain]
        return now.replace(**cut)  # type: ignore[arg-type]
    day = now.date()
    if grain == "week":
        day -= timedelta(days=day.weekday())
    elif grain == "month":
        day = day.replace(day=1)
    elif grain == "year":
        day = date(day.year, 1, 1)
    return datetime.combine(day, time(0), tzinfo=now.tzinfo)


def _shift(moment: datetime, grain: Grain, count: int) -> datetime:
    if grain in ("month", "year"):
        first = month_start(moment.year, moment.month, count * (12 if grain == "year" else 1))
        return moment.replace(year=first.year, month=first.month)
    unit = {"second": "seconds", "minute": "minutes", "hour": "hours", "day": "days", "week": "weeks"}[grain]
    return moment + timedelta(**{unit: count})


SpanRule = Callable[[str, datetime, TemporalRules], Iterator[Found]]
SPAN_RULES: tuple[SpanRule, ...] = (_weeks, _months, _quarters, _years, _counted, _units_of_year, _decades,
                                     _parts_of_spans)
