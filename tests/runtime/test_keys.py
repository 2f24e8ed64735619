"""Every Redis key papo writes comes from one builder, `runtime.keys.Keys`, in the layouts stored data has.

A new key family is a method of `Keys` and a row below; changing a row means stored data moves.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from redis.crc import key_slot

from runtime.keys import ConversationKey, Keys

ROOT = Path(__file__).parents[2]
KEYS = Keys("papo")
CONV = ConversationKey("clinica", "whatsapp", "5511999990000")
TAG = "{clinica:whatsapp:5511999990000}"

# family -> (how to build one, the key it must be)
LAYOUT: dict[str, tuple[Callable[[], object], object]] = {
    # one conversation, all under its hash tag
    "state": (lambda: KEYS.state(CONV), f"papo:{TAG}:state"),
    "inbox": (lambda: KEYS.inbox(CONV), f"papo:{TAG}:inbox"),
    "outbox": (lambda: KEYS.outbox(CONV), f"papo:{TAG}:outbox"),
    "lock": (lambda: KEYS.lock(CONV), f"papo:{TAG}:lock"),
    "seen": (lambda: KEYS.seen(CONV, "wamid.1"), f"papo:{TAG}:seen:wamid.1"),
    "address": (lambda: KEYS.address(CONV), f"papo:{TAG}:address"),
    "send_lock": (lambda: KEYS.send_lock(CONV), f"papo:{TAG}:sendlock"),
    "sending": (lambda: KEYS.sending(CONV), f"papo:{TAG}:sending"),
    "pace": (lambda: KEYS.pace(CONV), f"papo:{TAG}:pace"),
    "sent": (lambda: KEYS.sent(CONV), f"papo:{TAG}:sent"),
    "delivery": (lambda: KEYS.delivery(CONV, "wamid.out1"), f"papo:{TAG}:delivery:wamid.out1"),
    "failed": (lambda: KEYS.failed(CONV), f"papo:{TAG}:failed"),
    "transcript": (lambda: KEYS.transcript(CONV), f"papo:{TAG}:transcript"),
    "staff": (lambda: KEYS.staff(CONV), f"papo:{TAG}:staff"),
    "states": (lambda: KEYS.states("clinica"), "papo:{clinica:*}:state"),
    "consents": (lambda: KEYS.consents(CONV), f"papo:{TAG}:consents"),
    "decisions": (lambda: KEYS.decisions(CONV), "papo:decisions:clinica:whatsapp:5511999990000"),
    # one bot
    "signals": (lambda: (KEYS.signals("clinica", "work", 3), KEYS.signals("clinica", "send", 0)),
                ("papo:work:clinica:3", "papo:send:clinica:0")),
    "who": (lambda: KEYS.who("clinica", "9f2c"), "papo:who:clinica:9f2c"),
    "dead_signals": (lambda: KEYS.dead_signals("clinica", "work"), "papo:work:clinica:dead"),
    "failures": (lambda: KEYS.failures("clinica"), "papo:failures:clinica"),
    "handoffs": (lambda: KEYS.handoffs("clinica"), "papo:handoffs:clinica"),
    "inbox_feed": (lambda: KEYS.inbox_feed("clinica"), "papo:inboxfeed:clinica"),
    "requests": (lambda: KEYS.requests("clinica"), "papo:requests:clinica"),
    "erasures": (lambda: KEYS.erasures("clinica"), "papo:erasures:clinica"),
    "flow_version": (lambda: KEYS.flow_version("clinica", "menu", "ab12"), "papo:flowver:clinica:menu:ab12"),
    "llm_usage": (lambda: KEYS.llm_usage("clinica", "2026-03"), "papo:llm:clinica:usage:2026-03"),
    "llm_conversation": (lambda: KEYS.llm_conversation("clinica", "whatsapp:55119"),
                         "papo:llm:clinica:conv:whatsapp:55119"),
    "llm_history": (lambda: KEYS.llm_history("clinica", "whatsapp:55119"),
                    "papo:llm:clinica:conv:whatsapp:55119:history"),
    "llm_cache": (lambda: KEYS.llm_cache("clinica", "v1", "9f"), "papo:llm:clinica:cache:v1:9f"),
    "stats": (lambda: KEYS.stats("clinica", "menu", "ab12", "whatsapp", "2026-03-02"),
              "papo:{clinica}:stats:menu:ab12:whatsapp:2026-03-02"),
    "stats_index": (lambda: KEYS.stats_index("clinica"), "papo:{clinica}:stats"),
    "events": (lambda: KEYS.events(CONV), f"papo:{TAG}:events"),
    "event_cursors": (lambda: KEYS.event_cursors(CONV), f"papo:{TAG}:evcursor"),
    "event_due": (lambda: KEYS.event_due("clinica"), "papo:evdue:clinica"),
    "event_retry": (lambda: KEYS.event_retry("clinica"), "papo:evretry:clinica"),
    "event_log": (lambda: KEYS.event_log("clinica"), "papo:evlog:clinica"),
    "event_dead": (lambda: KEYS.event_dead("clinica"), "papo:evdead:clinica"),
    "events_of": (lambda: KEYS.events_of("clinica"), "papo:{clinica:*}:events"),
    # campaign runs
    "campaigns": (lambda: KEYS.campaigns("clinica"), "papo:campaigns:clinica"),
    "campaign": (lambda: KEYS.campaign("clinica", "retorno-1", "done"), "papo:campaign:clinica:retorno-1:done"),
    "campaign_day": (lambda: KEYS.campaign_day("clinica", "2026-03-02"), "papo:campaignday:clinica:2026-03-02"),
    "campaign_rate": (lambda: KEYS.campaign_rate("clinica", 1772452800), "papo:campaignrate:clinica:1772452800"),
    # patterns the studio scans with
    "states_of": (lambda: KEYS.states_of("clin*a"), "papo:{clin\\*a:*}:state"),
    "flow_versions_of": (lambda: KEYS.flow_versions_of("clinica", "menu"), "papo:flowver:clinica:menu:*"),
    "timer_shard": (lambda: (KEYS.timer_shard(2, bot="clinica").all(), KEYS.timer_shard(0).due),
                    ([f"papo:clinica:{{timers:2}}:{part}" for part in
                      ("due", "inflight", "body", "lease", "attempts", "skipped")], "papo:{timers:0}:due")),
    # staff access and oversight
    "users": (lambda: KEYS.users(), "papo:access:users"),
    "user": (lambda: KEYS.user("ana"), "papo:access:user:ana"),
    "token": (lambda: KEYS.token("0a1b"), "papo:access:token:0a1b"),
    "user_tokens": (lambda: KEYS.user_tokens("ana"), "papo:access:tokens:ana"),
    "login_failures": (lambda: KEYS.login_failures("10.0.0.1"), "papo:access:fail:10.0.0.1"),
    "audit": (lambda: KEYS.audit(), "papo:audit"),
    "feed_keys": (lambda: KEYS.feed_keys("clinica"), "papo:feeds:clinica"),
    "alerts": (lambda: KEYS.alerts("clinica"), "papo:alerts:clinica"),
    "holds": (lambda: KEYS.holds("clinica"), "papo:holds:clinica"),
    "incident": (lambda: KEYS.incident("inc-1"), "papo:incident:inc-1"),
    "incidents": (lambda: KEYS.incidents(), "papo:incidents"),
    # shared by the bots of a business number, or of a calendar
    "rate": (lambda: KEYS.rate("whatsapp", "1065", 1772452800), "papo:rate:whatsapp:1065:1772452800"),
    "calendar": (lambda: KEYS.calendar("clinica").script_keys("whatsapp:55119"),
                 [f"papo:{{cal:clinica}}:{part}" for part in
                  ("busy", "appts", "starts", "patient:whatsapp:55119", "holds", "holdexp", "holdof")]),
}


@pytest.mark.parametrize("family", sorted(LAYOUT))
def test_each_key_family_has_its_layout(family: str) -> None:
    build, expected = LAYOUT[family]
    assert build() == expected


def test_every_method_of_the_builder_is_listed_here() -> None:
    methods = {name for name, _ in inspect.getmembers(Keys, inspect.isfunction) if not name.startswith("_")}
    assert methods == set(LAYOUT), "a new key family needs its row in LAYOUT"


def test_the_prefix_leads_every_key() -> None:
    assert Keys("acme").state(CONV) == f"acme:{TAG}:state"
    assert Keys().failures("clinica") == "papo:failures:clinica"  # PAPO_KEY_PREFIX's default


def test_a_conversations_keys_share_one_cluster_slot() -> None:
    tagged = [KEYS.state(CONV), KEYS.inbox(CONV), KEYS.outbox(CONV), KEYS.lock(CONV), KEYS.seen(CONV, "x"),
              KEYS.address(CONV), KEYS.send_lock(CONV), KEYS.sending(CONV), KEYS.pace(CONV), KEYS.sent(CONV),
              KEYS.delivery(CONV, "y"), KEYS.failed(CONV), KEYS.transcript(CONV), KEYS.staff(CONV)]
    assert len({key_slot(key.encode()) for key in tagged}) == 1
    other = ConversationKey("clinica", "whatsapp", "5511888880000")
    assert key_slot(KEYS.state(other).encode()) != key_slot(KEYS.state(CONV).encode())


def test_no_other_module_spells_a_key() -> None:
    """Key strings start with the prefix: only the builder writes `f"{prefix}:` or `f"{self.prefix}:`."""
    spelled = re.compile(r"""f["'][^"']*\{[\w.]*prefix\}:""")
    found = [str(path.relative_to(ROOT)) for path in sorted((ROOT / "runtime").rglob("*.py"))
             if "keys" not in path.relative_to(ROOT / "runtime").parts[:1]
             and spelled.search(path.read_text(encoding="utf-8"))]
    assert found == []
