"""Reading raw webhook JSON defensively: every accessor names the JSON pointer that is wrong."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import orjson

from connectors.errors import BadPayload

# Payload timestamps outside these bounds are not real (and would overflow datetime).
_MIN_EPOCH_S = 946_684_800  # 2000-01-01
_MAX_EPOCH_S = 7_258_118_400  # 2200-01-01
# JSON may escape a lone UTF-16 surrogate ("\\ud800"); it decodes to a str that is not text and
# cannot be encoded as UTF-8 (Redis, logs and HTTP replies all would fail on it).
_SURROGATE = re.compile("[\ud800-\udfff]")


def load_object(body: bytes, channel: str) -> dict[str, Any]:
    """The decoded JSON object of a webhook body, or `BadPayload` saying why it is not one."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:  # said again by the standard library, whose messages name the place
        data = None
    try:
        data = json.loads(body) if data is None else data
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, too many digits
        raise BadPayload(f"{channel} webhook body is not valid JSON ({exc}); Meta sends a JSON object") from exc
    except RecursionError as exc:
        raise BadPayload(f"{channel} webhook body nests too deeply to be a webhook payload") from exc
    if not isinstance(data, dict):
        raise BadPayload(f"{channel} webhook body is JSON {_kind(data)}, expected an object with 'entry'")
    return data


def obj(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadPayload(f"{where}: expected an object, got {_kind(value)}")
    return value


def arr(value: Any, where: str, *, missing_ok: bool = True) -> list[Any]:
    """A JSON array; a missing (None) value is an empty array unless `missing_ok` is false."""
    if value is None and missing_ok:
        return []
    if not isinstance(value, list):
        raise BadPayload(f"{where}: expected an array, got {_kind(value)}")
    return value


def text(value: Any, where: str, *, required: bool = False) -> str:
    """A string (numbers are accepted as their decimal text); missing is "" unless required."""
    if value is None and not required:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadPayload(f"{where}: expected a string, got {_kind(value)}")
    out = str(value)
    if required and not out:
        raise BadPayload(f"{where}: must not be empty")
    return utf8(out, where)


def utf8(value: str, where: str) -> str:
    """`value` when it is text, i.e. holds no lone UTF-16 surrogate; else `BadPayload`."""
    if not value.isascii() and (bad := _SURROGATE.search(value)) is not None:
        raise BadPayload(f"{where}: holds a lone UTF-16 surrogate ({ascii(bad.group())}), which is not text; "
                         "send UTF-8 text")
    return value


def number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise BadPayload(f"{where}: expected a number, got {_kind(value)}")
    try:
        return float(value)
    except (ValueError, OverflowError) as exc:
        raise BadPayload(f"{where}: expected a number, got {value!r:.40}") from exc


def epoch(value: Any, where: str, *, millis: bool) -> datetime:
    """A unix timestamp (seconds, or milliseconds when `millis`) as an aware UTC datetime.

    With `millis`, a value too small to be milliseconds since 2000 is read as seconds: some
    Instagram test events send seconds where real ones send milliseconds.
    """
    raw = number(value, where)
    seconds = raw / 1000 if millis and abs(raw) >= _MIN_EPOCH_S * 100 else raw
    if not _MIN_EPOCH_S <= seconds <= _MAX_EPOCH_S:
        unit = "milliseconds" if millis else "seconds"
        raise BadPayload(f"{where}: {value!r:.40} is not a plausible unix time in {unit}")
    return datetime.fromtimestamp(seconds, UTC)


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")
