"""faq.json is read with the bot: valid entries reach `Bot.faq`; defects are issues with file,
pointer and line, like every other file of a bot."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from flows.loader import check_bot

ASSIST = Path(__file__).parents[1] / "llm" / "bots" / "assist"
CLINIC = Path(__file__).parents[2] / "examples" / "clinic"


def _copy(tmp_path: Path, faq_text: str) -> Path:
    root = tmp_path / "bot"
    shutil.copytree(ASSIST, root)
    (root / "faq.json").write_text(faq_text, encoding="utf-8")
    return root


def test_the_clinic_faq_loads_with_enough_entries() -> None:
    result = check_bot(CLINIC)
    assert result.errors == () and result.bot is not None
    assert len(result.bot.faq.entries) >= 25 and result.bot.faq.digest
    assert result.bot.faq.entry("estacionamento") is not None


def test_a_wrong_type_names_file_pointer_and_line(tmp_path: Path) -> None:
    text = '{\n  "entries": [\n    {"id": "a", "questions": "tem vaga?",\n     "answer": "Sim."}\n  ]\n}\n'
    root = _copy(tmp_path, text)
    (issue,) = check_bot(root).errors
    assert issue.file.endswith("faq.json") and issue.pointer == "/entries/0/questions" and issue.line == 3
    assert "expected a list" in issue.message


def test_an_unknown_property_gets_a_suggestion(tmp_path: Path) -> None:
    entry = {"id": "a", "questions": ["tem vaga?"], "answer": "Sim.", "tag": ["x"]}
    (issue,) = check_bot(_copy(tmp_path, json.dumps({"entries": [entry]}, indent=2))).errors
    assert issue.pointer == "/entries/0/tag" and "did you mean 'tags'" in issue.hint


def test_a_repeated_entry_id_is_an_error(tmp_path: Path) -> None:
    entry = {"id": "a", "questions": ["tem vaga?"], "answer": "Sim."}
    (issue,) = check_bot(_copy(tmp_path, json.dumps({"entries": [entry, entry]}, indent=2))).errors
    assert issue.code == "duplicate-id" and issue.pointer == "/entries/1/id" and issue.line is not None


def test_llm_settings_name_existing_flows(tmp_path: Path) -> None:
    root = _copy(tmp_path, (ASSIST / "faq.json").read_text(encoding="utf-8"))
    data = json.loads((root / "bot.json").read_text(encoding="utf-8"))
    data["llm"]["handoff_flow"] = "equpe"
    (root / "bot.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    (issue,) = check_bot(root).errors
    assert issue.code == "unknown-flow" and issue.pointer == "/llm/handoff_flow" and "'equipe'" in issue.hint
