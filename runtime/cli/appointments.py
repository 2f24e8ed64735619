"""`papo appointments BOTDIR [--day YYYY-MM-DD] [--json]`: a bot's appointments and pending timers,
read from REDIS_URL (with the embedded store there is nothing to list across processes)."""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import date
from pathlib import Path
from typing import Any

from flows.loader import load_bot
from runtime.scheduling import Appointment, Calendar, Scheduler, load_calendar
from runtime.service.settings import Settings, redis_client
from runtime.timers import TimerQueue


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("appointments", help="list a bot's appointments and pending timers")
    parser.add_argument("botdir", type=Path)
    parser.add_argument("--day", type=date.fromisoformat, help="appointments of this day, YYYY-MM-DD (default: today)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--timers", type=int, default=50, help="how many pending timers to show (default 50)")
    parser.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    return asyncio.run(list_appointments(args.botdir, day=args.day, as_json=args.json, timers=args.timers))


async def list_appointments(root: Path, *, day: date | None = None, as_json: bool = False, timers: int = 50,
                            settings: Settings | None = None) -> int:
    settings = settings or Settings.from_env()
    bot = load_bot(root)
    calendar = load_calendar(root, calendar_id=bot.name)
    client = redis_client(settings)
    try:
        scheduler = Scheduler.with_redis(calendar, client, prefix=settings.key_prefix)
        day = day or calendar.local(scheduler.clock.now()).date()
        found = await scheduler.appointments_on(day)
        pending = await TimerQueue(client, prefix=settings.key_prefix, bot=bot.name).pending(timers)
    finally:
        await client.aclose()
    if as_json:
        print(json.dumps({"day": day.isoformat(), "appointments": [a.to_json() for a in found],
                          "timers": [t.to_json() for t in pending]}, ensure_ascii=False, indent=2))
        return 0
    print(f"{bot.name}: {len(found)} appointment(s) on {day.isoformat()} ({calendar.tz.key})")
    for appt in found:
        print("  " + _appointment_line(appt, calendar))
    print(f"{len(pending)} pending timer(s)")
    for timer in pending:
        print(f"  {calendar.local(timer.due):%Y-%m-%d %H:%M}  {timer.kind:<12} {timer.id}")
    return 0


def _appointment_line(appt: Appointment, calendar: Calendar) -> str:
    local = calendar.local(appt.slot.start)
    who = calendar.professionals[appt.slot.professional].name if appt.slot.professional in calendar.professionals \
        else appt.slot.professional
    return f"{local:%H:%M}  {appt.status:<9} {who:<18} {appt.slot.service:<12} {appt.patient}  ({appt.id})"

