"""Node kinds that answer from the bot's knowledge: `faq` (retrieval over faq.json, no model)
and `llm` (the language-model fallback, limited to a closed set of commands). Their handlers
live in `runtime.nodes.assist`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from .base import Edge, Node, Text


@dataclass(frozen=True, slots=True)
class AssistNode(Node):
    """Answers the message it is entered with; with `text`, asks first and answers the reply."""

    waits: ClassVar[bool] = True
    text: Text | None = None
    next: str | None = None
    on_miss: str | None = None

    def edges(self) -> list[Edge]:
        out = [Edge("/next", self.next, "next")] if self.next else []
        return out + ([Edge("/on_miss", self.on_miss, "miss")] if self.on_miss else [])

    def texts(self) -> list[tuple[str, Text]]:
        return [("/text", self.text)] if self.text else []


@dataclass(frozen=True, slots=True)
class FaqNode(AssistNode):
    kind: ClassVar[str] = "faq"
    topics: tuple[str, ...] = ()  # only entries with one of these tags; empty: all

    @classmethod
    def from_json(cls, node_id: str, data: Mapping[str, Any]) -> FaqNode:
        return cls(node_id, data.get("text"), data.get("next"), data.get("on_miss"), tuple(data.get("topics", ())))


@dataclass(frozen=True, slots=True)
class LlmNode(AssistNode):
    kind: ClassVar[str] = "llm"
    @classmethod
    def from_json(cls, node_id: str, data: Mapping[str, Any]) -> LlmNode:
        return cls(node_id, data.get("text"), data.get("next"), data.get("on_miss"))
