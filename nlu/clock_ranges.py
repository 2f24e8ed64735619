"""Ranges of clock time: "entre 14h e 16h", "das 14h às 16h", "de 9 a 11h", "entre 7 e 9",
"9:30 - 11:00", and open ones: "depois das 17h", "antes das 10h", "até a meia-noite".

They become periods with explicit bounds, which a day next to them turns into an interval.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, time

from nlu.clock_rules import HOUR_WORDS, HW, apply_period
from nlu.temporal_types import Found, TemporalRules, has_any, has_digit

_BETWEEN = re.compile(r"(?:entre|das|de|desde)\s+$")
_SECOND_LINK = re.compile(r"(?:as|a|ate\s+as|ate)\s")
_AFTER = re.compile(r"(?:depois|dps|apos|a\s+partir)\s+(?:d?[ao]s?\s+|ao\s+)?$")
_ONWARDS = re.compile(r"\s+(?:em\s+diante|pra\s+frente|para\s+frente)\b")
_BEFORE = re.compile(r"(?:antes|ate)\s+(?:d?[ao]s?\s+)?$|nao\s+mais\s+(?:do\s+)?que\s+(?:[ao]s?\s+)?$|no\s+maximo\s+$")
_DAY_END = time(23, 59)


def _end(i: int) -> str:
    return (
        rf"(?P<h{i}>[01]?\d|2[0-3]|{HW}|meio\s+dia)(?:\s*(?::|h|hs|horas?)\s*(?P<m{i}>[0-5]\d)?)?"
        rf"(?:\s+e\s+(?P<half{i}>meia|quinze))?(?P<ampm{i}>\s*[ap]\.?\s?m\b\.?)?"
        rf"(?:\s+(?:da|de|a|pela|na)\s+(?P<p{i}>manha|tarde|noite|madrugada))?"
    )


_RANGE = re.compile(
    rf"\b(?P<open>entre(?:\s+as)?|das|de|desde(?:\s+as)?)\s+{_end(1)}\s*(?P<link>-|a|as|ate(?:\s+as)?|e(?:\s+as)?)\s+"
    rf"{_end(2)}(?![\w/])(?!\s*(?:dias?|semanas?|mes|meses|anos?|minutos?|vezes|reais|pessoas|consultas?))"
)


_OPENERS = frozenset({"entre", "das", "de", "desde"})
_LINKS = frozenset({"a", "as", "ate", "e"})
_HOUR_WORDS = frozenset(word for name in HOUR_WORDS for word in name.split()) | {"meio"}


def _hour(raw: str) -> int:
    return int(raw) if raw.isdigit() else 12 if raw.startswith("meio") else HOUR_WORDS[raw]  # "entre 10 e meio dia"


def clock_ranges(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    """ "entre 7 e 9", "de 5 a 6pm", "das 2 às 4 da tarde": a range whose ends share a period."""
    if not has_any(text, _OPENERS) or not has_any(text, _LINKS) or not (has_digit(text) or has_any(text, _HOUR_WORDS)):
        return
    for match in _RANGE.finditer(text):
        if match["link"].startswith("e") and not match["open"].startswith("entre"):
            continue
        explicit = any(match[f"{part}{i}"] for part in ("m", "ampm", "p") for i in (1, 2)) or ":" in match.group()
        # "de 1 a 5" may be a scale: hours only next to a day ("de 2 a 4 na sexta") or as the whole answer
        weak = match["open"] == "de" and not explicit and "h" not in match.group()
        bounds = _bounds(match, rules)
        if bounds is not None:
            yield Found(match.start(), match.end(), "period", clock=bounds[0], until=bounds[1], weak=weak)


def _bounds(match: re.Match[str], rules: TemporalRules) -> tuple[time, time] | None:
    hours = [_end_hour(match, i, shared=True, rules=rules) for i in (1, 2)]
    (first, first_shifted), (last, _) = hours
    if first >= last:
        first, first_shifted = _end_hour(match, 1, shared=False, rules=rules)  # "de sete e meia a 4pm"
    if first >= last and first_shifted and first - 12 < last:
        first -= 12  # "entre 7 e 9": 7 to 9, not 19 to 9
    if first >= last and last < 12 and not (match["p2"] or match["ampm2"]):
        last += 12  # "das 11 às 2": 11 to 14
    if not first < last <= 24:
        return None
    minutes = [int(match[f"m{i}"] or 0) + (30 if match[f"half{i}"] == "meia" else 15 if match[f"half{i}"] else 0)
               for i in (1, 2)]
    return time(first, minutes[0]), time(last % 24, minutes[1])


def _end_hour(match: re.Match[str], i: int, *, shared: bool, rules: TemporalRules) -> tuple[int, bool]:
    """The hour of end `i`, read with its own period or am/pm, else (when `shared`) the other end's."""
    other = 3 - i
    raw = match[f"h{i}"]
    hour = _hour(raw)
    ampm = (match[f"ampm{i}"] or "").strip()
    period = match[f"p{i}"]
    if not ampm and not period and shared:
        ampm, period = (match[f"ampm{other}"] or "").strip(), match[f"p{other}"]
    if ampm and hour <= 12:
        return hour % 12 + (12 if "p" in ampm else 0), False
    return apply_period(hour, period, raw, rules)


