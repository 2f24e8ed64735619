"""Reading a typed answer to an `ask` node, through nlu. Returns None when it is not valid."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import nlu
from flows.messages import InboundEvent
from flows.nodes import AskNode, Option


@dataclass(frozen=True, slots=True)
class Answer:
    value: Any
    option: Option | None = None


def read(node: AskNode, event: InboundEvent, now: datetime) -> Answer | None:
    """The answer to `node` in `event`; `now` is in the bot's time zone (for dates)."""
    if node.input == "choice":
        return _choice(node, event)
    text = event.text.strip()
    if not text:
        return None
    if node.input in _TEMPORAL:
        value = _TEMPORAL[node.input](text, now, node.when)
        return Answer(value) if value is not None and _on_its_side(node, value, now) else None
    value = _READERS[node.input](text, now)
    if value is None or not _within(node, value):
        return None
    return Answer(value)


def _choice(node: AskNode, event: InboundEvent) -> Answer | None:
    if event.choice_id is not None:
        for option in node.options:
            if option.id == event.choice_id:
                return Answer(option.id, option)
    if not event.text.strip():
        return None
    names = [_names(o) for o in node.options]
    index = nlu.pick_option(event.text, names)
    if index is None:
        return None
    option = node.options[index]
    return Answer(option.id, option)


def _names(option: Option) -> list[str]:
    titles = [option.title] if isinstance(option.title, str) else list(option.title.values())
    return [*titles, option.id.replace("_", " "), *option.synonyms]


def _within(node: AskNode, value: Any) -> bool:
    if node.input == "text" and node.pattern is not None:
        return re.fullmatch(node.pattern, value) is not None
    if node.input != "number":
        return True
    return (node.min is None or value >= node.min) and (node.max is None or value <= node.max)


def _on_its_side(node: AskNode, value: str, now: datetime) -> bool:
    """A birth date (`when: past`) is not after today; an appointment (`future`) not before it."""
    if node.when is None or node.input == "time":
        return True
    if node.input == "date":
        day, today = date.fromisoformat(value), now.date()
        return day <= today if node.when == "past" else day >= today
    moment = datetime.fromisoformat(value)
    return moment <= now if node.when == "past" else moment >= now


def _date(text: str, now: datetime, when: str | None) -> str | None:
    found = nlu.parse_date(text, now, prefer="past" if when == "past" else None)
    return found.isoformat() if found else None


def _time(text: str, now: datetime, when: str | None) -> str | None:
    found = nlu.parse_time(text, now)
    return found.strftime("%H:%M") if found else None


def _datetime(text: str, now: datetime, when: str | None) -> str | None:
    found = nlu.parse_datetime(text, now, prefer="past" if when == "past" else None)
    return found.isoformat() if found else None


_TEMPORAL: dict[str, Callable[[str, datetime, str | None], str | None]] = {
    "date": _date, "time": _time, "datetime": _datetime,
}


_READERS: dict[str, Callable[[str, datetime], Any]] = {
    "text": lambda text, now: text,
    "number": lambda text, now: nlu.parse_number(text),
    "yes_no": lambda text, now: nlu.yes_no(text),
    "email": lambda text, now: nlu.parse_email(text),
    "phone": lambda text, now: nlu.parse_phone(text),
    "cpf": lambda text, now: nlu.parse_cpf(text),
}
