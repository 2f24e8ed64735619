"""Canonical `OutboundMessage` -> WhatsApp Cloud API message payloads, within every limit.

Rules, in order:
- A message with a `template` is sent as that template only (the one thing allowed outside the
  24-hour window); its text, options and media are not sent. Inside the window, pass the
  message without its template to send the free-form content.
- Options: `auto` or `buttons` style with 1-3 options, a body of at most 1024 characters and
  titles still distinct after clipping -> reply buttons. Otherwise up to 10 options -> a list.
  More than 10 -> the text followed by numbered options ("1. ..."), so nothing is lost.
- Media goes as the buttons' header when it is an image, video or document; otherwise it is
  sent first, as its own message, and the options follow.
- Texts that do not fit are clipped with a final "…" (see `connectors._text`); option ids are
  never clipped: an id over the limit raises `InvalidMessage`.
"""

from __future__ import annotations

from typing import Any

from connectors import constants as k
from connectors._render import Notes, check_ids, numbered, titles_unique
from connectors.base import Rendered
from connectors.errors import InvalidMessage
from flows.messages import Media, OutboundMessage, Template


def render_whatsapp(message: OutboundMessage, *, to: str, list_button: str) -> Rendered:
    notes = Notes()
    envelope = _envelope(message, to)
    payloads = [envelope | body for body in _bodies(message, notes, list_button)]
    return Rendered(tuple(payloads), tuple(notes.items))


def _envelope(message: OutboundMessage, to: str) -> dict[str, Any]:
    to = to.strip()
    if not to:
        raise InvalidMessage(f"message {message.id!r}: no recipient; pass the user's wa_id or user id")
    # A business-scoped user id (BSUID, "CC.xxxx") has no phone number: it goes in `recipient`.
    who = {"to": to} if to.lstrip("+").isdigit() else {"recipient": to}
    out: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual", **who}
    if message.id:
        out["biz_opaque_callback_data"] = message.id[: k.WA_CALLBACK_DATA]
    return out


def _bodies(message: OutboundMessage, notes: Notes, list_button: str) -> list[dict[str, Any]]:
    if message.template is not None:
        if message.text or message.options or message.media:
            notes.add("sent as its template only; text, options and media are not part of a template send")
        return [_template(message.id, message.template)]
    if message.options:
        return _with_options(message, notes, list_button)
    if message.media is not None:
        return _media_bodies(message.id, message.media, message.text, notes)
    if message.text:
        return [_text(message.text, notes)]
    raise InvalidMessage(f"message {message.id!r} has no text, options, media or template; give it one")


def _text(body: str, notes: Notes) -> dict[str, Any]:
    body = notes.fit(body, k.WA_TEXT, "text")
    return {"type": "text", "text": {"body": body, "preview_url": "https://" in body or "http://" in body}}


def _media_object(message_id: str, media: Media) -> dict[str, Any]:
    if media.id:
        return {"id": media.id}
    if media.url:
        return {"link": media.url}
    raise InvalidMessage(f"message {message_id!r}: the {media.kind} has neither a media id nor a url; give one")


def _media_bodies(message_id: str, media: Media, caption: str, notes: Notes) -> list[dict[str, Any]]:
    item = _media_object(message_id, media)
    caption = caption or media.caption
    bodies = [{"type": media.kind, media.kind: item}]
    if media.kind in k.WA_MEDIA_KINDS_WITH_CAPTION:
        if caption:
            item["caption"] = notes.fit(caption, k.WA_CAPTION, "caption")
        if media.kind == "document" and media.filename:
            item["filename"] = media.filename
    elif caption:
        notes.add(f"{media.kind} cannot carry a caption: its text follows as a separate message")
        bodies.append(_text(caption, notes))
    return bodies


def _with_options(message: OutboundMessage, notes: Notes, list_button: str) -> list[dict[str, Any]]:
    if not message.text.strip():
        raise InvalidMessage(
            f"message {message.id!r} offers options but has no text; WhatsApp buttons and lists need a body"
        )
    form = _form(message, notes)
    header_media = (
        form == "buttons" and message.media is not None and message.media.kind in ("image", "video", "document")
    )
    bodies: list[dict[str, Any]] = []
    if message.media is not None and not header_media:
        bodies += _media_bodies(message.id, message.media, "", notes)
    if form == "buttons":
        bodies.append(_buttons(message, notes, with_media=header_media))
    elif form == "list":
        bodies.append(_list(message, notes, list_button))
    else:
        bodies.append(_text(numbered(message.text, message.options, k.WA_TEXT, notes), notes))
    return bodies


