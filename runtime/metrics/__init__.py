"""Process metrics in the Prometheus format (`prometheus-client`), one registry per process.

Every layer that does something worth counting records it here with one call; `GET /metrics`
(runtime.service.metrics_route) renders the registry, after reading the queue gauges from Redis.
Labels never carry a user id or a message: bot, channel, role, kinds and codes only.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.process_collector import ProcessCollector

__all__ = ["BOOKINGS", "DEAD_LETTERS", "INFO", "LLM_CALLS", "LLM_COST", "LLM_TOKENS", "QUEUE_DEPTH", "QUEUE_LAG",
           "QUEUE_PENDING", "REGISTRY", "SENDS", "TIMERS_FIRED", "TIMER_LATENESS", "TURNS", "TURN_SECONDS", "WEBHOOKS",
           "WINDOW_REFUSALS", "render"]

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)  # CPU, memory, open files of this process

TURNS = Counter("papo_turns", "Turns committed, by result (ok, failed: the bot's error message went out)",
                ["bot", "result"], registry=REGISTRY)
TURN_SECONDS = Histogram("papo_turn_seconds", "Time to run and commit one turn", ["bot"], registry=REGISTRY,
                         buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
WEBHOOKS = Counter("papo_webhooks", "Webhook requests answered, by channel and HTTP status",
                   ["channel", "status"], registry=REGISTRY)
QUEUE_DEPTH = Gauge("papo_queue_depth", "Signals not yet delivered to a consumer, per signal stream partition",
                    ["bot", "kind", "partition"], registry=REGISTRY)
QUEUE_PENDING = Gauge("papo_queue_pending", "Signals delivered and not yet acknowledged, per partition",
                      ["bot", "kind", "partition"], registry=REGISTRY)
QUEUE_LAG = Gauge("papo_queue_lag_seconds", "Age of the oldest signal not yet acknowledged (0: none waits)",
                  ["bot", "kind", "partition"], registry=REGISTRY)
DEAD_LETTERS = Gauge("papo_dead_letters", "Signals in the dead-letter stream", ["bot", "kind"], registry=REGISTRY)
SENDS = Counter("papo_sends", "Payload sends, by result (sent, retried, refused, exhausted) and the channel API's "
                "error code ('' when it answered none)", ["bot", "channel", "result", "code"], registry=REGISTRY)
WINDOW_REFUSALS = Counter("papo_window_refusals", "Messages not sent because the channel's reply window was closed",
                          ["bot", "channel"], registry=REGISTRY)
TIMERS_FIRED = Counter("papo_timers_fired", "Timers that fell due and ran, by kind and result",
                       ["kind", "result"], registry=REGISTRY)
TIMER_LATENESS = Histogram("papo_timer_lateness_seconds", "How late a timer ran after its due time", ["kind"],
                           registry=REGISTRY, buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600))
LLM_CALLS = Counter("papo_llm_calls", "LLM calls that answered", ["bot"], registry=REGISTRY)
LLM_TOKENS = Counter("papo_llm_tokens", "LLM tokens, by direction (in, out)", ["bot", "direction"], registry=REGISTRY)
LLM_COST = Counter("papo_llm_cost_usd", "LLM cost in US dollars, as priced in bot.json", ["bot"], registry=REGISTRY)
BOOKINGS = Counter("papo_bookings", "Appointment changes, by action (book, reschedule, cancel) and result",
                   ["bot", "action", "result"], registry=REGISTRY)
INFO = Gauge("papo_bot_info", "1 for each bot this process serves, with its role", ["bot", "role"],
             registry=REGISTRY)


def render() -> bytes:
    """The registry in the Prometheus text format (version 0.0.4)."""
    return generate_latest(REGISTRY)
