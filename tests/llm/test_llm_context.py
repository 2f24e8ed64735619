"""The language model reads a message in its context: when a waiting question's answer does not fit
and neither the FAQ nor a flow takes it, the clinic asks the model, with the question and its options,
and acts on its one command (fill the answer, switch flow, answer from the FAQ, hand off, out of scope)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from runtime.engine.clock import ManualClock
from runtime.llm import Catalog, Command, Refused, check
from runtime.locales import pack_for
from runtime.service.harness import BotHarness

from .conftest import START
from .fake_openai import FakeOpenAI, command

EXAMPLES = Path(__file__).parents[2] / "examples"


def texts(replies: list[object]) -> list[str]:
    return [getattr(r, "text") for r in replies]  # noqa: B009


@pytest.fixture
async def clinic(fake_llm: FakeOpenAI, redis_client: aioredis.Redis, redis_prefix: str,
                 monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[BotHarness]:
    """The clinic with its model behind the fake server; the patient has greeted and given a name."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", str(fake_llm.server.make_url("/v1")))
    h = await BotHarness.open(EXAMPLES / "clinic", client=redis_client, prefix=redis_prefix,
                              clock=ManualClock(START), channel="whatsapp", user="5511987650000")
    await h.say("oi")
    await h.say("Carla")
    yield h
    await h.aclose()


def system_prompt(fake: FakeOpenAI, call: int = -1) -> str:
    return str(fake.bodies[call]["messages"][0]["content"])


async def test_an_off_topic_message_at_a_question_reaches_the_model_with_the_question(
        clinic: BotHarness, fake_llm: FakeOpenAI) -> None:
    fake_llm.answer(command("out_of_scope"))
    replies = await clinic.say("vocês vendem óculos de grau?")
    assert len(fake_llm.bodies) == 1
    prompt = system_prompt(fake_llm)
    assert "The assistant asked the user: Como posso ajudar, [dado]?" in prompt  # the name is masked
    assert "agendar = Agendar consulta" in prompt and "fill_answer" in prompt
    assert texts(replies) == ["Desculpe, não tenho essa resposta por aqui.\nComo posso ajudar, Carla?"]
    state = await clinic.state()
    assert state is not None and state.node == "escolha" and state.waiting == "input"


async def test_the_model_fills_the_answer_of_the_waiting_question(clinic: BotHarness, fake_llm: FakeOpenAI) -> None:
    await clinic.say("6")
    fake_llm.answer(command("fill_answer", value="pediatria"))
    replies = await clinic.say("é pro meu menino que vive com dor de ouvido... digo, é pra ele mesmo, o pequeno")
    assert texts(replies)[0].startswith("Não consigo responder dúvidas de saúde")  # safety first, no call
    assert fake_llm.bodies == []
    replies = await clinic.say("é praquele que fez aniversário semana passada, o da escolinha")
    assert "Qual especialidade?" in system_prompt(fake_llm) and "pediatria = Pediatria" in system_prompt(fake_llm)
    assert texts(replies)[0].startswith("Escolha um horário para Consulta de pediatria")
    state = await clinic.state()
    assert state is not None and state.vars["especialidade"] == "pediatria"
    notice = next(n for r in clinic.last for n in r.notices if n["kind"] == "decision")
    assert notice["step"] == "llm" and notice["command"] == "fill_answer"


async def test_a_filled_answer_that_is_no_option_is_refused(clinic: BotHarness, fake_llm: FakeOpenAI) -> None:
    await clinic.say("6")
    fake_llm.answer(command("fill_answer", value="cardiologia"))
    fake_llm.answer(command("fill_answer", value="dermatologia"))
    replies = await clinic.say("quero aquele doutor bom que atendeu minha vizinha ano passado")
    notice = next(n for r in clinic.last for n in r.notices if n["kind"] == "llm")
    assert notice["command"] is None and notice["reason"].startswith("refused")
    assert texts(replies)[0].startswith("Desculpe, não entendi.")
    state = await clinic.state()
    assert state is not None and not state.vars.get("especialidade")  # never filled


async def test_the_model_answers_in_passing_then_the_question_is_asked_again(
        clinic: BotHarness, fake_llm: FakeOpenAI) -> None:
    await clinic.say("6")
    fake_llm.answer(command("answer_faq", faq_id="acessibilidade", text="Sim, o prédio tem rampa e elevador."))
    replies = await clinic.say("minha mãe usa andador, ela consegue subir até aí?")
    assert texts(replies) == ["Sim, o prédio tem rampa e elevador.",
                              "Vamos marcar sua consulta! 🩺 Qual especialidade?"]


async def test_the_model_switches_flow_or_hands_off_from_a_question(clinic: BotHarness, fake_llm: FakeOpenAI) -> None:
    await clinic.say("3")
    fake_llm.answer(command("handoff"))
    replies = await clinic.say("isso é muito confuso, me passa pra alguém de carne e osso")
    assert texts(replies) == ["Quer que eu chame alguém da nossa equipe para continuar a conversa?"]
    state = await clinic.state()
    assert state is not None and state.flow == "atendente"


async def test_answers_that_fit_and_medical_questions_never_reach_the_model(
        clinic: BotHarness, fake_llm: FakeOpenAI) -> None:
    await clinic.say("6")
    await clinic.say("2")  # the parser takes it
    await clinic.say("e qto é a consulta com o pediatra?")  # the FAQ takes it
    await clinic.say("minha filha ta com febre de 39, posso dar dipirona?")  # safety takes it
    await clinic.say("obrigada")  # small talk
    assert fake_llm.bodies == []


async def test_a_cached_decision_is_not_reused_for_another_question(clinic: BotHarness, fake_llm: FakeOpenAI) -> None:
    fake_llm.answer(command("out_of_scope"))
    await clinic.say("vocês vendem óculos de grau?")
    await clinic.say("3")
    fake_llm.answer(command("out_of_scope"))
    await clinic.say("vocês vendem óculos de grau?")
    assert len(fake_llm.bodies) == 2  # another waiting question: another context, no cache hit
    assert "Qual é o seu convênio?" in system_prompt(fake_llm, 1)


def test_fill_answer_is_checked_against_the_question() -> None:
    words = pack_for("pt-BR")
    idle = Catalog()
    asked = Catalog(question=True, answers=frozenset({"a", "b"}))
    typed = Catalog(question=True)
    assert isinstance(check(Command(command="fill_answer", value="a"), idle, words), Refused)
    assert isinstance(check(Command(command="fill_answer", value="c"), asked, words), Refused)
    assert isinstance(check(Command(command="fill_answer", value=""), typed, words), Refused)
    assert check(Command(command="fill_answer", value=" b "), asked, words) == Command(command="fill_answer", value="b")
    assert isinstance(check(Command(command="fill_answer", value="12/03"), typed, words), Command)
    assert "fill_answer" in json.dumps(Command.model_json_schema())
