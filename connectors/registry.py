"""The channels papo serves: one explicit list. A new channel is its package, one line here and its
entry in `flows/schema/bot.schema.json` (see docs/extending.md)."""

from __future__ import annotations

from connectors.base import Connectors
from connectors.meta.instagram import InstagramConnector
from connectors.meta.messenger import MessengerConnector
from connectors.web.connector import WebConnector
from connectors.whatsapp.connector import WhatsAppConnector

CONNECTORS = Connectors((
    WhatsAppConnector,
    MessengerConnector,
    InstagramConnector,
    WebConnector,
))
