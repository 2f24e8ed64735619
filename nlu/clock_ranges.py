"""Ranges of clock time: "entre 14h e 16h", "das 14h às 16h", "de 9 a 11h", "depois das 17h", "antes das 10h".

They become periods with explicit bounds, which a day next to them turns into an interval.
"""

from __future__ import annotations

import re
from datetime import time

from nlu.temporal_types import Found

_BETWEEN = re.compile(r"(?:entre|das|de)\s+$")
_SECOND_LINK = re.compile(r"(?:as|a|ate\s+as|ate)\s")
_AFTER = re.compile(r"(?:depois|apos|a\s+partir)\s+(?:d?as\s+)?$")
_BEFORE = re.compile(r"antes\s+(?:d?as\s+)?$")
_DAY_END = time(23, 59)


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
    own_opener = folded[left.start : left.start + 4] == "das "
    linked = gap in ("e", "a", "ate", "-") or (gap == "" and _SECOND_LINK.match(folded[right.start :]) is not None)
    if not linked or not (own_opener or between):
        return None
    start = left.start - len(between.group()) if between is not None else left.start
    return Found(start, right.end, "period", clock=left.clock, until=right.clock)


def _open_ended(folded: str, item: Found) -> Found:
    if item.kind != "time" or item.clock is None:
        return item
    before_text = folded[max(0, item.start - 12) : item.start]
    for pattern, bounds in ((_AFTER, (item.clock, _DAY_END)), (_BEFORE, (time(0), item.clock))):
        match = pattern.search(before_text)
        if match is not None and not _is_plain_from(match.group()):
            return Found(item.start - len(match.group()), item.end, "period", clock=bounds[0], until=bounds[1])
    return item


def _is_plain_from(opener: str) -> bool:
    # "a partir das 14h" is read as the time 14h itself: the step asked for a time.
    return opener.startswith("a partir")
