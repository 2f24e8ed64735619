"""The Messenger connector (Send API with a Page access token, for one Page)."""

from __future__ import annotations

from typing import ClassVar

from connectors import constants as k
from connectors.base import ChannelEnv
from connectors.meta.messaging import MessagingConnector
from connectors.meta.render import Profile


class MessengerConnector(MessagingConnector):
    """Messenger for the Page `account_id` (the Page id).

    `message_tag` (e.g. "CONFIRMED_EVENT_UPDATE") is used for messages that carry a template,
    i.e. sends outside the 24-hour window; with no tag those raise `InvalidMessage`. Meta does
    not guarantee tagged sends for Brazilian Pages: WhatsApp templates are the reliable path.
    """

    channel: ClassVar[str] = "messenger"
    env: ClassVar[ChannelEnv] = ChannelEnv(
        token="MESSENGER_PAGE_TOKEN", app_secret="MESSENGER_APP_SECRET", verify_token="MESSENGER_VERIFY_TOKEN",
        account_id="MESSENGER_PAGE_ID", base_url=k.GRAPH_BASE_URL_VARIABLES,
    )
    object_name: ClassVar[str] = "page"
    profile: ClassVar[Profile] = Profile("messenger", k.MESSENGER_TEXT, len, auto_buttons=True)
    tags: ClassVar[frozenset[str]] = k.MESSENGER_TAGS
