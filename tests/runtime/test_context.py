"""Every message read in its context: safety wherever the conversation is (each kind of waiting
question, a booking's slots and confirmation, a cancellation, a handoff), numbers that pick the
options shown, and the decision notice that says which step took a message."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import redis.asyncio as aioredis

from runtime.engine.clock import ManualClock
from runtime.service.harness import BotHarness

from .conftest import EXAMPLES, START, OpenBot

MEDICAL = "minha filha ta com febre, posso dar dipirona?"
KINDS = ["text", "name", "choice", "number", "yes_no", "yes_no_buttons", "email", "phone", "cpf", "date", "time",
         "datetime"]


def texts(replies: list[object]) -> list[str]:
    return [getattr(r, "text") for r in replies]  # noqa: B009


def decision(h: BotHarness) -> dict[str, object]:
    return next(n for r in h.last for n in r.notices if n["kind"] == "decision")


@pytest.mark.parametrize("kind", KINDS)
async def test_a_medical_question_is_deflected_at_every_kind_of_question(open_bot: OpenBot, kind: str) -> None:
    h = await open_bot("questions")
    asked = texts(await h.say(choice_id=f"q_{kind}"))
    assert asked[-1].startswith("pergunta")
    assert texts(await h.say(MEDICAL)) == ["saude so com o medico", asked[-1]]
    state = await h.state()
    assert state is not None and state.flow == f"q_{kind}" and state.node == "pergunta" and state.waiting == "input"
    assert "resposta" not in state.vars  # never stored as the answer (a name, a text...)
    assert decision(h)["step"] == "safety" and decision(h)["topic"] == "medical"


@pytest.mark.parametrize(("typed", "value"), [("1", True), ("2", False), ("opção 2", False), ("Sim, quero", True),
                                              ("não, obrigado", False)])
async def test_numbers_and_titles_pick_the_options_of_a_yes_no_question(open_bot: OpenBot, typed: str,
                                                                       value: bool) -> None:
    h = await open_bot("questions")
    await h.say(choice_id="q_yes_no_buttons")
    assert texts(await h.say(typed)) == ["fim"]
    assert h.last[-1].state.vars["resposta"] is value


async def test_an_urgent_message_gets_the_emergency_numbers_at_a_question(open_bot: OpenBot) -> None:
    h = await open_bot("questions")
    await h.say(choice_id="q_number")
    assert texts(await h.say("meu pai desmaiou e não consegue respirar"))[0] == "emergencia: ligue 192"
    assert decision(h)["topic"] == "urgent"


@pytest.fixture
async def newcomer(client: aioredis.Redis, redis_prefix: str) -> AsyncIterator[BotHarness]:
    """The clinic, and a contact who has not written to it yet."""
    h = await BotHarness.open(EXAMPLES / "clinic", client=client, prefix=redis_prefix, clock=ManualClock(START),
                              channel="whatsapp", user="5511987650000")
    yield h


@pytest.fixture
async def clinic(newcomer: BotHarness) -> BotHarness:
    """The clinic, and Carla, greeted."""
    await newcomer.say("oi")
    await newcomer.say("Carla")
    return newcomer


async def test_a_medical_question_is_deflected_while_slots_are_offered(clinic: BotHarness) -> None:
    offered = await clinic.say("quero marcar clinica geral amanhã")
    replies = await clinic.say(MEDICAL)
    assert texts(replies)[0].startswith("Não consigo responder dúvidas de saúde")
    assert [o.title for o in replies[-1].options] == [o.title for o in offered[-1].options]
    state = await clinic.state()
    assert state is not None and state.node == "marcar_clinica" and state.private.booking is not None


async def test_a_medical_question_is_deflected_at_a_booking_confirmation_and_the_hold_kept(
        clinic: BotHarness) -> None:
    await clinic.say("quero marcar clinica geral amanhã")
    confirm = await clinic.say("1")
    replies = await clinic.say("to com dor de cabeça, posso tomar paracetamol?")
    assert texts(replies)[0].startswith("Não consigo responder dúvidas de saúde")
    assert texts(replies)[1] == texts(confirm)[0]  # the same slot to confirm
    assert texts(await clinic.say("sim"))[0].startswith("Pronto! ✅ Sua consulta está marcada")


@pytest.mark.parametrize("at", ["slots", "confirmation"])
async def test_an_emergency_during_a_booking_gets_the_numbers_and_the_booking_waits_as_it_was(
        clinic: BotHarness, at: str) -> None:
    """The booking is not dropped for an offer of a person, whose "1" would be read as "yes, call someone":
    the emergency numbers, where a person is, and the same slots (or the same slot to confirm) again."""
    offered = await clinic.say("quero marcar clinica geral amanhã")
    waiting = offered if at == "slots" else await clinic.say("1")
    replies = await clinic.say("meu marido bateu a cabeça e agora ta confuso falando enrolado")
    assert "192" in texts(replies)[0] and texts(replies)[1].startswith("Se quiser falar com alguém da nossa equipe")
    assert texts(replies)[2:] == texts(waiting) and decision(clinic)["topic"] == "urgent"
    state = await clinic.state()
    assert state is not None and state.node == "marcar_clinica" and state.private.booking is not None
    if at == "slots":
        assert texts(await clinic.say("1"))[0].startswith("Confirma o horário?")
    assert texts(await clinic.say("1"))[0].startswith("Pronto! ✅ Sua consulta está marcada")


async def test_an_emergency_at_the_menu_keeps_the_menu_and_thoughts_of_suicide_at_a_confirmation_keep_it(
        clinic: BotHarness) -> None:
    replies = await clinic.say("to com uma dor no peito q desce pro braço esquerdo e suando frio")
    assert "192" in texts(replies)[0] and texts(replies)[-1].startswith("Como posso ajudar")
    assert texts(await clinic.say("6"))[0].startswith("Vamos marcar sua consulta")
    await clinic.say("1")
    confirm = await clinic.say("1")
    replies = await clinic.say("desculpa, to mt mal esses dias... pensando em acabar com tudo hj")
    assert "188" in texts(replies)[0] and texts(replies)[2:] == texts(confirm)
    assert texts(await clinic.say("Confirmar"))[0].startswith("Pronto! ✅ Sua consulta está marcada")


async def test_a_medical_question_is_deflected_at_a_cancel_confirmation(clinic: BotHarness) -> None:
    await clinic.say("quero marcar clinica geral quarta")
    await clinic.say("1")
    await clinic.say("sim")
    confirm = await clinic.say("cancelar")
    assert texts(confirm)[0].startswith("Quer mesmo cancelar?")
    replies = await clinic.say("estou com tosse e febre")
    assert texts(replies) == [texts(replies)[0], texts(confirm)[0]]
    assert texts(replies)[0].startswith("Não consigo responder dúvidas de saúde")
    scheduler = clinic.processor.services.scheduler
    assert scheduler is not None and len(await scheduler.appointments_of("whatsapp:5511987650000")) == 1


async def test_with_staff_the_bot_stays_quiet_but_for_an_emergency(clinic: BotHarness) -> None:
    """A handoff is a conversation with staff: a medical question is theirs to answer (they get a notice);
    an emergency is answered at once, since staff may not be there yet."""
    await clinic.say("atendente")
    await clinic.say("sim")
    assert texts(await clinic.say(MEDICAL)) == []
    assert {"kind": "safety", "topic": "medical", "during": "handoff"} in clinic.last[-1].notices
    replies = await clinic.say("socorro, meu filho engoliu uma moeda e não consegue respirar")
    assert len(replies) == 1 and "192" in replies[0].text
    state = await clinic.state()
    assert state is not None and state.waiting == "handoff"


async def test_opting_out_stops_reminders_until_the_patient_opts_in(clinic: BotHarness) -> None:
    await clinic.say("quero marcar clinica geral quarta de manhã")
    await clinic.say("1")
    await clinic.say("sim")
    replies = await clinic.say("não quero mais receber mensagens")
    assert texts(replies) == [texts(replies)[0]] and "não vai mais receber" in texts(replies)[0]
    state = await clinic.state()
    assert state is not None and state.opted_out_at == START.isoformat() and state.flow is None
    assert await clinic.advance(timedelta(hours=23)) == []  # the 24 h reminder is not sent
    assert any(n.get("why") == "the patient asked for no more messages" for r in clinic.last for n in r.notices)
    assert "Voltamos a te mandar" in texts(await clinic.say("quero receber lembretes"))[0]
    state = await clinic.state()
    assert state is not None and state.opted_out_at is None


@pytest.mark.parametrize("stop", ["pare", "PARE!", "descadastrar meu número por favor", "n quero mais receber lembrete",
                                  "nn quero mais mensagem"])
async def test_stop_words_opt_out_from_any_question(clinic: BotHarness, stop: str) -> None:
    await clinic.say("3")  # the insurance question waits
    assert "não vai mais receber" in texts(await clinic.say(stop))[0]
    state = await clinic.state()
    assert state is not None and state.opted_out_at is not None and state.waiting is None


async def test_a_privacy_request_is_answered_and_staff_get_a_notice(clinic: BotHarness) -> None:
    await clinic.say("6")
    replies = await clinic.say("quero que apaguem meus dados")
    assert texts(replies) == [texts(replies)[0]] and "15 dias" in texts(replies)[0]
    [request] = [n for n in clinic.last[-1].notices if n["kind"] == "privacy_request"]
    assert request["due_days"] == 15 and request["request"] == "erase"
    state = await clinic.state()
    assert state is not None and state.privacy_requested_at is not None and state.flow is None


async def test_small_talk_gets_a_short_answer_and_the_question_keeps_waiting(clinic: BotHarness) -> None:
    await clinic.say("6")
    for said, answer in (("kkkkk", "😄"), ("ok", "👍"), ("vou ver com meu marido e te falo", "Claro, sem pressa!")):
        replies = texts(await clinic.say(said))
        assert len(replies) == 1 and replies[0].startswith(answer), said
        assert decision(clinic)["step"] == "small_talk"
    state = await clinic.state()
    assert state is not None and state.node == "especialidade" and state.retries == 0


@pytest.mark.parametrize("said", ["desisti, nao quero mais marcar", "ah quer saber, deixa pra la, n vou marcar agora",
                                  "esquece"])
async def test_giving_up_at_a_booking_confirmation_books_nothing_and_leaves(clinic: BotHarness, said: str) -> None:
    await clinic.say("quero marcar clinica geral amanhã")
    await clinic.say("1")
    replies = texts(await clinic.say(said))  # the classifier reads the first as cancelling an appointment
    assert replies == ["Tudo bem, sem pressa! Não marquei nada; quando quiser, é só escrever *agendar*. 🙂"]
    state = await clinic.state()
    assert state is not None and state.flow is None and state.private.booking is None
    scheduler = clinic.processor.services.scheduler
    assert scheduler is not None and await scheduler.appointments_of("whatsapp:5511987650000") == []


async def test_giving_up_elsewhere_drops_the_question_without_a_word_on_booking(clinic: BotHarness) -> None:
    await clinic.say("3")  # "Qual é o seu convênio?"
    assert texts(await clinic.say("deixa pra lá")) == ["Tudo bem! Se precisar de alguma coisa, é só me escrever por "
                                                       "aqui. 🙂"]
    state = await clinic.state()
    assert state is not None and state.flow is None
    assert [m.options[0].title for m in await clinic.say("deixa pra lá, quero marcar uma consulta")][-1] \
        .startswith("Clínica geral")  # asking for more is no giving up


@pytest.mark.parametrize(("specialty", "asked", "price"), [
    ("clínica geral", "e o valor dessa, quanto fica?", "R$ 250,00"),
    ("clínica geral", "quanto custa essa consulta?", "R$ 250,00"),
    ("pediatria", "quanto custa essa consulta?", "R$ 280,00"),
])
async def test_a_price_asked_of_the_service_being_booked_is_that_services(clinic: BotHarness, specialty: str,
                                                                          asked: str, price: str) -> None:
    await clinic.say("agendar")
    await clinic.say(specialty)
    replies = texts(await clinic.say(asked))
    assert price in replies[0] and "R$" not in replies[0].replace(price, "")  # not every service's price
    state = await clinic.state()
    assert state is not None and state.private.booking is not None  # the slots still wait


async def test_a_price_asked_without_pointing_at_the_service_gets_every_price(clinic: BotHarness) -> None:
    await clinic.say("agendar")
    await clinic.say("pediatria")
    replies = texts(await clinic.say("quanto custa?"))
    assert "R$ 250,00" in replies[0] and "R$ 280,00" in replies[0]


async def test_a_seasons_wishes_get_wishes_back_and_the_question_keeps_waiting(clinic: BotHarness) -> None:
    for said in ("feliz natal!", "boas festas pra vcs 🎄", "boas festas pra toda a equipe de vcs 🎁✨"):  # not a person
        assert texts(await clinic.say(said)) == ["Obrigada, pra você também! 😊"]
    state = await clinic.state()
    assert state is not None and state.node == "escolha" and state.retries == 0


async def test_a_goodbye_that_promises_to_come_back_takes_leave(clinic: BotHarness) -> None:
    await clinic.say("agendar")
    assert texts(await clinic.say("tchau, depois eu volto")) == ["Até logo! 👋"]


async def test_the_decision_says_which_step_took_the_message(clinic: BotHarness) -> None:
    await clinic.say("e qto é a consulta com o pediatra?")
    notice = decision(clinic)
    assert notice["step"] == "faq" and notice["entry"] == "preco_pediatria" and notice["waiting"] == "menu/escolha"
    assert {"entity": "especialidade", "extractor": "RegexEntityExtractor", "value": "pediatria"} in notice["entities"]
    assert notice["intents"] and notice["faq"]
    targets = {c["target"]: c for c in notice["candidates"]}  # type: ignore[union-attr]
    assert targets["faq:preco_pediatria"]["coverage"] > targets["flow:precos"]["coverage"]
    await clinic.say("2")
    assert decision(clinic)["step"] == "answer"
    await clinic.say("menu")
    assert decision(clinic)["step"] == "interrupt"
    await clinic.say("blablabla xpto")
    assert decision(clinic)["step"] == "reprompt"


async def test_a_name_in_the_decision_is_not_shown(open_bot: OpenBot) -> None:
    h = await open_bot("questions")
    await h.say(choice_id="q_name")
    await h.say("me chamo Juliana Prado")
    notice = decision(h)
    assert {"entity": "person_name", "extractor": "papo.slots", "value": "…"} in notice["entities"]
    assert "Juliana" not in str(notice)
    assert h.last[-1].state.vars["resposta"] == "Juliana Prado"


@pytest.mark.parametrize(("said", "topic"), [
    ("meu bebê vomitou a noite toda", "medical"),  # a form of "vômito"
    ("ela tá tossindo muito", "medical"),
    ("não quero mais receber lembretes", "opt_out"),  # not the opt-in "receber lembretes"
    ("quero receber lembretes de novo", "opt_in"),
    ("apaguem meus dados por favor", "privacy"),
    ("meu pai está com dor no peito", "urgent"),
    ("ele tá falando enrolado e com a boca torta desde cedo", "urgent"),  # the signs of a stroke
    ("meu sobrinho foi picado por escorpiao agora pouco no pe", "urgent"),
    ("minha mae foi picada por uma aranha e ta com a perna inchada", "urgent"),
    ("meu cadastro tá com o sobrenome errado, queria corrigir", "privacy"),
    # signs in the patient's own words: a word of each list, a few words apart
    ("to com o lado esquerdo do rosto dormente", "urgent"),
    ("ele ta com a boca roxinha e respirando com dificuldade agora", "urgent"),
    ("minha sogra tomou veneno de rato sem querer", "urgent"),
    ("meu bebe ta com febre e umas manchinhas roxas na perna", "urgent"),  # purple spots with a fever
    ("tomei uma cartela inteira de rivotril", "urgent"),
    ("meu irmão falou agora q vai se matar, nao sei oq fazer", "urgent"),  # with the CVV: the crisis message
    ("to pensando em acabar com tudo, nao aguento mais essa vida", "urgent"),
    ("meu pai é diabetico e ta suando frio falando coisa sem sentido", "urgent"),  # acute confusion
    ("cortei o dedo com a faca, ta jorrando sangue e nao para", "urgent"),
    ("minha filha tomou agua sanitaria sem querer", "urgent"),  # a household product swallowed
    ("atropelaram meu irmao aqui na frente de casa ele nao ta mexendo", "urgent"),
    ("minha esposa levou um choque no chuveiro e caiu desacordada", "urgent"),
    ("pera, meu filho acabou de engolir uma bateria de relogio", "urgent"),  # a battery, a coin, a magnet
    ("nao precisa mais me mandar esses lembretes nao, eu anoto tudo", "opt_out"),  # fillers before the verb
    ("quero receber só o lembrete da consulta, propaganda nao", "opt_out"),  # marketing ruled out at the end
    ("nao autorizo mais vcs usarem minhas informações, retiro o consentimento", "privacy"),  # consent withdrawn
    ("MINHA FILHA TA SE DEBATENDO TODA DURA COM OS OLHOS VIRADOS", "urgent"),  # a seizure as it is seen
    ("caiu da bicicleta e tem osso aparecendo no braço", "urgent"),  # a bone out of the skin
    ("queria sumir e nunca mais acordar", "urgent"),  # the crisis message
    ("acho q ninguem ia sentir minha falta se eu me matasse", "urgent"),
    ("ela ta se cortando de novo e ontem disse q queria morrer", "urgent"),
    ("esqueci o anticoncepcional ontem, tomo dois hj?", "medical"),
    ("MEU PAI CAIU NO BANHEIRO E NAO TA RESPONDENDO, ELE TA GELADO", "urgent"),  # fell and does not respond
    ("minha mae de repente começou a falar tudo enrolado", "urgent"),  # slurred speech of a sudden
    ("n aguento mais, to pensando em tirar minha propria vida", "urgent"),
    ("promoção nao quero, só os lembretes das consultas", "opt_out"),  # the kind of message before the negation
    ("nao e nem quero receber mais nada de vcs, nem lembrete", "opt_out"),
    ("nao quero nada de vcs, nem lembrete, me tira de tudo", "opt_out"),  # reminders too
    ("quero q apaguem meu numero e tudo q for meu do sistema de vcs", "privacy"),
    ("o rojao estourou na mao do meu marido", "urgent"),  # fireworks that went off on someone
    ("meu filho se queimou com agua fervendo", "urgent"),  # a scald
    ("queimei a mao no forno fazendo a ceia, ta cheio de bolha", "medical"),  # a burn of a part of the body
])
async def test_safety_reads_word_forms_and_the_most_pressing_topic(open_bot: OpenBot, said: str, topic: str) -> None:
    h = await open_bot("questions")
    await h.say(choice_id="q_text")
    await h.say(said)
    assert decision(h)["step"] == "safety" and decision(h)["topic"] == topic


@pytest.mark.parametrize("said", ["meu filho de 3 anos fala enrolado, o pediatra atende?",  # speech alone: no emergency
                                  "a boca dele é bem pequena, tomou o remédio de verme ontem",
                                  "a cara dele caiu quando soube do preço",
                                  "quero marcar pra ver uma mancha roxa na perna",  # a bruise, no fever
                                  "vou soltar fogos no ano novo"])
async def test_sign_words_far_apart_or_speech_alone_are_not_urgent(open_bot: OpenBot, said: str) -> None:
    h = await open_bot("questions")
    await h.say(choice_id="q_text")
    await h.say(said)
    assert decision(h).get("topic") != "urgent"


@pytest.mark.parametrize("said", ["funciona em feriado?", "quero marcar um retorno", "o resultado do exame de sangue",
                                  "a lampada da sala queimou",
                                  "vcs aplicam vacina da gripe?", "quanto custa o teste de gravidez?"])
async def test_words_like_medical_ones_are_not_medical(open_bot: OpenBot, said: str) -> None:
    h = await open_bot("questions")
    await h.say(choice_id="q_text")
    await h.say(said)
    assert decision(h)["step"] == "answer"


@pytest.mark.parametrize(("said", "topic"), [("por favor excluam todas as minhas informações", "privacy"),
                                             ("chega de mensagens por favor", "opt_out")])
async def test_a_word_of_each_list_in_any_order_is_enough(open_bot: OpenBot, said: str, topic: str) -> None:
    h = await open_bot("questions")
    await h.say(choice_id="q_choice")
    await h.say(said)
    assert decision(h)["topic"] == topic


async def test_a_request_that_asks_nothing_goes_to_the_flow_that_acts(clinic: BotHarness) -> None:
    """The FAQ entry about Dr. Bruno's days matches the details; the patient asked to book."""
    replies = await clinic.say("quero marcar com o dr bruno sabado de manha")
    assert texts(replies)[0].startswith("Escolha um horário para Consulta de pediatria")
    assert [o.title for o in replies[0].options][:1] == ["Sáb 07/03 às 08:00"]


