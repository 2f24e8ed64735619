"""Gathering the outcome of one webhook body, item by item, so one bad item spoils nothing else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from connectors.base import Parsed, SkipKind, Skipped
from connectors.errors import BadPayload
from flows.messages import DeliveryStatus, InboundEvent

T = TypeVar("T")
P = ParamSpec("P")


class Collector:
    def __init__(self) -> None:
        self.events: list[InboundEvent] = []
        self.statuses: list[DeliveryStatus] = []
        self.skipped: list[Skipped] = []

    def skip(self, kind: SkipKind, reason: str, where: str, **details: Any) -> None:
        self.skipped.append(Skipped(kind, reason, where, **details))

    def add(self, item: InboundEvent | DeliveryStatus | Skipped | None) -> None:
        if isinstance(item, InboundEvent):
            self.events.append(item)
        elif isinstance(item, DeliveryStatus):
            self.statuses.append(item)
        elif isinstance(item, Skipped):
            self.skipped.append(item)

    def guard(self, where: str, read: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | None:
        """`read(...)`, or None with the item recorded as malformed when it raises `BadPayload`."""
        try:
            return read(*args, **kwargs)
        except BadPayload as exc:
            self.skip("malformed", str(exc), where)
            return None

    def result(self) -> Parsed:
        return Parsed(tuple(self.events), tuple(self.statuses), tuple(self.skipped))
