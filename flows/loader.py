"""Load a bot folder into the model, or say precisely what is wrong with it.

A bot is a folder: `bot.json`, `flows/*.json`, optional `layout.json`, `tests/*.yaml`.
`check_bot` never raises on bad input: every defect becomes a `FlowIssue` with file, JSON
pointer, line, column and a hint. `load_bot` raises `FlowInvalid` when there are errors. Both
take `kinds`, the node kinds flows may use (papo's own unless given: see docs/extending.md).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .durations import parse_duration
from .errors import FlowInvalid, FlowIssue
from .faq import FAQ_FILE, Faq
from .integrations import HttpSettings, subscriptions_from_json
from .jsonpos import Positions, describe_decode_error, load_with_positions
from .lint import lint
from .model import Bot, Flow, Interrupt, variables_from_json
from .nodes import NodeKinds, node_kinds
from .schemas import schema_issues
from .settings import (
    FaqSettings,
    HoursSettings,
    LlmSettings,
    MonitoringSettings,
    NluSettings,
    PrivacyNotice,
    RetentionSettings,
    SchedulingSettings,
)


@dataclass(frozen=True, slots=True)
class LoadResult:
    bot: Bot | None
    issues: tuple[FlowIssue, ...]

    @property
    def errors(self) -> tuple[FlowIssue, ...]:
        return tuple(i for i in self.issues if i.severity == "error")

    @property
    def warnings(self) -> tuple[FlowIssue, ...]:
        return tuple(i for i in self.issues if i.severity == "warning")


def digest_of(data: Any) -> str:
    """The content hash that names one version of a flow."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def load_bot(root: str | Path, *, kinds: NodeKinds = node_kinds) -> Bot:
    result = check_bot(root, kinds=kinds)
    if result.errors or result.bot is None:
        raise FlowInvalid(result.errors)
    return result.bot


def check_bot(root: str | Path, *, kinds: NodeKinds = node_kinds) -> LoadResult:
    root = Path(root)
    issues: list[FlowIssue] = []
    if not root.is_dir():
        issue = FlowIssue(str(root), "", "this folder does not exist", f"papo new {root} creates a bot there",
                          code="not-a-bot")
        return LoadResult(None, (issue,))
    bot_file = str(root / "bot.json")
    positions: dict[str, Positions] = {}
    bot_data = _read(root / "bot.json", "bot", issues, positions)
    flow_data: dict[str, tuple[str, Any]] = {}
    flow_files = sorted((root / "flows").glob("*.json"))
    if not flow_files:
        issues.append(FlowIssue(str(root / "flows"), "", "no flow files found",
                                "add at least one flows/<name>.json", code="no-flows"))
    for path in flow_files:
        data = _read(path, "flow", issues, positions, kinds=kinds)
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            if data["id"] in flow_data:
                issues.append(_issue_at(positions, str(path), "/id", "duplicate-id",
                                        f"flow id {data['id']!r} is also used by {flow_data[data['id']][0]}",
                                        "give each flow its own id"))
            else:
                flow_data[data["id"]] = (str(path), data)
    if (root / "layout.json").exists():
        _read(root / "layout.json", "layout", issues, positions)
    faq_data = _read(root / FAQ_FILE, "faq", issues, positions) if (root / FAQ_FILE).exists() else None
    if any(i.severity == "error" for i in issues) or not isinstance(bot_data, dict):
        return LoadResult(None, tuple(issues))
    bot = _build(root, bot_data, flow_data, issues, positions, bot_file, kinds)
    if bot is None:
        return LoadResult(None, tuple(issues))
    issues += _monitoring_issues(bot_data, bot_file, positions)
    if isinstance(faq_data, dict):
        issues += _faq_issues(faq_data, str(root / FAQ_FILE), positions)
        bot = replace(bot, faq=Faq.from_json(faq_data, digest=digest_of(faq_data)))
    issues += lint(bot, bot_file, positions)
    has_errors = any(i.severity == "error" for i in issues)
    return LoadResult(None if has_errors else bot, tuple(issues))


def _issue_at(positions: dict[str, Positions], file: str, pointer: str, code: str, message: str,
              hint: str) -> FlowIssue:
    line, column = (positions[file].find(pointer) if file in positions else None) or (None, None)
    return FlowIssue(file, pointer, message, hint, line, column, code)


