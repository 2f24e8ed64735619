"""What the calendar schema cannot say: real zones, known services, spans that end after they
start and do not overlap, real local dates. Runs on a document the schema already accepted."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from runtime.scheduling.errors import CalendarIssue


def zone_or_none(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def semantic_issues(data: Mapping[str, Any], file: str) -> Iterator[CalendarIssue]:
    if zone_or_none(data["timezone"]) is None:
        yield CalendarIssue(file, "/timezone", f"unknown time zone {data['timezone']!r}",
                            "use an IANA zone name such as \"America/Sao_Paulo\" or \"America/Manaus\"")
    for name, span in data.get("periods", {}).items():
        yield from _span_order(file, f"/periods/{name}", span)
    for pid, prof in data["professionals"].items():
        yield from _professional(file, f"/professionals/{pid}", prof, data["services"])
    yield from _closures(file, "/closures", data.get("closures", []))
    seen: dict[str, int] = {}
    for n, reminder in enumerate(data.get("reminders", ())):
        if reminder["id"] in seen:
            yield CalendarIssue(file, f"/reminders/{n}/id", f"reminder id {reminder['id']!r} is used twice "
                                f"(also at /reminders/{seen[reminder['id']]})", "give each reminder its own id")
        seen.setdefault(reminder["id"], n)


def _professional(file: str, where: str, prof: Mapping[str, Any], services: Mapping[str, Any]
                  ) -> Iterator[CalendarIssue]:
    for n, sid in enumerate(prof["services"]):
        if sid not in services:
            yield CalendarIssue(file, f"{where}/services/{n}", f"unknown service {sid!r}",
                                f"define it under /services or remove it; known: {', '.join(sorted(services))}")
    for day, spans in prof["hours"].items():
        yield from _hours(file, f"{where}/hours/{day}", spans)
    for n, brk in enumerate(prof.get("breaks", ())):
        yield from _span_order(file, f"{where}/breaks/{n}", brk)
    yield from _closures(file, f"{where}/closures", prof.get("closures", []))


def _span_order(file: str, where: str, span: Mapping[str, str]) -> Iterator[CalendarIssue]:
    if span["from"] >= span["to"]:
        yield CalendarIssue(file, where, f"ends at {span['to']}, not after it starts at {span['from']}",
                            "make \"to\" later than \"from\" on the same day; split a span that crosses "
                            "midnight into two days")


def _hours(file: str, where: str, spans: list[Mapping[str, str]]) -> Iterator[CalendarIssue]:
    for n, span in enumerate(spans):
        yield from _span_order(file, f"{where}/{n}", span)
    ordered = sorted(range(len(spans)), key=lambda n: spans[n]["from"])
    for before, after in zip(ordered, ordered[1:], strict=False):
        a, b = spans[before], spans[after]
        if b["from"] < a["to"]:
            yield CalendarIssue(
                file, f"{where}/{after}",
                f"{b['from']}-{b['to']} overlaps {a['from']}-{a['to']} at {where}/{before}",
                "merge the two spans into one, or make one end before the other starts",
            )


def _closures(file: str, where: str, items: list[Mapping[str, str]]) -> Iterator[CalendarIssue]:
    for n, item in enumerate(items):
        start, end = _local(item["from"]), _local(item["to"])
        for key, value in (("from", start), ("to", end)):
            if value is None:
                yield CalendarIssue(file, f"{where}/{n}/{key}", f"{item[key]!r} is not a real date and time",
                                    "write a real local date and time as YYYY-MM-DDTHH:MM, e.g. "
                                    "\"2026-02-28T12:00\"")
        if start is not None and end is not None and start >= end:
            yield CalendarIssue(file, f"{where}/{n}", f"ends at {item['to']}, not after it starts at "
                                f"{item['from']}", "make \"to\" later than \"from\"")


def _local(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
