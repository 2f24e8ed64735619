"""A JSON reader that remembers where each value sits, so errors can name line and column.

`load_with_positions(text)` returns the decoded value and a map from RFC 6901 pointer to the
(line, column) of that value (1-based). Duplicate object keys, which `json.loads` silently
collapses, are reported. The decoding itself is the standard library's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}
_SURROGATE = re.compile("[\ud800-\udfff]")
# The standard library's own string scanner (not in its type stubs): same escapes, same errors.
scanstring: Callable[[str, int], tuple[str, int]] = getattr(json.decoder, "scanstring")  # noqa: B009


@dataclass
class Positions:
    """Where every value of a JSON document starts, and which keys were repeated."""

    text: str
    at: dict[str, tuple[int, int]] = field(default_factory=dict)
    keys: dict[str, tuple[int, int]] = field(default_factory=dict)  # where the key of an object member starts
    duplicates: list[str] = field(default_factory=list)
    _line_starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]

    def line_col(self, offset: int) -> tuple[int, int]:
        lo, hi = 0, len(self._line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - self._line_starts[lo] + 1

    def find(self, pointer: str) -> tuple[int, int] | None:
        """The position of `pointer`, or of its nearest ancestor that exists."""
        while True:
            if pointer in self.at:
                return self.at[pointer]
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def pointer_of(path: Any) -> str:
    return "".join(f"/{escape(str(part))}" for part in path)


def load_with_positions(text: str) -> tuple[Any, Positions]:
    """Decode `text`; raises `json.JSONDecodeError` as `json.loads` would, and also for NaN,
    Infinity and absurdly deep nesting, which `json.loads` accepts or crashes on."""
    positions = Positions(text)
    try:
        json.loads(text)  # the standard library decides validity and gives the usual error
        value, end = _value(text, _skip(text, 0), "", positions)
    except RecursionError:
        raise json.JSONDecodeError("Nested too deeply", text, 0) from None
    return value, positions


def describe_decode_error(exc: json.JSONDecodeError) -> tuple[str, str, int, int]:
    """Plain words for a decoding error: (message, hint, line, column), placed where the fix goes."""
    text, at = exc.doc, exc.pos
    before = len(text[:at].rstrip(" \t\n\r"))  # just past the last token before the error
    here = text[at:at + 1]
    message, hint = _DECODE_ERRORS.get(exc.msg, (exc.msg, _GENERIC_HINT))
    if not text.strip():
        message, hint, at = "the file is empty", "write a JSON object: { ... }", 0
    elif exc.msg.startswith("Expecting") and not text[at:].strip():
        message, hint = "the document ends too early", "close every { and [ with its } or ]"
        at = before
    elif exc.msg.startswith("Expecting") and here and here in "}]" and before and text[before - 1] == ",":
        message, hint = "a comma after the last item", "remove this comma: JSON allows none after the last item"
        at = before - 1
    elif exc.msg == "Expecting ',' delimiter" and before:
        at = before  # the comma goes right after the previous item, often on the line above
    elif exc.msg == "Invalid control character at" and here not in "\r\n":
        message = f"a control character (U+{ord(here):04X}) inside a text"
        hint = "write a tab as \\t, or remove the character"
    line, column = Positions(text).line_col(at)
    return f"not valid JSON: {message}", hint, line, column


_GENERIC_HINT = "look for a missing comma, quote or bracket at or just before this place"
_DECODE_ERRORS = {
    "Expecting ',' delimiter": ("a comma is missing here", "add a comma between the two items"),
    "Expecting ':' delimiter": ("a colon is missing after the property name", 'write "name": value'),
    "Expecting value": ("a value is missing here",
                        "write a text in double quotes, a number, true, false, null, a list or an object"),
    "Expecting property name enclosed in double quotes": ("expected a property name in double quotes",
                                                          'put the name in double quotes: "name"'),
    "Unterminated string starting at": ("this text is never closed", "add the closing double quote"),
    "Invalid control character at": ("this text is not closed before the end of the line",
                                     "add the closing double quote (a line break inside a text is written \\n)"),
    "Extra data": ("there is more after the end of the document", "remove it, or put everything in one { ... }"),
    "Invalid \\escape": ("a backslash that starts no known escape", "write a backslash in a text as \\\\"),
    "Invalid \\uXXXX escape": ("a broken \\u escape", "write \\u and four hex digits, e.g. \\u00e9"),
    "NaN and Infinity are not JSON": ("NaN and Infinity are not JSON numbers", "write a number, or null"),
    "Lone surrogate": ("this text has a \\u escape for half of a character pair",
                       "write the character itself (e.g. 😀), or both halves of the pair (\\ud83d\\ude00)"),
    "Nested too deeply": ("the document is nested too deeply", "flatten it: papo files need only a few levels"),
}


def _skip(text: str, idx: int) -> int:
    match = _WS.match(text, idx)
    return match.end() if match else idx


def _value(text: str, idx: int, pointer: str, pos: Positions) -> tuple[Any, int]:
    pos.at[pointer] = pos.line_col(idx)
    char = text[idx]
    if char == "{":
        return _object(text, idx + 1, pointer, pos)
    if char == "[":
        return _array(text, idx + 1, pointer, pos)
    if char == '"':
        return _string(text, idx)
    for word, literal in _LITERALS.items():
        if text.startswith(word, idx):
            return literal, idx + len(word)
    if text.startswith(("NaN", "Infinity", "-Infinity"), idx):  # json.loads takes them; JSON does not
        raise json.JSONDecodeError("NaN and Infinity are not JSON", text, idx)
    match = _NUMBER.match(text, idx)
    assert match is not None  # json.loads accepted the text
    number = match.group()
    return (float(number) if any(c in number for c in ".eE") else int(number)), match.end()


def _string(text: str, idx: int) -> tuple[str, int]:
    value, end = scanstring(text, idx + 1)
    if _SURROGATE.search(value):  # json.loads takes "\ud800" alone; UTF-8 cannot hold it
        raise json.JSONDecodeError("Lone surrogate", text, idx)
    return value, end


def _object(text: str, idx: int, pointer: str, pos: Positions) -> tuple[dict[str, Any], int]:
    out: dict[str, Any] = {}
    idx = _skip(text, idx)
    if text[idx] == "}":
        return out, idx + 1
    while True:
        key_at = idx
        key, idx = _string(text, idx)
        child = f"{pointer}/{escape(key)}"
        if key in out:
            pos.duplicates.append(child)
            pos.at[child + "#duplicate"] = pos.line_col(key_at)
        else:
            pos.keys[child] = pos.line_col(key_at)
        idx = _skip(text, _skip(text, idx) + 1)  # past ':'
        out[key], idx = _value(text, idx, child, pos)
        idx = _skip(text, idx)
        if text[idx] == "}":
            return out, idx + 1
        idx = _skip(text, idx + 1)


def _array(text: str, idx: int, pointer: str, pos: Positions) -> tuple[list[Any], int]:
    out: list[Any] = []
    idx = _skip(text, idx)
    if text[idx] == "]":
        return out, idx + 1
    while True:
        item, idx = _value(text, idx, f"{pointer}/{len(out)}", pos)
        out.append(item)
        idx = _skip(text, idx)
        if text[idx] == "]":
            return out, idx + 1
        idx = _skip(text, idx + 1)
