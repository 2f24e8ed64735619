"""No variable may take a built-in's name (`user`, `now`, ...): templates read the built-in, so the
variable would never be seen. The lint refuses it wherever a variable gets its name."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from flows.errors import FlowIssue
from flows.loader import check_bot

HELLO = Path(__file__).parents[2] / "examples" / "hello"


def _errors(tmp_path: Path, *, bot: dict[str, Any] | None = None, nodes: dict[str, Any] | None = None,
            variables: dict[str, Any] | None = None) -> list[FlowIssue]:
    root = tmp_path / "bot"
    shutil.copytree(HELLO, root)
    bot_file, flow_file = root / "bot.json", root / "flows" / "hello.json"
    bot_json = json.loads(bot_file.read_text(encoding="utf-8")) | (bot or {})
    flow = json.loads(flow_file.read_text(encoding="utf-8"))
    flow["nodes"] |= nodes or {}
    if variables:
        flow["variables"] = variables
    bot_file.write_text(json.dumps(bot_json, indent=2), encoding="utf-8")
    flow_file.write_text(json.dumps(flow, indent=2), encoding="utf-8")
    return [e for e in check_bot(root).errors]


def _shadow(errors: list[FlowIssue]) -> list[tuple[str, str, str]]:
    return [(Path(e.file).name, e.pointer, e.message.split("'")[1]) for e in errors if e.code == "builtin-variable"]


def test_a_variable_declared_in_the_bot_or_a_flow_is_refused(tmp_path: Path) -> None:
    errors = _errors(tmp_path, bot={"variables": {"user": {"tags": ["pii"]}, "nome": {}}},
                     variables={"today": {"type": "date"}})
    assert _shadow(errors) == [("bot.json", "/variables/user", "user"), ("hello.json", "/variables/today", "today")]
    assert all(e.line is not None and "these names are taken" in e.hint for e in errors)


def test_a_set_key_is_refused_but_locale_switches_the_language(tmp_path: Path) -> None:
    greet = {"kind": "set", "vars": {"locale": "en", "bot": "papo", "ok": True}, "next": "greet_text"}
    errors = _errors(tmp_path, nodes={"greet": greet, "greet_text": {"kind": "end", "text": "Hi {{ name }}"}})
    assert _shadow(errors) == [("hello.json", "/nodes/greet/vars/bot", "bot")]


def test_an_ask_var_is_refused_with_a_word_on_the_language(tmp_path: Path) -> None:
    ask = {"kind": "ask", "input": "text", "var": "locale", "text": "Which language, {{ name }}?"}
    [error] = _errors(tmp_path, nodes={"greet": ask})
    assert (error.code, error.pointer) == ("builtin-variable", "/nodes/greet/var") and error.line is not None
    assert "set \"locale\" in a set node" in error.hint


def test_a_variable_the_language_model_may_set_is_refused(tmp_path: Path) -> None:
    [error] = _errors(tmp_path, bot={"llm": {"settable": ["name", "channel"]}})
    assert (error.code, error.pointer) == ("builtin-variable", "/llm/settable/1")