def _read(path: Path, schema: str, issues: list[FlowIssue], positions: dict[str, Positions], *,
          kinds: NodeKinds | None = None) -> Any:
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        issues.append(FlowIssue(file, "", "file not found", f"create {path.name}", code="missing-file"))
        return None
    except (OSError, UnicodeDecodeError) as exc:
        issues.append(FlowIssue(file, "", f"cannot read the file: {exc}", "save it as UTF-8 text",
                                code="unreadable"))
        return None
    try:
        data, pos = load_with_positions(text)
    except json.JSONDecodeError as exc:
        message, hint, line, column = describe_decode_error(exc)
        issues.append(FlowIssue(file, "", message, hint, line, column, "bad-json"))
        return None
    positions[file] = pos
    for pointer in pos.duplicates:
        parent, _, key = pointer.rpartition("/")
        line, column = pos.at[pointer + "#duplicate"]
        what = f"node id {key!r}" if parent == "/nodes" else f"key {key!r}"
        issues.append(FlowIssue(file, pointer, f"{what} is defined twice; only the last one would count",
                                "rename or remove one of them", line, column, "duplicate-id"))
    issues += schema_issues(schema, data, file, pos, kinds=kinds)
    return data


def _build(root: Path, data: dict[str, Any], flow_data: dict[str, tuple[str, Any]], issues: list[FlowIssue],
           positions: dict[str, Positions], bot_file: str, kinds: NodeKinds) -> Bot | None:
    try:
        expiry = parse_duration(data.get("session_expiry", "24h"))
    except ValueError as exc:
        issues.append(_issue_at(positions, bot_file, "/session_expiry", "bad-duration", str(exc),
                                "write a duration such as 24h or 1h30m"))
        return None
    try:
        retention = RetentionSettings.from_json(data.get("retention", {}))
    except ValueError as exc:
        issues.append(_issue_at(positions, bot_file, "/retention", "bad-duration", str(exc),
                                "write each period as a duration such as 30d or 90d"))
        return None
    flows = {fid: Flow.from_json(fdata, digest=digest_of(fdata), file=file, kinds=kinds)
             for fid, (file, fdata) in flow_data.items()}
    return Bot(
        name=data["name"],
        default_locale=data["default_locale"],
        entry_flow=data["entry_flow"],
        flows=flows,
        locales=tuple(data.get("locales", ())),
        timezone=data.get("timezone", "UTC"),
        session_expiry=expiry,
        fallback_flow=data.get("fallback_flow"),
        interrupts=tuple(
            Interrupt(tuple(i["keywords"]), i.get("flow"), bool(i.get("resume", False)), i.get("text"))
            for i in data.get("interrupts", ())
        ),
        variables=variables_from_json(data.get("variables", {})),
        messages=dict(data.get("messages", {})),
        settings=dict(data.get("settings", {})),
        nlu=NluSettings.from_json(data.get("nlu", {})),
        channels={name: dict(refs) for name, refs in data.get("channels", {}).items()},
        root=str(root),
        scheduling=SchedulingSettings.from_json(data.get("scheduling", {})),
        faq_settings=FaqSettings.from_json(data.get("faq", {})),
        llm=LlmSettings.from_json(data.get("llm", {})),
        hours=HoursSettings.from_json(data.get("hours", {})),
        privacy=PrivacyNotice.from_json(data.get("privacy", {})),
        retention=retention,
        monitoring=MonitoringSettings.from_json(data.get("monitoring", {})),
        http=HttpSettings.from_json(data.get("http", {})),
        events=subscriptions_from_json(data.get("events")),
    )


def _faq_issues(data: dict[str, Any], file: str, positions: dict[str, Positions]) -> list[FlowIssue]:
    """Two entries with one id would make answers ambiguous."""
    seen: dict[str, int] = {}
    issues = []
    for i, entry in enumerate(data.get("entries", ())):
        if entry["id"] in seen:
            issues.append(_issue_at(positions, file, f"/entries/{i}/id", "duplicate-id",
                                    f"FAQ entry id {entry['id']!r} is also used by entry {seen[entry['id']]}",
                                    "give each entry its own id"))
        seen.setdefault(entry["id"], i)
    return issues


def _monitoring_issues(data: dict[str, Any], file: str, positions: dict[str, Positions]) -> list[FlowIssue]:
    """What the schema cannot say about "monitoring" rules: a pattern that does not compile, a repeated id."""
    issues, seen = [], set()
    for i, rule in enumerate(data.get("monitoring", {}).get("rules", ())):
        if rule["id"] in seen:
            issues.append(_issue_at(positions, file, f"/monitoring/rules/{i}/id", "duplicate-id",
                                    f"monitoring rule id {rule['id']!r} is used twice", "give each rule its own id"))
        seen.add(rule["id"])
        if "regex" in rule:
            try:
                re.compile(rule["regex"])
            except re.error as exc:
                issues.append(_issue_at(positions, file, f"/monitoring/rules/{i}/regex", "bad-regex",
                                        f"the pattern {rule['regex']!r} does not compile: {exc}",
                                        "fix the regular expression (Python syntax); escape a literal dot as \\."))
    return issues
