"""Every channel limit and fixed value the connectors use, in one place.

Lengths count characters (Unicode code points) unless the name ends in `_BYTES`. The flow lint checks
four WhatsApp limits too (`flows.constants`, which connectors may not import: they see only the message
model); a test keeps the two equal.
"""

from __future__ import annotations

from typing import Final

# Graph API
GRAPH_BASE_URL: Final = "https://graph.facebook.com"
GRAPH_BASE_URL_VARIABLES: Final = ("PAPO_GRAPH_BASE_URL", "GRAPH_BASE_URL")  # e.g. a fake Graph API in tests
INSTAGRAM_LOGIN_BASE_URL: Final = "https://graph.instagram.com"
GRAPH_API_VERSION: Final = "v25.0"
SEND_TIMEOUT_S: Final = 30.0  # Meta answers within about 20-25 s or not at all

# Webhooks (all channels)
SIGNATURE_HEADER: Final = "X-Hub-Signature-256"
SIGNATURE_PREFIX: Final = "sha256="
# Meta says a webhook body is up to 3 MB, and aiohttp's default limit of 1 MiB would answer 413, which
# Meta keeps retrying for days. Meta escapes non-ASCII text (a 12-byte "\ud83d\ude00" per emoji),
# so the bytes on the wire may exceed the size Meta counts: keep a wide margin.
WEBHOOK_MAX_BYTES: Final = 8 * 1024 * 1024
CHALLENGE_MAX: Final = 256

# Text clipping: a cut is always marked with this character.
ELLIPSIS: Final = "\u2026"

# WhatsApp Cloud API: sending
WA_TEXT: Final = 4096
WA_CAPTION: Final = 1024
WA_BUTTONS_MAX: Final = 3
WA_BUTTONS_BODY: Final = 1024
WA_BUTTON_ID: Final = 256
WA_BUTTON_TITLE: Final = 20
WA_HEADER_TEXT: Final = 60
WA_FOOTER: Final = 60
WA_LIST_BODY: Final = 4096
WA_LIST_BUTTON: Final = 20
WA_LIST_ROWS_MAX: Final = 10
WA_ROW_ID: Final = 200
WA_ROW_TITLE: Final = 24
WA_ROW_DESCRIPTION: Final = 72
WA_TEMPLATE_BUTTONS_MAX: Final = 10
WA_CALLBACK_DATA: Final = 512  # biz_opaque_callback_data
WA_MEDIA_KINDS_WITH_CAPTION: Final = frozenset({"image", "video", "document"})

# WhatsApp Cloud API: throughput (the default of the sender's per-number pacing). Meta's pair limit, about
# one message every 6 s to one user on average with bursts allowed, is met by the sender's per-user
# pacing and its 4^X s backoff on 131056 (see runtime.service.pacing).
WA_RATE_PER_NUMBER: Final = 80  # messages/s, inbound and outbound together

# Messenger and Instagram: sending
MESSENGER_TEXT: Final = 2000  # commonly cited; not confirmed by Meta
INSTAGRAM_TEXT_BYTES: Final = 1000  # UTF-8 bytes, not characters
QUICK_REPLIES_MAX: Final = 13
QUICK_REPLY_TITLE: Final = 20
QUICK_REPLY_PAYLOAD: Final = 1000
BUTTON_TEMPLATE_TEXT: Final = 640
BUTTON_TEMPLATE_MAX: Final = 3
BUTTON_TITLE: Final = 20
MESSAGE_METADATA: Final = 1000
MESSENGER_TAGS: Final = frozenset({"CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE", "ACCOUNT_UPDATE", "HUMAN_AGENT"})
INSTAGRAM_TAGS: Final = frozenset({"HUMAN_AGENT"})

# Messages sent from the Page Inbox carry this app id in their echo (Meta prints both spellings).
PAGE_INBOX_APP_IDS: Final = frozenset({"26390203743090", "263902037430900"})
