"""Canonical `OutboundMessage` -> Messenger / Instagram Send API payloads, within every limit.

Rules:
- Options: with `buttons` style (and, on Messenger, `auto`), 1-3 options whose text fits a
  button template (640 characters) -> a button template of postbacks. Otherwise up to 13 ->
  quick replies. More than 13 -> the text followed by numbered options. There are no lists.
- Media is its own payload, sent first; the text (and its options) follows.
- Header and footer have no place on these channels: they become the first and last lines.
- A message with a `template` is a send outside the 24-hour window: there are no templates
  here, so its text goes with `messaging_type: MESSAGE_TAG` and the connector's configured tag,
  or `InvalidMessage` says that no tag is configured.
- Texts are clipped with a final "…" (Instagram counts UTF-8 bytes); option ids never are.
- Every payload carries `metadata` = papo's message id, which comes back in the echo.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from connectors import constants as k
from connectors._render import Notes, check_ids, numbered, titles_unique
from connectors.base import Rendered
from connectors.errors import InvalidMessage
from flows.messages import Media, OutboundMessage

_ATTACHMENT_TYPES = {"image": "image", "video": "video", "audio": "audio", "document": "file", "sticker": "image"}


@dataclass(frozen=True, slots=True)
class Profile:
    """What differs between Messenger and Instagram when rendering."""

    channel: str
    text_limit: int
    size: Callable[[str], int]
    auto_buttons: bool


def render_messaging(message: OutboundMessage, *, to: str, profile: Profile, tag: str | None) -> Rendered:
    if not to.strip():
        raise InvalidMessage(f"message {message.id!r}: no recipient; pass the user's {profile.channel} id")
    notes = Notes()
    envelope: dict[str, Any] = {"recipient": {"id": to.strip()}, "messaging_type": "RESPONSE"}
    if message.template is not None:
        envelope = _tagged(message, profile, tag, notes)
    bodies = _bodies(message, profile, notes)
    meta = message.id[: k.MESSAGE_METADATA]
    payloads = tuple(envelope | {"message": body | ({"metadata": meta} if meta else {})} for body in bodies)
    return Rendered(payloads, tuple(notes.items))


def _tagged(message: OutboundMessage, profile: Profile, tag: str | None, notes: Notes) -> dict[str, Any]:
    if tag is None:
        raise InvalidMessage(
            f"message {message.id!r} needs a template (outside the 24-hour window), but {profile.channel} has no "
            "templates and no message tag is configured; wait for the user to write, or configure a tag"
        )
    if not (message.text or message.media):
        raise InvalidMessage(
            f"message {message.id!r}: {profile.channel} sends the text of a tagged message; give the message a text"
        )
    notes.add(f"no templates on {profile.channel}: sent as text with the {tag} tag")
    return {"messaging_type": "MESSAGE_TAG", "tag": tag}


def _bodies(message: OutboundMessage, profile: Profile, notes: Notes) -> list[dict[str, Any]]:
    bodies = [_media(message.id, message.media)] if message.media is not None else []
    body = _framed(message, notes)
    if message.options:
        if not body.strip():
            raise InvalidMessage(f"message {message.id!r} offers options but has no text; give it a text")
        bodies.append(_with_options(message, body, profile, notes))
    elif body:
        bodies.append({"text": notes.fit(body, profile.text_limit, "text", size=profile.size)})
    if not bodies:
        raise InvalidMessage(f"message {message.id!r} has no text, options or media; give it one")
    return bodies


def _framed(message: OutboundMessage, notes: Notes) -> str:
    text = message.text or (message.media.caption if message.media else "")
    if message.header or message.footer:
        notes.add("header and footer sent as the first and last lines of the text")
    return "\n\n".join(part for part in (message.header, text, message.footer) if part)


def _media(message_id: str, media: Media) -> dict[str, Any]:
    if media.id:
        payload: dict[str, Any] = {"attachment_id": media.id}
    elif media.url:
        payload = {"url": media.url, "is_reusable": True}
    else:
        raise InvalidMessage(f"message {message_id!r}: the {media.kind} has neither an attachment id nor a url")
    return {"attachment": {"type": _ATTACHMENT_TYPES[media.kind], "payload": payload}}


def _with_options(message: OutboundMessage, body: str, profile: Profile, notes: Notes) -> dict[str, Any]:
    options, size = message.options, profile.size
    if len(options) > k.QUICK_REPLIES_MAX:
        notes.add(f"{len(options)} options exceed {k.QUICK_REPLIES_MAX} quick replies: sent as numbered text")
        return {"text": numbered(body, options, profile.text_limit, notes, size=size)}
    check_ids(message.id, options, k.QUICK_REPLY_PAYLOAD, "quick reply")
    wants_buttons = message.options_style == "buttons" or (message.options_style == "auto" and profile.auto_buttons)
    if wants_buttons and _fits_button_template(body, [o.title for o in options], size):
        buttons = [
            {"type": "postback", "title": notes.fit(o.title, k.BUTTON_TITLE, "button title"), "payload": o.id}
            for o in options
        ]
        template = {"template_type": "button", "text": body, "buttons": buttons}
        return {"attachment": {"type": "template", "payload": template}}
    if message.options_style == "buttons":
        notes.add("options do not fit a button template (at most 3, text of 640): sent as quick replies")
    replies = [
        {"content_type": "text", "title": notes.fit(o.title, k.QUICK_REPLY_TITLE, "quick reply title"), "payload": o.id}
        for o in options
    ]
    return {"text": notes.fit(body, profile.text_limit, "text", size=size), "quick_replies": replies}


def _fits_button_template(body: str, titles: list[str], size: Callable[[str], int]) -> bool:
    clipped = [Notes().fit(t, k.BUTTON_TITLE, "title") for t in titles]
    return len(titles) <= k.BUTTON_TEMPLATE_MAX and size(body) <= k.BUTTON_TEMPLATE_TEXT and titles_unique(clipped)
