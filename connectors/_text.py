"""Fitting text into a channel's limits.

The rule: text that fits is never touched. Text that does not fit is cut and always ends with
an ellipsis ("…"), so a cut is never silent. The cut falls after the last whole word when that
keeps at least half of the room; otherwise (one very long word) it falls mid-word, still marked.
A cut never leaves a dangling combining mark, joiner or half of an emoji sequence.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from connectors.constants import ELLIPSIS

_JOINERS = frozenset("\u200d\ufe0e\ufe0f")


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def clip(text: str, limit: int, *, size: Callable[[str], int] = len) -> str:
    """`text` unchanged when `size(text) <= limit`, else cut to fit and ended with "…"."""
    if size(text) <= limit:
        return text
    room = limit - size(ELLIPSIS)
    if room <= 0:
        return ""
    keep = _prefix_fitting(text, room, size)
    cut = text[:keep]
    if not text[keep].isspace():  # the cut falls inside a word: back up to its start
        space = max(cut.rfind(" "), cut.rfind("\n"), cut.rfind("\t"))
        if space >= keep // 2 and space > 0:
            cut = cut[:space]
    return _tidy_end(cut) + ELLIPSIS


def clipped(text: str, limit: int, *, size: Callable[[str], int] = len) -> tuple[str, bool]:
    """Like `clip`, also telling whether the text was cut."""
    out = clip(text, limit, size=size)
    return out, out != text


def _prefix_fitting(text: str, room: int, size: Callable[[str], int]) -> int:
    if size is len:
        return room
    low, high = 0, len(text)
    while low < high:  # the longest prefix whose size fits in `room`
        mid = (low + high + 1) // 2
        if size(text[:mid]) <= room:
            low = mid
        else:
            high = mid - 1
    return low


def _tidy_end(cut: str) -> str:
    while cut and (unicodedata.combining(cut[-1]) or cut[-1] in _JOINERS):
        cut = cut[:-1]
    if len(cut) >= 2 and cut[-2] == "\u200d":  # an emoji sequence cut after its joiner
        cut = cut[:-2]
    return cut.rstrip()
