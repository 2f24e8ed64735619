"""The HTTP service: channel webhooks, health and readiness; workers and senders run alongside.

    GET  /webhooks/{channel}   subscription handshake: hub.challenge as text/plain, 403 otherwise
    POST /webhooks/{channel}   verify, parse, queue, then 200 (401 bad signature, 400 bad body,
                               404 channel not served, 503 storage down so Meta retries); a channel
                               whose replies go in the response (web) runs the turn and answers them,
                               also on the extra paths its connector names (Rasa's /webhooks/rest/webhook)
    GET  /webhooks/{channel}/pending?sender=<user>   a channel that answers in the response (web): the
                               replies queued since the user's last request (staff replies, reminders),
                               for a page to poll; the same token as its POST
    GET  /healthz              the process is alive
    GET  /readyz               Redis answers and the bot is loaded (503 otherwise)
    GET  /metrics              Prometheus text format, to `Authorization: Bearer $PAPO_METRICS_TOKEN`
                               (404 without the variable): runtime.service.observe
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

import redis.asyncio as aioredis
from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from redis.exceptions import RedisError

from connectors import CONNECTORS, BadPayload, BadSignature, BadSubscription, Connectors
from connectors.constants import WEBHOOK_MAX_BYTES
from flows.errors import FlowInvalid
from flows.loader import check_bot
from flows.nodes import NodeKinds, node_kinds
from runtime.access import Accounts
from runtime.conversations.keys import ConversationKey
from runtime.conversations.library import BotLibrary
from runtime.engine import codec
from runtime.engine.clock import Clock
from runtime.engine.registry import Handlers
from runtime.nodes import HANDLERS
from runtime.service import admin
from runtime.service.bot_service import ROLES, Role, Service
from runtime.service.bots import Bots, bot_folders, keep_bots, open_bots
from runtime.service.ingest import ingest, within
from runtime.service.observe import counting_webhooks, metrics_handler
from runtime.service.settings import Settings, redis_client
from runtime.service.streams import keep_streams
from runtime.service.studio.api import Host, Studio, studio_app
from runtime.service.studio.auth import Access

log = logging.getLogger(__name__)

BOTS = web.AppKey("bots", Bots)
SHUTDOWN_S = 5.0  # the first one answers requests that name no bot


def build_app(settings: Settings, botdir: str | Path | Sequence[str | Path], *, role: Role = "all",
              client: aioredis.Redis | None = None, clock: Clock | None = None, kinds: NodeKinds = node_kinds,
              handlers: Handlers = HANDLERS, connectors: Connectors = CONNECTORS, bots_dir: Path | None = None,
              hangup: bool = False) -> web.Application:
    """The aiohttp application for one or several bots; they open on startup and stop on cleanup.

    Webhooks go to the bot whose account (phone number id, Page id, Instagram id) they were sent to;
    `?bot=<name>` picks the bot for the admin API, /model/parse and the channels that answer in the
    response. `kinds`, `handlers` and `connectors` may add node kinds and channels (docs/extending.md).
    With `bots_dir`, a reload also opens bot folders new in it; with `hangup`, SIGHUP reloads (`Bots.reload`).
    """
    if role not in ROLES:
        raise ValueError(f"role {role!r} is not one of {', '.join(ROLES)}")
    botdirs = [botdir] if isinstance(botdir, str | Path) else list(botdir)
    counting = counting_webhooks(connectors.names())
    app = web.Application(client_max_size=WEBHOOK_MAX_BYTES,
                          middlewares=[counting, bounded_body(settings.body_timeout_s)])
    app[BOTS] = Bots()  # filled once Redis answers, which may be after the server is up
    keep_streams(app)  # the inbox's and the studio's event streams end at shutdown

    async def lifespan(app: web.Application) -> AsyncIterator[None]:
        redis = client if client is not None else redis_client(settings)  # one pool for every bot
        tried, stop = asyncio.Event(), asyncio.Event()

        def open_one(folder: str | Path) -> Awaitable[Service]:
            return Service.open(settings, folder, client=redis, clock=clock, kinds=kinds, handlers=handlers,
                                connectors=connectors)

        app[BOTS].found = (lambda: bot_folders(bots_dir)) if bots_dir is not None else (lambda: botdirs)
        keeper = asyncio.create_task(keep_bots(app[BOTS], lambda: open_bots(botdirs, open_one), role, tried=tried,
                                               stop=stop, open_one=open_one), name="bots")
        if hangup:
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, _hung_up, app[BOTS])
        try:
            first_try = asyncio.create_task(tried.wait())
            await asyncio.wait([keeper, first_try], return_when=asyncio.FIRST_COMPLETED)
            first_try.cancel()
            if keeper.done():
                keeper.result()  # the bots could not be loaded (not a Redis outage): refuse to start
            yield
        finally:
            if hangup:
                asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
            stop.set()
            if not app[BOTS].by_name:
                keeper.cancel()  # still waiting for Redis
            with contextlib.suppress(asyncio.CancelledError, Exception):  # a failure after start was logged
                await keeper
            if client is None:
                await redis.aclose()

    app.cleanup_ctx.append(lifespan)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_handler(settings.metrics_token, lambda: list(app[BOTS].by_name.values())))
    admin.add_routes(app, chosen)  # answers 404 until PAPO_ADMIN_TOKEN is set or a staff account exists
    # The studio's pages hold no data (the staff inbox is one of them); its API needs a staff account whose
    # role includes editor (or PAPO_ADMIN_TOKEN while it bootstraps) and refuses every other call.
    app.add_subapp("/studio/", _studio(app[BOTS], settings, botdirs[0], kinds))
    if role in ("all", "ingest"):
        for cls in connectors:
            for path in cls.paths:
                app.router.add_post(path, _answering(cls.channel))
        webhooks = app.router.add_resource("/webhooks/{channel}")  # one resource: one pattern tried per request
        webhooks.add_route("POST", receive)
        webhooks.add_route("GET", subscribe)
        app.router.add_get("/webhooks/{channel}/pending", pending)
        app.router.add_post("/model/parse", model_parse)
    return app


def _hung_up(bots: Bots) -> None:
    log.info("SIGHUP: reloading the bot folders")
    bots.reload.set()


async def _shutting_down(app: web.Application) -> None:
    log.info("shutting down: no new requests; finishing the ones in flight, then the turns and sends")


def _studio(bots: Bots, settings: Settings, botdir: str | Path, kinds: NodeKinds) -> web.Application:
    """The studio of the first bot, for staff holding the admin token; it publishes only with
    PAPO_STUDIO_WRITE=1, and a publish reloads the served bot (conversations finish on their version)."""
    def library() -> BotLibrary | None:
        return bots.first.library if bots.first is not None else None

    def client() -> aioredis.Redis | None:
        return bots.first.client if bots.first is not None else None

    async def staff_role(credential: str) -> str | None:
        """The role of a staff token or session; PAPO_ADMIN_TOKEN is an admin only while no admin
        account exists (it bootstraps, as on the admin API)."""
        redis = client()
        if redis is None:
            return None
        accounts = Accounts(redis, prefix=settings.key_prefix)
        token = settings.admin_token
        if token and hmac.compare_digest(credential.encode(), token.encode()):
            return None if await accounts.has_admin() else "admin"
        found = await accounts.authenticate(credential)
        return found[0].role if found is not None else None

    access = Access(writable=settings.studio_write, staff_role=staff_role)
    return studio_app(Studio(botdir, access, Host(library, client, settings.key_prefix), kinds=kinds))


def bounded_body(timeout: float) -> Middleware:
    """Read every request body before its handler, within `timeout` seconds (0: no limit).

    A body that trickles in slower is answered 408 and its connection closed, so slow clients
    cannot hold connections open; a client that hangs up mid-body is one log line, not a traceback.
    """

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.can_read_body and not request.content.is_eof():  # a small body has usually all arrived
            try:
                async with asyncio.timeout(timeout or None):
                    await request.read()  # kept by aiohttp: the handler reads it again for free
            except TimeoutError:
                log.info("%s %s: the body did not arrive within %g s; answered 408 and closed",
                         request.method, _route(request), timeout)
                return await _closed(request, _error(408, f"the request body did not arrive within {timeout:g} s"))
            except ConnectionError:
                log.info("%s %s: the client hung up before sending the whole body", request.method, _route(request))
                return _error(400, "the client hung up")  # nobody is there to read it
        return await handler(request)

    return middleware


def _route(request: web.Request) -> str:
    """The route's pattern, e.g. /admin/conversations/{channel}/{user}: never a user's id in a log line."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "(no route)"


