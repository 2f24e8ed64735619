"""Retention (LGPD art. 6 III, 15, 16): each class of data is kept for its period in bot.json
`retention` and then removed or anonymised by the sweeper. Times come from the data itself (the
conversation's last message, a delivery's status time, an appointment's slot, a ledger entry's
`at`), read against the caller's clock, so a virtual clock drives it in tests.

    class          what goes                                       counted from
    idle_state     the conversation's state, reply address and     its last message (or start)
                   the inbox's view of it (assignee, unread)
    messages       transcript, LLM history, FAQ/LLM decisions,      the conversation's last message; `at`
                   failures
    deliveries     delivery records, sent and failed maps           the status time
    dedupe         webhook ids seen                                 when the event was accepted
    appointments   the patient and details (anonymised, kept)       the end of the slot
    consents       ledger entries                                   the entry's `at`
    requests       closed data-subject requests, erasure receipts   when it was closed / done

Inboxes and outboxes left empty by a conversation whose state is gone go too (Redis keeps an empty
stream forever); one with an event or a reply waiting stays.

`audit`, `incidents` and `access_log` are staff records: their periods are read here and shown by
`papo retention report`; the store that writes them applies them.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import redis.asyncio as aioredis

from flows.settings import RetentionSettings
from runtime.engine.state import Conversation
from runtime.keys import ConversationKey, Keys
from runtime.privacy._redis import HOLE, pattern, stream
from runtime.privacy._redis import text as _text
from runtime.privacy.erase import anonymise

SWEPT = ("idle_state", "messages", "deliveries", "dedupe", "appointments", "consents", "requests")
STAFF_RECORDS = ("audit", "incidents", "access_log")


@dataclass
class Sweep:
    """Per data class: items held, and items past their period (removed, unless a dry run)."""

    held: Counter[str] = field(default_factory=Counter)
    expired: Counter[str] = field(default_factory=Counter)
    oldest: dict[str, str] = field(default_factory=dict)

    def saw(self, data_class: str, at: datetime | None, expired: bool) -> None:
        self.held[data_class] += 1
        self.expired[data_class] += expired
        if at is not None and (data_class not in self.oldest or at.isoformat() < self.oldest[data_class]):
            self.oldest[data_class] = at.isoformat()


class Sweeper:
    def __init__(self, client: aioredis.Redis, *, prefix: str, bot: str, retention: RetentionSettings) -> None:
        self.client = client
        self.keys = Keys(prefix)
        self.bot = bot
        self.retention = retention
        self._any = ConversationKey(bot, HOLE, HOLE)  # any conversation of the bot, in a pattern

    def _limit(self, data_class: str, now: datetime) -> datetime:
        return now - self.retention.of(data_class)

    async def run(self, now: datetime, *, apply: bool = True) -> Sweep:
        """Remove (or, with `apply=False`, only count) what is past its period; safe to repeat."""
        sweep = Sweep()
        await self._conversations(now, sweep, apply)
        await self._deliveries(now, sweep, apply)
        await self._dedupe(now, sweep, apply)
        await self._appointments(now, sweep, apply)
        await self._requests(now, sweep, apply)
        return sweep

    async def report(self, now: datetime) -> list[dict[str, Any]]:
        sweep = await self.run(now, apply=False)
        rows = []
        for data_class, period in self.retention.periods.items():
            row: dict[str, Any] = {"class": data_class, "period_days": period / timedelta(days=1)}
            if data_class in SWEPT:
                row |= {"held": sweep.held[data_class], "past_period": sweep.expired[data_class],
                        "oldest": sweep.oldest.get(data_class)}
            else:
                row["note"] = "a staff record: kept by the store that writes it"
            rows.append(row)
        return rows

    async def _scan(self, pattern: str) -> list[str]:
        return [_text(k) async for k in self.client.scan_iter(match=pattern, count=1000)]

    async def _conversations(self, now: datetime, sweep: Sweep, apply: bool) -> None:
        """Idle states, the messages of quiet conversations, and old consent ledger entries."""
        for key in await self._scan(pattern(self.keys.state(self._any))):
            conv = _conversation(key[len(self.keys.prefix) + 1:], self.bot)
            if conv is None:
                continue
            doc = await self.client.hget(key, "doc")
            state = Conversation.from_json(json.loads(doc), version=0) if doc else None
            last = _last_activity(state)
            idle = last is not None and last < self._limit("idle_state", now)
            sweep.saw("idle_state", last, idle)
            quiet = last is not None and last < self._limit("messages", now)
            conversation = f"{conv.channel}:{conv.user}"
            message_keys = [self.keys.llm_history(self.bot, conversation), self.keys.decisions(conv),
                            self.keys.transcript(conv)]
            held = int(await self.client.exists(*message_keys))
            for _ in range(held):
                sweep.saw("messages", last, quiet)
            if apply and quiet and held:
                await self.client.delete(*message_keys)
            if apply and idle:
                await self.client.delete(self.keys.state(conv), self.keys.address(conv), self.keys.staff(conv),
                                         self.keys.who(conv.bot, conv.digest))
        for key in await self._scan(pattern(self.keys.consents(self._any))):  # also of forgotten states
            await self._ledger(key, now, sweep, apply)
        await self._failures(now, sweep, apply)
        if apply:
            await self._empty_streams()

    async def _empty_streams(self) -> None:
        """Inboxes and outboxes left empty by conversations whose state is gone (removed here, or expired
        after its 90 days): Redis keeps an empty stream forever. One with events or replies waiting stays."""
        for part in ("inbox", "outbox"):
            for key in await self._scan(pattern(getattr(self.keys, part)(self._any))):
                state = key[: -len(part)] + "state"  # the same conversation's hash tag: one slot
                if not await self.client.exists(state) and not await self.client.xlen(key):
                    await self.client.delete(key)

    async def _ledger(self, key: str, now: datetime, sweep: Sweep, apply: bool) -> None:
        await self._old_entries(key, "c", "consents", now, sweep, apply)

    async def _failures(self, now: datetime, sweep: Sweep, apply: bool) -> None:
        await self._old_entries(self.keys.failures(self.bot), "f", "messages", now, sweep, apply)

    async def _old_entries(self, key: str, field: str, data_class: str, now: datetime, sweep: Sweep,
                           apply: bool) -> None:
        """The entries of stream `key` (JSON with an "at" in `field`) past `data_class`'s retention."""
        limit = self._limit(data_class, now)
        doomed = []
        for sid, fields in await stream(self.client, key):
            at = _at(json.loads(fields[field]).get("at"))
            old = at is not None and at < limit
            sweep.saw(data_class, at, old)
            if old:
                doomed.append(sid)
        if apply and doomed:
            await self.client.xdel(key, *doomed)

    async def _deliveries(self, now: datetime, sweep: Sweep, apply: bool) -> None:
        limit = self._limit("deliveries", now)
        for key in await self._scan(pattern(self.keys.delivery(self._any, HOLE))):
            at = _at(await self.client.hget(key, "at"))
            old = at is not None and at < limit
            sweep.saw("deliveries", at, old)
            if apply and old:
                papo_id = await self.client.hget(key, "papo_id")
                sent = key[: key.rindex(":delivery:")] + ":sent"
                await self.client.delete(key)
                if papo_id is not None:
                    await self.client.hdel(sent, key.rsplit(":delivery:", 1)[1])
        for key in await self._scan(pattern(self.keys.failed(self._any))):
            old_ids = []
            for papo_id, raw in (await self.client.hgetall(key)).items():
                at = _at(json.loads(raw).get("at"))
                old = at is not None and at < limit
                sweep.saw("deliveries", at, old)
                if old:
                    old_ids.append(papo_id)
            if apply and old_ids:
                await self.client.hdel(key, *old_ids)

    async def _dedupe(self, now: datetime, sweep: Sweep, apply: bool) -> None:
        limit_ms = self._limit("dedupe", now).timestamp() * 1000
        for key in await self._scan(pattern(self.keys.seen(self._any, HOLE))):
            raw = _text(await self.client.get(key) or "")
            if not raw.isdigit() or int(raw) < 10**11:  # '1': written before times were kept; its TTL ends it
                sweep.saw("dedupe", None, False)
                continue
            old = int(raw) < limit_ms
            sweep.saw("dedupe", datetime.fromtimestamp(int(raw) / 1000, now.tzinfo), old)
            if apply and old:
                await self.client.delete(key)

    async def _appointments(self, now: datetime, sweep: Sweep, apply: bool) -> None:
        cal = self.keys.calendar(self.bot)
        limit = self._limit("appointments", now)
        for appt_id, raw in (await self.client.hgetall(cal.appts)).items():
            appt = json.loads(raw)
            if not appt.get("patient"):
                continue
            end = _at(appt.get("end"))
            old = end is not None and end < limit
            sweep.saw("appointments", end, old)
            if apply and old:
                await anonymise(self.client, cal, _text(appt_id), appt)

    async def _requests(self, now: datetime, sweep: Sweep, apply: bool) -> None:
        limit = self._limit("requests", now)
        key = self.keys.requests(self.bot)
        for request_id, raw in (await self.client.hgetall(key)).items():
            closed = _at(json.loads(raw).get("closed_at"))
            old = closed is not None and closed < limit
            sweep.saw("requests", closed, old)
            if apply and old:
                await self.client.hdel(key, request_id)
        receipts = self.keys.erasures(self.bot)
        doomed = []
        for sid, fields in await stream(self.client, receipts):
            at = _at(json.loads(fields["r"]).get("at"))
            old = at is not None and at < limit
            sweep.saw("requests", at, old)
            if old:
                doomed.append(sid)
        if apply and doomed:
            await self.client.xdel(receipts, *doomed)


def _last_activity(state: Conversation | None) -> datetime | None:
    if state is None:
        return None
    return _at(state.last_inbound_at or state.started_at)


def _conversation(rest: str, bot: str) -> ConversationKey | None:
    """`{bot:channel:user}:state` -> its key (a user id may hold ':'; the channel never does)."""
    tag = rest[1: rest.rindex("}")]
    found_bot, _, tail = tag.partition(":")
    channel, _, user = tail.partition(":")
    return ConversationKey(found_bot, channel, user) if found_bot == bot and user else None


def _at(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        found = datetime.fromisoformat(_text(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return found if found.tzinfo is not None else None
