"""Calendar feed keys (random, one per professional, rotated alone, the old one valid for a grace day),
the sign-in limit, and the audit log's five years."""

from __future__ import annotations

import time
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


async def test_the_audit_log_keeps_five_years(redis_client: Any, redis_prefix: str) -> None:
    from runtime.access import AuditEntry, AuditLog
    from runtime.keys import Keys

    log = AuditLog(redis_client, prefix=redis_prefix)
    old_ms = int((time.time() - 5 * 366 * 86400) * 1000)
    await redis_client.xadd(Keys(redis_prefix).audit(), {"action": "old"}, id=f"{old_ms}-0")
    recent_ms = int((time.time() - 4 * 365 * 86400) * 1000)
    await redis_client.xadd(Keys(redis_prefix).audit(), {"action": "kept"}, id=f"{recent_ms}-0")
    await log.write(AuditEntry("2026-03-02T12:00:00+00:00", "ana", "admin", "127.0.0.1", "GET /admin/users", "", 200,
                               "r1"))
    assert [e["action"] for e in await log.recent()] == ["GET /admin/users", "kept"]
