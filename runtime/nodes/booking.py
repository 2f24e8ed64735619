"""The `book` node, and what it shares with the other scheduling nodes (`runtime.nodes.appointments`:
cancel, reschedule, confirm, my_appointments; `runtime.conversations.timers`: remind): offering slots,
holding one while the patient confirms, booking it.

A node that waits keeps its step in `state.private.booking` (the offered slots, the hold, the
appointment it acts on), never in the variables, and removes it when it leaves. Every call to the calendar goes
through `turn.services.scheduler`; the patient is the conversation's `channel:user`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import nlu
from flows.messages import Option
from flows.model import localize
from flows.nodes import (
    AppointmentNode,
    AskNode,
    BookNode,
    RescheduleNode,
)
from nlu.choice import option_number
from nlu.coverage import content_words, same_word
from nlu.lexicon import DENY_WORDS, LAST_WORDS, ORDINALS
from nlu.slots import corrected, named_for
from nlu.yesno import says_instead
from runtime.engine.outcomes import Go, Outcome, Wait
from runtime.locales import YES_NO_IDS
from runtime.nodes import context, inputs
from runtime.nodes.assist import Question
from runtime.nodes.booking_texts import (
    appointment_vars,
    at_time,
    names,
    preference,
    skipped,
    slot_option,
    slot_words,
    time_said,
)
from runtime.nodes.services import BotTurn
from runtime.scheduling import (
    BookingRefused,
    CancelTooLate,
    DateInPast,
    Hold,
    HoldExpired,
    Scheduler,
    SchedulingError,
    Slot,
    SlotTaken,
    TooFarAhead,
)

MAX_RETRIES = 2
Step = dict[str, Any]


def patient_of(t: BotTurn) -> str:
    return f"{t.event.channel}:{t.event.user}"


def say(node: AppointmentNode, t: BotTurn, key: str, words: dict[str, Any] | None = None, **fields: Any) -> None:
    t.say(text_for(node, t, key, words), **fields)


def text_for(node: AppointmentNode, t: BotTurn, key: str, words: dict[str, Any] | None = None) -> str:
    """The node's own `texts[key]`, else the language pack's, rendered with the flow's variables and `words`."""
    text = node.wording.get(key)
    source = localize(text, t.locale, t.bot.default_locale) if text else t.words.booking[key]
    return t.render(source, words)


def yes_no_options(node: AppointmentNode, t: BotTurn, yes: str = "yes", no: str = "no") -> tuple[Option, Option]:
    """The two buttons of a confirmation, with the texts `yes` and `no` of the node or the language pack."""
    return Option(t.words.yes_id, text_for(node, t, yes)), Option(t.words.no_id, text_for(node, t, no))


def scheduler_of(t: BotTurn) -> Scheduler:
    if t.services.scheduler is None:
        raise SchedulingError(f"bot {t.bot.name!r} has no calendar.json, so it cannot book appointments")
    return t.services.scheduler


def leave(t: BotTurn, target: str | None) -> Outcome:
    t.state.private.booking = None
    t.state.retries = 0
    return Go(target)


def failed(node: AppointmentNode, t: BotTurn, exc: SchedulingError) -> Outcome:
    t.notices.append({"kind": "scheduling_error", "node": node.id, "code": exc.code})
    say(node, t, "too_late" if isinstance(exc, CancelTooLate) else "error")
    return leave(t, node.on_error)


def current_step(node: AppointmentNode, t: BotTurn) -> Step | None:
    step = t.state.private.booking
    where = f"{t.flow.id if t.flow else ''}/{node.id}"
    return step if step is not None and step.get("node") == where else None


def new_step(node: AppointmentNode, t: BotTurn, **values: Any) -> Step:
    step: Step = {"node": f"{t.flow.id if t.flow else ''}/{node.id}", **values}
    t.state.private.booking = step
    return step


# -- offering slots (book and reschedule) ---------------------------------------------------


