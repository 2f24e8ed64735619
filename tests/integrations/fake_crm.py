"""A CRM on 127.0.0.1: records every request, answers from a script of statuses (then 200)."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


class FakeCrm:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses: deque[int] = deque()
        app = web.Application()
        app.router.add_get("/pacientes", self._patient)
        app.router.add_post("/notas", self._note)
        app.router.add_delete("/marcas/{id}", self._delete)
        app.router.add_get("/lento", self._slow)
        self.server = TestServer(app, host="127.0.0.1")
        self.released = asyncio.Event()

    @property
    def url(self) -> str:
        return str(self.server.make_url("")).rstrip("/")

    async def start(self) -> None:
        await self.server.start_server()

    async def aclose(self) -> None:
        self.released.set()
        await self.server.close()

    async def _record(self, request: web.Request) -> int:
        body = await request.json() if request.can_read_body else None
        self.requests.append({"method": request.method, "path": request.path, "query": dict(request.query),
                              "headers": dict(request.headers), "body": body})
        return self.statuses.popleft() if self.statuses else 200

    async def _patient(self, request: web.Request) -> web.Response:
        status = await self._record(request)
        if status != 200:
            return web.json_response({"error": "unavailable"}, status=status)
        return web.json_response({"nome": "Joana Prado", "convenio": {"nome": "Unimed"}})

    async def _note(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True}, status=await self._record(request))

    async def _delete(self, request: web.Request) -> web.Response:
        status = await self._record(request)
        return web.Response(status=204 if status == 200 else status)

    async def _slow(self, request: web.Request) -> web.Response:
        await self._record(request)
        await self.released.wait()  # answers only when the test ends: the caller's timeout fires first
        return web.json_response({})
