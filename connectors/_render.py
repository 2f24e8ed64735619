"""Rendering helpers every channel shares: clipping with a note, option checks, numbered text."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from connectors._text import clipped
from connectors.errors import InvalidMessage
from flows.messages import Option


class Notes:
    """The adjustments made while rendering one message (never its text or recipient)."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, note: str) -> None:
        self.items.append(note)

    def fit(self, value: str, limit: int, what: str, *, size: Callable[[str], int] = len) -> str:
        out, cut = clipped(value, limit, size=size)
        if cut:
            unit = "characters" if size is len else "bytes"
            self.add(f"{what} clipped to {limit} {unit}")
        return out


def check_ids(message_id: str, options: Sequence[Option], limit: int, what: str) -> None:
    """Option ids come back as the user's answer, so they are never clipped: refuse bad ones."""
    for k, option in enumerate(options):
        if not option.id:
            raise InvalidMessage(f"message {message_id!r}: option {k} has an empty id; give every option an id")
        if len(option.id) > limit:
            raise InvalidMessage(
                f"message {message_id!r}: option id {option.id[:40]!r}... is {len(option.id)} characters; "
                f"{what} ids may have at most {limit}: shorten it in the flow"
            )
        if not option.title.strip():
            raise InvalidMessage(f"message {message_id!r}: option {option.id!r} has no title; give it one")


def titles_unique(titles: Sequence[str]) -> bool:
    folded = [t.strip().casefold() for t in titles]
    return len(set(folded)) == len(folded)


def numbered(
    body: str, options: Sequence[Option], limit: int, notes: Notes, *, size: Callable[[str], int] = len
) -> str:
    """The body followed by "1. title" lines (users answer with the number or the title)."""
    block = "\n".join(
        f"{i}. {o.title}" + (f" ({o.description})" if o.description else "") for i, o in enumerate(options, 1)
    )
    if not body:
        return notes.fit(block, limit, "numbered options", size=size)
    room = limit - size(block) - size("\n\n")
    if room < min(size(body), 40):
        return notes.fit(f"{body}\n\n{block}", limit, "text with numbered options", size=size)
    return f"{notes.fit(body, room, 'text', size=size)}\n\n{block}"
