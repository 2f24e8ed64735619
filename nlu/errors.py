"""Errors raised by the nlu package; their root `NluError` is a `flows.errors.PapoError`.

NluError
 ├── NaiveDatetime       a date/time function got a `now` without a timezone
 ├── TrainingDataError   a training file cannot be read (bad YAML/JSON/Markdown, bad annotation)
 ├── ClassifierError     the classifier cannot be trained (e.g. fewer than two intents)
 ├── ConfigError         an NLU setting has a value papo cannot use
 ├── RasaUnavailable     a Rasa server gave no parse and there is no embedded NLU to fall back on
 └── ActionServerError   a rasa-sdk action server refused or failed to run an action
      ├── ActionRejected       400: the action rejected itself (re-ask the step)
      ├── ActionNotFound       404: the server does not know the action
      ├── DomainMissing        449: the server needs the full domain
      └── ActionServerUnavailable  500, network trouble or timeout
"""

from __future__ import annotations

from flows.errors import PapoError


class NluError(PapoError):
    """Root of every error raised by `nlu`."""


class NaiveDatetime(NluError, ValueError):
    """`now` has no timezone; dates are read in the bot's zone, so it must be aware."""


class TrainingDataError(NluError):
    """Training data cannot be read; the message names the file, the place and the fix."""


class ClassifierError(NluError):
    """The intent classifier cannot be trained or used."""


class ConfigError(NluError):
    """An NLU setting has a value papo cannot use."""


class RasaUnavailable(NluError):
    """The Rasa server gave no usable parse and there is no embedded NLU to fall back on."""


class ActionServerError(NluError):
    """A rasa-sdk action server did not run the action."""

    def __init__(self, message: str, *, action: str, status: int | None = None) -> None:
        super().__init__(message)
        self.action = action
        self.status = status


class ActionRejected(ActionServerError):
    """HTTP 400: the action rejected itself; the flow should ask again."""


class ActionNotFound(ActionServerError):
    """HTTP 404: the action server has no action by that name."""


class DomainMissing(ActionServerError):
    """HTTP 449: the action server needs the full domain in the request."""


class ActionServerUnavailable(ActionServerError):
    """HTTP 5xx, a network error or a timeout."""
