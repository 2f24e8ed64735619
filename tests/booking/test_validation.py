"""`papo validate` also checks the calendar and the names appointment nodes use."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from runtime.cli.main import main
from runtime.conversations.validation import check_folder

CLINIC = Path(__file__).parents[2] / "examples" / "clinic"


@pytest.fixture
def clinic(tmp_path: Path) -> Path:
    root = tmp_path / "clinic"
    shutil.copytree(CLINIC, root, ignore=shutil.ignore_patterns(".papo-cache"))
    return root


def edit(path: Path, change: dict[str, object], node: str) -> None:
    flow = json.loads(path.read_text())
    flow["nodes"][node].update(change)
    path.write_text(json.dumps(flow, ensure_ascii=False, indent=2))


def test_a_misspelt_service_is_one_error_at_its_line(clinic: Path) -> None:
    edit(clinic / "flows" / "agendar.json", {"service": "pediatra"}, "marcar_pediatria")
    result = check_folder(clinic)
    [issue] = result.errors
    assert (issue.code, issue.pointer) == ("unknown-service", "/nodes/marcar_pediatria/service")
    assert '"pediatra"' in (clinic / "flows" / "agendar.json").read_text().splitlines()[issue.line - 1]
    assert "did you mean 'pediatria'?" in issue.hint and result.bot is None


def test_a_broken_calendar_fails_validation(clinic: Path, capsys: pytest.CaptureFixture[str]) -> None:
    calendar = json.loads((clinic / "calendar.json").read_text())
    calendar["timezone"] = "America/Sao_Pablo"
    (clinic / "calendar.json").write_text(json.dumps(calendar, indent=2))
    assert main(["validate", str(clinic)]) == 1
    out = capsys.readouterr().out
    assert "calendar.json" in out and "Sao_Pablo" in out


def test_appointment_nodes_need_a_calendar(clinic: Path) -> None:
    (clinic / "calendar.json").unlink()
    codes = {i.code for i in check_folder(clinic).errors}
    assert codes == {"no-calendar"}


def test_a_patient_name_naming_an_unknown_variable_is_refused(clinic: Path) -> None:
    edit(clinic / "flows" / "agendar.json", {"patient_name": "{{ nom }}"}, "marcar_clinica")
    [issue] = check_folder(clinic).errors
    assert (issue.code, issue.pointer) == ("undefined-variable", "/nodes/marcar_clinica/patient_name")
    assert "nome" in issue.hint
