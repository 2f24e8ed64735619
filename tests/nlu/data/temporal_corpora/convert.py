"""Rebuild the corpus files of this folder from their upstream sources.

    python tests/nlu/data/temporal_corpora/convert.py duckling Corpus.hs > duckling_pt.jsonl
    python tests/nlu/data/temporal_corpora/convert.py recognizers Specs/DateTime/Portuguese > recognizers_text_pt.jsonl
    python tests/nlu/data/temporal_corpora/convert.py sugar test/tests/locales/pt.js > sugar_pt.jsonl
    python tests/nlu/data/temporal_corpora/convert.py chrono test/pt > chrono_pt.jsonl
    python tests/nlu/data/temporal_corpora/convert.py recognizers-model Specs/DateTime/Portuguese/DateTimeModel.json \
        > recognizers_text_model_pt.jsonl
    python tests/nlu/data/temporal_corpora/convert.py chronic test/test_parsing_pt_br.rb > chronic_pt.jsonl
    python tests/nlu/data/temporal_corpora/convert.py ovos test/parse_tests/test_parse_pt.py > ovos_pt.jsonl
    python tests/nlu/data/temporal_corpora/convert.py rustling grammar/pt/src/training.rs > rustling_pt.jsonl
    python tests/nlu/data/temporal_corpora/convert.py when rules/br > when_pt.jsonl

Each line is {"text", "expect"} (Duckling, all read at its reference time) or {"text", "expect",
"past", "now", "source"} (Recognizers-Text, each with its own reference time and its past reading);
Sugar's lines are all read at `SUGAR_NOW` (its tests read at the moment they run); chrono's lines are
{"text", "expect", "now"}; Recognizers-Text's model spec lines are like its parser ones (whole sentences,
`expect` may list readings the spec gives as equally good, "a | b"); chronic's are {"text", "expect"}
with "prefer" where its case sets a context, all read at `CHRONIC_NOW`; ovos-date-parser's are
{"text", "expect"} with "variety": "pt-PT" where the line uses a European-Portuguese form, all read at
`OVOS_NOW`.
`expect` is written in the notation test_nlu_temporal_corpora.py reads; README.md describes it.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

_TUPLE = r"\((\d+),\s*(\d+),\s*(\d+),\s*(\d+),\s*(\d+),\s*(\d+)\)"
_KIND = {"Year": "year", "Month": "month", "Quarter": "quarter", "Day": "date", "Week": "week",
         "Second": "second", "Minute": "datetime", "Hour": "datetime"}
# Duckling's parts of the day (pt): morning 04-12, afternoon 12-19, night 18-24.
_DUCKLING_PARTS = {(4, 12): "manha", (12, 19): "tarde", (18, 0): "noite"}
# Recognizers-Text's parts of the day by their Timex label; its Portuguese "tarde" is its Evening.
_RT_PARTS = {"TEM": "madrugada", "TMO": "manha", "TAF": "tarde", "TEV": "tarde", "TNI": "noite"}
_RT_FILES = ("DateParser", "DateTimeParser", "TimeParser", "DatePeriodParser", "DateTimePeriodParser",
             "TimePeriodParser", "HolidayParser")
_RT_DEFAULT_NOW = "2016-11-07T00:00:00"  # the reference of the specs that give none (times only)


def _values(raw: str) -> list[int]:
    found = re.fullmatch(_TUPLE, raw.strip())
    assert found is not None, raw
    return [int(x) for x in found.groups()]


def _at(v: list[int], grain: str) -> str:
    y, mo, d, h, mi, s = v
    if grain == "Year":
        return f"{y}"
    if grain in ("Month", "Quarter"):
        return f"{y}-{mo:02d}"
    if grain in ("Day", "Week"):
        return f"{y}-{mo:02d}-{d:02d}"
    if grain == "Second":
        return f"{y}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d}"
    return f"{y}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}"


def _one_grain_back(v: list[int], grain: str) -> list[int]:
    y, mo, d, h, mi, s = v
    if grain == "Year":
        return [y - 1, mo, d, h, mi, s]  # Duckling writes a year as (y, 0, 0, ...)
    months = {"Quarter": 3, "Month": 1}.get(grain)
    if months is not None:
        index = y * 12 + mo - 1 - months
        return [index // 12, index % 12 + 1, d, h, mi, s]
    step = {"Day": timedelta(days=1), "Week": timedelta(days=7), "Hour": timedelta(hours=1),
            "Minute": timedelta(minutes=1), "Second": timedelta(seconds=1)}[grain]
    moment = datetime(y, mo, d, h, mi, s) - step
    return [moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second]


def _duckling_expect(constructor: str, args: str, grain: str) -> str:
    if constructor == "datetime":
        return f"{_KIND[grain]} {_at(_values(args), grain)}"
    if constructor == "datetimeOpenInterval":
        direction, rest = args.split(None, 1)
        return f"{direction.lower()} {_at(_values(rest), 'Minute')}"
    first, last = ([int(x) for x in found] for found in re.findall(_TUPLE, args))
    if grain == "Hour":
        start = date(*first[:3])
        if start.weekday() == 4 and first[3] == 18 and (date(*last[:3]) - start).days == 3:
            return f"weekend {(start + timedelta(days=1)).isoformat()}"
        if (first[3], last[3]) in _DUCKLING_PARTS and (last[:3] == first[:3] or last[3] == 0):
            return f"period {_at(first, 'Day')} {_DUCKLING_PARTS[first[3], last[3]]}"
    return f"interval {grain.lower()} {_at(first, grain)} .. {_at(_one_grain_back(last, grain), grain)}"


def duckling(source: Path) -> list[dict[str, Any]]:
    text = source.read_text(encoding="utf-8")
    negative = re.search(r"negativeCorpus.*?examples =\s*\[(.*?)\]", text, re.S)
    assert negative is not None
    body = text[text.index("allExamples") :]
    pattern = re.compile(
        r"examples \((datetime|datetimeInterval|datetimeOpenInterval)\s+(.*?)\s+(\w+)\)\s*\[(.*?)\]", re.S)
    rows: list[dict[str, Any]] = []
    for found in pattern.finditer(body):
        constructor, args, grain, texts = found.groups()
        expect = _duckling_expect(constructor, args, grain)
        rows += [{"text": t, "expect": expect} for t in re.findall(r'"((?:[^"\\]|\\.)*)"', texts)]
    rows += [{"text": t, "expect": "none"} for t in re.findall(r'"((?:[^"\\]|\\.)*)"', negative.group(1))]
    return _unique(rows)


def _hm(raw: str) -> str:
    return raw[:5] if raw.endswith(":00") else raw


def _rt_value(kind: str, value: dict[str, str]) -> str:
    if kind == "date":
        return f"date {value['date']}"
    if kind == "datetime":
        day, clock = value["dateTime"].split()
        return f"{'datetime' if clock.endswith(':00') else 'second'} {day} {_hm(clock)}"
    if kind == "time":
        return f"time {_hm(value['time'])}"
    if kind == "daterange":
        return f"daterange {value['startDate']} .. {value['endDate']}"
    if kind == "datetimerange":
        start, end = value["startDateTime"], value["endDateTime"]
        return f"datetimerange {start[:10]} {_hm(start[11:])} .. {end[:10]} {_hm(end[11:])}"
    if kind == "timerange":
        return f"timerange {_hm(value['startTime'])} .. {_hm(value['endTime'])}"
    raise ValueError(kind)


def recognizers(folder: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for name in _RT_FILES:
        for example in json.loads((folder / f"{name}.json").read_text(encoding="utf-8-sig")):
            (result,) = example["Results"]
            value, kind = result["Value"], result["Type"]
            future, past = value["FutureResolution"], value["PastResolution"]
            if not future:
                continue  # an expression the spec itself does not resolve
            part = _RT_PARTS.get(value["Timex"][-3:])
            if part and kind in ("datetimerange", "timerange"):
                expect = f"period {value['Timex'][:10]} {part}" if kind == "datetimerange" else f"timeperiod {part}"
                readings = {"expect": expect, "past": expect}
            else:
                readings = {"expect": _rt_value(kind, future), "past": _rt_value(kind, past)}
            now = (example.get("Context") or {}).get("ReferenceDateTime") or _RT_DEFAULT_NOW
            rows.append({"text": example["Input"], **readings, "now": now, "source": name})
    return _unique(rows)


def _unique(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[tuple[str, str]] = set()
    out = []
    for row in rows:
        key = (row["text"].lower().strip(), row["expect"])
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


# Sugar's tests resolve relative to the moment they run; they are read here at papo's own reference
# moment (tests/nlu/data/temporal_cases.txt): Wednesday 2026-03-11 10:00.
SUGAR_NOW = datetime(2026, 3, 11, 10, 0)
_SUGAR_LINE = re.compile(r"assertDateParsed\('(?P<text>[^']+)',\s*(?P<value>.+)\);\s*$")
_INTS = r"(-?\d+(?:\s*,\s*-?\d+)*)"


def _ints(raw: str) -> list[int]:
    return [int(x) for x in raw.split(",")]


def _sugar_relative(args: list[int]) -> datetime:
    """Sugar's getRelativeDate(year, month, day, hours, minutes, seconds): calendar units first (a
    month or year step keeps the day, clipped to the month's last), then clock units."""
    years, months, days, hours, minutes, seconds = [*args, 0, 0, 0, 0, 0, 0][:6]
    index = SUGAR_NOW.year * 12 + SUGAR_NOW.month - 1 + years * 12 + months
    year, month = index // 12, index % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    moved = SUGAR_NOW.replace(year=year, month=month, day=min(SUGAR_NOW.day, last)) + timedelta(days=days)
    return moved + timedelta(hours=hours, minutes=minutes, seconds=seconds)


