"""GET /metrics: the Prometheus text format, to the metrics token only, counting what the service did."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import service_helpers as h
from prometheus_client.parser import text_string_to_metric_families

from flows.messages import OutboundMessage
from runtime import metrics
from runtime.engine.clock import ManualClock
from runtime.engine.state import Conversation

TOKEN = "metrics-token-0123456789"


def _value(name: str, **labels: str) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


async def test_a_turn_is_counted_and_served_to_the_token(start: h.Start) -> None:
    app = await start(metrics_token=TOKEN)
    bot = app.service.library.name
    turns, sent = _value("papo_turns_total", bot=bot, result="ok"), _value(
        "papo_sends_total", bot=bot, channel="whatsapp", result="sent", code="")
    ok, bad = _value("papo_webhooks_total", channel="whatsapp", status="200"), _value(
        "papo_webhooks_total", channel="whatsapp", status="401")
    assert (await app.post(h.wa_body(messages=[h.wa_message("wamid.M1", "oi")]))).status == 200
    assert (await app.post(b"{}", headers={"X-Hub-Signature-256": "sha256=00"})).status == 401
    await h.wait_until(lambda: _sent(app))
    await h.wait_until(lambda: _grown("papo_sends_total", sent, bot=bot, channel="whatsapp", result="sent", code=""))

    assert (await app.client.get("/metrics")).status == 401
    assert (await app.client.get("/metrics", headers={"Authorization": "Bearer wrong"})).status == 401
    answer = await app.client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status == 200 and answer.headers["Content-Type"].startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(await answer.text())}
    assert _value("papo_turns_total", bot=bot, result="ok") == turns + 1
    assert _value("papo_webhooks_total", channel="whatsapp", status="200") == ok + 1
    assert _value("papo_webhooks_total", channel="whatsapp", status="401") == bad + 1
    assert _value("papo_turn_seconds_count", bot=bot) >= 1
    depth = {(s.labels["kind"], s.labels["partition"]) for s in families["papo_queue_depth"].samples
             if s.labels["bot"] == bot}
    assert depth == {(kind, str(p)) for kind in ("work", "send") for p in range(4)}  # every partition
    assert {s.labels["kind"] for s in families["papo_dead_letters"].samples if s.labels["bot"] == bot} == {
        "work", "send"}
    assert "5511987654321" not in await answer.text()  # labels never carry a user


async def test_a_closed_window_and_a_graph_error_code_are_counted(start: h.Start) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    app = await start(clock=clock)
    bot = app.service.library.name
    labels = {"bot": bot, "channel": "whatsapp"}
    window = _value("papo_window_refusals_total", **labels)
    refused = _value("papo_sends_total", **labels, result="refused", code="131026")
    old = Conversation(last_inbound_at=(clock.now() - timedelta(hours=25)).isoformat())
    await app.service.processor.store.commit(app.key, old, [OutboundMessage(id="r1", text="Sua consulta é amanhã")],
                                             expected_version=0)
    await app.service.sends.signal(app.key)
    await h.wait_until(lambda: _grown("papo_window_refusals_total", window, **labels))
    app.graph.answer(h.fakes.Reply(400, h.fakes.graph_error(131026, "Message Undeliverable")))
    await app.post(h.wa_body(messages=[h.wa_message("wamid.P1", "oi")]))
    await h.wait_until(lambda: _grown("papo_sends_total", refused, **labels, result="refused", code="131026"))
    assert _value("papo_window_refusals_total", **labels) == window + 1


async def test_metrics_are_off_without_their_token(start: h.Start) -> None:
    app = await start()
    answer = await app.client.get("/metrics", headers={"Authorization": "Bearer anything-at-all-here"})
    assert answer.status == 404 and "PAPO_METRICS_TOKEN" in await answer.text()


async def _sent(app: h.Running) -> bool:
    return len(app.graph.calls) >= 1


async def _grown(name: str, before: float, **labels: str) -> bool:
    return _value(name, **labels) > before


def test_the_grafana_dashboard_queries_only_metrics_papo_exports() -> None:
    dashboard = json.loads((Path(__file__).parents[2] / "deploy" / "grafana" / "papo-dashboard.json").read_text())
    exported = {m.name for m in metrics.REGISTRY.collect()}
    used = {re.sub(r"_(total|bucket|count|sum)$", "", name) for panel in dashboard["panels"]
            for target in panel["targets"] for name in re.findall(r"papo_[a-z_]+", target["expr"])}
    assert used and used <= exported, used - exported
