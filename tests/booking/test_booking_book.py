"""The `book` node over the agenda bot and the clinic example: offer, preference, confirm, races."""

from __future__ import annotations

from datetime import datetime, timedelta

from flows.messages import OutboundMessage
from runtime.engine.clock import ManualClock
from runtime.nodes.booking_texts import preference
from runtime.scheduling.loading import load_calendar

from .conftest import AGENDA, CLINIC, OpenBot, at_clinic_slots


def titles(message: OutboundMessage) -> list[str]:
    return [o.title for o in message.options]


async def test_offers_slots_confirms_and_books(open_bot: OpenBot) -> None:
    h = await open_bot(AGENDA)
    [offer] = await h.say("marcar")
    assert titles(offer) == ["Seg 02/03 às 10:00", "Seg 02/03 às 10:30", "Seg 02/03 às 11:00"]
    assert offer.options_style == "list" and all(len(t) <= 24 for t in titles(offer))
    assert offer.options[0].description == "Dra. Ana"
    [confirm] = await h.say(choice_id=offer.options[1].id)
    assert "segunda-feira, 02/03, às 10:30" in confirm.text and titles(confirm) == ["Confirmar", "Escolher outro"]
    replies = await h.say(choice_id="sim")
    assert [m.text for m in replies][-1] == "Marcado: segunda-feira, 02/03, às 10:30"
    state = await h.state()
    assert state is not None and state.vars["appointment"]["status"] == "booked"
    assert state.private.booking is None and "_booking" not in state.vars
    scheduler = h.processor.services.scheduler
    assert scheduler is not None
    [appt] = await scheduler.appointments_of("whatsapp:5511987650000")
    assert appt.id == state.vars["appointment"]["id"]


async def test_typed_preference_narrows_the_offer(open_bot: OpenBot) -> None:
    h = await open_bot(AGENDA)
    await h.say("marcar")
    [offer] = await h.say("quinta depois das 10h")
    assert titles(offer) == ["Qui 05/03 às 10:00", "Qui 05/03 às 10:30", "Qui 05/03 às 11:00"]


async def test_a_day_without_slots_says_so_and_offers_the_nearest(open_bot: OpenBot) -> None:
    h = await open_bot(AGENDA)
    await h.say("marcar")
    [offer] = await h.say("sábado")  # Saturday 07/03: Friday 06/03 is nearer than Monday 09/03, or today
    assert offer.text.startswith("Não encontrei horário livre nesse dia ou período")
    assert titles(offer)[0] == "Sex 06/03 às 08:00"
    [again] = await h.say("sábado às 11h")  # the time wished, on the nearest day
    assert "Sex 06/03 às 11:00" in titles(again) and all(t.startswith("Sex 06/03") for t in titles(again))


async def test_a_past_day_is_explained(open_bot: OpenBot) -> None:
    h = await open_bot(AGENDA)
    await h.say("marcar")
    [offer] = await h.say("dia 1")  # 1 March has gone by on 2 March
    assert offer.text.startswith("Essa data já passou") or offer.text.startswith("A agenda ainda não")


async def test_nothing_free_at_all_takes_on_none(open_bot: OpenBot) -> None:
    h = await open_bot(AGENDA)
    replies = await h.say("exame")
    assert [m.text for m in replies] == ["Nenhum exame livre.", "Fale com a recepção."]
    state = await h.state()
    assert state is not None and state.flow is None


async def test_slot_taken_between_offer_and_pick_offers_again(open_bot: OpenBot) -> None:
    ana, bia = await open_bot(AGENDA, user="5511900000001"), await open_bot(AGENDA, user="5511900000002")
    [offer_a] = await ana.say("marcar")
    [offer_b] = await bia.say("marcar")
    await bia.say(choice_id=offer_b.options[0].id)
    await bia.say(choice_id="sim")
    [again] = await ana.say(choice_id=offer_a.options[0].id)
    assert again.text.startswith("Que pena, esse horário acabou de ser reservado")
    assert offer_a.options[0].id not in [o.id for o in again.options]


async def test_expired_hold_taken_by_another_is_never_double_booked(open_bot: OpenBot, clock: ManualClock) -> None:
    ana, bia = await open_bot(AGENDA, user="5511900000001"), await open_bot(AGENDA, user="5511900000002")
    [offer] = await ana.say("marcar")
    held = offer.options[2].id
    await ana.say(choice_id=held)  # held for 10 minutes
    clock.advance(timedelta(minutes=11))
    [offer_b] = await bia.say("marcar")
    assert held in [o.id for o in offer_b.options]  # the hold ran out: free again
    await bia.say(choice_id=held)
    await bia.say(choice_id="sim")
    [again] = await ana.say("sim")
    assert again.text.startswith("O tempo para confirmar esse horário acabou") or again.text.startswith("Que pena")
    scheduler = ana.processor.services.scheduler
    assert scheduler is not None
    assert await scheduler.appointments_of("whatsapp:5511900000001") == []
    assert len(await scheduler.appointments_of("whatsapp:5511900000002")) == 1


