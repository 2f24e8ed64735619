"""Errors of the timer queue.

    TimerError
     ├── TimerEncodingError   a payload that JSON cannot carry, an empty id
     ├── TimerConfigError     a queue option out of range
     └── RetryLater           raised by a handler: not done yet, claim the timer again later
(NaiveDatetime, a datetime without a zone, is the runtime's own.)
"""

from __future__ import annotations

from flows.errors import PapoError
from runtime.engine.errors import NaiveDatetime

__all__ = ["NaiveDatetime", "RetryLater", "TimerConfigError", "TimerEncodingError", "TimerError"]


class TimerError(PapoError):
    """Root of every error raised by `runtime.timers`."""


class TimerEncodingError(TimerError):
    pass


class TimerConfigError(TimerError, ValueError):
    pass


class RetryLater(TimerError):
    """A handler's clean "not yet": the timer is claimed again after the dispatcher's `retry_after`,
    logged in one line, without a traceback."""
