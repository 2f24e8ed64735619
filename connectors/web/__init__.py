"""The web channel: Rasa's REST channel shape, answered in the same HTTP response."""

from connectors.web.connector import WebConnector

__all__ = ["WebConnector"]
