"""The staff inbox over the admin API (role `agent`): the queue, live changes, transcripts.

    GET  /admin/inbox?mine=1&unassigned=1&label=&channel=&q=   conversations with staff, urgent first,
         then oldest first: name (unmasked), channel, last message, waiting time and local times in the
         clinic's zone, unread count, labels, assignee, urgent, whether the clinic is closed now
    GET  /admin/inbox/events                       server-sent events: `changed {channel, user, kind}`
    GET  /admin/conversations/{channel}/{user}/messages?before=&limit=   the transcript, newest last,
         with each outbound message's delivery status; `before` (a cursor) pages back

Actions on one conversation (notes, assignment, labels, take over, quick replies, appointments) are in
`runtime.service.inbox_actions`. Every change an agent may want to see is added to the bot's inbox
feed (`Keys.inbox_feed`), which the events route follows.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from aiohttp import web
from redis.exceptions import RedisError

from runtime.conversations.keys import ConversationKey
from runtime.conversations.transcript import Line, TranscriptBook
from runtime.engine.hours import OpeningHours
from runtime.engine.routing import labels_of
from runtime.engine.state import Conversation
from runtime.service import inbox_actions as actions
from runtime.service.bot_service import Service
from runtime.service.guard import AUDITED, RouteHandler, audit, dumps, error, request_id, staff_of
from runtime.service.inbox_actions import local, name_of
from runtime.service.streams import stream_of

EVENTS_BLOCK_MS = 15_000  # a comment line keeps idle event streams (and their proxies) open


def routes() -> list[tuple[str, str, RouteHandler, str]]:
    return [("GET", "/admin/inbox", queue, "agent"),
            ("GET", "/admin/inbox/events", events, "agent"),
            ("GET", "/admin/conversations/{channel}/{user}/messages", messages, "agent"),
            *actions.routes()]


def transcripts(service: Service) -> TranscriptBook:
    return TranscriptBook(service.client, prefix=service.settings.key_prefix)


async def waiting(service: Service) -> list[dict[str, Any]]:
    """Every conversation with staff, with what the queue shows; two round trips whatever their number (one
    more for conversations this process has not named yet)."""
    keys = service.processor.store.keys
    listed = {_text(f): json.loads(raw) for f, raw in (await service.client.hgetall(service.handoffs_key)).items()}
    named = await service.directory.resolve(f for f in listed if ":" not in f)
    convs, stale = [], [f for f in listed if ":" not in f and f not in named]  # erased meanwhile
    for field, listing in listed.items():
        if ":" in field:  # "channel:user", as a release before digests wrote it
            convs.append((field, listing, ConversationKey(service.library.name, *field.split(":", 1))))
        elif field in named:
            convs.append((field, listing, named[field]))
    refs = [key for _, _, key in convs]
    async with service.client.pipeline(transaction=False) as pipe:
        for key in refs:
            pipe.hmget(keys.state(key), "ver", "doc")
            pipe.hgetall(keys.staff(key))
            pipe.xrevrange(keys.transcript(key), count=1)
        replies = await pipe.execute()
    now = service.processor.clock.now()
    bot = service.library.current
    hours = OpeningHours(bot.hours, bot.timezone)
    items = []
    for i, (field, listing, key) in enumerate(convs):
        (ver, doc), meta, last = replies[3 * i], replies[3 * i + 1], replies[3 * i + 2]
        state = Conversation.from_json(json.loads(doc), version=int(ver)) if doc else None
        if state is None or state.waiting != "handoff":
            stale.append(field)
            continue
        items.append(_item(service, key, state, {_text(k): _text(v) for k, v in meta.items()},
                           _line(last), listing, now, hours))
    if stale:
        await service.client.hdel(service.handoffs_key, *stale)  # given back meanwhile
    items.sort(key=lambda item: (not item["urgent"], item["since"] or ""))
    return items


def _item(service: Service, key: ConversationKey, state: Conversation, meta: dict[str, str], last: Line | None,
          listing: dict[str, Any], now: datetime, hours: OpeningHours) -> dict[str, Any]:
    since = state.asked_at or listing.get("since")
    queue_name = state.handoff_queue or listing.get("queue")
    opening = None if hours.is_open(now, queue_name) else hours.next_opening(now, queue_name)
    return {
        "channel": key.channel, "user": key.user, "ref": key.ref, "name": name_of(state),
        "queue": queue_name, "since": since, "since_local": local(service, since),
        "waiting_s": int((now - datetime.fromisoformat(since)).total_seconds()) if since else None,
        "last": None if last is None else {"text": last.get("text", ""), "by": last.get("by"),
                                           "at": last.get("at"), "at_local": local(service, last.get("at"))},
        "unread": int(meta.get("unread") or 0), "urgent": bool(meta.get("urgent")), "why_urgent": meta.get("urgent"),
        "labels": labels_of(state), "assignee": meta.get("assignee") or None,
        "taken_over": state.taken_from is not None,
        "closed": opening is not None,
        "next_opening_local": opening.astimezone(hours.tz).isoformat() if opening else None,
    }


def matches(item: dict[str, Any], request: web.Request, me: str) -> bool:
    q = request.query
    if q.get("mine") in ("1", "true") and item["assignee"] != me:
        return False
    if q.get("unassigned") in ("1", "true") and item["assignee"]:
        return False
    if q.get("label") and q["label"] not in item["labels"]:
        return False
    if q.get("channel") and q["channel"] != item["channel"]:
        return False
    text = q.get("q", "").strip().casefold()
    if text:
        digits = "".join(c for c in text if c.isdigit())
        in_name = text in (item["name"] or "").casefold()
        return in_name or bool(digits) and digits in item["user"]
    return True


async def queue(request: web.Request, service: Service) -> web.StreamResponse:
    me = staff_of(request).name
    items = [item for item in await waiting(service) if matches(item, request, me)]
    labels = sorted({label for item in items for label in item["labels"]})
    return web.json_response({"conversations": items, "labels": labels, "me": me,
                              "timezone": service.library.current.timezone,
                              "now_local": local(service, service.processor.clock.now().isoformat())}, dumps=dumps)


async def events(request: web.Request, service: Service) -> web.StreamResponse:
    """Server-sent events: `changed` whenever a conversation with staff changes; a comment every 15 s."""
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                                           "X-Accel-Buffering": "no", "X-Request-Id": request_id(request)})
    await audit(request, service, staff_of(request), 200)  # now: the stream may stay open for hours
    request[AUDITED] = True
    await response.prepare(request)
    feed = service.processor.store.keys.inbox_feed(service.library.name)
    newest = await service.client.xrevrange(feed, count=1)
    last = _text(newest[0][0]) if newest else "0-0"
    await response.write(b"event: ready\ndata: {}\n\n")
    with stream_of(request), contextlib.suppress(ConnectionError, asyncio.CancelledError, RedisError):
        while True:
            found: Any = await service.client.xread({feed: last}, block=EVENTS_BLOCK_MS, count=100)
            if not found:
                await response.write(b": still here\n\n")
                continue
            entries: Any = found[0][1] if isinstance(found, list) else next(iter(found.values()))[0]
            changes = [{_text(k): _text(v) for k, v in fields.items()} for _, fields in entries]
            last = _text(entries[-1][0])
            named = await service.directory.resolve(c["r"] for c in changes if "r" in c)
            for change in changes:
                key = named.get(change["r"]) if "r" in change else None
                who = (key.channel, key.user) if key else (change.get("c"), change.get("u"))
                if who[1] is None:
                    continue  # erased meanwhile
                event = {"channel": who[0], "user": who[1], "kind": change.get("k")}
                await response.write(f"event: changed\ndata: {json.dumps(event)}\n\n".encode())
    return response


async def messages(request: web.Request, service: Service) -> web.StreamResponse:
    key = actions.key_of(request, service)
    raw = request.query.get("limit", "50")
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        return error(400, f"limit {raw!r} must be a whole number from 1 to 1000")
    page = await transcripts(service).page(key, before=request.query.get("before") or None, limit=int(raw))
    await with_status(service, key, page.entries)
    return web.json_response({"messages": page.entries, "before": page.before,
                              "timezone": service.library.current.timezone}, dumps=dumps)


async def with_status(service: Service, key: ConversationKey, lines: Sequence[Line]) -> None:
    """Each outbound line's delivery status: queued, sent, delivered, read, failed (with why)."""
    outbound = [line for line in lines if line.get("dir") == "out"]
    for line in lines:
        line["at_local"] = local(service, line.get("at"))
    if not outbound:
        return
    keys = service.processor.store.keys
    async with service.client.pipeline(transaction=False) as pipe:
        pipe.hgetall(keys.sent(key))
        pipe.hgetall(keys.failed(key))
        pipe.xrange(keys.outbox(key))
        sent, failed, outbox = await pipe.execute()
    by_papo = {_text(v): _text(k) for k, v in sent.items()}
    refused = {_text(k): _text(v) for k, v in failed.items()}
    queued = {json.loads(_text(f.get(b"m") or f.get("m")))["id"] for _, f in outbox}
    channel_ids = [by_papo[line["id"]] for line in outbound if line["id"] in by_papo]
    statuses: dict[str, str] = {}
    if channel_ids:
        async with service.client.pipeline(transaction=False) as pipe:
            for cid in channel_ids:
                pipe.hget(keys.delivery(key, cid), "status")
            statuses = {cid: _text(s) for cid, s in zip(channel_ids, await pipe.execute(), strict=True) if s}
    for line in outbound:
        papo_id = line["id"]
        if papo_id in refused:
            line["status"], line["error"] = "failed", json.loads(refused[papo_id]).get("reason")
        elif papo_id in queued:
            line["status"] = "queued"
        else:
            line["status"] = statuses.get(by_papo.get(papo_id, ""), "sent")


def _line(raw: Any) -> Line | None:
    if not raw:
        return None
    fields = raw[0][1]
    line: Line = json.loads(_text(fields.get(b"t") or fields.get("t")))
    return line


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
