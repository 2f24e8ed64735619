"""The HTTP edge: handshake, signatures, bad bodies, sizes, health."""

from __future__ import annotations

import json

import service_helpers as h

from connectors.constants import WEBHOOK_MAX_BYTES


async def test_handshake_echoes_the_challenge_as_plain_text(start: h.Start) -> None:
    app = await start()
    query = {"hub.mode": "subscribe", "hub.verify_token": h.VERIFY_TOKEN, "hub.challenge": "1158201444"}
    resp = await app.client.get("/webhooks/whatsapp", params=query)
    assert resp.status == 200
    assert resp.content_type == "text/plain"
    assert await resp.text() == "1158201444"


async def test_handshake_with_a_wrong_token_is_refused(start: h.Start) -> None:
    app = await start()
    query = {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"}
    resp = await app.client.get("/webhooks/whatsapp", params=query)
    assert resp.status == 403
    assert "1158201444" not in await resp.text()


async def test_a_channel_not_served_is_404(start: h.Start) -> None:
    app = await start()
    resp = await app.post(h.wa_body(), channel="telegram")
    assert resp.status == 404
    assert "not served" in (await resp.json())["error"]
    assert (await app.client.post("/webhooks/messenger", data=b"{}")).status == 404


async def test_a_signed_webhook_is_accepted(start: h.Start) -> None:
    app = await start("ingest")
    resp = await app.post(h.wa_body(messages=[h.wa_message("wamid.A1", "oi")]))
    assert resp.status == 200
    assert await resp.json() == {"events": 1, "duplicates": 0, "statuses": 0, "skipped": 0}


async def test_a_wrong_or_missing_signature_is_401_and_queues_nothing(start: h.Start) -> None:
    app = await start("ingest")
    body = h.wa_body(messages=[h.wa_message("wamid.A1", "oi")])
    wrong = await app.post(body, headers=h.fakes.signed(body, "not-the-secret"))
    missing = await app.post(body, headers={})
    assert (wrong.status, missing.status) == (401, 401)
    assert "X-Hub-Signature-256" in (await missing.json())["error"]
    assert await inbox_length(app) == 0
    assert await work_length(app) == 0


async def test_a_malformed_body_is_400_with_a_reason_and_queues_nothing(start: h.Start) -> None:
    app = await start("ingest")
    for body in (b"{not json", b"[]", json.dumps({"object": "page", "entry": []}).encode()):
        resp = await app.post(body)
        assert resp.status == 400, body
        assert (await resp.json())["error"]
    assert await work_length(app) == 0


async def test_a_4_mib_body_is_accepted(start: h.Start) -> None:
    app = await start("ingest")
    body = h.wa_body(messages=[h.wa_message("wamid.BIG", "oi")], padding="x" * (4 * 1024 * 1024))
    assert len(body) > 4 * 1024 * 1024
    resp = await app.post(body)
    assert resp.status == 200
    assert (await resp.json())["events"] == 1


async def test_a_body_over_the_limit_is_413_and_queues_nothing(start: h.Start) -> None:
    app = await start("ingest")
    body = h.wa_body(messages=[h.wa_message("wamid.HUGE", "oi")], padding="x" * WEBHOOK_MAX_BYTES)
    resp = await app.post(body)
    assert resp.status == 413
    assert await work_length(app) == 0


async def test_health_and_readiness(start: h.Start) -> None:
    app = await start()
    assert (await app.client.get("/healthz")).status == 200
    ready = await app.client.get("/readyz")
    assert ready.status == 200
    assert await ready.json() == {"ok": True, "bot": "echo", "channels": ["web", "whatsapp"],
                                  "bots": {"echo": ["web", "whatsapp"]}}


async def inbox_length(app: h.Running) -> int:
    return int(await app.redis.xlen(app.service.processor.store.keys.inbox(app.key)))


async def work_length(app: h.Running) -> int:
    return sum([int(await app.redis.xlen(s)) for s in app.service.work.streams])
