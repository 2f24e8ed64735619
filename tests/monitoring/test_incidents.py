"""Incidents: the ANPD deadline counts 3 business days (no weekends, no national holidays), the
record is kept five years, a bad record is refused with what to fix."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from runtime.engine.clock import ManualClock
from runtime.keys import Keys
from runtime.monitoring import IncidentBook, IncidentInvalid, add_business_days
from runtime.monitoring.incidents import business_days_between, national_holidays


@pytest.mark.parametrize(("start", "deadline"), [
    (date(2026, 3, 2), date(2026, 3, 5)),  # Monday -> Thursday
    (date(2026, 3, 5), date(2026, 3, 10)),  # Thursday -> Tuesday (a weekend between)
    (date(2026, 4, 1), date(2026, 4, 7)),  # Wednesday; Good Friday (April 3rd) and the weekend skipped
    (date(2026, 4, 17), date(2026, 4, 23)),  # Friday; Tiradentes (Tuesday April 21st) skipped
    (date(2025, 11, 19), date(2025, 11, 25)),  # Wednesday; Consciência Negra (Thursday) skipped
    (date(2026, 12, 23), date(2026, 12, 29)),  # Wednesday; Christmas (Friday) skipped
])
def test_three_business_days(start: date, deadline: date) -> None:
    assert add_business_days(start, 3) == deadline
    assert business_days_between(start, deadline) == 3


def test_national_holidays() -> None:
    days = national_holidays(2026)
    assert date(2026, 4, 3) in days and date(2026, 11, 20) in days and len(days) == 10
    assert date(2023, 11, 20) not in national_holidays(2023)  # a national holiday from 2024 (Lei 14.759/2023)
    assert date(2026, 2, 17) not in days  # Carnival is an optional day off: counting it gives the safer deadline


async def test_an_incident_is_kept_five_years_with_its_deadline(redis_client: Any, redis_prefix: str) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 15, tzinfo=UTC))
    book = IncidentBook(redis_client, prefix=redis_prefix, clock=clock)
    incident = await book.record({"title": "Notebook da recepção furtado", "detected_at": "2026-03-02T09:00:00-03:00",
                                  "data_classes": ["identificação", "saúde"], "affected": 120}, by="dani")
    assert incident.deadline == "2026-03-05" and incident.recorded_by == "dani"
    ttl = await redis_client.ttl(Keys(redis_prefix).incident(incident.id))
    assert ttl > (timedelta(days=5 * 365) - timedelta(days=1)).total_seconds()
    assert [i.id for i in await book.all()] == [incident.id]
    assert incident.to_json(date(2026, 3, 3))["business_days_left"] == 2


@pytest.mark.parametrize(("body", "says"), [
    ({}, "title"), ({"title": "x"}, "detected_at"), ({"title": "x", "detected_at": "2026-03-02T09:00"}, "detected_at"),
    ({"title": "x", "detected_at": "2026-03-02T09:00:00Z", "affected": -1}, "affected"),
    ({"title": "x", "detected_at": "2026-03-02T09:00:00Z", "data_classes": "saúde"}, "data_classes"),
])
async def test_a_bad_incident_is_refused_and_nothing_is_kept(redis_client: Any, redis_prefix: str,
                                                            body: dict[str, Any], says: str) -> None:
    book = IncidentBook(redis_client, prefix=redis_prefix)
    with pytest.raises(IncidentInvalid, match=says):
        await book.record(body, by="dani")
    assert await book.all() == []