async def _closed(request: web.Request, response: web.Response) -> web.Response:
    """Send `response`, then close the connection at once (no lingering over the unread body)."""
    response.force_close()
    await response.prepare(request)
    await response.write_eof()
    if request.transport is not None:
        request.transport.close()
    return response


async def healthz(request: web.Request) -> web.Response:
    failed = request.app[BOTS].failed
    return _error(503, failed) if failed else web.json_response({"ok": True})


def chosen(request: web.Request) -> Service:
    """The bot `?bot=` names, or the first one."""
    bots = _loaded(request)
    name = request.query.get("bot")
    if name is None:
        return next(iter(bots.values()))
    if name not in bots:
        raise web.HTTPNotFound(text=json.dumps({"error": f"no bot {name!r} is served here"}),
                               content_type="application/json")
    return bots[name]


def _loaded(request: web.Request) -> dict[str, Service]:
    """The open bots; 503 while they wait for Redis (Meta retries a webhook that gets it)."""
    bots = request.app[BOTS]
    if not bots.by_name:
        raise web.HTTPServiceUnavailable(text=json.dumps({"error": f"not ready: {bots.waiting}; retry later"}),
                                         content_type="application/json")
    return bots.by_name


def _serving(request: web.Request, channel: str) -> list[Service]:
    return [s for s in _loaded(request).values() if channel in s.connectors]


