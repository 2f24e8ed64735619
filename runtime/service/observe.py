"""`GET /metrics` (Prometheus text format) and the webhook counter.

/metrics is answered only to `Authorization: Bearer $PAPO_METRICS_TOKEN`; without the variable it
answers 404, as the admin API does without its token. A scrape reads the queue gauges (depth,
pending, lag per signal partition; dead letters) from Redis in one round trip per bot, then
renders the process's registry (`runtime.metrics`). Every process serves its own counters, so
Prometheus scrapes each (a pod, a container), and sums over them.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Sequence
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from prometheus_client import CONTENT_TYPE_LATEST
from redis.exceptions import RedisError

from runtime import metrics
from runtime.service.bot_service import Service
from runtime.service.work import SignalQueue


def counting_webhooks(channels: Sequence[str]) -> Middleware:
    """Count every request to a channel's webhook paths by channel and status (`papo_webhooks`);
    a channel no connector serves is counted as "unknown", so a caller cannot grow the label set."""
    known = frozenset(channels)

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method != "POST" or not request.path.startswith("/webhooks/"):
            return await handler(request)
        named = request.match_info.get("channel") or request.path.split("/")[2]
        channel = named if named in known else "unknown"
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            metrics.WEBHOOKS.labels(channel, str(exc.status)).inc()
            raise
        metrics.WEBHOOKS.labels(channel, str(response.status)).inc()
        return response

    return middleware


def metrics_handler(token: str | None, services: Any) -> Handler:
    """The /metrics handler; `services()` returns the open bots (none while they wait for Redis)."""

    async def handler(request: web.Request) -> web.StreamResponse:
        if token is None:
            raise web.HTTPNotFound(text="metrics are off: set PAPO_METRICS_TOKEN to serve them")
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            return web.json_response({"error": "send Authorization: Bearer <PAPO_METRICS_TOKEN>"}, status=401)
        for service in services():
            try:
                await read_queues(service)
            except RedisError:
                pass  # the gauges keep their last values; /readyz reports Redis
        return web.Response(body=metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    return handler


async def read_queues(service: Service) -> None:
    """Set the queue gauges of one bot from Redis, in one round trip (a pipeline; one per node on a cluster)."""
    queues: list[SignalQueue] = [service.work, service.sends]
    async with service.client.pipeline(transaction=False) as pipe:
        for queue in queues:
            for stream in queue.streams:
                pipe.xinfo_groups(stream)
                pipe.xrange(stream, count=1)  # acknowledged signals are deleted: this is the oldest unfinished
            pipe.xlen(queue.dead)
        replies = await pipe.execute(raise_on_error=False)
    bot, now_ms = service.library.name, time.time() * 1000
    at = 0
    for queue in queues:
        kind = queue.name.split(":", 1)[0]
        for partition in range(len(queue.streams)):
            groups, oldest = replies[at], replies[at + 1]
            at += 2
            group = _group(groups, queue.group)
            labels = (bot, kind, str(partition))
            metrics.QUEUE_DEPTH.labels(*labels).set(int(group.get("lag") or 0))
            metrics.QUEUE_PENDING.labels(*labels).set(int(group.get("pending") or 0))
            first_ms = _id_ms(_text(oldest[0][0])) if oldest and not isinstance(oldest, Exception) else now_ms
            metrics.QUEUE_LAG.labels(*labels).set(max(now_ms - first_ms, 0) / 1000)
        dead = replies[at]
        at += 1
        metrics.DEAD_LETTERS.labels(bot, kind).set(0 if isinstance(dead, Exception) else int(dead))


def _group(groups: Any, name: str) -> dict[str, Any]:
    if isinstance(groups, Exception):
        return {}
    for group in groups:
        if _text(group.get("name")) == name:
            return dict(group)
    return {}


def _id_ms(stream_id: str) -> int:
    head = stream_id.split("-", 1)[0]
    return int(head) if head.isdigit() else 0


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
