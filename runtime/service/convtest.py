"""Conversation tests: `tests/*.yaml` in a bot folder, run on a virtual clock.

Each test talks to a fresh conversation on the embedded store: user lines, the replies
expected (exact text, `re:` pattern, `contains:`, options), where the conversation must be
(`expect: {node, flow, waiting, vars}`), `advance: 25h` to move the clock and `campaign: <name>` for
what a campaign of campaigns.json sends the contact, `start: {flow, variables}` for a start API call. A failure shows
the transcript so far and a diff of the step that failed.

A corpus (`papo test BOTDIR --dir corpus`) is the same files, scored per patient turn: every
step with an expectation counts, and the run goes on after a failed step. A step may say what a
scripted language model answers if it is asked (`llm: {command: ...}`); `run_case` hands each step
to `before_step`, which a test uses to script a local OpenAI-compatible server.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fakeredis
import yaml

from flows.errors import FlowIssue
from flows.jsonpos import Positions
from flows.messages import OutboundMessage
from flows.model import parse_duration
from flows.schemas import schema_issues
from runtime.conversations.library import BotLibrary
from runtime.conversations.store import RedisStore
from runtime.engine.clock import ManualClock
from runtime.nodes.services import BotServices
from runtime.service.harness import BotHarness
from runtime.service.wiring import build_services

DEFAULT_START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday, 09:00 in São Paulo


BeforeStep = Callable[[dict[str, Any]], None]


@dataclass
class CaseResult:
    name: str
    file: str
    failures: list[str] = field(default_factory=list)
    transcript: list[str] = field(default_factory=list)
    visited: set[str] = field(default_factory=set)
    turns: list[bool] = field(default_factory=list)  # each step with an expectation: handled as expected?

    @property
    def passed(self) -> bool:
        return not self.failures


class _TextTimes(yaml.SafeLoader):
    """YAML that keeps an unquoted `start: 2026-03-02T09:00:00-03:00` (or a date) as the text it is: the
    test format reads ISO 8601 texts, and a datetime object is no JSON value (the schema check needs one)."""


_TextTimes.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def load_cases(root: Path, folder: str = "tests") -> tuple[list[tuple[str, dict[str, Any]]], list[FlowIssue]]:
    cases: list[tuple[str, dict[str, Any]]] = []
    issues: list[FlowIssue] = []
    for path in sorted((root / folder).glob("*.y*ml")):
        try:
            docs = [d for d in yaml.load_all(path.read_text(encoding="utf-8"), Loader=_TextTimes) if d is not None]
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or str(exc)
            issues.append(FlowIssue(str(path), "", f"not valid YAML: {problem}",
                                    "check indentation, and quote texts that contain : ? [ ] { } or #",
                                    mark.line + 1 if mark else None, mark.column + 1 if mark else None, "bad-yaml"))
            continue
        for i, doc in enumerate(docs):
            found = schema_issues("test", doc, str(path), Positions(""))
            prefix = f"/{i}" if len(docs) > 1 else ""
            issues += [FlowIssue(x.file, prefix + x.pointer, x.message, x.hint, code=x.code) for x in found]
            if not found:
                cases.append((str(path), doc))
    return cases, issues


async def run_case(library: BotLibrary, file: str, case: dict[str, Any], services: BotServices | None = None,
                   *, keep_going: bool = False, before_step: BeforeStep | None = None) -> CaseResult:
    """Play one case; with `keep_going`, every step is played and scored (a corpus), not only those
    before the first failure."""
    result = CaseResult(case["name"], file)
    start = datetime.fromisoformat(case["start"]) if "start" in case else DEFAULT_START
    client = fakeredis.FakeAsyncRedis(server=fakeredis.FakeServer())
    clock = ManualClock(start)
    base = services
    services = build_services(library.current, library.root, redis=client, clock=clock, base=base)
    harness = BotHarness(library, RedisStore(client), clock,
                         channel=case.get("channel", "test"), user=case.get("user", "test-user"), services=services)
    try:
        for number, step in enumerate(case["steps"], 1):
            if before_step is not None:
                before_step(step)
            failed = len(result.failures)
            await _step(harness, step, number, result)
            if "bot" in step or "says" in step or "expect" in step:
                result.turns.append(len(result.failures) == failed)
            if result.failures and not keep_going:
                break
    finally:
        await harness.aclose()
        if services.llm is not None and (base is None or services.llm is not base.llm):
            await services.llm.aclose()  # the case's own client to the model
    return result


async def _step(h: BotHarness, step: dict[str, Any], number: int, result: CaseResult) -> None:
    replies: list[OutboundMessage] = []
    if "advance" in step:
        result.transcript.append(f"   (clock +{step['advance']})")
        replies = await h.advance(parse_duration(step["advance"]))
    elif "user" in step or "choice" in step:
        shown = step.get("user") or f"[{step['choice']}]"
        result.transcript.append(f"  > {shown}")
        replies = await h.say(step.get("user", ""), choice_id=step.get("choice"))
    elif "start" in step:
        started = step["start"]
        result.transcript.append(f"   (another system starts {started['flow']})")
        replies = await h.start_flow(started["flow"], started.get("variables"),
                                     purpose=started.get("purpose", "utility"))
    elif "campaign" in step:
        result.transcript.append(f"   (campaign {step['campaign']} reaches the contact)")
        replies = await h.start_campaign(step["campaign"])
    elif step.get("resume_handoff"):
        result.transcript.append("   (staff resumes the bot)")
        replies = await h.resume_handoff()
    for turn in h.last:
        result.visited.update(turn.trace)
    result.transcript += [f"  < {line}" for m in replies for line in _lines(m)]
    failed = len(result.failures)
    if "bot" in step:
        expected = step["bot"] if isinstance(step["bot"], list) else [step["bot"]]
        _compare_replies(expected, replies, number, result)
    if "says" in step and len(result.failures) == failed:
        _compare_some(step["says"] if isinstance(step["says"], list) else [step["says"]], replies, number, result)
    if "expect" in step and len(result.failures) == failed:
        await _compare_state(h, step["expect"], number, result)


def _lines(message: OutboundMessage) -> list[str]:
    lines = message.text.splitlines() or [""]
    return lines + [f"    {i}) {o.title}" for i, o in enumerate(message.options, 1)]


def _matches(spec: Any, message: OutboundMessage) -> bool:
    if isinstance(spec, str):
        return message.text.strip() == spec.strip()
    ok = True
    if "text" in spec:
        ok &= message.text.strip() == spec["text"].strip()
    if "re" in spec:
        ok &= re.search(spec["re"], message.text, re.S) is not None
    if "contains" in spec:
        ok &= spec["contains"] in message.text
    if "options" in spec:
        ok &= [o.title for o in message.options] == spec["options"]
    return bool(ok)


def _describe(spec: Any) -> list[str]:
    if isinstance(spec, str):
        return spec.strip().splitlines() or [""]
    head = spec.get("text") or (f"/{spec['re']}/" if "re" in spec else f"...{spec.get('contains', '')}...")
    return head.strip().splitlines() + [f"    {i}) {o}" for i, o in enumerate(spec.get("options", []), 1)]


def _compare_replies(expected: Sequence[Any], got: list[OutboundMessage], number: int, result: CaseResult) -> None:
    if len(expected) == len(got) and all(_matches(s, m) for s, m in zip(expected, got, strict=True)):
        return
    want = [line for spec in expected for line in _describe(spec)]
    have = [line for m in got for line in _lines(m)]
    diff = "\n".join(difflib.unified_diff(want, have, "expected", "got", lineterm="", n=3))
    result.failures.append(f"step {number}: the bot's replies differ\n{diff}")


def _compare_some(expected: Sequence[Any], got: list[OutboundMessage], number: int, result: CaseResult) -> None:
    """Each expected reply is among the replies, in this order; other replies may come between."""
    remaining = iter(got)
    if all(any(_matches(spec, message) for message in remaining) for spec in expected):
        return
    want = [line for spec in expected for line in _describe(spec)]
    have = [line for m in got for line in _lines(m)]
    diff = "\n".join(difflib.unified_diff(want, have, "expected among the replies", "got", lineterm="", n=3))
    result.failures.append(f"step {number}: the bot's replies do not include what was expected\n{diff}")


def _holds(expected: Any, actual: Any) -> bool:
    """Equal, except that an expected mapping only names the keys it checks."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return all(_holds(v, actual.get(k)) for k, v in expected.items())
    return bool(expected == actual)


async def _compare_state(h: BotHarness, expect: dict[str, Any], number: int, result: CaseResult) -> None:
    state = await h.state()
    where = (state.flow, state.node) if state else (None, None)
    node = f"{where[0]}/{where[1]}" if where[0] else None
    problems = []
    if "node" in expect:
        want = expect["node"]
        if not (want == node or (want is not None and "/" not in want and want == where[1])):
            problems.append(f"node: expected {want!r}, is {node!r}")
    if "flow" in expect and expect["flow"] != where[0]:
        problems.append(f"flow: expected {expect['flow']!r}, is {where[0]!r}")
    if "waiting" in expect and expect["waiting"] != (state.waiting if state else None):
        problems.append(f"waiting: expected {expect['waiting']!r}, is {state.waiting if state else None!r}")
    variables = state.vars if state else {}
    for name, value in expect.get("vars", {}).items():
        if not _holds(value, variables.get(name)):
            problems.append(f"vars.{name}: expected {value!r}, is {variables.get(name)!r}")
    if problems:
        result.failures.append(f"step {number}: " + "; ".join(problems))
