"""Text normalisation for pt-BR chat: case, accents, repeated letters, abbreviations, emoji."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from nlu.lexicon import ABBREVIATIONS, AFFIRM_PHRASES, DENY_PHRASES, EMOJI_WORDS

# Letters that are legitimately doubled in Portuguese ("carro", "isso", "reembolso", "cooperativa",
# "faccao"): a pair is kept, a longer run becomes a pair. Any other run becomes one letter.
_DOUBLE_OK = frozenset("rseoc")
_RUN = re.compile(r"([a-z])\1+")
_KEYCAP = re.compile("[\ufe0f\u20e3]")
_NOT_WORD = re.compile(r"[^\w/:,.@+-]+|(?<!\d)[/:,.-]|[/:,.-](?!\d)|_")
_CACHED_LENGTH = 256  # chat messages are short; long texts are not worth a cache slot
_SPACES = re.compile(r"\s+")
_PARA = re.compile(r"\bp/")
_KNOWN = frozenset(ABBREVIATIONS) | AFFIRM_PHRASES | DENY_PHRASES | frozenset(
    {"oi", "ola", "bom", "boa", "dia", "tarde", "noite", "obrigado", "obrigada", "tchau", "valeu"}
)


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    lowered = char.lower()
    if len(lowered) != 1:
        return char
    base = unicodedata.normalize("NFKD", lowered)[:1]
    if not base or unicodedata.combining(base):
        return lowered
    return base if base.isascii() or len(base) == 1 else lowered


def fold(text: str) -> str:
    """Lower-case and strip accents, one character for one: offsets stay valid for the original."""
    return "".join(_fold_char(char) for char in text)


def _squeeze_run(match: re.Match[str]) -> str:
    letter = match.group(1)
    return letter * 2 if letter in _DOUBLE_OK else letter


def _squeeze_all(token: str) -> str:
    return _RUN.sub(lambda m: m.group(1), token)


def _token(token: str) -> str:
    token = _RUN.sub(_squeeze_run, token)
    if token not in _KNOWN:
        squeezed = _squeeze_all(token)
        if squeezed in _KNOWN:
            token = squeezed
    return ABBREVIATIONS.get(token, token)


def _replace_emoji(text: str) -> str:
    for emoji, word in EMOJI_WORDS.items():
        if emoji in text:
            text = text.replace(emoji, f" {word} ")
    return _KEYCAP.sub("", text)


def normalise(text: str) -> str:
    """Return the pt-BR chat text folded for matching.

    Lower-case, accents stripped, letter runs squeezed ("oiii" -> "oi"), chat abbreviations
    expanded ("vc" -> "voce", "qro" -> "quero"), yes/no emoji turned into words, punctuation
    dropped except inside numbers, e-mails and phone numbers ("12/03", "15:30", "2,5").
    """
    return _normalise_short(text) if len(text) <= _CACHED_LENGTH else _normalise(text)


@lru_cache(maxsize=8192)
def _normalise_short(text: str) -> str:
    return _normalise(text)


def _normalise(text: str) -> str:
    text = _replace_emoji(unicodedata.normalize("NFKC", text))
    text = _NOT_WORD.sub(" ", _PARA.sub("para ", fold(text)))
    tokens = [_token(token) for token in _SPACES.split(text) if token]
    return " ".join(_negation(tokens, at) for at in range(len(tokens)))


_SHORT_NOT = frozenset({"n", "nn"})


def _negation(tokens: list[str], at: int) -> str:
    """ "n" (or "nn") before a word is "não" ("n vou poder ir"); alone, or before a number ("n 2"), it stays."""
    token = tokens[at]
    if token in _SHORT_NOT and at + 1 < len(tokens) and tokens[at + 1][:1].isalpha():
        return "nao"
    return token
