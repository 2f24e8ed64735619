"""The TTLs and limits that go with a conversation's keys; the key layout itself is `runtime.keys.Keys`."""

from __future__ import annotations

from runtime.keys import DEFAULT_PREFIX, STATE_TTL_MS, ConversationKey, Keys

__all__ = ["DEFAULT_PREFIX", "STATE_TTL_MS", "ConversationKey", "Keys"]

DEDUPE_TTL_S = 7 * 24 * 3600        # Meta retries a webhook for up to 7 days
LOCK_LEASE_MS = 30_000
INBOX_BATCH = 16

# The service: work signals, sending, delivery records
PARTITIONS = 8            # work and send streams per bot: `Keys.signals(bot, "work" | "send", p)`
WORK_LEASE_MS = 30_000    # a signal idle this long in a consumer's pending list is taken over
MAX_DELIVERIES = 5        # a signal delivered more often than this goes to the dead-letter stream
DEAD_KEPT = 10_000        # the newest dead-lettered signals kept for inspection
GROUP = "papo"            # the consumer group of every signal stream

DECISIONS_KEPT = 50            # FAQ/LLM decisions kept per conversation for the admin API
DECISIONS_TTL_S = 30 * 24 * 3600
TRANSCRIPT_KEPT = 5000         # the newest messages of a conversation's transcript (notes included)
INBOX_FEED_KEPT = 1000         # the newest inbox changes, read by live views (server-sent events)
FAILURES_KEPT = 1000           # the newest refused messages and failed turns of a bot, for the admin API
