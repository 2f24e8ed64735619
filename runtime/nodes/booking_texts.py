"""What the scheduling nodes say (pt-BR defaults, replaceable per node in `texts`), how they
write dates for people, and how they read a typed preference ("amanhã de manhã")."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import nlu
from flows.messages import Option
from runtime.scheduling import Appointment, Calendar, Slot

DEFAULTS: dict[str, str] = {
    # book and reschedule: offering slots
    "offer": "Escolha um horário para {{ service }} 👇\nSe preferir outro dia ou período, é só escrever "
             "(por exemplo: sexta à tarde).",
    "list_button": "Ver horários",
    "nothing_matching": "Não encontrei horário livre nesse dia ou período 😕 Estes são os próximos disponíveis:",
    "past": "Essa data já passou 🙂 Estes são os próximos horários livres:",
    "impossible": "Essa data não existe no calendário ({{ wrong }}) 🙂 Estes são os próximos horários livres:",
    "far": "A agenda ainda não está aberta para essa data. Estes são os próximos horários livres:",
    "none": "No momento não há horários livres para {{ service }} 😕 Por favor, fale com a nossa equipe.",
    "pick_again": "Não entendi qual horário você prefere. Escolha um da lista ou escreva um dia "
                  "(por exemplo: amanhã de manhã).",
    "taken": "Que pena, esse horário acabou de ser reservado por outra pessoa. Veja os horários livres:",
    "expired": "O tempo para confirmar esse horário acabou. Veja os horários livres agora:",
    "confirm": "Confirma o horário?\n{{ service }} com {{ professional }}, {{ when }}.",
    "yes": "Confirmar",
    "no": "Escolher outro",
    "booked": "Pronto! ✅ Sua consulta está marcada: {{ service }} com {{ professional }}, {{ when }}.",
    "error": "Não consegui concluir agora 😕 Por favor, tente de novo em instantes ou fale com a nossa equipe.",
    # cancel, reschedule, confirm: which appointment
    "no_appointment": "Você não tem consultas marcadas. 🙂",
    "pick_appointment": "Qual consulta?",
    "pick_cancel": "Qual consulta você quer cancelar?",
    "pick_reschedule": "Qual consulta você quer remarcar?",
    "confirm_cancel": "Quer mesmo cancelar?\n{{ service }} com {{ professional }}, {{ when }}.",
    "yes_cancel": "Sim, cancelar",
    "no_cancel": "Não, manter",
    "cancelled": "Consulta cancelada. ✅ Se quiser marcar outra data, é só pedir.",
    "kept": "Tudo bem, sua consulta continua marcada. 👍",
    "too_late": "Falta pouco para a consulta, então não consigo alterá-la por aqui. "
                "Por favor, fale com a nossa equipe.",
    "confirm_reschedule": "Confirma a mudança para {{ when }}, com {{ professional }}?",
    "rescheduled": "Pronto! ✅ Sua consulta foi remarcada para {{ when }}, com {{ professional }}.",
    "confirmed": "Obrigada! ✅ Presença confirmada: {{ service }} com {{ professional }}, {{ when }}.",
    # my_appointments
    "list": "Suas próximas consultas:\n{{ items }}",
}

WEEKDAYS = ("segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado", "domingo")
SHORT_WEEKDAYS = ("Seg", "Ter", "Qua", "Qui", "Sex", "Sáb", "Dom")


def when(local: datetime) -> str:
    """'terça-feira, 03/03, às 09:00'"""
    return f"{WEEKDAYS[local.weekday()]}, {local:%d/%m}, às {local:%H:%M}"


def slot_option(slot: Slot, calendar: Calendar) -> Option:
    """A list row: 'Ter 03/03 às 09:00' (at most 24 characters), the professional below it."""
    local = calendar.local(slot.start)
    title = f"{SHORT_WEEKDAYS[local.weekday()]} {local:%d/%m} às {local:%H:%M}"
    return Option(slot.ref, title, calendar.professional(slot.professional).name)


def appointment_option(appt: Appointment, calendar: Calendar) -> Option:
    row = slot_option(appt.slot, calendar)
    return Option(appt.id, row.title, f"{calendar.service(appt.slot.service).name} · {row.description}")


def slot_words(slot: Slot, calendar: Calendar) -> dict[str, str]:
    """The names a text about this slot may use: service, professional, when, date, time."""
    local = calendar.local(slot.start)
    return {"service": calendar.service(slot.service).name,
            "professional": calendar.professional(slot.professional).name,
            "when": when(local), "date": f"{local:%d/%m}", "time": f"{local:%H:%M}"}


def names(option: Option, instant: datetime, calendar: Calendar) -> list[str]:
    """What a patient may type to pick this row: its title, its description, its weekday."""
    weekday = WEEKDAYS[calendar.local(instant).weekday()]
    return [option.title, option.description, weekday, weekday.removesuffix("-feira")]


def appointment_vars(appt: Appointment, calendar: Calendar) -> dict[str, Any]:
    """The appointment as a flow variable: its JSON (without history) plus the words above."""
    data = {k: v for k, v in appt.to_json().items() if k != "history"}
    words = slot_words(appt.slot, calendar)
    return {**data, "service_name": words["service"], "professional_name": words["professional"],
            "when": words["when"], "date": words["date"], "time": words["time"],
            "local_start": calendar.local(appt.slot.start).isoformat(timespec="minutes")}


MONTHS = ("janeiro", "fevereiro", "marco", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro",
          "novembro", "dezembro")
_DAY_OF_MONTH = re.compile(rf"\b(\d{{1,2}}) de ({'|'.join(MONTHS)})\b|\b(\d{{1,2}})/(\d{{1,2}})\b")


def impossible_date(text: str, year: int) -> str | None:
    """The words of a day that no calendar has ("31 de fevereiro", "30/02"), or None."""
    for found in _DAY_OF_MONTH.finditer(nlu.normalise(text)):
        day = int(found.group(1) or found.group(3))
        month = MONTHS.index(found.group(2)) + 1 if found.group(2) else int(found.group(4))
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
