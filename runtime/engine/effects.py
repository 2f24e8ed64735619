"""Effects a turn asks for besides its state and replies. A turn never applies them: the processor
does, right after the turn's commit, so a turn that is never committed leaves nothing behind."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class TimerRequest:
    """Schedule (or move) the timer `id` to fire at `due` as an event of kind `timer`."""

    id: str
    due: datetime
    kind: str
    payload: dict[str, Any] = field(default_factory=dict)
