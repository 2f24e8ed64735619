"""The signature of an event delivery: `Papo-Signature: t=<unix seconds>,v1=<hex>`, where hex is
HMAC-SHA256 with the subscription's secret over `<t>.<body>` (docs/events.md shows a receiver's check)."""

from __future__ import annotations

import hashlib
import hmac

HEADER = "Papo-Signature"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes, *, now: int, tolerance_s: int = 300) -> bool:
    """What a receiver checks: the MAC matches and the timestamp is recent (a replayed request is old)."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    if not parts.get("t", "").isdigit() or abs(now - int(parts["t"])) > tolerance_s:
        return False
    expected = sign(secret, int(parts["t"]), body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
