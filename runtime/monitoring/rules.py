"""Term rules compiled once per bot version, and what a message's text gives when screened (pure code).

A rule finds spans in the text: a literal (whole words, any case, with or without accents), a
regular expression, a check-digit validator (Luhn, CPF) or one of papo's finders (card, CPF, phone,
e-mail). `screen` returns the text with the spans of `mask` rules replaced, and one `Hit` per rule
that matched, with a snippet around the first match in which every match is masked: a hit never
carries the matched value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from flows.settings import MonitoringRule, MonitoringSettings
from nlu.contacts import cpf_is_valid, find_cpfs, find_emails, find_phones

Span = tuple[int, int]
Finder = Callable[[str], list[Span]]
MASK = "***"
SNIPPET = 40  # characters of context on each side of the first match
_CARD = re.compile(r"(?<!\d)(?:\d[ .-]?){12,18}\d(?!\d)")
_DIGITS = re.compile(r"\d{4,}")  # long numbers in a snippet's context say nothing a dpo needs
_ACCENTS = {"a": "aáàâãä", "e": "eéèêë", "i": "iíìîï", "o": "oóòôõö", "u": "uúùûü", "c": "cç", "n": "nñ"}


@dataclass(frozen=True, slots=True)
class Hit:
    rule: str
    actions: tuple[str, ...]
    snippet: str


@dataclass(frozen=True, slots=True)
class Screened:
    text: str  # masked where a `mask` rule matched
    hits: tuple[Hit, ...]

    def wants(self, action: str) -> list[Hit]:
        return [h for h in self.hits if action in h.actions]


def luhn(digits: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _cards(text: str) -> list[Span]:
    return [m.span() for m in _CARD.finditer(text) if luhn(re.sub(r"\D", "", m.group()))]


def _cpfs(text: str) -> list[Span]:
    return [(m.start, m.end) for m in find_cpfs(text) if cpf_is_valid(m.value)]


FINDERS: dict[str, Finder] = {
    "card": _cards, "luhn": _cards, "cpf": _cpfs,
    "phone": lambda text: [(m.start, m.end) for m in find_phones(text)],
    "email": lambda text: [(m.start, m.end) for m in find_emails(text)],
}


def _literal(term: str) -> str:
    """A pattern for `term` as whole words, in any case, each vowel and c with or without its accent."""
    out = []
    for char in term.strip():
        folded = next((base for base, forms in _ACCENTS.items() if char.lower() in forms), None)
        out.append(r"\s+" if char.isspace() else f"[{_ACCENTS[folded]}]" if folded else re.escape(char))
    return rf"(?<!\w){''.join(out)}(?!\w)"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    directions: frozenset[str]
    actions: tuple[str, ...]
    find: Finder


def _compiled(rule: MonitoringRule) -> Rule:
    if rule.kind in ("validator", "category"):
        find = FINDERS[rule.terms[0]]
    else:
        pattern = re.compile("|".join(_literal(t) for t in rule.terms) if rule.kind == "literal" else rule.terms[0],
                             re.IGNORECASE)
        find = lambda text: [m.span() for m in pattern.finditer(text) if m.end() > m.start()]  # noqa: E731
    return Rule(rule.id, frozenset(rule.directions), rule.actions, find)


@lru_cache(maxsize=16)
def compiled(settings: MonitoringSettings) -> tuple[Rule, ...]:
    return tuple(_compiled(r) for r in settings.rules)


def screen(settings: MonitoringSettings, text: str, direction: str) -> Screened:
    """What the rules for `direction` find in `text` (no rules, or no text: nothing, at once)."""
    if not settings.rules or not text:
        return Screened(text, ())
    found: list[tuple[Rule, list[Span]]] = []
    for rule in compiled(settings):
        if direction in rule.directions and (spans := rule.find(text)):
            found.append((rule, spans))
    if not found:
        return Screened(text, ())
    every = [span for _, spans in found for span in spans]
    hits = tuple(Hit(rule.id, rule.actions, _snippet(text, spans[0], every)) for rule, spans in found)
    to_mask = [span for rule, spans in found if "mask" in rule.actions for span in spans]
    return Screened(_masked(text, to_mask) if to_mask else text, hits)


def _masked(text: str, spans: list[Span]) -> str:
    out, last = [], 0
    for start, end in sorted(_merged(spans)):
        out += [text[last:start], MASK]
        last = end
    return "".join(out) + text[last:]


def _merged(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _snippet(text: str, first: Span, every: list[Span]) -> str:
    """Up to SNIPPET characters each side of the first match, every match and long number masked."""
    low, high = max(0, first[0] - SNIPPET), min(len(text), first[1] + SNIPPET)
    inside = [(max(s, low) - low, min(e, high) - low) for s, e in every if e > low and s < high]
    window = _masked(text[low:high], inside)
    window = _DIGITS.sub(MASK, window)
    return ("…" if low else "") + " ".join(window.split()) + ("…" if high < len(text) else "")
