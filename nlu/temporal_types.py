"""Values and settings shared by the date and time rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Literal

Kind = Literal["date", "time", "period", "interval", "datetime"]
Grain = Literal["day", "hour", "minute", "day_period", "week", "weekend", "month"]


@dataclass(frozen=True, slots=True)
class TemporalRules:
    """How ambiguous pt-BR expressions are read; one value per bot.

    afternoon_hours: an hour in this range said without a period ("às 2") means the afternoon.
    next_weekday_skips_week: "próxima quinta" / "quinta que vem" skip the nearest Thursday.
    periods: start and end hours of manhã, tarde, noite (end 24 means midnight).
    """

    afternoon_hours: tuple[int, int] = (1, 7)
    next_weekday_skips_week: bool = False
    periods: dict[str, tuple[int, int]] = field(
        default_factory=lambda: {"manha": (6, 12), "tarde": (12, 18), "noite": (18, 24), "madrugada": (0, 6)}
    )


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
    """One temporal expression found by the rules, before dates and times are joined."""

    start: int
    end: int
    kind: Kind
    day: date | None = None
    clock: time | None = None
    moment: datetime | None = None
    interval: Interval | None = None
    period: str | None = None
    until: time | None = None  # end of a clock range; `clock` is its start

    @property
    def size(self) -> int:
        return self.end - self.start
