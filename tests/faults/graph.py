"""A fake Graph API on 127.0.0.1 for the fault campaign: it records every message a papo process
sends, and can slow sends down or refuse some of them with a retryable error.

Each papo process gets its own base URL, `http://127.0.0.1:<port>/<process name>`, so every
recorded send names the process that made it: a duplicate can then be traced to a sender that
was SIGKILLed while its first copy was in flight. A send is recorded when it arrives, as Meta
would have taken it, even when its sender dies before reading the answer.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass(frozen=True, slots=True)
class Send:
    seq: int
    process: str                # the papo process that sent it
    user: str                   # the recipient's wa_id
    papo_id: str                # papo's message id (biz_opaque_callback_data)
    text: str                   # the text, or the body of an interactive message
    options: tuple[str, ...]    # ids of its buttons or list rows
    at: float                   # loop time of arrival


def _content(body: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    kind = body.get("type")
    if kind == "text":
        return str(body["text"]["body"]), ()
    if kind == "interactive":
        interactive = body["interactive"]
        action = interactive.get("action", {})
        ids = [b["reply"]["id"] for b in action.get("buttons", [])]
        ids += [row["id"] for section in action.get("sections", []) for row in section.get("rows", [])]
        return str(interactive.get("body", {}).get("text", "")), tuple(ids)
    if kind == "template":
        return f"template:{body['template']['name']}", ()
    return f"{kind}:", ()


@dataclass
class Graph:
    """Answers `POST /<process>/<version>/<phone number id>/messages` like the WhatsApp Cloud API."""

    rng: random.Random
    delay: tuple[float, float] = (0.0, 0.0)   # each send waits a random time in this range
    fail_every: int = 0                       # every n-th send is refused with a retryable 503 (0: never)
    sends: list[Send] = field(default_factory=list)
    refused: int = 0
    typing: int = 0
    in_flight: int = 0                        # sends received and not answered yet
    _by_user: dict[str, list[Send]] = field(default_factory=dict)
    _waiters: dict[str, asyncio.Event] = field(default_factory=dict)
    _runner: web.AppRunner | None = None
    _arrived: int = 0

    async def start(self) -> int:
        app = web.Application()
        app.router.add_post("/{process}/{version}/{account}/messages", self._messages)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        return int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def to(self, user: str) -> list[Send]:
        return self._by_user.get(user, [])

    async def wait(self, user: str, seen: int, timeout: float) -> bool:
        """Wait until `user` has more than `seen` sends; False when `timeout` passed first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.to(user)) <= seen:
            event = self._waiters.setdefault(user, asyncio.Event())
            try:
                await asyncio.wait_for(event.wait(), max(0.0, deadline - loop.time()))
            except TimeoutError:
                return False
        return True

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        if body.get("status") == "read":  # the typing indicator: a worker marks the message read
            self.typing += 1
            return web.json_response({"success": True})
        self._arrived += 1
        if self.fail_every and self._arrived % self.fail_every == 0:
            self.refused += 1
            return web.json_response({"error": {"message": "Service temporarily unavailable", "type": "OAuthException",
                                                 "code": 2, "fbtrace_id": "F4ult"}}, status=503)
        user = str(body.get("to", ""))
        text, options = _content(body)
        send = Send(len(self.sends), request.match_info["process"], user, str(body.get("biz_opaque_callback_data", "")),
                    text, options, asyncio.get_running_loop().time())
        self.sends.append(send)
        self._by_user.setdefault(user, []).append(send)
        if (event := self._waiters.pop(user, None)) is not None:
            event.set()
        low, high = self.delay
        if high > 0:
            self.in_flight += 1
            try:
                await asyncio.sleep(self.rng.uniform(low, high))
            finally:
                self.in_flight -= 1
        return web.json_response({"messaging_product": "whatsapp", "contacts": [{"input": user, "wa_id": user}],
                                  "messages": [{"id": f"wamid.out{send.seq}"}]})
