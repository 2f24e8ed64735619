"""The canonical message model: what the engine says and hears, whatever the channel.

Connectors turn channel payloads into `InboundEvent`/`DeliveryStatus` and render
`OutboundMessage` into each channel's payload within its limits. The engine never sees a
channel payload.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

OptionsStyle = Literal["auto", "buttons", "list"]
MediaKind = Literal["image", "video", "audio", "document", "sticker"]
InboundKind = Literal[
    "text", "choice", "media", "location", "contact", "reaction", "unsupported", "timer", "system"
]
StatusKind = Literal["sent", "delivered", "read", "played", "failed", "deleted"]


@dataclass(frozen=True, slots=True)
class Option:
    """One choice offered to the user; `id` comes back in a button or list reply."""

    id: str
    title: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Media:
    """A media reference: a public `url` or a channel media `id`, never inline bytes."""

    kind: MediaKind
    url: str = ""
    id: str = ""
    caption: str = ""
    filename: str = ""
    mime_type: str = ""


@dataclass(frozen=True, slots=True)
class Template:
    """A pre-approved template (WhatsApp needs one outside the 24-hour window)."""

    name: str
    language: str
    params: tuple[str, ...] = ()
    buttons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """One message to one user. `id` is an idempotency key, stable across retries of a turn."""

    id: str
    text: str = ""
    options: tuple[Option, ...] = ()
    options_style: OptionsStyle = "auto"
    list_button: str = ""
    media: Media | None = None
    template: Template | None = None
    header: str = ""
    footer: str = ""
    purpose: str = ""  # "" (a reply), "reminders" or "marketing": the sender checks consent for it

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id}
        if self.text:
            out["text"] = self.text
        if self.options:
            out["options"] = [
                {k: v for k, v in (("id", o.id), ("title", o.title), ("description", o.description)) if v}
                for o in self.options
            ]
            out["options_style"] = self.options_style
            if self.list_button:
                out["list_button"] = self.list_button
        if self.media is not None:
            out["media"] = {k: v for k, v in _fields(self.media).items() if v}
        if self.template is not None:
            out["template"] = {
                "name": self.template.name,
                "language": self.template.language,
                "params": list(self.template.params),
                "buttons": list(self.template.buttons),
            }
        if self.header:
            out["header"] = self.header
        if self.footer:
            out["footer"] = self.footer
        if self.purpose:
            out["purpose"] = self.purpose
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OutboundMessage:
        media = data.get("media")
        template = data.get("template")
        return cls(
            id=data["id"],
            text=data.get("text", ""),
            options=tuple(
                Option(o["id"], o["title"], o.get("description", "")) for o in data.get("options", ())
            ),
            options_style=data.get("options_style", "auto"),
            list_button=data.get("list_button", ""),
            media=Media(**media) if media else None,
            template=(
                Template(
                    template["name"],
                    template["language"],
                    tuple(template.get("params", ())),
                    tuple(template.get("buttons", ())),
                )
                if template
                else None
            ),
            header=data.get("header", ""),
            footer=data.get("footer", ""),
            purpose=data.get("purpose", ""),
        )


@dataclass(frozen=True, slots=True)
class InboundEvent:
    """Something a user did, or a timer that fell due, for one conversation.

    `id` is the channel's message id (the dedupe key); `at` is the payload's timestamp
    (timezone-aware). `choice_id` is set when the user pressed a button or picked a list row.
    `fresh_id`: the channel gave no id and papo made a random one, which can never arrive twice, so
    no dedupe marker is kept for it.
    """

    channel: str
    user: str
    id: str
    at: datetime
    kind: InboundKind = "text"
    text: str = ""
    choice_id: str | None = None
    media: Media | None = None
    business: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    fresh_id: bool = False

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "channel": self.channel,
            "user": self.user,
            "id": self.id,
            "at": self.at.isoformat(),
            "kind": self.kind,
        }
        for name in ("text", "choice_id", "business"):
            if value := getattr(self, name):
                out[name] = value
        if self.media is not None:
            out["media"] = {k: v for k, v in _fields(self.media).items() if v}
        if self.data:
            out["data"] = self.data
        if self.fresh_id:
            out["fresh_id"] = True
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InboundEvent:
        media = data.get("media")
        return cls(
            channel=data["channel"],
            user=data["user"],
            id=data["id"],
            at=datetime.fromisoformat(data["at"]),
            kind=data.get("kind", "text"),
            text=data.get("text", ""),
            choice_id=data.get("choice_id"),
            media=Media(**media) if media else None,
            business=data.get("business", ""),
            data=dict(data.get("data", {})),
            fresh_id=bool(data.get("fresh_id", False)),
        )


@dataclass(frozen=True, slots=True)
class DeliveryStatus:
    """A channel's report on a message papo sent (`message_id` is the channel's id for it).

    `business` is the channel account it concerns (WhatsApp phone_number_id, Page or Instagram
    id). `data` holds channel extras (error details, callback data, pricing, a read watermark).
    """

    channel: str
    user: str
    message_id: str
    status: StatusKind
    at: datetime
    error_code: int | None = None
    error_title: str = ""
    business: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Receipt:
    """What a channel answered when it accepted a message."""

    channel: str
    message_id: str
    user: str = ""


def _fields(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__slots__}
