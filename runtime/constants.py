"""Redis key parts, TTLs and engine limits, in one place."""

DEFAULT_PREFIX = "papo"

STATE = "state"          # hash: ver (fencing token), doc (the conversation's JSON)
INBOX = "inbox"          # stream: events accepted but not yet turned into a committed turn
OUTBOX = "outbox"        # stream: messages committed with their turn, waiting for the sender
LOCK = "lock"            # string: the token of the worker that owns the conversation now
SEEN = "seen"            # string per event id: dedupe marker

DEDUPE_TTL_S = 7 * 24 * 3600        # Meta retries a webhook for up to 7 days
LOCK_LEASE_MS = 30_000
STATE_TTL_MS = 90 * 24 * 3600 * 1000  # idle conversations are forgotten after 90 days (LGPD minimisation)
INBOX_BATCH = 16

MAX_STEPS_PER_TURN = 200
