"""Messenger and Instagram: the Messenger Platform's webhooks and Send API, shared by both."""

from connectors.meta.instagram import InstagramConnector
from connectors.meta.messenger import MessengerConnector

__all__ = ["InstagramConnector", "MessengerConnector"]
