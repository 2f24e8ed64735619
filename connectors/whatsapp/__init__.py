"""The WhatsApp Business Cloud API: webhooks, rendering within WhatsApp's limits, sending, identity."""

from connectors.whatsapp.connector import WhatsAppConnector
from connectors.whatsapp.identity import canonical_whatsapp, same_whatsapp_user, whatsapp_aliases
from connectors.whatsapp.templates import fetch_templates

__all__ = ["WhatsAppConnector", "canonical_whatsapp", "fetch_templates", "same_whatsapp_user", "whatsapp_aliases"]
