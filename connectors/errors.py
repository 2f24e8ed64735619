"""Errors raised by connectors, under one root (a `flows.errors.PapoError`), and the one table that maps
Graph API errors.

ConnectorError
├── UnknownChannel        no connector is registered under that channel name
├── ConfigError           a connector was given settings it cannot work with
├── BadSignature          webhook POST: missing or wrong X-Hub-Signature-256 -> answer 401
├── BadSubscription       webhook GET: wrong mode, verify token or challenge  -> answer 403
├── BadPayload            webhook POST: not a payload of this channel         -> answer 400
└── SendError             sending failed; `retryable` says whether to try again
    ├── InvalidMessage    papo's message cannot be expressed on the channel (before any call)
    ├── Unavailable       network trouble, timeout, 5xx, Graph 1/2/131000/131016/131057 (retry)
    ├── Throttled         a rate limit; `retry_after` (s) and `scope` when known (retry)
    ├── WindowClosed      more than 24 h since the user's last message: send a template
    ├── InvalidRecipient  the user cannot receive messages (131026, 551, blocked, unknown)
    ├── TemplateError     the template is missing, unapproved, paused or its parameters wrong
    ├── AuthError         the token is invalid or expired (0, 190): renew it
    ├── PermissionDenied  the app or token lacks a permission (3, 10, 200-299)
    ├── AccountRestricted the business account is locked, restricted or has a quality limit
    ├── MarketingRefused  marketing messages held back or refused by the user (131049, 131050)
    ├── MediaError        media could not be uploaded or downloaded (131052, 131053)
    ├── InvalidRequest    the Graph API found the request invalid: a bug in papo or the flow
    └── Rejected          any other refusal
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from flows.errors import PapoError

ThrottleScope = Literal["app", "account", "number", "recipient", "page"]


class ConnectorError(PapoError):
    """Root of every error a connector raises."""


class UnknownChannel(ConnectorError, LookupError):
    def __init__(self, channel: str, *, known: list[str]) -> None:
        super().__init__(f"no connector for channel {channel!r}; known channels: {', '.join(known) or 'none'}")
        self.channel = channel


class ConfigError(ConnectorError, ValueError):
    """A connector's settings are wrong; the message names the setting and what it accepts."""


class BadSignature(ConnectorError):
    """The webhook is not proven to come from Meta: answer 401 and process nothing."""


class BadSubscription(ConnectorError):
    """The verification handshake (GET hub.*) is refused: answer 403."""


class BadPayload(ConnectorError):
    """The body is not a webhook payload of this channel: answer 400, never 500."""


class SendError(ConnectorError):
    """Sending failed. `code`/`subcode` are Graph's when it answered; `status` the HTTP status."""

    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        subcode: int | None = None,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.subcode = subcode
        self.status = status
        self.retry_after = retry_after


class InvalidMessage(SendError):
    """papo's message cannot be rendered for this channel; nothing was sent."""


class Unavailable(SendError):
    retryable = True


