"""Timers into conversations: reminders through the reminder flow, one effect per timer, the
`ask` timeout ladder and the `remind` node, on the virtual clock."""

from __future__ import annotations

from datetime import timedelta

import fakeredis
import redis.asyncio as aioredis

from runtime.conversations import store as store_module
from runtime.conversations.library import BotLibrary
from runtime.conversations.processor import Processor
from runtime.conversations.store import RedisStore
from runtime.conversations.timers import ConversationTimers, conversation_dispatcher
from runtime.engine.clock import ManualClock
from runtime.engine.routing import turn
from runtime.nodes import HANDLERS
from runtime.service.harness import BotHarness

from .conftest import AGENDA, CLINIC, OpenBot, at_clinic_slots


async def book_wednesday(h: BotHarness) -> None:
    [offer] = await h.say("marcar")
    [offer] = await h.say("quarta")
    await h.say(choice_id=offer.options[0].id)  # Wed 04/03 08:00: reminders Tue 08:00 and Wed 06:00
    await h.say(choice_id="sim")


def test_timer_kinds_are_registered() -> None:
    assert HANDLERS.timers.kinds() == {"reminder", "remind", "ask_timeout", "handoff_timeout", "start"}


async def test_reminder_arrives_as_a_template_and_confirms(open_bot: OpenBot) -> None:
    h = await open_bot(AGENDA)
    await book_wednesday(h)
    assert await h.advance(timedelta(hours=22)) == []
    [reminder] = await h.advance(timedelta(hours=1))
    assert reminder.text == "Lembrete: quarta-feira, 04/03, às 08:00"
    assert reminder.template is not None and reminder.template.name == "lembrete"
    assert reminder.template.params == ("quarta-feira, 04/03, às 08:00",)
    assert [o.id for o in reminder.options] == ["confirmar", "cancelar"]
    [confirmed] = await h.say("confirmar")
    assert confirmed.text.startswith("Obrigada! ✅ Presença confirmada")
    state = await h.state()
    assert state is not None and state.vars["appointment"]["status"] == "confirmed"


async def test_a_timer_delivered_twice_has_one_effect(open_bot: OpenBot, clock: ManualClock) -> None:
    h = await open_bot(AGENDA)
    await book_wednesday(h)
    clock.advance(timedelta(hours=23))
    timers = h.processor.services.timers
    assert timers is not None
    [claim] = (await timers.claim_due(clock.now())).timers
    deliver = ConversationTimers(h.processor)
    await deliver(claim)
    await deliver(claim)  # a worker died before completing: the same claim comes again
    sent = await h.store.outbox(h.key, take=True)
    assert [m.text for m in sent] == ["Lembrete: quarta-feira, 04/03, às 08:00"]
    clock.advance(timedelta(minutes=2))  # the lease ran out: claimed again, with the same fire key
    assert await h.fire_due() == []


async def test_reminders_follow_a_rescheduled_appointment(open_bot: OpenBot) -> None:
    h = await open_bot(AGENDA)
    await book_wednesday(h)
    await h.say("mudar")
    [offer] = await h.say("sexta")
    await h.say(choice_id=offer.options[0].id)  # Fri 06/03 08:00
    await h.say("sim")
    assert await h.advance(timedelta(hours=23)) == []  # Wednesday's reminder is gone
    assert await h.advance(timedelta(hours=24)) == []
    [reminder] = await h.advance(timedelta(hours=24))  # Thu 08:00: 24 h before Friday
    assert reminder.text == "Lembrete: sexta-feira, 06/03, às 08:00"


async def test_reminders_vanish_with_a_cancelled_appointment(open_bot: OpenBot) -> None:
    h = await open_bot(AGENDA)
    await book_wednesday(h)
    timers = h.processor.services.timers
    assert timers is not None and len(await timers.pending()) == 2
    await h.say("desmarcar")
    await h.say("sim")
    assert await timers.pending() == []
    assert await h.advance(timedelta(hours=23)) == []
    assert await h.advance(timedelta(hours=22)) == []


