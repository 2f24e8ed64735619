"""Loading calendar.json: JSON Schema first, then the checks a schema cannot express."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flows.jsonpos import Positions, describe_decode_error, load_with_positions
from flows.schemas import schema_issues
from nlu.holidays import holidays_of
from runtime.scheduling.calendar import (
    DEFAULT_PERIODS,
    WEEKDAYS,
    BookingRules,
    Break,
    Calendar,
    Closure,
    Price,
    Professional,
    ReminderRule,
    Service,
    Span,
)
from runtime.scheduling.checks import semantic_issues
from runtime.scheduling.errors import CalendarInvalid, CalendarIssue

CALENDAR_FILE = "calendar.json"


HOLIDAY_YEARS = range(2000, 2100)  # the years a built-in list ("BR") is worked out for


def _holidays(items: Sequence[Any]) -> dict[date, str]:
    """The days the clinic is closed: each item a day ({"date", "name"}) or a built-in list's name ("BR": Brazil's
    national holidays, Easter-based ones included, every year; `nlu.holidays`)."""
    days: dict[date, str] = {}
    for item in items:
        if isinstance(item, str):
            for year in HOLIDAY_YEARS:
                days.update(holidays_of(year, (item,)))
        else:
            days[date.fromisoformat(item["date"])] = item.get("name", "")
    return days


def load_calendar(path: str | Path, *, calendar_id: str | None = None) -> Calendar:
    """Read `path` (a bot folder holding calendar.json, or the file itself); raises CalendarInvalid
    whose issues name the file, the line and the JSON pointer."""
    file = Path(path)
    if file.is_dir():
        file = file / CALENDAR_FILE
    try:
        data, positions = load_with_positions(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CalendarInvalid([CalendarIssue(str(file), "", "file not found",
                                             f"create {CALENDAR_FILE} in the bot folder")]) from None
    except json.JSONDecodeError as exc:
        message, hint, line, _ = describe_decode_error(exc)
        raise CalendarInvalid([CalendarIssue(str(file), "", message, hint, line)]) from None
    duplicates = [_placed(CalendarIssue(str(file), p, "this key appears twice in its object; the last one would win",
                                        "keep one of the two", code="duplicate-id"), positions)
                  for p in positions.duplicates]
    return parse_calendar(data, file=str(file), calendar_id=calendar_id or file.resolve().parent.name,
                          positions=positions, issues=duplicates)


def parse_calendar(data: Any, *, file: str = CALENDAR_FILE, calendar_id: str = "default",
                   positions: Positions | None = None, issues: Sequence[CalendarIssue] = ()) -> Calendar:
    """Validate and build a calendar from its JSON document; raises CalendarInvalid with every issue."""
    positions = positions or Positions("")
    found = [*issues, *schema_issues("calendar", data, file, positions)]
    if not found:
        found = [_placed(issue, positions) for issue in semantic_issues(data, file)]
    if found:
        raise CalendarInvalid(sorted(found, key=lambda i: i.pointer))
    return _build(data, calendar_id)


def _placed(issue: CalendarIssue, positions: Positions) -> CalendarIssue:
    line, column = positions.find(issue.pointer) or (None, None)
    return replace(issue, line=line, column=column)


def _minutes(data: Mapping[str, Any], key: str, default: timedelta) -> timedelta:
    return timedelta(minutes=data[key]) if key in data else default


def _clock(text: str) -> time:
    return time.fromisoformat(text)


def _span(data: Mapping[str, str]) -> Span:
    return Span(_clock(data["from"]), _clock(data["to"]))


def local_instant(text: str, tz: ZoneInfo) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz).astimezone(UTC)


def _closures(items: list[Mapping[str, str]], tz: ZoneInfo) -> tuple[Closure, ...]:
    return tuple(Closure(local_instant(c["from"], tz), local_instant(c["to"], tz), c.get("reason", ""))
                 for c in items)


def _professional(pid: str, data: Mapping[str, Any], tz: ZoneInfo) -> Professional:
    hours = {WEEKDAYS.index(day): tuple(sorted((_span(s) for s in spans), key=lambda s: s.start))
             for day, spans in data["hours"].items()}
    breaks = tuple(Break(frozenset(WEEKDAYS.index(d) for d in b.get("days", ())), _span(b))
                   for b in data.get("breaks", ()))
    return Professional(pid, data["name"], frozenset(data["services"]), hours, breaks,
                        _closures(data.get("closures", []), tz))


def _service(sid: str, data: Mapping[str, Any]) -> Service:
    price = data.get("price")
    money = Price(Decimal(str(price["amount"])), price.get("currency", "BRL")) if price else None
    return Service(sid, data["name"], timedelta(minutes=data["duration_minutes"]), money)


def _build(data: Mapping[str, Any], calendar_id: str) -> Calendar:
    tz = ZoneInfo(data["timezone"])
    booking = data.get("booking", {})
    defaults = BookingRules()
    rules = BookingRules(
        min_notice=_minutes(booking, "min_notice_minutes", defaults.min_notice),
        cancel_min_notice=_minutes(booking, "cancel_min_notice_minutes", defaults.cancel_min_notice),
        max_ahead=timedelta(days=booking.get("max_days_ahead", defaults.max_ahead.days)),
        hold=_minutes(booking, "hold_minutes", defaults.hold),
    )
    reminders = tuple(ReminderRule(r["id"], timedelta(minutes=r["before_minutes"]),
                                   _minutes(r, "max_lateness_minutes", timedelta(minutes=60)))
                      for r in data.get("reminders", ()))
    periods = {name: _span(s) for name, s in data.get("periods", {}).items()} or dict(DEFAULT_PERIODS)
    step = data.get("slot_step_minutes")
    return Calendar(
        id=calendar_id, tz=tz,
        services={sid: _service(sid, s) for sid, s in data["services"].items()},
        professionals={pid: _professional(pid, p, tz) for pid, p in data["professionals"].items()},
        holidays=_holidays(data.get("holidays", ())),
        closures=_closures(data.get("closures", []), tz),
        periods=periods, rules=rules, reminders=reminders,
        slot_step=timedelta(minutes=step) if step else None,
    )

