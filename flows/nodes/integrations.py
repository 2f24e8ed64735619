"""The `http` node: calls another system (a CRM, a workflow tool) and maps its answer into variables."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .base import Edge, Node, next_edge

IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE"})  # methods a failed call may repeat


@dataclass(frozen=True, slots=True)
class HttpNode(Node):
    """`method` `url` with `headers` and a JSON `body`; strings in them are templates, and `${ENV}` in the
    url's start and in headers is read from the environment when the call is made (never stored). The
    answer's JSON goes into variables by `response` (variable -> a JSON pointer such as /paciente/nome, or
    a dotted path such as paciente.nome). Variables tagged pii or sensitive (and `user`) are sent only
    when `send_sensitive` names them; elsewhere they are sent as [redacted]. `next` after a 2xx answer,
    `on_timeout` when none came in `timeout` seconds, `on_error` otherwise (each falls back to the next)."""

    kind: ClassVar[str] = "http"
    method: str = "GET"
    url: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    timeout: float | None = None  # None: bot.json http.timeout
    retries: int = 2  # for idempotent methods only
    response: Mapping[str, str] = field(default_factory=dict)
    status_var: str | None = None
    send_sensitive: tuple[str, ...] = ()
    next: str | None = None
    on_error: str | None = None
    on_timeout: str | None = None

    @classmethod
    def from_json(cls, node_id: str, data: Mapping[str, Any]) -> HttpNode:
        return cls(node_id, str(data.get("method", "GET")).upper(), data["url"], dict(data.get("headers", {})),
                   data.get("body"), data.get("timeout"), int(data.get("retries", 2)), dict(data.get("response", {})),
                   data.get("status_var"), tuple(data.get("send_sensitive", ())), data.get("next"),
                   data.get("on_error"), data.get("on_timeout"))

    @property
    def attempts(self) -> int:
        """How many times the call is made at most: retries only for an idempotent method."""
        return 1 + (max(self.retries, 0) if self.method in IDEMPOTENT else 0)

    def edges(self) -> list[Edge]:
        return (next_edge(self.next) + next_edge(self.on_error, "error", "/on_error")
                + next_edge(self.on_timeout, "timeout", "/on_timeout"))

    def templates(self) -> list[tuple[str, str]]:
        found = [("/url", self.url)] + [(f"/headers/{name}", value) for name, value in self.headers.items()]
        return found + list(body_strings(self.body, "/body"))

    def writes(self) -> list[str]:
        return [*self.response, *([self.status_var] if self.status_var else [])]


def body_strings(value: Any, pointer: str) -> Iterator[tuple[str, str]]:
    """Every string of a JSON body template, with its pointer."""
    if isinstance(value, str):
        yield pointer, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from body_strings(item, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from body_strings(item, f"{pointer}/{i}")
