"""Campaigns under `papo serve`: the runner (roles "all" and "campaigns") and the admin routes.

    GET  /admin/campaigns                         the bot's campaigns (campaigns.json) and their runs
    POST /admin/campaigns/{name}/runs             a new run: the audience is read now; {"paused": true}
                                                  creates it paused, {"at": ISO 8601} starts it then
    POST /admin/campaigns/runs/{id}/pause|resume|cancel
    GET  /admin/campaigns/runs/{id}               the run's report: audience, skipped by reason, sent,
                                                  delivered, read, replied, failed by error code, opted
                                                  out after it

The runner takes the running runs' contacts in order, in batches: checks each contact's consent and
opt-out now (skipped otherwise), the number's daily tier of unique contacts and the starts per
second (`campaigns.json` "limits"), then starts the campaign's flow for it through its inbox
(`runtime.nodes.start`: the flow's first question, sent as the campaign's template outside the
channel's reply window; the flow handles the reply). It waits outside business
hours. Exactly once per contact: `runtime.campaigns.book`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from redis.exceptions import RedisError

from runtime.campaigns import Campaign, CampaignBook, Campaigns, CampaignsInvalid, load_campaigns
from runtime.campaigns.audience import contacts, matches
from runtime.conversations.keys import ConversationKey
from runtime.engine.hours import OpeningHours
from runtime.engine.state import Conversation
from runtime.nodes.start import refusal
from runtime.privacy.erase import ERASED_MEMBER
from runtime.service.bot_service import Role, Service
from runtime.service.guard import RouteHandler, error, json_body
from runtime.service.start import window_seconds

log = logging.getLogger(__name__)

RUNNER_ROLES: tuple[Role, ...] = ("all", "campaigns")
BATCH = 100
LEASE_MS = 5000


def routes() -> list[tuple[str, str, RouteHandler, str]]:
    return [("GET", "/admin/campaigns", list_campaigns, "admin"),
            ("POST", "/admin/campaigns/{name}/runs", create_run, "admin"),
            ("POST", "/admin/campaigns/runs/{id}/pause", pause_run, "admin"),
            ("POST", "/admin/campaigns/runs/{id}/resume", resume_run, "admin"),
            ("POST", "/admin/campaigns/runs/{id}/cancel", cancel_run, "admin"),
            ("GET", "/admin/campaigns/runs/{id}", report_run, "admin")]


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
        states = await self._states(members)
        at = now.isoformat()
        outcomes: dict[str, dict[str, Any]] = {}
        wanted: list[int] = []
        for n, (member, before, state) in enumerate(zip(members, prior, states, strict=True)):
            if before is not None or member == ERASED_MEMBER:
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
        await self.service.accept_starts([self._payload(run, campaign, *m.split(":", 1)) for m in starting])
        outcomes |= {m: {"o": "sent", "at": at} for m in starting}
        return outcomes, taken

    def _payload(self, run: str, campaign: Campaign, channel: str, user: str) -> dict[str, Any]:
        return {"id": start_id(run), "channel": channel, "user": user, "flow": campaign.flow, "vars": {},
                "template": campaign.template.to_json(), "purpose": campaign.purpose, "if_busy": "queue",
                "window_s": window_seconds(self.service.connectors[channel]), "origin": f"campaign:{run}"}

    async def _states(self, members: list[str]) -> list[Conversation | None]:
        keys = self.service.processor.store.keys
        async with self.service.client.pipeline(transaction=False) as pipe:
            for member in members:
                channel, _, user = member.partition(":")
                pipe.hget(keys.state(ConversationKey(self.service.library.name, channel, user)), "doc")
            docs = await pipe.execute()
        return [Conversation.from_json(json.loads(d), version=0) if d else None for d in docs]


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


async def list_campaigns(request: web.Request, service: Service) -> web.StreamResponse:
    try:
        definitions = load_campaigns(service.library.root)
    except CampaignsInvalid as exc:
        return error(409, str(exc))
    book = book_of(service)
    runs = [{"id": run, **(await book.meta(run) or {})} for run in await book.runs()]
    return web.json_response({"campaigns": [{"name": c.name, "title": c.title, "purpose": c.purpose,
                                             "channel": c.channel, "flow": c.flow, "template": c.template.to_json()}
                                            for c in definitions.campaigns.values()], "runs": runs})


async def create_run(request: web.Request, service: Service) -> web.StreamResponse:
    try:
        definitions = load_campaigns(service.library.root)
    except CampaignsInvalid as exc:
        return error(409, f"campaigns.json has errors; fix them first: {exc}")
    name = request.match_info["name"]
    campaign = definitions.campaigns.get(name)
    if campaign is None:
        return error(404, f"no campaign {name!r} in campaigns.json; known: {', '.join(sorted(definitions.campaigns))}")
    body = await json_body(request)
    if not isinstance(body.get("paused", False), bool):
        return error(400, "paused must be true or false")
    now = service.processor.clock.now()
    try:
        not_before = datetime.fromisoformat(body["at"]) if body.get("at") is not None else None
    except (TypeError, ValueError):
        return error(400, f"at {body.get('at')!r} is not a date and time; use ISO 8601, e.g. 2026-03-02T09:00:00-03:00")
    if not_before is not None and not_before.tzinfo is None:
        return error(400, "at needs its UTC offset, e.g. 2026-03-02T09:00:00-03:00")
    scheduler = service.processor.services.scheduler
    today = now.astimezone(ZoneInfo(service.library.current.timezone)).date()
    members = [f"{campaign.channel}:{user}" async for user, state in
               contacts(service.client, service.processor.store.keys, service.library.name, campaign.channel)
               if await matches(campaign, user, state, today=today, now=now, history=scheduler)]
    book = book_of(service)
    run = await book.create(name, sorted(members), at=now, status="paused" if body.get("paused") else "running")
    if not_before is not None:
        await book.note(run, "not_before", not_before.isoformat())
    return web.json_response({"id": run, "audience": len(members)}, status=201)


async def _move(request: web.Request, service: Service, status: Any, allowed: Any) -> web.StreamResponse:
    run = request.match_info["id"]
    changed = await book_of(service).set_status(run, status, allowed=allowed)
    if changed < 0:
        return error(404, f"no campaign run {run!r}; GET /admin/campaigns lists them")
    if changed == 0:
        meta = await book_of(service).meta(run) or {}
        return error(409, f"run {run!r} is {meta.get('status')}; it can be made {status} only when "
                          f"{' or '.join(allowed)}")
    return web.json_response({"id": run, "status": status})


async def pause_run(request: web.Request, service: Service) -> web.StreamResponse:
    return await _move(request, service, "paused", ("running",))


async def resume_run(request: web.Request, service: Service) -> web.StreamResponse:
    return await _move(request, service, "running", ("paused",))


async def cancel_run(request: web.Request, service: Service) -> web.StreamResponse:
    return await _move(request, service, "cancelled", ("running", "paused"))


async def report_run(request: web.Request, service: Service) -> web.StreamResponse:
    run = request.match_info["id"]
    book = book_of(service)
    meta = await book.meta(run)
    if meta is None:
        return error(404, f"no campaign run {run!r}; GET /admin/campaigns lists them")
    outcomes = await book.all_outcomes(run)
    report = await _report(service, run, outcomes)
    return web.json_response({"id": run, **meta, "audience": int(meta["size"]), **report})


async def _report(service: Service, run: str, outcomes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    skipped = Counter(o["why"] for o in outcomes.values() if o["o"] == "skipped")
    sent = {m: o for m, o in outcomes.items() if o["o"] == "sent"}
    counts: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    keys, papo_id = service.processor.store.keys, f"start:{start_id(run)}:0"
    convs = [ConversationKey(service.library.name, *m.split(":", 1)) for m in sent]
    for n in range(0, len(convs), 500):
        chunk = convs[n:n + 500]
        async with service.client.pipeline(transaction=False) as pipe:
            for conv in chunk:
                pipe.hgetall(keys.sent(conv))
                pipe.hget(keys.failed(conv), papo_id)
                pipe.hget(keys.state(conv), "doc")
            replies = await pipe.execute()
        for i, conv in enumerate(chunk):
            at = sent[f"{conv.channel}:{conv.user}"]["at"]
            channel_ids, refused, doc = replies[3 * i: 3 * i + 3]
            await _count(service, conv, channel_ids, refused, doc, at, papo_id, counts, failed)
    return {"skipped": dict(skipped), "sent": len(sent), "delivered": counts["delivered"], "read": counts["read"],
            "replied": counts["replied"], "failed": dict(failed), "opted_out_after": counts["opted_out"]}


async def _count(service: Service, conv: ConversationKey, channel_ids: dict[Any, Any], refused: Any, doc: Any,
                 at: str, papo_id: str, counts: Counter[str], failed: Counter[str]) -> None:
    if refused is not None:
        record = json.loads(refused)
        failed[str(record.get("code") or record.get("error"))] += 1
    ours = [k.decode() if isinstance(k, bytes) else k for k, v in channel_ids.items()
            if (v.decode() if isinstance(v, bytes) else v) == papo_id]
    if ours:
        record = await service.deliveries.record(conv, ours[0])
        status = record.get("status", "")
        if status == "failed":
            failed[record.get("code") or "unknown"] += 1
        counts["delivered"] += status in ("delivered", "read", "played")
        counts["read"] += status in ("read", "played")
    if doc:
        state = Conversation.from_json(json.loads(doc), version=0)
        counts["replied"] += bool(state.last_inbound_at and state.last_inbound_at > at)
        revoked = state.consents.get("marketing", {})
        counts["opted_out"] += bool((state.opted_out_at and state.opted_out_at > at)
                                    or (revoked and not revoked.get("granted") and revoked.get("at", "") > at))
