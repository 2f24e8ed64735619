"""A JSON reader that remembers where each value sits, so errors can name line and column.

`load_with_positions(text)` returns the decoded value and a map from RFC 6901 pointer to the
(line, column) of that value (1-based). Duplicate object keys, which `json.loads` silently
collapses, are reported. The decoding itself is the standard library's.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from json.decoder import scanstring
from typing import Any

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}


@dataclass
class Positions:
    """Where every value of a JSON document starts, and which keys were repeated."""

    text: str
    at: dict[str, tuple[int, int]] = field(default_factory=dict)
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
    """Decode `text`; raises `json.JSONDecodeError` exactly as `json.loads` would."""
    json.loads(text)  # the standard library decides validity and gives the usual error
    positions = Positions(text)
    value, end = _value(text, _skip(text, 0), "", positions)
    return value, positions


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
        return scanstring(text, idx + 1)
    for word, literal in _LITERALS.items():
        if text.startswith(word, idx):
            return literal, idx + len(word)
    match = _NUMBER.match(text, idx)
    assert match is not None  # json.loads accepted the text
    number = match.group()
    return (float(number) if any(c in number for c in ".eE") else int(number)), match.end()


def _object(text: str, idx: int, pointer: str, pos: Positions) -> tuple[dict[str, Any], int]:
    out: dict[str, Any] = {}
    idx = _skip(text, idx)
    if text[idx] == "}":
        return out, idx + 1
    while True:
        key_at = idx
        key, idx = scanstring(text, idx + 1)
        child = f"{pointer}/{escape(key)}"
        if key in out:
            pos.duplicates.append(child)
            pos.at[child + "#duplicate"] = pos.line_col(key_at)
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
