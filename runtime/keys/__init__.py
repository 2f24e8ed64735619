"""The Redis key layout, owned by one builder (`Keys`). A bottom layer: it imports nothing, so the
timers, the scheduler and the LLM ledger build their keys with it as the store and the service do."""

from runtime.keys.layout import (
    DEFAULT_PREFIX,
    STATE_TTL_MS,
    CalendarKeys,
    ConversationKey,
    Keys,
    ShardKeys,
    SignalKind,
    conversation_ref,
)

__all__ = ["DEFAULT_PREFIX", "STATE_TTL_MS", "CalendarKeys", "ConversationKey", "Keys", "ShardKeys", "SignalKind",
           "conversation_ref"]
