from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar as ICalendar

from runtime.scheduling import Scheduler, Slot

from .conftest import SP, local


async def test_each_professional_gets_a_feed_with_status_and_local_times(scheduler: Scheduler) -> None:
    start = local(2026, 3, 10, 8, 0)
    kept = await scheduler.book(Slot("consulta", "dra_ana", start, start + timedelta(minutes=30)), "5511999990000")
    gone = await scheduler.book(Slot("retorno", "dra_ana", local(2026, 3, 10, 9, 0),
                                     local(2026, 3, 10, 9, 20)), "p2")
    await scheduler.cancel(gone.id, patient="p2")
    await scheduler.book(Slot("consulta", "dr_bruno", local(2026, 3, 10, 13, 0),
                              local(2026, 3, 10, 13, 30)), "p3")
    feed = ICalendar.from_ical(await scheduler.ics_feed("dra_ana"))
    events = {str(e["uid"]): e for e in feed.walk("VEVENT")}
    assert set(events) == {f"{kept.id}@clinica.papo", f"{gone.id}@clinica.papo"}
    first = events[f"{kept.id}@clinica.papo"]
    assert first.decoded("dtstart") == start.astimezone(SP)
    assert first["dtstart"].params["TZID"] == "America/Sao_Paulo"
    assert str(first["status"]) == "TENTATIVE" and "Consulta" in str(first["summary"])
    assert "5511999990000" not in str(first["summary"])
    assert str(events[f"{gone.id}@clinica.papo"]["status"]) == "CANCELLED"
    assert [str(tz["tzid"]) for tz in feed.walk("VTIMEZONE")] == ["America/Sao_Paulo"]
