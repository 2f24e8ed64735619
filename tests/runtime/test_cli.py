"""The `papo` command as users run it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from runtime.cli.main import main

from .conftest import EXAMPLES


def test_new_scaffolds_a_bot_that_validates_and_passes_its_test(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "minha-clinica"
    assert main(["new", str(root)]) == 0
    assert {p.name for p in root.rglob("*.json")} >= {"bot.json", "main.json"}
    assert main(["validate", str(root)]) == 0
    assert main(["test", str(root)]) == 0
    out = capsys.readouterr().out
    assert "valid (0 error(s), 0 warning(s))" in out and "1 passed, 0 failed" in out


def test_new_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bot.json").write_text("{}")
    assert main(["new", str(tmp_path)]) == 1
    assert "not empty" in capsys.readouterr().err
    assert (tmp_path / "bot.json").read_text() == "{}"


def test_the_clinic_passes_its_conversation_tests_and_covers_every_node(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", str(EXAMPLES / "clinic")]) == 0
    out = capsys.readouterr().out
    assert "0 failed" in out and "FAIL" not in out
    assert re.search(r"node coverage: (\d+)/\1\n", out)  # every node of the clinic


def test_a_failing_conversation_test_prints_a_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "bot"
    assert main(["new", str(root), "--locale", "en"]) == 0
    (root / "tests" / "wrong.yaml").write_text("name: wrong\nsteps:\n  - user: hi\n    bot: Good morning!\n")
    capsys.readouterr()
    assert main(["test", str(root)]) == 1
    out = capsys.readouterr().out
    assert "FAIL  wrong" in out
    assert "-Good morning!" in out and "+Hi! What is your name?" in out


def test_a_start_time_written_without_quotes_is_read_as_its_text(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """YAML reads an unquoted timestamp as a datetime; the case's `start` is the same instant either way."""
    root = tmp_path / "bot"
    assert main(["new", str(root), "--locale", "en"]) == 0
    (root / "tests" / "later.yaml").write_text(
        "name: later\nstart: 2026-03-02T21:30:00-03:00\nsteps:\n  - user: hi\n    bot: Hi! What is your name?\n")
    capsys.readouterr()
    assert main(["test", str(root)]) == 0
    assert "PASS  later" in capsys.readouterr().out


def test_validate_and_graph_on_the_examples(capsys: pytest.CaptureFixture[str]) -> None:
    for bot in ("hello", "clinic"):
        assert main(["validate", str(EXAMPLES / bot)]) == 0
    assert main(["graph", str(EXAMPLES / "clinic")]) == 0
    out = capsys.readouterr().out
    assert out.count("flowchart TD") == len(list((EXAMPLES / "clinic" / "flows").glob("*.json")))
    assert "n_escolha -->|\"horarios\"| n_horarios" in out
    assert main(["graph", str(EXAMPLES / "clinic"), "--flow", "nope"]) == 1


def test_chat_runs_the_clinic_with_no_redis_server(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    lines = "oi\nMaria\n1\n/state\n/reset\noi\n/quit\n"
    done = subprocess.run([sys.executable, "-m", "runtime.cli.main", "chat", str(EXAMPLES / "clinic")], input=lines,
                          capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Como posso te chamar?" in out and "Prazer, Maria!" in out
    assert "1) Horários" in out and "Atendemos de segunda a sexta" in out
    assert '"nome": "Maria"' in out
    assert out.count("Como posso te chamar?") == 2  # /reset forgot her
