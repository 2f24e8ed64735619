"""How the scheduling nodes write slots and appointments for people, in the words of the
conversation's language pack (`runtime.locales`: the texts themselves, weekday and month names),
and how they read a typed preference ("amanhã de manhã": pt-BR, as `nlu` reads it)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

import nlu
from flows.messages import Option
from nlu.lexicon import MONTHS, WEEKDAY_ABBREVIATIONS, WEEKDAYS
from nlu.slots import corrected
from nlu.temporal_types import Interval
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


def at_time(text: str, now: datetime, starts: list[datetime], clock: time | None = None) -> int | None:
    """The one offered start the text names by its time ("9h20", "pode ser o das 9 e 20", "o das
    2"), or by its day and time; `starts` are local. An hour the afternoon rule moved ("às 7" is
    19:00) also matches the morning slot when only that one is offered. None when no or several match.
    `clock`: the time already read from the text (`time_said`)."""
    clock = clock or nlu.parse_time(text, now)
    if clock is None:
        return None
    day = nlu.parse_date(text, now)
    other = clock.replace(hour=(clock.hour + 12) % 24)
    for wanted in (clock, other):
        matching = [i for i, start in enumerate(starts)
                    if start.time() == wanted and (day is None or start.date() == day)]
        if matching:
            return matching[0] if len(matching) == 1 else None
    return None


def time_said(text: str, now: datetime) -> time | None:
    """The time a message settles on: the corrected one when the message corrects itself ("às 10, digo,
    11", "as 9 e meia... não, 9 em ponto"), a bare hour in the correction taking the first time's half of
    the day; None when the correction names no time ("às 10, não, o primeiro")."""
    tail = corrected(text)
    if tail is None:
        return nlu.parse_time(text, now)
    if (clock := nlu.parse_time(tail, now)) is not None:
        return clock
    first, hour = nlu.parse_time(text[:text.rfind(tail)], now), nlu.parse_number(tail)
    if first is None or hour is None or not float(hour).is_integer() or not 0 < hour < 24:
        return None
    hour = int(hour) + 12 if first.hour >= 12 and hour < 12 else int(hour)  # "às 15h, digo, 4": 16:00
    return time(hour)


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
    """A day, a period, clock times or an earliest time read from `text` ("amanhã de manhã", "sexta
    depois das 14h", "entre 14h e 16h", "9h": from 9 to 10, "hoje não dá, só amanhã"), as JSON-ready values for
    `Scheduler.find_slots`; None when the text names no time, and `{"impossible": words}` for a day
    that does not exist. What the patient rules out ("hoje não") is skipped."""
    if (wrong := impossible_date(text, now.year)) is not None:
        return {"impossible": wrong}
    every = [e for e in nlu.extract_builtin(text, now, dimensions=("date", "time", "datetime", "interval"))
             if not _past(e, now)]  # "ano passado fiquei 2 meses esperando", "ontem liguei": told, not wished
    negated = [e for e in every if (e.additional_info or {}).get("negated")]
    # "menos sexta, sexta eu trabalho": a day ruled out and named again is still ruled out
    found = [e for e in every if e not in negated and all(e.value != n.value for n in negated)]
    skip = _ruled_out(negated)
    # "quinta é feriado né? ... pode ser quinta às 9": the day said again with a time is that time
    timed = {e.value.date() for e in found if e.entity == "datetime" and isinstance(e.value, datetime)}
    found = [e for e in found if not (e.entity == "date" and e.value in timed)]
    found = _either_day(text, found)
    if len(found) > 1:  # "agora quero marcar outra, pro sábado de manhã": "agora" leads the sentence, the day is asked
        found = [e for e in found if not (e.entity == "datetime" and e.value == now)] or found
    elif nlu.normalise(text).split()[:1] == ["agora"]:  # "agora marca pro meu marido tb": "and now", no time
        found = [e for e in found if not (e.entity == "datetime" and e.value == now)]
    if _SOONEST.search(nlu.normalise(text)) and all(e.entity == "datetime" for e in found):
        return {"earliest": now.isoformat()}  # "o mais cedo possível": the first slots, whatever the day
    wish = _wish(found, calendar)
    if skip and (wish is None or "day" not in wish):  # "qlqr dia menos sexta", "de manhã, só não na segunda"
        wish = {**(wish or {}), **skip}
    if wish is not None and "from" in wish and _LATE_PART.search(nlu.normalise(text)):
        wish["late"] = "1"  # "no fim da manhã": its last hour first, as a receptionist offers 11h or 11h30
    last = _LAST_SLOT.search(nlu.normalise(text))
    if wish is not None and "day" in wish and last is not None:
        # "o último horário de segunda": that one, to confirm; "os últimos horários da tarde": the last ones
        wish["last"] = "some" if last.group().split()[0] in ("ultimos", "ultimas") else "one"
    elif wish is not None and "day" in wish and (nth := _NTH_SLOT.search(nlu.normalise(text))) is not None:
        wish["nth"] = str(_ORDINALS.index(nth.group("n")) + 1)  # "o segundo horário de sábado": that one, to confirm
    if wish is not None and "day" in wish and _WEEKDAY_WORD.search(nlu.normalise(text)) \
            and not _DAY_NUMBER.search(nlu.normalise(text)):  # "sexta dia 25 de manhã": that day, closed or not
        wish = _past_holidays(wish, calendar)
    return wish


def _past(entity: Any, now: datetime) -> bool:
    """A day or a span over before today began (no time can be booked in it)."""
    value = entity.value
    if isinstance(value, datetime):
        return False
    if isinstance(value, date):
        return value < now.date()
    return isinstance(value, Interval) \
        and value.end <= datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)


def _past_holidays(wish: dict[str, str], calendar: Calendar) -> dict[str, str]:
    """A day named by its weekday ("sexta de manhã") that is a holiday: the same weekday of the next week that
    is not one, as a receptionist offers "na outra sexta" when this Friday is Christmas."""
    day = date.fromisoformat(wish["day"])
    weeks = 0
    while day + timedelta(weeks=weeks) in calendar.holidays and weeks < 4:
        weeks += 1
    return shifted(wish, timedelta(weeks=weeks)) if weeks else wish


def shifted(wish: dict[str, str], by: timedelta) -> dict[str, str]:
    """`wish` with its day (and its earliest moment) moved `by` on."""
    moved = {**wish, "day": (date.fromisoformat(wish["day"]) + by).isoformat()}
    if "earliest" in wish:
        moved["earliest"] = (datetime.fromisoformat(wish["earliest"]) + by).isoformat()
    return moved


def _either_day(text: str, found: list[Any]) -> list[Any]:
    """ "quinta ou sexta no finalzinho da manhã": the part of the day said after the second day is the first
    day's too, and the first day is the one asked (the slots nearest it follow); "qui ou sex, só não pode antes
    das 10": the first day, in the hours said apart."""
    for first, second in zip(found, found[1:], strict=False):
        if first.entity == second.entity == "date" and isinstance(first.value, date) \
                and nlu.normalise(text[first.end:second.start]).split() in (["ou"], []):
            return _either_day(text, [e for e in found if e is not second])
        if first.entity != "date" or second.entity != "interval" or not isinstance(first.value, date) \
                or not isinstance(second.value, Interval) or second.value.start.date() == first.value:
            continue
        if nlu.normalise(text[first.end:second.start]).split() != ["ou"]:
            continue
        shift = first.value - second.value.start.date()
        span = replace(second.value, start=second.value.start + shift, end=second.value.end + shift)
        info = dict(second.additional_info or {})
        for key in ("from", "to"):
            if isinstance(info.get(key), str):
                info[key] = (datetime.fromisoformat(info[key]) + shift).isoformat()
        info.update(day=first.value.isoformat(), value={"from": span.start.isoformat(), "to": span.end.isoformat()})
        moved = replace(second, value=span, additional_info=info)
        return [e for e in found if e is not first and e is not second] + [moved]
    return found


_DAY_NUMBER = re.compile(r"\bdia\s+\d{1,2}\b|\b\d{1,2}/\d{1,2}\b")
_WEEKDAY_WORD = re.compile(rf"\b(?:{'|'.join([*WEEKDAYS, *WEEKDAY_ABBREVIATIONS])})s?\b")


def _ruled_out(negated: list[Any]) -> dict[str, str]:
    """The days a message rules out: a weekday named ("menos sexta", "sexta eu trabalho, não dá") is every
    such weekday; another day ("hoje não") is that day. Clock times ruled out are not kept."""
    weekdays, days = set(), set()
    for entity in negated:
        if entity.entity != "date" or not isinstance(entity.value, date):
            continue
        if _WEEKDAY_WORD.search(nlu.normalise(entity.text)):
            weekdays.add(str(entity.value.weekday()))
        else:
            days.add(entity.value.isoformat())
    out = {"skip_weekdays": ",".join(sorted(weekdays))} if weekdays else {}
    return {**out, "skip_days": ",".join(sorted(days))} if days else out


def skipped(start: datetime, wish: dict[str, str]) -> bool:
    """Whether a slot starting at local `start` falls on a day the wish rules out."""
    return str(start.weekday()) in wish.get("skip_weekdays", "").split(",") \
        or start.date().isoformat() in wish.get("skip_days", "").split(",")


# "o mais cedo possível", "o quanto antes", "assim que der": as soon as there is a slot, not today only
_SOONEST = re.compile(r"\b(?:(?:o\s+)?mais\s+cedo\s+possivel|o\s+quanto\s+antes|assim\s+que\s+(?:for\s+)?possivel"
                      r"|assim\s+que\s+der|o\s+primeiro\s+(?:horario|que\s+tiver)|qualquer\s+(?:dia|horario))\b")
# The end of a part of the day: "no fim da manhã", "final da tarde", "à tardinha"
_LATE_PART = re.compile(r"\b(?:(?:fim|final|finalzinho|fimzinho|finzinho|ultimas\s+horas)\s+da\s+(?:manha|tarde|noite)"
                        r"|tardinha|tardezinha)\b")
# "o último horário de segunda", "a última vaga da tarde", "o mais tarde possível na quinta"
_LAST_SLOT = re.compile(r"\b(?:ultim[oa]s?\s+(?:horarios?|horas?|vagas?|atendimentos?|consultas?)"
                        r"|mais\s+tarde\s+(?:possivel|que\s+(?:tiver|der|tem|houver))|ultim[oa]\s+que\s+(?:tiver|der|tem))\b")

# "o segundo horário de sábado", "a primeira vaga de amanhã": the day's n-th slot
_ORDINALS = ("primeir", "segund", "terceir", "quart", "quint")
_NTH_SLOT = re.compile(rf"\b(?P<n>{'|'.join(_ORDINALS)})[oa]\s+(?:horario|hora|vaga|atendimento|consulta)\b")


def _wish(found: list[Any], calendar: Calendar) -> dict[str, str] | None:
    if (apart := _day_said_apart(found, calendar)) is not None:
        return apart
    kinds = sorted(e.entity for e in found)
    if kinds == ["date", "time"]:  # "dps de amanhã pode ser? lá pelas 10": the day, from that time
        day = next(e.value for e in found if e.entity == "date")
        clock = next(e.value for e in found if e.entity == "time")
        if isinstance(day, date) and isinstance(clock, time):
            return {"day": day.isoformat(), "earliest": datetime.combine(day, clock, tzinfo=calendar.tz).isoformat()}
    for entity in found:
        info = entity.additional_info or {}
        if entity.entity == "time" and isinstance(entity.value, time):  # "9h": that hour, on any day
            until = time(entity.value.hour + 1) if entity.value.hour < 23 else time(23, 59)
            return {"from": f"{entity.value:%H:%M}", "to": f"{until:%H:%M}"}
        if entity.entity == "date" and isinstance(entity.value, date):
            return {"day": entity.value.isoformat()}
        if entity.entity == "datetime" and isinstance(entity.value, datetime):
            return {"day": entity.value.date().isoformat(), "earliest": entity.value.isoformat()}
        if entity.entity == "interval" and "from" in info:
            return _interval_preference(info, calendar)
    return None


def _day_said_apart(found: list[Any], calendar: Calendar) -> dict[str, str] | None:
    """One day named apart from the week or the hours it narrows ("semana que vem de manhã, de preferência na
    terça", "quinta mais pro fim da tarde"): that day, in those hours; or a week and, apart from it, its hours
    ("semana que vem, qualquer dia à tarde"): from that week on, in those hours. None for anything else."""
    days = [e.value for e in found if e.entity == "date" and isinstance(e.value, date)]
    intervals = [e.additional_info or {} for e in found if e.entity == "interval"]
    parts = [i for i in intervals if "day" not in i and (i.get("grain") == "hour" or (
        i.get("grain") == "day_period" and i.get("period") in calendar.periods))]  # the hours of no day said
    # a week, or days open on one side ("antes do ano novo")
    weeks = [i for i in intervals
             if i not in parts and (i.get("grain") == "week" or i.get("open") in ("before", "after"))]
    if len(days) > 1 or len(intervals) != len(weeks) + len(parts) or not intervals or len(parts) > 1 \
            or any(e.entity in ("time", "datetime") for e in found):
        return None
    hours = _interval_preference(parts[0], calendar) if parts else {}  # {"period"} or {"from", "to"}
    if not days:  # "semana que vem, qualquer dia à tarde", "antes do ano novo, pode ser qualquer dia de tarde"
        return {"earliest": weeks[0]["from"], **hours} if len(weeks) == 1 and parts else None
    day = days[0]
    for week in weeks:  # "semana que vem, na quarta": that week's Wednesday, though this week's is to come
        start, end = datetime.fromisoformat(week["from"]).date(), datetime.fromisoformat(week["to"]).date()
        while day < start:
            day += timedelta(days=7)
        if day >= end:
            return None
    return {"day": day.isoformat(), **hours}


def _interval_preference(info: dict[str, Any], calendar: Calendar) -> dict[str, str]:
    start = datetime.fromisoformat(info["from"])
    end = datetime.fromisoformat(info.get("to", info["from"]))
    if info.get("grain") == "hour":  # clock times, on the day said or on any day
        hours = {"from": f"{start:%H:%M}", "to": f"{end:%H:%M}" if end.date() == start.date() else "23:59"}
        return {"day": info["day"], **hours} if "day" in info else hours
    found = {"day": start.date().isoformat()}
    if info.get("grain") == "day_period" and "day" not in info and info.get("period") in calendar.periods:
        return {"period": info["period"]}  # "de tarde", no day said: the next afternoons, not only today's
    if info.get("period") in calendar.periods:
        found["period"] = info["period"]
    elif info.get("grain") != "day_period":
        found["earliest"] = start.isoformat()
    if (end - timedelta(microseconds=1)).date() != start.date():  # "à noite" ends at midnight, on its own day
        found.pop("day")
        found["earliest"] = start.isoformat()
    return found
