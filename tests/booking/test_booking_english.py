"""An English bot books, lists and cancels in English: its texts, weekday and month names and
yes/no buttons come from the `en` language pack; the `book` node's `patient_name` gives the name
the calendar keeps."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from flows.messages import OutboundMessage
from runtime.locales import PACKS

from .conftest import OpenBot

ENGLISH = Path(__file__).parent / "bots" / "english"
PATIENT = "whatsapp:5511987650000"
PORTUGUESE = {*PACKS["pt-BR"].weekdays, *PACKS["pt-BR"].short_weekdays, " às ", " com ", "Confirmar", "consulta"}


def portuguese_in(replies: list[OutboundMessage]) -> set[str]:
    said = " ".join([m.text for m in replies] + [f"{o.title} {o.description}" for m in replies for o in m.options]
                    + [m.list_button for m in replies])
    return {word for word in PORTUGUESE if word in said}


async def test_booking_listing_and_cancelling_in_english(open_bot: OpenBot) -> None:
    h = await open_bot(ENGLISH)
    said: list[OutboundMessage] = []
    said += await h.say("hi")
    said += await h.say("Ann")
    assert [m.text for m in said] == ["Hi! What is your name?", "Thanks, Ann! Write book, mine or cancel."]

    [offer] = await h.say("book")
    assert offer.text == "Pick a time for Checkup 👇" and offer.list_button == "See times"
    assert [o.title for o in offer.options] == ["Mon Mar 2 at 13:00", "Mon Mar 2 at 13:30", "Mon Mar 2 at 14:00"]
    assert offer.options[0].description == "Dr. Lee"
    [confirm] = await h.say("Mon Mar 2 at 13:30")  # a typed row title picks it, like a pressed row
    assert confirm.text == "Shall I book it?\nCheckup with Dr. Lee, Monday, March 2, at 13:30."
    assert [(o.id, o.title) for o in confirm.options] == [("yes", "Confirm"), ("no", "Pick another")]
    [booked] = await h.say(choice_id="yes")
    assert booked.text == "Done! ✅ Your appointment is booked: Checkup with Dr. Lee, Monday, March 2, at 13:30."
    state = await h.state()
    assert state is not None
    appointment = state.vars["appointment"]
    assert (appointment["when"], appointment["date"], appointment["time"]) == ("Monday, March 2, at 13:30",
                                                                             "March 2", "13:30")
    scheduler = h.processor.services.scheduler
    assert scheduler is not None
    [appt] = await scheduler.appointments_of(PATIENT)
    assert appt.details == {"name": "Ann"}  # from the node's "patient_name": "{{ name }}"

    [listed] = await h.say("mine")
    assert listed.text == "Your upcoming appointments:\n• Monday, March 2, at 13:30: Checkup with Dr. Lee"

    [question] = await h.say("cancel")
    assert question.text == "Do you really want to cancel?\nCheckup with Dr. Lee, Monday, March 2, at 13:30."
    assert [(o.id, o.title) for o in question.options] == [("yes", "Yes, cancel"), ("no", "No, keep it")]
    [done] = await h.say(choice_id="yes")
    assert done.text == "Appointment cancelled. ✅ If you want another date, just ask."
    assert await scheduler.appointments_of(PATIENT) == []
    [nothing] = await h.say("mine")
    assert nothing.text == "You have no appointments booked. 🙂"
    said += [offer, confirm, booked, listed, question, done, nothing]
    assert portuguese_in(said) == set()


async def test_typed_answers_pick_refuse_and_confirm_in_english(open_bot: OpenBot) -> None:
    h = await open_bot(ENGLISH, user="5511900000009")
    await h.say("hi")
    await h.say("Bob")
    [offer] = await h.say("book")
    [confirm] = await h.say("2")
    assert confirm.text.endswith("Monday, March 2, at 13:30.")
    [again] = await h.say("no")
    assert again.text == "Pick a time for Checkup 👇" and again.options == offer.options
    await h.say(choice_id=offer.options[0].id)
    [booked] = await h.say("yes")
    assert booked.text.startswith("Done! ✅") and booked.text.endswith("Monday, March 2, at 13:00.")


async def test_a_book_node_without_patient_name_keeps_no_name(open_bot: OpenBot, tmp_path: Path) -> None:
    """No variable is read for the name unless the node names it: a `name` or `nome` variable is not enough."""
    root = shutil.copytree(ENGLISH, tmp_path / "english")
    flow = json.loads((root / "flows" / "book.json").read_text())
    del flow["nodes"]["book"]["patient_name"]
    (root / "flows" / "book.json").write_text(json.dumps(flow))
    h = await open_bot(root)
    await h.say("hi")
    await h.say("Ann")
    [offer] = await h.say("book")
    await h.say(choice_id=offer.options[0].id)
    await h.say(choice_id="yes")
    scheduler = h.processor.services.scheduler
    assert scheduler is not None
    [appt] = await scheduler.appointments_of(PATIENT)
    assert appt.details == {}
