"""The connector seam: what the runtime may ask of a channel, and the registry by channel name."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol, TypeVar

from connectors.errors import UnknownChannel
from flows.messages import DeliveryStatus, InboundEvent, OutboundMessage, Receipt

SkipKind = Literal["echo", "standby", "unknown", "malformed", "error", "field"]


@dataclass(frozen=True, slots=True)
class Skipped:
    """An item of a webhook that produced no event: why, and where in the payload.

    `kind`: `echo` (a message the business sent, e.g. from the Business app or Page Inbox: a
    sign that staff is talking), `standby` (another app owns the thread), `unknown` (an event
    or status papo does not know; a user's message of an unknown type is an `unsupported`
    event instead, so the bot can answer it), `malformed` (a broken item; the rest of the
    batch still counts), `error` (an error Meta reported out of band), `field` (a webhook
    field that carries no message, e.g. a template status update; its value is in `data`).
    `where` is the item's JSON pointer. `user` is the user it concerns, when known.
    """

    kind: SkipKind
    reason: str
    where: str
    id: str = ""
    user: str = ""
    business: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Parsed:
    """Everything in one webhook body. Only `events` may start a turn; never `statuses`."""

    events: tuple[InboundEvent, ...] = ()
    statuses: tuple[DeliveryStatus, ...] = ()
    skipped: tuple[Skipped, ...] = ()


@dataclass(frozen=True, slots=True)
class Rendered:
    """The channel payloads for one outbound message, sent in order, and how it was adapted.

    `adjustments` says in plain words what rendering changed to fit the channel (a clipped
    text, buttons shown as a list...); it never holds message text or recipients.
    """

    payloads: tuple[dict[str, Any], ...]
    adjustments: tuple[str, ...] = ()


class Connector(Protocol):
    """One channel's edge: webhooks in, messages out."""

    channel: ClassVar[str]

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        """Check the webhook signature over the raw body; raises `BadSignature` (answer 401)."""
        ...

    def verify_subscription(self, query: Mapping[str, str]) -> str:
        """The `hub.challenge` to echo as text/plain; raises `BadSubscription` (answer 403)."""
        ...

    def parse(self, body: bytes) -> Parsed:
        """Every event, status and skipped item of a verified body; raises `BadPayload` (answer 400)."""
        ...

    def render(self, message: OutboundMessage, *, to: str) -> Rendered:
        """The channel payloads for `message`; raises `InvalidMessage`. Does no I/O."""
        ...

    async def send(self, message: OutboundMessage, *, to: str) -> Receipt:
        """Render and send every payload; the receipt holds the channel's id of the last one. Raises
        `SendError`, after which the payloads before the failing one may have gone out."""
        ...

    async def send_payload(self, payload: dict[str, Any], *, to: str) -> Receipt:
        """Send one payload of `render(...).payloads`; the receipt holds the channel's id for it. Raises
        `SendError`. A caller that sends payload by payload can resume a message at the one that failed."""
        ...

    async def mark_read(self, *, to: str, message_id: str) -> None:
        """Tell the user their message `message_id` was seen. Raises `SendError`."""
        ...

    async def typing(self, *, to: str, message_id: str) -> None:
        """Show a typing indicator to the user (WhatsApp also marks `message_id` read)."""
        ...

    async def aclose(self) -> None: ...


C = TypeVar("C", bound=type[Any])

_REGISTRY: dict[str, type[Any]] = {}


def register(cls: C) -> C:
    """Class decorator: make a connector class findable by its `channel` name."""
    channel = getattr(cls, "channel", None)
    if not isinstance(channel, str) or not channel:
        raise TypeError(f"{cls.__qualname__} needs a class attribute `channel` naming its channel")
    if (taken := _REGISTRY.get(channel)) is not None and taken is not cls:
        raise ValueError(f"channel {channel!r} is already served by {taken.__qualname__}")
    _REGISTRY[channel] = cls
    return cls


def connector_class(channel: str) -> Callable[..., Connector]:
    """The connector class registered for `channel`; raises `UnknownChannel`."""
    if (cls := _REGISTRY.get(channel)) is None:
        raise UnknownChannel(channel, known=channels())
    return cls


def channels() -> list[str]:
    """The registered channel names, sorted."""
    return sorted(_REGISTRY)
