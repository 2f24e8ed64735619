"""WhatsApp Cloud API webhooks -> canonical events, statuses and skipped items.

Every `entry`, `change`, `message`, `status`, `error` and echo is read; a broken item is
recorded as `malformed` and the rest of the batch still counts; but a message WhatsApp itself
reports with `errors` is an `unsupported` event whatever its body, so the bot answers it. Only
the envelope (not JSON, not a WhatsApp payload, no `entry` array) raises `BadPayload`.
"""

from __future__ import annotations

from typing import Any

from connectors._collect import Collector
from connectors._raw import arr, epoch, load_object, obj, text
from connectors.base import Parsed, Skipped
from connectors.errors import BadPayload
from connectors.whatsapp.identity import canonical_whatsapp
from connectors.whatsapp.types import Body, message_body, unsupported_body
from flows.messages import DeliveryStatus, InboundEvent, StatusKind

CHANNEL = "whatsapp"
_STATUSES: dict[str, StatusKind] = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "played": "played",
    "failed": "failed",
    "deleted": "deleted",
}


def parse_whatsapp(body: bytes) -> Parsed:
    data = load_object(body, CHANNEL)
    if data.get("object") != "whatsapp_business_account":
        raise BadPayload(
            f"whatsapp webhook: 'object' is {data.get('object')!r:.60}, expected "
            "'whatsapp_business_account'; is a Messenger or Instagram app pointed at the WhatsApp URL?"
        )
    out = Collector()
    for i, entry in enumerate(arr(data.get("entry"), "/entry", missing_ok=False)):
        changes = out.guard(f"/entry/{i}", _changes, entry, f"/entry/{i}")
        for j, change in enumerate(changes or ()):
            _change(out, change, f"/entry/{i}/changes/{j}")
    return out.result()


def _changes(entry: Any, where: str) -> list[Any]:
    return arr(obj(entry, where).get("changes"), f"{where}/changes")


def _change(out: Collector, change: Any, where: str) -> None:
    try:
        change = obj(change, where)
        field = text(change.get("field"), f"{where}/field", required=True)
        value = obj(change.get("value"), f"{where}/value")
    except BadPayload as exc:
        out.skip("malformed", str(exc), where)
        return
    where = f"{where}/value"
    if field == "messages":
        _messages(out, value, where)
    elif field == "smb_message_echoes":
        _echoes(out, value, where)
    elif field == "user_preferences":
        _preferences(out, value, where)
    else:
        out.skip(
            "field", f"webhook field {field!r} carries no user message", where, data={"field": field, "value": value}
        )


def _messages(out: Collector, value: dict[str, Any], where: str) -> None:
    business = out.guard(where, _business, value, where)
    if business is None:
        return
    contacts = out.guard(f"{where}/contacts", _contacts, value, f"{where}/contacts") or {}
    for k, item in enumerate(_items(out, value, "messages", where)):
        at = f"{where}/messages/{k}"
        out.add(out.guard(at, _message, item, at, business, contacts))
    for k, item in enumerate(_items(out, value, "statuses", where)):
        at = f"{where}/statuses/{k}"
        out.add(out.guard(at, _status, item, at, business, contacts))
    for k, item in enumerate(_items(out, value, "errors", where)):
        at = f"{where}/errors/{k}"
        out.add(out.guard(at, _error, item, at, business))


def _preferences(out: Collector, value: dict[str, Any], where: str) -> None:
    """The user stopped or resumed marketing messages in WhatsApp: a `system` event of their conversation
    (`{"action": "consent", "purpose": "marketing", "granted": ...}`), which the runtime records as a
    consent change like any other. Other categories are skipped as fields."""
    business = out.guard(where, _business, value, where)
    if business is None:
        return
    for k, item in enumerate(_items(out, value, "user_preferences", where)):
        at = f"{where}/user_preferences/{k}"
        out.add(out.guard(at, _preference, item, at, business))


def _preference(item: Any, where: str, business: str) -> InboundEvent | Skipped:
    pref = obj(item, where)
    category, choice = pref.get("category"), pref.get("value")
    if category != "marketing_messages" or choice not in ("stop", "resume"):
        return Skipped("field", f"user preference {category!r}={choice!r} is not a marketing stop or resume", where,
                       data={"field": "user_preferences", "value": pref})
    wa_id = text(pref.get("wa_id"), f"{where}/wa_id", required=True)
    at = epoch(pref.get("timestamp"), f"{where}/timestamp", millis=False)
    return InboundEvent(CHANNEL, canonical_whatsapp(wa_id), f"prefs-{wa_id}-{int(at.timestamp())}-{choice}", at,
                        kind="system", business=business,
                        data={"action": "consent", "purpose": "marketing", "granted": choice == "resume",
                              "source": "user_preferences", "wa_id": wa_id})


def _items(out: Collector, value: dict[str, Any], key: str, where: str) -> list[Any]:
    return out.guard(f"{where}/{key}", arr, value.get(key), f"{where}/{key}") or []


def _business(value: dict[str, Any], where: str) -> str:
    meta = value.get("metadata")
    if meta is None:
        return ""
    return text(obj(meta, f"{where}/metadata").get("phone_number_id"), f"{where}/metadata/phone_number_id")


def _contacts(value: dict[str, Any], where: str) -> Contacts:
    """Contacts by wa_id and by business-scoped user id; "" maps the only contact, if one."""
    found: dict[str, dict[str, Any]] = {}
    items = arr(value.get("contacts"), where)
    for k, raw in enumerate(items):
        contact = obj(raw, f"{where}/{k}")
        for key in ("wa_id", "user_id"):
            if ident := text(contact.get(key), f"{where}/{k}/{key}"):
                found[ident] = contact
    if len(items) == 1:
        found[""] = obj(items[0], f"{where}/0")
    return found


