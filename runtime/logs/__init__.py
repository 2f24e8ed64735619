"""How papo logs: a timestamp on every line, as text or as one JSON object per line.

`PAPO_LOG_FORMAT=json` writes `{"time", "level", "logger", "message", "role", "conv", "trace"}`:
`conv` is the conversation's pseudonymous name (`bot/channel/<10 hex digits>`, never the user id)
and `trace` a hash of the inbound event's id, both set for the lines written while a turn or a send
of that conversation runs (`bound`). Messages at INFO never carry a phone number or a message body;
the code that logs is written that way, and a test reads a turn's JSON log for them.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
import logging
import sys
import time
from collections.abc import Iterator
from typing import Literal, TextIO

__all__ = ["FORMATS", "Format", "JsonFormatter", "bound", "configure", "set_trace", "trace_of"]

Format = Literal["text", "json"]
FORMATS: tuple[Format, ...] = ("text", "json")
TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_conv: contextvars.ContextVar[str] = contextvars.ContextVar("papo_conv", default="")
_trace: contextvars.ContextVar[str] = contextvars.ContextVar("papo_trace", default="")


def trace_of(event_id: str) -> str:
    """A short hash of an inbound event's id: the same for every line about that message, in every process
    (a reply's id starts with its event's id), and it reveals nothing (a WhatsApp message id encodes the
    sender's number)."""
    return hashlib.sha256(event_id.split(":", 1)[0].encode()).hexdigest()[:12]


@contextlib.contextmanager
def bound(conv: str, event_id: str = "") -> Iterator[None]:
    """Lines logged inside carry `conv` (a conversation's ref) and the trace of `event_id`."""
    conv_token = _conv.set(conv)
    trace_token = _trace.set(trace_of(event_id) if event_id else "")
    try:
        yield
    finally:
        _conv.reset(conv_token)
        _trace.reset(trace_token)


def set_trace(event_id: str) -> None:
    """From here on (until the enclosing `bound` ends), lines carry the trace of `event_id`."""
    _trace.set(trace_of(event_id))


class _Context(logging.Filter):
    def __init__(self, role: str) -> None:
        super().__init__()
        self.role = role

    def filter(self, record: logging.LogRecord) -> bool:
        record.role = self.role
        record.conv = _conv.get()
        record.trace = _trace.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line; the time in UTC, to the millisecond."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"
        data = {"time": stamp, "level": record.levelname, "logger": record.name, "message": record.getMessage(),
                "role": getattr(record, "role", ""), "conv": getattr(record, "conv", ""),
                "trace": getattr(record, "trace", "")}
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is when a line is logged (a test may swap it and close the old one)."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


def configure(level: str, fmt: Format = "text", *, role: str = "") -> None:
    """Set up the root logger for the process: stderr, `level`, a timestamp on every line. Called again,
    it replaces its own handler and leaves any other (a test runner's) in place."""
    handler = _Stderr()
    handler.addFilter(_Context(role))
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        formatter = logging.Formatter(TEXT)
        formatter.converter = time.gmtime
        formatter.default_msec_format = "%s.%03dZ"
        handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Stderr)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(getattr(logging, level))
