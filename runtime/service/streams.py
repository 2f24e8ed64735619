"""Server-sent event streams (the inbox's, the studio's) end as soon as the server shuts down: left
open, a stream a staff member keeps in a browser tab would hold every SIGTERM for the whole grace
period that requests in flight get."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

from aiohttp import web

STREAMS: web.AppKey[set[asyncio.Task[None]]] = web.AppKey("event_streams")


def keep_streams(app: web.Application) -> None:
    """Make `app` end the streams opened under it (and its sub-applications) when it shuts down."""
    app[STREAMS] = set()
    app.on_shutdown.append(_end_streams)


@contextlib.contextmanager
def stream_of(request: web.Request) -> Iterator[None]:
    """While the block runs, the request's handler is an event stream that shutdown ends."""
    streams = request.config_dict.get(STREAMS)
    if streams is None:  # an application that does not keep streams
        yield
        return
    streams.add(request.task)
    try:
        yield
    finally:
        streams.discard(request.task)


async def _end_streams(app: web.Application) -> None:
    streams = app[STREAMS]
    for task in tuple(streams):
        task.cancel()