@pytest.mark.parametrize("said", ["vcs aceitam saude total? queria marcar", "queria marcar. aceitam saude total?"])
async def test_a_question_asked_beside_a_request_is_answered_first(open_bot: OpenBot, said: str) -> None:
    """The plan flow's question is answered by the question's clause: it runs to its end, then the
    flow the request starts asks its own question (nothing waited: the idle step)."""
    h = await open_bot("asides")
    await h.say("oi")
    assert texts(await h.say(said)) == ["nao aceitamos", "qual o nome?"]
    state = await h.state()
    assert state is not None and (state.flow, state.node, state.waiting) == ("marcar", "nome", "input")
    assert state.vars["plano"] == "outro" and not state.stack
    assert {"kind": "aside", "at": "/", "flow": "planos"} in [n for r in h.last for n in r.notices]


@pytest.mark.parametrize("said", ["queria marcar pelo saude total", "aceitam saude total pra marcar?",
                                  "vcs aceitam? queria marcar"])
async def test_no_aside_without_a_question_its_flow_can_answer(open_bot: OpenBot, said: str) -> None:
    """No separate question, or one whose clause does not answer the other flow's question: only the
    request is taken."""
    h = await open_bot("asides")
    await h.say("oi")
    assert texts(await h.say(said)) == ["qual o nome?"]
    state = await h.state()
    assert state is not None and "plano" not in state.vars


