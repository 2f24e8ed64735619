"""The connector seam: what the runtime may ask of a channel, and the registry by channel name.

A channel declares everything the runtime needs to know about it on its connector class: the
environment variables its settings come from (`env`), its reply window (`window`), whether its
replies are pushed by the sender or returned in the webhook's HTTP response (`replies`), and how
it is built from its settings (`from_settings`). The runtime never names a channel.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol, Self

from connectors.errors import BadSubscription, InvalidMessage, UnknownChannel
from connectors.window import ReplyWindow
from flows.messages import DeliveryStatus, InboundEvent, OutboundMessage, Receipt

log = logging.getLogger("papo.connectors")

SkipKind = Literal["echo", "standby", "unknown", "malformed", "error", "field"]
Replies = Literal["push", "response"]


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


@dataclass(frozen=True, slots=True)
class ChannelEnv:
    """The environment variables a channel's settings are read from by default.

    Each name is the variable for one field of `ChannelSettings` ("" when the channel has no use
    for it); bot.json's `channels` section may name other variables for the first four. `base_url`
    lists variables that may move the channel's API elsewhere (the first one set wins), e.g. to a
    fake server on 127.0.0.1 in tests. An `optional` channel is served also when its variables
    are unset (the web channel without a token is open to anyone).
    """

    token: str = ""
    app_secret: str = ""
    verify_token: str = ""
    account_id: str = ""
    base_url: tuple[str, ...] = ()
    optional: bool = False

    def refs(self) -> dict[str, str]:
        """The default `${VAR}` reference of each field the channel uses, as bot.json would write them."""
        fields = {"token": self.token, "app_secret": self.app_secret, "verify_token": self.verify_token,
                  "account_id": self.account_id}
        return {name: f"${{{variable}}}" for name, variable in fields.items() if variable}

    def names(self) -> tuple[str, ...]:
        """The variables of the fields the channel uses."""
        return tuple(v for v in (self.token, self.app_secret, self.verify_token, self.account_id) if v)


@dataclass(frozen=True, slots=True)
class ChannelSettings:
    """One channel's settings; `account_id` is the business's id on it (phone number id, Page id...),
    the one its webhooks name, and `base_url` its API's address when not the channel's own ("")."""

    channel: str
    account_id: str = ""
    token: str = field(default="", repr=False)
    app_secret: str = field(default="", repr=False)
    verify_token: str = field(default="", repr=False)
    base_url: str = ""


class Connector(Protocol):
    """One channel's edge: webhooks in, messages out, and what the runtime must know of the channel.

    A connector class may subclass `Connector` to inherit the defaults below (no reply window,
    replies pushed by the sender, no extra paths, no read receipts or typing indicator).
    """

    channel: ClassVar[str]
    env: ClassVar[ChannelEnv]
    window: ClassVar[ReplyWindow | None] = None  # None: the business may write at any time
    replies: ClassVar[Replies] = "push"  # "response": the replies go back in the webhook's HTTP response
    paths: ClassVar[tuple[str, ...]] = ()  # more POST paths for its webhook, besides /webhooks/<channel>

    @classmethod
    def from_settings(cls, settings: ChannelSettings) -> Self:
        """The connector for these settings; raises `ConfigError` naming a setting it cannot work with."""
        ...

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        """Check the webhook signature over the raw body; raises `BadSignature` (answer 401)."""
        ...

    def verify_subscription(self, query: Mapping[str, str]) -> str:
        """The `hub.challenge` to echo as text/plain; raises `BadSubscription` (answer 403)."""
        raise BadSubscription(f"{self.channel}: this channel has no subscription handshake")

    def parse(self, body: bytes) -> Parsed:
        """Every event, status and skipped item of a verified body; raises `BadPayload` (answer 400)."""
        ...

    def address(self, event: InboundEvent) -> str:
        """Where replies to `event.user` go when the channel says it differs from the user id ("" if not)."""
        return ""

    def render(self, message: OutboundMessage, *, to: str) -> Rendered:
        """The channel payloads for `message`; raises `InvalidMessage`. Does no I/O."""
        ...

    async def send(self, message: OutboundMessage, *, to: str) -> Receipt:
        """Render and send every payload; the receipt holds the channel's id of the last one. Raises
        `SendError`, after which the payloads before the failing one may have gone out."""
        receipt: Receipt | None = None
        rendered = self.render(message, to=to)
        if rendered.adjustments:
            log.debug("%s message %s adjusted: %s", self.channel, message.id, "; ".join(rendered.adjustments))
        for payload in rendered.payloads:
            receipt = await self.send_payload(payload, to=to)
        if receipt is None:
            raise InvalidMessage(f"{self.channel}: message {message.id!r} renders to nothing to send")
        return receipt

    async def send_payload(self, payload: dict[str, Any], *, to: str) -> Receipt:
        """Send one payload of `render(...).payloads`; the receipt holds the channel's id for it. Raises
        `SendError`. A caller that sends payload by payload can resume a message at the one that failed."""
        ...

    async def mark_read(self, *, to: str, message_id: str) -> None:
        """Tell the user their message `message_id` was seen. Raises `SendError`."""
        return None

    async def typing(self, *, to: str, message_id: str) -> None:
        """Show a typing indicator to the user (WhatsApp also marks `message_id` read)."""
        return None

    async def aclose(self) -> None:
        return None


class Connectors:
    """Connector classes by channel name, from one explicit list; a duplicate or nameless channel fails loudly.

        CONNECTORS.get("whatsapp")                       # WhatsAppConnector; UnknownChannel for a name not here
        mine = CONNECTORS.with_connectors(FakeChatConnector)   # papo's channels and yours
    """

    def __init__(self, classes: Iterable[type[Connector]] = ()) -> None:
        self._classes: dict[str, type[Connector]] = {}
        for cls in classes:
            self._add(cls)

    def _add(self, cls: type[Connector]) -> None:
        channel = getattr(cls, "channel", None)
        if not isinstance(channel, str) or not channel:
            raise TypeError(f"{cls.__qualname__} needs a class attribute `channel` naming its channel")
        if (taken := self._classes.get(channel)) is not None:
            raise ValueError(f"channel {channel!r} is already served by {taken.__qualname__}")
        if not isinstance(getattr(cls, "env", None), ChannelEnv):
            raise TypeError(f"{cls.__qualname__} needs a class attribute `env`: the ChannelEnv of its variables")
        self._classes[channel] = cls

    def with_connectors(self, *classes: type[Connector]) -> Connectors:
        """These channels plus `classes`, in a new registry (this one is left as it is)."""
        return Connectors((*self._classes.values(), *classes))

    def get(self, channel: str) -> type[Connector]:
        """The connector class for `channel`; raises `UnknownChannel`."""
        if (cls := self._classes.get(channel)) is None:
            raise UnknownChannel(channel, known=self.names())
        return cls

    def names(self) -> list[str]:
        """The channel names, sorted."""
        return sorted(self._classes)

    def __iter__(self) -> Iterator[type[Connector]]:
        return iter(self._classes.values())

    def __contains__(self, channel: object) -> bool:
        return channel in self._classes
