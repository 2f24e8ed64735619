"""Time is an input: the engine, the scheduler and the timers read a `Clock`; tests move a
`ManualClock`. Every instant is timezone-aware and stored in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

from runtime.engine.errors import NaiveDatetime


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to; starts at `start` (aware) or at the real now."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = require_aware(start) if start is not None else datetime.now(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("a clock never goes back; use set() to jump to a given instant")
        self._now += delta
        return self._now

    def set(self, instant: datetime) -> datetime:
        self._now = require_aware(instant)
        return self._now


def require_aware(instant: datetime) -> datetime:
    """`instant` in UTC; a naive datetime is refused, since its zone would be a guess."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise NaiveDatetime(
            f"naive datetime {instant.isoformat()}: pass an aware one, e.g. datetime(..., tzinfo=UTC) "
            "or a local time with its ZoneInfo"
        )
    return instant.astimezone(UTC)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


def to_ms(instant: datetime) -> int:
    """Whole milliseconds since the epoch: the score of every time-ordered sorted set."""
    return (require_aware(instant) - EPOCH) // _MS


def from_ms(ms: int | float | str | bytes) -> datetime:
    return EPOCH + timedelta(milliseconds=int(float(ms)))
