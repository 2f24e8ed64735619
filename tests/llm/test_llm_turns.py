"""Whole turns of a bot whose fallback talks to the fake server: what the patient reads, and
what leaves papo for the provider."""

from __future__ import annotations

import logging
import time

import pytest
import redis.asyncio as aioredis

from flows.loader import load_bot
from runtime.llm import fallback as fallback_module
from runtime.llm import llm_fallback
from runtime.service.harness import BotHarness

from .conftest import BOT, DEADLINE
from .fake_openai import FakeOpenAI, command


def texts(replies: list[object]) -> list[str]:
    return [getattr(r, "text") for r in replies]  # noqa: B009


async def test_a_confident_faq_match_costs_no_call(harness: BotHarness, fake_llm: FakeOpenAI) -> None:
    assert texts(await harness.say("aceita pix?")) == ["Aceitamos Pix e cartão (até 3x sem juros)."]
    assert fake_llm.bodies == []


async def test_the_model_answers_from_an_entry(harness: BotHarness, fake_llm: FakeOpenAI) -> None:
    fake_llm.answer(command("answer_faq", faq_id="pagamento", text="Pode pagar no Pix ou no cartão."))
    assert texts(await harness.say("vocês emitem boleto?")) == ["Pode pagar no Pix ou no cartão."]
    notice = next(n for r in harness.last for n in r.notices if n["kind"] == "llm")
    assert notice["command"] == "answer_faq" and notice["faq"] == "pagamento" and notice["tokens_in"] == 900


async def test_the_model_starts_a_flow_or_hands_off(harness: BotHarness, fake_llm: FakeOpenAI) -> None:
    fake_llm.answer(command("start_flow", flow="agendar"))
    assert texts(await harness.say("queria ver um horário pra semana")) == ["Vamos agendar!"]
    fake_llm.answer(command("handoff"))
    assert texts(await harness.say("me passa pra alguém")) == ["Vou chamar a recepção."]
    state = await harness.state()
    assert state is not None and state.waiting == "handoff"


@pytest.mark.parametrize("script", ["errors", "slow", "malformed", "out_of_scope"])
async def test_failures_get_the_fallback_message_and_menu(harness: BotHarness, fake_llm: FakeOpenAI,
                                                          script: str) -> None:
    if script == "errors":
        fake_llm.status(500)
        fake_llm.status(429)
    elif script == "slow":
        fake_llm.slow()
    elif script == "malformed":
        fake_llm.malformed()
        fake_llm.malformed()
    else:
        fake_llm.answer(command("out_of_scope"))
    started = time.perf_counter()
    replies = await harness.say("vocês vendem óculos?")
    assert time.perf_counter() - started < DEADLINE + 0.5
    assert texts(replies) == ["Não sei responder isso por aqui.", "Escolha uma opção:"]
    assert [o.id for o in replies[1].options] == ["duvida", "livre"]


async def test_medical_questions_are_deflected_without_the_model(harness: BotHarness,
                                                                 fake_llm: FakeOpenAI) -> None:
    replies = await harness.say("estou com febre, que remédio posso tomar?")
    assert texts(replies) == ["Dúvidas de saúde só com o médico.", "Vou chamar a recepção."]
    assert fake_llm.bodies == []


async def test_the_model_may_only_pick_medical_too(harness: BotHarness, fake_llm: FakeOpenAI) -> None:
    fake_llm.answer(command("medical"))
    assert texts(await harness.say("e aquela mancha na pele?"))[0] == "Dúvidas de saúde só com o médico."


async def test_no_personal_data_reaches_the_provider(harness: BotHarness, fake_llm: FakeOpenAI) -> None:
    fake_llm.answer(command("small_talk", text="Certo, anotado!"))
    fake_llm.answer(command("out_of_scope"))
    await harness.say("Oi, aqui é a Joana Prado, cpf 529.982.247-25, cel (11) 98765-4321, "
                      "e-mail joana.prado@example.com, cartão 4111 1111 1111 1111")
    await harness.say("meu outro cpf é 52998224725 e o fone 11987654321, ok?")
    assert len(fake_llm.raw) == 2
    sent = b"\n".join(fake_llm.raw).decode()
    for secret in ("529.982.247-25", "52998224725", "98765-4321", "987654321", "joana.prado", "example.com",
                   "4111 1111 1111 1111", "4111111111111111", "Joana", "Prado"):
        assert secret not in sent, secret
    assert "[cpf]" in sent and "[telefone]" in sent and "[email]" in sent and "[cartao]" in sent
    assert "Certo, anotado!" in fake_llm.bodies[1]["messages"][1]["content"]  # earlier turns go as context


async def test_the_faq_node_asks_and_answers_within_its_topics(harness: BotHarness, fake_llm: FakeOpenAI) -> None:
    await harness.say("menu")
    assert texts(await harness.say(choice_id="duvida")) == ["Qual é a sua dúvida sobre exames?"]
    assert texts(await harness.say("precisa de jejum pro exame?")) == ["Jejum de 8 a 12 horas; água é liberada."]
    await harness.say("menu")
    await harness.say(choice_id="duvida")
    assert texts(await harness.say("aceita pix?")) == ["Não achei essa dúvida."]  # not an exams entry
    assert fake_llm.bodies == []


async def test_the_llm_node_acts_on_the_command(harness: BotHarness, fake_llm: FakeOpenAI) -> None:
    await harness.say("menu")
    assert texts(await harness.say(choice_id="livre")) == ["Pode perguntar:"]
    fake_llm.answer(command("set_variable", variable="convenio", value="unimed"))
    await harness.say("tenho unimed")
    state = await harness.state()
    assert state is not None and state.vars["convenio"] == "unimed" and state.flow is None


async def test_without_a_key_papo_answers_and_says_why_once(redis_client: aioredis.Redis, redis_prefix: str,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    bot = load_bot(BOT)
    fallback_module._warned.discard(bot.name)  # other tests may have opened this bot without a key
    with caplog.at_level(logging.INFO, logger="runtime.llm.fallback"):
        assert llm_fallback(bot, redis_client, prefix=redis_prefix, env={}) is None
        assert llm_fallback(bot, redis_client, prefix=redis_prefix, env={}) is None
    assert [r.getMessage() for r in caplog.records] == [
        "LLM fallback is off for bot assist-test: OPENAI_API_KEY is not set; "
        "the fallback message and menu answer instead"]
    h = await BotHarness.open(BOT, client=redis_client, prefix=redis_prefix)
    try:
        for line in ("oi", "Ana", "529.982.247-25"):
            await h.say(line)
        assert texts(await h.say("vocês vendem óculos?")) == ["Não sei responder isso por aqui.", "Escolha uma opção:"]
        assert texts(await h.say("tem estacionamento?")) == [  # a question in passing at the menu
            "Temos estacionamento conveniado: 2 horas grátis.", "Escolha uma opção:"]
    finally:
        await h.aclose()
