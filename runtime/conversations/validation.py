"""Everything `papo validate` checks: the flows (schema and lint), the calendar, and that the
appointment nodes name services, professionals and periods the calendar has."""

from __future__ import annotations

import difflib
from pathlib import Path

from flows.errors import FlowIssue
from flows.jsonpos import escape, load_with_positions
from flows.loader import LoadResult, check_bot
from flows.model import Bot, Flow
from flows.nodes import AppointmentNode, BookNode, NodeKinds, node_kinds
from runtime.scheduling import Calendar, CalendarInvalid, load_calendar
from runtime.scheduling.loading import CALENDAR_FILE


def check_folder(root: str | Path, *, kinds: NodeKinds = node_kinds) -> LoadResult:
    root = Path(root)
    result = check_bot(root, kinds=kinds)
    issues = list(result.issues)
    bot = result.bot
    calendar: Calendar | None = None
    if (root / CALENDAR_FILE).exists():
        try:
            calendar = load_calendar(root, calendar_id=bot.name if bot else None)
        except CalendarInvalid as exc:
            issues += exc.issues
    if bot is not None:
        issues += _appointment_issues(bot, calendar, root)
    has_errors = any(i.severity == "error" for i in issues)
    return LoadResult(None if has_errors else bot, tuple(issues))


def _appointment_issues(bot: Bot, calendar: Calendar | None, root: Path) -> list[FlowIssue]:
    found: list[FlowIssue] = []
    for flow in bot.flows.values():
        for node in flow.nodes.values():
            if not isinstance(node, AppointmentNode):
                continue
            if calendar is None:
                found.append(_issue(flow, node.id, "", "no-calendar",
                                    f"node {node.id!r} handles appointments but the bot has no {CALENDAR_FILE}",
                                    f"add {root / CALENDAR_FILE} with the clinic's services and professionals"))
                continue
            if isinstance(node, BookNode):
                found += _book_issues(flow, node, calendar)
    return found


def _book_issues(flow: Flow, node: BookNode, calendar: Calendar) -> list[FlowIssue]:
    found = []
    checks = [("service", node.service, calendar.services), ("professional", node.professional, calendar.professionals),
              ("period", node.period, calendar.periods)]
    for key, value, known in checks:
        if value and "{" not in value and value not in known:
            close = difflib.get_close_matches(value, list(known), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            hint += f"{CALENDAR_FILE} has: {', '.join(sorted(known))}"
            found.append(_issue(flow, node.id, f"/{key}", f"unknown-{key}",
                                f"{key} {value!r} is not in {CALENDAR_FILE}", hint))
    if node.professional is not None and node.professional in calendar.professionals \
            and node.service in calendar.services:
        offered = calendar.professionals[node.professional].services
        if node.service not in offered:
            found.append(_issue(flow, node.id, "/service", "service-not-offered",
                                f"{node.professional!r} does not offer {node.service!r}",
                                f"they offer: {', '.join(sorted(offered))}"))
    return found


def _issue(flow: Flow, node_id: str, where: str, code: str, message: str, hint: str) -> FlowIssue:
    pointer = f"/nodes/{escape(node_id)}{where}"
    line = column = None
    if flow.file:
        _, positions = load_with_positions(Path(flow.file).read_text(encoding="utf-8"))
        line, column = positions.find(pointer) or (None, None)
    return FlowIssue(flow.file, pointer, message, hint, line, column, code)
