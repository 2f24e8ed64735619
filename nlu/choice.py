"""Match a free-text answer against the options of a choice question."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import fuzz

from nlu.lexicon import LAST_WORDS, ORDINALS
from nlu.text import normalise

_FILLER = frozenset({
    "a", "o", "as", "os", "e", "opcao", "opcoes", "numero", "no", "n", "quero", "escolho",
    "prefiro", "vou", "de", "fico", "com", "pode", "ser", "por", "favor", "eu", "la", "item",
    "alternativa", "essa", "esse", "mesmo", "mesma", "sim",
})
_ORDINAL_DIGITS = re.compile(r"^(\d{1,2})(?:a|o)$")
_EXACT = 1000
_CONTAINED = 500
_PARTIAL = 300
_FUZZY_MIN = 82.0


def pick_option(text: str, options: Sequence[Sequence[str]]) -> int | None:
    """Return the index of the option the text names, or None when none or several match.

    options[i] lists the accepted names of option i (title, id, synonyms). Accepted: the 1-based
    number ("2", "opção 2", "2️⃣"), an ordinal ("a segunda", "última"), a name, a partial name
    ("unimed" for "Unimed Nacional") or a name with a typo.
    """
    folded = normalise(text)
    if not folded or not options:
        return None
    names = [[normalise(name) for name in option] for option in options]
    exact = [i for i, option in enumerate(names) if folded in option]
    if len(exact) == 1:
        return exact[0]
    position = _position(folded, len(options), names)
    if position is not None:
        return position
    return _best_by_name(folded, names)


def option_number(text: str, count: int) -> int | None:
    """The 0-based option a bare position names ("1", "opção 2", "2️⃣", "o segundo", "a última"),
    among `count` options whose names are not read; None for anything else."""
    folded = normalise(text)
    return _position(folded, count, []) if folded else None


def _position(folded: str, count: int, names: list[list[str]]) -> int | None:
    rest = [token for token in folded.split() if token not in _FILLER]
    if len(rest) != 1:
        return None
    word = rest[0]
    number: int | None = None
    if word.isdigit() and len(word) <= 3:
        number = int(word)
    elif (match := _ORDINAL_DIGITS.match(word)) is not None:
        number = int(match.group(1))
    elif word in LAST_WORDS:
        number = count
    elif word in ORDINALS and not _names_use(word, names):
        number = ORDINALS[word]
    return number - 1 if number is not None and 1 <= number <= count else None


def _names_use(word: str, names: list[list[str]]) -> bool:
    # "segunda" is also Monday: when an option is named with the word, the name wins.
    return any(word in name.split() for option in names for name in option)


def _best_by_name(folded: str, names: list[list[str]]) -> int | None:
    scores = [max((_score(folded, name) for name in option if name), default=0.0) for option in names]
    best = max(scores)
    if best < _FUZZY_MIN:
        return None
    winners = [i for i, score in enumerate(scores) if best - score < 1.0]
    return winners[0] if len(winners) == 1 else None


def _score(folded: str, name: str) -> float:
    if folded == name:
        return _EXACT
    if _contains_words(folded, name):
        return _CONTAINED + len(name)
    if len(folded) >= 3 and _contains_words(name, folded):
        return _PARTIAL + len(folded)
    if len(folded) < 3:
        return 0.0
    return max(fuzz.WRatio(folded, name), fuzz.token_set_ratio(folded, name))


def _contains_words(haystack: str, needle: str) -> bool:
    return f" {needle} " in f" {haystack} "