async def test_a_question_beside_a_request_at_a_waiting_question(clinic: BotHarness) -> None:
    """At the menu: Hapvida is not taken, said first; then the booking starts."""
    replies = texts(await clinic.say("vcs atendem hapvida? queria marcar uma consulta"))
    assert replies[0].startswith("No momento atendemos Unimed, Amil, Bradesco Saúde e SulAmérica")
    assert replies[-1].startswith("Vamos marcar sua consulta!")
    state = await clinic.state()
    assert state is not None and (state.flow, state.node) == ("agendar", "especialidade") and not state.stack


@pytest.mark.parametrize("said", ["para de mandar propaganda pra mim",
                                  "não quero receber promoção nenhuma, só os lembretes das consultas",
                                  "ah, e tira meu número da lista de promoções",
                                  "nao quero promoçao nenhuma, so os lembretes",
                                  "me tira dessa lista de propaganda de vcs",
                                  "blz. ah e me tira dessas propagandas pfv"])
async def test_an_opt_out_of_marketing_alone_keeps_the_reminders(clinic: BotHarness, said: str) -> None:
    replies = texts(await clinic.say(said))
    assert replies[0].startswith("Tudo bem, não vamos te mandar novidades nem promoções")
    state = await clinic.state()
    assert state is not None and state.opted_out_at is None
    assert state.consent("marketing") is False and state.consent("reminders") is not False


