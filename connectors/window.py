"""A channel's reply window: how long after the user's last message the business may write freely.

Outside the window only an approved template may go (WhatsApp; Messenger and Instagram send it
with their message tag). The sender asks the channel's window, at send time, what to send:

    ready = META_WINDOW.fit(message, last_inbound=state.last_inbound(), now=clock.now(), channel="whatsapp")
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta

from connectors.errors import WindowClosed
from flows.messages import OutboundMessage


@dataclass(frozen=True, slots=True)
class ReplyWindow:
    """`length` after the user's last message, checked with `margin` to spare (the send takes time)."""

    length: timedelta
    margin: timedelta = timedelta(seconds=60)
    code: int | None = None  # the channel's error code for a send outside the window, for the records

    def is_open(self, last_inbound: datetime | None, now: datetime) -> bool:
        return last_inbound is not None and now - last_inbound < self.length - self.margin

    def fit(self, message: OutboundMessage, *, last_inbound: datetime | None, now: datetime,
            channel: str) -> OutboundMessage:
        """The message to send now: inside the window its free-form content (a template is dropped when
        there is content), outside it the template. Raises `WindowClosed` when there is no template."""
        if self.is_open(last_inbound, now):
            has_content = bool(message.text or message.options or message.media)
            return dataclasses.replace(message, template=None) if message.template and has_content else message
        if message.template is not None:
            return message  # sent as the template (WhatsApp) or with the configured message tag
        since = "never wrote" if last_inbound is None else f"last wrote at {last_inbound.isoformat()}"
        hours = f"{self.length.total_seconds() / 3600:g} h"
        raise WindowClosed(f"{channel}: message {message.id!r} not sent: the user {since}, more than {hours} ago, "
                           "so only a template may be sent; give the send node a `template`", code=self.code)


# Meta's customer-service window, for WhatsApp, Messenger and Instagram alike.
META_WINDOW = ReplyWindow(timedelta(hours=24), code=131047)
