"""Erasure (LGPD art. 18 VI, 16): every trace of a contact in every key family papo writes.

Each family of `runtime.keys.Keys` has a rule here, by name: `ERASED` says which data class its
keys count in, `KEPT` says why a family holds no one's personal data. A test fails when a family
has neither, so a new key family cannot be forgotten.

What is left: each appointment, anonymised (service, professional, slot, status and the history's
actions and times), for the clinic's statistics; an erasure receipt (counts per data class, no id);
and the contact's requests, closed, without the id. Erasing twice erases nothing the second time.
Not a hot path: it SCANs the contact's hash tag and reads the bot's shared streams and timer shards.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import redis.asyncio as aioredis

from runtime.keys import CalendarKeys, ConversationKey, Keys
from runtime.keys.layout import TIMER_PARTS
from runtime.privacy._redis import HOLE, members, pattern
from runtime.privacy._redis import stream as entries
from runtime.privacy._redis import text as _text
from runtime.privacy.contact import Contact
from runtime.privacy.requests import PrivacyRequests

ERASED_MEMBER = "-"  # an erased contact's place in a campaign's audience (runtime.campaigns)
LOCK_WAIT_MS = 30_000  # a worker's lock lease (runtime.conversations.keys.LOCK_LEASE_MS)
# key family (a `Keys` method) -> the data class its erased keys or entries count in
ERASED: dict[str, str] = {
    "state": "state", "address": "state",
    "inbox": "messages", "outbox": "messages", "sending": "messages", "transcript": "messages",
    "staff": "state", "who": "state",
    "lock": "locks", "send_lock": "locks", "pace": "locks",
    "seen": "dedupe",
    "sent": "deliveries", "delivery": "deliveries", "failed": "deliveries",
    "consents": "consents",
    "decisions": "decisions",
    "llm_conversation": "llm", "llm_history": "llm",
    "handoffs": "handoffs",
    "failures": "stream_entries", "signals": "stream_entries", "dead_signals": "stream_entries",
    "inbox_feed": "stream_entries",
    "timer_shard": "timers",
    "calendar": "appointments",
    "requests": "requests",
    "alerts": "stream_entries",  # monitoring alerts: a masked snippet of the contact's message
    "holds": "held_messages",  # staff messages to the contact waiting for the dpo
    "events": "events", "event_cursors": "events",  # outbound events not yet delivered, and how far each went
    # outbound events of the bot: the contact's pairs waiting, their failing event, the delivery log and dead
    # letters (events carry the contact's hashed id, whose first digits are the conversation's reference)
    "event_due": "events", "event_retry": "events", "event_log": "stream_entries", "event_dead": "stream_entries",
    "campaign": "campaigns", "campaign_day": "campaigns",  # who a campaign run was for, and what they got
}
# key family -> why it holds nobody's personal data
KEPT: dict[str, str] = {
    "erasures": "erasure receipts: a time and counts per data class, no id",
    "flow_version": "archived flow files: the bot's content",
    "llm_usage": "the bot's monthly LLM totals",
    "llm_cache": "answers to masked questions, shared by every patient",
    "rate": "sends per second of the business number",
    "users": "staff accounts", "user": "staff accounts", "token": "staff API tokens (hashed)",
    "user_tokens": "staff API tokens (hashed)", "login_failures": "failed staff sign-ins per address",
    "feed_keys": "the professionals' calendar feed keys",
    "audit": "the staff audit log (LGPD art. 37, kept 5 years under art. 16 I): who did what, with the "
             "contact's hashed reference and never a value; it records the erasure itself",
    "incident": "security incidents: affected contacts only as hashed references (art. 48)",
    "incidents": "the list of incident ids",
    "states": "a SCAN pattern, not a key", "states_of": "a SCAN pattern, not a key",
    "flow_versions_of": "a SCAN pattern, not a key", "events_of": "a SCAN pattern, not a key",
    "stats": "the studio's counters per node and day: node ids and counts, no one's data",
    "stats_index": "the days and flow versions those counters exist for",
    "campaigns": "the ids and creation times of campaign runs",
    "campaign_rate": "campaign starts per second, counts only",
}
# the parts under a conversation's hash tag, by the family that builds them
_TAG_PARTS = {"state": "state", "inbox": "inbox", "outbox": "outbox", "lock": "lock", "seen": "seen",
              "address": "address", "sendlock": "send_lock", "sending": "sending", "pace": "pace", "sent": "sent",
              "delivery": "delivery", "failed": "failed", "consents": "consents", "transcript": "transcript",
              "staff": "staff", "events": "events", "evcursor": "event_cursors"}


@dataclass
class Erasure:
    """What one erasure removed, per data class; `id` names the receipt."""

    id: str
    at: str
    counts: Counter[str] = field(default_factory=Counter)

    def to_json(self) -> dict[str, Any]:
        return {"erasure": self.id, "at": self.at, "erased": dict(sorted(self.counts.items())),
                "total": sum(self.counts.values())}


class Eraser:
    def __init__(self, client: aioredis.Redis, *, prefix: str) -> None:
        self.client = client
        self.keys = Keys(prefix)

    async def erase(self, contact: Contact, *, now: datetime) -> Erasure:
        done = Erasure(secrets.token_hex(6), now.isoformat())
        needles = contact.needles()
        for conv in contact.conversations():  # no turn runs meanwhile; one that ran before is fenced off
            await self._quiet(conv, done.id)
        survey = await self._survey(contact)
        for conv in contact.conversations():
            await self._conversation_keys(conv, survey, done)
            await self._delete(done, "decisions", [self.keys.decisions(conv)])
            conversation = f"{conv.channel}:{conv.user}"
            await self._delete(done, "llm", [self.keys.llm_conversation(conv.bot, conversation),
                                             self.keys.llm_history(conv.bot, conversation)])
            done.counts["handoffs"] += int(await self.client.hdel(self.keys.handoffs(conv.bot), conv.digest,
                                                                  conversation))  # (and as older releases named it)
            await self._delete(done, "state", [self.keys.who(conv.bot, conv.digest)])
        await self._streams(contact.bot, survey, needles, done)
        await self._timers(survey, needles, done)
        await self._calendar(contact, done)
        await self._campaigns(contact, done)
        done.counts["requests"] += await PrivacyRequests(self.client, prefix=self.keys.prefix, bot=contact.bot
                                                         ).close_for_erasure(contact.conversations(), at=now)
        await self.client.xadd(self.keys.erasures(contact.bot), {"r": json.dumps(done.to_json())})
        return done

    async def _quiet(self, conv: ConversationKey, token: str) -> None:
        """Take the conversation's lock, as a worker does, waiting for a turn in flight to end (at most
        its lease); the erasure deletes the lock with the rest. A turn that loaded the state before
        cannot commit after: its fencing token (the state's version) is gone with the state."""
        lock = self.keys.lock(conv)
        for _ in range(LOCK_WAIT_MS // 50):
            if await self.client.set(lock, token, nx=True, px=LOCK_WAIT_MS):
                return
            await asyncio.sleep(0.05)

    async def _survey(self, contact: Contact) -> list[str]:
        """The keys an erasure looks into besides those it can name: the contact's conversation keys
        (dedupe markers, delivery records), the bot's signal streams and timer shards. One SCAN."""
        wanted = [self.keys.state(conv).removesuffix("state") for conv in contact.conversations()]
        wanted += [self.keys.signals(contact.bot, kind, 0).removesuffix("0") for kind in ("work", "send")]
        shards = (self.keys.timer_shard(0, bot=contact.bot).body, self.keys.timer_shard(0).body)
        heads = [body.split("{timers:0}")[0] + "{timers:" for body in shards]
        found = []
        async for raw in self.client.scan_iter(match=pattern(self.keys.prefix + ":" + HOLE), count=1000):
            key = _text(raw)
            if key.startswith(tuple(wanted)) or (key.startswith(tuple(heads)) and key.endswith("}:body")):
                found.append(key)
        return found

    async def _conversation_keys(self, conv: ConversationKey, survey: list[str], done: Erasure) -> None:
        base = self.keys.state(conv).removesuffix("state")
        found = [key for key in survey if key.startswith(base)]
        for key in found:
            part = _text(key)[len(base):].split(":", 1)[0]
            if part != "lock":  # the erasure's own
                done.counts[ERASED[_TAG_PARTS.get(part, "state")]] += 1
        if found:
            await self.client.delete(*found)

    async def _delete(self, done: Erasure, data_class: str, keys: list[str]) -> None:
        done.counts[data_class] += int(await self.client.delete(*keys))

    async def _streams(self, bot: str, survey: list[str], needles: list[str], done: Erasure) -> None:
        """Entries naming the contact in the bot's shared streams (failures, monitoring alerts, work and send
        signals) and its staff messages held for the dpo."""
        signals = tuple(self.keys.signals(bot, kind, 0).removesuffix("0") for kind in ("work", "send"))
        streams = [self.keys.failures(bot), self.keys.alerts(bot), self.keys.inbox_feed(bot),
                   self.keys.event_log(bot), self.keys.event_dead(bot),
                   *(key for key in survey if key.startswith(signals))]
        for stream in streams:
            done.counts["stream_entries"] += await self._xdel_matching(stream, needles)
        done.counts["events"] += await self._event_pairs(bot, needles)
        holds = self.keys.holds(bot)
        doomed = [field for field, value in (await self.client.hgetall(holds)).items()
                  if _mentions([value], needles)]
        if doomed:
            done.counts["held_messages"] += int(await self.client.hdel(holds, *doomed))

    async def _event_pairs(self, bot: str, needles: list[str]) -> int:
        """The contact's pairs waiting for outbound delivery (members name the user id) and their failures."""
        due, retry = self.keys.event_due(bot), self.keys.event_retry(bot)
        doomed = [m for m in await members(self.client, due) if _mentions([m], needles)]
        if not doomed:
            return 0
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.zrem(due, *doomed)
            pipe.hdel(retry, *doomed)
            await pipe.execute()
        return len(doomed)

    async def _xdel_matching(self, stream: str, needles: list[str]) -> int:
        if await self.client.type(stream) not in (b"stream", "stream"):
            return 0
        doomed = [sid for sid, fields in await entries(self.client, stream) if _mentions(fields.values(), needles)]
        if doomed:
            await self.client.xdel(stream, *doomed)
        return len(doomed)

    async def _timers(self, survey: list[str], needles: list[str], done: Erasure) -> None:
        """Pending timers (reminders, timeouts) of the contact, in every shard, and their skipped entries."""
        for body in (key for key in survey if key.endswith("}:body")):
            base = body[: -len("body")]
            bodies = await self.client.hgetall(body)
            doomed = [tid for tid, value in bodies.items() if _mentions([tid, value], needles)]
            if doomed:
                async with self.client.pipeline(transaction=True) as pipe:
                    for part in TIMER_PARTS:
                        if part in ("due", "inflight"):
                            pipe.zrem(base + part, *doomed)
                        elif part != "skipped":
                            pipe.hdel(base + part, *doomed)
                    await pipe.execute()
            done.counts["timers"] += len(doomed)
            done.counts["timers"] += await self._xdel_matching(base + "skipped", needles)

    async def _campaigns(self, contact: Contact, done: Erasure) -> None:
        """The contact leaves every campaign run: its audience entry becomes a hole (the runner's cursor
        keeps its place), its outcome and its place in the daily tiers go."""
        bot = contact.bot
        members = [conv.digest for conv in contact.conversations()]
        for raw in await self.client.zrange(self.keys.campaigns(bot), 0, -1):
            run = _text(raw)
            audience = self.keys.campaign(bot, run, "audience")
            for member in members:
                index = await self.client.lpos(audience, member)
                if isinstance(index, int):
                    await self.client.lset(audience, index, ERASED_MEMBER)
                    done.counts["campaigns"] += 1
                done.counts["campaigns"] += int(await self.client.hdel(self.keys.campaign(bot, run, "done"), member))
        async for raw in self.client.scan_iter(match=pattern(self.keys.campaign_day(bot, HOLE)), count=1000):
            done.counts["campaigns"] += int(await self.client.srem(_text(raw), *members))

    async def _calendar(self, contact: Contact, done: Erasure) -> None:
        """The patient index goes; each appointment stays, anonymised; a hold of theirs is released."""
        cal = self.keys.calendar(contact.bot)
        for patient in contact.patients():
            for appt_id in await members(self.client, cal.patient(patient)):
                raw = await self.client.hget(cal.appts, appt_id)
                if raw is not None:
                    await anonymise(self.client, cal, appt_id, json.loads(raw))
                    done.counts["appointments"] += 1
            await self.client.delete(cal.patient(patient))
            hold = await self.client.hget(f"{cal.base}:holdof", patient)
            if hold is not None:
                value = await self.client.hget(cal.holds, hold)
                async with self.client.pipeline(transaction=True) as pipe:
                    if value is not None:
                        pipe.zrem(cal.busy, _text(value).split("#", 1)[0])
                    pipe.hdel(cal.holds, hold)
                    pipe.zrem(f"{cal.base}:holdexp", hold)
                    pipe.hdel(f"{cal.base}:holdof", patient)
                    await pipe.execute()
                done.counts["holds"] += 1


async def anonymise(client: aioredis.Redis, cal: CalendarKeys, appt_id: str, appointment: dict[str, Any]) -> str:
    """Keep the appointment for statistics under a new random id (the old one may derive from the
    patient's id), without its patient; its slot stays taken while it is active. Returns the new id."""
    new_id = secrets.token_hex(6)
    end_ms = int(datetime.fromisoformat(str(appointment["end"]).replace("Z", "+00:00")).timestamp() * 1000)
    busy = f"a|{appointment['professional']}|{appt_id}|{end_ms}|0"  # runtime.scheduling.keys.BusyMember
    taken, start = await client.zscore(cal.busy, busy), await client.zscore(cal.starts, appt_id)
    async with client.pipeline(transaction=True) as pipe:
        if taken is not None:
            pipe.zrem(cal.busy, busy)
            pipe.zadd(cal.busy, {busy.replace(f"|{appt_id}|", f"|{new_id}|"): taken})
        if start is not None:
            pipe.zrem(cal.starts, appt_id)
            pipe.zadd(cal.starts, {new_id: start})
        pipe.hdel(cal.appts, appt_id)
        pipe.hset(cal.appts, new_id, json.dumps(anonymised(appointment) | {"id": new_id}))
        pipe.zrem(cal.patient(str(appointment.get("patient", ""))), appt_id)
        await pipe.execute()
    return new_id


def anonymised(appointment: dict[str, Any]) -> dict[str, Any]:
    """An appointment without its patient: service, professional, slot, status and what happened when."""
    history = [{k: v for k, v in entry.items() if k in ("at", "action", "start", "professional")}
               | {"by": "patient" if entry.get("by") == "patient" else "staff"}
               for entry in appointment.get("history", ())]
    return {**appointment, "patient": "", "details": {}, "history": history, "anonymised": True}


def _mentions(values: Iterable[Any], needles: list[str]) -> bool:
    texts = [_text(v) for v in values]
    return any(needle in text for text in texts for needle in needles)
