"""The clinic's independent probe sets (examples/clinic/probes, probes_b ... probes_p):
patient turns in context written from the bot's data alone, before its rules were read, scored one by one
offline (no language model).

    pytest tests/llm/test_clinic_probes.py -s     # prints each set's share and each turn missed
"""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime.cli.testrun import turn_share
from runtime.conversations.library import BotLibrary
from runtime.service.convtest import CaseResult, load_cases, run_case
from runtime.service.wiring import build_services

CLINIC = Path(__file__).parents[2] / "examples" / "clinic"
# folder -> (turns at least, share handled right without a model at least)
SETS = {"probes": (160, 0.95), "probes_b": (140, 0.98), "probes_c": (190, 0.98), "probes_d": (185, 0.95),
        "probes_e": (195, 0.94), "probes_f": (199, 0.95), "probes_g": (206, 0.95),
        "probes_h": (213, 0.95), "probes_i": (208, 0.95), "probes_j": (210, 0.95),
        "probes_k": (222, 0.95), "probes_l": (220, 0.95), "probes_m": (227, 0.95),
        "probes_n": (222, 0.95), "probes_o": (223, 0.95), "probes_p": (229, 0.95)}


async def play(folder: str) -> list[CaseResult]:
    library = BotLibrary.load(CLINIC)
    services = build_services(library.current, CLINIC)
    cases, issues = load_cases(CLINIC, folder)
    assert issues == [] and cases
    try:
        return [await run_case(library, file, case, services, keep_going=True) for file, case in cases]
    finally:
        await services.aclose()


@pytest.mark.parametrize("folder", sorted(SETS))
async def test_the_probes_offline(folder: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    results = await play(folder)
    print(f"\n{folder}, offline: {turn_share(results)}")
    for result in results:
        for failure in result.failures:
            print(f"  {result.name}: {failure.splitlines()[0]}")
    turns = [ok for r in results for ok in r.turns]
    min_turns, floor = SETS[folder]
    assert len(turns) >= min_turns
    assert sum(turns) / len(turns) >= floor
