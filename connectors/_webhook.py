"""What every Meta webhook shares: the signature over the raw body and the GET handshake."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from connectors.constants import CHALLENGE_MAX, SIGNATURE_HEADER, SIGNATURE_PREFIX
from connectors.errors import BadSignature, BadSubscription

_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
# Meta's challenge is a number; accept a little more, but nothing a browser could run.
_CHALLENGE = re.compile(rf"[A-Za-z0-9._~-]{{1,{CHALLENGE_MAX}}}")


@dataclass(frozen=True, slots=True)
class Secret:
    """A credential that never shows in a repr, a log line or a traceback's locals."""

    value: str = field(repr=False)


def secrets_tuple(secret: str | Sequence[str]) -> tuple[Secret, ...]:
    """One secret, or several (old and new while rotating); empty ones are dropped."""
    items = (secret,) if isinstance(secret, str) else tuple(secret)
    return tuple(Secret(s) for s in items if s)


def check_signature(body: bytes, headers: Mapping[str, str], secrets: tuple[Secret, ...], *, channel: str) -> None:
    """Raise `BadSignature` unless X-Hub-Signature-256 is HMAC-SHA256(secret, body) for a secret."""
    if not secrets:
        raise BadSignature(f"{channel}: no app secret is configured, so no webhook can be trusted; set it")
    header = _header(headers, SIGNATURE_HEADER)
    if header is None:
        raise BadSignature(f"{channel}: the {SIGNATURE_HEADER} header is missing; Meta always sends it")
    if not header.startswith(SIGNATURE_PREFIX) or not _HEX64.fullmatch(header[len(SIGNATURE_PREFIX) :]):
        raise BadSignature(f"{channel}: {SIGNATURE_HEADER} is not 'sha256=' and 64 hex digits")
    given = header[len(SIGNATURE_PREFIX) :].lower().encode("ascii")
    matches = [
        hmac.compare_digest(hmac.new(s.value.encode("utf-8"), body, hashlib.sha256).hexdigest().encode(), given)
        for s in secrets
    ]
    if not any(matches):
        raise BadSignature(
            f"{channel}: {SIGNATURE_HEADER} does not match the body; check the app secret "
            "(Instagram Login uses the Instagram app secret) and that the raw body is hashed"
        )


def check_subscription(query: Mapping[str, str], verify_token: Secret, *, channel: str) -> str:
    """The challenge to echo when mode and token are right; raises `BadSubscription`."""
    if not verify_token.value:
        raise BadSubscription(f"{channel}: no verify token is configured; set it before subscribing")
    if query.get("hub.mode") != "subscribe":
        raise BadSubscription(f"{channel}: hub.mode must be 'subscribe'")
    token = query.get("hub.verify_token", "")
    given, expected = (t.encode("utf-8", "surrogatepass") for t in (token, verify_token.value))
    if not hmac.compare_digest(given, expected):
        raise BadSubscription(f"{channel}: hub.verify_token does not match the configured verify token")
    challenge = query.get("hub.challenge", "")
    if not _CHALLENGE.fullmatch(challenge):
        raise BadSubscription(f"{channel}: hub.challenge must be 1 to {CHALLENGE_MAX} letters, digits or -._~")
    return challenge


def _header(headers: Mapping[str, str], name: str) -> str | None:
    if (value := headers.get(name)) is not None:
        return value
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)