@pytest.mark.parametrize("said", ["não quero perder o lembrete da consulta",
                                  "não quero marcar, só queria saber o preço"])
async def test_a_negated_wish_about_something_else_is_no_opt_out(clinic: BotHarness, said: str) -> None:
    await clinic.say(said)
    state = await clinic.state()
    assert state is not None and state.opted_out_at is None
    assert state.consent("marketing") is not False and state.consent("reminders") is not False


@pytest.mark.parametrize("said", ["pode voltar a me mandar os lembretes das consultas",
                                  "mudei de ideia, quero receber as mensagens de novo"])
async def test_opting_in_again_in_other_words(clinic: BotHarness, said: str) -> None:
    await clinic.say("sair da lista")
    assert texts(await clinic.say(said))[0].startswith("Combinado! Voltamos a te mandar")
    state = await clinic.state()
    assert state is not None and state.opted_out_at is None


async def test_at_the_name_question_the_patient_says_the_appointment_is_their_own(clinic: BotHarness) -> None:
    """Whose it is and their age, read from the first message, are dropped: the booking goes on for the
    patient writing, to the specialty question (no pediatrics from the daughter's age)."""
    asked = texts(await clinic.say("quero marcar pra minha filha de 5 anos"))
    assert asked == ["Qual é o nome de quem vai ser atendido?"]
    replies = texts(await clinic.say("ah, na verdade é pra mim mesma"))
    assert replies == ["Vamos marcar sua consulta! 🩺 Qual especialidade?"]
    state = await clinic.state()
    assert state is not None and (state.flow, state.node) == ("agendar", "especialidade")
    assert state.vars["paciente"] == "Carla" and state.vars["para_quem"] == "" and state.vars["idade"] == ""