async def _find(t: BotTurn, step: Step, limit: int) -> tuple[list[Slot], str]:
    """Slots for the step's service and preference; when none match, the next free ones and the
    lead text that says so."""
    scheduler, pref = scheduler_of(t), step.get("pref") or {}
    day = date.fromisoformat(pref["day"]) if "day" in pref else None
    earliest = datetime.fromisoformat(pref["earliest"]) if "earliest" in pref else None
    hours = (time.fromisoformat(pref["from"]), time.fromisoformat(pref["to"])) if "from" in pref else None
    lead = ""
    if "impossible" in pref:
        step["pref"] = None
        step["wrong"] = pref["impossible"]
        found = await scheduler.find_slots(step["service"], professional=step.get("professional"),
                                           period=step.get("period"), limit=limit)
        return found, "impossible"
    try:
        if hours is not None and pref.get("late"):  # "no fim da manhã": the wish's last hour first
            late = (max(hours[0], hours[1].replace(hour=max(hours[1].hour - 1, 0))), hours[1])
            found = await scheduler.find_slots(step["service"], professional=step.get("professional"), day=day,
                                               period=late, earliest=earliest, limit=limit)
            if found:
                return found, lead
        skips = "skip_weekdays" in pref or "skip_days" in pref
        found = await scheduler.find_slots(step["service"], professional=step.get("professional"), day=day,
                                           period=hours or pref.get("period") or step.get("period"),
                                           earliest=earliest,
                                           limit=_DAY_SLOTS if pref.get("last") or pref.get("nth") or skips else limit)
        if skips:  # "qlqr dia menos sexta": the days ruled out are left out
            found = [slot for slot in found if not skipped(scheduler.calendar.local(slot.start), pref)][:limit]
        if pref.get("last"):  # "o último horário de segunda": the day's (or the period's) last ones
            found = found[-limit:]
        elif pref.get("nth"):  # "o segundo horário de sábado": from that one on (none when the day has fewer)
            found = found[int(pref["nth"]) - 1:][:limit]
        if found or not pref:
            return found, lead
        lead = "nothing_matching"
        if day is None and earliest is not None and not await scheduler.find_slots(
                step["service"], professional=step.get("professional"), earliest=earliest, limit=1):
            lead = "far"  # "depois do ano novo" with the agenda open until 03/01: nothing after it is open yet
        if day is not None and hours is not None and (part := _period_around(scheduler.calendar, hours[0])):
            # "amanhã de tardezinha" with nothing late that afternoon: the afternoon's slots of that day
            found = await scheduler.find_slots(step["service"], professional=step.get("professional"), day=day,
                                               period=part, limit=limit)
            if found:
                return found, lead
        if day is not None and (hours or earliest or pref.get("period")):  # else that day's nearest ones,
            found = await scheduler.find_slots(step["service"], professional=step.get("professional"), day=day,
                                               period=step.get("period"), limit=_DAY_SLOTS)
            if found:
                return _nearest(found, _wished_start(scheduler.calendar, day, pref), limit), lead
        if day is not None and (found := await _around_day(scheduler, step, day, pref, hours, limit)):
            return found, lead  # nothing that day (a Saturday the doctor does not work, a holiday): the nearest
    except DateInPast:
        lead = "past"
    except TooFarAhead:
        lead = "far"
    step["pref"] = None
    found = await scheduler.find_slots(step["service"], professional=step.get("professional"),
                                       period=step.get("period"), limit=limit)
    return found, lead


_DAY_SLOTS = 48  # the slots of one day weighed for the ones nearest to a wished time
_LOOK_BACK = 3  # the days before a day with no free slot looked at for the nearest ones (Friday for a Monday)


async def _around_day(scheduler: Any, step: Step, day: date, pref: dict[str, str], hours: Any,
                      limit: int) -> list[Slot]:
    """The free slots nearest to a `day` that has none, the day before it or after it, in the part of the day
    wished ("sábado" for a doctor who works Monday to Friday: Friday's last ones, or Monday's first; "depois de
    amanhã", a holiday: the day before, then the next days, not today; "segunda que vem" for a doctor who works
    Tuesday afternoons and Saturday mornings, asked for the morning: the Saturday before)."""
    calendar = scheduler.calendar
    tomorrow = calendar.local(scheduler.clock.now()).date() + timedelta(days=1)
    back = max(day - timedelta(days=_LOOK_BACK), min(day - timedelta(days=1), tomorrow))
    try:
        found = await scheduler.find_slots(step["service"], professional=step.get("professional"),
                                           period=hours or pref.get("period") or step.get("period"),
                                           earliest=back, limit=(_LOOK_BACK + 1) * _DAY_SLOTS)
    except TooFarAhead:
        return []
    at = _wished_start(calendar, day, pref).time() if any(k in pref for k in ("earliest", "from", "period")) else None

    def distance(slot: Slot) -> tuple[int, int, datetime]:  # the nearest day; on it, the time wished, or its first
        local = calendar.local(slot.start)
        off = abs(local.hour * 60 + local.minute - at.hour * 60 - at.minute) if at is not None else 0
        return abs((local.date() - day).days), off, slot.start

    on_day: Counter[date] = Counter()
    keyed = []  # (days away, place among its own day's slots, slot), nearest first
    for slot in sorted(found, key=distance):
        on_day[calendar.local(slot.start).date()] += 1
        keyed.append((distance(slot)[0], on_day[calendar.local(slot.start).date()], slot))
    # days as near as each other ("dia 26", a Saturday, between Christmas Eve and Monday 28): the first ones of each
    nearest = [slot for _, _, slot in sorted(keyed, key=lambda k: k[:2])]
    return sorted(nearest[:limit], key=lambda s: s.start)


def _wished_start(calendar: Any, day: date, pref: dict[str, str]) -> datetime:
    if "earliest" in pref:
        return datetime.fromisoformat(pref["earliest"])
    if "from" in pref:
        return datetime.combine(day, time.fromisoformat(pref["from"]), tzinfo=calendar.tz)
    return datetime.combine(day, calendar.period(pref["period"]).start, tzinfo=calendar.tz)


def _period_around(calendar: Any, start: time) -> str | None:
    """The calendar's part of day a narrower wish falls in ("tardinha", 15h-18h: the afternoon)."""
    return next((name for name, span in calendar.periods.items() if span.contains(start)), None)


