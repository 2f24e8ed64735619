"""An event receiver on 127.0.0.1, as docs/events.md shows one: it checks each request's signature with
the documented five lines, answers from a script per event type (then 200), and can be down and up on
the same port."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
from collections.abc import Callable
from typing import Any

from aiohttp import web


def verified(secret: bytes, header: str, body: bytes, now: float) -> bool:
    """docs/events.md: the receiver's check, as written there."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(secret, f"{fields['t']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"]) and abs(now - int(fields["t"])) < 300


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Receiver:
    def __init__(self, secret: str, now: Callable[[], float]) -> None:
        self.secret = secret.encode()
        self.now = now
        self.port = free_port()
        self.received: list[dict[str, Any]] = []  # every request, whatever it was answered
        self.taken: list[dict[str, Any]] = []  # events answered 2xx
        self.refuse: dict[str, int] = {}  # event id or type -> the status to answer instead of 200
        self.bad_signatures = 0
        self.headers: list[dict[str, str]] = []
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/papo"

    async def up(self) -> None:
        app = web.Application()
        app.router.add_post("/papo", self._take)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def down(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _take(self, request: web.Request) -> web.Response:
        body = await request.read()
        if not verified(self.secret, request.headers.get("Papo-Signature", ""), body, self.now()):
            self.bad_signatures += 1
            return web.json_response({"error": "bad signature"}, status=401)
        event = json.loads(body)
        self.received.append(event)
        self.headers.append(dict(request.headers))
        status = self.refuse.get(event["id"], self.refuse.get(event["type"], 200))
        if status == 200:
            if event["id"] not in {e["id"] for e in self.taken}:  # idempotent by id, as documented
                self.taken.append(event)
        return web.json_response({"ok": status == 200}, status=status)

    def of(self, contact: str) -> list[str]:
        return [e["type"] for e in self.taken if e["contact"]["id"] == contact]
