"""Security incidents (LGPD art. 48; ANPD Resolution CD/ANPD 15/2024): the record kept five years, the
deadline to notify the ANPD and the data subjects (3 business days from the controller learning of
it), and who an incident may have touched.

Business days skip weekends and Brazil's national holidays (fixed by law: Lei 662/1949, 6.802/1980,
14.759/2023; Good Friday, from Easter as `nlu.holidays` computes it). Carnival and Corpus Christi are
optional days off, not holidays: counting them as business days gives the earlier, safer deadline.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import redis.asyncio as aioredis

from flows.errors import PapoError
from nlu.holidays import easter
from runtime.engine.clock import Clock, SystemClock
from runtime.keys import Keys

KEPT = timedelta(days=5 * 365 + 2)  # Res. 15/2024: the record is kept at least five years
NOTICE_BUSINESS_DAYS = 3
_FIXED = {(1, 1): "Confraternização Universal", (4, 21): "Tiradentes", (5, 1): "Dia do Trabalho",
          (9, 7): "Independência do Brasil", (10, 12): "Nossa Senhora Aparecida", (11, 2): "Finados",
          (11, 15): "Proclamação da República", (11, 20): "Dia Nacional de Zumbi e da Consciência Negra",
          (12, 25): "Natal"}


class IncidentInvalid(PapoError):
    """An incident record that cannot be kept as sent (the message names the field and the fix)."""


def national_holidays(year: int) -> dict[date, str]:
    days = {date(year, m, d): name for (m, d), name in _FIXED.items()
            if not (m, d) == (11, 20) or year >= 2024}
    days[easter(year) - timedelta(days=2)] = "Paixão de Cristo"
    return days


def business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in national_holidays(day.year)


def add_business_days(start: date, days: int) -> date:
    """The `days`-th business day after `start` (the day itself does not count)."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        days -= business_day(current)
    return current


def business_days_between(start: date, end: date) -> int:
    """Business days after `start` up to and including `end` (negative when `end` is before `start`)."""
    if end < start:
        return -business_days_between(end, start)
    return sum(business_day(start + timedelta(days=n)) for n in range(1, (end - start).days + 1))


@dataclass(frozen=True, slots=True)
class Incident:
    id: str
    title: str
    detected_at: str  # when the controller learned of it: the deadline counts from this day
    recorded_at: str
    recorded_by: str
    deadline: str  # the last day to notify the ANPD and the data subjects
    description: str = ""
    data_classes: tuple[str, ...] = ()
    affected: int | None = None
    measures: str = ""
    keep_until: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self, today: date | None = None) -> dict[str, Any]:
        out = asdict(self) | {"data_classes": list(self.data_classes)}
        if today is not None:
            out["business_days_left"] = business_days_between(today, date.fromisoformat(self.deadline))
        return out


def _parsed(body: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(body.get("title"), str) or not body["title"].strip():
        raise IncidentInvalid('send "title": a short name of what happened')
    try:
        detected = datetime.fromisoformat(str(body.get("detected_at", "")))
    except ValueError:
        detected = None
    if detected is None or detected.tzinfo is None:
        raise IncidentInvalid('send "detected_at": when the clinic learned of it, e.g. "2026-03-02T14:30:00-03:00"')
    classes = body.get("data_classes", [])
    if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes):
        raise IncidentInvalid('"data_classes" must be a list of strings, e.g. ["identification", "health"]')
    affected = body.get("affected")
    if affected is not None and (not isinstance(affected, int) or isinstance(affected, bool) or affected < 0):
        raise IncidentInvalid('"affected" must be a whole number of data subjects, 0 or more')
    for name in ("description", "measures"):
        if not isinstance(body.get(name, ""), str):
            raise IncidentInvalid(f'"{name}" must be text')
    return {"title": body["title"].strip()[:200], "detected": detected, "classes": tuple(classes),
            "affected": affected, "description": body.get("description", ""), "measures": body.get("measures", "")}


class IncidentBook:
    def __init__(self, client: aioredis.Redis, *, prefix: str, clock: Clock | None = None) -> None:
        self.client = client
        self.keys = Keys(prefix)
        self.clock = clock or SystemClock()

    async def record(self, body: dict[str, Any], *, by: str) -> Incident:
        """Keep an incident five years; raises IncidentInvalid naming what is wrong in `body`."""
        fields = _parsed(body)
        now, detected = self.clock.now(), fields["detected"]
        incident = Incident(
            id=f"inc-{now:%Y%m%d}-{secrets.token_hex(3)}", title=fields["title"], detected_at=detected.isoformat(),
            recorded_at=now.isoformat(), recorded_by=by,
            deadline=add_business_days(detected.date(), NOTICE_BUSINESS_DAYS).isoformat(),
            description=fields["description"], data_classes=fields["classes"], affected=fields["affected"],
            measures=fields["measures"], keep_until=(now + KEPT).date().isoformat())
        async with self.client.pipeline(transaction=False) as pipe:  # two slots on a cluster: no MULTI
            pipe.set(self.keys.incident(incident.id), json.dumps(incident.to_json(), ensure_ascii=False),
                     ex=int(KEPT.total_seconds()))
            pipe.zadd(self.keys.incidents(), {incident.id: now.timestamp()})
            pipe.zremrangebyscore(self.keys.incidents(), "-inf", (now - KEPT).timestamp())
            await pipe.execute()
        return incident

    async def all(self) -> list[Incident]:
        ids = [i.decode() if isinstance(i, bytes) else str(i)
               for i in await self.client.zrevrange(self.keys.incidents(), 0, -1)]
        found = []
        for raw in (await self.client.mget([self.keys.incident(i) for i in ids]) if ids else []):
            if raw is not None:
                data = json.loads(raw)
                found.append(Incident(**(data | {"data_classes": tuple(data["data_classes"])})))
        return found
