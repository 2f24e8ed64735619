"""Who a campaign is for: the bot's contacts on its channel whose state and appointment history match
its audience. Read once, when a run is created (a SCAN over the bot's states: an admin action, never
a hot path); consent is not filtered here but checked for each contact as the run reaches it, so an
opt-out that arrives during the campaign is honoured."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any, Protocol

import redis.asyncio as aioredis

from flows.templating import truthy
from runtime.campaigns.model import Audience, Campaign
from runtime.engine.routing import labels_of
from runtime.engine.state import Conversation
from runtime.keys import Keys
from runtime.scheduling.model import Appointment

SCAN_COUNT = 1000
VISITED = frozenset({"booked", "confirmed"})  # an appointment that happened (a no-show or a cancellation did not)


class History(Protocol):
    """The appointments of a patient (`channel:user`), any status (`Scheduler.appointments_of`)."""

    async def appointments_of(self, patient: str, *, upcoming_only: bool = True) -> list[Appointment]: ...


async def contacts(client: aioredis.Redis, keys: Keys, bot: str, channel: str) -> AsyncIterator[
        tuple[str, Conversation]]:
    """(user, state) of every conversation of `bot` on `channel`, read a SCAN page at a time."""
    page: list[tuple[str, str]] = []
    async for raw in client.scan_iter(match=keys.states(bot), count=SCAN_COUNT):
        name = raw.decode() if isinstance(raw, bytes) else str(raw)
        _, found, user = name[name.index("{") + 1:name.rindex("}")].split(":", 2)
        if found == channel:
            page.append((user, name))
        if len(page) >= SCAN_COUNT:
            for item in await _read(client, page):
                yield item
            page = []
    for item in await _read(client, page):
        yield item


async def _read(client: aioredis.Redis, page: list[tuple[str, str]]) -> list[tuple[str, Conversation]]:
    if not page:
        return []
    async with client.pipeline(transaction=False) as pipe:
        for _, name in page:
            pipe.hget(name, "doc")
        docs = await pipe.execute()
    return [(user, Conversation.from_json(json.loads(doc), version=0))
            for (user, _), doc in zip(page, docs, strict=True) if doc is not None]


async def matches(campaign: Campaign, user: str, state: Conversation, *, today: date, now: datetime,
                  history: History | None) -> bool:
    audience = campaign.audience
    if not _by_state(audience, state, today):
        return False
    if audience.last_visit_before is None:
        return True
    if history is None:
        return False
    visits = await history.appointments_of(f"{campaign.channel}:{user}", upcoming_only=False)
    if any(a.active and a.slot.end > now for a in visits):
        return False  # already coming back
    past = [a.slot.start for a in visits if a.status in VISITED and a.slot.end <= now]
    return bool(past) and max(past) < now - audience.last_visit_before


def _by_state(audience: Audience, state: Conversation, today: date) -> bool:
    labels = set(labels_of(state))
    if not set(audience.labels) <= labels:
        return False
    if any(state.vars.get(name) != value for name, value in audience.vars.items()):
        return False
    if audience.where and not truthy(audience.where, state.vars):
        return False
    return not audience.birthday or _is_birthday(state.vars.get(audience.birthday), today)


def _is_birthday(value: Any, today: date) -> bool:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return False
    return isinstance(value, date) and (value.month, value.day) == (today.month, today.day)
