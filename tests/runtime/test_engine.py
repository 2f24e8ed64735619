"""The engine's behaviour, through the same path the service uses (store, processor, turn)."""

from __future__ import annotations

from datetime import timedelta

from flows.lint import BUILTIN_VARIABLES
from flows.messages import InboundEvent, Template
from runtime.conversations.library import BotLibrary
from runtime.engine.clock import ManualClock
from runtime.engine.routing import turn
from runtime.engine.state import Conversation
from runtime.engine.turn import Turn
from runtime.locales import PACKS
from runtime.nodes import HANDLERS
from runtime.nodes.services import BotServices

from .conftest import BOTS, START, OpenBot


def texts(messages: list) -> list[str]:
    return [m.text for m in messages]


async def test_first_message_starts_the_first_message_flow(open_bot: OpenBot) -> None:
    bot = await open_bot("engine")
    assert texts(await bot.say("oi")) == ["nome?"]
    reply = await bot.say("Ana")
    assert texts(reply) == ["escolha, Ana"]
    assert [o.title for o in reply[0].options] == ["Idade", "Subfluxo", "Pessoa", "Girar", "English", "Lembrete"]
    state = await bot.state()
    assert state is not None and (state.flow, state.node, state.waiting) == ("main", "pick", "input")


async def test_send_with_a_template_renders_its_parameters(open_bot: OpenBot) -> None:
    bot = await open_bot("engine")
    await bot.say("oi")
    await bot.say("Ana")
    [message] = await bot.say(choice_id="remind")
    assert message.text == "lembrete, Ana"
    assert message.template == Template("lembrete_consulta", "pt_BR", ("Ana", "10:00"), ("confirmar", "cancelar"))


async def test_a_known_variable_skips_its_question(open_bot: OpenBot) -> None:
    bot = await open_bot("engine")
    await bot.say("oi")
    await bot.say("Ana")
    await bot.say("menu")  # back to the start of main: the name is known, so it is not asked again
    state = await bot.state()
    assert state is not None and state.node == "pick"


async def test_choice_by_button_number_and_words(open_bot: OpenBot) -> None:
    for pick in ({"choice_id": "age"}, {"text": "1"}, {"text": "idade"}):
        bot = await open_bot("engine", user=f"user-{pick}")
        await bot.say("oi")
        await bot.say("Ana")
        assert texts(await bot.say(**pick)) == ["idade?"]


async def test_invalid_answers_reprompt_then_branch_on_the_valid_one(open_bot: OpenBot) -> None:
    bot = await open_bot("engine")
    for line in ("oi", "Ana", "1"):
        await bot.say(line)
    assert texts(await bot.say("muitos")) == ["idade entre 0 e 130?"]
    assert texts(await bot.say("200")) == ["idade entre 0 e 130?"]
    assert texts(await bot.say("quarenta e dois")) == ["adulto 42"]
    state = await bot.state()
    assert state is not None and state.vars["idade"] == 42 and state.flow is None


async def test_retries_run_out_into_on_invalid(open_bot: OpenBot) -> None:
    bot = await open_bot("engine")
    await bot.say("oi")
    await bot.say("Ana")
    assert texts(await bot.say("xyz qwe")) == ["invalido Escolha uma das opções; pode responder com o número."
                                               "\nescolha, Ana"]
    assert texts(await bot.say("xyz qwe")) == ["opcao invalida"]


async def test_call_returns_to_the_caller(open_bot: OpenBot) -> None:
    bot = await open_bot("engine")
    for line in ("oi", "Ana"):
        await bot.say(line)
    assert texts(await bot.say(choice_id="sub")) == ["email?"]
    state = await bot.state()
    assert state is not None and state.flow == "contact" and [f.flow for f in state.stack] == ["main"]
    assert texts(await bot.say("é ana@exemplo.com.br")) == ["anotado", "voltei: ana@exemplo.com.br"]


async def test_handoff_keeps_the_bot_silent_until_staff_resume(open_bot: OpenBot) -> None:
    bot = await open_bot("engine")
    for line in ("oi", "Ana"):
        await bot.say(line)
    assert texts(await bot.say(choice_id="human")) == ["chamando"]
    assert [n for n in bot.last[-1].notices if n["kind"] != "decision"] == [{"kind": "handoff", "queue": "desk"}]
    assert await bot.say("alô?") == []
    assert await bot.say("menu") == []  # not even global interrupts: a person is talking now
    assert texts(await bot.resume_handoff()) == ["retomado"]
    state = await bot.state()
    assert state is not None and state.waiting is None and state.handoff_queue is None


