"""A booking turn run again after a crash books once.

A worker killed after the booking script ran but before its turn committed leaves an appointment
behind; the event is run again by the next worker. The re-run must find the booking it made (the
event id is the idempotency key): one appointment, "marcada" said once, reminders scheduled; never
"O tempo para confirmar esse horário acabou", never a second appointment.
"""

from __future__ import annotations

from runtime.engine.clock import ManualClock
from runtime.engine.routing import turn
from runtime.nodes import HANDLERS
from runtime.service.harness import BotHarness

from .conftest import AGENDA, OpenBot


async def _at_confirmation(h: BotHarness) -> None:
    [offer] = await h.say("marcar")
    [offer] = await h.say("quarta")
    await h.say(choice_id=offer.options[0].id)  # Wed 04/03 08:00, held: "Confirma?"


async def test_a_booking_turn_run_again_after_a_crash_books_once(open_bot: OpenBot, clock: ManualClock) -> None:
    h = await open_bot(AGENDA)
    scheduler, timers = h.processor.services.scheduler, h.processor.services.timers
    assert scheduler is not None and timers is not None
    await _at_confirmation(h)
    yes = h.event(choice_id="sim")
    # the first worker runs the turn, books, and dies before committing it
    await turn(h.library, await h.state(), yes, clock, h.processor.services, HANDLERS)
    [booked] = await scheduler.appointments_of(f"whatsapp:{h.key.user}")
    # the event is still in the inbox for the next worker: the same event, run again and committed
    replies = await h.send(yes)
    texts = [m.text for m in replies]
    assert sum("Sua consulta está marcada" in text for text in texts) == 1, texts
    assert not any("acabou" in text for text in texts), texts
    assert [a.id for a in await scheduler.appointments_of(f"whatsapp:{h.key.user}")] == [booked.id]
    reminders = [t for t in await timers.pending(100) if t.kind == "reminder"]
    assert sorted(t.payload["reminder"] for t in reminders if t.payload["appointment"] == booked.id) == ["24h", "2h"]
    state = await h.state()
    assert state is not None and state.vars["appointment"]["id"] == booked.id


async def test_two_different_requests_are_two_bookings(open_bot: OpenBot) -> None:
    """The key is the request, not the patient: a later, different confirmation is a new booking."""
    h = await open_bot(AGENDA)
    scheduler = h.processor.services.scheduler
    assert scheduler is not None
    await _at_confirmation(h)
    await h.say(choice_id="sim")
    await _at_confirmation(h)  # the next free slot, now that 08:00 is taken
    await h.say(choice_id="sim")
    assert len(await scheduler.appointments_of(f"whatsapp:{h.key.user}")) == 2
