"""LLM calls, tokens and cost are counted per bot in the process's metrics, as the ledger records them."""

from __future__ import annotations

from runtime import metrics
from runtime.llm import Catalog, LlmFallback

from .conftest import request
from .fake_openai import FakeOpenAI


def _value(name: str, **labels: str) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


async def test_a_call_counts_its_tokens_and_cost(fallback: LlmFallback, fake_llm: FakeOpenAI,
                                                 catalog: Catalog) -> None:
    bot = fallback.ledger.bot
    calls, tokens_in, tokens_out, cost = (_value("papo_llm_calls_total", bot=bot),
                                          _value("papo_llm_tokens_total", bot=bot, direction="in"),
                                          _value("papo_llm_tokens_total", bot=bot, direction="out"),
                                          _value("papo_llm_cost_usd_total", bot=bot))
    decision = await fallback.decide(request("primeira", catalog))
    assert decision.reason == "ok"
    assert _value("papo_llm_calls_total", bot=bot) == calls + 1
    assert _value("papo_llm_tokens_total", bot=bot, direction="in") == tokens_in + 900
    assert _value("papo_llm_tokens_total", bot=bot, direction="out") == tokens_out + 60
    assert abs(_value("papo_llm_cost_usd_total", bot=bot) - cost - decision.cost) < 1e-9
    assert len(fake_llm.bodies) == 1
