"""`papo nlu` as users run it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runtime.cli.main import main

from .conftest import EXAMPLES

DATA = Path(__file__).parents[1] / "nlu" / "data"


def test_train_reports_the_intents_and_the_model_chosen(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["nlu", "train", str(EXAMPLES / "clinic")]) == 0
    out = capsys.readouterr().out
    assert "17 intents ready" in out
    assert "model: cautious" in out and "0.300 or a lead under 0.100 (both papo's defaults)" in out
    assert "3-fold cross-validation of the sharp model" in out and "earn no sharp confidences" in out


def test_parse_with_a_bot_gives_rasas_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["nlu", "parse", "quero marcar uma consulta amanhã às 15h", "--bot", str(EXAMPLES / "clinic")]) == 0
    parsed = json.loads(capsys.readouterr().out)
    assert parsed["intent"]["name"] == "book_appointment"
    assert {r["name"] for r in parsed["intent_ranking"]} >= {"book_appointment"}
    [when] = [e for e in parsed["entities"] if e["entity"] == "datetime"]
    assert parsed["text"][when["start"]:when["end"]] == "amanhã às 15h" and when["extractor"] == "PtBrTemporal"


def test_parse_without_a_bot_gives_entities_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["nlu", "parse", "meu cpf é 529.982.247-25"]) == 0
    parsed = json.loads(capsys.readouterr().out)
    assert parsed["intent"] is None and parsed["entities"][0]["value"] == "52998224725"


def test_import_turns_legacy_markdown_into_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "nlu.yml"
    assert main(["nlu", "import", str(DATA / "legacy.md"), "-o", str(out)]) == 0
    assert out.read_text().startswith("version: '3.1'\nnlu:")
    assert "4 examples, 2 intents" in capsys.readouterr().err
    assert main(["nlu", "import", str(out)]) == 0  # and reads back what it wrote
    assert "4 examples, 2 intents" in capsys.readouterr().err


def test_evaluate_on_a_held_out_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    held_out = tmp_path / "test.yml"
    held_out.write_text("version: '3.1'\nnlu:\n- intent: greet\n  examples: |\n    - oiii tudo bem\n"
                        "- intent: prices\n  examples: |\n    - qto custa a consulta?\n")
    assert main(["nlu", "evaluate", str(EXAMPLES / "clinic"), "--data", str(held_out)]) == 0
    out = capsys.readouterr().out
    assert "accuracy: 1.000" in out and "macro-F1" in out and "fallback rate" in out