async def test_reminder_cancel_answer_cancels_through_the_flow(open_bot: OpenBot) -> None:
    h = await open_bot(AGENDA)
    await book_wednesday(h)
    await h.advance(timedelta(hours=23))
    [question] = await h.say(choice_id="cancelar")
    assert question.text.startswith("Quer mesmo cancelar?")
    await h.say("sim")
    assert await h.advance(timedelta(hours=22)) == []  # no 2 h reminder for a cancelled appointment


async def test_reminder_resumes_the_question_the_user_was_on(open_bot: OpenBot) -> None:
    h = await open_bot(AGENDA)
    await book_wednesday(h)
    await h.advance(timedelta(hours=22, minutes=59))
    await h.say("pergunta")
    [reminder] = await h.advance(timedelta(minutes=1))
    assert reminder.text.startswith("Lembrete")
    replies = await h.say("confirmar")
    assert [m.text for m in replies][-1] == "Qual a sua cor favorita?"  # asked again


async def test_ask_timeout_nudges_then_closes(open_bot: OpenBot) -> None:
    h = await open_bot(AGENDA)
    await h.say("pergunta")
    assert await h.advance(timedelta(minutes=9)) == []
    [nudge] = await h.advance(timedelta(minutes=1))
    assert nudge.text == "Ainda está aí? 🙂"
    state = await h.state()
    assert state is not None and (state.flow, state.node, state.waiting) == ("pergunta", "cor", "input")
    [closed] = await h.advance(timedelta(hours=23))
    assert closed.text == "Encerrando por falta de resposta."
    state = await h.state()
    assert state is not None and state.flow is None and state.waiting is None


async def test_an_answered_question_ignores_its_timeouts(open_bot: OpenBot) -> None:
    h = await open_bot(AGENDA)
    await h.say("pergunta")
    [thanks] = await h.say("azul")
    assert thanks.text == "Anotado: azul."
    assert await h.advance(timedelta(minutes=10)) == []
    assert any(n.get("kind") == "timer_ignored" for r in h.last for n in r.notices)
    assert await h.advance(timedelta(hours=23)) == []


async def test_a_question_asked_again_ignores_the_older_ladder(open_bot: OpenBot) -> None:
    h = await open_bot(AGENDA)
    await h.say("pergunta")
    await h.advance(timedelta(minutes=5))
    await h.say("menu qualquer")  # answered: the flow ends
    await h.say("pergunta")  # asked again at +5 min: its ladder counts from now
    assert await h.advance(timedelta(minutes=5)) == []
    [nudge] = await h.advance(timedelta(minutes=5))
    assert nudge.text == "Ainda está aí? 🙂"


async def test_remind_node_starts_its_flow_before_the_appointment(open_bot: OpenBot) -> None:
    h = await open_bot(AGENDA)
    await h.say("lembrar")
    [offer] = await h.say("quarta")
    await h.say(choice_id=offer.options[0].id)  # Wed 04/03 08:00
    replies = await h.say("sim")
    assert [m.text for m in replies][-1] == "Vou te avisar 1 hora antes."
    assert await h.advance(timedelta(hours=45, minutes=59)) != []  # the calendar's own reminders
    [notice, asked_again] = await h.advance(timedelta(minutes=1))  # Wed 07:00
    assert notice.text == "Sua consulta é daqui a 1 hora: quarta-feira, 04/03, às 08:00."
    assert asked_again.text.startswith("Lembrete")  # the reminder's question was waiting


async def test_remind_in_the_past_takes_on_error(open_bot: OpenBot) -> None:
    h = await open_bot(AGENDA)
    [offer] = await h.say("lembrar")
    await h.say(choice_id=offer.options[0].id)  # today 10:00: one hour before is now
    replies = await h.say("sim")
    assert [m.text for m in replies][-1] == "Não consegui agendar o aviso."


async def test_clinic_reminder_end_to_end(open_bot: OpenBot) -> None:
    h = await open_bot(CLINIC)
    for line in ("oi", "Carla", "quero marcar uma consulta quarta de manhã"):
        await h.say(line)
    await h.say(choice_id="clinica_geral")
    await h.say("1")
    await h.say("sim")
    [reminder] = await h.advance(timedelta(hours=23))
    assert reminder.template is not None and reminder.template.name == "lembrete_consulta"
    assert [o.title for o in reminder.options] == ["Confirmar", "Remarcar", "Cancelar"]
    replies = await h.say("confirmar")
    assert replies[0].text.startswith("Obrigada! ✅ Presença confirmada")


