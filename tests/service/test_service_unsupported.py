"""A real message WhatsApp reports with `errors` (an interactive reply it could not render) is
answered with the bot's "I can't read that here", not dropped as malformed; so are Messenger and
Instagram attachments the bot cannot read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import service_helpers as h

from runtime.locales import PACKS

DEFAULT_UNSUPPORTED = PACKS["en"].messages["unsupported"]  # the echo bot speaks English and does not set it


async def test_an_interactive_message_with_errors_gets_an_answer(start: h.Start) -> None:
    app = await start()
    erroneous = {"from": h.USER, "id": "wamid.IERR", "timestamp": "1767261600", "type": "interactive",
                 "errors": [{"code": 131051, "title": "Message type unknown",
                             "error_data": {"details": "Message type is currently not supported."}}]}
    answer = await app.post(h.wa_body(messages=[erroneous]))
    assert answer.status == 200
    assert await answer.json() == {"events": 1, "duplicates": 0, "statuses": 0, "skipped": 0}

    async def answered() -> bool:
        return app.texts() == [DEFAULT_UNSUPPORTED]

    await h.wait_until(answered)


CLINIC = Path(__file__).parents[2] / "examples" / "clinic"
PSID = "6789012345678901"
UNREADABLE = {
    "messenger": [{"attachments": [{"type": "template", "payload": {"template_type": "generic"}}]},
                  {"attachments": [{"type": "fallback", "payload": None}]}],
    "instagram": [{"attachments": [{"type": "story_mention", "payload": {"url": "https://lookaside.example/s"}}]},
                  {"attachments": [{"type": "ig_reel", "payload": {"reel_video_id": "1"}}]},
                  {"is_unsupported": True}],
}


@pytest.mark.parametrize("channel", ["messenger", "instagram"])
async def test_meta_attachments_the_bot_cannot_read_get_an_answer(start: h.Start, channel: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    upper, account = ("MESSENGER", h.fakes.PAGE_ID) if channel == "messenger" else ("INSTAGRAM", h.fakes.IG_ID)
    for name, value in {"MESSENGER_PAGE_TOKEN" if channel == "messenger" else "INSTAGRAM_TOKEN": "token",
                        f"{upper}_APP_SECRET": h.fakes.APP_SECRET, f"{upper}_VERIFY_TOKEN": "v",
                        "MESSENGER_PAGE_ID" if channel == "messenger" else "INSTAGRAM_ACCOUNT_ID": account}.items():
        monkeypatch.setenv(name, value)
    app = await start(bot=CLINIC, channels=())
    for n, message in enumerate(UNREADABLE[channel]):
        item = {"sender": {"id": PSID}, "recipient": {"id": account}, "timestamp": (1772452800 + n) * 1000,
                "message": {"mid": f"m_{channel}_{n}", **message}}
        body = json.dumps({"object": "page" if channel == "messenger" else "instagram",
                           "entry": [{"id": account, "time": 1772452800000, "messaging": [item]}]}).encode()
        answer = await app.post(body, channel=channel)
        assert answer.status == 200 and (await answer.json())["events"] == 1

        async def answered(count: int = n + 1) -> bool:
            return len(app.graph.calls) >= count

        await h.wait_until(answered)
    texts = [c.json["message"]["text"] for c in app.graph.calls]
    assert len(texts) == len(UNREADABLE[channel])
    assert all(text.startswith("Ainda não consigo ler") for text in texts)
