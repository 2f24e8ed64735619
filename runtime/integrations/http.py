"""The port an `http` node calls through: a request whose secret parts are still `${ENV}` references,
and the answer or one of three failures. `runtime.integrations.http_client.HttpClient` is papo's
implementation (aiohttp); the node handler never sees a secret or a socket.

    HttpError
     +-- HostNotAllowed   the url's host is not on bot.json http.allow_hosts (or its ${ENV} is unset)
     +-- HttpTimedOut     no answer within the timeout, after the retries
     +-- HttpFailed       a 4xx or 5xx answer, or a network error, after the retries
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from flows.errors import PapoError
from flows.integrations import ENV_REF

# A string built from literal text and environment references: (False, text) or (True, NAME). The node
# renders only the literal parts, so a variable's value can never name an environment variable.
Parts = tuple[tuple[bool, str], ...]


@dataclass(frozen=True, slots=True)
class HttpRequest:
    method: str
    url: Parts
    headers: Mapping[str, Parts] = field(default_factory=dict)
    body: Any = None  # JSON, already rendered; None: no body
    timeout: float = 5.0
    attempts: int = 1


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    status: int
    data: Any  # the JSON answer, or its text when it is not JSON, or None when empty


class HttpError(PapoError):
    status: int | None = None


class HostNotAllowed(HttpError):
    pass


class HttpTimedOut(HttpError):
    pass


class HttpFailed(HttpError):
    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


Sending = Callable[[], Awaitable[None]]  # told once, when the request is about to leave (the typing indicator)


class HttpCaller(Protocol):
    async def call(self, request: HttpRequest, *, sending: Sending | None = None) -> HttpAnswer:
        """The 2xx answer; raises HostNotAllowed (before `sending`), HttpTimedOut or HttpFailed."""
        ...

    async def aclose(self) -> None: ...


def env_parts(source: str) -> Parts:
    """`source` split into literal text and ${ENV} references, in order."""
    parts: list[tuple[bool, str]] = []
    last = 0
    for match in ENV_REF.finditer(source):
        if match.start() > last:
            parts.append((False, source[last:match.start()]))
        parts.append((True, match.group(1)))
        last = match.end()
    if last < len(source):
        parts.append((False, source[last:]))
    return tuple(parts)
