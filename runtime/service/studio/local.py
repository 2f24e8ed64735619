"""`papo studio BOTDIR`: the studio alone, on 127.0.0.1, on the embedded store (no server needed)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, TextIO, cast

import redis.asyncio as aioredis
from aiohttp import web

from flows.errors import FlowInvalid
from runtime.conversations.library import BotLibrary
from runtime.conversations.validation import check_folder
from runtime.service.settings import Settings, redis_client
from runtime.service.streams import keep_streams
from runtime.service.studio.api import Host, Studio, studio_app
from runtime.service.studio.auth import Access

log = logging.getLogger(__name__)

MOUNT = "/studio/"
LIBRARY = web.AppKey("library", BotLibrary)
CLIENT = web.AppKey("client", aioredis.Redis)


def local_app(root: str | Path, settings: Settings, access: Access, *,
              client: aioredis.Redis | None = None) -> web.Application:
    """The root application `papo studio` serves: the studio at /studio/, a redirect from /."""
    app = web.Application()
    keep_streams(app)  # the studio's event stream ends at shutdown
    holder: dict[str, object] = {}

    def library() -> BotLibrary | None:
        found = holder.get("library")
        return found if isinstance(found, BotLibrary) else None

    def redis() -> aioredis.Redis | None:
        found = holder.get("client")  # a Redis, or a RedisCluster typed as one (runtime.service.redis_urls)
        return cast(aioredis.Redis, found) if found is not None else None

    studio = Studio(root, access, Host(library, redis, settings.key_prefix))

    async def lifespan(app: web.Application) -> AsyncIterator[None]:
        own = client is None
        connection = client if client is not None else redis_client(settings)
        holder["client"] = connection
        result = check_folder(root)
        warming: asyncio.Future[Any] | None = None
        if result.bot is not None:  # a broken bot still opens in the studio, to be fixed there
            loaded = BotLibrary(root, result.bot, client=connection, prefix=settings.key_prefix)
            await loaded.publish()
            holder["library"] = loaded
            # the test chat's NLU, trained while the page loads rather than on the first message
            warming = asyncio.ensure_future(asyncio.to_thread(studio.chats.base_services, result.bot))
        try:
            yield
        finally:
            if warming is not None:
                with contextlib.suppress(Exception):
                    await warming
            if own:
                await connection.aclose()

    app.cleanup_ctx.append(lifespan)

    async def home(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(MOUNT)

    app.router.add_get("/", home)
    app.add_subapp(MOUNT, studio_app(studio))
    return app


def run_studio(root: Path, *, port: int, out: TextIO = sys.stdout) -> int:
    """Serve until interrupted; print the sign-in address once the port is open."""
    settings = Settings.from_env()
    if not (root / "bot.json").exists():
        raise FlowInvalid(check_folder(root).errors)
    access = Access()
    app = local_app(root, settings, access)
    return asyncio.run(_serve(app, access, port, out))


async def _serve(app: web.Application, access: Access, port: int, out: TextIO) -> int:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        print(f"papo studio: cannot listen on 127.0.0.1:{port}: {exc.strerror}; try --port with another number",
              file=sys.stderr)
        return 1
    bound = runner.addresses[0][1] if runner.addresses else port
    print(f"papo studio: open http://127.0.0.1:{bound}{MOUNT}?token={access.login_token()}", file=out, flush=True)
    print("(the link signs you in once; press Ctrl+C to stop)", file=out, flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        with contextlib.suppress(Exception):
            await runner.cleanup()
    return 0
