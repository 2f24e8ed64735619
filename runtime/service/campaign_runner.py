"""The campaign runner, inside `papo serve` with the roles "all" and "campaigns".

It takes the running runs' contacts in order, in batches: checks each contact's consent and opt-out
now (skipped otherwise), the number's daily tier of unique contacts and the starts per second
(`campaigns.json` "limits"), then starts the campaign's flow for it through its inbox
(`runtime.nodes.start`: the flow's first question, sent as the campaign's template outside the
channel's reply window; the flow handles the reply). It waits outside business hours and until a
run's time. Exactly once per contact: `runtime.campaigns.book`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from redis.exceptions import RedisError

from runtime.campaigns import Campaign, CampaignBook, Campaigns, CampaignsInvalid, load_campaigns
from runtime.conversations.keys import ConversationKey
from runtime.engine.hours import OpeningHours
from runtime.engine.state import Conversation
from runtime.nodes.start import refusal
from runtime.privacy.erase import ERASED_MEMBER
from runtime.service.bot_service import Role, Service
from runtime.service.start import window_seconds

log = logging.getLogger(__name__)

RUNNER_ROLES: tuple[Role, ...] = ("all", "campaigns")
BATCH = 100
LEASE_MS = 5000


def book_of(service: Service) -> CampaignBook:
    return CampaignBook(service.client, prefix=service.settings.key_prefix, bot=service.library.name)


def start_id(run: str) -> str:
    return f"c-{run}"


class Runner:
    """Works through the bot's running campaign runs until `stop`."""

    def __init__(self, service: Service, definitions: Campaigns, *, batch: int = BATCH) -> None:
        self.service = service
        self.definitions = definitions
        self.book = book_of(service)
        self.batch = batch
        self.token = f"{os.getpid()}-{secrets.token_hex(4)}"
        self.finished: set[str] = set()  # runs done or cancelled: never looked at again
        bot = service.library.current
        self.hours = OpeningHours(bot.hours, bot.timezone)
        self.zone = ZoneInfo(bot.timezone)

    async def run(self, stop: asyncio.Event) -> None:
        idle_s = max(self.service.settings.block_ms / 1000, 0.05)
        while not stop.is_set():
            try:
                worked = False
                for run in await self.book.runs():
                    if run not in self.finished:
                        worked = await self.step(run) or worked
            except RedisError as exc:
                log.warning("campaign runner: redis unavailable (%s); trying again", type(exc).__name__)
                worked = False
            if not worked:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), idle_s)

    async def step(self, run: str) -> bool:
        """One batch of `run`; True when it did something."""
        meta = await self.book.meta(run)
        if meta is not None and meta["status"] in ("done", "cancelled"):
            self.finished.add(run)
        if meta is None or meta["status"] != "running" or not await self.book.hold(run, self.token, LEASE_MS):
            return False
        campaign = self.definitions.campaigns.get(meta["campaign"])
        if campaign is None or campaign.channel not in self.service.connectors:
            await self.book.set_status(run, "cancelled", allowed=("running",))
            await self.book.note(run, "why", f"campaign {meta['campaign']!r} or its channel is gone")
            return True
        now = self.service.processor.clock.now()
        if not self.hours.is_open(now) or now < datetime.fromisoformat(meta.get("not_before") or now.isoformat()):
            return False
        cursor = int(meta["cursor"])
        members = await self.book.audience(run, cursor, self.batch)
        if not members:
            await self.book.set_status(run, "done", allowed=("running",))
            log.info("campaign run %s done: %s contacts", run, meta["size"])
            return True
        members = members[:await self.book.rate(int(now.timestamp()), len(members), self.definitions.limits.per_second)]
        if not members:
            return False
        outcomes, taken = await self._dispatch(run, campaign, members, now)
        await self.book.record(run, outcomes, cursor + taken)
        if taken < len(members):
            await self.book.note(run, "waiting", "the number's daily tier of unique contacts is reached")
        elif "waiting" in meta:
            await self.book.unnote(run, "waiting")
        return taken > 0

    async def _dispatch(self, run: str, campaign: Campaign, members: list[str],
                        now: datetime) -> tuple[dict[str, dict[str, Any]], int]:
        """Skip or start each contact of the batch; returns the outcomes and how many contacts were taken
        (fewer than the batch when the day's tier is full: the rest wait for tomorrow)."""
        prior = await self.book.outcomes(run, members)
        named = await self.book.contacts([m for m in members if m != ERASED_MEMBER])
        states = await self._states([named.get(m) for m in members])
        at = now.isoformat()
        outcomes: dict[str, dict[str, Any]] = {}
        wanted: list[int] = []
        for n, (member, before, state) in enumerate(zip(members, prior, states, strict=True)):
            if before is not None or member not in named:  # done before, or erased meanwhile
                continue
            why = refusal(state is not None and state.opted_out_at is not None,
                          state is not None and state.blocked_at is not None,
                          state.consent("marketing") if state is not None else None, campaign.purpose)
            if why is not None:
                outcomes[member] = {"o": "skipped", "why": why, "at": at}
            else:
                wanted.append(n)
        day = now.astimezone(self.zone).date().isoformat()
        reached = await self.book.reach(day, [members[n] for n in wanted], self.definitions.limits.daily_unique)
        taken = len(members) if reached == len(wanted) else wanted[reached]
        if reached < len(wanted):  # the rest of the batch waits for the next day
            outcomes = {m: o for m, o in outcomes.items() if members.index(m) < taken}
        starting = [members[n] for n in wanted[:reached]]
        await self.service.accept_starts([self._payload(run, campaign, named[m].channel, named[m].user)
                                          for m in starting])
        outcomes |= {m: {"o": "sent", "at": at} for m in starting}
        return outcomes, taken

    def _payload(self, run: str, campaign: Campaign, channel: str, user: str) -> dict[str, Any]:
        return {"id": start_id(run), "channel": channel, "user": user, "flow": campaign.flow, "vars": {},
                "template": campaign.template.to_json(), "purpose": campaign.purpose, "if_busy": "queue",
                "window_s": window_seconds(self.service.connectors[channel]), "origin": f"campaign:{run}"}

    async def _states(self, convs: list[ConversationKey | None]) -> list[Conversation | None]:
        keys = self.service.processor.store.keys
        async with self.service.client.pipeline(transaction=False) as pipe:
            for conv in convs:
                if conv is not None:
                    pipe.hget(keys.state(conv), "doc")
            docs = iter(await pipe.execute())
        found = [next(docs) if conv is not None else None for conv in convs]
        return [Conversation.from_json(json.loads(d), version=0) if d else None for d in found]


@contextlib.asynccontextmanager
async def campaign_runner(service: Service, role: Role) -> AsyncIterator[None]:
    """Run the bot's campaign runner beside the role's loops, when the role runs campaigns and the bot
    has some."""
    definitions = _definitions(service)
    if role not in RUNNER_ROLES or definitions is None or not definitions.campaigns:
        yield
        return
    stop = asyncio.Event()
    task = asyncio.create_task(Runner(service, definitions).run(stop), name="campaigns")
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(task, return_exceptions=True)


def _definitions(service: Service) -> Campaigns | None:
    try:
        return load_campaigns(service.library.root)
    except CampaignsInvalid as exc:
        log.error("campaigns.json not used: %s", exc)
        return None
