"""Random messages: every rendered payload respects every channel limit, or InvalidMessage says why."""

from __future__ import annotations

import random
from typing import Any

import pytest

from connectors import Connector, InstagramConnector, InvalidMessage, MessengerConnector, WhatsAppConnector
from connectors import constants as k
from connectors._text import utf8_len
from flows.messages import Media, Option, OutboundMessage, Template

WORDS = [
    "consulta",
    "amanhã",
    "às",
    "10h",
    "Dra.",
    "Conceição",
    "😀",
    "👨\u200d👩\u200d👧",
    "ortodontia",
    "x" * 40,
    "confirmação",
    "São",
    "Paulo",
    "e\u0301",
    "-",
    "https://clinica.com.br/agenda",
]


def words(rng: random.Random, most: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, most)))


def random_message(rng: random.Random, n: int) -> OutboundMessage:
    count = rng.choice([0, 0, 1, 2, 3, 4, 7, 10, 11, 13, 14, 30])
    opts = tuple(
        Option(f"id{i}", words(rng, 6) or "ok", words(rng, 15) if rng.random() < 0.3 else "") for i in range(count)
    )
    media = None
    if rng.random() < 0.25:
        media = Media(
            kind=rng.choice(["image", "video", "audio", "document", "sticker"]),
            id=str(rng.randint(1, 999)),
            filename="f.pdf",
        )
    template = Template("lembrete", "pt_BR", params=("Maria",)) if rng.random() < 0.05 else None
    return OutboundMessage(
        id=f"m{n}",
        text=words(rng, rng.choice([3, 30, 400, 900])),
        options=opts,
        options_style=rng.choice(["auto", "auto", "buttons", "list"]),
        list_button=words(rng, 4),
        media=media,
        template=template,
        header=words(rng, 12) if rng.random() < 0.3 else "",
        footer=words(rng, 12) if rng.random() < 0.3 else "",
    )


def check_whatsapp(payload: dict[str, Any]) -> None:
    kind = payload["type"]
    if kind == "text":
        assert 0 < len(payload["text"]["body"]) <= k.WA_TEXT
    elif kind in ("image", "video", "document"):
        assert len(payload[kind].get("caption", "")) <= k.WA_CAPTION
    elif kind == "interactive":
        check_interactive(payload["interactive"])


def check_interactive(interactive: dict[str, Any]) -> None:
    assert len(interactive.get("footer", {}).get("text", "")) <= k.WA_FOOTER
    assert len(interactive.get("header", {}).get("text", "")) <= k.WA_HEADER_TEXT
    if interactive["type"] == "button":
        buttons = interactive["action"]["buttons"]
        titles = [b["reply"]["title"] for b in buttons]
        assert 1 <= len(buttons) <= k.WA_BUTTONS_MAX and len(set(titles)) == len(titles)
        assert all(0 < len(t) <= k.WA_BUTTON_TITLE for t in titles)
        assert 0 < len(interactive["body"]["text"]) <= k.WA_BUTTONS_BODY
    else:
        rows = [row for section in interactive["action"]["sections"] for row in section["rows"]]
        assert 1 <= len(rows) <= k.WA_LIST_ROWS_MAX
        assert all(0 < len(r["title"]) <= k.WA_ROW_TITLE for r in rows)
        assert all(len(r.get("description", "")) <= k.WA_ROW_DESCRIPTION for r in rows)
        assert 0 < len(interactive["action"]["button"]) <= k.WA_LIST_BUTTON
        assert 0 < len(interactive["body"]["text"]) <= k.WA_LIST_BODY


def check_messaging(payload: dict[str, Any], instagram: bool) -> None:
    message = payload["message"]
    size, limit = (utf8_len, k.INSTAGRAM_TEXT_BYTES) if instagram else (len, k.MESSENGER_TEXT)
    if "text" in message:
        assert 0 < size(message["text"]) <= limit
    replies = message.get("quick_replies", [])
    assert len(replies) <= k.QUICK_REPLIES_MAX
    assert all(0 < len(r["title"]) <= k.QUICK_REPLY_TITLE and len(r["payload"]) <= 1000 for r in replies)
    template = message.get("attachment", {}).get("payload", {})
    if template.get("template_type") == "button":
        assert len(template["text"]) <= k.BUTTON_TEMPLATE_TEXT
        assert 1 <= len(template["buttons"]) <= k.BUTTON_TEMPLATE_MAX
        assert all(0 < len(b["title"]) <= k.BUTTON_TITLE for b in template["buttons"])


CONNECTORS: list[Connector] = [
    WhatsAppConnector(token="t", app_secret="s", verify_token="v", phone_number_id="1"),
    MessengerConnector(account_id="1", token="t", app_secret="s", verify_token="v", message_tag="ACCOUNT_UPDATE"),
    InstagramConnector(account_id="1", token="t", app_secret="s", verify_token="v"),
]


@pytest.mark.parametrize("conn", CONNECTORS, ids=lambda c: type(c).channel)
def test_random_messages_render_within_every_limit(conn: Connector) -> None:
    rng = random.Random(f"render-{type(conn).channel}")
    rendered_count = refused = 0
    for n in range(1500):
        message = random_message(rng, n)
        try:
            rendered = conn.render(message, to="5511987654321")
        except InvalidMessage as exc:
            refused += 1
            assert f"message 'm{n}'" in str(exc)
            continue
        rendered_count += 1
        assert rendered.payloads
        for payload in rendered.payloads:
            if type(conn).channel == "whatsapp":
                check_whatsapp(payload)
            else:
                check_messaging(payload, instagram=type(conn).channel == "instagram")
        option_ids = {o.id for o in message.options}
        sent_ids = {r["payload"] for p in rendered.payloads for r in p.get("message", {}).get("quick_replies", [])}
        assert sent_ids <= option_ids
    assert rendered_count > 1000 and refused < 500


def test_the_flow_lint_checks_the_limits_the_whatsapp_renderer_applies() -> None:
    from flows import constants as lint  # flows may not import connectors, nor connectors flows' lint

    assert (lint.MAX_BUTTONS, lint.BUTTON_TITLE_MAX, lint.MAX_LIST_ROWS, lint.LIST_ROW_TITLE_MAX) == (
        k.WA_BUTTONS_MAX, k.WA_BUTTON_TITLE, k.WA_LIST_ROWS_MAX, k.WA_ROW_TITLE)
