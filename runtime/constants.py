"""Redis key parts, TTLs and engine limits, in one place."""

DEFAULT_PREFIX = "papo"

STATE = "state"          # hash: ver (fencing token), doc (the conversation's JSON)
INBOX = "inbox"          # stream: events accepted but not yet turned into a committed turn
OUTBOX = "outbox"        # stream: messages committed with their turn, waiting for the sender
LOCK = "lock"            # string: the token of the worker that owns the conversation now
SEEN = "seen"            # string per event id: dedupe marker
ADDRESS = "address"      # string: where the channel wants replies sent, when not the user id itself

DEDUPE_TTL_S = 7 * 24 * 3600        # Meta retries a webhook for up to 7 days
LOCK_LEASE_MS = 30_000
STATE_TTL_MS = 90 * 24 * 3600 * 1000  # idle conversations are forgotten after 90 days (LGPD minimisation)
INBOX_BATCH = 16

MAX_STEPS_PER_TURN = 200

# The service: work signals, sending, delivery records
GRAPH_BASE_URL = "https://graph.facebook.com"
PARTITIONS = 8            # work and send streams per prefix: `{prefix}:work:{p}`, `{prefix}:send:{p}`
WORK_LEASE_MS = 30_000    # a signal idle this long in a consumer's pending list is taken over
MAX_DELIVERIES = 5        # a signal delivered more often than this goes to the dead-letter stream
GROUP = "papo"            # the consumer group of every signal stream
SEND_LOCK = "sendlock"    # string: the token of the sender draining the conversation's outbox
PACE = "pace"             # string with a TTL: the recipient's next message must wait for it
SENT = "sent"             # hash: channel message id -> papo message id
DELIVERY = "delivery"     # hash per channel message id: status, rank, at, papo_id, code, error
FAILED = "failed"         # hash: papo message id -> why it was never sent (JSON)
WINDOW_S = 24 * 3600      # Meta's customer-service window
WINDOW_MARGIN_S = 60      # checked at send time with this margin

DECISIONS_KEPT = 50            # FAQ/LLM decisions kept per conversation for the admin API
DECISIONS_TTL_S = 30 * 24 * 3600
FAILURES_KEPT = 1000           # the newest refused messages of a bot, for the admin API
