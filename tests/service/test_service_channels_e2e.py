"""Each channel end to end on the clinic bot: a text, a list reply and a button reply each give the
right turn and the right outbound payload, on WhatsApp, Messenger and Instagram."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import service_helpers as h

CLINIC = Path(__file__).parents[2] / "examples" / "clinic"
TS = 1772452800  # 2026-03-02 12:00 UTC
PSID = "6789012345678901"


@pytest.fixture(autouse=True)
def clinic_channels(monkeypatch: pytest.MonkeyPatch) -> None:
    """The variables examples/clinic/bot.json names, pointing every channel at the fake Graph API."""
    for prefix, account in (("WHATSAPP", ("WHATSAPP_PHONE_NUMBER_ID", h.fakes.PHONE_NUMBER_ID)),
                            ("MESSENGER", ("MESSENGER_PAGE_ID", h.fakes.PAGE_ID)),
                            ("INSTAGRAM", ("INSTAGRAM_ACCOUNT_ID", h.fakes.IG_ID))):
        token = "MESSENGER_PAGE_TOKEN" if prefix == "MESSENGER" else f"{prefix}_TOKEN"
        monkeypatch.setenv(token, f"{prefix.lower()}-token")
        monkeypatch.setenv(f"{prefix}_APP_SECRET", h.fakes.APP_SECRET)
        monkeypatch.setenv(f"{prefix}_VERIFY_TOKEN", "v")
        monkeypatch.setenv(*account)


def wa(n: int, **content: Any) -> bytes:
    message = {"from": h.USER, "id": f"wamid.E{n}", "timestamp": str(TS + n), **content}
    return h.wa_body(messages=[message])


def meta(channel: str, n: int, message: dict[str, Any] | None = None, postback: dict[str, Any] | None = None) -> bytes:
    account = h.fakes.PAGE_ID if channel == "messenger" else h.fakes.IG_ID
    item: dict[str, Any] = {"sender": {"id": PSID}, "recipient": {"id": account}, "timestamp": (TS + n) * 1000}
    if message is not None:
        item["message"] = {"mid": f"m_{channel}_{n}", **message}
    if postback is not None:
        item["postback"] = {"mid": f"p_{channel}_{n}", **postback}
    obj = "page" if channel == "messenger" else "instagram"
    entry = {"id": account, "time": (TS + n) * 1000, "messaging": [item]}
    return json.dumps({"object": obj, "entry": [entry]}).encode()


async def _turn(app: h.Running, body: bytes, channel: str, replies: int) -> list[dict[str, Any]]:
    assert (await app.post(body, channel=channel)).status == 200

    async def answered() -> bool:
        return len(app.graph.calls) >= replies

    await h.wait_until(answered)
    return [c.json for c in app.graph.calls]


async def test_whatsapp_text_list_reply_and_button_reply(start: h.Start) -> None:
    app = await start(bot=CLINIC, channels=())
    await _turn(app, wa(1, type="text", text={"body": "oi"}), "whatsapp", 2)
    sent = await _turn(app, wa(2, type="text", text={"body": "Maria"}), "whatsapp", 4)
    menu = sent[3]["interactive"]
    assert menu["type"] == "list" and menu["body"]["text"] == "Como posso ajudar, Maria?"
    rows = menu["action"]["sections"][0]["rows"]
    assert rows[0] == {"id": "horarios", "title": "Horários", "description": "Quando a clínica está aberta"}
    picked = {"type": "list_reply", "list_reply": {"id": "horarios", "title": "Horários"}}
    sent = await _turn(app, wa(3, type="interactive", interactive=picked), "whatsapp", 6)
    assert "segunda a sexta" in sent[4]["text"]["body"]
    buttons = sent[5]["interactive"]
    assert buttons["type"] == "button"
    assert [b["reply"]["id"] for b in buttons["action"]["buttons"]] == ["sim", "nao"]
    pressed = {"type": "button_reply", "button_reply": {"id": "nao", "title": "Não, obrigado"}}
    sent = await _turn(app, wa(4, type="interactive", interactive=pressed), "whatsapp", 7)
    assert sent[6]["text"]["body"] == "Obrigada pelo contato, Maria! Até logo 👋"


@pytest.mark.parametrize("channel", ["messenger", "instagram"])
async def test_meta_channels_text_quick_reply_and_postback(start: h.Start, channel: str) -> None:
    app = await start(bot=CLINIC, channels=())
    await _turn(app, meta(channel, 1, {"text": "oi"}), channel, 2)
    sent = await _turn(app, meta(channel, 2, {"text": "Maria"}), channel, 4)
    assert all(s["recipient"] == {"id": PSID} for s in sent)
    menu = sent[3]["message"]
    assert menu["text"].startswith("Como posso ajudar, Maria?")
    assert [q["payload"] for q in menu["quick_replies"]][:2] == ["horarios", "endereco"]
    quick = {"text": "Horários", "quick_reply": {"payload": "horarios"}}
    sent = await _turn(app, meta(channel, 3, quick), channel, 6)
    assert "segunda a sexta" in sent[4]["message"]["text"]
    sent = await _turn(app, meta(channel, 4, postback={"title": "Não, obrigado", "payload": "nao"}), channel, 7)
    assert sent[6]["message"]["text"] == "Obrigada pelo contato, Maria! Até logo 👋"
