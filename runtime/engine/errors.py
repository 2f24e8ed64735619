"""Errors of the runtime.

    PapoError (flows.errors)
     +-- ConfigError          a setting in the environment is wrong
     +-- NaiveDatetime        a datetime without a zone
     +-- StaleVersion         a commit lost the race: the conversation moved on (fencing token)
     +-- FlowVersionMissing   a conversation is pinned to a flow version nobody has any more
     +-- StateFormatUnknown   a conversation's state was written by a newer papo (after a rollback)
     +-- TurnError            a turn could not complete (LoopGuard: too many steps in one turn)
     +-- RetriesExhausted     the channel kept refusing a message with retryable errors; it waits for later
"""

from __future__ import annotations

from flows.errors import PapoError

__all__ = ["ConfigError", "FlowVersionMissing", "LoopGuard", "NaiveDatetime", "PapoError", "RetriesExhausted",
           "StaleVersion", "StateFormatUnknown", "TurnError"]


class ConfigError(PapoError):
    pass


class NaiveDatetime(PapoError, ValueError):
    """A datetime without a zone, where its meaning would be a guess."""


class StaleVersion(PapoError):
    def __init__(self, key: object, *, expected: int, found: int) -> None:
        self.expected, self.found = expected, found
        super().__init__(f"conversation {key} is at version {found}, not {expected}: another worker committed first")


class FlowVersionMissing(PapoError):
    def __init__(self, flow: str, digest: str) -> None:
        self.flow, self.digest = flow, digest
        super().__init__(f"flow {flow!r} version {digest} is not loaded and not in the version archive")


class StateFormatUnknown(PapoError):
    def __init__(self, found: int, known: int) -> None:
        self.found, self.known = found, known
        super().__init__(f"a conversation state is in format {found}, newer than this papo reads ({known}): it was "
                         "written after an upgrade; run the newer release again, or restore the Redis snapshot "
                         "taken before the upgrade (docs/production.md, Upgrades)")


class TurnError(PapoError):
    pass


class LoopGuard(TurnError):
    def __init__(self, flow: str, steps: int) -> None:
        super().__init__(f"flow {flow!r} ran {steps} steps in one turn without waiting for the user; stopped")


class RetriesExhausted(PapoError):
    def __init__(self, message_id: str, attempts: int, last: Exception) -> None:
        self.message_id, self.attempts, self.last = message_id, attempts, last
        super().__init__(f"message {message_id!r} still refused after {attempts} attempts ({type(last).__name__}: "
                         f"{last}); it stays first in the outbox and is tried again later")
