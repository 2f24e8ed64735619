"""Card numbers are never stored: Luhn-valid runs of 13-19 digits are masked at ingest, before the
inbox, the state, the transcript or a log line ever hold them (PCI DSS; WhatsApp Business policy)."""

from __future__ import annotations

import re

CARD_MASK = "[cartao]"  # as the LLM masking writes it
_CANDIDATE = re.compile(r"(?<!\d)(?:\d[ .-]?){12,18}\d(?!\d)")


def luhn(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def is_card(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    return 13 <= len(digits) <= 19 and luhn(digits)


def mask_cards(text: str) -> str:
    """`text` with every Luhn-valid 13-19 digit number (spaces, dots, dashes allowed) replaced."""
    if not text or sum(c.isdigit() for c in text) < 13:
        return text
    return _CANDIDATE.sub(lambda m: CARD_MASK if is_card(m.group()) else m.group(), text)
