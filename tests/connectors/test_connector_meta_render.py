"""Messenger and Instagram rendering: quick replies, button templates, tags and byte limits."""

from __future__ import annotations

from typing import Any

import pytest

from connectors import ConfigError, InstagramConnector, InvalidMessage, MessengerConnector
from connectors import constants as k
from flows.messages import Media, Option, OutboundMessage, Template

PSID = "6789012345678901"


def messenger(tag: str | None = None) -> MessengerConnector:
    return MessengerConnector(account_id="1", token="t", app_secret="s", verify_token="v", message_tag=tag)


def instagram(tag: str | None = None) -> InstagramConnector:
    return InstagramConnector(account_id="1", token="t", app_secret="s", verify_token="v", message_tag=tag)


def options(count: int) -> tuple[Option, ...]:
    return tuple(Option(f"op{i}", f"Opção {i}") for i in range(1, count + 1))


def render(conn: MessengerConnector | InstagramConnector, **fields: Any) -> list[dict[str, Any]]:
    return list(conn.render(OutboundMessage(id="turn-7:1", **fields), to=PSID).payloads)


def test_messenger_text_payload() -> None:
    assert render(messenger(), text="Olá!") == [
        {
            "recipient": {"id": PSID},
            "messaging_type": "RESPONSE",
            "message": {"text": "Olá!", "metadata": "turn-7:1"},
        }
    ]


@pytest.mark.parametrize(
    ("conn", "count", "style", "expected"),
    [
        (messenger(), 3, "auto", "template"),
        (messenger(), 4, "auto", "quick_replies"),
        (messenger(), 13, "auto", "quick_replies"),
        (messenger(), 14, "auto", "numbered"),
        (messenger(), 3, "list", "quick_replies"),
        (messenger(), 2, "buttons", "template"),
        (instagram(), 3, "auto", "quick_replies"),
        (instagram(), 3, "buttons", "template"),
        (instagram(), 13, "auto", "quick_replies"),
        (instagram(), 20, "buttons", "numbered"),
    ],
)
def test_option_forms(conn: MessengerConnector | InstagramConnector, count: int, style: str, expected: str) -> None:
    (payload,) = render(conn, text="Escolha:", options=options(count), options_style=style)
    message = payload["message"]
    if expected == "template":
        assert message["attachment"]["payload"]["template_type"] == "button"
    elif expected == "quick_replies":
        assert len(message["quick_replies"]) == count <= k.QUICK_REPLIES_MAX
    else:
        assert "quick_replies" not in message and message["text"].endswith(f"{count}. Opção {count}")


def test_button_template_shape() -> None:
    (payload,) = render(messenger(), text="Confirma?", options=(Option("sim", "Sim"), Option("nao", "Não")))
    assert payload["message"] == {
        "attachment": {
            "type": "template",
            "payload": {
                "template_type": "button",
                "text": "Confirma?",
                "buttons": [
                    {"type": "postback", "title": "Sim", "payload": "sim"},
                    {"type": "postback", "title": "Não", "payload": "nao"},
                ],
            },
        },
        "metadata": "turn-7:1",
    }


def test_quick_reply_shape_and_title_limit() -> None:
    opts = tuple(Option(f"t{i}", f"Horário das {i}h na unidade centro") for i in range(8, 13))
    (payload,) = render(messenger(), text="Quando?", options=opts)
    replies = payload["message"]["quick_replies"]
    assert replies[0] == {"content_type": "text", "title": "Horário das 8h na…", "payload": "t8"}
    assert all(len(r["title"]) <= k.QUICK_REPLY_TITLE for r in replies)


def test_button_template_text_over_640_falls_back_to_quick_replies() -> None:
    (payload,) = render(messenger(), text="a " * 400, options=options(2), options_style="buttons")
    assert "quick_replies" in payload["message"]


def test_messenger_text_is_clipped_to_2000_characters() -> None:
    (payload,) = render(messenger(), text="bom dia " * 400)
    text = payload["message"]["text"]
    assert len(text) <= k.MESSENGER_TEXT and text.endswith(("dia…", "bom…"))


def test_instagram_text_is_clipped_to_1000_utf8_bytes_without_breaking_characters() -> None:
    (payload,) = render(instagram(), text="ação 😀 " * 200)
    text = payload["message"]["text"]
    assert len(text.encode("utf-8")) <= k.INSTAGRAM_TEXT_BYTES and text.endswith("…")
    assert len(text.encode("utf-8")) > k.INSTAGRAM_TEXT_BYTES - 20
    text.encode("utf-8").decode("utf-8")


@pytest.mark.parametrize(
    ("media", "attachment"),
    [
        (
            Media(kind="image", url="https://x.br/a.jpg"),
            {"type": "image", "payload": {"url": "https://x.br/a.jpg", "is_reusable": True}},
        ),
        (Media(kind="document", id="777"), {"type": "file", "payload": {"attachment_id": "777"}}),
    ],
)
def test_media_goes_first_then_the_text_with_its_options(media: Media, attachment: dict[str, Any]) -> None:
    payloads = render(messenger(), text="Veja", media=media, options=options(5))
    assert payloads[0]["message"] == {"attachment": attachment, "metadata": "turn-7:1"}
    assert payloads[1]["message"]["text"] == "Veja" and len(payloads[1]["message"]["quick_replies"]) == 5


def test_header_and_footer_become_lines_of_the_text() -> None:
    (payload,) = render(messenger(), text="Corpo", header="Título", footer="Rodapé")
    assert payload["message"]["text"] == "Título\n\nCorpo\n\nRodapé"


def test_template_messages_go_as_tagged_text_when_a_tag_is_configured() -> None:
    (payload,) = render(
        messenger("CONFIRMED_EVENT_UPDATE"), text="Lembrete: amanhã 10h", template=Template("lembrete", "pt_BR")
    )
    assert payload["messaging_type"] == "MESSAGE_TAG" and payload["tag"] == "CONFIRMED_EVENT_UPDATE"
    with pytest.raises(InvalidMessage, match="no message tag is configured"):
        render(messenger(), text="Lembrete", template=Template("lembrete", "pt_BR"))


def test_instagram_accepts_only_the_human_agent_tag() -> None:
    assert instagram("HUMAN_AGENT").message_tag == "HUMAN_AGENT"
    with pytest.raises(ConfigError, match="HUMAN_AGENT"):
        instagram("CONFIRMED_EVENT_UPDATE")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "has no text, options or media"),
        ({"options": options(2)}, "no text"),
        ({"text": "x", "options": (Option("p" * 1001, "A"),)}, "at most 1000"),
        ({"media": Media(kind="video")}, "neither an attachment id nor a url"),
    ],
)
def test_unrenderable_messages_say_why(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidMessage, match=message):
        render(messenger(), **fields)