def _form(message: OutboundMessage, notes: Notes) -> str:
    count = len(message.options)
    if count > k.WA_LIST_ROWS_MAX:
        notes.add(f"{count} options exceed a list's {k.WA_LIST_ROWS_MAX} rows: sent as numbered text")
        return "numbered"
    if message.options_style == "list" or count > k.WA_BUTTONS_MAX:
        if message.options_style == "buttons":
            notes.add(f"{count} options exceed {k.WA_BUTTONS_MAX} buttons: sent as a list")
        return "list"
    titles = [Notes().fit(o.title, k.WA_BUTTON_TITLE, "title") for o in message.options]
    if len(message.text) > k.WA_BUTTONS_BODY or not titles_unique(titles):
        notes.add("buttons need a body of at most 1024 characters and distinct titles: sent as a list")
        return "list"
    return "buttons"


def _buttons(message: OutboundMessage, notes: Notes, *, with_media: bool) -> dict[str, Any]:
    check_ids(message.id, message.options, k.WA_BUTTON_ID, "reply button")
    buttons = [
        {"type": "reply", "reply": {"id": o.id, "title": notes.fit(o.title, k.WA_BUTTON_TITLE, "button title")}}
        for o in message.options
    ]
    interactive: dict[str, Any] = {"type": "button", "body": {"text": message.text}, "action": {"buttons": buttons}}
    if with_media and message.media is not None:
        interactive["header"] = {
            "type": message.media.kind,
            message.media.kind: _media_object(message.id, message.media),
        }
    _header_footer(interactive, message, notes, text_header=not with_media)
    return {"type": "interactive", "interactive": interactive}


def _list(message: OutboundMessage, notes: Notes, list_button: str) -> dict[str, Any]:
    check_ids(message.id, message.options, k.WA_ROW_ID, "list row")
    rows = []
    for o in message.options:
        row = {"id": o.id, "title": notes.fit(o.title, k.WA_ROW_TITLE, "row title")}
        if o.description:
            row["description"] = notes.fit(o.description, k.WA_ROW_DESCRIPTION, "row description")
        rows.append(row)
    label = notes.fit(message.list_button or list_button, k.WA_LIST_BUTTON, "list button")
    interactive: dict[str, Any] = {
        "type": "list",
        "body": {"text": notes.fit(message.text, k.WA_LIST_BODY, "list body")},
        "action": {"button": label, "sections": [{"rows": rows}]},
    }
    _header_footer(interactive, message, notes, text_header=True)
    return {"type": "interactive", "interactive": interactive}


def _header_footer(interactive: dict[str, Any], message: OutboundMessage, notes: Notes, *, text_header: bool) -> None:
    if message.header and text_header:
        interactive["header"] = {"type": "text", "text": notes.fit(message.header, k.WA_HEADER_TEXT, "header")}
    elif message.header:
        notes.add("the media is the header: the text header is not sent")
    if message.footer:
        interactive["footer"] = {"text": notes.fit(message.footer, k.WA_FOOTER, "footer")}


def _template(message_id: str, template: Template) -> dict[str, Any]:
    if not template.name or not template.language:
        raise InvalidMessage(f"message {message_id!r}: a template needs a name and a language (e.g. 'pt_BR')")
    if len(template.buttons) > k.WA_TEMPLATE_BUTTONS_MAX:
        raise InvalidMessage(
            f"message {message_id!r}: template {template.name!r} has {len(template.buttons)} button payloads; "
            f"WhatsApp allows at most {k.WA_TEMPLATE_BUTTONS_MAX}"
        )
    components: list[dict[str, Any]] = []
    if template.params:
        components.append({"type": "body", "parameters": [{"type": "text", "text": p} for p in template.params]})
    components += [
        {
            "type": "button",
            "sub_type": "quick_reply",
            "index": str(i),
            "parameters": [{"type": "payload", "payload": payload}],
        }
        for i, payload in enumerate(template.buttons)
    ]
    body: dict[str, Any] = {"name": template.name, "language": {"code": template.language, "policy": "deterministic"}}
    if components:
        body["components"] = components
    return {"type": "template", "template": body}
