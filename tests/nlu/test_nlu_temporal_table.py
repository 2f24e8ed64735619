"""Every expression of data/temporal_cases.txt and data/temporal_holdout.txt, read at
Wednesday 11/03/2026 10:00 (São Paulo)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import pytest

from nlu.entities import extract_builtin
from nlu.temporal_types import Interval

DATA = Path(__file__).parent / "data"
TABLES = ("temporal_cases.txt", "temporal_holdout.txt")


@dataclass(frozen=True)
class Case:
    table: str
    text: str
    expected: str
    known_gap: bool


def load_cases(table: str) -> list[Case]:
    cases = []
    for line in (DATA / table).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, _, expected = line.partition(" | ")
        expected, _, note = expected.partition("#")
        cases.append(Case(table, text, expected.strip(), note.strip() == "gap"))
    return cases


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def describe(text: str, now: datetime) -> str:
    """The first temporal entity in the text, written as in the table."""
    for entity in extract_builtin(text, now):
        value = entity.value
        if isinstance(value, Interval):
            return f"interval {_stamp(value.start)} / {_stamp(value.end)}"
        if isinstance(value, datetime):
            return f"datetime {_stamp(value)}"
        if isinstance(value, date):
            return f"date {value.isoformat()}"
        if isinstance(value, time):
            return f"time {value.strftime('%H:%M')}"
    return "none"

CASES = [case for table in TABLES for case in load_cases(table)]


def _param(case: Case) -> object:
    marks = [pytest.mark.xfail(strict=True, reason="known gap of the rules")] if case.known_gap else []
    return pytest.param(case, id=f"{case.table[9:-4]}: {case.text}", marks=marks)


def test_tables_are_large_enough() -> None:
    assert len(CASES) >= 150


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_expression(case: Case, now: datetime) -> None:
    assert describe(case.text, now) == case.expected


@pytest.mark.parametrize("table", TABLES)
def test_accuracy(table: str, now: datetime, capsys: pytest.CaptureFixture[str]) -> None:
    cases = [case for case in CASES if case.table == table]
    right = sum(describe(case.text, now) == case.expected for case in cases)
    with capsys.disabled():
        print(f"\ndate/time accuracy on {table}: {right}/{len(cases)} = {right / len(cases):.1%}")
    assert right / len(cases) >= 0.95
