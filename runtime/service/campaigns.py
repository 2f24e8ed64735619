"""Campaigns under `papo serve`: the admin routes (the runner: `runtime.service.campaign_runner`).

    GET  /admin/campaigns                         the bot's campaigns (campaigns.json) and their runs
    POST /admin/campaigns/{name}/runs             a new run: the audience is read now; {"paused": true}
                                                  creates it paused, {"at": ISO 8601} starts it then
    POST /admin/campaigns/runs/{id}/pause|resume|cancel
    GET  /admin/campaigns/runs/{id}               the run's report: audience, skipped by reason, sent,
                                                  delivered, read, replied, failed by error code, opted
                                                  out after it
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from runtime.campaigns import CampaignsInvalid, load_campaigns
from runtime.campaigns.audience import contacts, matches
from runtime.conversations.keys import ConversationKey
from runtime.engine.state import Conversation
from runtime.service.bot_service import Service
from runtime.service.campaign_runner import book_of, start_id
from runtime.service.guard import RouteHandler, error, json_body


def routes() -> list[tuple[str, str, RouteHandler, str]]:
    return [("GET", "/admin/campaigns", list_campaigns, "admin"),
            ("POST", "/admin/campaigns/{name}/runs", create_run, "admin"),
            ("POST", "/admin/campaigns/runs/{id}/pause", pause_run, "admin"),
            ("POST", "/admin/campaigns/runs/{id}/resume", resume_run, "admin"),
            ("POST", "/admin/campaigns/runs/{id}/cancel", cancel_run, "admin"),
            ("GET", "/admin/campaigns/runs/{id}", report_run, "admin")]



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
    members = [ConversationKey(service.library.name, campaign.channel, user) async for user, state in
               contacts(service.client, service.processor.store.keys, service.library.name, campaign.channel)
               if await matches(campaign, user, state, today=today, now=now, history=scheduler)]
    book = book_of(service)
    run = await book.create(name, sorted(members, key=lambda k: k.user), at=now,
                            status="paused" if body.get("paused") else "running", not_before=not_before)
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
    named = await book_of(service).contacts(list(sent))
    convs = [named[m] for m in sent if m in named]  # (erased ones are gone from the report's counts)
    for n in range(0, len(convs), 500):
        chunk = convs[n:n + 500]
        async with service.client.pipeline(transaction=False) as pipe:
            for conv in chunk:
                pipe.hgetall(keys.sent(conv))
                pipe.hget(keys.failed(conv), papo_id)
                pipe.hget(keys.state(conv), "doc")
            replies = await pipe.execute()
        for i, conv in enumerate(chunk):
            at = sent[conv.digest]["at"]
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