async def readyz(request: web.Request) -> web.Response:
    bots = request.app[BOTS]
    service = bots.first
    if service is None:
        return _error(503, bots.waiting)
    try:
        await asyncio.wait_for(service.client.ping(), 2)
    except (RedisError, OSError, TimeoutError):
        return _error(503, "Redis does not answer")
    return web.json_response({"ok": True, "bot": service.library.name, "channels": sorted(service.connectors),
                              "bots": {name: sorted(s.connectors) for name, s in bots.by_name.items()}})


async def subscribe(request: web.Request) -> web.Response:
    channel = request.match_info["channel"]
    serving = _serving(request, channel)
    if not serving:
        return _not_served(chosen(request), channel)
    refused = ""
    for service in serving:  # each bot may have its own verify token
        try:
            challenge = service.connectors[channel].verify_subscription(request.query)
            return web.Response(text=challenge, content_type="text/plain")
        except BadSubscription as exc:
            refused = refused or str(exc)
    return web.Response(status=403, text=refused, content_type="text/plain")


async def receive(request: web.Request) -> web.Response:
    channel = request.match_info["channel"]
    serving = _serving(request, channel)
    if not serving:
        return _not_served(chosen(request), channel)
    if serving[0].connectors[channel].replies == "response":
        return await respond(request, channel)
    body = await request.read()
    try:
        result = await ingest(serving, channel, body, request.headers)
    except BadSignature as exc:
        log.warning("webhook refused channel=%s: bad signature", channel)
        return _error(401, str(exc))
    except BadPayload as exc:
        log.warning("webhook refused channel=%s: malformed body (%d bytes)", channel, len(body))
        return _error(400, str(exc))
    except (RedisError, OSError) as exc:
        log.error("webhook channel=%s not stored, storage unavailable: %s", channel, type(exc).__name__)
        return _error(503, "storage unavailable; nothing was stored, retry later")
    return web.json_response(result.to_json(), dumps=codec.dumps_text)


