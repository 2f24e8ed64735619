"""Several bots in one `papo serve`: each webhook goes to the bot whose phone number it was sent to,
each bot has its own streams and credentials, and `?bot=` picks one for the admin API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import service_helpers as h

REFS = Path(__file__).parent / "bots" / "refs"      # bot "refs": WhatsApp number from CLINICA_WA_NUMBER
SECOND = Path(__file__).parent / "bots" / "second"  # bot "second": WhatsApp number 200000000000002
TOKEN = "admin-token-0123456789abcdef"


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"CLINICA_WA_TOKEN": "token-refs", "CLINICA_WA_SECRET": h.fakes.APP_SECRET,
                        "CLINICA_WA_VERIFY": "verify-refs", "CLINICA_WA_NUMBER": "100000000000001",
                        "SECOND_WA_TOKEN": "token-second", "SECOND_WA_SECRET": "another-app-secret",
                        "SECOND_WA_VERIFY": "verify-second"}.items():
        monkeypatch.setenv(name, value)


def to_number(number: str, wamid: str, text: str) -> bytes:
    return h.wa_body(messages=[h.wa_message(wamid, text)],
                     metadata={"display_phone_number": "5511940000000", "phone_number_id": number})


async def test_each_webhook_reaches_the_bot_of_its_number(start: h.Start) -> None:
    app = await start(bot=[REFS, SECOND], channels=(), admin_token=TOKEN)
    first = to_number("100000000000001", "wamid.M1", "oi")
    second = to_number("200000000000002", "wamid.M2", "olá")
    assert (await app.post(first)).status == 200
    assert (await app.post(second, headers=h.fakes.signed(second, "another-app-secret"))).status == 200

    async def both() -> bool:
        return len(app.graph.calls) == 2

    await h.wait_until(both)
    sent: dict[str, Any] = {c.path.split("/")[2]: c for c in app.graph.calls}
    assert sent["100000000000001"].json["text"]["body"] == "1:oi"
    assert sent["100000000000001"].authorization == "Bearer token-refs"
    assert sent["200000000000002"].json["text"]["body"] == "segundo bot: olá"
    assert sent["200000000000002"].authorization == "Bearer token-second"
    ready = await (await app.client.get("/readyz")).json()
    assert ready["bots"] == {"refs": ["web", "whatsapp"], "second": ["web", "whatsapp"]}
    auth = {"Authorization": f"Bearer {TOKEN}"}
    state = await (await app.client.get(f"/admin/conversations/whatsapp/{h.USER}?bot=second", headers=auth)).json()
    assert (state["flow"], state["node"], state["waiting"]) == ("eco", "responde", "input")
    assert (await app.client.get("/admin/timers?bot=nope", headers=auth)).status == 404


async def test_the_handshake_answers_each_bots_verify_token(start: h.Start) -> None:
    app = await start(bot=[REFS, SECOND], channels=())
    for token in ("verify-refs", "verify-second"):
        answer = await app.client.get("/webhooks/whatsapp", params={"hub.mode": "subscribe", "hub.challenge": "42",
                                                                    "hub.verify_token": token})
        assert answer.status == 200 and await answer.text() == "42"
    wrong = {"hub.mode": "subscribe", "hub.challenge": "42", "hub.verify_token": "nope"}
    assert (await app.client.get("/webhooks/whatsapp", params=wrong)).status == 403


async def test_a_body_signed_by_no_bots_secret_is_refused(start: h.Start) -> None:
    app = await start(bot=[REFS, SECOND], channels=())
    body = to_number("200000000000002", "wamid.X", "oi")
    assert (await app.post(body, headers=h.fakes.signed(body, "stolen"))).status == 401
