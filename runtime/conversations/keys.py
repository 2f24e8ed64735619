"""Every Redis key papo writes about a conversation, and the TTLs and limits that go with them."""

from __future__ import annotations

from dataclasses import dataclass

from runtime.engine.pseudonyms import conversation_ref

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

# The service: work signals, sending, delivery records
PARTITIONS = 8            # work and send streams per prefix: `{prefix}:work:{p}`, `{prefix}:send:{p}`
WORK_LEASE_MS = 30_000    # a signal idle this long in a consumer's pending list is taken over
MAX_DELIVERIES = 5        # a signal delivered more often than this goes to the dead-letter stream
GROUP = "papo"            # the consumer group of every signal stream
SEND_LOCK = "sendlock"    # string: the token of the sender draining the conversation's outbox
PACE = "pace"             # string with a TTL: the recipient's next message must wait for it
SENT = "sent"             # hash: channel message id -> papo message id
DELIVERY = "delivery"     # hash per channel message id: status, rank, at, papo_id, code, error
FAILED = "failed"         # hash: papo message id -> why it was never sent (JSON)

DECISIONS_KEPT = 50            # FAQ/LLM decisions kept per conversation for the admin API
DECISIONS_TTL_S = 30 * 24 * 3600
FAILURES = "failures"         # stream per bot: {prefix}:failures:{bot}, refused messages and failed turns
FAILURES_KEPT = 1000           # the newest refused messages of a bot, for the admin API


@dataclass(frozen=True, slots=True)
class ConversationKey:
    """Who is talking to which bot on which channel; owns the Redis key layout.

    Every key of one conversation shares the hash tag `{bot:channel:user}`, so one Lua script
    can touch them all, also on a Redis Cluster.
    """

    bot: str
    channel: str
    user: str

    def redis_key(self, prefix: str, part: str) -> str:
        return f"{prefix}:{{{self.bot}:{self.channel}:{self.user}}}:{part}"

    @property
    def ref(self) -> str:
        """A stable pseudonymous reference for logs: never the phone number itself."""
        return conversation_ref(self.bot, self.channel, self.user)

    def __str__(self) -> str:
        return self.ref
