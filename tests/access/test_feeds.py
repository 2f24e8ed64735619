"""Calendar feed keys: random, one per professional, rotated alone, the old one valid for a grace day."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from runtime.access import FeedKeys, LoginLimiter
from runtime.engine.clock import ManualClock


async def test_rotating_one_feed_key_touches_no_other(redis_client: Any, redis_prefix: str) -> None:
    clock = ManualClock()
    keys = FeedKeys(redis_client, prefix=redis_prefix, bot="clinica", clock=clock)
    ana, bruno = await keys.key_for("dra_ana"), await keys.key_for("dr_bruno")
    assert len(ana) >= 32 and ana != bruno and await keys.key_for("dra_ana") == ana
    new = await keys.rotate("dra_ana")
    assert new != ana and await keys.check("dra_ana", new) and await keys.check("dra_ana", ana)
    assert await keys.check("dr_bruno", bruno) and not await keys.check("dr_bruno", ana)
    clock.advance(timedelta(days=1, seconds=1))
    assert not await keys.check("dra_ana", ana) and await keys.check("dra_ana", new)
    assert not await keys.check("dra_ana", "")


async def test_the_tenth_failure_blocks_the_address(redis_client: Any, redis_prefix: str) -> None:
    limiter = LoginLimiter(redis_client, prefix=redis_prefix)
    assert [await limiter.failed("10.0.0.7") for _ in range(10)] == [False] * 9 + [True]
    assert await limiter.blocked("10.0.0.7") and not await limiter.blocked("10.0.0.8")
    assert 590 <= await redis_client.ttl(f"{redis_prefix}:access:fail:10.0.0.7") <= 600
