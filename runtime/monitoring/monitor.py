"""Term monitoring on the message path: patient messages before they are stored, bot replies before
they are committed, staff messages before they are queued (the admin API).

With no rules, or no match, screening is pure CPU and adds no Redis round trip; a match that alerts
adds one (the alerts of a message go in one pipeline).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from flows.messages import InboundEvent, OutboundMessage
from flows.settings import MonitoringSettings
from runtime.keys import ConversationKey
from runtime.monitoring.alerts import AlertBook
from runtime.monitoring.rules import Hit, Screened, screen

UNSCREENED = frozenset({"timer", "system"})  # papo's own events: nobody's words (a caption is screened)


class Monitor:
    def __init__(self, alerts: AlertBook, settings: Callable[[], MonitoringSettings]) -> None:
        self.alerts = alerts
        self.settings = settings  # the current bot version's rules (a reload brings new ones)

    def screen(self, text: str, direction: str) -> Screened:
        return screen(self.settings(), text, direction)

    async def inbound(self, key: ConversationKey, event: InboundEvent) -> InboundEvent:
        """The event as it will be stored: masked where a rule masks, `data.monitoring` naming the rules
        that matched ("handoff" when one hands the conversation to a person); alerts raised."""
        if event.kind in UNSCREENED or not event.text:
            return event
        screened = self.screen(event.text, "patient")
        if not screened.hits:
            return event
        data = {**event.data, "monitored": [h.rule for h in screened.hits]}
        if screened.wants("handoff"):
            data["monitoring"] = "handoff"
        await self.alerts.raise_for(screened.hits, conversation=key.ref, message=event.id, direction="patient",
                                    at=event.at.isoformat())
        return replace(event, text=screened.text, data=data)

    def outbound(self, messages: Sequence[OutboundMessage]) -> tuple[list[OutboundMessage], list[tuple[str, Hit]]]:
        """Bot replies masked where a rule masks, and the (message id, hit) pairs to alert on."""
        out, found = [], []
        for message in messages:
            screened = self.screen(message.text, "bot")
            out.append(replace(message, text=screened.text) if screened.text != message.text else message)
            found += [(message.id, hit) for hit in screened.hits]
        return out, found

    async def alert_outbound(self, key: ConversationKey, found: Sequence[tuple[str, Hit]], at: str) -> None:
        for message_id in dict.fromkeys(m for m, _ in found):
            await self.alerts.raise_for([h for m, h in found if m == message_id], conversation=key.ref,
                                        message=message_id, direction="bot", at=at)
