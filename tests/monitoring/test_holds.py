"""Held staff messages: taken once, and dropped when nobody released them within 30 days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from runtime.keys import ConversationKey
from runtime.monitoring import HoldBook


async def test_a_hold_is_taken_once_and_a_forgotten_one_is_dropped(redis_client: Any, redis_prefix: str) -> None:
    book = HoldBook(redis_client, prefix=redis_prefix, bot="clinica")
    key = ConversationKey("clinica", "whatsapp", "5511987654321")
    now = datetime(2026, 3, 2, 12, tzinfo=UTC)
    old = await book.hold(key, "seu laudo", rules=("laudo",), snippet="seu ***", by="ana",
                          at=(now - timedelta(days=31)).isoformat())
    kept = await book.hold(key, "o diagnóstico", rules=("laudo",), snippet="o ***", by="ana", at=now.isoformat())
    assert [h.id for h in await book.all()] == [old.id, kept.id]
    # the shared hash names the conversation by its digest, never by the number
    held = str(await redis_client.hgetall(book.key))
    assert "5511987654321" not in held and key.digest in held
    assert [h.id for h in await book.all(now=now)] == [kept.id]
    assert await book.take(old.id) is None
    taken = await book.take(kept.id)
    assert taken is not None and taken.text == "o diagnóstico" and await book.conversation(taken) == key
    assert await book.take(kept.id) is None
    assert await HoldBook(redis_client, prefix=redis_prefix, bot="clinica").conversation(taken) == key  # from Redis
