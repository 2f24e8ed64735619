"""What each WhatsApp inbound message `type` means in the canonical model.

| type | kind | fields |
| --- | --- | --- |
| text | text | text |
| interactive button_reply / list_reply | choice | choice_id = the row or button id, text = its title |
| interactive nfm_reply (Flows) | text | text = body, data.flow_reply = {name, response} |
| button (template quick reply) | choice | choice_id = payload, text = the button's text |
| image video audio document sticker | media | media (id, mime type, caption, filename), data.sha256 |
| location | location | text = name or address, data.location |
| contacts | contact | data.contacts (as sent) |
| reaction | reaction | text = emoji ("" = removed), data.reaction{message_id, emoji} |
| system, request_welcome, revoke, edit | system | data.system{type, ...} |
| order, unsupported, ephemeral, unknown, anything new | unsupported | data.type (and data.unsupported_type) |
| any type whose body cannot be read, when the message carries `errors` | unsupported | data.type, data.errors |
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from connectors._raw import arr, number, obj, text
from flows.messages import InboundKind, Media, MediaKind

_MEDIA_KINDS: dict[str, MediaKind] = {
    "image": "image",
    "video": "video",
    "audio": "audio",
    "document": "document",
    "sticker": "sticker",
}


@dataclass(frozen=True, slots=True)
class Body:
    kind: InboundKind
    text: str = ""
    choice_id: str | None = None
    media: Media | None = None
    data: dict[str, Any] = field(default_factory=dict)


def message_body(m: dict[str, Any], where: str) -> Body:
    kind = text(m.get("type"), f"{where}/type")
    if kind in _MEDIA_KINDS:
        return _media(_MEDIA_KINDS[kind], obj(m.get(kind), f"{where}/{kind}"), f"{where}/{kind}")
    read = _BY_TYPE.get(kind)
    if read is None:
        return unsupported_body(m)
    return read(m, where)


def _text(m: dict[str, Any], where: str) -> Body:
    return Body("text", text=text(obj(m.get("text"), f"{where}/text").get("body"), f"{where}/text/body"))


def _interactive(m: dict[str, Any], where: str) -> Body:
    where = f"{where}/interactive"
    sub = obj(m.get("interactive"), where)
    kind = text(sub.get("type"), f"{where}/type")
    if kind in ("button_reply", "list_reply"):
        reply = obj(sub.get(kind), f"{where}/{kind}")
        data = {"reply": kind}
        if description := text(reply.get("description"), f"{where}/{kind}/description"):
            data["description"] = description
        return Body(
            "choice",
            text=text(reply.get("title"), f"{where}/{kind}/title"),
            choice_id=text(reply.get("id"), f"{where}/{kind}/id", required=True),
            data=data,
        )
    if kind == "nfm_reply":
        reply = obj(sub.get("nfm_reply"), f"{where}/nfm_reply")
        raw = text(reply.get("response_json"), f"{where}/nfm_reply/response_json")
        flow = {"name": text(reply.get("name"), f"{where}/nfm_reply/name"), "response": _json_or_text(raw)}
        return Body("text", text=text(reply.get("body"), f"{where}/nfm_reply/body"), data={"flow_reply": flow})
    return Body("unsupported", data={"type": "interactive", "unsupported_type": kind})


def _button(m: dict[str, Any], where: str) -> Body:
    button = obj(m.get("button"), f"{where}/button")
    return Body(
        "choice",
        text=text(button.get("text"), f"{where}/button/text"),
        choice_id=text(button.get("payload"), f"{where}/button/payload", required=True),
        data={"reply": "template_button"},
    )


def _media(kind: MediaKind, sub: dict[str, Any], where: str) -> Body:
    media = Media(
        kind=kind,
        id=text(sub.get("id"), f"{where}/id", required=True),
        url=text(sub.get("url"), f"{where}/url"),
        caption=text(sub.get("caption"), f"{where}/caption"),
        filename=text(sub.get("filename"), f"{where}/filename"),
        mime_type=text(sub.get("mime_type"), f"{where}/mime_type"),
    )
    data: dict[str, Any] = {}
    if sha := text(sub.get("sha256"), f"{where}/sha256"):
        data["sha256"] = sha
    for flag in ("voice", "animated"):
        if isinstance(sub.get(flag), bool):
            data[flag] = sub[flag]
    return Body("media", text=media.caption, media=media, data=data)


def _location(m: dict[str, Any], where: str) -> Body:
    where = f"{where}/location"
    loc = obj(m.get("location"), where)
    place: dict[str, Any] = {
        "latitude": number(loc.get("latitude"), f"{where}/latitude"),
        "longitude": number(loc.get("longitude"), f"{where}/longitude"),
    }
    for key in ("name", "address", "url"):
        if value := text(loc.get(key), f"{where}/{key}"):
            place[key] = value
    return Body("location", text=place.get("name") or place.get("address") or "", data={"location": place})


def _contacts(m: dict[str, Any], where: str) -> Body:
    cards = [obj(c, f"{where}/contacts/{k}") for k, c in enumerate(arr(m.get("contacts"), f"{where}/contacts"))]
    return Body("contact", data={"contacts": cards})


def _reaction(m: dict[str, Any], where: str) -> Body:
    sub = obj(m.get("reaction"), f"{where}/reaction")
    reaction = {
        "message_id": text(sub.get("message_id"), f"{where}/reaction/message_id"),
        "emoji": text(sub.get("emoji"), f"{where}/reaction/emoji"),
    }
    return Body("reaction", text=reaction["emoji"], data={"reaction": reaction})


def _system(m: dict[str, Any], where: str) -> Body:
    sub = obj(m.get("system"), f"{where}/system")
    info: dict[str, Any] = {"type": text(sub.get("type"), f"{where}/system/type")}
    if new_id := text(sub.get("wa_id") or sub.get("new_wa_id"), f"{where}/system/wa_id"):
        info["wa_id"] = new_id
    if isinstance(sub.get("identity"), dict):
        info["identity"] = sub["identity"]
    return Body("system", text=text(sub.get("body"), f"{where}/system/body"), data={"system": info})


def _welcome(m: dict[str, Any], where: str) -> Body:
    return Body("system", data={"system": {"type": "request_welcome"}})


def _revoke(m: dict[str, Any], where: str) -> Body:
    sub = obj(m.get("revoke"), f"{where}/revoke")
    original = text(sub.get("original_message_id"), f"{where}/revoke/original_message_id")
    return Body("system", data={"system": {"type": "revoke", "original_message_id": original}})


def _edit(m: dict[str, Any], where: str) -> Body:
    sub = obj(m.get("edit"), f"{where}/edit")
    info = {
        "type": "edit",
        "original_message_id": text(sub.get("original_message_id"), f"{where}/edit/original_message_id"),
    }
    new = sub.get("message")
    new_text = ""
    if isinstance(new, dict) and isinstance(new.get("text"), dict):
        new_text = text(new["text"].get("body"), f"{where}/edit/message/text/body")
    return Body("system", text=new_text, data={"system": info})


def unsupported_body(m: dict[str, Any]) -> Body:
    """An `unsupported` body for a message papo cannot read, so the bot still answers it."""
    kind = m.get("type")
    data: dict[str, Any] = {"type": kind if isinstance(kind, str) and kind.isascii() and kind else "unknown"}
    sub = m.get("unsupported")
    if isinstance(sub, dict) and isinstance(sub.get("type"), str):
        data["unsupported_type"] = sub["type"]
    return Body("unsupported", data=data)


def _json_or_text(raw: str) -> Any:
    try:
        return json.loads(raw) if raw else {}
    except (ValueError, RecursionError):
        return raw


_BY_TYPE: dict[str, Callable[[dict[str, Any], str], Body]] = {
    "text": _text,
    "interactive": _interactive,
    "button": _button,
    "location": _location,
    "contacts": _contacts,
    "reaction": _reaction,
    "system": _system,
    "request_welcome": _welcome,
    "revoke": _revoke,
    "edit": _edit,
}
