"""The web channel speaks Rasa's REST channel: a site widget posts `{sender, message}` and gets the
bot's replies in the response, buttons as `/payload`."""

from __future__ import annotations

from pathlib import Path

import service_helpers as h

CLINIC = Path(__file__).parents[2] / "examples" / "clinic"


async def test_a_conversation_over_the_rest_channel(start: h.Start) -> None:
    app = await start(bot=CLINIC)

    async def say(message: str) -> list[dict[str, object]]:
        answer = await app.client.post("/webhooks/rest/webhook", json={"sender": "site-visitor-1", "message": message})
        assert answer.status == 200
        return list(await answer.json())

    first = await say("oi")
    assert [r["recipient_id"] for r in first] == ["site-visitor-1", "site-visitor-1"]
    assert first[1]["text"] == "Como posso te chamar?"
    menu = await say("Lia")
    buttons = menu[-1]["buttons"]
    assert {"title": "Horários", "payload": "/horarios"} in buttons  # type: ignore[operator]
    hours = await say("/horarios")
    assert "segunda a sexta" in str(hours[0]["text"])
    assert app.graph.calls == []  # nothing goes to the Graph API for the web channel


async def test_a_bad_body_is_a_400_that_says_why(start: h.Start) -> None:
    app = await start(bot=CLINIC)
    for body, why in ((b"{", "JSON"), (b'{"message": "oi"}', "sender")):
        answer = await app.client.post("/webhooks/rest/webhook", data=body)
        assert answer.status == 400 and why in (await answer.json())["error"]


async def test_a_token_guards_the_channel_when_set(start: h.Start) -> None:
    app = await start(bot=CLINIC, channels=(h.ChannelSettings("web", token="widget-secret"),))
    body = {"sender": "v", "message": "oi"}
    assert (await app.client.post("/webhooks/rest/webhook", json=body)).status == 401
    answer = await app.client.post("/webhooks/rest/webhook", json=body,
                                   headers={"Authorization": "Bearer widget-secret"})
    assert answer.status == 200 and len(await answer.json()) == 2


async def test_the_channel_answers_on_its_own_webhook_path_too(start: h.Start) -> None:
    app = await start(bot=CLINIC)
    answer = await app.client.post("/webhooks/web", json={"sender": "site-visitor-2", "message": "oi"})
    assert answer.status == 200
    assert [r["text"] for r in await answer.json()][-1] == "Como posso te chamar?"
    assert app.graph.calls == []