def _sugar_weekday(weekday: int, weeks: int = 0, hour: int | None = None, minute: int = 0) -> str:
    """Sugar's testGetWeekday: the weekday (0 Sunday) of the week (Sunday to Saturday) `weeks` away."""
    day = SUGAR_NOW.date() + timedelta(days=7 * weeks)
    day += timedelta(days=weekday - (day.weekday() + 1) % 7)
    return f"date {day}" if hour is None else f"datetime {day} {hour:02d}:{minute:02d}"


def _sugar_expect(text: str, value: str) -> str | None:
    value = value.replace("now.getFullYear()", str(SUGAR_NOW.year))
    if found := re.fullmatch(rf"new Date\({_INTS}\)", value):
        parts = _ints(found[1])
        if len(parts) == 2:
            y, m = parts
            return f"year {y}" if text.isdigit() else f"month {y}-{m + 1:02d}"
        y, m, d, *clock = parts
        day = date(y, m + 1, d)
        return f"date {day}" if not clock else f"datetime {day} {clock[0]:02d}:{clock[1]:02d}"
    if found := re.fullmatch(rf"testGetWeekday\({_INTS}\)", value):
        return _sugar_weekday(*_ints(found[1]))
    if found := re.fullmatch(rf"getRelativeDateReset\({_INTS}\)", value):
        return f"date {_sugar_relative(_ints(found[1])).date()}"
    set_clock = rf"testDateSet\(getRelativeDateReset\({_INTS}\),\s*\{{hour:(\d+),minute:(\d+)\}}\)"
    if found := re.fullmatch(set_clock, value):
        day = _sugar_relative(_ints(found[1])).date()
        return f"datetime {day} {int(found[2]):02d}:{int(found[3]):02d}"
    if found := re.fullmatch(rf"getRelativeDate\({_INTS}\)", value):
        args = _ints(found[1])
        if len(args) > 6:
            return None  # milliseconds: finer than any reading
        moment = _sugar_relative(args)
        if len(args) == 6:
            return f"second {moment:%Y-%m-%d %H:%M:%S}"
        return f"datetime {moment:%Y-%m-%d %H:%M}" if len(args) >= 4 else f"date {moment.date()}"
    raise ValueError(f"unknown Sugar expectation for {text!r}: {value}")


