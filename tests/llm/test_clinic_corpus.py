"""The clinic's conversation corpus (examples/clinic/corpus): patient turns in context, scored one
by one through `runtime.service.convtest`, offline and with a language model that answers each turn
with the command the corpus scripts for it (the local OpenAI-compatible server of fake_openai.py).

    pytest tests/llm/test_clinic_corpus.py -s     # prints both shares
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from runtime.cli.testrun import turn_share
from runtime.conversations.library import BotLibrary
from runtime.service.convtest import CaseResult, load_cases, run_case
from runtime.service.wiring import build_services

from .fake_openai import FakeOpenAI, command

CLINIC = Path(__file__).parents[2] / "examples" / "clinic"
MIN_TURNS = 300
OFFLINE_FLOOR = 0.85  # the share of turns handled right without a model, at least
WITH_MODEL_FLOOR = 0.93  # ... and with the scripted model


async def play(before_step: Any = None) -> list[CaseResult]:
    library = BotLibrary.load(CLINIC)
    services = build_services(library.current, CLINIC)
    cases, issues = load_cases(CLINIC, "corpus")
    assert issues == [] and cases
    try:
        return [await run_case(library, file, case, services, keep_going=True, before_step=before_step)
                for file, case in cases]
    finally:
        await services.aclose()


def report(label: str, results: list[CaseResult]) -> tuple[int, int]:
    turns = [ok for r in results for ok in r.turns]
    print(f"\n{label}: {turn_share(results)}")
    for result in results:
        for failure in result.failures:
            print(f"  {result.name}: {failure.splitlines()[0]}")
    return sum(turns), len(turns)


async def test_the_corpus_offline_and_with_a_scripted_model(fake_llm: FakeOpenAI,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    offline, total = report("offline, no language model", await play())
    assert total >= MIN_TURNS
    assert offline / total >= OFFLINE_FLOOR

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", str(fake_llm.server.make_url("/v1")))

    def script(step: dict[str, Any]) -> None:
        fake_llm.script.clear()  # a command the model was not asked for does not wait for the next turn
        if "llm" in step:
            scripted = dict(step["llm"])
            fake_llm.answer(command(scripted.pop("command"), **scripted))

    with_model, total_again = report("with the scripted language model", await play(script))
    assert total_again == total
    assert with_model / total >= WITH_MODEL_FLOOR
    assert with_model > offline  # the turns the corpus scripts a command for are the model's to take
    assert fake_llm.bodies  # asked only where nothing before it in the reading order took the message
