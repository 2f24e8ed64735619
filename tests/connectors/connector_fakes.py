"""Test helpers for the connectors: a fake Graph API on loopback, payload files and signatures."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

PAYLOADS = Path(__file__).parent / "payloads"
APP_SECRET = "s3cr3t-app"
PHONE_NUMBER_ID = "106540352242922"
PAGE_ID = "1234567890123"
IG_ID = "17841400000000000"


def payload(name: str) -> bytes:
    """The raw bytes of a stored webhook body, e.g. payload("whatsapp/text")."""
    return (PAYLOADS / f"{name}.json").read_bytes()


def payload_names(channel: str) -> list[str]:
    return sorted(f"{channel}/{p.stem}" for p in (PAYLOADS / channel).glob("*.json"))


def signed(body: bytes, secret: str = APP_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}"}


@dataclass
class Call:
    path: str
    json: Any
    authorization: str


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    raw: bytes | None = None


class FakeGraph:
    """Graph API on 127.0.0.1: records each call, answers from a script of `Reply`s.

    With an empty script it accepts: WhatsApp paths get a `messages[{id}]` answer, the Send API
    a `{recipient_id, message_id}` one, with ids numbered in call order.
    """

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.script: deque[Reply] = deque()
        self.app = web.Application()
        self.app.router.add_post("/{version}/{account}/messages", self._messages)
        self.released = asyncio.Event()

    def answer(self, *replies: Reply) -> None:
        self.script.extend(replies)

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.calls.append(Call(request.path, body, request.headers.get("Authorization", "")))
        reply = self.script.popleft() if self.script else self._accept(body)
        if reply.delay:
            try:
                await asyncio.wait_for(self.released.wait(), reply.delay)
            except TimeoutError:
                pass
        if reply.raw is not None:
            return web.Response(body=reply.raw, status=reply.status, headers=reply.headers)
        return web.json_response(reply.body, status=reply.status, headers=reply.headers)

    def _accept(self, body: dict[str, Any]) -> Reply:
        n = len(self.calls)
        if body.get("messaging_product") == "whatsapp":
            to = body.get("to") or body.get("recipient", "")
            return Reply(
                body={
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": to, "wa_id": to}],
                    "messages": [{"id": f"wamid.out{n}"}],
                }
            )
        return Reply(body={"recipient_id": body.get("recipient", {}).get("id", ""), "message_id": f"m_out{n}"})


def graph_error(code: int, message: str = "error", *, subcode: int | None = None, details: str = "") -> dict[str, Any]:
    """A Graph error body shaped like Meta's."""
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbC123"}
    if subcode is not None:
        error["error_subcode"] = subcode
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return {"error": error}