def _nearest(slots: list[Slot], wished: datetime, limit: int) -> list[Slot]:
    """The `limit` slots nearest to `wished` (the late afternoon asked for: the day's last ones), in order."""
    return sorted(sorted(slots, key=lambda s: abs(s.start - wished))[:limit], key=lambda s: s.start)


async def offer(node: BookNode | RescheduleNode, t: BotTurn, step: Step, lead: str = "") -> Outcome:
    scheduler = scheduler_of(t)
    found, why = await _find(t, step, node.limit)
    words = {"service": scheduler.calendar.service(step["service"]).name, "wrong": step.pop("wrong", "")}
    if not found:
        say(node, t, "none", words)
        return leave(t, node.on_none)
    step.update(stage="pick", offered=[s.ref for s in found], hold=None)
    text = "\n".join(text_for(node, t, key, words) for key in (lead, why, "offer") if key)
    t.say(text, options=tuple(slot_option(s, scheduler.calendar, t.words) for s in found), options_style="list",
          list_button=text_for(node, t, "list_button"))
    return Wait()


def picked(t: BotTurn, offered: list[str], rows: list[list[str]], starts: list[datetime] | None = None,
           fits: Callable[[int, bool], bool] | None = None) -> str | None:
    """The offered item the patient picks: a pressed row, its number, its words ("terça"), or, for
    slots (`starts`), its time ("9h20", "o das 9 e 20"). An ordinal picks only an item that `fits` what
    else the message asks ("amanhã cedinho, o primeiro que tiver" is no pick from today's list), a time
    only one in the clock times it asks (`fits(index, True)`: "antes das 10? entro às 11h")."""
    if t.event.choice_id in offered:
        return t.event.choice_id
    text = t.event.text.strip()
    if (tail := corrected(text)) is not None and tail.strip(" .!").isdigit():
        text = tail.strip(" .!")  # "2, não, 4": the fourth
    if text.isdigit() and 0 < int(text) <= len(offered):
        return offered[int(text) - 1]
    if (number := inputs.numbered(text)) is not None and 0 < number <= len(offered):  # "a segunda opção"
        return offered[number - 1]
    if text and starts is not None and (by_time := _by_time(t, offered, rows, starts)) is not None \
            and (fits is None or fits(offered.index(by_time), True)):
        return by_time
    words = [w for w in nlu.normalise(text).split() if w not in _PICK_FILLER]
    if len(words) == 1 and (spoken := nlu.parse_number(words[0])) is not None and spoken == int(spoken) \
            and 0 < spoken <= len(offered):
        return offered[int(spoken) - 1]  # "cinco", at no time offered: the fifth
    named = {n for row in rows for name in row for n in nlu.normalise(name).split()}
    named |= {nlu.normalise(day) for day in (*t.words.typed_weekdays, *t.words.weekdays)}  # "quarta" is a day
    ordinals = [ORDINALS[w] for w in words if w in ORDINALS and w not in named]  # "voltei, pode ser o primeiro"
    if words and set(words) <= LAST_WORDS:  # "vou querer o último dessa lista"
        ordinals = [len(offered)]
    if not ordinals and len(words) <= 2:  # "o primeio": an ordinal mistyped, in a short answer
        ordinals = list({ORDINALS[k] for w in words if len(w) >= 6 and w not in named for k in ORDINALS
                         if len(k) >= 6 and same_word(w, k)})
    if len(ordinals) == 1 and 0 < ordinals[0] <= len(offered) and (fits is None or fits(ordinals[0] - 1, False)):
        return offered[ordinals[0] - 1]
    index = nlu.pick_option(" ".join(words), rows) if words else None
    if index is not None and fits is not None and not fits(index, False):
        return None  # "semana que vem na segunda bem cedinho" names no Monday of this week's list
    return offered[index] if index is not None else None


# Words around a pick that say nothing about which ("ok, o primeiro então", "pode ser esse aí").
_PICK_FILLER = inputs.LIST_WORDS | {"ok", "okay", "entao", "beleza", "blz", "bom", "ta", "isso", "esse", "essa", "ai",
                                    "la", "quero", "de", "o", "a", "um", "uma", "pode", "ser", "sim", "fechado",
                                    "certo", "por", "favor", "pf", "pfv", "horario", "opcao", "mesmo", "msm", "acho",
                                    "melhor"}


def _by_time(t: BotTurn, offered: list[str], rows: list[list[str]], starts: list[datetime]) -> str | None:
    """The one offered slot at the time the patient names; among several at that time, the one whose
    day the message names too."""
    wanted = time_said(t.event.text, t.local_now)  # "às 10, digo, 11": 11:00
    if wanted is None:
        return None
    index = at_time(t.event.text, t.local_now, starts, wanted)  # the one slot at that time (and day, if said)
    if index is not None:
        return offered[index]
    day = nlu.parse_date(t.event.text, t.local_now)  # "quinta às 10h" is no pick of Tuesday's 10:00
    at = [i for i, start in enumerate(starts) if start.time().replace(second=0) == wanted.replace(second=0)
          and (day is None or start.date() == day)]
    if len(at) == 1:
        return offered[at[0]]
    if len(at) > 1:
        index = nlu.pick_option(t.event.text, [rows[i] for i in at])
        return offered[at[index]] if index is not None else None
    return None


