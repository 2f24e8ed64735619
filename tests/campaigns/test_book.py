"""The campaign book on a real Redis: the rate and tier limits, the lease, the moves between statuses,
and who may be started (one rule for the start API, the runner and the turn)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from runtime.campaigns import CampaignBook
from runtime.keys import ConversationKey
from runtime.nodes.start import refusal


@pytest.fixture
def book(redis_client: Any, redis_prefix: str) -> CampaignBook:
    return CampaignBook(redis_client, prefix=redis_prefix, bot="clinica")


async def test_starts_per_second_are_shared_and_capped(book: CampaignBook) -> None:
    assert await book.rate(1000, 60, 80) == 60
    assert await book.rate(1000, 60, 80) == 20  # another runner, the same second
    assert await book.rate(1000, 5, 80) == 0
    assert await book.rate(1001, 5, 80) == 5


async def test_the_daily_tier_counts_unique_contacts(book: CampaignBook) -> None:
    assert await book.reach("2026-03-02", ["a", "b"], 3) == 2
    assert await book.reach("2026-03-02", ["a", "c", "d", "e"], 3) == 2  # a again is free; c fills it; d waits
    assert await book.reach("2026-03-03", ["d"], 3) == 1


async def test_a_run_moves_only_as_allowed_and_one_runner_holds_it(book: CampaignBook) -> None:
    run = await book.create("retorno", [ConversationKey("clinica", "whatsapp", u) for u in ("1", "2")],
                            at=datetime(2026, 3, 2, tzinfo=UTC))
    assert await book.set_status(run, "running", allowed=("paused",)) == 0
    assert await book.set_status(run, "paused", allowed=("running",)) == 1
    assert await book.set_status("nope", "paused", allowed=("running",)) == -1
    assert await book.hold(run, "p1", 5000) and await book.hold(run, "p1", 5000)
    assert not await book.hold(run, "p2", 5000)
    second = ConversationKey("clinica", "whatsapp", "2")
    assert await book.audience(run, 1, 10) == [second.digest]  # never the number: the keys are shared
    assert await book.contacts([second.digest]) == {second.digest: second}


async def test_a_run_for_later_exists_only_with_its_start_time(book: CampaignBook) -> None:
    """The run and its start time are written in one transaction: a runner reading the run as soon as it
    exists never finds it running with no start time, and starts nobody early (it once did)."""
    later = datetime(2026, 3, 3, 9, tzinfo=UTC)
    run = await book.create("retorno", [ConversationKey("clinica", "whatsapp", "1")],
                            at=datetime(2026, 3, 2, tzinfo=UTC), not_before=later)
    meta = await book.meta(run)
    assert meta is not None and meta["status"] == "running" and meta["not_before"] == later.isoformat()


@pytest.mark.parametrize(("opted_out", "blocked", "consent", "purpose", "why"), [
    (False, False, None, "utility", None),
    (False, False, None, "marketing", "no_consent"),
    (False, False, False, "marketing", "opted_out"),
    (False, False, True, "marketing", None),
    (True, False, True, "utility", "opted_out"),
    (False, True, True, "marketing", "blocked"),
])
def test_who_may_be_started(opted_out: bool, blocked: bool, consent: bool | None, purpose: str,
                            why: str | None) -> None:
    assert refusal(opted_out, blocked, consent, purpose) == why