async def test_one_long_advance_fires_each_timer_at_its_time(open_bot: OpenBot) -> None:
    h = await open_bot(AGENDA)
    await book_wednesday(h)
    replies = await h.advance(timedelta(days=3))  # neither reminder is skipped as late
    assert [m.text for m in replies] == ["Lembrete: quarta-feira, 04/03, às 08:00"] * 2


async def test_the_bots_timer_worker_delivers_into_conversations(open_bot: OpenBot, clock: ManualClock) -> None:
    h = await open_bot(AGENDA)
    await book_wednesday(h)
    worker = conversation_dispatcher(h.processor)
    assert worker is not None
    clock.advance(timedelta(hours=23))
    report = await worker.drain()
    assert report.fired == 1
    [reminder] = await h.store.outbox(h.key, take=True)
    assert reminder.text == "Lembrete: quarta-feira, 04/03, às 08:00"


def test_no_timer_worker_without_timers(clock: ManualClock) -> None:
    processor = Processor(RedisStore(fakeredis.FakeAsyncRedis()), BotLibrary.load(AGENDA), clock)
    assert conversation_dispatcher(processor) is None


async def test_a_turn_that_is_never_committed_leaves_no_timers(open_bot: OpenBot, clock: ManualClock) -> None:
    """The ask's timeout ladder is an effect of the turn, scheduled with its commit: a turn fenced off
    (or crashed) before committing leaves nothing behind."""
    h = await open_bot(AGENDA)
    timers = h.processor.services.timers
    assert timers is not None
    before = await timers.pending(100)
    state = await h.state()
    result = await turn(h.library, state, h.event("pergunta"), clock, h.processor.services, HANDLERS)
    assert [(t.kind, t.payload["rung"]) for t in result.timers] == [("ask_timeout", 0), ("ask_timeout", 1)]
    assert await timers.pending(100) == before  # nothing was scheduled by the turn itself
    await h.say("pergunta")  # the same turn, committed: now the ladder is there
    assert sorted(t.kind for t in await timers.pending(100) if t not in before) == ["ask_timeout", "ask_timeout"]


async def test_a_turns_timers_ride_on_its_commit_even_after_redis_forgot_its_scripts(
        open_bot: OpenBot, client: aioredis.Redis) -> None:
    """On one Redis the timers a turn asks for go in its commit's round trip, so no outage or crash can
    fall between the two; a Redis that restarted or flushed its scripts answers NOSCRIPT, and the commit
    and its timers go again, once each."""
    h = await open_bot(AGENDA)
    timers = h.processor.services.timers
    assert timers is not None
    before = await timers.pending(100)
    await client.script_flush()
    await h.say("pergunta")
    assert sorted(t.kind for t in await timers.pending(100) if t not in before) == ["ask_timeout", "ask_timeout"]
    state = await h.state()
    assert state is not None and state.version == 1 and state.waiting is not None
    other = await open_bot(AGENDA, user="5511987650001")
    before = await timers.pending(100)
    await client.script_flush()  # only the timers' script is missing: the commit went, its riders go again
    await client.script_load(store_module._COMMIT)
    await other.say("pergunta")
    assert sorted(t.kind for t in await timers.pending(100) if t not in before) == ["ask_timeout", "ask_timeout"]


async def test_a_reminder_answered_a_little_later_at_a_time_offers_that_time_of_its_day(open_bot: OpenBot) -> None:
    h = await at_clinic_slots(open_bot, "clinica_geral")  # Monday 02/03 09:00
    [offer] = await h.say("quarta de manhã")
    await h.say(choice_id=offer.options[0].id)  # Wed 04/03 08:00: the reminder on Tuesday 08:00
    await h.say("Confirmar")
    await h.advance(timedelta(hours=23, minutes=10))
    offered = (await h.say("pode ser um pouco mais tarde? tipo 10h"))[-1]
    assert [o.title for o in offered.options][:2] == ["Qua 04/03 às 10:00", "Qua 04/03 às 10:30"]
