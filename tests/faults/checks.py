"""What the campaign counts besides the replies: from Redis (bookings, reminders, work left undone,
dead signals), from the answers to webhooks and raw probes, and from the processes' logs."""

from __future__ import annotations

import json
from collections import Counter

import redis.asyncio as aioredis

from runtime.keys import ConversationKey, Keys
from runtime.scheduling.model import Appointment
from runtime.scheduling.reminders import reminder_id
from runtime.timers import TimerQueue

from . import tally as T
from .cluster import Cluster
from .meta import Meta

REMINDER_RULES = ("24h", "2h")   # the bot's calendar.json


async def left(client: aioredis.Redis, keys: Keys, bot: str, users: list[str]) -> dict[str, tuple[int, int]]:
    """Users whose inbox (events not run yet) or outbox (replies not sent yet) is not empty."""
    async with client.pipeline(transaction=False) as pipe:
        for user in users:
            key = ConversationKey(bot, "whatsapp", user)
            pipe.xlen(keys.inbox(key))
            pipe.xlen(keys.outbox(key))
        lengths = await pipe.execute()
    return {user: (int(lengths[2 * i]), int(lengths[2 * i + 1])) for i, user in enumerate(users)
            if lengths[2 * i] or lengths[2 * i + 1]}


async def bookings(report: T.Report, client: aioredis.Redis, keys: Keys, bot: str, told: set[str]) -> None:
    """Two active appointments on one slot, one patient holding two for one request, an appointment its
    patient was never told about (`told`: patients who got "booked"), a reminder not scheduled."""
    raw = await client.hgetall(keys.calendar(bot).appts)
    active = [a for a in (Appointment.from_json(json.loads(v)) for v in raw.values()) if a.active]
    by_patient: dict[str, list[Appointment]] = {}
    by_professional: dict[str, list[Appointment]] = {}
    for appt in active:
        by_patient.setdefault(appt.patient, []).append(appt)
        by_professional.setdefault(appt.slot.professional, []).append(appt)
    for patient, mine in by_patient.items():
        if len(mine) > 1:
            report[T.DOUBLE].add(f"{patient} holds {len(mine)} appointments for one request", len(mine) - 1)
        if patient not in told:
            report[T.PHANTOM].add(f"{patient} holds an appointment but was never told it was booked")
    for professional, mine in by_professional.items():
        mine.sort(key=lambda a: a.slot.start)
        for earlier, later in zip(mine, mine[1:], strict=False):
            if later.slot.start < earlier.slot.end:
                report[T.DOUBLE].add(f"{professional}: {earlier.id} and {later.id} overlap")
    queue = TimerQueue(client, prefix=keys.prefix, bot=bot)
    for appt in active:
        for rule in REMINDER_RULES:
            if await queue.get(reminder_id(bot, appt.id, rule)) is None:
                report[T.LOST_REMINDERS].add(f"appointment {appt.id}: its {rule} reminder is not scheduled")


async def dead_signals(report: T.Report, client: aioredis.Redis, keys: Keys, bot: str, users: set[str]) -> int:
    """Signals of `users` dead-lettered; returns how many of other users' were. The fuzzers' conversations
    get one message right after another: their signals may wait on a busy conversation's lock more than
    `PAPO_MAX_DELIVERIES` times, though the worker holding it runs every event."""
    others = 0
    for kind in ("work", "send"):
        stream = keys.dead_signals(bot, kind)
        for _, fields in await client.xrange(stream):
            user = fields.get(b"u", b"?").decode()
            if user in users:
                report[T.DEAD].add(f"a {kind} signal of {user} in {stream}")
            else:
                others += 1
    return others


def answers(report: T.Report, meta: Meta, probes: list[tuple[str, int | None]], cut: list[float | None]) -> None:
    """5xx papo does not promise, 4xx to valid bodies, slow bodies read to the end."""
    groups = Counter((e.status, e.what, e.detail[:100]) for e in meta.five_xx())
    for (code, what, detail), n in groups.most_common():
        report[T.FIVE_XX].add(f"{n} × {code} to {what}: {detail}", n)
    for error in meta.unavailable():
        when = "" if error.after_outage is None else f", {error.after_outage:.2f} s after Redis answered again"
        report[T.UNAVAILABLE].add(f"503 to {error.what}{when}: {error.detail[:80]}")
    for what, answer in probes:
        if answer is not None and answer >= 500:
            report[T.FIVE_XX].add(f"{answer} to a header that is not UTF-8 ({what})")
    for refused in meta.refused_valid:
        report[T.REFUSED].add(refused)
    for seconds in cut:
        if seconds is None:
            report[T.SLOW].add("a body sent one byte a second was still being read when the probe stopped")


def processes(report: T.Report, cluster: Cluster) -> None:
    """Exits nobody asked for, and tracebacks in the logs."""
    for name, papo in cluster.processes.items():
        for code in papo.exits:
            report[T.EXITS].add(f"{name} exited with {code}")
        if tracebacks := papo.tracebacks():
            report[T.TRACEBACKS].add(f"{name}: {tracebacks} (see {papo.log})", tracebacks)
