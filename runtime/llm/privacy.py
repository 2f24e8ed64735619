"""Masking before anything leaves for the provider: CPF, phone, e-mail and card numbers found
by the nlu's extractors, and the values of variables tagged pii or sensitive."""

from __future__ import annotations

import re
from collections.abc import Iterable

from nlu.contacts import find_cpfs, find_emails, find_phones

_CARD = re.compile(r"(?<!\d)(?:\d[ .-]?){12,18}\d(?!\d)")
_LONG_NUMBER = re.compile(r"\d{6,}")  # any other long number (ids, documents) says nothing useful


def _luhn(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def mask(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with personal data replaced by [cpf], [telefone], [email], [cartao], [dado]."""
    for value in sorted({s for s in secrets if len(s) >= 2}, key=len, reverse=True):
        text = re.sub(re.escape(value), "[dado]", text, flags=re.IGNORECASE)
    text = _CARD.sub(lambda m: "[cartao]" if _luhn(re.sub(r"\D", "", m.group())) else m.group(), text)
    for label, found in (("email", find_emails(text)), ("cpf", find_cpfs(text)), ("telefone", find_phones(text))):
        for match in sorted(found, key=lambda m: m.start, reverse=True):
            text = text[:match.start] + f"[{label}]" + text[match.end:]
    return _LONG_NUMBER.sub("[numero]", text)
