"""The node kinds of the flow language. `KINDS` is the one list of them: a new kind is a dataclass
in one of these modules, one line here, and its entry in `schema/flow.schema.json`. A kind of your
own, outside papo, goes in `node_kinds.with_kinds(...)` with its `json_schema` (docs/extending.md)."""

from __future__ import annotations

from .assist import AssistNode, FaqNode, LlmNode
from .base import Edge, MediaRef, Node, NodeKinds, Option, TemplateRef, Text, Timeout
from .core import AskNode, BranchNode, CallNode, Case, EndNode, GotoNode, HandoffNode, SendNode, SetNode
from .integrations import HttpNode
from .privacy import ConsentNode
from .scheduling import (
    AppointmentNode,
    BookNode,
    CancelNode,
    ConfirmNode,
    MyAppointmentsNode,
    RemindNode,
    RescheduleNode,
)

KINDS: tuple[type[Node], ...] = (
    SendNode, AskNode, BranchNode, SetNode, GotoNode, CallNode, HandoffNode, EndNode,
    FaqNode, LlmNode,
    BookNode, RescheduleNode, CancelNode, ConfirmNode, MyAppointmentsNode, RemindNode,
    ConsentNode,
    HttpNode,
)

node_kinds = NodeKinds(KINDS)

__all__ = [
    "KINDS", "AppointmentNode", "AskNode", "AssistNode", "BookNode", "BranchNode", "CallNode", "CancelNode", "Case",
    "ConfirmNode", "ConsentNode", "Edge", "EndNode", "FaqNode", "GotoNode", "HandoffNode", "HttpNode", "LlmNode",
    "MediaRef", "MyAppointmentsNode", "Node", "NodeKinds", "Option", "RemindNode", "RescheduleNode", "SendNode",
    "SetNode", "TemplateRef", "Text", "Timeout", "node_kinds",
]