async def test_naming_someone_else_at_the_name_question_is_no_self_reference(clinic: BotHarness) -> None:
    await clinic.say("quero marcar uma consulta pra minha mãe")
    replies = texts(await clinic.say("não é pra mim, é pra minha mae"))
    assert replies[-1].endswith("Qual é o nome de quem vai ser atendido?")
    state = await clinic.state()
    assert state is not None and state.node == "nome_paciente" and state.vars["para_quem"] == "mae"


@pytest.mark.parametrize(("said", "answer"), [
    ("uai, cês atende sábado?", "🕗 Atendemos de segunda a sexta, das 8h às 19h, e aos sábados, das 8h às 12h."),
    ("o dr bruno atende sabado?", "A pediatria, com o Dr. Bruno Lima, atende às terças e quintas à tarde"),
])
async def test_an_answer_about_one_doctor_needs_the_doctor_named(clinic: BotHarness, said: str, answer: str) -> None:
    assert texts(await clinic.say(said))[0].startswith(answer)


async def test_a_child_named_as_it_is_said_with_a_specialty_asks_to_book(clinic: BotHarness) -> None:
    """No verb of booking, no day: a specialty and whom it is for are two details of the booking."""
    replies = texts(await clinic.say("oxe, minha fia tá precisando de pediatra visse, ela tem 9 ano"))
    assert replies == ["Qual é o nome de quem vai ser atendido?"]
    state = await clinic.state()
    assert state is not None and state.vars["para_quem"] == "filha" and state.vars["idade"] == 9


