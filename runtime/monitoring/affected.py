"""`papo incident affected --since --until`: the conversations an incident in a time window may have
touched, what classes of data they hold, and a draft of the notice LGPD art. 48 §1 asks for.

A conversation counts when its activity (from its start to its last patient message) overlaps the
window, or when staff opened it through the admin API in the window (the audit log says so). It
SCANs the keyspace: an offline command, never on a request's path. Contacts are named by their
hashed reference only; the clinic looks them up in the admin API to reach them.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis.asyncio as aioredis

from flows.model import Bot
from runtime.access.audit import AuditLog
from runtime.keys import ConversationKey, Keys
from runtime.monitoring.incidents import NOTICE_BUSINESS_DAYS, add_business_days


@dataclass(frozen=True, slots=True)
class Affected:
    conversation: str
    channel: str
    classes: tuple[str, ...]
    why: str  # "active" or "viewed by staff"

    def to_json(self) -> dict[str, object]:
        return {"conversation": self.conversation, "channel": self.channel, "classes": list(self.classes),
                "why": self.why}


def _classes(bot: Bot, variables: dict[str, Any]) -> tuple[str, ...]:
    found = {"contact identifier (phone number or account id)", "message contents"}
    for name in variables:
        declared = bot.variable(name)
        tags = set(declared.tags) if declared is not None else set()
        if "sensitive" in tags:
            found.add("sensitive data (health, art. 5 II)")
        elif "pii" in tags:
            found.add("personal data (identification, contact)")
    return tuple(sorted(found))


async def affected(client: aioredis.Redis, *, prefix: str, bot: Bot, since: datetime,
                   until: datetime) -> list[Affected]:
    keys, found = Keys(prefix), {}
    async for raw_key in client.scan_iter(match=keys.states(bot.name), count=1000):
        name = raw_key.decode() if isinstance(raw_key, bytes) else str(raw_key)
        tag = name[name.index("{") + 1:name.rindex("}")]
        _, channel, user = tag.split(":", 2)
        doc = await client.hget(name, "doc")
        if doc is None:
            continue
        state = json.loads(doc)
        start = datetime.fromisoformat(state.get("started_at") or state.get("last_inbound_at") or until.isoformat())
        end = datetime.fromisoformat(state.get("last_inbound_at") or state.get("started_at") or since.isoformat())
        if start <= until and end >= since:
            ref = ConversationKey(bot.name, channel, user).ref
            found[ref] = Affected(ref, channel, _classes(bot, state.get("vars", {})), "active")
    for entry in await AuditLog(client, prefix=prefix).between(since, until):
        target = entry.get("target", "")
        if target.startswith(f"{bot.name}/") and target not in found and entry.get("result", "").startswith("2"):
            found[target] = Affected(target, target.split("/")[1], ("as shown to staff",), "viewed by staff")
    return sorted(found.values(), key=lambda a: a.conversation)


def draft_notice(bot: Bot, found: list[Affected], since: datetime, until: datetime,
                 detected: datetime) -> dict[str, Any]:
    """The contents art. 48 §1 (I-VI) asks of the notice to the ANPD and the data subjects, filled where
    papo knows them; the clinic completes the rest before sending."""
    classes = Counter(c for a in found for c in a.classes)
    sensitive = any("sensitive" in c for c in classes)
    return {
        "bot": bot.name,
        "window": {"since": since.isoformat(), "until": until.isoformat()},
        "deadline": add_business_days(detected.date(), NOTICE_BUSINESS_DAYS).isoformat(),
        "I_nature_of_the_data": [f"{name} ({count} contact(s))" for name, count in sorted(classes.items())],
        "II_data_subjects": {"count": len(found), "by_channel": dict(Counter(a.channel for a in found))},
        "III_security_measures": ["staff accounts with roles; passwords hashed with argon2id; tokens stored hashed",
                                  "audit log of every staff action", "card numbers masked before storage",
                                  "TO COMPLETE: Redis TLS and ACLs, disk encryption, backups"],
        "IV_risks": (["health data (sensitive): risk of discrimination and of harm to the patient"] if sensitive
                     else []) + ["TO COMPLETE: what an unauthorised person could do with these data"],
        "V_reasons_for_delay": "TO COMPLETE if notified after the deadline",
        "VI_measures_taken": ["TO COMPLETE: what was done to stop it and reduce its effects"],
    }