def _offered_day(step: Step, calendar: Any) -> datetime | None:
    """The day the offered slots are on, when they are all on one: "tem às 11h?" means that day."""
    days = {calendar.local(Slot.from_ref(ref).start).date() for ref in step.get("offered") or []}
    if len(days) != 1:
        return None
    return datetime.combine(days.pop(), time(0))


def _time_wish(t: BotTurn, around: datetime | None = None) -> dict[str, str] | None:
    """A time alone ("às 16h", "muda pra 16h") as a preference: from that time on the day of `around`
    (the slot being confirmed, the day the slots offered are on) unless it has gone by there, else its
    next occurrence."""
    wanted = time_said(t.event.text, t.local_now) if t.event.text.strip() else None  # "às 10, digo, 11"
    if wanted is None:
        return None
    day = around.date() if around is not None else t.local_now.date()
    start = datetime.combine(day, time(wanted.hour, wanted.minute))
    if start <= t.local_now.replace(tzinfo=None):
        if around is not None:
            return None  # gone by on the day offered: the time's next occurrence (`preference`) decides
        start += timedelta(days=1)
    return {"day": start.date().isoformat(), "earliest": start.isoformat()}


async def _resume_pick(node: BookNode | RescheduleNode, t: BotTurn, step: Step) -> Outcome:
    scheduler = scheduler_of(t)
    offered = step.get("offered") or []
    calendar = scheduler.calendar
    slots = [Slot.from_ref(ref) for ref in offered]
    rows = [names(slot_option(slot, calendar, t.words), slot.start, calendar, t.words) for slot in slots]
    def fits(i: int, clock: bool) -> bool:  # read only when an ordinal or a time is found
        wish = _said_now(t, calendar)
        return wish is None or fits_wish(calendar.local(slots[i].start), wish, calendar, clock)

    ref = picked(t, offered, rows, [calendar.local(slot.start) for slot in slots], fits=fits)
    wished = ref is None and (ref := _wished_first(t, step, slots)) is not None
    if ref is None and offered and t.event.choice_id is None and t.words.any_slot.match(nlu.normalise(t.event.text)):
        ref = offered[0]  # "qualquer um", "tanto faz": the first one offered
    if ref is None:
        return await _not_understood(node, t, step)
    t.memo["answered"] = "choice"
    try:
        hold = await scheduler.hold(ref, patient_of(t))
    except SlotTaken:
        return await offer(node, t, step, "taken")
    except BookingRefused:
        return await offer(node, t, step, "expired")
    t.state.retries = 0
    step.update(stage="confirm", hold=hold.to_json())
    if step.pop("affirmed", False) and wished:  # "sim, mas pode ser às 11h?" ... "isso": said yes twice
        return await _resume_confirm(node, t, step)
    _say_confirm(node, t, hold)
    return Wait()


def fits_wish(start: datetime, wish: dict[str, str], calendar: Any, clock_only: bool = False) -> bool:
    """A slot starting at local `start` is one the wish asks for (its day, its clock times or part of day,
    from its earliest moment); `clock_only`: in its clock times, whatever else it says."""
    inside = "from" not in wish or time.fromisoformat(wish["from"]) <= start.time() < time.fromisoformat(wish["to"])
    if clock_only or not inside:
        return inside
    if "impossible" in wish or ("day" in wish and start.date().isoformat() != wish["day"]) or skipped(start, wish):
        return False
    if "period" in wish and not calendar.period(wish["period"]).contains(start.time()):
        return False
    return "earliest" not in wish or start >= datetime.fromisoformat(wish["earliest"])


def _wished_first(t: BotTurn, step: Step, slots: list[Slot]) -> str | None:
    """A plain yes to a list offered for a wish with a time ("sim, mas pode ser às 11h?") when its first
    slot starts at that very time: that slot ("isso")."""
    pref = step.get("pref") or {}
    if not slots or t.event.choice_id is not None or nlu.yes_no(t.event.text) is not True:
        return None
    first = scheduler_of(t).calendar.local(slots[0].start)
    if isinstance(pref.get("earliest"), str):
        wished = datetime.fromisoformat(pref["earliest"]).replace(tzinfo=None)
        at_wish = first.replace(tzinfo=None) == wished
    else:
        at_wish = isinstance(pref.get("from"), str) and first.strftime("%H:%M") == pref["from"][:5] \
            and pref.get("day") in (None, first.date().isoformat())
    return (step.get("offered") or [None])[0] if at_wish else None


def _say_confirm(node: BookNode | RescheduleNode, t: BotTurn, hold: Hold, lead: str = "") -> None:
    key = "confirm_reschedule" if isinstance(node, RescheduleNode) else "confirm"
    text = text_for(node, t, key, slot_words(hold.slot, scheduler_of(t).calendar, t.words))
    t.say(f"{lead}\n{text}" if lead else text, options=yes_no_options(node, t), options_style="buttons")


