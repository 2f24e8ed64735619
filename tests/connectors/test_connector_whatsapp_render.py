"""WhatsApp rendering: every limit of the facts sheet, table-driven, and the degradation ladder."""

from __future__ import annotations

from typing import Any

import pytest

from connectors import InvalidMessage, WhatsAppConnector
from connectors import constants as k
from flows.messages import Media, Option, OutboundMessage, Template

TO = "5511987654321"


def options(count: int, title: str = "Opção {i}", **extra: str) -> tuple[Option, ...]:
    return tuple(Option(id=f"op{i}", title=title.format(i=i), **extra) for i in range(1, count + 1))


def render(wa: WhatsAppConnector, **fields: Any) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
    rendered = wa.render(OutboundMessage(id="turn-1:0", **fields), to=TO)
    return list(rendered.payloads), rendered.adjustments


def test_plain_text_payload_is_exactly_what_the_cloud_api_expects(wa_offline: WhatsAppConnector) -> None:
    payloads, notes = render(wa_offline, text="Olá! Veja https://clinica.com.br")
    assert payloads == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": TO,
            "biz_opaque_callback_data": "turn-1:0",
            "type": "text",
            "text": {"body": "Olá! Veja https://clinica.com.br", "preview_url": True},
        }
    ]
    assert notes == ()


@pytest.mark.parametrize(
    ("count", "style", "expected"),
    [
        (1, "auto", "button"),
        (3, "auto", "button"),
        (4, "auto", "list"),
        (10, "auto", "list"),
        (11, "auto", "text"),
        (25, "auto", "text"),
        (2, "list", "list"),
        (3, "buttons", "button"),
        (5, "buttons", "list"),
        (12, "list", "text"),
    ],
)
def test_options_go_buttons_then_list_then_numbered_text(
    wa_offline: WhatsAppConnector, count: int, style: str, expected: str
) -> None:
    payloads, _ = render(wa_offline, text="Escolha:", options=options(count), options_style=style)
    last = payloads[-1]
    kind = last["interactive"]["type"] if last["type"] == "interactive" else last["type"]
    assert kind == expected
    if expected == "text":
        body = last["text"]["body"]
        assert body.startswith("Escolha:\n\n1. Opção 1\n") and body.endswith(f"{count}. Opção {count}")


def test_reply_buttons_shape_and_title_limit(wa_offline: WhatsAppConnector) -> None:
    opts = (Option("sim", "Sim, confirmo a consulta"), Option("nao", "Não"), Option("remarcar", "Remarcar"))
    payloads, notes = render(wa_offline, text="Confirma?", options=opts, header="Consulta", footer="Clínica Sorriso")
    assert payloads[0]["interactive"] == {
        "type": "button",
        "body": {"text": "Confirma?"},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": "sim", "title": "Sim, confirmo a…"}},
                {"type": "reply", "reply": {"id": "nao", "title": "Não"}},
                {"type": "reply", "reply": {"id": "remarcar", "title": "Remarcar"}},
            ]
        },
        "header": {"type": "text", "text": "Consulta"},
        "footer": {"text": "Clínica Sorriso"},
    }
    assert notes == ("button title clipped to 20 characters",)


def test_list_shape_and_every_list_limit(wa_offline: WhatsAppConnector) -> None:
    opts = tuple(Option(f"slot{i}", "Segunda-feira 05/01 às 10h00 com Dra. Ana", "d" * 100) for i in range(4))
    payloads, notes = render(
        wa_offline,
        text="Horários:",
        options=opts,
        list_button="Ver todos os horários livres",
        header="H" * 80,
        footer="F" * 80,
    )
    interactive = payloads[0]["interactive"]
    assert interactive["type"] == "list"
    assert interactive["action"]["button"] == "Ver todos os…"
    (section,) = interactive["action"]["sections"]
    assert [row["id"] for row in section["rows"]] == ["slot0", "slot1", "slot2", "slot3"]
    for row in section["rows"]:
        assert len(row["title"]) <= k.WA_ROW_TITLE and row["title"].endswith("…")
        assert len(row["description"]) == k.WA_ROW_DESCRIPTION and row["description"].endswith("…")
    assert len(interactive["header"]["text"]) == k.WA_HEADER_TEXT
    assert len(interactive["footer"]["text"]) == k.WA_FOOTER
    assert "list button clipped to 20 characters" in notes


def test_default_list_button_label_comes_from_the_connector(wa_offline: WhatsAppConnector) -> None:
    payloads, _ = render(wa_offline, text="Escolha", options=options(5))
    assert payloads[0]["interactive"]["action"]["button"] == "Ver opções"


@pytest.mark.parametrize(
    ("field", "size", "limit", "path"),
    [
        ("text", 5000, k.WA_TEXT, ("text", "body")),
        ("caption", 2000, k.WA_CAPTION, ("image", "caption")),
    ],
)
def test_long_texts_are_clipped_with_an_ellipsis(
    wa_offline: WhatsAppConnector, field: str, size: int, limit: int, path: tuple[str, str]
) -> None:
    text = ("palavra " * size)[:size]
    media = Media(kind="image", id="123") if field == "caption" else None
    payloads, notes = render(wa_offline, text=text, media=media)
    out = payloads[0][path[0]][path[1]]
    assert len(out) <= limit and out.endswith("palavra…")
    assert notes == (f"{field} clipped to {limit} characters",)


