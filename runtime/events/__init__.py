"""Outbound events: what happened (a contact created, an appointment booked, a handoff taken...), emitted
with the turn's commit and delivered to the bot's subscriptions, signed, in order per contact, at least
once (docs/events.md)."""

from runtime.events.delivery import DeliveryPolicy, Endpoint, EventDelivery, endpoints_from
from runtime.events.emitter import EventEmitter
from runtime.events.envelope import VERSION, contact_id, encoded, envelope
from runtime.events.outbox import EventOutbox, Pair
from runtime.events.signing import HEADER, sign, verify

__all__ = ["HEADER", "VERSION", "DeliveryPolicy", "Endpoint", "EventDelivery", "EventEmitter", "EventOutbox", "Pair",
           "contact_id", "encoded", "endpoints_from", "envelope", "sign", "verify"]