class Throttled(SendError):
    retryable = True

    def __init__(self, message: str, *, scope: ThrottleScope | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.scope = scope


class WindowClosed(SendError):
    """More than 24 h since the user's last message: send an approved template instead."""


class InvalidRecipient(SendError):
    pass


class TemplateError(SendError):
    pass


class AuthError(SendError):
    pass


class PermissionDenied(SendError):
    pass


class AccountRestricted(SendError):
    pass


class MarketingRefused(SendError):
    pass


class MediaError(SendError):
    pass


class InvalidRequest(SendError):
    pass


class Rejected(SendError):
    pass


_Rule = tuple[type[SendError], str]

# Graph error codes (WhatsApp Cloud API, Messenger and Instagram Send API) -> papo's error and
# what to do about it. Keyed by (code, subcode); a `None` subcode matches any subcode.
GRAPH_ERRORS: Mapping[tuple[int, int | None], _Rule] = {
    (0, None): (AuthError, "the access token cannot authenticate; renew it"),
    (190, None): (AuthError, "the access token is invalid or expired; renew it"),
    (3, None): (PermissionDenied, "the app lacks a capability; check the app's permissions"),
    (10, 2018278): (WindowClosed, "outside the messaging window; use a message tag or wait for the user"),
    (10, 1893063): (AccountRestricted, "the Page is temporarily restricted"),
    (10, None): (PermissionDenied, "the token lacks a permission; check the app's permissions"),
    (4, None): (Throttled, "the app's rate limit was reached; back off"),
    (613, None): (Throttled, "the Send API rate limit was reached; back off"),
    (80007, None): (Throttled, "the WhatsApp Business Account rate limit was reached; back off"),
    (130429, None): (Throttled, "the phone number's throughput limit was reached; back off"),
    (131056, None): (Throttled, "too many messages to this user in a short time; wait before the next"),
    (131057, None): (Unavailable, "the account is in maintenance; retry shortly"),
    (1, None): (Unavailable, "unknown Graph API error; retry with backoff"),
    (2, None): (Unavailable, "temporary Graph API error; retry with backoff"),
    (131000, None): (Unavailable, "unknown WhatsApp error; retry with backoff"),
    (131016, None): (Unavailable, "the WhatsApp service is unavailable; retry with backoff"),
    (131047, None): (WindowClosed, "more than 24 h since the user's last message; send a template"),
    (131026, None): (InvalidRecipient, "the message is undeliverable to this user; do not retry blindly"),
    (551, None): (InvalidRecipient, "this person is unavailable"),
    (100, 2018001): (InvalidRecipient, "no user matches this id"),
    (130403, None): (InvalidRecipient, "the business blocked this user"),
    (130472, None): (MarketingRefused, "the user is part of a marketing experiment"),
    (131049, None): (MarketingRefused, "held back to keep engagement healthy; wait at least 24 h"),
    (131050, None): (MarketingRefused, "the user stopped marketing messages; never retry marketing"),
    (131048, None): (AccountRestricted, "spam rate limit; check the number's quality before retrying"),
    (131064, None): (AccountRestricted, "limited for template classification violations; review templates"),
    (131031, None): (AccountRestricted, "the business account is locked"),
    (368, None): (AccountRestricted, "blocked for a policy violation"),
    (130497, None): (AccountRestricted, "the business cannot message users in this country"),
    (131042, None): (AccountRestricted, "a problem with the payment method; check billing"),
    (131052, None): (MediaError, "the user's media could not be downloaded"),
    (131053, None): (MediaError, "the media could not be uploaded; check its URL, type and size"),
    (100, None): (InvalidRequest, "invalid or missing parameter"),
    (131008, None): (InvalidRequest, "a required parameter is missing"),
    (131009, None): (InvalidRequest, "a parameter value is invalid"),
    (131021, None): (InvalidRequest, "the recipient is the sender's own number"),
    (131051, None): (InvalidRequest, "unsupported message type"),
    (2388019, None): (TemplateError, "the account has more than 250 templates"),
}

_THROTTLE_SCOPES: Mapping[int, ThrottleScope] = {
    4: "app",
    613: "page",
    80007: "account",
    130429: "number",
    131056: "recipient",
}


def _rule_for(code: int | None, subcode: int | None) -> _Rule | None:
    if code is None:
        return None
    if (rule := GRAPH_ERRORS.get((code, subcode))) is not None:
        return rule
    if (rule := GRAPH_ERRORS.get((code, None))) is not None:
        return rule
    if 132000 <= code <= 132999:
        return TemplateError, "the template or its parameters were refused; fix the template"
    if 200 <= code <= 299:
        return PermissionDenied, "the token lacks a permission; check the app's permissions"
    return None


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def error_from_graph(channel: str, status: int, body: object, *, retry_after: float | None = None) -> SendError:
    """The most specific `SendError` for a non-2xx Graph answer (`body` is its decoded JSON, if any)."""
    error: Mapping[str, Any] = {}
    if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
        error = body["error"]
    code, subcode = _int_or_none(error.get("code")), _int_or_none(error.get("error_subcode"))
    rule = _rule_for(code, subcode)
    if rule is None:
        rule = _rule_for_status(status)
    kind, hint = rule
    text = f"{channel} refused the message (HTTP {status}{_describe(error, code, subcode)}): {hint}"
    kwargs: dict[str, Any] = {"code": code, "subcode": subcode, "status": status, "retry_after": retry_after}
    if kind is Throttled:
        return Throttled(text, scope=_THROTTLE_SCOPES.get(code or 0, "app" if status == 429 else None), **kwargs)
    return kind(text, **kwargs)


def _describe(error: Mapping[str, Any], code: int | None, subcode: int | None) -> str:
    parts = []
    if code is not None:
        parts.append(f"Graph error {code}" + (f"/{subcode}" if subcode else ""))
    parts.append(str(error.get("message") or "no message"))
    data = error.get("error_data")
    if isinstance(data, Mapping) and data.get("details"):
        parts.append(str(data["details"]))
    if error.get("fbtrace_id"):
        parts.append(f"fbtrace_id {error['fbtrace_id']}")
    return ", " + "; ".join(parts)


def _rule_for_status(status: int) -> _Rule:
    if status == 429:
        return Throttled, "rate limited; back off"
    if status >= 500:
        return Unavailable, "the Graph API is unavailable; retry later"
    if status == 401:
        return AuthError, "the access token was refused; renew it"
    if status == 403:
        return PermissionDenied, "access denied; check the token's permissions"
    return Rejected, "the Graph API refused the request"
