"""Messenger and Instagram webhooks (`messaging[]` and `standby[]` items) -> canonical events.

| event | result |
| --- | --- |
| message with text | text |
| message with quick_reply | choice: choice_id = payload, text = the tapped title |
| message with attachments | media (image, video, audio, file -> document, sticker) with its url; other kinds
  (story_mention, share, reel, post, fallback, template, ...) -> unsupported with data.type and url |
| message with is_echo | skipped `echo` (sent by the Page, an inbox or papo: never a turn) |
| message with is_deleted / is_unsupported | system revoke / unsupported |
| postback | choice: choice_id = payload, text = title |
| reaction | reaction: text = emoji ("" when removed), data.reaction |
| referral | system: data.system.type = referral |
| message_edit | system: data.system.type = edit, text = the new text |
| delivery / read | statuses (a read or delivery without mids carries data.watermark and message_id "") |
| standby[] items | skipped `standby`: another app owns the thread |
| anything else | skipped `unknown` |

Instagram's dashboard test events come as `entry[].changes[]`; a `messages` change is read
like a `messaging` item.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connectors._collect import Collector
from connectors._raw import arr, epoch, load_object, obj, text
from connectors.base import Parsed, Skipped
from connectors.constants import PAGE_INBOX_APP_IDS
from connectors.errors import BadPayload
from connectors.meta.types import Context, message_event
from flows.messages import DeliveryStatus, InboundEvent, StatusKind

Item = InboundEvent | DeliveryStatus | Skipped


def parse_messaging(body: bytes, *, channel: str, object_name: str) -> Parsed:
    data = load_object(body, channel)
    if data.get("object") != object_name:
        raise BadPayload(
            f"{channel} webhook: 'object' is {data.get('object')!r:.60}, expected {object_name!r}; "
            "is another channel's app pointed at this URL?"
        )
    out = Collector()
    for i, raw in enumerate(arr(data.get("entry"), "/entry", missing_ok=False)):
        entry = out.guard(f"/entry/{i}", obj, raw, f"/entry/{i}")
        if entry is not None:
            _entry(out, entry, f"/entry/{i}", channel)
    return out.result()


def _entry(out: Collector, entry: dict[str, Any], where: str, channel: str) -> None:
    for key in ("messaging", "standby"):
        items = out.guard(f"{where}/{key}", arr, entry.get(key), f"{where}/{key}") or []
        for j, raw in enumerate(items):
            at = f"{where}/{key}/{j}"
            for item in out.guard(at, _item, raw, at, channel, key) or ():
                out.add(item)
    changes = out.guard(f"{where}/changes", arr, entry.get("changes"), f"{where}/changes") or []
    for j, raw in enumerate(changes):
        at = f"{where}/changes/{j}"
        for item in out.guard(at, _change, raw, at, channel) or ():
            out.add(item)


def _change(raw: Any, where: str, channel: str) -> list[Item]:
    change = obj(raw, where)
    field = text(change.get("field"), f"{where}/field")
    if field in ("messages", "messaging_postbacks", "message_reactions", "messaging_seen"):
        return _item(change.get("value"), f"{where}/value", channel, "messaging")
    return [
        Skipped(
            "field",
            f"webhook field {field!r} carries no user message",
            where,
            data={"field": field, "value": change.get("value")},
        )
    ]


def _item(raw: Any, where: str, channel: str, key: str) -> list[Item]:
    m = obj(raw, where)
    sender = obj(m.get("sender"), f"{where}/sender")
    recipient = obj(m.get("recipient"), f"{where}/recipient")
    user = text(sender.get("id"), f"{where}/sender/id") or text(sender.get("user_ref"), f"{where}/sender/user_ref")
    business = text(recipient.get("id"), f"{where}/recipient/id")
    ctx = Context(channel, user, business, epoch(m.get("timestamp"), f"{where}/timestamp", millis=True), where)
    message = m.get("message")
    if isinstance(message, dict) and message.get("is_echo"):
        return [_echo(message, ctx, page=user, user=business)]
    if not user:
        raise BadPayload(f"{where}/sender: neither 'id' nor 'user_ref' names the sender")
    if key == "standby":
        return [
            Skipped(
                "standby",
                "another app owns this conversation (handover): not for the bot",
                where,
                id=_mid(message),
                user=user,
                business=business,
            )
        ]
    for name, read in _EVENTS.items():
        if name in m:
            return read(ctx, m[name], f"{where}/{name}")
    known = sorted(set(m) - {"sender", "recipient", "timestamp"})
    return [
        Skipped("unknown", f"messaging event {known[:3]} is not one papo handles", where, user=user, business=business)
    ]


def _mid(message: Any) -> str:
    return message["mid"] if isinstance(message, dict) and isinstance(message.get("mid"), str) else ""


def _echo(message: dict[str, Any], ctx: Context, *, page: str, user: str) -> Skipped:
    app_id = text(message.get("app_id"), f"{ctx.where}/message/app_id")
    data: dict[str, Any] = {"app_id": app_id, "from_page_inbox": app_id in PAGE_INBOX_APP_IDS}
    if isinstance(message.get("metadata"), str):
        data["metadata"] = message["metadata"]  # papo's own sends carry their message id here
    return Skipped(
        "echo",
        "sent by the business (the Page, its inbox or an app)",
        ctx.where,
        id=_mid(message),
        user=user,
        business=page,
        data=data,
    )


def _message(ctx: Context, raw: Any, where: str) -> list[Item]:
    return [message_event(ctx, obj(raw, where), where)]


def _postback(ctx: Context, raw: Any, where: str) -> list[Item]:
    postback = obj(raw, where)
    millis = int(ctx.at.timestamp() * 1000)
    mid = text(postback.get("mid"), f"{where}/mid") or f"postback:{ctx.user}:{millis}"
    data: dict[str, Any] = {"reply": "postback"}
    if isinstance(postback.get("referral"), dict):
        data["referral"] = postback["referral"]
    return [
        ctx.event(
            mid,
            kind="choice",
            text=text(postback.get("title"), f"{where}/title"),
            choice_id=text(postback.get("payload"), f"{where}/payload", required=True),
            data=data,
        )
    ]


def _reaction(ctx: Context, raw: Any, where: str) -> list[Item]:
    sub = obj(raw, where)
    action = text(sub.get("action"), f"{where}/action") or "react"
    emoji = text(sub.get("emoji"), f"{where}/emoji") if action == "react" else ""
    target = text(sub.get("mid"), f"{where}/mid")
    reaction = {"message_id": target, "emoji": emoji, "action": action}
    millis = int(ctx.at.timestamp() * 1000)
    return [
        ctx.event(f"reaction:{ctx.user}:{target}:{millis}", kind="reaction", text=emoji, data={"reaction": reaction})
    ]


def _referral(ctx: Context, raw: Any, where: str) -> list[Item]:
    referral = obj(raw, where)
    millis = int(ctx.at.timestamp() * 1000)
    return [
        ctx.event(
            f"referral:{ctx.user}:{millis}", kind="system", data={"system": {"type": "referral"}, "referral": referral}
        )
    ]


def _edit(ctx: Context, raw: Any, where: str) -> list[Item]:
    edit = obj(raw, where)
    mid = text(edit.get("mid"), f"{where}/mid", required=True)
    count = text(edit.get("num_edit"), f"{where}/num_edit") or "1"
    system = {"type": "edit", "original_message_id": mid}
    return [
        ctx.event(
            f"edit:{mid}:{count}", kind="system", text=text(edit.get("text"), f"{where}/text"), data={"system": system}
        )
    ]


def _statuses(status: StatusKind) -> Callable[[Context, Any, str], list[Item]]:
    def read(ctx: Context, raw: Any, where: str) -> list[Item]:
        sub = obj(raw, where)
        mids = [
            text(mid, f"{where}/mids/{n}", required=True) for n, mid in enumerate(arr(sub.get("mids"), f"{where}/mids"))
        ]
        if single := text(sub.get("mid"), f"{where}/mid"):
            mids.append(single)
        data: dict[str, Any] = {}
        if sub.get("watermark") is not None:
            data["watermark"] = epoch(sub["watermark"], f"{where}/watermark", millis=True).isoformat()
        return [
            DeliveryStatus(
                channel=ctx.channel,
                user=ctx.user,
                message_id=mid,
                status=status,
                at=ctx.at,
                business=ctx.business,
                data=data,
            )
            for mid in mids or [""]
        ]

    return read


_EVENTS: dict[str, Callable[[Context, Any, str], list[Item]]] = {
    "message": _message,
    "postback": _postback,
    "reaction": _reaction,
    "referral": _referral,
    "message_edit": _edit,
    "delivery": _statuses("delivered"),
    "read": _statuses("read"),
}
