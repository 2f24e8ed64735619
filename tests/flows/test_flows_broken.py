"""The corpus of broken bots: each folder under broken/ has one defect and must get one precise error.

A case names the error's code, file (relative to the bot folder), JSON pointer, line and column,
and a piece of its hint. Warnings may come along; a second error may not.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from flows.errors import FlowIssue
from flows.loader import check_bot
from runtime.cli.main import main

BROKEN = Path(__file__).parent / "broken"
EXAMPLES = Path(__file__).parents[2] / "examples"


@dataclass(frozen=True)
class Case:
    name: str
    code: str
    file: str
    pointer: str
    line: int | None
    column: int | None
    hint: str  # a piece the hint must contain

    def __str__(self) -> str:
        return self.name


FLOW = "flows/main.json"
CASES = [
    # not JSON: the position is where the fix goes
    Case("bad-json-missing-comma", "bad-json", FLOW, "", 7, 22, "add a comma"),
    Case("bad-json-trailing-comma", "bad-json", FLOW, "", 14, 32, "remove this comma"),
    Case("bad-json-unclosed-string", "bad-json", FLOW, "", 9, 35, "closing double quote"),
    Case("bad-json-in-bot", "bad-json", "bot.json", "", 3, 25, "add a comma"),
    Case("bad-json-nan", "bad-json", FLOW, "", 10, 14, "write a number, or null"),
    Case("bad-json-lone-surrogate", "bad-json", FLOW, "", 14, 15, "both halves of the pair"),
    # ids
    Case("duplicate-node-id", "duplicate-id", FLOW, "/nodes/greet", 16, 5, "rename or remove one"),
    Case("duplicate-flow-id", "duplicate-id", "flows/other.json", "/id", 2, 9, "give each flow its own id"),
    Case("duplicate-option-id", "duplicate-id", FLOW, "/nodes/ask_name/options/1/id", 12, 16, "its own id"),
    Case("bad-node-id-pattern", "schema-pattern", FLOW, "/nodes/say bye", 16, 5, "(no spaces)"),
    Case("bad-flow-id-pattern", "schema-pattern", FLOW, "/id", 2, 9, "(no spaces)"),
    # what the schema catches
    Case("unknown-property-typo", "schema-unevaluatedProperties", FLOW, "/nodes/ask_name/nxt", 10, 7,
         "did you mean 'next'?"),
    Case("misspelt-required-property", "schema-unevaluatedProperties", FLOW, "/nodes/ask_name/vra", 8, 7,
         "did you mean 'var'?"),
    Case("misspelt-send-text-key", "schema-unevaluatedProperties", FLOW, "/nodes/greet/txt", 14, 7,
         "did you mean 'text'?"),
    Case("misspelt-interrupt-flow-key", "schema-additionalProperties", "bot.json", "/interrupts/0/flo", 6, 28,
         "did you mean 'flow'?"),
    Case("node-without-kind", "schema-required", FLOW, "/nodes/greet", 12, 14, 'add "kind"'),
    Case("node-is-a-text", "schema-type", FLOW, "/nodes/greet", 12, 14, "write an object"),
    Case("tag-is-a-number", "schema-type", FLOW, "/nodes/ask_name/tags/0", 9, 16, "double quotes"),
    Case("ask-without-input", "schema-required", FLOW, "/nodes/ask_name", 5, 17, 'add "input"'),
    Case("missing-required-var", "schema-required", FLOW, "/nodes/ask_name", 5, 17, 'add "var"'),
    Case("choice-without-options", "schema-required", FLOW, "/nodes/ask_name", 5, 17, 'add "options"'),
    Case("wrong-type-text-number", "schema-oneOf", FLOW, "/nodes/ask_name/text", 9, 15, "double quotes"),
    Case("retries-wrong-type", "schema-type", FLOW, "/nodes/ask_name/retries", 10, 18, "whole number, without quotes"),
    Case("bad-enum-input", "schema-enum", FLOW, "/nodes/ask_name/input", 7, 16, "did you mean 'choice'?"),
    Case("bad-enum-kind", "schema-enum", FLOW, "/nodes/greet/kind", 13, 15, "did you mean 'send'?"),
    Case("too-many-options", "schema-maxItems", FLOW, "/nodes/ask_name/options", 10, 18, "split the options"),
    Case("goto-with-node-and-flow", "schema-oneOf", FLOW, "/nodes/greet", 12, 14, "keep one of node, flow"),
    Case("media-without-source", "schema-oneOf", FLOW, "/nodes/greet/media", 14, 16, "add one of: url, id"),
    Case("bad-session-expiry", "schema-pattern", "bot.json", "/session_expiry", 5, 21, "such as 24h"),
    Case("bad-locale", "schema-pattern", "bot.json", "/default_locale", 3, 21, "such as en or pt-BR"),
    Case("layout-bad-position", "schema-type", "layout.json", "/main/greet/y", 4, 29, "a number, without quotes"),
    # edges and references
    Case("unknown-next-target", "unknown-target", FLOW, "/nodes/ask_name/next", 10, 15, "did you mean 'greet'?"),
    Case("unknown-on-invalid-target", "unknown-target", FLOW, "/nodes/ask_name/on_invalid", 10, 21,
         "did you mean 'give_up'?"),
    Case("unknown-branch-target", "unknown-target", FLOW, "/nodes/check/cases/0/next", 15, 37,
         "did you mean 'adult'?"),
    Case("unknown-option-target", "unknown-target", FLOW, "/nodes/ask_name/options/1/next", 12, 47,
         "did you mean 'greet'?"),
    Case("unknown-entry", "unknown-target", FLOW, "/entry", 3, 12, "did you mean 'ask_name'?"),
    Case("unknown-call-flow", "unknown-flow", FLOW, "/nodes/greet/flow", 14, 15, "did you mean 'help'?"),
    Case("unknown-goto-flow", "unknown-flow", FLOW, "/nodes/greet/flow", 14, 15, "did you mean 'help'?"),
    Case("unknown-entry-flow", "unknown-flow", "bot.json", "/entry_flow", 4, 17, "did you mean 'main'?"),
    Case("unknown-interrupt-flow", "unknown-flow", "bot.json", "/interrupts/0/flow", 6, 36, "did you mean 'help'?"),
    # the graph
    Case("unreachable-node", "unreachable", FLOW, "/nodes/orphan", 16, 15, "point some node's next"),
    Case("unreachable-chain", "unreachable", FLOW, "/nodes/lost", 16, 13, "point some node's next"),
    Case("loop-without-input", "loop-without-input", FLOW, "/nodes/count", 17, 14, "put an ask in the loop"),
    # texts, conditions, patterns
    Case("undefined-variable-template", "undefined-variable", FLOW, "/nodes/greet/text", 14, 15,
         "did you mean 'name'?"),
    Case("undefined-variable-condition", "undefined-variable", FLOW, "/nodes/check/cases/0/if", 15, 16,
         "did you mean 'age'?"),
    Case("bad-template-syntax", "bad-template", FLOW, "/nodes/greet/text", 14, 15, "close every {{"),
    Case("unknown-filter", "bad-template", FLOW, "/nodes/greet/text", 14, 15, "known filters"),
    Case("bad-template-in-bot-message", "bad-template", "bot.json", "/messages/invalid", 6, 16, "close every {{"),
    Case("undefined-variable-in-interrupt", "undefined-variable", "bot.json", "/interrupts/0/text", 6, 35,
         "did you mean 'name'?"),
    Case("variable-shadows-builtin", "builtin-variable", FLOW, "/nodes/ask_time/var", 8, 14,
         "these names are taken: user, channel, locale, now"),
    Case("bad-condition-syntax", "bad-condition", FLOW, "/nodes/check/cases/0/if", 15, 16, "write a condition"),
    Case("bad-regex-pattern", "bad-pattern", FLOW, "/nodes/ask_name/pattern", 10, 18, "close every ( and ["),
    Case("missing-translation", "missing-translation", FLOW, "/nodes/greet/text", 14, 15, 'add "en"'),
    Case("too-many-buttons", "channel-limit", FLOW, "/nodes/ask_name/options", 11, 18, "options_style list"),
    # bot.json settings
    Case("bad-timezone", "bad-timezone", "bot.json", "/timezone", 5, 15, "did you mean 'America/Sao_Paulo'?"),
    Case("timezone-is-a-folder", "bad-timezone", "bot.json", "/timezone", 5, 15, "a region and a city"),
    # the folder
    Case("missing-bot-json", "missing-file", "bot.json", "", None, None, "create bot.json"),
    Case("empty-flows-folder", "no-flows", "flows", "", None, None, "add at least one flows/"),
]


def the_error(case: Case) -> FlowIssue:
    result = check_bot(BROKEN / case.name)
    assert result.bot is None
    assert len(result.errors) == 1, "\n".join(map(str, result.errors))
    return result.errors[0]


def test_every_broken_bot_has_a_case() -> None:
    assert sorted(p.name for p in BROKEN.iterdir() if p.is_dir()) == sorted(c.name for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_one_precise_error_per_defect(case: Case) -> None:
    error = the_error(case)
    assert error.severity == "error"
    assert error.code == case.code
    assert Path(error.file).relative_to(BROKEN / case.name).as_posix() == case.file
    assert error.pointer == case.pointer
    assert (error.line, error.column) == (case.line, case.column)
    assert error.message
    assert case.hint in error.hint


@pytest.mark.parametrize("case", [c for c in CASES if c.pointer and not c.pointer.rsplit("/", 1)[1].isdigit()],
                         ids=str)
def test_the_line_holds_the_key_the_pointer_names(case: Case) -> None:
    error = the_error(case)
    assert error.line is not None
    key = case.pointer.rsplit("/", 1)[1].replace("~1", "/").replace("~0", "~")
    line = Path(error.file).read_text(encoding="utf-8").splitlines()[error.line - 1]
    assert f'"{key}"' in line


@pytest.mark.parametrize("case", CASES, ids=str)
def test_validate_exits_1_and_names_the_place(case: Case, capsys: pytest.CaptureFixture[str]) -> None:
    error = the_error(case)
    assert main(["validate", str(BROKEN / case.name)]) == 1
    out = capsys.readouterr().out
    place = f"{error.file}:{error.line}:{error.column}" if error.line is not None else error.file
    assert f"{place} {error.pointer or '/'}: error[{case.code}]" in out
    assert f"hint: {error.hint}" in out
    assert "invalid (1 error(s)" in out


@pytest.mark.parametrize("case", CASES, ids=str)
def test_validate_json_lists_the_issue_with_every_field(case: Case, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--json", str(BROKEN / case.name)]) == 1
    issues = json.loads(capsys.readouterr().out)
    [error] = [i for i in issues if i["severity"] == "error"]
    assert set(error) == {"file", "pointer", "line", "column", "code", "severity", "message", "hint"}
    assert (error["code"], error["pointer"], error["line"], error["column"]) == (
        case.code, case.pointer, case.line, case.column)
    assert Path(error["file"]).relative_to(BROKEN / case.name).as_posix() == case.file


@pytest.mark.parametrize("name", ["hello", "clinic"])
def test_validate_passes_the_examples(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(EXAMPLES / name)]) == 0
    assert capsys.readouterr().out.strip().endswith("valid (0 error(s), 0 warning(s))")
    assert main(["validate", "--json", str(EXAMPLES / name)]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_validate_of_a_missing_folder_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "nowhere")]) == 1
    assert "error[not-a-bot] this folder does not exist" in capsys.readouterr().out
