"""A Messenger or Instagram `message` object -> one canonical event (see `meta_inbound`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connectors._raw import arr, obj, text
from flows.messages import InboundEvent, Media, MediaKind

_MEDIA_KINDS: dict[str, MediaKind] = {
    "image": "image",
    "video": "video",
    "audio": "audio",
    "file": "document",
    "sticker": "sticker",
}


@dataclass(frozen=True, slots=True)
class Context:
    """Who and when, for every event of one `messaging` item."""

    channel: str
    user: str
    business: str
    at: datetime
    where: str

    def event(self, id: str, **fields: Any) -> InboundEvent:
        return InboundEvent(channel=self.channel, user=self.user, id=id, at=self.at, business=self.business, **fields)


def message_event(ctx: Context, msg: dict[str, Any], where: str) -> InboundEvent:
    mid = text(msg.get("mid"), f"{where}/mid", required=True)
    body = text(msg.get("text"), f"{where}/text")
    data: dict[str, Any] = {}
    if isinstance(msg.get("reply_to"), dict):
        data["reply_to"] = msg["reply_to"]  # also a story reply: reply_to.story{url, id}
    if isinstance(msg.get("referral"), dict):
        data["referral"] = msg["referral"]
    if msg.get("is_deleted"):
        return ctx.event(mid, kind="system", data={**data, "system": {"type": "revoke", "original_message_id": mid}})
    if msg.get("is_unsupported"):
        return ctx.event(mid, kind="unsupported", data={**data, "type": "unsupported"})
    if isinstance(msg.get("quick_reply"), dict):
        payload = text(msg["quick_reply"].get("payload"), f"{where}/quick_reply/payload", required=True)
        return ctx.event(mid, kind="choice", text=body, choice_id=payload, data={**data, "reply": "quick_reply"})
    attachments = [
        obj(a, f"{where}/attachments/{n}") for n, a in enumerate(arr(msg.get("attachments"), f"{where}/attachments"))
    ]
    if attachments:
        return _attachments(ctx, mid, body, attachments, data, f"{where}/attachments")
    if body:
        return ctx.event(mid, kind="text", text=body, data=data)
    return ctx.event(mid, kind="unsupported", data={**data, "type": "empty"})


def _attachments(
    ctx: Context, mid: str, body: str, items: list[dict[str, Any]], data: dict[str, Any], where: str
) -> InboundEvent:
    described = [_describe(item, f"{where}/{n}") for n, item in enumerate(items)]
    if len(described) > 1:
        data = {**data, "attachments": described}
    # Stickers arrive as an image and a sticker at once (from June 2026): the sticker wins.
    main = next((d for d in described if d["type"] == "sticker"), None)
    main = main or next((d for d in described if d["type"] in _MEDIA_KINDS), described[0])
    kind = _MEDIA_KINDS.get(main["type"])
    if kind is None:
        extra = {"type": main["type"], **({"url": main["url"]} if main.get("url") else {})}
        return ctx.event(mid, kind="unsupported", text=body, data={**data, **extra})
    media = Media(kind=kind, url=main.get("url", ""))
    if main.get("sticker_id"):
        data = {**data, "sticker_id": main["sticker_id"]}
    return ctx.event(mid, kind="media", text=body, media=media, data=data)


def _describe(item: dict[str, Any], where: str) -> dict[str, str]:
    kind = text(item.get("type"), f"{where}/type") or "unknown"
    payload = item.get("payload")
    out = {"type": kind}
    if isinstance(payload, dict):
        if url := text(payload.get("url"), f"{where}/payload/url"):
            out["url"] = url
        if sticker := text(payload.get("sticker_id"), f"{where}/payload/sticker_id"):
            out["sticker_id"] = sticker
            if kind == "image":
                out["type"] = "sticker"
    return out
