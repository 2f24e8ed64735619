"""Values and settings shared by the date and time rules."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import lru_cache
from typing import Literal

Kind = Literal["date", "time", "period", "interval", "datetime"]
Grain = Literal["second", "minute", "hour", "day", "day_period", "week", "weekend", "month", "quarter", "year"]
Prefer = Literal["future", "past"]
Direction = Literal["after", "before"]


@dataclass(frozen=True, slots=True)
class TemporalRules:
    """How ambiguous pt-BR expressions are read; one value per bot (and `prefer` per question).

    afternoon_hours: an hour in this range said without a period ("às 2") means the afternoon.
    next_weekday_skips_week: "próxima quinta" / "quinta que vem" are the Thursday of next week (Monday
        to Sunday), not the nearest one ("próxima segunda" said on a Saturday is still in two days).
    periods: start and end hours of manhã, tarde, noite (end 24 means midnight).
    until_includes: "até o dia 30" / "até agosto" run until that day or month ends, as pt-BR means it; False
        reads them as "antes de" (until it begins), as Recognizers-Text's specs do.
    prefer: which way a date that does not say it goes: "future" (an appointment: "dia 5", "sexta",
        "5 de maio" are the next ones) or "past" (a birth date, when symptoms began: the last ones,
        and "31/10/74" is 1974). A two-digit year is in the 100 years up to 20 years ahead in
        "future", and never after this year in "past".
    """

    afternoon_hours: tuple[int, int] = (1, 7)
    next_weekday_skips_week: bool = False
    periods: dict[str, tuple[int, int]] = field(
        default_factory=lambda: {"manha": (6, 12), "tarde": (12, 18), "noite": (18, 24), "madrugada": (0, 6)}
    )
    prefer: Prefer = "future"
    until_includes: bool = True


DEFAULT_RULES = TemporalRules()


@dataclass(frozen=True, slots=True)
class Interval:
    """A span of time [start, end), both aware datetimes."""

    start: datetime
    end: datetime
    grain: Grain

    def to_json(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


@dataclass(frozen=True, slots=True)
class Found:
    """One temporal expression found by the rules, before dates and times are joined.

    weak: read only next to another date or time, or as the whole message ("sex", "15.00").
    weekday: a day named by its weekday or a relative word, which an explicit date next to it
        replaces ("sexta, 12 de setembro").
    shifted: an hour said without a period and read as afternoon ("às 7" → 19:00); a period next
        to it may undo that ("às 7 esta manhã").
    negated: the message rules this one out ("hoje não consigo", "menos segunda").
    open: "after" or "before" the clock time (`depois das 18h`, `antes das 10h`).
    from_clock: an open span that starts at the time said ("a partir das 14h", "das 9 em diante"),
        which a question for a time takes as its answer.
    counted: a day a week or more from now, counted ("daqui duas semanas", "daqui 15 dias"); a weekday
        next to it is that weekday of its week ("daqui duas semanas na terça").
    """

    start: int
    end: int
    kind: Kind
    day: date | None = None
    clock: time | None = None
    moment: datetime | None = None
    interval: Interval | None = None
    period: str | None = None
    until: time | None = None  # end of a clock range; `clock` is its start
    weak: bool = False
    weekday: bool = False
    shifted: bool = False
    negated: bool = False
    open: Direction | None = None
    from_clock: bool = False
    counted: bool = False

    @property
    def size(self) -> int:
        return self.end - self.start


_TOKEN = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=512)
def tokens(folded: str) -> frozenset[str]:
    """The words and numbers of a folded text: each rule looks for its words here before it runs
    its patterns, so a message with no date costs a few set lookups."""
    return frozenset(_TOKEN.findall(folded))


def has_any(folded: str, words: frozenset[str]) -> bool:
    return not words.isdisjoint(tokens(folded))


def has_digit(folded: str) -> bool:
    return any(char.isdigit() for char in folded)
