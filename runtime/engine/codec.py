"""JSON for what a turn reads and writes (its state, its events, its replies, its transcript lines):
orjson, several times faster than the standard library on the message path, and UTF-8 as it is. A
value orjson refuses (an integer past 64 bits) is written by the standard library instead, so
nothing the standard library wrote before fails now; both read each other's documents."""

from __future__ import annotations

import json
from typing import Any

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS  # {1: ...} written {"1": ...}, as the standard library does


def dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value, option=_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError is one
        return json.dumps(value, ensure_ascii=False).encode()


def dumps_text(value: Any) -> str:
    return dumps(value).decode()


loads = orjson.loads  # raises orjson.JSONDecodeError, a json.JSONDecodeError (a ValueError)
