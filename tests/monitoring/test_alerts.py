"""Alerts wait in a stream until a forwarder acknowledges them: one a forwarder took and never
acknowledged is handed out again (at least once)."""

from __future__ import annotations

from typing import Any

from flows.settings import MonitoringSettings
from runtime.monitoring import AlertBook, screen


async def test_an_unacknowledged_alert_is_taken_again(redis_client: Any, redis_prefix: str) -> None:
    book = AlertBook(redis_client, prefix=redis_prefix, bot="clinica")
    await book.ensure_group()
    await book.ensure_group()  # twice is fine
    settings = MonitoringSettings.from_json({"rules": [{"id": "cartao", "category": "card"},
                                                       {"id": "so-mascara", "category": "cpf", "actions": ["mask"]}]})
    hits = screen(settings, "cartão 4111 1111 1111 1111 e CPF 529.982.247-25", "patient").hits
    made = await book.raise_for(hits, conversation="clinica/whatsapp/abc", message="wamid.1", direction="patient",
                                at="2026-03-02T12:00:00+00:00")
    assert [a.rule for a in made] == ["cartao"]  # a rule that only masks raises no alert
    [(first, fields)] = await book.take("forwarder-a", block_ms=10)
    assert fields["rule"] == "cartao" and "4111" not in fields["snippet"]
    assert await book.take("forwarder-b", block_ms=10) == []  # taken, not yet stale
    stale = AlertBook(redis_client, prefix=redis_prefix, bot="clinica", reclaim_ms=0)  # as if 60 s had passed
    [(again, _)] = await stale.take("forwarder-b", block_ms=10)  # forwarder-a died without acknowledging
    assert again == first
    await book.done([again])
    assert await book.take("forwarder-b", block_ms=10) == []
    assert [a["rule"] for a in await book.recent()] == ["cartao"]
