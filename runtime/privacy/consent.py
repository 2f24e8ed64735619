"""Consent: the one check every proactive send passes, `may_send(state, purpose)`.

Purposes (LGPD art. 8 §4: consent is given per purpose):

- `service`: replies to the patient and staff answering them: the reason the patient wrote; always
  allowed unless staff blocked the contact;
- `reminders`: reminders of a booked appointment (health care, art. 11 II f); sent unless the patient
  stopped them ("PARAR", "não quero mais receber lembretes");
- `marketing`: campaigns and offers; only with an active opt-in (a `consent` node, or WhatsApp's
  `user_preferences` "resume"), never after a stop.

A refused send is recorded as `NoConsent` (the delivery book's `failed` map and the bot's failures
stream) and never reaches the channel's API.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from runtime.engine.state import Conversation

Purpose = Literal["service", "reminders", "marketing"]
PURPOSES: tuple[Purpose, ...] = ("service", "reminders", "marketing")
PROACTIVE: tuple[Purpose, ...] = ("reminders", "marketing")


def may_send(state: Conversation | None, purpose: str | None) -> str | None:
    """None when a message of `purpose` may go to this contact now, else why not (for the record)."""
    if state is not None and state.blocked_at is not None:
        return "the contact is blocked (LGPD art. 18 IV): nothing is sent until staff unblock it"
    chosen = purpose or "service"
    if chosen == "service":
        return None
    if chosen not in PURPOSES:
        return f"unknown purpose {chosen!r}; use one of {', '.join(PURPOSES)}"
    consent = state.consent(chosen) if state is not None else None
    if chosen == "marketing" and consent is not True:
        return "no active marketing opt-in" if consent is None else "the contact stopped marketing messages"
    if chosen == "reminders" and (consent is False or (state is not None and state.opted_out_at is not None)):
        return "the patient asked for no more messages"
    return None


def text_hash(text: str) -> str:
    """The SHA-256 of the consent text the patient saw: the ledger proves which words they agreed to."""
    return hashlib.sha256(text.encode()).hexdigest()
