"""What the Messenger and Instagram connectors share: the Send API and the `messaging` webhook."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Self

import aiohttp

from connectors import constants as k
from connectors._graph import GraphClient
from connectors._webhook import Secret, check_signature, check_subscription, secrets_tuple
from connectors.base import ChannelSettings, Connector, Parsed, Rendered
from connectors.errors import ConfigError, Unavailable
from connectors.meta.inbound import parse_messaging
from connectors.meta.render import Profile, render_messaging
from connectors.window import META_WINDOW, ReplyWindow
from flows.messages import OutboundMessage, Receipt

log = logging.getLogger(__name__)


class MessagingConnector(Connector):
    """Send API connector for one Page or Instagram account (`account_id`)."""

    channel: ClassVar[str]
    window: ClassVar[ReplyWindow | None] = META_WINDOW
    object_name: ClassVar[str]
    profile: ClassVar[Profile]
    tags: ClassVar[frozenset[str]]

    def __init__(
        self,
        *,
        account_id: str,
        token: str,
        app_secret: str | Sequence[str],
        verify_token: str,
        base_url: str = k.GRAPH_BASE_URL,
        api_version: str = k.GRAPH_API_VERSION,
        timeout: float = k.SEND_TIMEOUT_S,
        message_tag: str | None = None,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        if message_tag is not None and message_tag not in self.tags:
            raise ConfigError(
                f"{self.channel}: message tag {message_tag!r} is not allowed; "
                f"use one of {', '.join(sorted(self.tags))} or none"
            )
        self.account_id = account_id
        self.message_tag = message_tag
        self._secrets = secrets_tuple(app_secret)
        self._verify_token = Secret(verify_token)
        self._graph = GraphClient(
            channel=self.channel, base_url=base_url, version=api_version, token=token, timeout=timeout, session=session
        )

    @classmethod
    def from_settings(cls, settings: ChannelSettings) -> Self:
        return cls(account_id=settings.account_id, token=settings.token, app_secret=settings.app_secret,
                   verify_token=settings.verify_token, base_url=settings.base_url or k.GRAPH_BASE_URL)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(account_id={self.account_id!r})"

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        check_signature(body, headers, self._secrets, channel=self.channel)

    def verify_subscription(self, query: Mapping[str, str]) -> str:
        return check_subscription(query, self._verify_token, channel=self.channel)

    def parse(self, body: bytes) -> Parsed:
        return parse_messaging(body, channel=self.channel, object_name=self.object_name)

    def render(self, message: OutboundMessage, *, to: str) -> Rendered:
        return render_messaging(message, to=to, profile=self.profile, tag=self.message_tag)

    async def send_payload(self, payload: dict[str, Any], *, to: str) -> Receipt:
        answer = await self._graph.post(f"{self.account_id}/messages", payload)
        mid = answer.get("message_id")
        if not isinstance(mid, str) or not mid:
            raise Unavailable(
                f"{self.channel}: the Send API accepted the message but returned no message_id; it may have been sent"
            )
        user = answer.get("recipient_id")
        return Receipt(channel=self.channel, message_id=mid, user=user if isinstance(user, str) else to)

    async def mark_read(self, *, to: str, message_id: str) -> None:
        await self._sender_action(to, "mark_seen")

    async def typing(self, *, to: str, message_id: str) -> None:
        await self._sender_action(to, "typing_on")

    async def aclose(self) -> None:
        await self._graph.aclose()

    async def _sender_action(self, to: str, action: str) -> None:
        await self._graph.post(f"{self.account_id}/messages", {"recipient": {"id": to}, "sender_action": action})
