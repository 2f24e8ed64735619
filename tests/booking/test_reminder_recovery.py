"""A reminder whose timer process died halfway is neither lost nor sent late.

The process claimed the reminder and queued its event in the conversation's inbox, then was killed
before running it. The timer is claimed again after its lease: the event is a duplicate by then, and
that second submit must still run what waits. A reminder that waited until its moment had passed
(the patient wrote days later) is dropped with a notice, never sent after the fact.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from runtime.conversations.timers import ConversationTimers, timer_event
from runtime.engine.clock import ManualClock
from runtime.service.harness import BotHarness
from runtime.timers import ClaimedTimer, RetryLater

from .conftest import AGENDA, OpenBot
from .test_booking_timers import book_wednesday


async def _waiting(h: BotHarness) -> int:
    return int(await h.store.client.xlen(h.store.keys.inbox(h.key)))


async def _stuck_reminder(h: BotHarness, clock: ManualClock, *, lock_lease_ms: int = 0) -> ClaimedTimer:
    """Book Wed 08:00, reach Tue 08:00 and leave the 24 h reminder's event in the inbox, unrun, as a
    killed timers process does; with `lock_lease_ms`, the dead process also held the conversation."""
    await book_wednesday(h)
    clock.advance(timedelta(hours=23))
    timers = h.processor.services.timers
    assert timers is not None
    [claim] = (await timers.claim_due(clock.now())).timers
    event = timer_event(claim, clock.now())
    assert event is not None
    await h.store.enqueue(h.key, event, token="dead-process" if lock_lease_ms else "", lease_ms=lock_lease_ms or 1)
    assert await _waiting(h) == 1
    return claim


async def test_a_reminder_claimed_again_runs_what_its_dead_process_left(open_bot: OpenBot,
                                                                         clock: ManualClock) -> None:
    h = await open_bot(AGENDA)
    claim = await _stuck_reminder(h, clock)
    await ConversationTimers(h.processor)(claim)  # the claim after the lease: same fire key, a duplicate
    sent = await h.store.outbox(h.key, take=True)
    assert [m.text for m in sent] == ["Lembrete: quarta-feira, 04/03, às 08:00"]
    assert await _waiting(h) == 0


async def test_while_a_dead_process_still_holds_the_conversation_the_timer_is_retried(
        open_bot: OpenBot, clock: ManualClock) -> None:
    h = await open_bot(AGENDA)
    claim = await _stuck_reminder(h, clock, lock_lease_ms=300)
    deliver = ConversationTimers(h.processor)
    with pytest.raises(RetryLater):
        await deliver(claim)  # the lock is the dead process's until its lease ends
    while await h.store.client.exists(h.store.keys.lock(h.key)):
        await asyncio.sleep(0.05)  # the lease is Redis' own clock: wait for it to lapse
    await deliver(claim)
    assert [m.text for m in await h.store.outbox(h.key, take=True)] == ["Lembrete: quarta-feira, 04/03, às 08:00"]


async def test_with_a_work_signal_a_timer_whose_conversation_is_busy_is_done_and_the_conversation_signalled(
        open_bot: OpenBot, clock: ManualClock) -> None:
    # `papo serve`: the event waits in the inbox; a work signal (taken over after its lease like a
    # message's, should the holder die) runs it, so the timer is not claimed again and again meanwhile
    h = await open_bot(AGENDA)
    claim = await _stuck_reminder(h, clock, lock_lease_ms=300)
    signalled: list[object] = []

    async def busy(key: object) -> None:
        signalled.append(key)

    await ConversationTimers(h.processor, busy)(claim)  # no RetryLater: done
    assert signalled == [h.key] and await _waiting(h) == 1
    while await h.store.client.exists(h.store.keys.lock(h.key)):
        await asyncio.sleep(0.05)
    await h.processor.drain(h.key)  # what the work signal's consumer does
    assert [m.text for m in await h.store.outbox(h.key, take=True)] == ["Lembrete: quarta-feira, 04/03, às 08:00"]


async def test_a_timer_claimed_again_after_its_turn_committed_signals_the_conversation(
        open_bot: OpenBot, clock: ManualClock) -> None:
    # its first process ran the turn and died before the replies' signal: the reminder waits in the
    # outbox, and the claim after the lease (a duplicate) must get a worker to wake a sender for it
    h = await open_bot(AGENDA)
    claim = await _stuck_reminder(h, clock)
    await ConversationTimers(h.processor)(claim)  # the first process: the turn is committed
    assert await _waiting(h) == 0 and len(await h.store.outbox(h.key)) == 1
    signalled: list[object] = []

    async def busy(key: object) -> None:
        signalled.append(key)

    await ConversationTimers(h.processor, busy)(claim)  # the claim after the lease
    assert signalled == [h.key]


async def test_a_reminder_whose_moment_passed_is_dropped_not_sent_late(open_bot: OpenBot,
                                                                       clock: ManualClock) -> None:
    h = await open_bot(AGENDA)
    await _stuck_reminder(h, clock)
    clock.advance(timedelta(hours=22))  # Wed 06:00: the 2 h reminder's moment; the patient writes
    replies = await h.say("oi")
    assert not any("Lembrete" in m.text for m in replies)
    notices = [n for r in h.last for n in r.notices if n.get("kind") == "timer_ignored"]
    assert [n["why"] for n in notices] == ["a later reminder superseded it"]


async def test_a_reminder_past_its_lateness_limit_is_dropped(open_bot: OpenBot, clock: ManualClock) -> None:
    h = await open_bot(AGENDA)
    await _stuck_reminder(h, clock)
    clock.advance(timedelta(hours=2))  # Tue 10:00: an hour past the limit of the reminder due at 08:00
    replies = await h.say("oi")
    assert not any("Lembrete" in m.text for m in replies)
    notices = [n for r in h.last for n in r.notices if n.get("kind") == "timer_ignored"]
    assert [n["why"] for n in notices] == ["the reminder's moment has passed"]


async def test_a_reminder_after_the_appointment_is_dropped(open_bot: OpenBot, clock: ManualClock) -> None:
    h = await open_bot(AGENDA)
    await _stuck_reminder(h, clock)
    clock.advance(timedelta(days=2))
    replies = await h.say("oi")
    assert not any("Lembrete" in m.text for m in replies)
    notices = [n for r in h.last for n in r.notices if n.get("kind") == "timer_ignored"]
    assert [n["why"] for n in notices] == ["the appointment has started or is over"]
