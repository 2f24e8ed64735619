"""The container and deployment files agree with the code: every command they run parses with the real
`papo` parser and names a bot folder that exists, probes hit routes the app serves, and the shape the
docs promise holds (Redis with AOF, two workers, a non-root image with a health check, a disruption budget).
Docker is not run here: these read the files as Docker and Kubernetes would."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from runtime.cli.main import _parser
from runtime.service.app import build_app
from runtime.service.bot_service import ROLES
from runtime.service.redis_urls import parse
from runtime.service.settings import Settings

ROOT = Path(__file__).parents[1]


def _serves(args: list[str]) -> str:
    """The role of a `papo serve` command line, checked by the CLI's own parser."""
    parsed = _parser().parse_args(args)
    assert parsed.command == "serve", args
    assert all((ROOT / d / "bot.json").is_file() for d in parsed.botdir), parsed.botdir
    assert parsed.host == "0.0.0.0" and parsed.port == 8080
    assert parsed.role in ROLES
    return str(parsed.role)


def _routes() -> set[str]:
    app = build_app(Settings(), ROOT / "examples" / "clinic")
    return {r.canonical for r in app.router.resources()}


def test_the_dockerfile_builds_the_studio_then_a_slim_non_root_image_with_a_health_check() -> None:
    text = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", text, flags=re.M)
    assert stages[0].startswith("node:") and all(s.startswith("python:") and s.endswith("-slim") for s in stages[1:])
    assert "npm run build" in text and "COPY --from=studio /src/runtime/studio_static" in text
    user = re.findall(r"^USER (\S+)", text, flags=re.M)
    assert user and user[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", text, flags=re.M)
    cmd = re.search(r'^CMD \[(.*)\]', text, flags=re.M)
    assert cmd is not None
    _serves([a.strip().strip('"') for a in cmd.group(1).split(",")])
    assert "/healthz" in _routes()


def test_compose_runs_redis_with_aof_and_every_role_once_with_two_workers() -> None:
    compose: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    redis = services.pop("redis")
    assert "--appendonly" in redis["command"] and redis["command"][redis["command"].index("--appendonly") + 1] == "yes"
    roles = {}
    for name, service in services.items():
        roles[_serves(service["command"])] = service.get("deploy", {}).get("replicas", 1)
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"
        assert parse(service["environment"]["REDIS_URL"]).kind == "single"
        assert name == service["command"][service["command"].index("--role") + 1]
    assert roles == {"ingest": 1, "worker": 2, "sender": 1, "timers": 1}
    assert services["ingest"]["ports"] == ["8080:8080"]


def test_kubernetes_runs_a_deployment_per_role_with_probes_and_budgets() -> None:
    docs = [d for d in yaml.safe_load_all((ROOT / "deploy" / "k8s" / "papo.yaml").read_text()) if d]
    routes = _routes()
    deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
    roles = set()
    for deployment in deployments.values():
        pod = deployment["spec"]["template"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()
        [container] = pod["spec"]["containers"]
        roles.add(_serves(container["args"]))
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert {"/healthz", "/readyz", "/metrics"} <= routes
        assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
        assert pod["spec"]["terminationGracePeriodSeconds"] >= 10  # SIGTERM drains within a few seconds
    assert roles == {"ingest", "worker", "sender", "timers"}
    budgets = [d for d in docs if d["kind"] == "PodDisruptionBudget"]
    assert budgets
    for budget in budgets:
        selected = [d for d in deployments.values()
                    if budget["spec"]["selector"]["matchLabels"].items()
                    <= d["spec"]["template"]["metadata"]["labels"].items()]
        assert len(selected) == 1 and selected[0]["spec"]["replicas"] > budget["spec"]["minAvailable"]