def sugar(source: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for line in source.read_text(encoding="utf-8").splitlines():
        found = _SUGAR_LINE.search(line)
        if found and (expect := _sugar_expect(found["text"], found["value"].strip())) is not None:
            rows.append({"text": found["text"], "expect": expect})
    return _unique(rows)


# chrono's Portuguese tests: `testSingleCase(chrono.pt, "text", [reference,] (result) => {...})` with
# the value in `toBeDate(new Date(...))` or in `get("hour")`-style checks, and `testUnexpectedResult`
# for what must read nothing. A date said without a clock is written with chrono's implied hour (noon
# or the reference's), so a clock counts as said only when the case checks the hour or the text
# writes one; a part of the day said alone ("esta tarde": 15:00 in chrono) is compared by name.
_CHRONO_CASE = re.compile(
    r'(testSingleCase|testUnexpectedResult)\(chrono\.pt(?:\.strict)?,\s*"((?:[^"\\]|\\.)*)"'
    r"(?:,\s*new Date\(([^)]*)\))?")
_CHRONO_AT = re.compile(r"expect\(result\.(start|end)\)\.toBeDate\(new Date\(([^)]*)\)\)")
_CHRONO_GET = re.compile(r'expect\(result\.(start|end)\.get\("(\w+)"\)\)\.toBe\((-?\d+)\)')
_CHRONO_NOW = datetime(2012, 8, 10)  # the reference most of its cases give, for the few that give none
_CHRONO_CLOCK = re.compile(r"\d\s*(?:[:.h]\s*\d|am\b|pm\b)|\bas\s+\d", re.I)
_CHRONO_PART = re.compile(r"\b(manha|tarde|(?<!meia-)noite)\b")


def _js_date(raw: str) -> datetime | None:
    """`new Date(2012, 8 - 1, 10, 12)`: month from 0; None for a year before Christ."""
    parts = [sum(int(term) for term in re.findall(r"[-+]?\s*\d+", arg.replace(" ", ""))) for arg in raw.split(",")]
    if parts[0] < 1:
        return None
    y, m, d, h, mi, s = [*parts[:6], *[0, 0, 1, 0, 0, 0][len(parts) :]]
    return datetime(y, m + 1, d, h, mi, s)


def _chrono_expect(text: str, body: str, now: datetime) -> str | None:
    ends: dict[str, datetime] = {}
    for side, raw in _CHRONO_AT.findall(body):
        moment = _js_date(raw)
        if moment is None:
            return None
        ends[side] = moment
    gets: dict[str, dict[str, int]] = {"start": {}, "end": {}}
    for side, unit, value in _CHRONO_GET.findall(body):
        gets[side][unit] = int(value)
    for side in ("start", "end"):
        said = gets[side]
        if side not in ends and ("hour" in said or "day" in said):
            ends[side] = datetime(said.get("year", now.year), said.get("month", now.month), said.get("day", now.day),
                                  said.get("hour", 12), said.get("minute", 0))
    if "start" not in ends:
        return None  # the case checks only the text matched or the weekday
    folded = text.lower().replace("ã", "a")
    clock = "hour" in gets["start"] or _CHRONO_CLOCK.search(folded) is not None
    start = ends["start"]
    if "end" in ends:
        end = ends["end"]
        if clock:
            return f"timerange {start:%H:%M} .. {end:%H:%M}"
        return f"interval day {start.date()} .. {end.date()}"
    if clock and not any(char.isdigit() for char in text) and (part := _CHRONO_PART.search(folded)):
        return f"period {start.date()} {part[1]}"
    if not clock:
        return f"date {start.date()}"
    return f"second {start:%Y-%m-%d %H:%M:%S}" if start.second else f"datetime {start:%Y-%m-%d %H:%M}"


def chrono(folder: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.test.ts")):
        source = path.read_text(encoding="utf-8")
        cases = list(_CHRONO_CASE.finditer(source))
        for index, case in enumerate(cases):
            body = source[case.end() : cases[index + 1].start() if index + 1 < len(cases) else len(source)]
            kind, text, reference = case.groups()
            now = _js_date(reference) if reference else _CHRONO_NOW
            assert now is not None
            expect = "none" if kind == "testUnexpectedResult" else _chrono_expect(text, body, now)
            if expect is not None:
                rows.append({"text": text.strip(), "expect": expect, "now": now.isoformat()})
    return _unique(rows)


# Recognizers-Text's DateTimeModel spec: whole sentences, each with the expressions found in it and
# their values. The first expression is the one compared (papo's first entity). An ambiguous value is
# given as a list: for a date said without its year or week, the past one and the future one (the
# latest date is `expect`, the earliest `past`); for an hour said without its half of the day, both
# halves ("3 horas": 03:00 and 15:00), which `expect` keeps as alternatives ("a | b"). A sentence
# with no expression, or whose first one is a duration ("A viagem vai levar 7 horas"), reads
# `none`: nothing in it is a point or span of time. An expression the spec leaves unresolved ("ano
# fiscal", "30/2"), a recurrence ("trimestral") and an open span of clock times with no day ("antes
# das 7") are left out.
def _rt_model_value(kind: str, value: dict[str, str]) -> str | None:
    start, end = value.get("start"), value.get("end")
    if kind in ("daterange", "datetimerange") and (start is None or end is None):
        moment = (start or end or "")
        moment = moment if " " in moment else f"{moment} 00:00:00"
        return f"{'after' if end is None else 'before'} {moment[:16]}"
    if kind == "timerange" and (start is None or end is None):
        return None
    if kind in ("daterange", "datetimerange", "timerange"):
        return _rt_value(kind, {"startDate": start or "", "endDate": end or "", "startTime": start or "",
                                "endTime": end or "", "startDateTime": start or "", "endDateTime": end or ""})
    if kind in ("date", "datetime", "time"):
        return _rt_value(kind, {"date": value["value"], "dateTime": value["value"], "time": value["value"]})
    raise ValueError(kind)


def _rt_model_readings(result: dict[str, Any]) -> dict[str, str] | None:
    kind = result["TypeName"].split(".")[-1]
    values = result["Resolution"].get("values") or []
    if kind == "duration":
        return {"expect": "none", "past": "none"}
    if kind == "set" or not values or any(v.get("value") == "not resolved" for v in values):
        return None
    timex = values[0]["timex"]
    part = _RT_PARTS.get(timex[-3:])
    if part and kind in ("datetimerange", "timerange") and values[0].get("start") and values[0].get("end"):
        expect = f"period {timex[:10]} {part}" if kind == "datetimerange" else f"timeperiod {part}"
        return {"expect": expect, "past": expect}
    written = [_rt_model_value(kind, v) for v in values]
    if any(w is None for w in written):
        return None
    def day(value: dict[str, str]) -> str:  # "" for a clock time with no day
        moment = value.get("value") or value.get("start") or value.get("end") or ""
        return moment[:10] if "-" in moment else ""

    days = sorted({day(v) for v in values})
    readings: dict[str, str] = {}
    for name, said in (("expect", days[-1]), ("past", days[0])):
        on_day = [w for v, w in zip(values, written, strict=True) if day(v) == said]
        readings[name] = " | ".join(dict.fromkeys(w for w in on_day if w))
    return readings


def recognizers_model(source: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for example in json.loads(source.read_text(encoding="utf-8-sig")):
        now = (example.get("Context") or {}).get("ReferenceDateTime") or _RT_DEFAULT_NOW
        results = example["Results"]
        readings = _rt_model_readings(results[0]) if results else {"expect": "none", "past": "none"}
        if readings is not None:
            rows.append({"text": example["Input"], **readings, "now": now, "source": "DateTimeModel"})
    return _unique(rows)


# chronic-l10n's pt-BR tests: `time = parse_now("text"[, :context => :past])` then `assert_equal
# Time.local(y, m, d[, h[, mi[, s]]]), time`, all at Wednesday 2006-08-16 14:00. Chronic answers with
# the middle of what it read (a day at 12:00, "mes que vem" on the 16th) or keeps the reference's clock
# for a count of days ("daqui 3 dias": 14:00); a clock counts as said only when the text writes one.
# What names no day and counts from no moment ("2 da tarde", "30 minutos antes da meia noite") is a
# `time`; a month ("mes passado") a `month`. The one case read with `:ambiguous_time_range => :none`
# ("5 maio 28": 05:00) is left out.
CHRONIC_NOW = datetime(2006, 8, 16, 14, 0)
_CHRONIC_CASE = re.compile(
    r'parse_now\("(?P<text>[^"]+)"(?P<options>[^)]*)\)\s*assert_equal Time\.local\((?P<args>[^)]*)\), time')
_CHRONIC_CLOCK = re.compile(
    r"\d\s*(?:h\b|pm\b|am\b|:)|\bas\s+\d|\b\d+ da (?:manha|tarde|noite|madrugada)\b|\bhoras?\b|\bminutos?\b"
    r"|\bmeio dia\b|\bmeia noite\b|\bagora\b")
_CHRONIC_DAY = re.compile(
    r"\b(?:domingo|segunda|terca|quarta|quinta|sexta|sabado|hoje|amanha|ontem|janeiro|fevereiro|marco|abril"
    r"|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro|(?<!meio )dias?|semanas?)\b")
_CHRONIC_FROM_NOW = re.compile(r"\b(?:daqui|atras|agora)\b|\bhoras (?:depois|antes)$")


def _chronic_expect(text: str, args: list[int]) -> str:
    folded = text.lower().translate(str.maketrans("ãáàâçéêíóôõú", "aaaaceeiooou"))
    y, mo, d, h, mi, s = [*args, *[1, 1, 0, 0, 0][len(args) - 1 :]][:6]
    moment = datetime(y, mo, d, h, mi, s)
    if re.search(r"\bmes\b", folded):
        return f"month {moment:%Y-%m}"
    clock = _CHRONIC_CLOCK.search(folded) is not None
    if not clock:
        return f"date {moment.date()}"
    if not _CHRONIC_DAY.search(folded) and not _CHRONIC_FROM_NOW.search(folded):
        return f"time {moment:%H:%M:%S}" if s else f"time {moment:%H:%M}"
    return f"second {moment:%Y-%m-%d %H:%M:%S}" if s else f"datetime {moment:%Y-%m-%d %H:%M}"


def chronic(source: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for case in _CHRONIC_CASE.finditer(source.read_text(encoding="utf-8")):
        options = case["options"]
        if "ambiguous_time_range" in options:
            continue
        args = [int(x) for x in case["args"].split(",")]
        row: dict[str, Any] = {"text": case["text"], "expect": _chronic_expect(case["text"], args)}
        if context := re.search(r":context => :(past|future)", options):
            row["prefer"] = context[1]
        rows.append(row)
    return rows


# ovos-date-parser's Portuguese tests: `testExtract("text", "Y-m-d H:M:S", "leftover")`, all read at
# Tuesday 2017-06-27 00:00; it answers with a moment, and with midnight when it read a day and no clock.
# A part of the day said with no clock ("sexta de tarde": 15:00) is written as a `period`; an hour said
# without its half of the day ("amanhã pelas 2": 02:00) keeps both halves, as Recognizers-Text's model
# lines do. Its `extract_duration` cases are durations, not points in time, and are left out, as is the
# case read with a `default_time` (the same text as another case).
OVOS_NOW = datetime(2017, 6, 27, 0, 0)
_OVOS_CASE = re.compile(r'testExtract\((?P<text>(?:"[^"]*"\s*)+),\s*"(?P<value>[^"]+)",\s*"[^"]*"\)')
_OVOS_CLOCK = re.compile(r"\d\s*(?:pm\b|am\b|:)|\b\d+ horas?\b|\bem ponto\b|\bmeia noite\b|\bmeio dia\b"
                         r"|\b(?:as|pelas) \d")
_OVOS_HALF = re.compile(r"\d\s*(?:pm|am)\b|\b\d{4} horas\b|\bda (?:tarde|noite|manha)\b|\bmeia noite\b|\bmeio dia\b")
_OVOS_PART = re.compile(r"\b(?:de|da|ao fim da|ao meio da|as tantas da) (?P<part>manha|tarde|noite)\b")
# Forms of European Portuguese: "a seguir a" (after), "pelas 2" (at about two), "às tantas da manhã",
# "a 13 maio" (on), enclitic "lembra-me", "ao fim da tarde" (pt-BR: "no fim da tarde").
_OVOS_PT_PT = re.compile(
    r"\ba seguir a\b|\bpelas \d|\btantas da\b|\b\w+-me\b|\bao (?:fim|meio) d[ao]\b"
    r"|\ba (?:\d+ )?(?:janeiro|fevereiro|marco|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro)\b")


def _ovos_expect(text: str, value: str) -> str:
    folded = text.lower().translate(str.maketrans("ãáàâçéêíóôõú", "aaaaceeiooou"))
    moment = datetime.fromisoformat(value)
    if not _OVOS_CLOCK.search(folded):
        part = _OVOS_PART.search(folded)
        if part is not None:
            name = "madrugada" if "tantas" in folded else part["part"]
            return f"period {moment.date()} {name}"
        assert moment.time() == datetime.min.time(), text
        return f"date {moment.date()}"
    if not _OVOS_HALF.search(folded) and 1 <= moment.hour % 12 <= 11:
        other = moment + timedelta(hours=12 if moment.hour < 12 else -12)
        first, second = sorted([moment, other])
        return f"datetime {first:%Y-%m-%d %H:%M} | datetime {second:%Y-%m-%d %H:%M}"
    return f"datetime {moment:%Y-%m-%d %H:%M}"


def ovos(source: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for case in _OVOS_CASE.finditer(source.read_text(encoding="utf-8")):
        text = "".join(re.findall(r'"([^"]*)"', case["text"]))
        row: dict[str, Any] = {"text": text, "expect": _ovos_expect(text, case["value"])}
        folded = text.lower().translate(str.maketrans("ãáàâçéêíóôõú", "aaaaceeiooou"))
        if _OVOS_PT_PT.search(folded):
            row["variety"] = "pt-PT"
        rows.append(row)
    return rows


# rustling-ontology's Portuguese training examples: `example!(v, check, "text", ...)` in its datetime
# function, read at Duckling's reference (the same moment, 2013-02-12 04:30); spans end before their
# last value, as Duckling's do. Its durations are left out (not points in time), and so are the texts
# Duckling's corpus already has (measured there).
_RUSTLING_EXAMPLE = re.compile(r"^\s*example!\(v,\s*(check_\w+)!\(c,\s*(.*?)\),\s*(\".*\")\s*\);", re.M)
_RUSTLING_GRAINS = {1: "Year", 2: "Month", 3: "Day", 4: "Hour", 5: "Minute", 6: "Second"}


def _rustling_tuple(raw: str) -> tuple[list[int], str]:
    given = [int(x) for x in raw.strip(" []").split(",")]
    grain = _RUSTLING_GRAINS[len(given)]
    padded = given + [1, 1, 0, 0, 0][len(given) - 1 :] if len(given) < 6 else given
    return padded[:6], grain


def _rustling_expect(check: str, args: str) -> str:
    arrays = re.findall(r"\[[^\]]*\]", args)
    first, grain = _rustling_tuple(arrays[0])
    if check == "check_moment":
        if "Grain::Week" in args:
            return f"week {_at(first, 'Week')}"
        return f"{_KIND[grain]} {_at(first, grain)}"
    if check == "check_moment_with_direction":
        direction = "after" if "Direction::After" in args else "before"
        return f"{direction} {_at(first, 'Minute')}"
    assert check == "check_moment_span", check
    last, last_grain = _rustling_tuple(arrays[1])
    grain = max(grain, last_grain, key=list(_RUSTLING_GRAINS.values()).index)
    tuples = " ".join(f"({', '.join(map(str, v))})" for v in (first, last))
    expect = _duckling_expect("datetimeInterval", tuples, grain)
    if grain in ("Hour", "Minute") and expect.startswith("interval"):  # clock times: also as a range, end excluded
        expect += f" | datetimerange {_at(first, 'Minute')} .. {_at(last, 'Minute')}"
    return expect


def rustling(source: Path, duckling_texts: set[str] | None = None) -> list[dict[str, Any]]:
    text = source.read_text(encoding="utf-8")
    body = text[text.index("fn examples_datetime") : text.index("fn examples_durations")]
    rows: list[dict[str, Any]] = []
    for found in _RUSTLING_EXAMPLE.finditer(body):
        check, args, texts = found.groups()
        expect = _rustling_expect(check, args)
        rows += [{"text": t, "expect": expect} for t in re.findall(r'"((?:[^"\\]|\\.)*)"', texts)]
    known = duckling_texts if duckling_texts is not None else _duckling_texts()
    return [row for row in _unique(rows) if row["text"].lower().strip() not in known]


def _duckling_texts() -> set[str]:
    lines = (Path(__file__).parent / "duckling_pt.jsonl").read_text(encoding="utf-8").splitlines()
    return {json.loads(line)["text"].lower().strip() for line in lines}


# olebedev/when's pt-BR rules' tests (`rules/br/*_test.go`): {"text", index, "phrase", diff from its
# reference, Wednesday 2016-01-06 00:00}. A fixture whose phrase is none expects nothing; its English
# fixtures ("at 5 pm", "up to 11:10 pm", copied from its English rules' tests) are left out, and so are
# the two whose rule, tested alone, reads only part of the phrase ("amanhã " of "amanhã à noite").
WHEN_NOW = datetime(2016, 1, 6, 0, 0)
_WHEN_FIXTURE = re.compile(r'\{"(?P<text>[^"]*)",\s*(?P<index>\d+),\s*"(?P<phrase>[^"]*)",\s*(?P<diff>[^}]*)\}')
_WHEN_UNITS = {"time.Hour": 3600, "time.Minute": 60, "time.Second": 1}
_WHEN_PERIODS = {"manha": "manha", "tarde": "tarde", "noite": "noite"}
_WHEN_MONTH = re.compile(
    r"(?:janeiro|fevereiro|marco|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro"
    r"|jan|fev|mar|abr|mai|jun|jul|ago|set|out|nov|dez)\.?"
)


def _when_seconds(raw: str) -> int:
    expression = raw
    for name, seconds in _WHEN_UNITS.items():
        expression = expression.replace(name, str(seconds))
    assert re.fullmatch(r"[\d\s()*+/-]+", expression), raw
    return int(eval(expression))  # noqa: S307 - integer arithmetic from the fixture, checked above


def _when_expect(phrase: str, seconds: int) -> str:
    moment = WHEN_NOW + timedelta(seconds=seconds)
    folded = phrase.lower().translate(str.maketrans("ãáàâçéêíóôõú", "aaaaceeiooou")).strip()
    period = next((name for word, name in _WHEN_PERIODS.items() if word in folded.split()), None)
    if period is not None and not re.search(r"\d", folded):
        return f"period {moment.date()} {period}"
    if folded == "agora":
        return f"second {moment:%Y-%m-%d %H:%M:%S}"
    if moment.second:
        return f"second {moment:%Y-%m-%d %H:%M:%S}"
    if moment.hour or moment.minute or re.search(r"\d\s*(?::|-|h|[ap]\.?\s?m?\b)|meio-dia|hora|minuto|segundo", folded):
        return f"datetime {moment:%Y-%m-%d %H:%M}"
    if _WHEN_MONTH.fullmatch(folded):  # a month alone: when keeps the reference's day in it
        return f"month {moment:%Y-%m}"
    return f"date {moment.date()}"


def when(folder: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*_test.go")):
        for case in _WHEN_FIXTURE.finditer(path.read_text(encoding="utf-8")):
            text, phrase = case["text"], case["phrase"]
            if text.startswith(("at ", "up to ")) or phrase.endswith(" "):
                continue
            expect = _when_expect(phrase, _when_seconds(case["diff"])) if phrase else "none"
            rows.append({"text": text, "expect": expect})
    return _unique(rows)


if __name__ == "__main__":
    which, path = sys.argv[1], Path(sys.argv[2])
    convert = {"duckling": duckling, "recognizers": recognizers, "sugar": sugar, "chrono": chrono,
               "recognizers-model": recognizers_model, "chronic": chronic, "ovos": ovos,
               "rustling": rustling, "when": when}[which]
    for row in convert(path):
        print(json.dumps(row, ensure_ascii=False))
