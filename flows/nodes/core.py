"""The core node kinds: send, ask, branch, set, goto, call, handoff, end."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .base import (
    Edge,
    MediaRef,
    Node,
    Option,
    TemplateRef,
    Text,
    Timeout,
    next_edge,
    option_parts,
    options_from,
    template_from,
)


@dataclass(frozen=True, slots=True)
class SendNode(Node):
    kind: ClassVar[str] = "send"
    text: Text | None = None
    media: MediaRef | None = None
    template: TemplateRef | None = None
    options: tuple[Option, ...] = ()
    options_style: str = "auto"
    list_button: Text | None = None
    next: str | None = None

    @classmethod
    def from_json(cls, node_id: str, data: Mapping[str, Any]) -> SendNode:
        media = data.get("media")
        return cls(node_id, data.get("text"), MediaRef(**media) if media else None, template_from(data.get("template")),
                   options_from(data), data.get("options_style", "auto"), data.get("list_button"), data.get("next"))

    def templates(self) -> list[tuple[str, str]]:
        if self.template is None:
            return []
        return [(f"/template/params/{i}", p) for i, p in enumerate(self.template.params)]

    def edges(self) -> list[Edge]:
        return next_edge(self.next) + option_parts(self.options)[0]

    def texts(self) -> list[tuple[str, Text]]:
        out: list[tuple[str, Text]] = [("/text", self.text)] if self.text else []
        if self.media is not None and self.media.caption:
            out.append(("/media/caption", self.media.caption))
        if self.list_button:
            out.append(("/list_button", self.list_button))
        return out + option_parts(self.options)[1]


@dataclass(frozen=True, slots=True)
class AskNode(Node):
    kind: ClassVar[str] = "ask"
    waits: ClassVar[bool] = True
    var: str = ""
    text: Text = ""
    input: str = "text"
    options: tuple[Option, ...] = ()
    options_style: str = "auto"
    list_button: Text | None = None
    pattern: str | None = None
    min: float | None = None
    max: float | None = None
    retries: int = 2
    reprompt: Text | None = None
    on_invalid: str | None = None
    skip_if: str | None = None
    tags: tuple[str, ...] = ()
    next: str | None = None
    timeouts: tuple[Timeout, ...] = ()
    template: TemplateRef | None = None
    when: str | None = None  # date/datetime input: "past" (a birth date) or "future" (an appointment)

    @classmethod
    def from_json(cls, node_id: str, data: Mapping[str, Any]) -> AskNode:
        return cls(
            node_id, data["var"], data["text"], data["input"], options_from(data),
            data.get("options_style", "auto"), data.get("list_button"), data.get("pattern"),
            data.get("min"), data.get("max"), data.get("retries", 2), data.get("reprompt"),
            data.get("on_invalid"), data.get("skip_if"), tuple(data.get("tags", ())), data.get("next"),
            tuple(Timeout.from_json(t) for t in data.get("timeouts", ())), template_from(data.get("template")),
            data.get("when"),
        )

    def edges(self) -> list[Edge]:
        return (next_edge(self.next) + option_parts(self.options)[0]
                + next_edge(self.on_invalid, "invalid", "/on_invalid")
                + [Edge(f"/timeouts/{i}/next", t.next, f"after {t.after}") for i, t in enumerate(self.timeouts)
                   if t.next])

    def texts(self) -> list[tuple[str, Text]]:
        out: list[tuple[str, Text]] = [("/text", self.text)]
        if self.reprompt:
            out.append(("/reprompt", self.reprompt))
        if self.list_button:
            out.append(("/list_button", self.list_button))
        out += [(f"/timeouts/{i}/text", t.text) for i, t in enumerate(self.timeouts) if t.text]
        return out + option_parts(self.options)[1]

    def templates(self) -> list[tuple[str, str]]:
        if self.template is None:
            return []
        return [(f"/template/params/{i}", p) for i, p in enumerate(self.template.params)]

    def expressions(self) -> list[tuple[str, str]]:
        return [("/skip_if", self.skip_if)] if self.skip_if else []

    def writes(self) -> list[str]:
        return [self.var]


@dataclass(frozen=True, slots=True)
class Case:
    condition: str
    next: str


@dataclass(frozen=True, slots=True)
class BranchNode(Node):
    kind: ClassVar[str] = "branch"
    cases: tuple[Case, ...] = ()
    default: str = ""

    @classmethod
    def from_json(cls, node_id: str, data: Mapping[str, Any]) -> BranchNode:
        return cls(node_id, tuple(Case(c["if"], c["next"]) for c in data["cases"]), data["default"])

    def edges(self) -> list[Edge]:
        out = [Edge(f"/cases/{i}/next", c.next, c.condition) for i, c in enumerate(self.cases)]
        return out + [Edge("/default", self.default, "default")]

    def expressions(self) -> list[tuple[str, str]]:
        return [(f"/cases/{i}/if", c.condition) for i, c in enumerate(self.cases)]


@dataclass(frozen=True, slots=True)
class SetNode(Node):
    kind: ClassVar[str] = "set"
    vars: Mapping[str, Any] = field(default_factory=dict)
    next: str | None = None

    @classmethod
    def from_json(cls, node_id: str, data: Mapping[str, Any]) -> SetNode:
        return cls(node_id, dict(data["vars"]), data.get("next"))

    def edges(self) -> list[Edge]:
        return next_edge(self.next)

    def expressions(self) -> list[tuple[str, str]]:
        return [(f"/vars/{k}/expr", v["expr"]) for k, v in self.vars.items() if isinstance(v, dict) and "expr" in v]

    def templates(self) -> list[tuple[str, str]]:
        return [(f"/vars/{k}", v) for k, v in self.vars.items() if isinstance(v, str)]

    def writes(self) -> list[str]:
        return [name for name in self.vars if name != "locale"]  # `locale` is the conversation's language


@dataclass(frozen=True, slots=True)
class GotoNode(Node):
    kind: ClassVar[str] = "goto"
    node: str | None = None
    flow: str | None = None

    @classmethod
    def from_json(cls, node_id: str, data: Mapping[str, Any]) -> GotoNode:
        return cls(node_id, data.get("node"), data.get("flow"))

    def edges(self) -> list[Edge]:
        return next_edge(self.node, "goto", "/node")

    def flow_refs(self) -> list[tuple[str, str]]:
        return [("/flow", self.flow)] if self.flow else []


@dataclass(frozen=True, slots=True)
class CallNode(Node):
    kind: ClassVar[str] = "call"
    flow: str = ""
    next: str | None = None

    @classmethod
    def from_json(cls, node_id: str, data: Mapping[str, Any]) -> CallNode:
        return cls(node_id, data["flow"], data.get("next"))

    def edges(self) -> list[Edge]:
        return next_edge(self.next, "return")

    def flow_refs(self) -> list[tuple[str, str]]:
        return [("/flow", self.flow)]


@dataclass(frozen=True, slots=True)
class HandoffNode(Node):
    kind: ClassVar[str] = "handoff"
    waits: ClassVar[bool] = True
    text: Text | None = None
    queue: str = ""
    next: str | None = None
    resume_after: str | None = None
    resume_keywords: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, node_id: str, data: Mapping[str, Any]) -> HandoffNode:
        return cls(node_id, data.get("text"), data.get("queue", ""), data.get("next"), data.get("resume_after"),
                   tuple(data.get("resume_keywords", ())))

    def edges(self) -> list[Edge]:
        return next_edge(self.next, "resumed")

    def texts(self) -> list[tuple[str, Text]]:
        return [("/text", self.text)] if self.text else []


@dataclass(frozen=True, slots=True)
class EndNode(Node):
    kind: ClassVar[str] = "end"
    text: Text | None = None
    outcome: str = ""

    @classmethod
    def from_json(cls, node_id: str, data: Mapping[str, Any]) -> EndNode:
        return cls(node_id, data.get("text"), data.get("outcome", ""))

    def texts(self) -> list[tuple[str, Text]]:
        return [("/text", self.text)] if self.text else []
