"""Node kinds for appointments and reminders: `book`, `reschedule`, `cancel`, `confirm`,
`my_appointments` and `remind`. Their handlers live in `runtime.nodes` (booking,
appointments, reminders).

Every text they say has a default in the conversation's language (`runtime/locales/`) and can be
replaced per node in `texts` (`{"texts": {"none": "Agenda cheia nesta semana 😕"}}`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .base import Edge, Node, Text

TEXT_NAMES = frozenset({"service", "professional", "when", "date", "time", "items", "wrong"})


def _edges(node: Any, *names: str) -> list[Edge]:
    return [Edge(f"/{name}", target, name) for name in names if (target := getattr(node, name))]


@dataclass(frozen=True, slots=True)
class AppointmentNode(Node):
    """What every scheduling node has: the appointment variable, texts, and its edges."""

    var: str = "appointment"
    wording: Mapping[str, Text] = field(default_factory=dict)
    next: str | None = None
    on_none: str | None = None
    on_error: str | None = None

    @staticmethod
    def common(data: Mapping[str, Any], var: str = "appointment") -> dict[str, Any]:
        return {"var": data.get("var", var), "wording": dict(data.get("texts", {})), "next": data.get("next"),
                "on_none": data.get("on_none"), "on_error": data.get("on_error")}

    def edges(self) -> list[Edge]:
        return _edges(self, "next", "on_none", "on_error")

    def texts(self) -> list[tuple[str, Text]]:
        return [(f"/texts/{key}", text) for key, text in self.wording.items()]

    def writes(self) -> list[str]:
        return [self.var]

    def text_names(self) -> frozenset[str]:
        return TEXT_NAMES


@dataclass(frozen=True, slots=True)
class BookNode(AppointmentNode):
    kind: ClassVar[str] = "book"
    waits: ClassVar[bool] = True
    service: str = ""
    professional: str | None = None
    period: str | None = None
    limit: int = 5
    preference: str | None = None  # a template read for a day or period; default: the message itself
    patient_name: str | None = None  # a template for the name the calendar keeps; default: no name

    @classmethod
    def from_json(cls, node_id: str, data: Mapping[str, Any]) -> BookNode:
        return cls(node_id, **cls.common(data), service=data["service"], professional=data.get("professional"),
                   period=data.get("period"), limit=data.get("limit", 5), preference=data.get("preference"),
                   patient_name=data.get("patient_name"))

    def templates(self) -> list[tuple[str, str]]:
        found = [("/preference", self.preference), ("/patient_name", self.patient_name)]
        return [(where, template) for where, template in found if template]


@dataclass(frozen=True, slots=True)
class RescheduleNode(AppointmentNode):
    kind: ClassVar[str] = "reschedule"
    waits: ClassVar[bool] = True
    limit: int = 5

    @classmethod
    def from_json(cls, node_id: str, data: Mapping[str, Any]) -> RescheduleNode:
        return cls(node_id, **cls.common(data), limit=data.get("limit", 5))


@dataclass(frozen=True, slots=True)
class CancelNode(AppointmentNode):
    kind: ClassVar[str] = "cancel"
    waits: ClassVar[bool] = True

    @classmethod
    def from_json(cls, node_id: str, data: Mapping[str, Any]) -> CancelNode:
        return cls(node_id, **cls.common(data))


@dataclass(frozen=True, slots=True)
class ConfirmNode(AppointmentNode):
    kind: ClassVar[str] = "confirm"
    @classmethod
    def from_json(cls, node_id: str, data: Mapping[str, Any]) -> ConfirmNode:
        return cls(node_id, **cls.common(data))


@dataclass(frozen=True, slots=True)
class MyAppointmentsNode(AppointmentNode):
    kind: ClassVar[str] = "my_appointments"
    @classmethod
    def from_json(cls, node_id: str, data: Mapping[str, Any]) -> MyAppointmentsNode:
        return cls(node_id, **cls.common(data, "appointments"))


@dataclass(frozen=True, slots=True)
class RemindNode(Node):
    """Schedules `flow` to start in this conversation at `at` (an expression giving an instant)
    moved by `before`/`after`."""

    kind: ClassVar[str] = "remind"

    at: str = ""
    flow: str = ""
    before: str | None = None
    after: str | None = None
    next: str | None = None
    on_error: str | None = None

    @classmethod
    def from_json(cls, node_id: str, data: Mapping[str, Any]) -> RemindNode:
        return cls(node_id, data["at"], data["flow"], data.get("before"), data.get("after"), data.get("next"),
                   data.get("on_error"))

    def edges(self) -> list[Edge]:
        return _edges(self, "next", "on_error")

    def expressions(self) -> list[tuple[str, str]]:
        return [("/at", self.at)]

    def flow_refs(self) -> list[tuple[str, str]]:
        return [("/flow", self.flow)]
