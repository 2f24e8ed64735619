"""WhatsApp user identity: Brazilian mobile numbers with and without the 9th digit.

Many Brazilian accounts were registered before mobiles gained a leading 9, so WhatsApp's
`wa_id` may be `55 DD XXXXXXXX` while the clinic stored `55 DD 9XXXXXXXX`. Both name the same
person. Only mobiles have the two forms: a landline (subscriber number starting with 2-5) has
one, and a 9 is never inserted into it.
"""

from __future__ import annotations

import re

_BR_MOBILE_8 = re.compile(r"55([1-9][1-9])([6-9]\d{7})")  # 55 + area code + old 8-digit mobile
_BR_MOBILE_9 = re.compile(r"55([1-9][1-9])9([6-9]\d{7})")  # 55 + area code + 9 + 8 digits


def whatsapp_aliases(number: str) -> tuple[str, ...]:
    """`number` (digits, optional leading +) and its other Brazilian form, if it has one.

    >>> whatsapp_aliases("+55 11 98765-4321")
    ('5511987654321', '551187654321')
    >>> whatsapp_aliases("551133334444")   # a landline: one form only
    ('551133334444',)
    """
    digits = re.sub(r"\D", "", number)
    if match := _BR_MOBILE_9.fullmatch(digits):
        return digits, f"55{match[1]}{match[2]}"
    if match := _BR_MOBILE_8.fullmatch(digits):
        return digits, f"55{match[1]}9{match[2]}"
    return (digits,) if digits else ()


def same_whatsapp_user(a: str, b: str) -> bool:
    """Whether two WhatsApp numbers name the same user, allowing for Brazil's 9th digit."""
    return bool(set(whatsapp_aliases(a)) & set(whatsapp_aliases(b)))


def canonical_whatsapp(number: str) -> str:
    """One id per person: a Brazilian mobile with its 9th digit, anything else as its digits.
    Conversations and patients are keyed by it; replies go to the `wa_id` WhatsApp sent.

    >>> canonical_whatsapp("551187654321")
    '5511987654321'
    """
    aliases = whatsapp_aliases(number)
    return next((a for a in aliases if _BR_MOBILE_9.fullmatch(a)), aliases[0] if aliases else number)
