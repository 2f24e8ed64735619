"""Hostile bytes: strings that are not text (lone UTF-16 surrogates) in a signed body, headers that
are not UTF-8. A bad item is skipped and recorded for staff; the rest of its batch is answered;
nothing answers 500."""

from __future__ import annotations

import json
from typing import Any

import service_helpers as h

TOKEN = "admin-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def batch(*messages: dict[str, Any]) -> bytes:
    return h.wa_body(messages=messages)


async def test_a_surrogate_in_an_id_skips_that_item_and_the_valid_one_is_answered(start: h.Start) -> None:
    app = await start(admin_token=TOKEN)
    bad_id = h.wa_message("wamid.\ud800", "primeira")
    bad_sender = h.wa_message("wamid.H2", "segunda", user="55119\udfff8765")
    body = batch(bad_id, bad_sender, h.wa_message("wamid.H3", "terceira"))
    assert b"\\ud800" in body  # as JSON escapes: the body itself is valid UTF-8
    answer = await app.post(body)
    assert answer.status == 200, await answer.text()
    assert await answer.json() == {"events": 1, "duplicates": 0, "statuses": 0, "skipped": 2}

    async def answered() -> bool:
        return app.texts() == ["1:terceira"]

    await h.wait_until(answered)
    again = await app.post(body)  # Meta's retry of the same body
    assert again.status == 200 and (await again.json())["duplicates"] == 1
    listed = await app.client.get("/admin/failures", headers=AUTH)  # for staff, with the refused messages
    assert listed.status == 200
    skipped = [f for f in (await listed.json())["failures"] if f["kind"] == "webhook"]
    where = "/entry/0/changes/0/value/messages"
    assert sorted((s["skipped"], s["where"], s["channel"]) for s in skipped) == [
        ("malformed", f"{where}/0", "whatsapp"), ("malformed", f"{where}/0", "whatsapp"),
        ("malformed", f"{where}/1", "whatsapp"), ("malformed", f"{where}/1", "whatsapp")]  # the retry's too
    assert all("surrogate" in s["reason"] for s in skipped)


async def test_a_surrogate_in_a_status_is_skipped_not_a_500(start: h.Start) -> None:
    app = await start("ingest")
    answer = await app.post(h.wa_body(statuses=[h.wa_status("wamid.\udc00", "read"), h.wa_status("wamid.S2", "read")]))
    assert answer.status == 200
    assert await answer.json() == {"events": 0, "duplicates": 0, "statuses": 1, "skipped": 1}


async def test_the_rest_channel_refuses_a_surrogate_with_a_400(start: h.Start) -> None:
    app = await start()
    for body in ({"sender": "v\ud800", "message": "oi"}, {"sender": "v", "message": "oi \udbff"}):
        answer = await app.client.post("/webhooks/rest/webhook", data=json.dumps(body))
        assert answer.status == 400
        assert "surrogate" in (await answer.json())["error"]


async def test_an_authorization_header_that_is_not_utf8_is_a_401(start: h.Start) -> None:
    app = await start(admin_token=TOKEN, channels=h.WITH_WEB_TOKEN)
    port = app.client.port
    for value in (b"Bearer \xff\xfe", b"Bearer " + TOKEN.encode() + b"\xed\xa0\x80", b"\xc3("):
        header = [(b"Authorization", value)]
        assert await h.raw_request(port, h.raw_head("GET", "/admin/timers", header)) == 401
        rest = h.raw_head("POST", "/webhooks/rest/webhook", header, length=2) + b"{}"
        assert await h.raw_request(port, rest) == 401
        webhook = h.raw_head("POST", "/webhooks/whatsapp", [(b"X-Hub-Signature-256", value)], length=2) + b"{}"
        assert await h.raw_request(port, webhook) == 401
