"""`cancel`, `reschedule`, `my_appointments` and `confirm` over the agenda bot."""

from __future__ import annotations

from datetime import timedelta

from runtime.engine.clock import ManualClock
from runtime.service.harness import BotHarness

from .conftest import AGENDA, OpenBot

PATIENT = "whatsapp:5511987650000"


async def book(h: BotHarness, pick: int = 0, wish: str = "") -> None:
    [offer] = await h.say("marcar")
    if wish:
        [offer] = await h.say(wish)
    await h.say(choice_id=offer.options[pick].id)
    await h.say(choice_id="sim")


async def test_cancel_asks_first_then_cancels(open_bot: OpenBot) -> None:
    h = await open_bot(AGENDA)
    await book(h, wish="amanhã")
    [question] = await h.say("desmarcar")
    assert question.text.startswith("Quer mesmo cancelar?") and [o.id for o in question.options] == ["sim", "nao"]
    [done] = await h.say(choice_id="sim")
    assert done.text.startswith("Consulta cancelada")
    scheduler = h.processor.services.scheduler
    assert scheduler is not None and await scheduler.appointments_of(PATIENT) == []


async def test_cancel_answered_no_keeps_it(open_bot: OpenBot) -> None:
    h = await open_bot(AGENDA)
    await book(h, wish="amanhã")
    await h.say("desmarcar")
    [kept] = await h.say("não")
    assert kept.text == "Tudo bem, sua consulta continua marcada. 👍"
    scheduler = h.processor.services.scheduler
    assert scheduler is not None and len(await scheduler.appointments_of(PATIENT)) == 1


async def test_cancel_without_appointment_takes_on_none(open_bot: OpenBot) -> None:
    h = await open_bot(AGENDA)
    [none] = await h.say("desmarcar")
    assert none.text == "Você não tem consultas marcadas. 🙂"


async def test_cancel_too_close_to_the_start_takes_on_error(open_bot: OpenBot, clock: ManualClock) -> None:
    h = await open_bot(AGENDA)
    await book(h)  # today 10:00, 1 h ahead
    clock.advance(timedelta(minutes=5))  # inside the 60-minute cancel notice
    [late] = await h.say("desmarcar")
    assert late.text.startswith("Falta pouco para a consulta")


async def test_reschedule_picks_which_then_moves_it(open_bot: OpenBot) -> None:
    h = await open_bot(AGENDA)
    await book(h, wish="amanhã")
    await book(h, wish="quarta")
    [which] = await h.say("mudar")
    assert [o.title for o in which.options] == ["Ter 03/03 às 08:00", "Qua 04/03 às 08:00"]
    [offer] = await h.say("a de quarta")
    [confirm] = await h.say("sexta")
    await h.say(choice_id=confirm.options[0].id)
    [moved] = await h.say("sim")
    assert moved.text.startswith("Pronto! ✅ Sua consulta foi remarcada para sexta-feira, 06/03, às 08:00")
    scheduler = h.processor.services.scheduler
    assert scheduler is not None
    starts = [a.slot.start.isoformat() for a in await scheduler.appointments_of(PATIENT)]
    assert starts == ["2026-03-03T11:00:00+00:00", "2026-03-06T11:00:00+00:00"]
    assert offer.options


async def test_my_appointments_lists_upcoming(open_bot: OpenBot) -> None:
    h = await open_bot(AGENDA)
    [none] = await h.say("minhas")
    assert none.text == "Você não tem consultas marcadas. 🙂"
    await book(h, wish="amanhã")
    [listed] = await h.say("minhas")
    assert listed.text == "Suas consultas:\n• Terça-feira, 03/03, às 08:00: Consulta com Dra. Ana"
    state = await h.state()
    assert state is not None and len(state.vars["appointments"]) == 1


async def test_a_request_in_passing_while_confirming_a_cancel_is_answered_then_asked_again(open_bot: OpenBot) -> None:
    h = await open_bot(AGENDA)
    await book(h, wish="amanhã")
    asked = await h.say("desmarcar")
    listed, again = await h.say("minhas")
    assert listed.text.startswith("Suas consultas:")
    assert again.text == asked[-1].text and [o.id for o in again.options] == [o.id for o in asked[-1].options]
    scheduler = h.processor.services.scheduler
    assert scheduler is not None and len(await scheduler.appointments_of(PATIENT)) == 1