async def test_a_question_led_by_quero_saber_at_a_confirmation_is_answered(clinic: BotHarness) -> None:
    await clinic.say("agendar")
    await clinic.say("clinica geral")
    await clinic.say("1")
    replies = texts(await clinic.say("tb quero saber se aceita pix"))
    assert replies[0].startswith("Aceitamos Pix") and replies[-1].startswith("Confirma o horário?")


@pytest.mark.parametrize(("said", "offered"), [
    # Dra. Ana works until 14h: nothing late in the afternoon, so that afternoon's slots
    ("queria marcar um clínico pra mim amanhã de tardezinha", ["Ter 03/03 às 13:00", "Ter 03/03 às 13:30"]),
    # nothing at night: that day's last ones, not the next free ones of today
    ("quero marcar clinico geral amanhã à noite",
     ["Ter 03/03 às 10:30", "Ter 03/03 às 11:00", "Ter 03/03 às 11:30", "Ter 03/03 às 13:00", "Ter 03/03 às 13:30"]),
])
async def test_a_day_and_part_of_day_with_nothing_free_offers_that_day_nearest_first(
        clinic: BotHarness, said: str, offered: list[str]) -> None:
    replies = await clinic.say(said)
    assert replies[0].text.startswith("Não encontrei horário livre nesse dia ou período")
    assert [o.title for o in replies[-1].options] == offered