def _question(node: BookNode | RescheduleNode, t: BotTurn, step: Step) -> Question:
    calendar = scheduler_of(t).calendar
    if step.get("stage") == "confirm":
        hold = Hold.from_json(step["hold"])
        key = "confirm_reschedule" if isinstance(node, RescheduleNode) else "confirm"
        text = text_for(node, t, key, slot_words(hold.slot, calendar, t.words))
        return Question(text, "yes_no", tuple((o.id, o.title) for o in yes_no_options(node, t)))
    rows = tuple((ref, slot_option(Slot.from_ref(ref), calendar, t.words).title) for ref in step.get("offered") or [])
    return Question(text_for(node, t, "offer", {"service": calendar.service(step["service"]).name}), "choice", rows)


async def _not_understood(node: BookNode | RescheduleNode, t: BotTurn, step: Step) -> Outcome:
    """A typed preference gives new slots; then the reading order's next steps (the FAQ or another
    flow, small talk, the language model); else ask again."""
    calendar = scheduler_of(t).calendar
    whole = t.event.text.strip()
    if isinstance(node, RescheduleNode) and nlu.keeps_appointment(whole):  # "ah não, deixa como tá"
        await _release(t, step)
        t.state.retries = 0
        say(node, t, "kept")
        return leave(t, node.next)
    tail = corrected(whole)  # "quarta, digo, quinta de manhã"
    text = last_said(tail, t.local_now, calendar) if tail else whole
    if text != whole and _rules_out(whole, t.local_now):
        text = whole  # "na verdade terça não dá, quinta": the negation says it, with the punctuation the tail has lost
    pref = None
    if text and step.get("stage") != "confirm" and nlu.parse_date(text, t.local_now) is None:
        said = nlu.parse_date(whole, t.local_now) if text != whole else None  # "quarta às 9... digo, às 10"
        around = datetime.combine(said, time(0)) if said is not None else _offered_day(step, calendar)
        pref = _time_wish(t, around=around)  # "tem às 11h?": on the day offered; the day said before a correction
    if pref is None and text:
        pref = preference(text, t.local_now, calendar)
    if pref is not None:
        await _release(t, step)
        step["pref"] = pref
        if step.get("stage") != "confirm" and (exact := await _confirm_exact(node, t, step)) is not None:
            return exact  # "às 11", "sexta às 10h" at a list, free at that very minute: that one, to confirm
        return await offer(node, t, step)
    if (later := _after_offered(t, step)) is not None:  # "tem mais tarde?", "prefiro mais tarde" at the confirmation
        await _release(t, step)
        step["pref"] = later
        return await offer(node, t, step)
    if (changed := _earlier_choice(node, t, text)) is not None:  # "mudei de ideia, é clínica geral"
        await _release(t, step)
        return changed
    if (reread := await _someone_else(t, step)) is not None:  # "peraí, é pra minha filha": who it is for
        return reread
    taken = await context.unfit(node, t, _question(node, t, step), release=lambda: _release(t, step))
    if taken is not None:
        return taken
    t.state.retries += 1
    context.note_reprompt(t)
    if t.state.retries > MAX_RETRIES:
        await _release(t, step)
        say(node, t, "error")
        return leave(t, node.on_error)
    unanswered = context.lead(t, "choice") == t.message("unanswered")
    if step.get("stage") == "confirm":
        _say_confirm(node, t, Hold.from_json(step["hold"]), t.message("unanswered") if unanswered else "")
        return Wait()
    if unanswered:
        t.say(t.message("unanswered"))
        return await offer(node, t, step)
    return await offer(node, t, step, "pick_again")


def _after_offered(t: BotTurn, step: Step) -> dict[str, str] | None:
    """The patient asks for slots after the ones offered ("tem mais tarde?", "nenhum desses serve"): from the
    last one offered on, in the period asked for before; None for anything else ("te falo mais tarde")."""
    offered = step.get("offered") or []
    if not offered or not t.words.more_slots.search(nlu.normalise(t.event.text)) or context.small_talk(t) is not None:
        return None
    last = max(Slot.from_ref(ref).start for ref in offered)
    kept = {k: v for k, v in (step.get("pref") or {}).items() if k in ("period", "from", "to")}
    return {**kept, "earliest": (scheduler_of(t).calendar.local(last) + timedelta(minutes=1)).isoformat()}


async def _someone_else(t: BotTurn, step: Step, *, asked: bool = False) -> Outcome | None:
    """Who the appointment is for, said in the message ("peraí, é pra minha filha de 7 anos"): the slot is
    given back and the flow reads them again, as if said at first; None when the message says no such thing.
    `asked`: a message that looks like a question counts too ("pode ser, mas é pra minha filha")."""
    if context.looks_like_question(t) and not asked:
        return None
    if context.small_talk(t) is not None and not named_for(t.event.text):
        return None  # "peraí que o nenem tá chorando" is a pause; "peraí, é pra minha filha" says for whom
    reread = context.reread_facts(t)
    if reread is not None:
        await _release(t, step)
        t.state.private.booking = None
    return reread