async def test_interrupt_with_resume_asks_the_same_question_again(open_bot: OpenBot) -> None:
    bot = await open_bot("engine")
    for line in ("oi", "Ana", "1"):
        await bot.say(line)
    assert texts(await bot.say("ajuda")) == ["ajuda aqui", "idade?"]
    assert texts(await bot.say("30")) == ["adulto 30"]


async def test_interrupt_without_flow_ends_the_conversation(open_bot: OpenBot) -> None:
    bot = await open_bot("engine")
    await bot.say("oi")
    assert texts(await bot.say("Sair")) == ["tchau"]
    state = await bot.state()
    assert state is not None and state.flow is None and state.stack == []


async def test_the_conversation_locale_picks_the_texts(open_bot: OpenBot) -> None:
    bot = await open_bot("engine")
    await bot.say("oi")
    await bot.say("Ana")
    reply = await bot.say(choice_id="english")
    assert texts(reply) == ["pick, Ana"] and reply[0].options[0].title == "Age"
    assert texts(await bot.say("sair")) == ["bye"]


async def test_session_expiry_restarts_politely_and_keeps_contact_variables(open_bot: OpenBot,
                                                                             clock: ManualClock) -> None:
    bot = await open_bot("engine")
    for line in ("oi", "Ana", "1"):
        await bot.say(line)
    clock.advance(timedelta(hours=1, minutes=59))
    assert texts(await bot.say("ajuda")) == ["ajuda aqui", "idade?"]  # 1h59 idle: still the same session
    clock.advance(timedelta(hours=2, seconds=1))
    assert texts(await bot.say("30")) == ["sessao expirada", "escolha, Ana"]
    state = await bot.state()
    assert state is not None and "idade" not in state.vars and state.vars["nome"] == "Ana"
    assert bot.last[-1].notices[0] == {"kind": "expired", "flow": "main", "node": "age"}


async def test_a_runaway_flow_is_stopped_and_the_conversation_goes_on(open_bot: OpenBot) -> None:
    bot = await open_bot("engine")
    await bot.say("oi")
    await bot.say("Ana")
    reply = await bot.say(choice_id="spin")  # a question that is always skipped, in a loop
    assert texts(reply) == [PACKS["pt-BR"].messages["error"]]  # the pt-BR bot has no error message of its own
    assert bot.last[-1].notices == [{"kind": "error", "error": "LoopGuard"}]
    assert texts(await bot.say("oi")) == ["escolha, Ana"]


async def test_a_turn_is_deterministic_and_leaves_its_input_alone() -> None:
    library = BotLibrary.load(BOTS / "engine")
    clock = ManualClock(START)
    state = Conversation(flow="main", flow_version=library.newest("main").digest, node="pick", waiting="input",
                         vars={"nome": "Ana"}, last_inbound_at=START.isoformat(), turns=2)
    before = state.to_json()
    event = InboundEvent("whatsapp", "5511987650000", "wamid.x", START, text="1")
    first = await turn(library, state, event, clock, BotServices(), HANDLERS)
    second = await turn(library, state, event, clock, BotServices(), HANDLERS)
    assert state.to_json() == before
    assert first.state.to_json() == second.state.to_json()
    assert first.messages == second.messages and texts(first.messages) == ["idade?"]
    assert first.messages[0].id == "wamid.x:0"  # stable ids: a retried turn sends nothing new
    assert first.trace == ["main/pick", "main/age"]


def test_no_variable_hides_a_built_in() -> None:
    """Built-ins win over a variable of the same name (the lint refuses such a name; a stored
    conversation may still carry one), and they are the names the lint knows as built-ins."""
    library = BotLibrary.load(BOTS / "engine")
    event = InboundEvent("whatsapp", "5511987650000", "wamid.y", START, text="oi")
    plain = Turn(library, Conversation(), event, START, BotServices(), HANDLERS)
    assert set(plain.variables()) == BUILTIN_VARIABLES
    state = Conversation(vars={"user": "outra pessoa", "bot": "outro", "last_input": "antes", "nome": "Ana"})
    t = Turn(library, state, event, START, BotServices(), HANDLERS)
    assert t.text("{{ nome }}: {{ user }} {{ bot }} {{ last_input }}") == "Ana: 5511987650000 engine oi"
    assert t.holds("user == '5511987650000'")