@pytest.mark.parametrize(("said", "first"), [
    ("sim, mas pode ser as 11h?",
     "Confirma o horário?\nConsulta de clínica geral com Dra. Ana Souza, segunda-feira, 02/03, às 11:00."),
    ("nao, prefiro mais tarde, umas 11h", "Escolha um horário para Consulta de clínica geral"),  # roughly: a list
])
async def test_a_time_named_at_the_confirmation_is_held_when_free_at_that_minute(
        clinic: BotHarness, said: str, first: str) -> None:
    await clinic.say("agendar")
    await clinic.say("clinica geral")
    assert "às 10:00" in texts(await clinic.say("1"))[0]
    replies = await clinic.say(said)
    assert replies[0].text.startswith(first)
    state = await clinic.state()
    assert state is not None and "appointment" not in state.vars


async def test_na_verdade_leads_a_change_of_mind_that_its_words_do_not_dilute(clinic: BotHarness) -> None:
    await clinic.say("agendar")
    replies = texts(await clinic.say("na vdd queria ver a que eu ja marquei"))
    assert replies[0] == "Você não tem consultas marcadas. 🙂"


async def test_a_part_of_day_with_no_day_said_is_the_next_such_part_with_room(clinic: BotHarness) -> None:
    """At 14:30, with Dra. Ana gone for the day: "de tarde" is the next afternoons, not 'nothing today'."""
    clinic.clock.advance(timedelta(hours=5, minutes=30))
    await clinic.say("agendar")
    replies = await clinic.say("clinica geral de tarde")
    assert not replies[0].text.startswith("Não encontrei")
    assert [o.title for o in replies[-1].options][:2] == ["Ter 03/03 às 13:00", "Ter 03/03 às 13:30"]


@pytest.mark.parametrize(("said", "held"), [("às 10, digo, 10 e meia", "às 10:30"),
                                            ("as 11 e meia... não, 11 em ponto", "às 11:00")])
async def test_a_time_corrected_in_the_message_is_the_one_taken(clinic: BotHarness, said: str, held: str) -> None:
    await clinic.say("agendar")
    await clinic.say("clinica geral")
    replies = texts(await clinic.say(said))
    assert replies[0].startswith("Confirma o horário?") and held in replies[0]


async def test_a_health_question_at_the_name_question_is_deflected_and_the_question_asked_as_it_was(
        newcomer: BotHarness) -> None:
    """The deflection answered it: no 'no answer to that' before the name question, whatever else the
    message reads as (here it also reads a little as a booking for a daughter)."""
    h = newcomer
    asked = texts(await h.say("oi"))[-1]
    replies = texts(await h.say("minha filha ta com febre, o que eu dou pra ela?"))
    assert replies[0].startswith("Não consigo responder dúvidas de saúde") and replies[1:] == [asked]


@pytest.mark.parametrize(("said", "patient"), [("quero marcar pro meu guri, o Bernardo, com o pediatra", "Bernardo"),
                                               ("queria marcar pra minha filha Yasmin de 4 anos", "Yasmin")])
async def test_a_relatives_name_said_in_passing_is_not_asked_again(clinic: BotHarness, said: str,
                                                                  patient: str) -> None:
    replies = texts(await clinic.say(said))
    assert not any("nome de quem vai ser atendido" in r for r in replies)
    assert any("Consulta de pediatria" in r for r in replies)
    state = await clinic.state()
    assert state is not None and state.vars["paciente"] == patient and state.vars["nome"] == "Carla"


async def test_the_callers_own_name_question_never_takes_a_relatives_name(
        newcomer: BotHarness) -> None:
    h = newcomer
    await h.say("oi")
    replies = texts(await h.say("é pra minha filha Yasmin"))
    state = await h.state()
    assert state is not None and state.vars.get("nome") != "Yasmin", replies


async def test_a_name_with_its_lead_and_a_doctor_at_the_name_question_books_with_that_doctor(
        newcomer: BotHarness) -> None:
    h = newcomer
    await h.say("oi")
    replies = texts(await h.say("Aqui é o Givaldo, quero marcar com a doutora Ana"))
    state = await h.state()
    assert not any("Qual especialidade?" in r for r in replies)
    assert state is not None and state.vars["nome"] == "Givaldo" and state.vars["especialidade"] == "clinica_geral"


async def test_thanks_alone_answers_the_option_that_thanks_and_thanks_around_a_yes_confirms(
        clinic: BotHarness) -> None:
    await clinic.say("2")  # the address, then "Posso ajudar com mais alguma coisa? 1) Sim 2) Não, obrigado"
    replies = texts(await clinic.say("valeu!!"))
    state = await clinic.state()
    assert replies and not any(r.startswith("Por nada") for r in replies) and state is not None \
        and state.waiting is None
    await clinic.say("agendar")
    await clinic.say("clinica geral")
    await clinic.say("1")
    replies = texts(await clinic.say("tá bom, obrigada"))
    assert any("marcada" in r for r in replies)


