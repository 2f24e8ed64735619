"""The `http` node against a real CRM on loopback: the answer mapped into variables, a 5xx, a timeout,
a host not allowed (refused by the lint and at run time), retries of idempotent calls only, a secret
header from the environment, personal variables redacted unless the node sends them."""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from flows.integrations import HttpSettings
from flows.loader import check_bot
from flows.messages import InboundEvent
from runtime.engine.clock import ManualClock
from runtime.integrations import HostNotAllowed, HttpClient, HttpRequest, env_parts
from runtime.service.harness import BotHarness

from .fake_crm import FakeCrm

BOT = Path(__file__).parent / "bots" / "crm"
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
USER = "5511988887777"


@pytest.fixture
async def crm() -> AsyncIterator[FakeCrm]:
    fake = FakeCrm()
    await fake.start()
    yield fake
    await fake.aclose()


@pytest.fixture
async def harness(crm: FakeCrm, redis_client: aioredis.Redis, redis_prefix: str,
                  monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[BotHarness]:
    monkeypatch.setenv("CRM_URL", crm.url)
    monkeypatch.setenv("CRM_TOKEN", "s3cr3t-token")
    h = await BotHarness.open(BOT, client=redis_client, prefix=redis_prefix, clock=ManualClock(START), user=USER)
    yield h
    await h.aclose()


def texts(replies: list[object]) -> list[str]:
    return [getattr(r, "text") for r in replies]  # noqa: B009


async def test_the_answer_is_mapped_into_variables(harness: BotHarness, crm: FakeCrm) -> None:
    shown: list[int] = []

    async def typing(event: InboundEvent) -> None:  # the channel's "typing..." (Service.show_typing)
        shown.append(len(crm.requests))

    harness.processor.services.typing = typing
    assert texts(await harness.say("buscar")) == ["Olá, Joana Prado (Unimed)."]
    assert shown == [0]  # shown once, before the call went out
    state = await harness.state()
    assert state is not None and state.vars["paciente"] == "Joana Prado" and state.vars["status"] == 200
    [request] = crm.requests
    assert request["query"] == {"telefone": USER, "cpf": "[redacted]"}  # user allowed, cpf not
    assert request["headers"]["Authorization"] == "Bearer s3cr3t-token"
    notice = next(n for r in harness.last for n in r.notices if n["kind"] == "http")
    assert notice == {"kind": "http", "node": "buscar/consulta", "outcome": "ok", "status": 200}
    assert "s3cr3t" not in json.dumps(state.to_json()) and "s3cr3t" not in json.dumps(harness.last[0].notices)


async def test_a_5xx_after_the_retries_goes_to_on_error(harness: BotHarness, crm: FakeCrm) -> None:
    crm.statuses.extend([500, 500, 500])
    assert texts(await harness.say("buscar")) == ["O cadastro não respondeu (500)."]
    assert len(crm.requests) == 3  # a GET is tried again twice


async def test_an_idempotent_call_is_tried_again_until_it_works(harness: BotHarness, crm: FakeCrm) -> None:
    crm.statuses.extend([503, 502])
    assert texts(await harness.say("remover")) == ["Removido."]
    assert [r["method"] for r in crm.requests] == ["DELETE"] * 3


async def test_a_post_is_never_repeated(harness: BotHarness, crm: FakeCrm) -> None:
    crm.statuses.append(503)
    assert texts(await harness.say("anotar")) == ["Não anotei."]
    assert len(crm.requests) == 1


async def test_the_body_sends_only_the_personal_values_the_node_allows(harness: BotHarness, crm: FakeCrm) -> None:
    assert texts(await harness.say("anotar")) == ["Anotado."]
    body = crm.requests[0]["body"]
    assert body == {"telefone": "[redacted]", "cpf": "529.982.247-25", "assunto": "contato pelo cli", "vezes": 2}


async def test_no_answer_in_time_goes_to_on_timeout(harness: BotHarness, crm: FakeCrm) -> None:
    assert texts(await harness.say("lento")) == ["O cadastro demorou."]
    notice = next(n for r in harness.last for n in r.notices if n["kind"] == "http")
    assert notice["outcome"] == "timeout" and notice["error"] == "HttpTimedOut"


async def test_an_unset_base_url_refuses_the_call(harness: BotHarness, crm: FakeCrm,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRM_URL")
    assert texts(await harness.say("buscar")) == ["O cadastro não respondeu (None)."]
    notice = next(n for r in harness.last for n in r.notices if n["kind"] == "http")
    assert notice["error"] == "HostNotAllowed" and crm.requests == []
    typed: list[InboundEvent] = []

    async def typing(event: InboundEvent) -> None:
        typed.append(event)

    harness.processor.services.typing = typing
    await harness.say("buscar")
    assert typed == []  # no call left, so no "typing..." either


async def test_a_host_off_the_list_is_refused_at_run_time(crm: FakeCrm) -> None:
    client = HttpClient(HttpSettings(("crm.example.com",)), env={})
    with pytest.raises(HostNotAllowed, match="127.0.0.1"):
        await client.call(HttpRequest("GET", env_parts(f"{crm.url}/pacientes")))
    await client.aclose()
    assert crm.requests == []


async def test_a_variable_cannot_name_an_environment_variable(crm: FakeCrm) -> None:
    client = HttpClient(HttpSettings(("${CRM_URL}",)), env={"CRM_URL": crm.url, "CRM_TOKEN": "s3cr3t"})
    # what a patient typed, already rendered into the literal part, is never read as ${...}
    request = HttpRequest("GET", ((True, "CRM_URL"), (False, "/pacientes?nome=${CRM_TOKEN}")))
    assert (await client.call(request)).status == 200
    await client.aclose()
    assert crm.requests[0]["query"] == {"nome": "${CRM_TOKEN}"}


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "crm"
    shutil.copytree(BOT, root)
    return root


def test_the_lint_refuses_a_host_off_the_list(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    path = root / "flows" / "lento.json"
    flow = json.loads(path.read_text(encoding="utf-8"))
    flow["nodes"]["consulta"]["url"] = "https://api.example.org/lento"
    path.write_text(json.dumps(flow), encoding="utf-8")
    [issue] = check_bot(root).errors
    assert issue.code == "host-not-allowed" and issue.pointer == "/nodes/consulta/url"
    assert "api.example.org" in issue.message and "http.allow_hosts" in issue.hint


def test_the_lint_checks_templates_mapped_variables_and_secrets(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    path = root / "flows" / "buscar.json"
    flow = json.loads(path.read_text(encoding="utf-8"))
    node = flow["nodes"]["consulta"]
    node["url"] = "${CRM_URL}/pacientes?telefone={{ user }}&x={{ nao_existe }}"
    node["headers"] = {"Authorization": "Bearer abc123"}
    node["response"]["sobrenome"] = "/sobrenome"
    path.write_text(json.dumps(flow), encoding="utf-8")
    codes = sorted((i.code, i.pointer) for i in check_bot(root).errors)
    assert codes == [("literal-secret", "/nodes/consulta/headers/Authorization"),
                     ("undeclared-variable", "/nodes/consulta/response/sobrenome"),
                     ("undefined-variable", "/nodes/consulta/url")]


def test_the_lint_warns_when_a_personal_variable_would_be_redacted() -> None:
    warnings = [(i.code, i.file.rsplit("/", 1)[-1]) for i in check_bot(BOT).warnings]
    assert sorted(warnings) == [("sensitive-redacted", "buscar.json"), ("sensitive-redacted", "gravar.json")]