def _identity(m: dict[str, Any], where: str, contacts: Contacts) -> tuple[str, dict[str, Any]]:
    wa_id = text(m.get("from"), f"{where}/from")
    user_id = text(m.get("from_user_id"), f"{where}/from_user_id")
    if not (wa_id or user_id):
        raise BadPayload(f"{where}: neither 'from' nor 'from_user_id' names the sender")
    data: dict[str, Any] = {"wa_id": wa_id} if wa_id else {}
    if user_id:
        data["user_id"] = user_id
    if parent := text(m.get("from_parent_user_id"), f"{where}/from_parent_user_id"):
        data["parent_user_id"] = parent
    contact = contacts.get(wa_id) or contacts.get(user_id) or contacts.get("")
    profile = contact.get("profile") if contact else None
    if isinstance(profile, dict) and isinstance(profile.get("name"), str):
        data["profile_name"] = profile["name"]
    return (canonical_whatsapp(wa_id) if wa_id else user_id), data


Contacts = dict[str, dict[str, Any]]


def _message(raw: Any, where: str, business: str, contacts: Contacts) -> InboundEvent:
    m = obj(raw, where)
    mid = text(m.get("id"), f"{where}/id", required=True)
    at = epoch(m.get("timestamp"), f"{where}/timestamp", millis=False)
    user, data = _identity(m, where, contacts)
    for key in ("context", "referral"):
        if isinstance(m.get(key), dict):
            data[key] = m[key]
    if errors := _error_list(m.get("errors"), f"{where}/errors"):
        data["errors"] = errors
    body = _body(m, where, erroneous=bool(errors))
    return InboundEvent(
        channel=CHANNEL,
        user=user,
        id=mid,
        at=at,
        kind=body.kind,
        text=body.text,
        choice_id=body.choice_id,
        media=body.media,
        business=business,
        data={**data, **body.data},
    )


def _body(m: dict[str, Any], where: str, *, erroneous: bool) -> Body:
    """The message's content. One WhatsApp reports with `errors` may lack it (an interactive reply it
    could not render): it is still the user's message, and the bot answers that it cannot read it."""
    try:
        return message_body(m, where)
    except BadPayload:
        if not erroneous:
            raise
        return unsupported_body(m)


def _status(raw: Any, where: str, business: str, contacts: Contacts) -> DeliveryStatus | Skipped:
    s = obj(raw, where)
    wamid = text(s.get("id"), f"{where}/id", required=True)
    status = text(s.get("status"), f"{where}/status", required=True)
    if (kind := _STATUSES.get(status)) is None:
        return Skipped("unknown", f"status {status!r:.40} is not one papo knows", where, id=wamid, business=business)
    at = epoch(s.get("timestamp"), f"{where}/timestamp", millis=False)
    user = canonical_whatsapp(text(s.get("recipient_id"), f"{where}/recipient_id"))
    user = user or text(s.get("recipient_user_id"), f"{where}/recipient_user_id")
    user = user or text((contacts.get("") or {}).get("wa_id"), f"{where}/../contacts/0/wa_id")
    data: dict[str, Any] = {}
    for key in ("biz_opaque_callback_data", "recipient_user_id", "conversation", "pricing"):
        if s.get(key) is not None:
            data[key] = s[key]
    errors = _error_list(s.get("errors"), f"{where}/errors")
    if errors:
        data["errors"] = errors
    first = errors[0] if errors else {}
    return DeliveryStatus(
        channel=CHANNEL,
        user=user,
        message_id=wamid,
        status=kind,
        at=at,
        error_code=first.get("code"),
        error_title=first.get("title", ""),
        business=business,
        data=data,
    )


def _error_list(value: Any, where: str) -> list[dict[str, Any]]:
    return [_one_error(raw, f"{where}/{k}") for k, raw in enumerate(arr(value, where))]


def _one_error(raw: Any, where: str) -> dict[str, Any]:
    """A Graph error object reduced to code, title and details (never the user's content)."""
    error = obj(raw, where)
    code = error.get("code")
    item: dict[str, Any] = {"code": code if isinstance(code, int) and not isinstance(code, bool) else None}
    item["title"] = text(error.get("title") or error.get("message"), f"{where}/title")
    details = error.get("error_data")
    if isinstance(details, dict) and isinstance(details.get("details"), str):
        item["details"] = details["details"]
    return item


def _error(raw: Any, where: str, business: str) -> Skipped:
    error = _one_error(raw, where)
    return Skipped(
        "error", f"WhatsApp reported error {error['code']}: {error['title']}", where, business=business, data=error
    )


def _echoes(out: Collector, value: dict[str, Any], where: str) -> None:
    business = out.guard(where, _business, value, where) or ""
    for k, item in enumerate(_items(out, value, "message_echoes", where)):
        at = f"{where}/message_echoes/{k}"
        out.add(out.guard(at, _echo, item, at, business))


def _echo(raw: Any, where: str, business: str) -> Skipped:
    e = obj(raw, where)
    user = text(e.get("to"), f"{where}/to") or text(e.get("to_user_id"), f"{where}/to_user_id")
    when = epoch(e.get("timestamp"), f"{where}/timestamp", millis=False) if e.get("timestamp") else None
    data: dict[str, Any] = {"type": text(e.get("type"), f"{where}/type")}
    if when is not None:
        data["at"] = when.isoformat()
    return Skipped(
        "echo",
        "sent by the business from the WhatsApp Business app or a linked device",
        where,
        id=text(e.get("id"), f"{where}/id"),
        user=user,
        business=business,
        data=data,
    )
