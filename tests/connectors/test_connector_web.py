"""The Rasa-REST-compatible web channel: parse, buttons as "/id" payloads, mailbox replies."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors import BadPayload, BadSignature, BadSubscription, Connector, InvalidMessage, WebConnector
from flows.messages import Media, Option, OutboundMessage, Template

NOW = datetime(2026, 1, 5, 13, 0, tzinfo=UTC)


def web(token: str = "") -> WebConnector:
    return WebConnector(token=token, business="site", clock=lambda: NOW)


def test_the_web_connector_is_a_connector() -> None:
    conn: Connector = web()  # checked by mypy
    assert type(conn).channel == "web"


def test_a_rasa_rest_message_is_a_text_event() -> None:
    (event,) = web().parse(b'{"sender": "visitante-1", "message": "Ol\\u00e1", "message_id": "w1"}').events
    assert (event.channel, event.user, event.id, event.at, event.kind, event.text, event.business) == (
        "web",
        "visitante-1",
        "w1",
        NOW,
        "text",
        "Olá",
        "site",
    )


def test_a_button_payload_comes_back_as_a_choice() -> None:
    (event,) = web().parse(b'{"sender": "v", "message": "/confirmar"}').events
    assert (event.kind, event.choice_id) == ("choice", "confirmar") and event.id.startswith("web:")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[]", "JSON an array"),
        (b'{"message": "x"}', "/sender"),
        (b'{"sender": "v"}', "/message must be"),
        (b'{"sender": "v", "message": 3}', "/message must be"),
        (b"oi", "not valid JSON"),
    ],
)
def test_bad_bodies_are_bad_payloads(body: bytes, message: str) -> None:
    with pytest.raises(BadPayload, match=message):
        web().parse(body)


def test_an_optional_bearer_token_guards_the_channel() -> None:
    web().verify(b"{}", {})
    web("abc").verify(b"{}", {"authorization": "Bearer abc"})
    with pytest.raises(BadSignature):
        web("abc").verify(b"{}", {"Authorization": "Bearer nope"})
    with pytest.raises(BadSubscription):
        web().verify_subscription({"hub.mode": "subscribe"})


async def test_sent_messages_wait_in_the_mailbox_in_rasa_shape() -> None:
    conn = web()
    await conn.send(OutboundMessage(id="a", text="Oi! Confirma?", options=(Option("sim", "Sim"),)), to="v")
    await conn.send(OutboundMessage(id="b", media=Media(kind="image", url="https://x.br/a.png")), to="v")
    assert conn.collect("v") == [
        {"recipient_id": "v", "text": "Oi! Confirma?", "buttons": [{"title": "Sim", "payload": "/sim"}]},
        {"recipient_id": "v", "image": "https://x.br/a.png"},
    ]
    assert conn.collect("v") == []
    with pytest.raises(InvalidMessage, match="templates are WhatsApp's"):
        await conn.send(OutboundMessage(id="c", template=Template("lembrete", "pt_BR")), to="v")
    await conn.aclose()
