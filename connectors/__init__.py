"""Channel connectors: verify and parse webhooks into canonical events, render and send messages.

`CONNECTORS` is the one list of the channels papo serves (`connectors.registry`). The runtime goes
through a `Connectors` registry (papo's, or one extended with `with_connectors`) and speaks only
the `Connector` protocol and `flows.messages` types: it never names a channel.
"""

from connectors.base import (
    ChannelEnv,
    ChannelSettings,
    Connector,
    Connectors,
    Parsed,
    Rendered,
    Replies,
    SkipKind,
    Skipped,
)
from connectors.errors import (
    AccountRestricted,
    AuthError,
    BadPayload,
    BadSignature,
    BadSubscription,
    ConfigError,
    ConnectorError,
    InvalidMessage,
    InvalidRecipient,
    InvalidRequest,
    MarketingRefused,
    MediaError,
    PermissionDenied,
    Rejected,
    SendError,
    TemplateError,
    Throttled,
    ThrottleScope,
    Unavailable,
    UnknownChannel,
    WindowClosed,
    error_from_graph,
)
from connectors.meta.instagram import InstagramConnector
from connectors.meta.messenger import MessengerConnector
from connectors.registry import CONNECTORS
from connectors.web.connector import WebConnector
from connectors.whatsapp.connector import WhatsAppConnector
from connectors.whatsapp.identity import canonical_whatsapp, same_whatsapp_user, whatsapp_aliases
from connectors.window import META_WINDOW, ReplyWindow

__all__ = [
    "AccountRestricted",
    "AuthError",
    "BadPayload",
    "BadSignature",
    "BadSubscription",
    "CONNECTORS",
    "ChannelEnv",
    "ChannelSettings",
    "ConfigError",
    "Connector",
    "ConnectorError",
    "Connectors",
    "InstagramConnector",
    "InvalidMessage",
    "InvalidRecipient",
    "InvalidRequest",
    "META_WINDOW",
    "MarketingRefused",
    "MediaError",
    "MessengerConnector",
    "Parsed",
    "PermissionDenied",
    "Rejected",
    "Rendered",
    "Replies",
    "ReplyWindow",
    "SendError",
    "SkipKind",
    "Skipped",
    "TemplateError",
    "ThrottleScope",
    "Throttled",
    "Unavailable",
    "UnknownChannel",
    "WebConnector",
    "WhatsAppConnector",
    "WindowClosed",
    "canonical_whatsapp",
    "error_from_graph",
    "same_whatsapp_user",
    "whatsapp_aliases",
]