def _answering(channel: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        return await respond(request, channel)

    return handler


async def respond(request: web.Request, channel: str) -> web.Response:
    """A channel that answers in the response (e.g. Rasa's REST channel: `{"sender", "message"}` in, the
    bot's replies out). The turn runs here; replies the conversation had waiting (a reminder, a nudge)
    come along."""
    service = chosen(request)
    if (connector := service.connectors.get(channel)) is None:
        return _not_served(service, channel)
    body = await request.read()
    try:
        connector.verify(body, request.headers)
        parsed = connector.parse(body)
    except BadSignature as exc:
        return _error(401, str(exc))
    except BadPayload as exc:
        return _error(400, str(exc))
    replies: list[dict[str, object]] = []
    for event in parsed.events:
        event = within(event, service.settings.max_text_chars)
        submitted = await service.processor.submit(event, take=True)  # its last commit takes the outbox
        taken = submitted.taken
        if taken is None:  # another request ran the turns (the same user, twice at once): what waits now
            taken = await service.processor.store.outbox(service.processor.key_for(event), take=True)
        for message in taken:
            replies += connector.render(message, to=event.user).payloads
    return web.json_response(replies, dumps=codec.dumps_text)


async def pending(request: web.Request) -> web.Response:
    """Replies waiting for a user of a channel that answers in the response: staff replies reach a web
    page that polls here, without waiting for the patient's next message."""
    channel = request.match_info["channel"]
    service = chosen(request)
    connector = service.connectors.get(channel)
    if connector is None or connector.replies != "response":
        return _error(404, f"channel {channel!r} pushes its replies; only channels that answer in the HTTP "
                           "response are polled")
    try:
        connector.verify(b"", request.headers)
    except BadSignature as exc:
        return _error(401, str(exc))
    user = request.query.get("sender", "")
    if not user:
        return _error(400, "name the user: ?sender=<the sender id the page posts with>")
    key = ConversationKey(service.library.name, channel, user)
    replies: list[dict[str, object]] = []
    for message in await service.processor.store.outbox(key, take=True):
        replies += connector.render(message, to=user).payloads
    return web.json_response(replies, dumps=codec.dumps_text)


async def model_parse(request: web.Request) -> web.Response:
    """Rasa's `POST /model/parse`, answered by the bot's NLU: papo can stand in for a Rasa server."""
    service = chosen(request)
    reader = service.processor.services.nlu
    if reader is None:
        return _error(404, f"bot {service.library.name!r} has no NLU: add an nlu.yml or triggers.intents to a flow")
    try:
        body = await request.json()
    except ValueError:
        return _error(400, 'the body is not JSON; send {"text": "..."}')
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        return _error(400, 'the body needs a "text" string: {"text": "quero marcar uma consulta"}')
    now = service.processor.clock.now().astimezone(ZoneInfo(service.library.current.timezone))
    parsed = await reader.parse(body["text"], now)
    if isinstance(body.get("message_id"), str):
        parsed["message_id"] = body["message_id"]
    return web.json_response(parsed)


def _not_served(service: Service, channel: str) -> web.Response:
    served = ", ".join(sorted(service.connectors)) or "none"
    return _error(404, f"channel {channel!r} is not served here (served: {served}); set its variables to serve it")


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def serve(botdirs: Sequence[Path], *, host: str, port: int, role: Role, bots_dir: Path | None = None) -> int:
    """Run the service until SIGINT or SIGTERM; SIGHUP reloads the bots (and opens new ones of `bots_dir`)."""
    settings = Settings.from_env()
    botdirs = [*botdirs, *(bot_folders(bots_dir) if bots_dir is not None else [])]
    names = []
    for botdir in botdirs:
        result = check_bot(botdir)
        if result.bot is None:
            raise FlowInvalid(result.errors)
        names.append(result.bot.name)
    if settings.redis_url is None and role != "all":
        log.warning("role %s on the embedded store: no other process can share it; set REDIS_URL", role)
    log.info("serving bot(s) %s on http://%s:%d (role %s, store %s)", ", ".join(names), host, port, role,
             "redis" if settings.redis_url else "embedded")
    try:
        app = build_app(settings, list(botdirs), role=role, bots_dir=bots_dir, hangup=True)
        app.on_shutdown.append(_shutting_down)
        # requests in flight get SHUTDOWN_S to finish; then the bots' loops drain (Service.running)
        web.run_app(app, host=host, port=port, print=None, access_log=None, shutdown_timeout=SHUTDOWN_S)
    except (RedisError, OSError) as exc:  # the port is taken (a Redis that does not answer yet is waited for)
        log.error("papo serve stopped: %s: %s", type(exc).__name__, exc)
        return 1
    return 0
