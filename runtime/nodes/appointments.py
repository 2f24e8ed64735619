"""Handlers of the node kinds that act on an existing appointment: `cancel`, `reschedule`,
`confirm` and `my_appointments`. They pick the appointment in the node's variable while it is
still active, else the patient's upcoming ones (asking which when there are several)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import nlu
from flows.nodes import AppointmentNode, CancelNode, ConfirmNode, MyAppointmentsNode, RescheduleNode
from nlu.coverage import same_word
from nlu.yesno import later_or_earlier
from runtime.engine.outcomes import Go, Outcome, Wait
from runtime.nodes import context
from runtime.nodes.assist import Question
from runtime.nodes.booking import (
    MAX_RETRIES,
    Step,
    corrected_preference,
    current_step,
    failed,
    leave,
    new_step,
    offer,
    patient_of,
    picked,
    reask_offer,
    resume_offer,
    say,
    scheduler_of,
    text_for,
    yes_no_options,
    yes_or_no,
)
from runtime.nodes.booking_texts import appointment_option, appointment_vars, names, shifted, slot_words
from runtime.nodes.services import BotTurn
from runtime.scheduling import Appointment, Calendar, CancelTooLate, SchedulingError

# -- which appointment (cancel, reschedule) -------------------------------------------------


async def _appointments(node: AppointmentNode, t: BotTurn, upcoming: list[Appointment]) -> list[Appointment]:
    """The one in the node's variable if it is still active, else the patient's `upcoming` ones."""
    known = t.state.vars.get(node.var)
    if isinstance(known, dict) and known.get("id"):
        try:
            appt = await scheduler_of(t).get(str(known["id"]), patient=patient_of(t))
            if appt.active and appt.slot.end > t.now:
                return [appt]
        except SchedulingError:
            pass
    return upcoming


async def _choose(node: CancelNode | RescheduleNode, t: BotTurn, pick_key: str) -> Outcome:
    calendar = scheduler_of(t).calendar
    upcoming = await scheduler_of(t).appointments_of(patient_of(t))
    if len(upcoming) > 1 and (named := _named_one(t, upcoming[:10], calendar)) is not None:  # "a do pediatra"
        return await _chosen(node, t, named, entering=True)
    found = await _appointments(node, t, upcoming)
    if not found:
        say(node, t, "no_appointment")
        return leave(t, node.on_none)
    if len(found) == 1:
        return await _chosen(node, t, found[0], entering=True)
    new_step(node, t, stage="choose", offered=[a.id for a in found[:10]])
    say(node, t, pick_key, options=tuple(appointment_option(a, calendar, t.words) for a in found[:10]),
        options_style="list", list_button=text_for(node, t, "list_button"))
    return Wait()


def _named_one(t: BotTurn, found: list[Appointment], calendar: Calendar) -> Appointment | None:
    """The one appointment the message that led here names by a word of its own, a word no other one shares
    (its service, its professional, its weekday: "cancela a do pediatra", "desmarcar a de segunda"); None
    when it names none, or several."""
    if t.event.kind != "text" or t.event.choice_id is not None:
        return None
    said = [w for w in nlu.normalise(t.event.text).split() if len(w) >= _NAME_WORD]
    # a word of four letters or more, or a short one of the professional's name ("a da dra Ana")
    words = [{w for name in names(appointment_option(a, calendar, t.words), a.slot.start, calendar, t.words)
              for w in nlu.normalise(name).split() if len(w) > _NAME_WORD}
             | {w for w in nlu.normalise(_professional_name(a, calendar)).split() if len(w) >= _NAME_WORD
                and w not in _TITLES} for a in found]
    hits = []
    for i, appointment in enumerate(found):
        others = set().union(*(w for j, w in enumerate(words) if j != i))
        own = {w for w in words[i] if not any(same_word(w, o) for o in others)}
        if any(same_word(s, w) for s in said for w in own):
            hits.append(appointment)
    return hits[0] if len(hits) == 1 else None


_NAME_WORD = 3
_TITLES = frozenset({"dra", "dr", "doutor", "doutora"})


def _professional_name(appointment: Appointment, calendar: Calendar) -> str:
    professional = calendar.professionals.get(appointment.slot.professional)
    return professional.name if professional is not None else ""


async def _chosen(node: CancelNode | RescheduleNode, t: BotTurn, appt: Appointment, *,
                  entering: bool = False) -> Outcome:
    scheduler = scheduler_of(t)
    t.state.vars[node.var] = appointment_vars(appt, scheduler.calendar, t.words)
    if appt.slot.start - t.now < scheduler.calendar.rules.cancel_min_notice:
        return failed(node, t, CancelTooLate(f"appointment {appt.id} starts too soon to change"))
    if isinstance(node, RescheduleNode):
        step = new_step(node, t, appointment=appt.id, service=appt.slot.service, professional=appt.slot.professional,
                        pref=_wished(t, entering, scheduler.calendar.local(appt.slot.start).date()))
        return await offer(node, t, step)
    new_step(node, t, stage="confirm", appointment=appt.id)
    say(node, t, "confirm_cancel", slot_words(appt.slot, scheduler.calendar, t.words),
        options=yes_no_options(node, t, "yes_cancel", "no_cancel"), options_style="buttons")
    return Wait()


def _wished(t: BotTurn, entering: bool, booked: date) -> dict[str, str] | None:
    """The new day or time said in the message that started the flow ("preciso mudar minha consulta pra
    quinta"), or, entering the node, in the message that led to it ("da pra mudar pra terça?" to the
    reminder's options); not in the answers since (they name the appointment to move). Another day of the
    appointment's weekday (`booked`: its day) is the one after it (`_after`)."""
    opening = t.state.private.opening
    if opening and t.flow is not None and opening.get("flow") == t.flow.id:
        text = str(opening.get("text", ""))
    elif entering and t.event.kind == "text" and t.event.choice_id is None and len(t.event.text.split()) > 1:
        text = t.event.text  # a typed answer of some words; a pressed button or "8" at a menu names no day
    else:
        return None
    wish = _after(corrected_preference(text, t.local_now, scheduler_of(t).calendar), booked, text)
    if wish and "day" not in wish and "from" in wish and later_or_earlier(text):
        wish = {**wish, "day": booked.isoformat()}  # "pode ser um pouco mais tarde? tipo 10h": that day, at 10
    return wish


# "pro sábado seguinte", "pro outro sábado", "pro próximo": of an appointment on a Saturday, the Saturday after it
_ANOTHER = re.compile(r"\b(?:outr[oa]|seguinte|proxim[oa]|depois)\b")


def _after(wish: dict[str, str] | None, booked: date, text: str) -> dict[str, str] | None:
    """`wish`, with a day that is the appointment's own (`booked`) moved a week on when `text` says another one
    ("tem como trocar pro sábado seguinte?" of a Saturday appointment, read on the Friday before)."""
    if not wish or wish.get("day") != booked.isoformat() or not _ANOTHER.search(nlu.normalise(text)):
        return wish
    return shifted(wish, timedelta(days=7))


async def _resume_choose(node: CancelNode | RescheduleNode, t: BotTurn, step: Step) -> Outcome:
    scheduler = scheduler_of(t)
    found = {a.id: a for a in await scheduler.appointments_of(patient_of(t))}
    offered = [i for i in step.get("offered") or [] if i in found]
    calendar = scheduler.calendar
    rows = [names(appointment_option(found[i], calendar, t.words), found[i].slot.start, calendar, t.words)
            for i in offered]
    chosen = picked(t, offered, rows, [calendar.local(found[i].slot.start) for i in offered])
    if chosen is not None:
        t.memo["answered"] = "choice"
        return await _chosen(node, t, found[chosen])
    question = Question(text_for(node, t, "pick_reschedule" if isinstance(node, RescheduleNode) else "pick_cancel"),
                        "choice", tuple((i, appointment_option(found[i], calendar, t.words).title) for i in offered))
    taken = await context.unfit(node, t, question)
    if taken is not None:
        return taken
    t.state.retries += 1
    context.note_reprompt(t)
    if t.state.retries > MAX_RETRIES or not offered:
        say(node, t, "error")
        return leave(t, node.on_error)
    key = "pick_reschedule" if isinstance(node, RescheduleNode) else "pick_cancel"
    say(node, t, key, options=tuple(appointment_option(found[i], calendar, t.words) for i in offered),
        options_style="list", list_button=text_for(node, t, "list_button"))
    return Wait()




def _cancel_question(node: CancelNode, t: BotTurn, appt: Appointment) -> Question:
    text = text_for(node, t, "confirm_cancel", slot_words(appt.slot, scheduler_of(t).calendar, t.words))
    return Question(text, "yes_no", tuple((o.id, o.title) for o in yes_no_options(node, t, "yes_cancel", "no_cancel")))


async def reask_choosing(node: CancelNode | RescheduleNode, t: BotTurn) -> Outcome:
    """Which appointment, the slots, or the confirmation, again (after an answer given in passing)."""
    step = current_step(node, t)
    if step is None:
        return await enter_choosing(node, t)
    try:
        scheduler = scheduler_of(t)
        if step.get("stage") == "choose":
            found = {a.id: a for a in await scheduler.appointments_of(patient_of(t))}
            offered = [i for i in step.get("offered") or [] if i in found]
            key = "pick_reschedule" if isinstance(node, RescheduleNode) else "pick_cancel"
            say(node, t, key, options=tuple(appointment_option(found[i], scheduler.calendar, t.words) for i in offered),
                options_style="list", list_button=text_for(node, t, "list_button"))
            return Wait()
        if isinstance(node, RescheduleNode):
            return await reask_offer(node, t)
        return await _chosen(node, t, await scheduler.get(step["appointment"], patient=patient_of(t)))
    except SchedulingError as exc:
        return failed(node, t, exc)


async def enter_choosing(node: CancelNode | RescheduleNode, t: BotTurn) -> Outcome:
    """Both start by finding the appointment to act on (`pick_cancel`, `pick_reschedule` texts)."""
    t.state.retries = 0
    try:
        return await _choose(node, t, f"pick_{node.kind}")
    except SchedulingError as exc:
        return failed(node, t, exc)



async def resume_cancel(node: CancelNode, t: BotTurn) -> Outcome:
    step = current_step(node, t)
    try:
        if step is None:
            return await enter_choosing(node, t)
        if step.get("stage") == "choose":
            return await _resume_choose(node, t, step)
        reply = yes_or_no(t, yes_no_options(node, t, "yes_cancel", "no_cancel"))
        if t.event.choice_id is None and (nlu.keeps_appointment(t.event.text) or nlu.will_attend(t.event.text)):
            reply = False  # "tá, pode deixar marcada": the "pode" says nothing of cancelling
        elif reply is not True and t.event.choice_id is None and nlu.wont_attend(t.event.text):
            reply = True  # "não vou poder ir", "sim por favor, infelizmente não vou conseguir"
        if reply is None:
            appt = await scheduler_of(t).get(step["appointment"], patient=patient_of(t))
            taken = await context.unfit(node, t, _cancel_question(node, t, appt))
            if taken is not None:
                return taken
            t.state.retries += 1
            context.note_reprompt(t)
            if t.state.retries <= MAX_RETRIES:
                return await _chosen(node, t, appt)
        if not reply:
            say(node, t, "kept")
            if (flow := context.requested_flow(t)) is not None:  # "não, na verdade quero só mudar o horário"
                leave(t, None)
                return await context.switch(t, f"{t.flow.id if t.flow else ''}/{node.id}", flow)
            return leave(t, node.next)
        scheduler = scheduler_of(t)
        appt = await scheduler.cancel(step["appointment"], patient=patient_of(t))
        t.state.vars[node.var] = appointment_vars(appt, scheduler.calendar, t.words)
        t.notices.append({"kind": "cancelled", "appointment": appt.id})
        say(node, t, "cancelled", slot_words(appt.slot, scheduler.calendar, t.words))
        return leave(t, node.next)
    except SchedulingError as exc:
        return failed(node, t, exc)



async def resume_reschedule(node: RescheduleNode, t: BotTurn) -> Outcome:
    step = current_step(node, t)
    if step is not None and step.get("stage") == "choose":
        try:
            return await _resume_choose(node, t, step)
        except SchedulingError as exc:
            return failed(node, t, exc)
    return await resume_offer(node, t)


# -- confirm and list -----------------------------------------------------------------------



async def enter_confirm(node: ConfirmNode, t: BotTurn) -> Outcome:
    known = t.state.vars.get(node.var)
    if not isinstance(known, dict) or not known.get("id"):
        say(node, t, "no_appointment")
        return Go(node.on_none)
    try:
        scheduler = scheduler_of(t)
        appt = await scheduler.confirm(str(known["id"]), patient=patient_of(t))
    except SchedulingError as exc:
        return failed(node, t, exc)
    t.state.vars[node.var] = appointment_vars(appt, scheduler.calendar, t.words)
    t.notices.append({"kind": "confirmed", "appointment": appt.id})
    say(node, t, "confirmed", slot_words(appt.slot, scheduler.calendar, t.words))
    return Go(node.next)



async def enter_my_appointments(node: MyAppointmentsNode, t: BotTurn) -> Outcome:
    try:
        scheduler = scheduler_of(t)
        found = await scheduler.appointments_of(patient_of(t))
    except SchedulingError as exc:
        return failed(node, t, exc)
    calendar = scheduler.calendar
    t.state.vars[node.var] = [appointment_vars(a, calendar, t.words) for a in found]
    if not found:
        say(node, t, "no_appointment")
        return Go(node.on_none)
    lines = (slot_words(a.slot, calendar, t.words) for a in found)
    items = "\n".join(t.words.appointment_line.format(**{**w, "when": w["when"][:1].upper() + w["when"][1:]})
                      for w in lines)
    say(node, t, "list", {"items": items})
    return Go(node.next)
