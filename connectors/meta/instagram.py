"""The Instagram Messaging connector (Instagram professional account, via Facebook or Instagram Login).

With Facebook Login: `base_url` is Graph's, `account_id` the Instagram account id, the token a
Page token and the secret the Meta app secret. With Instagram Login: `base_url` is
`constants.INSTAGRAM_LOGIN_BASE_URL`, the token an Instagram user token and the secret the
Instagram app secret. Both secrets may be given at once.
"""

from __future__ import annotations

from typing import ClassVar

from connectors import constants as k
from connectors._text import utf8_len
from connectors.base import ChannelEnv
from connectors.meta.messaging import MessagingConnector
from connectors.meta.render import Profile


class InstagramConnector(MessagingConnector):
    """Instagram DMs: text is limited in UTF-8 bytes, options are quick replies (not shown on desktop).

    The only message tag Instagram allows is HUMAN_AGENT, for replies written by staff.
    """

    channel: ClassVar[str] = "instagram"
    env: ClassVar[ChannelEnv] = ChannelEnv(
        token="INSTAGRAM_TOKEN", app_secret="INSTAGRAM_APP_SECRET", verify_token="INSTAGRAM_VERIFY_TOKEN",
        account_id="INSTAGRAM_ACCOUNT_ID", base_url=k.GRAPH_BASE_URL_VARIABLES,
    )
    object_name: ClassVar[str] = "instagram"
    profile: ClassVar[Profile] = Profile("instagram", k.INSTAGRAM_TEXT_BYTES, utf8_len, auto_buttons=False)
    tags: ClassVar[frozenset[str]] = k.INSTAGRAM_TAGS
