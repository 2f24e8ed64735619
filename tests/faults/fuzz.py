"""Hostile input, signed correctly: random bytes and JSON shapes, WhatsApp bodies with broken items
(lone UTF-16 surrogates in ids, numbers and texts, wrong types, deep nesting), huge texts, and raw
HTTP the way no well-behaved client sends it (headers that are not UTF-8, bodies that trickle in,
clients that hang up halfway).

A valid message of a fuzz user rides in many hostile batches: papo must skip the bad items and
answer it. Each fuzz user posts one body at a time, so its replies have an order too.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .cluster import until
from .meta import Meta, encode, envelope, signature, status, text
from .patients import Conversation, Expect, Progress, echo_of, echo_starting

JUNK_USER = "5511900009999"  # hostile items speak for this user, so they never disturb a counted conversation
LONE = ("\ud800", "\udfff", "\udc80", "\ud83d")


def lone(rng: random.Random) -> str:
    return rng.choice(LONE)


def random_json(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 4 or roll < 0.35:
        return rng.choice([None, True, False, 0, -1, 2**70, 1.5e300, "", "x" * rng.randint(1, 40), lone(rng),
                           "wamid." + lone(rng), "\x00", "💥"])
    if roll < 0.7:
        return {rng.choice(["object", "entry", "changes", "value", "messages", "id", "from", "text", "x"]):
                random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))]


def _message(rng: random.Random, **fields: Any) -> dict[str, Any]:
    base = text(JUNK_USER, f"wamid.J{rng.getrandbits(48)}", "oi", int(time.time()))
    base.update(fields)
    return base


def hostile_item(rng: random.Random) -> Any:
    """One broken `messages[]` item."""
    makers: list[Callable[[], Any]] = [
        lambda: _message(rng, id="wamid." + lone(rng)),
        lambda: _message(rng, timestamp="17" + lone(rng)),
        lambda: _message(rng, timestamp=rng.choice(["abc", "-1", "1e30", "99999999999999999999", 17.5, None])),
        lambda: _message(rng, **{"from": JUNK_USER[:6] + lone(rng)}),
        lambda: _message(rng, text={"body": "oi " + lone(rng)}),
        lambda: _message(rng, text={"body": rng.choice([5, None, [], {"x": 1}])}),
        lambda: _message(rng, text=rng.choice(["x", 5, None])),
        lambda: _message(rng, type=rng.choice(["brand_new", "", 5, None, lone(rng)])),
        lambda: _message(rng, type="interactive", interactive={"type": "list_reply"}),
        lambda: _message(rng, type="interactive", interactive={"type": "button_reply",
                                                              "button_reply": {"id": lone(rng), "title": 5}}),
        lambda: _message(rng, type="button", button={"payload": lone(rng), "text": None}),
        lambda: _message(rng, id=rng.choice([5, None, [], "x" * 100_000])),
        lambda: _message(rng, text={"body": _nested(300)}),
        lambda: rng.choice([5, "x", None, [1, 2], lone(rng)]),
    ]
    return rng.choice(makers)()


def hostile_status(rng: random.Random) -> Any:
    return rng.choice([
        status(JUNK_USER, "wamid." + lone(rng), "read", int(time.time())),
        status(JUNK_USER, "wamid.out1", rng.choice(["xyz", "", lone(rng)]), int(time.time())),
        {"id": 5, "status": None, "timestamp": lone(rng)},
        "not a status",
    ])


def _nested(depth: int) -> Any:
    value: Any = "fundo"
    for _ in range(depth):
        value = [value]
    return value


def hostile_body(rng: random.Random) -> tuple[bytes, str]:
    """A signed body with nothing valid in it, and what kind it is."""
    roll = rng.random()
    if roll < 0.2:
        return rng.randbytes(rng.randint(0, 2000)), "random bytes"
    if roll < 0.4:
        return json.dumps(random_json(rng)).encode(), "random JSON"
    if roll < 0.55:
        shape = rng.choice([{"object": "whatsapp_business_account", "entry": random_json(rng)},
                            {"object": "whatsapp_business_account", "entry": [{"changes": random_json(rng)}]},
                            {"object": "whatsapp_business_account",
                             "entry": [{"changes": [{"field": "messages", "value": random_json(rng)}]}]},
                            {"object": lone(rng), "entry": []}])
        return json.dumps(shape).encode(), "broken envelope"
    if roll < 0.65:
        return b'{"object": "whatsapp_business_account", "entry": [{"id": "\xff\xfe' + rng.randbytes(8) + b'"}]}', \
            "bytes that are not UTF-8"
    if roll < 0.7:
        return b"[" * 200_000 + b"]" * 200_000, "JSON nested 200,000 deep"
    items = [hostile_item(rng) for _ in range(rng.randint(1, 3))]
    return encode(envelope(items, statuses=[hostile_status(rng)], contacts=[{"wa_id": lone(rng)}])), \
        "hostile items only"


@dataclass
class Fuzzer:
    """Posts `bodies` hostile bodies one at a time, spread over the scripted traffic (and so over the
    faults); about half carry a valid message of its own user among broken items. The first may be a
    huge (but valid) text."""

    index: int
    meta: Meta
    rng: random.Random
    progress: Progress
    bodies: int
    huge_bytes: int = 0
    conversation: Conversation = field(init=False)
    kinds: dict[str, int] = field(default_factory=dict)
    _sent: int = 0

    def __post_init__(self) -> None:
        self.conversation = Conversation(f"55119{90000000 + self.index:08d}", "fuzz")

    async def run(self) -> None:
        if self.huge_bytes:
            await self._huge()
        for n in range(self.bodies):
            async def due(share: float = 0.9 * n / self.bodies) -> bool:  # done before the traffic is
                return self.progress.fraction() >= share or self.progress.done
            await until(due, timeout=3600)
            if self.rng.random() < 0.5:
                await self._batch(n)
            else:
                body, kind = hostile_body(self.rng)
                self.kinds[kind] = self.kinds.get(kind, 0) + 1
                await self.meta.post(body, what=kind, valid=False, tries=2)

    def _wamid(self) -> str:
        self._sent += 1
        return f"wamid.Z{self.index}.{self._sent}"

    async def _batch(self, n: int) -> None:
        said = f"z{self.index}.{n}"
        items = [hostile_item(self.rng) for _ in range(self.rng.randint(1, 3))]
        items.insert(self.rng.randrange(len(items) + 1), text(self.conversation.user, self._wamid(), said,
                                                              int(time.time())))
        statuses = [hostile_status(self.rng)] if self.rng.random() < 0.3 else []
        self.conversation.expects.append(Expect(f"echo of {said}, sent among broken items", "fuzz", echo_of(said)))
        self.kinds["a valid message among broken items"] = self.kinds.get("a valid message among broken items", 0) + 1
        await self.meta.post(encode(envelope(items, statuses=statuses)), what="a valid message among broken items",
                             valid=True, tries=2)

    async def _huge(self) -> None:
        head = f"huge{self.index} "
        said = head + "x" * (self.huge_bytes - len(head))
        self.conversation.expects.append(Expect(f"echo of a {self.huge_bytes:,}-byte text", "fuzz",
                                                echo_starting(head)))
        self.kinds["a huge text"] = 1
        await self.meta.post(encode(envelope([text(self.conversation.user, self._wamid(), said, int(time.time()))])),
                             what="a huge text", valid=True)


# -- raw HTTP ------------------------------------------------------------------------------------


async def _status_of(reader: asyncio.StreamReader, timeout: float) -> int | None:
    try:
        line = await asyncio.wait_for(reader.readline(), timeout)
    except (TimeoutError, ConnectionError, OSError):
        return None
    parts = line.split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


async def raw_request(port: int, head: bytes, body: bytes = b"", timeout: float = 30) -> int | None:
    """Send bytes as they are; the status code of the answer, or None when there was none."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head + body)
        await writer.drain()
        return await _status_of(reader, timeout)
    finally:
        writer.close()


