"""Brazilian phone numbers, CPF and e-mail addresses."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PHONE = re.compile(r"(?<![\w+(])(?:\(|\+)?\d[\d\s().-]{6,24}\d(?![\w])")
_CPF_FORMATTED = re.compile(r"(?<![\d.])\d{3}\.\d{3}\.\d{3}-?\d{2}(?![\d])")
_CPF_PLAIN = re.compile(r"(?<![\d.-])\d{3}[\s]?\d{3}[\s]?\d{3}[\s-]?\d{2}(?![\d])")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_NON_DIGIT = re.compile(r"\D")
_CEP = re.compile(r"(?<![\d.-])\d{2}\.?\d{3}-\d{3}(?![\d-])|(?<=\bcep)\s*:?\s*\d{8}\b", re.IGNORECASE)

# Brazilian area codes (DDD) in use.
_DDD = frozenset(
    "11 12 13 14 15 16 17 18 19 21 22 24 27 28 31 32 33 34 35 37 38 41 42 43 44 45 46 47 48 49 "
    "51 53 54 55 61 62 63 64 65 66 67 68 69 71 73 74 75 77 79 81 82 83 84 85 86 87 88 89 "
    "91 92 93 94 95 96 97 98 99".split()
)


@dataclass(frozen=True, slots=True)
class Match:
    start: int
    end: int
    value: str


def phone_from_digits(digits: str, default_ddd: str | None = None) -> str | None:
    """E.164 ("+5511987654321") from the digits of a Brazilian number, or None if invalid.

    Accepts +55, a trunk 0 with or without a carrier code, and 8-digit mobiles (the 9 is added).
    """
    if len(digits) in (12, 13) and digits.startswith("55") and digits[2:4] in _DDD:
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = digits[1:] if len(digits) in (11, 12) else digits[3:]
    if len(digits) in (8, 9) and default_ddd:
        digits = default_ddd + digits
    if len(digits) not in (10, 11) or digits[:2] not in _DDD:
        return None
    ddd, local = digits[:2], digits[2:]
    if len(local) == 9 and local[0] != "9":
        return None
    if len(local) == 8 and local[0] in "6789":
        local = "9" + local
    elif len(local) == 8 and local[0] not in "2345":
        return None
    return f"+55{ddd}{local}"


def find_phones(text: str, default_ddd: str | None = None) -> list[Match]:
    found = []
    for match in _PHONE.finditer(text):
        value = phone_from_digits(_NON_DIGIT.sub("", match.group()), default_ddd)
        if value is not None:
            found.append(Match(match.start(), match.end(), value))
    return found


def parse_phone(text: str, *, default_ddd: str | None = None) -> str | None:
    """The first Brazilian phone number in the text as E.164, or None.

    Without an area code the number is read only when `default_ddd` (e.g. "11") is given.
    """
    phones = find_phones(text, default_ddd)
    return phones[0].value if phones else None


def cpf_is_valid(digits: str) -> bool:
    """Eleven digits, not all equal, with both mod-11 check digits right."""
    if len(digits) != 11 or not digits.isdigit() or digits == digits[0] * 11:
        return False
    for size in (9, 10):
        total = sum(int(d) * weight for d, weight in zip(digits[:size], range(size + 1, 1, -1), strict=True))
        if (total * 10 % 11) % 10 != int(digits[size]):
            return False
    return True


def find_cpfs(text: str, *, plain: bool = True) -> list[Match]:
    """CPFs with valid check digits; plain 11-digit runs only when `plain`."""
    patterns = (_CPF_FORMATTED, _CPF_PLAIN) if plain else (_CPF_FORMATTED,)
    found: dict[int, Match] = {}
    for pattern in patterns:
        for match in pattern.finditer(text):
            digits = _NON_DIGIT.sub("", match.group())
            if cpf_is_valid(digits) and match.start() not in found:
                found[match.start()] = Match(match.start(), match.end(), digits)
    return sorted(found.values(), key=lambda m: m.start)


def parse_cpf(text: str) -> str | None:
    """The first CPF in the text with valid check digits, as 11 digits ("12345678909"), or None."""
    cpfs = find_cpfs(text)
    return cpfs[0].value if cpfs else None


def find_emails(text: str) -> list[Match]:
    found = []
    for match in _EMAIL.finditer(text):
        local, _, domain = match.group().rpartition("@")
        local = local.strip(".")
        if local:
            found.append(Match(match.start(), match.end(), f"{local}@{domain.lower()}"))
    return found


def parse_email(text: str) -> str | None:
    """The first e-mail address in the text with its domain lower-cased, or None."""
    emails = find_emails(text)
    return emails[0].value if emails else None


def find_ceps(text: str) -> list[Match]:
    """Brazilian postal codes: "01310-100", "01.310-100", or 8 digits right after the word CEP."""
    found = []
    for match in _CEP.finditer(text):
        digits = _NON_DIGIT.sub("", match.group())
        start = match.start() + len(match.group()) - len(match.group().lstrip(" :"))
        found.append(Match(start, match.end(), f"{digits[:5]}-{digits[5:]}"))
    return found
