"""Opening hours: when staff answer handoffs (bot.json "hours"), in the bot's time zone.

`OpeningHours` answers what the handoff node and the templates ask: is it open now (for a queue),
when does it open next, when does a duration counted in open hours end (a handoff's
`resume_after`), and since when has it been closed (an away message goes once per closed period).
Holidays are the built-in lists named in "holidays" (`nlu.holidays`) and the bot's "closed_days".
A bot without "open" is always open.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from flows.settings import HoursSettings, Week
from nlu.holidays import holidays_of

SEARCH_DAYS = 400  # a week with no open hour at all, every day a holiday: give up after a year


class OpeningHours:
    def __init__(self, settings: HoursSettings, timezone: str) -> None:
        self.settings = settings
        self.tz = ZoneInfo(timezone)

    @property
    def always_open(self) -> bool:
        return self.settings.open is None

    def week(self, queue: str | None = None) -> Week | None:
        if queue is not None and queue in self.settings.queues:
            return self.settings.queues[queue]
        return self.settings.open

    def closed_on(self, day: date) -> str | None:
        """The name of the holiday or closed day `day` is, else None."""
        if day in self.settings.closed_days:
            return self.settings.closed_days[day] or "closed"
        return _holidays(day.year, self.settings.holidays).get(day)

    def is_open(self, at: datetime, queue: str | None = None) -> bool:
        if self.week(queue) is None:
            return True
        return any(start <= at < end for start, end in self._spans(at.astimezone(self.tz).date() - timedelta(days=1),
                                                                   queue, days=2))

    def next_opening(self, at: datetime, queue: str | None = None) -> datetime | None:
        """`at` itself when open, else the next moment it opens (local time); None when it never does."""
        if self.is_open(at, queue):
            return at.astimezone(self.tz)
        for start, _ in self._spans(at.astimezone(self.tz).date(), queue):
            if start > at:
                return start
        return None

    def add_open(self, at: datetime, duration: timedelta, queue: str | None = None) -> datetime:
        """The moment `duration` of open time after `at` has passed (closed time does not count)."""
        if self.week(queue) is None:
            return at + duration
        left = duration
        for start, end in self._spans(at.astimezone(self.tz).date() - timedelta(days=1), queue):
            if end <= at:
                continue
            begin = max(start, at)
            if begin + left <= end:
                return begin + left
            left -= end - begin
        return at + duration  # never open: the duration as it is

    def closed_since(self, at: datetime, queue: str | None = None) -> datetime | None:
        """When the closed period `at` falls in began (the last closing), or None when it is open."""
        if self.is_open(at, queue):
            return None
        day = at.astimezone(self.tz).date()
        for back in range(SEARCH_DAYS):
            ends = [end for _, end in self._day_spans(day - timedelta(days=back), queue) if end <= at]
            if ends:
                return max(ends)
        return None

    def _spans(self, first: date, queue: str | None, *, days: int = SEARCH_DAYS) -> Iterator[tuple[datetime, datetime]]:
        """Open spans from the day `first` on, in order, as aware local datetimes; spans that meet
        (23:00-24:00, then 00:00-02:00) are joined."""
        pending: tuple[datetime, datetime] | None = None
        for offset in range(days):
            for start, end in self._day_spans(first + timedelta(days=offset), queue):
                if pending is not None and start <= pending[1]:
                    pending = (pending[0], max(pending[1], end))
                    continue
                if pending is not None:
                    yield pending
                pending = (start, end)
        if pending is not None:
            yield pending

    def _day_spans(self, day: date, queue: str | None) -> list[tuple[datetime, datetime]]:
        week = self.week(queue)
        if week is None or self.closed_on(day) is not None:
            return []
        spans = []
        for start, end in sorted(week.get(day.weekday(), ())):
            begin = datetime.combine(day, start, self.tz)
            finish = datetime.combine(day + timedelta(days=1), time(), self.tz) if end == time.max else \
                datetime.combine(day, end, self.tz)
            if finish > begin:
                spans.append((begin, finish))
        return spans


@lru_cache(maxsize=64)
def _holidays(year: int, lists: tuple[str, ...]) -> dict[date, str]:
    return holidays_of(year, lists)