def _head(method: str, path: str, *, length: int, extra: bytes = b"") -> bytes:
    return (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\n").encode() + extra + b"Connection: close\r\n\r\n"


async def bad_headers(port: int) -> list[tuple[str, int | None]]:
    """Headers that are not UTF-8, on the admin API, the REST channel and a webhook."""
    rest = b'{"sender": "x", "message": "oi"}'
    hook = encode(envelope([text(JUNK_USER, "wamid.H1", "oi", int(time.time()))]))
    tries = [("admin API", _head("GET", "/admin/failures", length=0, extra=b"Authorization: Bearer \xff\xfe\xfd\r\n"),
              b""),
             ("REST channel", _head("POST", "/webhooks/rest/webhook", length=len(rest),
                                    extra=b"Authorization: Bearer \xc3\x28\xa0\r\n"), rest),
             ("webhook signature", _head("POST", "/webhooks/whatsapp", length=len(hook),
                                         extra=b"X-Hub-Signature-256: sha256=\xff\xfe\r\n"), hook)]
    return [(what, await raw_request(port, head, body)) for what, head, body in tries]


async def hang_up(port: int) -> None:
    """A client that sends part of a signed body and goes away."""
    body = encode(envelope([text(JUNK_USER, "wamid.HU", "oi", int(time.time()))]))
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    extra = f"X-Hub-Signature-256: {signature(body)}\r\n".encode()
    writer.write(_head("POST", "/webhooks/whatsapp", length=len(body) + 10_000, extra=extra) + body)
    await writer.drain()
    writer.close()


async def slow_body(port: int, seconds: float) -> float | None:
    """Send a body one byte a second; how long until papo answered or closed, or None if it let us go on
    for `seconds`."""
    loop = asyncio.get_running_loop()
    body = encode(envelope([text(JUNK_USER, "wamid.SLOW", "oi", int(time.time()))]))
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = loop.time()
    try:
        extra = f"X-Hub-Signature-256: {signature(body)}\r\n".encode()
        writer.write(_head("POST", "/webhooks/whatsapp", length=len(body), extra=extra))
        await writer.drain()
        for byte in body:
            if loop.time() - started > seconds:
                return None
            writer.write(bytes([byte]))
            await writer.drain()
            try:
                said = await asyncio.wait_for(reader.read(1), 1.0)  # the pace: one byte a second
            except TimeoutError:
                continue
            if said or reader.at_eof():
                return loop.time() - started
        return None  # the whole body arrived: too short a body for this probe
    except (ConnectionError, OSError):
        return loop.time() - started
    finally:
        writer.close()
