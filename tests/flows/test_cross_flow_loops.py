"""Loops that run through several flows without a question are refused, like loops in one flow."""

from __future__ import annotations

import json
from pathlib import Path

from flows.loader import check_bot


def write_bot(root: Path, flows: dict[str, dict[str, object]]) -> Path:
    (root / "flows").mkdir(parents=True)
    (root / "bot.json").write_text(json.dumps({"name": "b", "default_locale": "en", "entry_flow": "a"}))
    for flow_id, nodes in flows.items():
        entry = next(iter(nodes))
        (root / "flows" / f"{flow_id}.json").write_text(json.dumps({"id": flow_id, "entry": entry, "nodes": nodes}))
    return root


def test_two_flows_that_jump_to_each_other_are_a_loop(tmp_path: Path) -> None:
    root = write_bot(tmp_path, {
        "a": {"hi": {"kind": "send", "text": "hi", "next": "go"}, "go": {"kind": "goto", "flow": "b"}},
        "b": {"back": {"kind": "call", "flow": "c", "next": "again"}, "again": {"kind": "goto", "flow": "a"}},
        "c": {"done": {"kind": "end"}},
    })
    result = check_bot(root)
    assert result.bot is None
    [issue] = result.errors
    assert (issue.code, issue.file, issue.pointer) == (
        "loop-without-input", str(root / "flows" / "a.json"), "/nodes/go")
    assert "flows a, b jump to each other" in issue.message


def test_a_question_on_the_way_breaks_the_loop(tmp_path: Path) -> None:
    root = write_bot(tmp_path, {
        "a": {"go": {"kind": "goto", "flow": "b"}},
        "b": {"ask": {"kind": "ask", "input": "text", "var": "x", "text": "x?", "next": "back"},
              "back": {"kind": "goto", "flow": "a"}},
    })
    assert check_bot(root).errors == ()
