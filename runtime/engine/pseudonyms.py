"""Stable pseudonymous names for conversations: what logs and ids carry instead of a phone number."""

from __future__ import annotations

import hashlib


def conversation_ref(bot: str, channel: str, user: str) -> str:
    """`bot/channel/<10 hex digits>`: the same conversation always gets the same name, and the name
    does not reveal the user id (a phone number on WhatsApp)."""
    digest = hashlib.sha256(f"{bot}:{channel}:{user}".encode()).hexdigest()
    return f"{bot}/{channel}/{digest[:10]}"
