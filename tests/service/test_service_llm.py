"""The LLM fallback inside `papo serve`: the user sees "typing..." while the model works, and
staff see each decision (and the spend) in the admin API."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import service_helpers as h

from runtime.engine.clock import ManualClock

LLM_TESTS = Path(__file__).parents[1] / "llm"
ASSIST = LLM_TESTS / "bots" / "assist"
TOKEN = "admin-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TS = 1772452800


def _fake_openai() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fake_openai", LLM_TESTS / "fake_openai.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("fake_openai", module)
    spec.loader.exec_module(module)
    return module


fakes_llm = _fake_openai()


@pytest.fixture
async def model(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Any]:
    fake = fakes_llm.FakeOpenAI()
    await fake.start()
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", str(fake.server.make_url("/v1")))
    yield fake
    await fake.aclose()


async def test_typing_then_the_answer_and_the_decision_for_staff(start: h.Start, model: Any) -> None:
    app = await start(bot=ASSIST, admin_token=TOKEN, clock=ManualClock(datetime.fromtimestamp(TS, UTC)))
    for n, text in enumerate(["oi", "Joana Prado", "529.982.247-25"], 1):
        assert (await app.post(h.wa_body(messages=[h.wa_message(f"wamid.s{n}", text, ts=TS + n)]))).status == 200
    model.answer(fakes_llm.command("answer_faq", faq_id="pagamento", text="Pode pagar no Pix ou no cartão."))
    before = len(model.bodies)
    assert (await app.post(h.wa_body(messages=[h.wa_message("wamid.s9", "vocês emitem boleto?",
                                                                   ts=TS + 9)]))).status == 200

    async def answered() -> bool:
        return "Pode pagar no Pix ou no cartão." in app.texts()

    await h.wait_until(answered)
    assert len(model.bodies) == before + 1
    typing = [c.json for c in app.graph.calls if c.json.get("typing_indicator")]
    assert typing and typing[-1]["message_id"] == "wamid.s9"  # shown for the message the model read
    path = f"/admin/conversations/whatsapp/{h.USER}/decisions"
    seen = await (await app.client.get(path, headers=AUTH)).json()
    llm = [d for d in seen["decisions"] if d["kind"] == "llm"]
    assert llm[0]["command"] == "answer_faq" and llm[0]["faq"] == "pagamento" and llm[0]["cached"] is False
    assert seen["llm_usage"]["calls"] >= 1
    month = await (await app.client.get("/admin/llm", headers=AUTH)).json()
    assert month["usage"]["calls"] >= 1 and month["month"] == "2026-03"
