"""The clinic's second set of independent probes (examples/clinic/probes_b): patient turns in context
written from the bot's data alone, before its rules were read, scored one by one offline (no language
model).

    pytest tests/llm/test_clinic_probes_b.py -s     # prints the share and each turn missed
"""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime.cli.testrun import turn_share
from runtime.conversations.library import BotLibrary
from runtime.service.convtest import CaseResult, load_cases, run_case
from runtime.service.wiring import build_services

CLINIC = Path(__file__).parents[2] / "examples" / "clinic"
MIN_TURNS = 140
OFFLINE_FLOOR = 0.92  # the share of turns handled right without a model, at least


async def play() -> list[CaseResult]:
    library = BotLibrary.load(CLINIC)
    services = build_services(library.current, CLINIC)
    cases, issues = load_cases(CLINIC, "probes_b")
    assert issues == [] and cases
    try:
        return [await run_case(library, file, case, services, keep_going=True) for file, case in cases]
    finally:
        await services.aclose()


async def test_the_second_probes_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    results = await play()
    print(f"\nprobes_b, offline: {turn_share(results)}")
    for result in results:
        for failure in result.failures:
            print(f"  {result.name}: {failure.splitlines()[0]}")
    turns = [ok for r in results for ok in r.turns]
    assert len(turns) >= MIN_TURNS
    assert sum(turns) / len(turns) >= OFFLINE_FLOOR
