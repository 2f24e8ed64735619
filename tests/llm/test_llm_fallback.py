"""The fallback against a real OpenAI-compatible server on 127.0.0.1, through the real
`openai` and LangChain clients: each scripted answer gives a command, or none in time."""

from __future__ import annotations

import time
from dataclasses import replace

from runtime.llm import Catalog, LlmFallback, LlmRequest

from .conftest import DEADLINE, request
from .fake_openai import FakeOpenAI, command

LATE = DEADLINE + 0.25  # the deadline plus scheduling slack


async def test_structured_output_answers_from_an_entry(fallback: LlmFallback, fake_llm: FakeOpenAI,
                                                       catalog: Catalog) -> None:
    fake_llm.answer(command("answer_faq", faq_id="estacionamento", text="Sim! São 2 horas grátis."))
    decision = await fallback.decide(request("dá pra estacionar?", catalog))
    assert decision.command is not None and decision.command.text == "Sim! São 2 horas grátis."
    assert (decision.tokens_in, decision.tokens_out, decision.cached) == (900, 60, False)
    assert fake_llm.bodies[0]["response_format"]["json_schema"]["strict"] is True


async def test_a_tool_call_is_read_as_the_command(fallback: LlmFallback, fake_llm: FakeOpenAI,
                                                  catalog: Catalog) -> None:
    fake_llm.tool_call(command("start_flow", flow="agendar"))
    decision = await fallback.decide(request("quero marcar uma consulta", catalog))
    assert decision.command is not None and decision.command.flow == "agendar"


async def test_invented_figures_are_replaced_by_the_entry_itself(fallback: LlmFallback, fake_llm: FakeOpenAI,
                                                                 catalog: Catalog) -> None:
    fake_llm.answer(command("answer_faq", faq_id="estacionamento", text="São 5 horas grátis por R$ 10."))
    decision = await fallback.decide(request("estaciona quanto tempo?", catalog))
    assert decision.command is not None
    assert decision.command.text == "Temos estacionamento conveniado: 2 horas grátis."


async def test_names_outside_the_catalog_are_refused(fallback: LlmFallback, fake_llm: FakeOpenAI,
                                                     catalog: Catalog) -> None:
    for bad in (command("answer_faq", faq_id="inventada", text="x"), command("start_flow", flow="pagar_boleto"),
                command("set_variable", variable="cpf", value="1"), command("small_talk", text="Abrimos às 7h!"),
                {"command": "rm -rf", "text": "oi"}):
        fake_llm.answer(bad)
        fake_llm.answer(bad)  # the retry gets the same
        decision = await fallback.decide(request(f"pergunta {bad['command']}", catalog))
        assert decision.command is None and decision.reason.startswith("refused"), bad


async def test_one_server_error_is_retried(fallback: LlmFallback, fake_llm: FakeOpenAI, catalog: Catalog) -> None:
    fake_llm.status(500)
    fake_llm.answer(command("handoff"))
    decision = await fallback.decide(request("quero falar com alguém", catalog))
    assert decision.command is not None and decision.command.command == "handoff"
    assert len(fake_llm.bodies) == 2


async def test_errors_twice_give_no_command_within_the_deadline(fallback: LlmFallback, fake_llm: FakeOpenAI,
                                                                catalog: Catalog) -> None:
    for code in (429, 500):
        fake_llm.status(code)
        fake_llm.status(code)
        started = time.perf_counter()
        decision = await fallback.decide(request(f"pergunta {code}", catalog))
        assert decision.command is None and decision.reason == f"error: HTTP {code}"
        assert time.perf_counter() - started < LATE


async def test_exhausted_quota_is_not_retried(fallback: LlmFallback, fake_llm: FakeOpenAI,
                                              catalog: Catalog) -> None:
    fake_llm.status(429, "insufficient_quota")
    decision = await fallback.decide(request("pergunta", catalog))
    assert decision.command is None and len(fake_llm.bodies) == 1


async def test_malformed_json_gives_no_command(fallback: LlmFallback, fake_llm: FakeOpenAI,
                                               catalog: Catalog) -> None:
    fake_llm.malformed()
    fake_llm.malformed("claro! a consulta custa R$ 100")
    decision = await fallback.decide(request("pergunta", catalog))
    assert decision.command is None and decision.reason.startswith("refused: not a valid command")
    assert decision.tokens_in == 1800  # both attempts are paid for


async def test_a_slow_server_is_left_at_the_deadline(fallback: LlmFallback, fake_llm: FakeOpenAI,
                                                     catalog: Catalog) -> None:
    fake_llm.slow()
    started = time.perf_counter()
    decision = await fallback.decide(request("pergunta lenta", catalog))
    elapsed = time.perf_counter() - started
    assert decision.command is None and decision.reason == "timeout"
    assert DEADLINE <= elapsed < LATE


async def test_the_same_question_is_answered_from_the_cache(fallback: LlmFallback, fake_llm: FakeOpenAI,
                                                            catalog: Catalog) -> None:
    fake_llm.answer(command("answer_faq", faq_id="estacionamento", text="São 2 horas grátis."))
    first = await fallback.decide(request("Tem estacionamento?", catalog))
    again = await fallback.decide(request("tem  ESTACIONAMENTO", catalog))
    assert first.command == again.command and again.cached and len(fake_llm.bodies) == 1
    other_version = await fallback.decide(LlmRequest("tem estacionamento?", "test:x", "pt-BR", catalog, "v2"))
    assert not other_version.cached and len(fake_llm.bodies) == 2


async def test_after_the_monthly_budget_the_model_is_not_called(fallback: LlmFallback, fake_llm: FakeOpenAI,
                                                                catalog: Catalog) -> None:
    fallback.settings = replace(fallback.settings, monthly_budget_usd=0.0001)
    first = await fallback.decide(request("primeira", catalog))
    assert first.reason == "ok" and first.cost > 0.0001
    second = await fallback.decide(request("segunda", catalog))
    assert second.reason == "budget" and len(fake_llm.bodies) == 1
    usage = await fallback.ledger.usage(conversation="test:5511999990000")
    assert usage["calls"] == 1 and usage["tokens_in"] == 900 and usage["tokens_out"] == 60

