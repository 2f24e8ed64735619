"""Durations as bot and flow files write them: `24h`, `30m`, `1h30m`, `7d`."""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text: str) -> timedelta:
    """'24h', '1h30m', '7d' -> timedelta; raises ValueError with the accepted form."""
    parts = re.findall(r"(\d+)([dhms])", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"duration {text!r} is not like 24h, 30m, 1h30m or 7d")
    return timedelta(seconds=sum(int(n) * _UNITS[u] for n, u in parts))
