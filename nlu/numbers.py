"""Numbers in digits ("3", "2,5", "1.500") and in pt-BR words ("três", "vinte e dois")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from text_to_num import text2num

from nlu.lexicon import NUMBER_WORDS
from nlu.text import fold

# At most 15 significant digits: longer runs are codes (card numbers, protocols), not quantities.
_DIGITS = re.compile(r"(?<![\d.,])-?(?:\d{1,3}(?:\.\d{3}){1,4}(?:,\d{1,6})?|\d{1,15}(?:[.,]\d{1,6})?)(?![\d.,]?\d)")
_WORD = re.compile(r"[a-z]+")
_HALF = frozenset({"meio", "meia"})
_ARTICLES = frozenset({"um", "uma"})

Number = int | float

# A count in digits or pt-BR words, for patterns ("3 dias", "vinte e quatro horas", "quarenta e cinco minutos").
COUNT = (
    r"\d{1,3}|(?:vinte|trinta|quarenta|cinquenta|sessenta|setenta|oitenta|noventa)"
    r"(?:\s+e\s+(?:uma?|dois|duas|tres|quatro|cinco|seis|sete|oito|nove))?"
    r"|dezesseis|dezessete|dezoito|dezenove|uma?|duas|dois|tres|quatro|cinco|seis|sete|oito|nove|dez|onze|doze"
    r"|treze|catorze|quatorze|quinze|cem"
)


@dataclass(frozen=True, slots=True)
class NumberSpan:
    start: int
    end: int
    value: Number


def read_digits(raw: str) -> Number:
    """Read a pt-BR numeral: "1.500" -> 1500, "2,5" -> 2.5, "1.5" -> 1.5."""
    if "," in raw:
        raw = raw.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"-?\d{1,3}(?:\.\d{3})+", raw):
        raw = raw.replace(".", "")
    value = float(raw)
    return int(value) if value.is_integer() and "." not in raw else value


def read_words(words: list[str]) -> Number | None:
    """Read a run of number words ("vinte", "e", "dois"); an ending "e meio" adds a half."""
    half = len(words) >= 3 and words[-1] in _HALF and words[-2] == "e"
    if half:
        words = words[:-2]
    try:
        value: Number = text2num(" ".join(words), "pt")
    except ValueError:
        return None
    return value + 0.5 if half else value


def find_numbers(text: str, *, articles: bool = False) -> list[NumberSpan]:
    """Every number in `text` with its span; a lone "um"/"uma" counts only with `articles`."""
    folded = fold(text)
    spans = [NumberSpan(m.start(), m.end(), read_digits(m.group())) for m in _DIGITS.finditer(folded)]
    spans.extend(_word_spans(folded, articles))
    return sorted(spans, key=lambda span: span.start)


def _word_spans(folded: str, articles: bool) -> list[NumberSpan]:
    spans: list[NumberSpan] = []
    run: list[re.Match[str]] = []
    for match in [*_WORD.finditer(folded), None]:
        word = match.group() if match else ""
        joins = bool(run) and word == "e" or bool(run) and run[-1].group() == "e" and word in _HALF
        if match and (word in NUMBER_WORDS or joins):
            run.append(match)
            continue
        span = _close_run(folded, run, articles)
        if span is not None:
            spans.append(span)
        run = [match] if match and word in NUMBER_WORDS else []
    return spans


def _close_run(folded: str, run: list[re.Match[str]], articles: bool) -> NumberSpan | None:
    while run and run[-1].group() == "e":
        run = run[:-1]
    if not run or (len(run) == 1 and run[0].group() in _ARTICLES and not articles):
        return None
    value = read_words([match.group() for match in run])
    return None if value is None else NumberSpan(run[0].start(), run[-1].end(), value)


def parse_number(text: str) -> Number | None:
    """The first number in the text, in digits or words; None when there is none."""
    spans = find_numbers(text, articles=True)
    return spans[0].value if spans else None
