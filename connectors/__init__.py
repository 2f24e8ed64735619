"""Channel connectors: verify and parse webhooks into canonical events, render and send messages.

The runtime finds a connector class by channel name (`connector_class("whatsapp")`) and speaks
only the `Connector` protocol and `flows.messages` types.
"""

from connectors.base import Connector, Parsed, Rendered, SkipKind, Skipped, channels, connector_class, register
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
from connectors.web.connector import WebConnector
from connectors.whatsapp.connector import WhatsAppConnector
from connectors.whatsapp.identity import canonical_whatsapp, same_whatsapp_user, whatsapp_aliases

__all__ = [
    "AccountRestricted",
    "AuthError",
    "BadPayload",
    "BadSignature",
    "BadSubscription",
    "ConfigError",
    "Connector",
    "ConnectorError",
    "InstagramConnector",
    "InvalidMessage",
    "InvalidRecipient",
    "InvalidRequest",
    "MarketingRefused",
    "MediaError",
    "MessengerConnector",
    "Parsed",
    "PermissionDenied",
    "Rejected",
    "Rendered",
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
    "channels",
    "connector_class",
    "error_from_graph",
    "register",
    "same_whatsapp_user",
    "whatsapp_aliases",
]
