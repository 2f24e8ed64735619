"""Channel connectors: verify and parse webhooks into canonical events, render and send messages.

The runtime finds a connector class by channel name (`connector_class("whatsapp")`) and speaks
only the `Connector` protocol and `flows.messages` types.
"""

from .base import Connector, Parsed, Rendered, SkipKind, Skipped, channels, connector_class, register
from .errors import (
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
from .identity import canonical_whatsapp, same_whatsapp_user, whatsapp_aliases
from .instagram import InstagramConnector
from .messenger import MessengerConnector
from .web import WebConnector
from .whatsapp import WhatsAppConnector

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