def _rules_out(text: str, now: datetime) -> bool:
    """Whether `text` rules a day or time out and names another ("terça não dá, quinta")."""
    found = [bool((e.additional_info or {}).get("negated"))
             for e in nlu.extract_builtin(text, now, dimensions=("date", "time", "datetime", "interval"))]
    return any(found) and not all(found)


_CONTRAST = re.compile(r"\b(?:mas|porem|so que)\b")


def _earlier_choice(node: BookNode | RescheduleNode, t: BotTurn, text: str) -> Outcome | None:
    """A message that names, outright and not as a question, another option of one of the flow's
    choice questions whose options lead elsewhere (the specialty): the answer changes and the flow
    goes that option's way, as if it had been the answer."""
    if t.flow is None or context.looks_like_question(t):
        return None
    for other in t.flow.nodes.values():
        if not isinstance(other, AskNode) or other.input != "choice" or other.id == node.id:
            continue
        named = inputs.named_options(other, text) or inputs.named_options(other, t.event.text)
        if len(named) > 1 and (contrast := _CONTRAST.split(nlu.normalise(text))[1:]):
            named = inputs.named_options(other, contrast[-1])  # "escolhi clínico mas era pediatra": the one after
        if len(named) != 1 or not named[0].next or named[0].next == node.id:
            continue
        if t.state.vars.get(other.var) == named[0].id:
            continue
        t.state.vars[other.var] = named[0].id
        t.notices.append({"kind": "changed_answer", "node": f"{t.flow.id}/{other.id}", "var": other.var})
        return Go(named[0].next)
    return None


async def reask_offer(node: BookNode | RescheduleNode, t: BotTurn) -> Outcome:
    """The slots, or the slot to confirm, again (after an answer given in passing)."""
    step = current_step(node, t)
    if step is None:
        return await t.handlers.nodes.enter(node)(node, t)
    if step.get("stage") == "confirm" and step.get("hold"):
        _say_confirm(node, t, Hold.from_json(step["hold"]))
        return Wait()
    return await offer(node, t, step)


async def _release(t: BotTurn, step: Step) -> None:
    if step.get("hold"):
        await scheduler_of(t).release(step["hold"]["id"])
        step["hold"] = None


def yes_or_no(t: BotTurn, options: tuple[Option, Option] | None = None, text: str | None = None) -> bool | None:
    """A yes/no button of any language pack; else the typed number or title of a button shown
    (yes first: "1", "o primeiro", "Confirmar"); else the typed answer (`text`, or the message's) as `nlu`
    reads it."""
    pressed = YES_NO_IDS.get(t.event.choice_id or "")
    if pressed is not None:
        return pressed
    text = (t.event.text if text is None else text).strip()
    if not text:
        return None
    if (position := option_number(text, 2)) is not None:
        return position == 0
    if options is not None:
        folded = nlu.normalise(text)
        for answer, option in zip((True, False), options, strict=True):
            if folded == nlu.normalise(option.title):
                return answer
    said = nlu.yes_no(text)
    if said is None and options is not None:  # "pensei melhor, vou manter" to "Sim, cancelar / Não, manter"
        said = _named_answer(t, text, options)
    return said


def _named_answer(t: BotTurn, text: str, options: tuple[Option, Option]) -> bool | None:
    """The answer whose button names what the message says to do, and the other does not; not in a question
    ("posso remarcar em vez de cancelar?") nor beside "em vez de"."""
    folded = f" {nlu.normalise(text)} "
    words = set(folded.split())
    if "?" in text or words & t.words.question_words or says_instead(text) \
            or words & DENY_WORDS:  # "ok, mas não quero cancelar" names "cancelar" to refuse it
        return None
    said = [w for w in content_words(text) if not _other_thing(w, folded)]
    named = [answer for answer, option in zip((True, False), options, strict=True)
             if any(same_word(w, own) for own in content_words(option.title) if nlu.yes_no(own) is None
                    for w in said)]
    return named[0] if len(named) == 1 else None


_OTHER = frozenset({"outro", "outra", "outros", "outras"})
_OTHER_TIME = frozenset({"horario", "horarios", "dia", "dias", "hora", "horas", "data", "datas", "vaga", "vagas"})


def _other_thing(word: str, folded: str) -> bool:
    """ "outro" said of something else than a time ("esperei vaga em outro lugar"): it picks no "Escolher outro"."""
    if word not in _OTHER:
        return False
    after = [token for found in re.finditer(rf"\b{word}\s+(\w+)", folded) for token in found.groups()]
    return bool(after) and all(token not in _OTHER_TIME for token in after)


