"""`dateparser` as the fallback reader, pinned to Portuguese and day-first dates."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from dateparser.search import search_dates

from nlu.lexicon import MONTHS
from nlu.text import fold

# dateparser reads weekday names and common verbs ("ter") as dates; only texts with a digit or a
# month name go to it, so the fallback adds readings without adding false positives.
_HORIZON = timedelta(days=2 * 366)
_MONTH_NAMES = frozenset(name for name in MONTHS if len(name) > 3)


def _settings(now: datetime) -> dict[str, Any]:
    return {
        "RELATIVE_BASE": now.replace(tzinfo=None),
        "PREFER_DATES_FROM": "future",
        "DATE_ORDER": "DMY",
        "RETURN_AS_TIMEZONE_AWARE": False,
        # dateparser would otherwise pick the text's language among all it knows (false positives).
        "LANGUAGE_DETECTION_CONFIDENCE_THRESHOLD": 0.0,
    }


def fallback_search(text: str, now: datetime) -> list[tuple[str, datetime]]:
    """(matched text, aware datetime in now's zone) pairs; empty when dateparser finds nothing."""
    if len(text) > 500 or not _worth_trying(text):
        return []
    try:
        found = search_dates(text, languages=["pt"], settings=_settings(now))
    except (ValueError, OverflowError):
        return []
    aware = [(matched, moment.replace(tzinfo=now.tzinfo)) for matched, moment in found or []]
    # An appointment is not years away: "tenho 40 anos" is an age, not the year 2066.
    return [(matched, moment) for matched, moment in aware if abs(moment - now) <= _HORIZON]


def _worth_trying(text: str) -> bool:
    folded = fold(text)
    if impossible_day(folded):
        return False  # "31 de fevereiro": dateparser would only invent a nearby date
    return any(char.isdigit() for char in text) or not _MONTH_NAMES.isdisjoint(folded.split())


_LONGEST = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_DAY_MONTH_NAME = re.compile(
    r"\b(\d{1,2})\s*(?:de\s+)?(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b")
_DAY_MONTH_NUMBER = re.compile(r"\b(\d{1,2})\s*/\s*(\d{1,2})\b")


def impossible_day(folded: str) -> bool:
    """The folded text names a day its month does not have ("31 de fevereiro", "30/02")."""
    pairs = [(int(d), MONTHS[m]) for d, m in _DAY_MONTH_NAME.findall(folded)]
    pairs += [(int(d), int(m)) for d, m in _DAY_MONTH_NUMBER.findall(folded)]
    return any(not 1 <= month <= 12 or not 1 <= day <= _LONGEST[month] for day, month in pairs)
