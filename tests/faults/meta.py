"""Webhooks as Meta sends them: WhatsApp bodies signed with the app secret, posted to papo's ingest
and retried on a 5xx or on no answer at all, with backoff. Every answer is recorded."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp

APP_SECRET = "faults-app-secret"
PHONE_NUMBER_ID = "106540352242922"


def signature(body: bytes, secret: str = APP_SECRET) -> str:
    """The `X-Hub-Signature-256` header's value: the body's HMAC-SHA256 with the app secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed(body: bytes) -> dict[str, str]:
    return {"X-Hub-Signature-256": signature(body), "Content-Type": "application/json"}


def envelope(messages: Sequence[Any] = (), *, statuses: Sequence[Any] = (), contacts: Sequence[Any] | None = None,
             **extra: Any) -> dict[str, Any]:
    """A WhatsApp Cloud API webhook body; `contacts` defaults to one per message sender."""
    value: dict[str, Any] = {"messaging_product": "whatsapp",
                             "metadata": {"display_phone_number": "5511940000000", "phone_number_id": PHONE_NUMBER_ID},
                             **extra}
    if messages:
        senders = dict.fromkeys(m["from"] for m in messages if isinstance(m, dict) and isinstance(m.get("from"), str))
        value["contacts"] = list(contacts) if contacts is not None else [
            {"profile": {"name": "Paciente"}, "wa_id": user} for user in senders]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {"object": "whatsapp_business_account",
            "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}]}


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode()  # ASCII with \u escapes, as Meta sends it


def text(user: str, wamid: str, body: str, ts: int) -> dict[str, Any]:
    return {"from": user, "id": wamid, "timestamp": str(ts), "type": "text", "text": {"body": body}}


def list_reply(user: str, wamid: str, row: str, ts: int) -> dict[str, Any]:
    return {"from": user, "id": wamid, "timestamp": str(ts), "type": "interactive",
            "interactive": {"type": "list_reply", "list_reply": {"id": row, "title": row[:24]}}}


def button_reply(user: str, wamid: str, button: str, ts: int) -> dict[str, Any]:
    return {"from": user, "id": wamid, "timestamp": str(ts), "type": "interactive",
            "interactive": {"type": "button_reply", "button_reply": {"id": button, "title": button}}}


def unreadable(user: str, wamid: str, ts: int) -> dict[str, Any]:
    """An interactive reply WhatsApp could not render: it comes with `errors` instead of its body."""
    return {"from": user, "id": wamid, "timestamp": str(ts), "type": "interactive",
            "errors": [{"code": 131051, "title": "Message type unknown",
                        "error_data": {"details": "Message type is currently not supported."}}]}


def status(user: str, channel_id: str, state: str, ts: int) -> dict[str, Any]:
    return {"id": channel_id, "status": state, "timestamp": str(ts), "recipient_id": user}


@dataclass
class Outages:
    """When Redis was down, from its crash until it answered again (loop time): a 503 to a webhook that
    was in flight during such a window is what papo promises (Meta retries it)."""

    windows: list[tuple[float, float]] = field(default_factory=list)
    _since: float | None = None

    def begin(self) -> None:
        self._since = asyncio.get_running_loop().time()

    def end(self) -> None:
        assert self._since is not None
        self.windows.append((self._since, asyncio.get_running_loop().time()))
        self._since = None

    def covers(self, started: float, answered: float) -> bool:
        """A request from `started` to `answered` met an outage."""
        if self._since is not None and answered >= self._since:
            return True
        return any(started <= high and answered >= low for low, high in self.windows)

    def since_end(self, started: float) -> float | None:
        """Seconds from the end of the last outage before `started` (None: none had ended)."""
        ends = [high for _, high in self.windows if high <= started]
        return started - max(ends) if ends else None


@dataclass(frozen=True, slots=True)
class ServerError:
    status: int
    path: str
    what: str             # which kind of body it was
    during_outage: bool
    detail: str
    after_outage: float | None = None   # seconds since Redis answered again, when it had been down


@dataclass
class Meta:
    """Posts to one papo ingest process (`base` is its URL) and keeps what it answered."""

    base: str
    outages: Outages
    session: aiohttp.ClientSession
    statuses: Counter[int] = field(default_factory=Counter)
    unanswered: int = 0                                  # connection refused or dropped: the process was down
    server_errors: list[ServerError] = field(default_factory=list)
    refused_valid: list[str] = field(default_factory=list)   # a 4xx for a body that was valid

    async def post(self, body: bytes, *, what: str, valid: bool, tries: int = 1_000, deadline: float = 600.0,
                   headers: dict[str, str] | None = None, path: str = "/webhooks/whatsapp") -> int | None:
        """The final status: 2xx/4xx at once; a 500 is retried up to `tries` answers, a 503 or no answer
        at all (Redis or ingest down) until `deadline` seconds, with backoff, as Meta does. None: never
        an answer."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + deadline
        last: int | None = None
        attempt = errors = 0
        while True:
            if attempt:
                await asyncio.sleep(min(0.05 * 2 ** min(attempt, 5), 1.0))
            attempt += 1
            started = loop.time()
            try:
                data = io.BytesIO(body) if len(body) > 1024 * 1024 else body  # aiohttp warns on large raw bytes
                async with self.session.post(self.base + path, data=data, headers=headers or signed(body),
                                             timeout=aiohttp.ClientTimeout(total=60)) as answer:
                    last = answer.status
                    detail = " ".join((await answer.read())[:200].decode("utf-8", "replace").split())
            except (aiohttp.ClientError, TimeoutError, OSError):
                self.unanswered += 1
                if loop.time() > give_up:
                    return last
                continue
            self.statuses[last] += 1
            if last < 500:
                if last >= 400 and valid:
                    self.refused_valid.append(f"{what}: {last} {detail}")
                return last
            answered = loop.time()
            self.server_errors.append(ServerError(last, path, what, self.outages.covers(started, answered), detail,
                                                  self.outages.since_end(started)))
            errors += last != 503
            if errors >= tries or loop.time() > give_up:
                return last

    def five_xx(self) -> list[ServerError]:
        """5xx answers papo never gives: a 500 (or any 5xx but 503)."""
        return [e for e in self.server_errors if e.status != 503]

    def unavailable(self) -> list[ServerError]:
        """503s while Redis answered: papo promises 503 only when it does not."""
        return [e for e in self.server_errors if e.status == 503 and not e.during_outage]