async def test_going_to_ask_a_relative_first_is_no_booking_for_them(clinic: BotHarness) -> None:
    await clinic.say("agendar")
    replies = texts(await clinic.say("peraí que vou perguntar pro meu marido"))
    state = await clinic.state()
    assert replies[0].startswith("Claro, sem pressa") and state is not None \
        and (state.flow, state.node) == ("agendar", "especialidade")


async def test_a_number_in_words_alone_at_a_slot_list_is_its_position(clinic: BotHarness) -> None:
    await clinic.say("agendar")
    offered = await clinic.say("clinica geral")
    fifth = offered[-1].options[4].title.split(" às ")[-1]
    replies = texts(await clinic.say("cinco"))
    assert replies[0].startswith("Confirma o horário?") and f"às {fifth}" in replies[0]


async def test_a_yes_that_says_more_fills_the_next_question_too(clinic: BotHarness) -> None:
    await clinic.say("4")  # the prices, then "Posso ajudar com mais alguma coisa?"
    replies = texts(await clinic.say("sim, quero marcar com o pediatra"))
    assert not any("Qual especialidade?" in r for r in replies) and any("Consulta de pediatria" in r for r in replies)


async def test_another_flows_request_about_a_relative_is_that_request_not_a_new_patient(clinic: BotHarness) -> None:
    for said in ("agendar", "pediatria", "1", "1", "agendar", "clinica geral"):
        await clinic.say(said)
    replies = texts(await clinic.say("ah não, desmarca a do meu filho"))
    assert any("Quer mesmo cancelar" in r for r in replies)
    assert not any("nome de quem vai ser atendido" in r for r in replies)


async def test_a_weekday_said_apart_from_next_week_and_a_part_of_day_is_that_day_then(clinic: BotHarness) -> None:
    """On Monday 02/03: "semana que vem de manhã, de preferência na quarta" is Wednesday 11/03 in the morning."""
    replies = await clinic.say("quero marcar clinica geral pra semana que vem de manhã, de preferência na quarta")
    assert replies[-1].options[0].title == "Qua 11/03 às 08:00"


async def test_a_yes_that_asks_a_question_gets_the_answer_then_goes_on(clinic: BotHarness) -> None:
    await clinic.say("2")  # the address, then "Posso ajudar com mais alguma coisa?"
    replies = texts(await clinic.say("sim, o retorno eu pago de novo?"))
    assert replies[0].startswith("O retorno em até 30 dias após a consulta não tem custo")
    state = await clinic.state()
    assert state is not None and state.flow == "menu" and len(replies) > 1


async def test_a_booking_asked_in_the_first_message_asks_the_name_it_needs_then_the_slots(
        newcomer: BotHarness) -> None:
    h = newcomer
    asked = texts(await h.say("quero marcar clinica geral amanhã"))
    offered = await h.say("Joana Prado")
    state = await h.state()
    assert asked[-1] == "Para a ficha da consulta, qual é o seu nome?"
    assert offered[-1].options[0].title.startswith("Ter 03/03")
    assert state is not None and state.vars["nome"] == state.vars["paciente"] == "Joana Prado"


async def test_a_greeting_with_a_verb_of_booking_and_whom_it_is_for_books_after_the_name(
        newcomer: BotHarness) -> None:
    h = newcomer  # the classifier, unsure of the corrected message, would leave it to the greeting's keyword
    await h.say("boa tarde, quero marcar pra minha avó, quer dizer, bisavó, a Ercília de 92 anos")
    await h.say("Roberta")
    state = await h.state()
    assert state is not None and state.flow == "agendar" and state.vars["paciente"] == "Ercília"
    assert state.vars["nome"] == "Roberta"


async def test_a_booking_asked_after_a_faq_answer_reads_the_question_past_the_name_it_asks_first(
        newcomer: BotHarness) -> None:
    h = newcomer
    assert "R$ 250,00" in texts(await h.say("quanto é a consulta com a doutora?"))[0]
    await h.say("ok entao quero marcar com ela")  # the name, for the booking's form
    offered = await h.say("Irene")
    assert offered[-1].text.startswith("Escolha um horário para Consulta de clínica geral")


async def test_the_question_the_faq_answered_is_kept_for_one_message_only(clinic: BotHarness) -> None:
    await clinic.say("tem pediatra segunda?")
    state = await clinic.state()
    assert state is not None and state.private.asked is not None
    await clinic.say("obrigada")  # the next message drops it: no message text lingers in the state
    state = await clinic.state()
    assert state is not None and state.private.asked is None
