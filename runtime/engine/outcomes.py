"""What a node handler returns: where the turn goes next."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Go:
    target: str | None  # None: the flow ends here


@dataclass(frozen=True, slots=True)
class Wait:
    kind: str = "input"


@dataclass(frozen=True, slots=True)
class Jump:
    flow: str


@dataclass(frozen=True, slots=True)
class Call:
    flow: str
    then: str | None


@dataclass(frozen=True, slots=True)
class Done:
    """The handler already ran what follows (a flow it started in passing): nothing more to do."""


Outcome = Go | Wait | Jump | Call | Done