def merge_ranges(folded: str, items: list[Found]) -> list[Found]:
    merged: list[Found] = []
    index = 0
    while index < len(items):
        current = items[index]
        following = items[index + 1] if index + 1 < len(items) else None
        joined = _pair(folded, current, following) if following is not None else None
        if joined is not None:
            merged.append(joined)
            index += 2
            continue
        merged.append(_open_ended(folded, current))
        index += 1
    return merged


def _pair(folded: str, left: Found, right: Found) -> Found | None:
    if left.kind != "time" or right.kind != "time" or left.clock is None or right.clock is None:
        return None
    gap = folded[left.end : right.start].strip()
    between = _BETWEEN.search(folded[max(0, left.start - 8) : left.start])
    own_opener = folded[left.start : left.start + 4] in ("das ", "de ")
    if gap in ("e", "e as"):
        linked = (between is not None and between.group().startswith("entre")) or own_opener
    else:
        linked = gap in ("a", "ate", "ate as", "as", "-", "ao") or (
            gap == "" and _SECOND_LINK.match(folded[right.start :]) is not None)
    if not linked or left.clock >= right.clock and right.clock != time(0):
        return None
    start = left.start - len(between.group()) if between is not None else left.start
    return Found(start, right.end, "period", clock=left.clock, until=right.clock)


def _open_ended(folded: str, item: Found) -> Found:
    if item.kind != "time" or item.clock is None:
        return item
    before_text = folded[max(0, item.start - 16) : item.start]
    own = folded[item.start : item.end]
    if own.startswith("ate as "):
        return Found(item.start, item.end, "period", clock=time(0), until=item.clock, open="before")
    if own.startswith("a partir "):  # "a partir das 14h" includes 14h, which answers a question for a time
        return Found(item.start, item.end, "period", clock=item.clock, until=_DAY_END, open="after", from_clock=True)
    onwards = _ONWARDS.match(folded, item.end)
    if onwards is not None:  # "das 9 e meia em diante", "do meio-dia pra frente"
        return Found(item.start, onwards.end(), "period", clock=item.clock, until=_DAY_END, open="after",
                     from_clock=True)
    for pattern, direction in ((_AFTER, "after"), (_BEFORE, "before")):
        match = pattern.search(before_text)
        if match is None:
            continue
        start = item.start - len(match.group())
        if direction == "after":  # "a partir das 14h" includes 14h, which answers a question for a time
            return Found(start, item.end, "period", clock=item.clock, until=_DAY_END, open="after",
                         from_clock=match.group().startswith("a partir"))
        return Found(start, item.end, "period", clock=time(0), until=item.clock, open="before")
    return item