async def test_not_understood_twice_then_gives_up(open_bot: OpenBot) -> None:
    h = await open_bot(AGENDA)
    await h.say("marcar")
    [first] = await h.say("blablabla")
    assert first.text.startswith("Não entendi qual horário")
    await h.say("xyz")
    replies = await h.say("qwerty")
    assert [m.text for m in replies][-1] == "Erro."


async def test_clinic_books_from_free_text(open_bot: OpenBot) -> None:
    h = await open_bot(CLINIC)
    await h.say("oi")
    await h.say("Carla")
    await h.say("quero marcar uma consulta amanhã de manhã")
    [offer] = await h.say(choice_id="clinica_geral")
    assert titles(offer)[0] == "Ter 03/03 às 08:00"
    await h.say("1")
    replies = await h.say("sim")
    assert replies[0].text.startswith("Pronto! ✅ Sua consulta está marcada")
    scheduler = h.processor.services.scheduler
    assert scheduler is not None
    [appt] = await scheduler.appointments_of("whatsapp:5511987650000")
    assert appt.details == {"name": "Carla"}  # the book node's "patient_name": "{{ nome }}"


async def test_books_on_a_clock_with_microseconds(open_bot: OpenBot, clock: ManualClock) -> None:
    clock.advance(timedelta(microseconds=123_456))  # a real clock is never on a whole second
    h = await open_bot(AGENDA)
    [offer] = await h.say("marcar")
    await h.say(choice_id=offer.options[0].id)
    replies = await h.say("sim")
    assert replies[-1].text.startswith("Marcado:")


async def test_an_impossible_date_is_explained(open_bot: OpenBot) -> None:
    h = await open_bot(AGENDA)
    await h.say("marcar")
    [offer] = await h.say("pode ser dia 31 de fevereiro?")
    assert offer.text.startswith("Essa data não existe no calendário (31 de fevereiro) 🙂")
    assert titles(offer)[0] == "Seg 02/03 às 10:00"
    state = await h.state()
    assert state is not None and state.private.booking is not None and "wrong" not in state.private.booking


async def test_a_day_the_doctor_does_not_work_offers_the_nearest_days_before_it_too(open_bot: OpenBot) -> None:
    h = await at_clinic_slots(open_bot, "pediatria")  # Mon 02/03 09:00; he works Tue/Thu afternoons, Sat mornings
    [offer] = await h.say("segunda que vem de manhã tem?")  # Mon 09/03: Sat 07/03 is nearer than Sat 14/03
    assert offer.text.startswith("Não encontrei horário livre nesse dia ou período")
    assert titles(offer)[0] == "Sáb 07/03 às 08:00" and all(t.startswith("Sáb 07/03") for t in titles(offer))


async def test_a_wish_from_a_day_past_the_open_agenda_says_it_is_not_open_yet(open_bot: OpenBot) -> None:
    h = await at_clinic_slots(open_bot, "pediatria")  # Mon 02/03 09:00: bookings open until Wed 01/04 09:00; he
    # works Tuesday and Thursday afternoons, Saturday mornings
    [offer] = await h.say("depois do dia 31 de março")  # from 01/04: nothing of his is open yet
    assert offer.text.startswith("A agenda ainda não está aberta para essa data")
    assert titles(offer)[0] == "Ter 03/03 às 14:00"


async def test_days_open_on_one_side_and_a_part_of_the_day_keep_both(open_bot: OpenBot) -> None:
    h = await at_clinic_slots(open_bot, "clinica_geral")  # Monday 02/03 09:00
    [offer] = await h.say("antes do dia 20, pode ser qualquer dia de tarde")
    assert titles(offer)[0] == "Seg 02/03 às 13:00"  # the afternoons, from today


def test_a_holiday_named_by_its_weekday_and_its_date_is_that_day() -> None:
    calendar = load_calendar(CLINIC / "calendar.json")
    now = datetime(2026, 12, 23, 15, 30, tzinfo=calendar.tz)  # Christmas is Friday 25/12, New Year Friday 01/01
    assert preference("sexta de manha", now, calendar) == {"day": "2027-01-08", "period": "manha"}  # the next one
    assert preference("sexta dia 25 de manha", now, calendar) == {"day": "2026-12-25", "period": "manha"}
