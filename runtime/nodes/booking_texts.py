"""How the scheduling nodes write slots and appointments for people, in the words of the
conversation's language pack (`runtime.locales`: the texts themselves, weekday and month names),
and how they read a typed preference ("amanhã de manhã": pt-BR, as `nlu` reads it)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import nlu
from flows.messages import Option
from nlu.lexicon import MONTHS
from runtime.locales import Pack
from runtime.scheduling import Appointment, Calendar, Slot


def slot_option(slot: Slot, calendar: Calendar, words: Pack) -> Option:
    """A list row: 'Ter 03/03 às 09:00' (at most 24 characters), the professional below it."""
    return Option(slot.ref, words.row(calendar.local(slot.start)), calendar.professional(slot.professional).name)


def appointment_option(appt: Appointment, calendar: Calendar, words: Pack) -> Option:
    row = slot_option(appt.slot, calendar, words)
    return Option(appt.id, row.title, f"{calendar.service(appt.slot.service).name} · {row.description}")


def slot_words(slot: Slot, calendar: Calendar, words: Pack) -> dict[str, str]:
    """The names a text about this slot may use: service, professional, when, date, time."""
    local = calendar.local(slot.start)
    return {"service": calendar.service(slot.service).name,
            "professional": calendar.professional(slot.professional).name,
            "when": words.when(local), "date": words.date(local), "time": f"{local:%H:%M}"}


def names(option: Option, instant: datetime, calendar: Calendar, words: Pack) -> list[str]:
    """What a patient may type to pick this row: its title, its description, its weekday."""
    weekday = calendar.local(instant).weekday()
    return [option.title, option.description, words.weekdays[weekday], words.typed_weekdays[weekday]]


def appointment_vars(appt: Appointment, calendar: Calendar, words: Pack) -> dict[str, Any]:
    """The appointment as a flow variable: its JSON (without history) plus the words above."""
    data = {k: v for k, v in appt.to_json().items() if k != "history"}
    said = slot_words(appt.slot, calendar, words)
    return {**data, "service_name": said["service"], "professional_name": said["professional"],
            "when": said["when"], "date": said["date"], "time": said["time"],
            "local_start": calendar.local(appt.slot.start).isoformat(timespec="minutes")}


_MONTHS = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY_OF_MONTH = re.compile(rf"\b(\d{{1,2}}) de ({_MONTHS})\b|\b(\d{{1,2}})/(\d{{1,2}})\b")


def impossible_date(text: str, year: int) -> str | None:
    """The words of a day that no calendar has ("31 de fevereiro", "30/02"), or None."""
    for found in _DAY_OF_MONTH.finditer(nlu.normalise(text)):
        day = int(found.group(1) or found.group(3))
        month = MONTHS[found.group(2)] if found.group(2) else int(found.group(4))
        try:
            date(year if month != 2 or day != 29 else 2028, month, day)  # 29/02 exists in leap years
        except ValueError:
            return found.group(0)
    return None


def preference(text: str, now: datetime, calendar: Calendar) -> dict[str, str] | None:
    """A day, a period or an earliest time read from `text` ("amanhã de manhã", "sexta depois das
    14h"), as JSON-ready values for `Scheduler.find_slots`; None when the text names no time, and
    `{"impossible": words}` for a day that does not exist."""
    if (wrong := impossible_date(text, now.year)) is not None:
        return {"impossible": wrong}
    for entity in nlu.extract_builtin(text, now, dimensions=("date", "datetime", "interval")):
        info = entity.additional_info or {}
        if entity.entity == "date" and isinstance(entity.value, date):
            return {"day": entity.value.isoformat()}
        if entity.entity == "datetime" and isinstance(entity.value, datetime):
            return {"day": entity.value.date().isoformat(), "earliest": entity.value.isoformat()}
        if entity.entity == "interval" and "from" in info:
            start = datetime.fromisoformat(info["from"])
            found = {"day": start.date().isoformat()}
            if info.get("period") in calendar.periods:
                found["period"] = info["period"]
            elif info.get("grain") != "day_period":
                found["earliest"] = start.isoformat()
            end = datetime.fromisoformat(info.get("to", info["from"]))
            if end.date() != start.date():
                found.pop("day")
                found["earliest"] = start.isoformat()
            return found
    return None
