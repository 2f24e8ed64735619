"""Limits on slow and huge input: a body that trickles in is cut off (PAPO_BODY_TIMEOUT_S), a client
that hangs up mid-body is one log line, and a text longer than PAPO_MAX_TEXT_CHARS is cut before it
is stored and read."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import service_helpers as h


async def _trickle(port: int, length: int) -> bytes:
    """POST a body of `length` bytes one byte at a time until the server hangs up; what it answered.
    Reading between bytes paces the trickle (and notices the close); sending it all means no limit."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    received = b""
    try:
        writer.write(h.raw_head("POST", "/webhooks/whatsapp", [], length=length))
        for _ in range(length):
            try:
                writer.write(b"x")
                await writer.drain()
                chunk = await asyncio.wait_for(reader.read(4096), 0.1)
            except TimeoutError:
                continue
            except ConnectionError:
                return received
            if not chunk:
                return received  # the server closed the connection
            received += chunk
        raise AssertionError(f"the server waited for the whole slow body and answered {received[:40]!r}")
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except ConnectionError:
            pass


async def test_slow_bodies_are_cut_off_and_the_server_keeps_answering(start: h.Start) -> None:
    app = await start("ingest", body_timeout_s=0.3)
    answers = await asyncio.gather(*(_trickle(app.client.port, 200) for _ in range(5)))
    assert all(a == b"" or a.startswith(b"HTTP/1.1 408") for a in answers), answers
    assert (await app.client.get("/healthz")).status == 200
    ok = await app.post(h.wa_body(messages=[h.wa_message("wamid.FAST", "oi")]))
    assert ok.status == 200


async def test_a_client_that_hangs_up_mid_body_is_one_log_line(served: Callable[..., Any]) -> None:
    process = served()
    await process.start()

    async def up() -> bool:
        return await process.status("/healthz") == 200

    await h.wait_until(up, timeout=30)
    before = len(process.log())
    reader, writer = await asyncio.open_connection("127.0.0.1", process.port)
    writer.write(h.raw_head("POST", "/webhooks/whatsapp", [], length=1000) + b"0123456789")
    await writer.drain()
    writer.close()
    await writer.wait_closed()

    async def logged() -> bool:
        new = process.log()[before:]
        return bool(new) and new.endswith("\n")

    await h.wait_until(logged)
    lines = process.log()[before:].splitlines()
    assert len(lines) == 1 and "Traceback" not in lines[0], lines
    assert "hung up" in lines[0]


async def test_a_long_text_is_cut_before_it_is_stored_and_read(start: h.Start) -> None:
    ingest = await start("ingest", max_text_chars=40)
    text = "quero marcar uma consulta " + "a" * 5000
    assert (await ingest.post(h.wa_body(messages=[h.wa_message("wamid.LONG", text)]))).status == 200
    [(_, fields)] = await ingest.redis.xrange(ingest.service.processor.store.keys.inbox(ingest.key))
    stored = json.loads(fields[b"e"])
    assert stored["text"] == text[:40] and stored["data"]["cut_from"] == len(text)
    await start("all", max_text_chars=40)

    async def answered() -> bool:
        return bool(ingest.graph.calls)

    await h.wait_until(answered)
    assert ingest.texts() == [f"1:{text[:40]}"]  # the turn saw the cut text


async def test_the_rest_channel_cuts_long_texts_too(start: h.Start) -> None:
    app = await start(max_text_chars=10)
    answer = await app.client.post("/webhooks/rest/webhook", json={"sender": "v", "message": "abcdefghijklmnop"})
    assert answer.status == 200
    assert [r["text"] for r in await answer.json()] == ["1:abcdefghij"]