async def _resume_confirm(node: BookNode | RescheduleNode, t: BotTurn, step: Step) -> Outcome:
    hold = Hold.from_json(step["hold"])
    # "confirmo. ah pera, terça ele tem natação, tem quinta?": what follows a correction answers, when it is an
    # answer or names a time ("pode ser, desculpa a demora" is still a yes)
    tail = corrected(t.event.text) if t.event.choice_id is None else None
    if tail and nlu.yes_no(tail) is None and preference(tail, t.local_now, scheduler_of(t).calendar) is None:
        tail = None
    reply = yes_or_no(t, yes_no_options(node, t), tail)
    picked_button = option_number(t.event.text, 2) is not None
    if not picked_button and (wish := _other_time(t, hold)) is not None:  # "pode ser, mas muda pra 16h"
        await _release(t, step)
        step["pref"] = wish
        if (exact := await _confirm_exact(node, t, step)) is not None:
            return exact  # "sim, mas pode ser às 11h?" and 11:00 is free: that one, to confirm
        step["affirmed"] = reply is True
        return await offer(node, t, step)
    if reply is None or (not reply and context.small_talk(t) in ("later", "give_up")):  # "melhor não, desisti"
        return await _not_understood(node, t, step)
    if not reply and not picked_button and (changed := _earlier_choice(node, t, t.event.text)) is not None:
        await _release(t, step)
        return changed  # "ah não, é pra mim, clínica geral" at the pediatrician's slot: the other specialty
    if not reply and not picked_button and (reread := await _someone_else(t, step)) is not None:
        return reread  # "é pra minha esposa, não pra mim": her name, then the slots again
    if reply and not picked_button and any(e.get("entity") == "relation" for e in t.entities()) \
            and (reread := await _someone_else(t, step, asked=True)) is not None:
        return reread  # "pode ser, mas é pra minha filha": never booked under the writer's name; hers first
    t.memo["answered"] = "yes_no"
    if not reply:
        await _release(t, step)
        return await offer(node, t, step)
    scheduler = scheduler_of(t)
    try:
        if isinstance(node, RescheduleNode):
            appt = await scheduler.reschedule(step["appointment"], hold, patient=patient_of(t))
        else:
            appt = await scheduler.book(hold, patient_of(t), details=patient_details(node, t),
                                        idempotency_key=t.event.id)
    except SlotTaken:
        return await offer(node, t, step, "taken")
    except (HoldExpired, DateInPast):
        return await offer(node, t, step, "expired")
    t.state.vars[node.var] = appointment_vars(appt, scheduler.calendar, t.words)
    t.notices.append({"kind": "rescheduled" if isinstance(node, RescheduleNode) else "booked",
                      "appointment": appt.id})
    say(node, t, "rescheduled" if isinstance(node, RescheduleNode) else "booked",
        slot_words(appt.slot, scheduler.calendar, t.words))
    return leave(t, node.next)


async def _confirm_exact(node: BookNode | RescheduleNode, t: BotTurn, step: Step) -> Outcome | None:
    """A new time named at a confirmation that is free at that very minute: held and asked to confirm,
    as a receptionist says "11h, pode ser; confirma?"; None when it is not (the slots nearest are offered)."""
    pref = step.get("pref") or {}
    last = pref.get("last") == "one" or "nth" in pref  # "o último (o segundo) horário de segunda": that slot
    if not last and (not isinstance(pref.get("earliest"), str)
                     or t.words.approximate.search(nlu.normalise(t.event.text))):
        return None
    found, why = await _find(t, step, 1)
    calendar = scheduler_of(t).calendar
    wished = None if last else datetime.fromisoformat(pref["earliest"]).replace(tzinfo=None)
    if why or not found or (wished is not None and calendar.local(found[0].start).replace(tzinfo=None) != wished):
        step["pref"] = pref  # as wished, for the offer of the nearest ones
        return None
    try:
        hold = await scheduler_of(t).hold(found[0].ref, patient_of(t))
    except (SlotTaken, BookingRefused):
        return None
    step.update(stage="confirm", offered=[found[0].ref], hold=hold.to_json())
    _say_confirm(node, t, hold)
    return Wait()


def _other_time(t: BotTurn, hold: Hold) -> dict[str, str] | None:
    """A day or a time the confirmation names that is not the held slot's, as a new preference."""
    if not t.event.text.strip() or t.event.choice_id is not None:
        return None
    calendar = scheduler_of(t).calendar
    held = calendar.local(hold.slot.start)
    # the wish the message ends on ("sim... peraí, não, segunda eu trabalho, melhor terça": Tuesday)
    wish = corrected_preference(t.event.text, t.local_now, calendar) or _time_wish(t, around=held)
    if wish is None or "impossible" in wish:
        return wish
    day = wish.get("day")
    earliest = datetime.fromisoformat(wish["earliest"]) if "earliest" in wish else None
    hours = (time.fromisoformat(wish["from"]), time.fromisoformat(wish["to"])) if "from" in wish else None
    same_day = day is None or day == held.date().isoformat()
    period = calendar.periods.get(wish["period"]) if "period" in wish else None
    same_time = ((earliest is None or earliest.time().replace(second=0) == held.time().replace(second=0))
                 and (hours is None or hours[0] <= held.time() < hours[1])
                 and (period is None or period.contains(held.time())))  # "não, prefiro a tarde" for 08:30
    if same_day and same_time:
        return None
    if day is None and hours is not None:  # "muda pra 16h": from then on, on the day being confirmed
        return {"day": held.date().isoformat(), "earliest": datetime.combine(held.date(), hours[0]).isoformat()}
    return wish


def patient_details(node: BookNode, t: BotTurn) -> dict[str, str]:
    """What the calendar keeps about the patient besides `channel:user`: the name the node's
    `patient_name` template gives, when it gives one."""
    name = t.render(node.patient_name).strip() if node.patient_name else ""
    return {"name": name} if name else {}