def test_a_long_body_with_three_options_becomes_a_list(wa_offline: WhatsAppConnector) -> None:
    payloads, notes = render(wa_offline, text="x " * 700, options=options(2))
    assert payloads[0]["interactive"]["type"] == "list"
    assert any("1024" in n for n in notes)


def test_titles_equal_after_clipping_become_a_list(wa_offline: WhatsAppConnector) -> None:
    opts = (Option("a", "Consulta de retorno manhã"), Option("b", "Consulta de retorno tarde"))
    payloads, _ = render(wa_offline, text="Qual?", options=opts)
    assert payloads[0]["interactive"]["type"] == "list"


@pytest.mark.parametrize(
    ("media", "expected"),
    [
        (Media(kind="image", id="111"), {"id": "111", "caption": "Sua receita"}),
        (
            Media(kind="document", url="https://x.br/r.pdf", filename="receita.pdf"),
            {"link": "https://x.br/r.pdf", "caption": "Sua receita", "filename": "receita.pdf"},
        ),
        (Media(kind="video", url="https://x.br/v.mp4"), {"link": "https://x.br/v.mp4", "caption": "Sua receita"}),
    ],
)
def test_media_by_id_or_link_with_caption(
    wa_offline: WhatsAppConnector, media: Media, expected: dict[str, str]
) -> None:
    payloads, _ = render(wa_offline, text="Sua receita", media=media)
    assert payloads == [payloads[0]] and payloads[0]["type"] == media.kind and payloads[0][media.kind] == expected


def test_audio_and_sticker_cannot_carry_a_caption_so_the_text_follows(wa_offline: WhatsAppConnector) -> None:
    payloads, notes = render(wa_offline, text="Ouça", media=Media(kind="audio", id="9"))
    assert [p["type"] for p in payloads] == ["audio", "text"] and payloads[0]["audio"] == {"id": "9"}
    assert notes


def test_image_with_buttons_is_the_buttons_header(wa_offline: WhatsAppConnector) -> None:
    payloads, _ = render(wa_offline, text="Gostou?", options=options(2), media=Media(kind="image", id="5"))
    assert len(payloads) == 1
    assert payloads[0]["interactive"]["header"] == {"type": "image", "image": {"id": "5"}}


def test_media_with_a_list_is_sent_first_then_the_list(wa_offline: WhatsAppConnector) -> None:
    payloads, _ = render(wa_offline, text="Escolha", options=options(6), media=Media(kind="image", id="5"))
    assert [p["type"] for p in payloads] == ["image", "interactive"]


def test_template_with_body_params_and_quick_reply_buttons(wa_offline: WhatsAppConnector) -> None:
    template = Template(
        "lembrete_consulta", "pt_BR", params=("Maria", "05/01 às 10h"), buttons=("CONFIRMAR", "REMARCAR", "CANCELAR")
    )
    payloads, notes = render(wa_offline, text="ignored inside a template send", template=template)
    assert payloads[0]["type"] == "template"
    assert payloads[0]["template"] == {
        "name": "lembrete_consulta",
        "language": {"code": "pt_BR", "policy": "deterministic"},
        "components": [
            {
                "type": "body",
                "parameters": [{"type": "text", "text": "Maria"}, {"type": "text", "text": "05/01 às 10h"}],
            },
            {
                "type": "button",
                "sub_type": "quick_reply",
                "index": "0",
                "parameters": [{"type": "payload", "payload": "CONFIRMAR"}],
            },
            {
                "type": "button",
                "sub_type": "quick_reply",
                "index": "1",
                "parameters": [{"type": "payload", "payload": "REMARCAR"}],
            },
            {
                "type": "button",
                "sub_type": "quick_reply",
                "index": "2",
                "parameters": [{"type": "payload", "payload": "CANCELAR"}],
            },
        ],
    }
    assert notes and "template" in notes[0]


def test_template_without_parameters_has_no_components(wa_offline: WhatsAppConnector) -> None:
    payloads, _ = render(wa_offline, template=Template("boas_vindas", "pt_BR"))
    assert payloads[0]["template"] == {"name": "boas_vindas", "language": {"code": "pt_BR", "policy": "deterministic"}}


def test_business_scoped_user_ids_go_in_recipient(wa_offline: WhatsAppConnector) -> None:
    rendered = wa_offline.render(OutboundMessage(id="m", text="oi"), to="BR.13491208655302741918")
    assert rendered.payloads[0]["recipient"] == "BR.13491208655302741918" and "to" not in rendered.payloads[0]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "has no text, options, media or template"),
        ({"options": options(2)}, "offers options but has no text"),
        ({"text": "x", "options": (Option("a" * 257, "A"), Option("b", "B"))}, "at most 256"),
        ({"text": "x", "options": tuple(Option(f"{i}" * 201, "T") for i in range(1, 6))}, "at most 200"),
        ({"text": "x", "options": (Option("", "A"),)}, "empty id"),
        ({"text": "x", "options": (Option("a", "  "),)}, "no title"),
        ({"media": Media(kind="image")}, "neither a media id nor a url"),
        ({"template": Template("t", "pt_BR", buttons=tuple("b" * 11))}, "at most 10"),
        ({"template": Template("", "pt_BR")}, "needs a name and a language"),
    ],
)
def test_messages_that_cannot_be_rendered_say_why(
    wa_offline: WhatsAppConnector, fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidMessage, match=message):
        render(wa_offline, **fields)


def test_no_recipient_is_refused(wa_offline: WhatsAppConnector) -> None:
    with pytest.raises(InvalidMessage, match="no recipient"):
        wa_offline.render(OutboundMessage(id="m", text="oi"), to=" ")
