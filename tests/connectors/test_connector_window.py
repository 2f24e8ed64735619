"""A channel's reply window: free-form content inside it, only a template outside it, a clear refusal otherwise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors import CONNECTORS, META_WINDOW, ReplyWindow, WindowClosed
from flows.messages import OutboundMessage, Template

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
REMINDER = Template("lembrete_consulta", "pt_BR", ("amanhã às 10h",))


def test_inside_the_window_a_message_goes_as_its_content_without_the_template() -> None:
    message = OutboundMessage(id="r1", text="Até amanhã", template=REMINDER)
    ready = META_WINDOW.fit(message, last_inbound=NOW - timedelta(hours=2), now=NOW, channel="whatsapp")
    assert (ready.text, ready.template) == ("Até amanhã", None)


def test_a_template_only_message_keeps_its_template_inside_the_window() -> None:
    message = OutboundMessage(id="r1", template=REMINDER)
    assert META_WINDOW.fit(message, last_inbound=NOW, now=NOW, channel="whatsapp") is message


def test_outside_the_window_a_template_goes_and_free_text_is_refused_with_the_channel_code() -> None:
    late = NOW - timedelta(hours=25)
    with_template = OutboundMessage(id="r2", text="Sua consulta é amanhã", template=REMINDER)
    assert META_WINDOW.fit(with_template, last_inbound=late, now=NOW, channel="whatsapp") is with_template
    with pytest.raises(WindowClosed, match="more than 24 h ago.*give the send node a `template`") as refused:
        META_WINDOW.fit(OutboundMessage(id="r1", text="oi"), last_inbound=late, now=NOW, channel="whatsapp")
    assert refused.value.code == 131047 and str(refused.value).startswith("whatsapp: message 'r1' not sent")
    with pytest.raises(WindowClosed, match="the user never wrote"):
        META_WINDOW.fit(OutboundMessage(id="r1", text="oi"), last_inbound=None, now=NOW, channel="messenger")


def test_the_window_closes_a_margin_before_its_length() -> None:
    window = ReplyWindow(timedelta(hours=1), margin=timedelta(minutes=5))
    assert window.is_open(NOW - timedelta(minutes=54), NOW)
    assert not window.is_open(NOW - timedelta(minutes=55), NOW)


def test_each_channel_declares_its_window() -> None:
    windows = {cls.channel: cls.window for cls in CONNECTORS}
    assert windows == {"whatsapp": META_WINDOW, "messenger": META_WINDOW, "instagram": META_WINDOW, "web": None}
