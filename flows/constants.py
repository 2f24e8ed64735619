"""Limits the flow language checks at lint time (WhatsApp's, the strictest channel). The WhatsApp
renderer applies the same values (`connectors.constants`, WA_*); a test keeps the two equal."""

MAX_BUTTONS = 3
BUTTON_TITLE_MAX = 20
LIST_ROW_TITLE_MAX = 24
MAX_LIST_ROWS = 10