async def resume_offer(node: BookNode | RescheduleNode, t: BotTurn) -> Outcome:
    step = current_step(node, t)
    if step is None:  # the flow changed under us (a new version): start over
        return await t.handlers.nodes.enter(node)(node, t)
    try:
        if step.get("stage") == "confirm":
            return await _resume_confirm(node, t, step)
        return await _resume_pick(node, t, step)
    except BookingRefused as exc:
        return failed(node, t, exc)



async def enter_book(node: BookNode, t: BotTurn) -> Outcome:
    t.state.retries = 0
    try:
        calendar = scheduler_of(t).calendar
        pref = _said_now(t, calendar)
        wish = t.render(node.preference) if node.preference else ""
        if pref is None and wish.strip():  # the request, said turns ago ("terça... ops, quinta": Thursday)
            pref = corrected_preference(wish, t.local_now, calendar)
        if pref is None and _NEXT_TO_MINE.search(nlu.normalise(f"{t.event.text} {wish}")):
            pref = await _after_mine(t)
        step = new_step(node, t, service=node.service, professional=node.professional, period=node.period,
                        pref=pref)
        return await offer(node, t, step)
    except SchedulingError as exc:
        return failed(node, t, exc)



# "pro meu marido, pode ser logo depois da minha?": the slot right after the writer's own appointment
_NEXT_TO_MINE = re.compile(r"\b(?:logo\s+)?(?:depois|dps|apos|em\s+seguida)\s+d[ao]\s+(?:minha|meu)\b"
                           r"|\b(?:junto|colado|coladinho|seguido)\s+(?:com|d)[ao]\s+(?:minha|meu)\b")


async def _after_mine(t: BotTurn) -> dict[str, str] | None:
    """From the end of the writer's next appointment, on its day; None when they have none."""
    scheduler = scheduler_of(t)
    upcoming = sorted((a for a in await scheduler.appointments_of(patient_of(t)) if a.active and a.slot.start > t.now),
                      key=lambda a: a.slot.start)
    if not upcoming:
        return None
    end = scheduler.calendar.local(upcoming[0].slot.end)
    return {"day": end.date().isoformat(), "earliest": end.isoformat()}


def _said_now(t: BotTurn, calendar: Any) -> dict[str, str] | None:
    """A day or period in this turn's message ("pediatria, pra amanhã à tarde"), the freshest wish."""
    text = t.event.text.strip() if t.event.kind not in ("timer", "system") else ""
    if not text or text.isdigit() or t.event.choice_id is not None or t.memo.get("by_position"):
        return None
    if "said_now" not in t.memo:  # read once a turn
        t.memo["said_now"] = corrected_preference(text, t.local_now, calendar)
    wish: dict[str, str] | None = t.memo["said_now"]
    return wish


def last_said(tail: str, now: datetime, calendar: Any) -> str:
    """Of what follows a correction, its last clause that names a time, when several do ("sábado ele tem
    jogo, então terça à tarde": "então terça à tarde"; "terça ele tem natação, tem quinta?": "tem quinta")."""
    dated = [part for part in re.split(r"[,;.!?]+", tail) if preference(part, now, calendar) is not None]
    return dated[-1].strip() if len(dated) > 1 else tail


_DAY_BEFORE = re.compile(r"\bdia\s+\d{1,2}\b\D*$", re.IGNORECASE)  # "... dia 12.. digo "
_BARE_DAY = re.compile(r"\s*\d{1,2}\b(?!\s*(?:h\b|:|horas?\b|e\s+meia))")  # "19, sexta", not "19h"


def corrected_preference(text: str, now: datetime, calendar: Any) -> dict[str, str] | None:
    """The wish a message ends on ("amanhã às 9, ou melhor, às 10"): the correction, with the day said
    before it when the correction only changes the time ("amanhã às 10"); the whole message when it rules a
    day out in words, which the correction's tail loses ("ops, é quinta, não sexta")."""
    tail = corrected(text)
    if not tail or _rules_out(text, now):
        return preference(text, now, calendar)
    tail = last_said(tail, now, calendar)
    at = text.rfind(tail)
    if _BARE_DAY.match(tail) and _DAY_BEFORE.search(text[:at]):
        tail = f"dia {tail}"  # "dia 12.. digo 19, sexta": the number corrects the day of the month
    wish = preference(tail, now, calendar)
    before = preference(text[:at], now, calendar) if at > 0 else None
    if wish is None or before is None or "day" in wish or "day" not in before or "impossible" in wish:
        return wish
    if "from" in wish:  # a time alone: that time on the day said first
        day = date.fromisoformat(before["day"])
        return {"day": before["day"], "earliest": datetime.combine(day, time.fromisoformat(wish["from"]),
                                                                    tzinfo=now.tzinfo).isoformat()}
    if "period" in wish:
        return {"day": before["day"], "period": wish["period"]}
    return wish


async def resume_book(node: BookNode, t: BotTurn) -> Outcome:
    return await resume_offer(node, t)
