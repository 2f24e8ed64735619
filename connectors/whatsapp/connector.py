"""The WhatsApp Cloud API connector: webhooks in, messages out, for one business phone number."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Self

import aiohttp

from connectors import constants as k
from connectors._graph import GraphClient
from connectors._webhook import Secret, check_signature, check_subscription, secrets_tuple
from connectors.base import ChannelEnv, ChannelSettings, Connector, Parsed, Rendered
from connectors.errors import Unavailable
from connectors.whatsapp.inbound import parse_whatsapp
from connectors.whatsapp.render import render_whatsapp
from connectors.whatsapp.templates import templates_from_env
from connectors.window import META_WINDOW, ReplyWindow
from flows.messages import InboundEvent, OutboundMessage, Receipt

log = logging.getLogger(__name__)


class WhatsAppConnector(Connector):
    """WhatsApp Cloud API for the number `phone_number_id`.

    `app_secret` may be several secrets (old and new while rotating). `list_button` is the
    label of the button that opens a list when the message gives none.

        wa = WhatsAppConnector(token=..., app_secret=..., verify_token=..., phone_number_id="1065...")
        wa.verify(body, request.headers)        # BadSignature -> 401
        parsed = wa.parse(body)                 # BadPayload -> 400
        receipt = await wa.send(message, to=parsed.events[0].user)
    """

    channel: ClassVar[str] = "whatsapp"
    env: ClassVar[ChannelEnv] = ChannelEnv(
        token="WHATSAPP_TOKEN", app_secret="WHATSAPP_APP_SECRET", verify_token="WHATSAPP_VERIFY_TOKEN",
        account_id="WHATSAPP_PHONE_NUMBER_ID", base_url=k.GRAPH_BASE_URL_VARIABLES,
    )
    window: ClassVar[ReplyWindow | None] = META_WINDOW

    def __init__(
        self,
        *,
        token: str,
        app_secret: str | Sequence[str],
        verify_token: str,
        phone_number_id: str,
        base_url: str = k.GRAPH_BASE_URL,
        api_version: str = k.GRAPH_API_VERSION,
        timeout: float = k.SEND_TIMEOUT_S,
        list_button: str = "Ver opções",
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.phone_number_id = phone_number_id
        self.list_button = list_button
        self._secrets = secrets_tuple(app_secret)
        self._verify_token = Secret(verify_token)
        self._graph = GraphClient(
            channel=self.channel, base_url=base_url, version=api_version, token=token, timeout=timeout, session=session
        )

    @classmethod
    async def message_templates(cls, env: Mapping[str, str], *, account: str | None = None) -> list[dict[str, Any]]:
        """The business account's message templates (`papo templates sync`), from the environment's credentials."""
        return await templates_from_env(env, account=account)

    @classmethod
    def from_settings(cls, settings: ChannelSettings) -> Self:
        return cls(token=settings.token, app_secret=settings.app_secret, verify_token=settings.verify_token,
                   phone_number_id=settings.account_id, base_url=settings.base_url or k.GRAPH_BASE_URL)

    def __repr__(self) -> str:
        return f"WhatsAppConnector(phone_number_id={self.phone_number_id!r})"

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        check_signature(body, headers, self._secrets, channel=self.channel)

    def verify_subscription(self, query: Mapping[str, str]) -> str:
        return check_subscription(query, self._verify_token, channel=self.channel)

    def parse(self, body: bytes) -> Parsed:
        return parse_whatsapp(body)

    def address(self, event: InboundEvent) -> str:
        """The wa_id WhatsApp sent: it may lack Brazil's 9th digit that the canonical user id has."""
        wa_id = event.data.get("wa_id")
        return wa_id if isinstance(wa_id, str) else ""

    def render(self, message: OutboundMessage, *, to: str) -> Rendered:
        return render_whatsapp(message, to=to, list_button=self.list_button)

    async def send_payload(self, payload: dict[str, Any], *, to: str) -> Receipt:
        answer = await self._graph.post(f"{self.phone_number_id}/messages", payload)
        return Receipt(channel=self.channel, message_id=_message_id(answer), user=_wa_id(answer, to))

    async def mark_read(self, *, to: str, message_id: str) -> None:
        await self._graph.post(f"{self.phone_number_id}/messages", _read(message_id))

    async def typing(self, *, to: str, message_id: str) -> None:
        """Marks `message_id` read and shows "typing…" until the reply or 25 s, whichever is first."""
        await self._graph.post(
            f"{self.phone_number_id}/messages", _read(message_id) | {"typing_indicator": {"type": "text"}}
        )

    async def aclose(self) -> None:
        await self._graph.aclose()


def _read(message_id: str) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "status": "read", "message_id": message_id}


def _message_id(answer: dict[str, Any]) -> str:
    messages = answer.get("messages")
    if isinstance(messages, list) and messages and isinstance(messages[0], dict):
        if isinstance(mid := messages[0].get("id"), str) and mid:
            return mid
    raise Unavailable("whatsapp: the Graph API accepted the message but returned no message id; it may have been sent")


def _wa_id(answer: dict[str, Any], to: str) -> str:
    """The canonical phone for the user is the wa_id WhatsApp returns (Brazil's 9th digit may differ)."""
    contacts = answer.get("contacts")
    if isinstance(contacts, list) and contacts and isinstance(contacts[0], dict):
        if isinstance(wa_id := contacts[0].get("wa_id"), str) and wa_id:
            return wa_id
    return to
