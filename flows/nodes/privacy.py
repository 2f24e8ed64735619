"""The `consent` node: asks the patient's consent for one purpose and records the answer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from .base import Edge, Node, Text, next_edge


@dataclass(frozen=True, slots=True)
class ConsentNode(Node):
    """Ask "may we send you <purpose>?" with yes/no buttons; the answer (granted or refused) goes to the
    conversation's consents and the consent ledger with `text_id` and the text's SHA-256 as evidence.
    `next` follows a yes, `on_refuse` (else `next`) a no. `skip_if_answered`: a purpose answered before
    is not asked again."""

    kind: ClassVar[str] = "consent"
    waits: ClassVar[bool] = True
    purpose: str = "marketing"
    text: Text = ""
    text_id: str = ""
    yes: Text | None = None
    no: Text | None = None
    next: str | None = None
    on_refuse: str | None = None
    skip_if_answered: bool = True

    @classmethod
    def from_json(cls, node_id: str, data: Mapping[str, Any]) -> ConsentNode:
        return cls(node_id, data.get("purpose", "marketing"), data["text"], data.get("text_id", node_id),
                   data.get("yes"), data.get("no"), data.get("next"), data.get("on_refuse"),
                   bool(data.get("skip_if_answered", True)))

    def edges(self) -> list[Edge]:
        return next_edge(self.next, "granted") + next_edge(self.on_refuse, "refused", "/on_refuse")

    def texts(self) -> list[tuple[str, Text]]:
        found: list[tuple[str, Text]] = [("/text", self.text)]
        found += [(f"/{name}", value) for name, value in (("yes", self.yes), ("no", self.no)) if value]
        return found
