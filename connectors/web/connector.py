"""The web channel, compatible with Rasa's REST channel, for site widgets and tests.

In: `POST {"sender": "<user id>", "message": "<text>"}` (optionally `"message_id"` for dedupe
and `"metadata"`). A message that starts with "/" is a button press: `/confirmar` is the
choice `confirmar`, the payload papo gives its buttons.
Out: each message renders to Rasa's reply shape, `{"recipient_id", "text", "buttons": [{"title",
"payload"}], "image"?}`, with no length limits; a template alone cannot be shown (give a text).
The channel has no API to call: its replies go back in the HTTP response to the POST
(`replies = "response"`), rendered by `render`. `send` keeps them in a per-user mailbox that
`collect(user)` empties, for code that drives the connector directly. It is served on
`/webhooks/web` and on Rasa's path, `/webhooks/rest/webhook`; `PAPO_WEB_TOKEN`, when set, guards it.
"""

from __future__ import annotations

import hmac
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar, Self

from connectors._raw import load_object, text, utf8
from connectors._webhook import Secret
from connectors.base import ChannelEnv, ChannelSettings, Connector, Parsed, Rendered, Replies
from connectors.errors import BadPayload, BadSignature, InvalidMessage
from flows.messages import InboundEvent, OutboundMessage, Receipt


def _now() -> datetime:
    return datetime.now(UTC)


class WebConnector(Connector):
    """A Rasa-REST-compatible channel. With `token`, requests need `Authorization: Bearer <token>`."""

    channel: ClassVar[str] = "web"
    env: ClassVar[ChannelEnv] = ChannelEnv(token="PAPO_WEB_TOKEN", optional=True)
    replies: ClassVar[Replies] = "response"
    paths: ClassVar[tuple[str, ...]] = ("/webhooks/rest/webhook",)  # Rasa's REST channel

    def __init__(self, *, token: str = "", business: str = "", clock: Callable[[], datetime] = _now) -> None:
        self.business = business
        self._token = Secret(token)
        self._clock = clock
        self._mailbox: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)

    @classmethod
    def from_settings(cls, settings: ChannelSettings) -> Self:
        return cls(token=settings.token, business=settings.account_id)

    def __repr__(self) -> str:
        return f"WebConnector(business={self.business!r})"

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        if not self._token.value:
            return
        given = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        # surrogatepass: a header that was not UTF-8 (aiohttp keeps its bytes as surrogates) compares unequal
        given_bytes, expected = (t.encode("utf-8", "surrogatepass") for t in (given, f"Bearer {self._token.value}"))
        if not hmac.compare_digest(given_bytes, expected):
            raise BadSignature("web: the Authorization header must be 'Bearer <token>' with the configured token")

    def parse(self, body: bytes) -> Parsed:
        data = load_object(body, self.channel)
        sender = text(data.get("sender"), "/sender", required=True)
        message = data.get("message")
        if not isinstance(message, str):
            raise BadPayload('web: /message must be a string, e.g. {"sender": "u1", "message": "oi"}')
        message = utf8(message, "/message")
        given = text(data.get("message_id"), "/message_id")
        ident = given or f"web:{uuid.uuid4().hex}"  # made up: it can never repeat, so no dedupe marker is kept
        extra = {"metadata": data["metadata"]} if isinstance(data.get("metadata"), dict) else {}
        common: dict[str, Any] = {
            "channel": self.channel,
            "user": sender,
            "id": ident,
            "fresh_id": not given,
            "at": self._clock(),
            "business": self.business,
        }
        if message.startswith("/") and len(message) > 1:
            event = InboundEvent(**common, kind="choice", text=message[1:], choice_id=message[1:], data=extra)
        else:
            event = InboundEvent(**common, kind="text", text=message, data=extra)
        return Parsed(events=(event,))

    def render(self, message: OutboundMessage, *, to: str) -> Rendered:
        reply: dict[str, Any] = {"recipient_id": to}
        body = "\n\n".join(p for p in (message.header, message.text, message.footer) if p)
        if body:
            reply["text"] = body
        if message.options:
            reply["buttons"] = [{"title": o.title, "payload": f"/{o.id}"} for o in message.options]
        if message.media is not None and message.media.url:
            reply["image" if message.media.kind == "image" else "attachment"] = message.media.url
        if len(reply) == 1:
            raise InvalidMessage(
                f"message {message.id!r} has nothing the web channel can show (templates are WhatsApp's); "
                "give it a text"
            )
        return Rendered((reply,))

    async def send(self, message: OutboundMessage, *, to: str) -> Receipt:
        self._mailbox[to].extend(self.render(message, to=to).payloads)
        return Receipt(channel=self.channel, message_id=f"web:{message.id}", user=to)

    async def send_payload(self, payload: dict[str, Any], *, to: str) -> Receipt:
        self._mailbox[to].append(payload)
        return Receipt(channel=self.channel, message_id=f"web:{uuid.uuid4().hex}", user=to)

    def collect(self, user: str) -> Sequence[dict[str, Any]]:
        """The replies sent to `user` since the last call, oldest first (Rasa's response body)."""
        return self._mailbox.pop(user, [])

    async def aclose(self) -> None:
        self._mailbox.clear()
