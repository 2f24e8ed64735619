"""GET /metrics: the Prometheus text format, to the metrics token only, counting what the service did."""

from __future__ import annotations

import json
import re
from pathlib import Path

import service_helpers as h
from prometheus_client.parser import text_string_to_metric_families

from runtime import metrics

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
