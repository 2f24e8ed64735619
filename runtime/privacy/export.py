"""Access and portability (LGPD art. 18 I, II, V, VII; art. 19): a versioned JSON of everything
papo holds about a contact, in a reusable format, and the simplified answer (`summary`).

Variables are shown unmasked (this is the person's own data, given to them after staff confirmed
who they are); what papo sent to others is named in `recipients`. Reading only; no key is changed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import redis.asyncio as aioredis

from flows.model import Bot, localize
from runtime.engine.state import Conversation
from runtime.keys import ConversationKey, Keys
from runtime.privacy._redis import HOLE, members, pattern
from runtime.privacy.contact import Contact
from runtime.privacy.ledger import ConsentLedger
from runtime.privacy.requests import PrivacyRequests
from runtime.timers.model import decode

FORMAT = "papo.contact-export"
VERSION = 1
# Who else receives a contact's data, by what papo does with it (art. 18 VII; art. 33 for transfers abroad).
RECIPIENTS: tuple[dict[str, str], ...] = (
    {"name": "Meta Platforms (the messaging app the contact wrote on)", "what": "every message to and from the contact",
     "why": "the channel the contact chose", "where": "outside Brazil (LGPD art. 33)"},
    {"name": "the LLM provider (OPENAI_BASE_URL)", "what": "recent messages with personal data masked "
     "(CPF, phone, e-mail, card, tagged variables)", "why": "answering questions the flows do not cover",
     "where": "outside Brazil (LGPD art. 33), when the LLM fallback is on"},
)


class Exporter:
    def __init__(self, client: aioredis.Redis, *, prefix: str) -> None:
        self.client = client
        self.keys = Keys(prefix)

    async def export(self, contact: Contact, bot: Bot, *, now: datetime) -> dict[str, Any]:
        """Everything papo holds about the contact; `found` is False when it holds nothing."""
        conversations = [await self._conversation(conv, bot) for conv in contact.conversations()]
        held = [c for c in conversations if c["found"]]
        appointments = await self._appointments(contact)
        timers = await self._timers(contact)
        book = PrivacyRequests(self.client, prefix=self.keys.prefix, bot=contact.bot)
        requests = [{**r, "user": contact.user} for r in await book.of_contact(contact.conversations())]
        return {
            "format": FORMAT, "version": VERSION, "generated_at": now.isoformat(), "bot": contact.bot,
            "contact": {"channel": contact.channel, "user": contact.user, "forms": list(contact.forms)},
            "found": bool(held or appointments),
            "controller": _notice(bot),
            "purposes": [{"purpose": "service", "basis": "LGPD art. 7 V and art. 11 II f (the patient's request; "
                          "health care)"},
                         {"purpose": "reminders", "basis": "art. 11 II f; stopped by PARAR"},
                         {"purpose": "marketing", "basis": "consent (art. 7 I, art. 8); revocable at any time"}],
            "recipients": list(RECIPIENTS),
            "conversations": held,
            "appointments": appointments,
            "scheduled": timers,
            "requests": requests,
        }

    async def summary(self, contact: Contact, bot: Bot, *, now: datetime) -> dict[str, Any]:
        """The simplified answer of art. 19 I: what kinds of data papo holds, how many, and why."""
        full = await self.export(contact, bot, now=now)
        counts: dict[str, int] = {"appointments": len(full["appointments"]), "requests": len(full["requests"]),
                                  "scheduled": len(full["scheduled"])}
        consents: dict[str, Any] = {}
        for conv in full["conversations"]:
            for name in ("variables", "pending_messages", "llm_history", "deliveries", "decisions"):
                counts[name] = counts.get(name, 0) + len(conv[name])
            counts["consent_entries"] = counts.get("consent_entries", 0) + len(conv["consents"]["ledger"])
            consents |= conv["consents"]["current"]
        return {"format": FORMAT, "version": VERSION, "summary": True, "generated_at": full["generated_at"],
                "contact": full["contact"], "found": full["found"], "held": counts, "consents": consents,
                "controller": full["controller"], "purposes": full["purposes"],
                "recipients": [r["name"] for r in full["recipients"]]}

    async def _timers(self, contact: Contact) -> list[dict[str, Any]]:
        """What papo will send or do later for the contact (reminders, timeouts): each pending timer's
        kind, when it falls due and what it carries."""
        needles = [f'"{form}"' for form in contact.forms] + [f'"{contact.channel}:{form}"' for form in contact.forms]
        refs = [ref.rsplit("/", 1)[1] for ref in contact.refs()]
        shards = pattern(self.keys.timer_shard(0, bot=contact.bot).body.replace("{timers:0}", "{timers:" + HOLE + "}"))
        found = []
        async for raw in self.client.scan_iter(match=shards, count=1000):
            for timer_id, body in (await self.client.hgetall(raw)).items():
                timer, _ = decode(_text(timer_id), _text(body))
                carried = json.dumps(timer.payload, ensure_ascii=False)
                if any(n in carried for n in needles) or any(r in timer.id for r in refs):
                    found.append({"id": timer.id, "kind": timer.kind, "due": timer.due.isoformat(),
                                  "payload": timer.payload})
        return sorted(found, key=lambda t: t["due"])

    async def _conversation(self, conv: ConversationKey, bot: Bot) -> dict[str, Any]:
        k = self.keys
        async with self.client.pipeline(transaction=False) as pipe:
            pipe.hmget(k.state(conv), "ver", "doc")
            pipe.xrange(k.inbox(conv))
            pipe.xrange(k.outbox(conv))
            pipe.hgetall(k.sent(conv))
            pipe.hgetall(k.failed(conv))
            pipe.lrange(k.decisions(conv), 0, -1)
            pipe.lrange(k.llm_history(conv.bot, f"{conv.channel}:{conv.user}"), 0, -1)
            pipe.hget(k.handoffs(conv.bot), conv.digest)
            (ver, doc), inbox, outbox, sent, failed, decisions, history, handoff = await pipe.execute()
        state = Conversation.from_json(json.loads(doc), version=int(ver)) if doc else None
        async with self.client.pipeline(transaction=False) as pipe:  # every record in one round trip
            for channel_id in sent:
                pipe.hgetall(k.delivery(conv, _text(channel_id)))
            records = await pipe.execute() if sent else []
        deliveries = [{"channel_message_id": _text(channel_id), "message": _text(papo_id),
                       **{_text(a): _text(b) for a, b in record.items()}}
                      for (channel_id, papo_id), record in zip(sent.items(), records, strict=True)]
        ledger = await ConsentLedger(self.client, prefix=k.prefix).entries(conv)
        found = state is not None or bool(inbox or outbox or sent or failed or decisions or history or ledger)
        return {
            "user": conv.user, "found": found,
            "conversation": _state_view(state),
            "variables": dict(state.vars) if state is not None else {},
            "variable_tags": {name: list(v.tags) for name in (state.vars if state else {})
                              if (v := bot.variable(name)) is not None and v.tags},
            "pending_messages": [json.loads(_text(_field(f, "e"))) for _, f in inbox]
            + [json.loads(_text(_field(f, "m"))) for _, f in outbox],
            "transcript": "papo keeps no transcript: messages leave the inbox once answered; "
                          "pending_messages and llm_history are what is kept",
            "llm_history": [_text(line) for line in history],
            "deliveries": deliveries,
            "not_sent": {_text(a): json.loads(b) for a, b in failed.items()},
            "decisions": [json.loads(d) for d in decisions],
            "handoff": json.loads(handoff) if handoff else None,
            "consents": {"current": dict(state.consents) if state else {}, "ledger": ledger},
        }

    async def _appointments(self, contact: Contact) -> list[dict[str, Any]]:
        cal = self.keys.calendar(contact.bot)
        out = []
        for patient in contact.patients():
            ids = await members(self.client, cal.patient(patient))
            if ids:
                out += [json.loads(raw) for raw in await self.client.hmget(cal.appts, ids) if raw is not None]
        return out


def _state_view(state: Conversation | None) -> dict[str, Any] | None:
    if state is None:
        return None
    fields = ("flow", "node", "waiting", "locale", "started_at", "last_inbound_at", "turns", "handoff_queue",
              "opted_out_at", "privacy_requested_at", "blocked_at")
    return {name: getattr(state, name) for name in fields}


def _notice(bot: Bot) -> dict[str, Any]:
    notice = bot.privacy
    def said(value: Any) -> Any:
        if isinstance(value, tuple):
            return [said(v) for v in value]
        return localize(value, bot.default_locale, bot.default_locale) if value else ""
    return {part: said(getattr(notice, part)) for part in ("controller", "dpo", "purposes", "retention",
                                                           "recipients", "rights", "monitoring")}


def _field(fields: Mapping[Any, Any], name: str) -> Any:
    return fields.get(name.encode(), fields.get(name))


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
