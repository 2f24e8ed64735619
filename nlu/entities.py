"""Built-in entities with their spans: dates, times, periods, numbers, phones, CPF, e-mail."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any

from nlu.contacts import find_ceps, find_cpfs, find_emails, find_phones
from nlu.numbers import find_numbers
from nlu.spans import Occupied
from nlu.temporal import find_temporal
from nlu.temporal_fallback import fallback_search
from nlu.temporal_types import DEFAULT_RULES, Found, Interval, Prefer, TemporalRules

BUILTIN_DIMENSIONS = ("email", "cpf", "phone", "cep", "date", "time", "datetime", "interval", "number")
_TEMPORAL = frozenset({"date", "time", "datetime", "interval"})


@dataclass(frozen=True, slots=True)
class Entity:
    """One entity in a message: its kind, span in the original text, value and who found it."""

    entity: str
    start: int
    end: int
    text: str
    value: Any
    extractor: str
    confidence: float = 1.0
    role: str | None = None
    group: str | None = None
    processors: tuple[str, ...] = ()
    additional_info: dict[str, Any] | None = field(default=None, compare=False)

    def to_rasa(self) -> dict[str, Any]:
        """The entity as Rasa's `/model/parse` emits it (values made JSON-friendly)."""
        out: dict[str, Any] = {
            "entity": self.entity, "start": self.start, "end": self.end, "value": json_value(self.value),
            "confidence": self.confidence, "confidence_entity": self.confidence, "extractor": self.extractor,
        }
        optional = {"role": self.role, "group": self.group, "additional_info": self.additional_info}
        out.update({key: value for key, value in optional.items() if value is not None})
        if self.processors:
            out["processors"] = list(self.processors)
        return out


def json_value(value: Any) -> Any:
    if isinstance(value, Interval):
        return value.to_json()
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def extract_builtin(
    text: str,
    now: datetime,
    *,
    dimensions: Collection[str] = BUILTIN_DIMENSIONS,
    rules: TemporalRules = DEFAULT_RULES,
    dateparser_fallback: bool = False,
    prefer: Prefer | None = None,
) -> list[Entity]:
    """Built-in entities, without overlaps: e-mail, CPF and phone win over dates, dates over numbers.

    `prefer` ("future" or "past") says which way a date that does not say it goes (see
    `TemporalRules.prefer`); a temporal entity the message rules out ("hoje não consigo") has
    `"negated": true` in its additional_info."""
    if prefer is not None and prefer != rules.prefer:
        rules = replace(rules, prefer=prefer)
    occupied = Occupied()
    chosen = [
        entity for entity in _candidates(text, now, rules, dateparser_fallback)
        if entity.entity in dimensions and occupied.take(entity.start, entity.end)
    ]
    return sorted(chosen, key=lambda e: e.start)


def _candidates(text: str, now: datetime, rules: TemporalRules, fallback: bool) -> Iterator[Entity]:
    for match in find_emails(text):
        yield Entity("email", match.start, match.end, text[match.start : match.end], match.value, "PtBrEmail")
    for match in find_cpfs(text, plain=False):
        yield Entity("cpf", match.start, match.end, text[match.start : match.end], match.value, "PtBrCpf")
    for match in find_phones(text):
        yield Entity("phone", match.start, match.end, text[match.start : match.end], match.value, "PtBrPhone")
    for match in find_ceps(text):
        yield Entity("cep", match.start, match.end, text[match.start : match.end], match.value, "PtBrCep")
    for match in find_cpfs(text):
        yield Entity("cpf", match.start, match.end, text[match.start : match.end], match.value, "PtBrCpf")
    temporal = [_temporal_entity(text, found) for found in find_temporal(text, now, rules)]
    yield from temporal
    if fallback and not temporal:
        yield from _fallback_entities(text, now)
    for span in find_numbers(text):
        yield Entity("number", span.start, span.end, text[span.start : span.end], span.value, "PtBrNumber")


def _temporal_entity(text: str, found: Found) -> Entity:
    value: Any = {"date": found.day, "time": found.clock, "datetime": found.moment}.get(found.kind)
    info: dict[str, Any] = {"type": "value", "grain": _grain(found)}
    if found.kind == "interval" and found.interval is not None:
        value = found.interval
        info = {"type": "interval", "grain": found.interval.grain, **found.interval.to_json()}
        if found.day is not None:
            info["day"] = found.day.isoformat()  # the day said with the clock times or period
    if found.period:
        info["period"] = found.period
    if found.open:
        info["open"] = found.open
    if found.negated:
        info["negated"] = True
    info["value"] = json_value(value)
    return Entity(found.kind, found.start, found.end, text[found.start : found.end], value, "PtBrTemporal",
                  additional_info=info)


def _grain(found: Found) -> str:
    if found.kind == "date":
        return "day"
    moment = found.clock or (found.moment.timetz() if found.moment else None)
    return "minute" if moment is not None and moment.minute else "hour"


def _fallback_entities(text: str, now: datetime) -> Iterator[Entity]:
    cursor = 0
    for matched, moment in fallback_search(text, now):
        start = text.find(matched, cursor)
        if start < 0:
            continue
        cursor = start + len(matched)
        value: date | datetime = moment.date() if moment.time() == time(0) else moment
        kind, grain = ("date", "day") if type(value) is date else ("datetime", "minute")
        info = {"type": "value", "grain": grain, "value": value.isoformat()}
        yield Entity(kind, start, cursor, matched, value, "Dateparser", confidence=0.6, additional_info=info)
