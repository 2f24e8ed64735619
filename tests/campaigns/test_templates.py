"""`papo templates sync` against a Graph API on loopback that pages its answer, and the checks of
every template a bot uses against the catalog it wrote."""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from flows.loader import load_bot
from runtime.campaigns.templates import CATALOG_FILE, campaign_issues
from runtime.cli.templates import sync

ROOT = Path(__file__).parents[2]
CAMPAIGN_BOT = ROOT / "tests" / "service" / "bots" / "campaign"
CLINIC = ROOT / "examples" / "clinic"
WABA = "102290129340398"


def _template(name: str, *, language: str = "pt_BR", status: str = "APPROVED", category: str = "MARKETING",
              body: str = "Oi, {{1}}! Temos novidades.") -> dict[str, Any]:
    return {"name": name, "language": language, "status": status, "category": category, "id": f"id-{name}",
            "components": [{"type": "HEADER", "format": "TEXT", "text": "Clínica Sorriso"},
                           {"type": "BODY", "text": body},
                           {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Sim"},
                                                           {"type": "QUICK_REPLY", "text": "Agora não"}]}]}


class TemplatesGraph:
    """GET /{version}/{waba}/message_templates, two templates a page, `paging.next` as Meta gives it."""

    def __init__(self, templates: list[dict[str, Any]]) -> None:
        self.templates = templates
        self.calls: list[dict[str, str]] = []
        self.app = web.Application()
        self.app.router.add_get("/{version}/{waba}/message_templates", self.page)

    async def page(self, request: web.Request) -> web.Response:
        self.calls.append({"waba": request.match_info["waba"], "auth": request.headers.get("Authorization", ""),
                           **request.query})
        if request.headers.get("Authorization") != "Bearer wa-token":
            return web.json_response({"error": {"message": "Invalid OAuth access token", "type": "OAuthException",
                                                "code": 190}}, status=401)
        start = int(request.query.get("after", "0"))
        body: dict[str, Any] = {"data": self.templates[start:start + 2]}
        if start + 2 < len(self.templates):
            body["paging"] = {"cursors": {"after": str(start + 2)},
                              "next": str(request.url.with_query({**request.query, "after": str(start + 2)}))}
        return web.json_response(body)


@pytest.fixture
async def graph() -> AsyncIterator[tuple[TemplatesGraph, str]]:
    fake = TemplatesGraph([_template("oferta_limpeza"), _template("aviso", category="UTILITY", body="Aviso."),
                           _template("oferta_limpeza", language="en_US"),
                           _template("promo_pendente", status="PENDING"),
                           _template("retorno_consulta", body="Oi, {{1}}! Faz 6 meses da sua última consulta.")])
    server = TestServer(fake.app, host="127.0.0.1", port=0)
    await server.start_server()
    yield fake, str(server.make_url("")).rstrip("/")
    await server.close()


def _env(url: str, **more: str) -> dict[str, str]:
    return {"WHATSAPP_TOKEN": "wa-token", "WHATSAPP_BUSINESS_ACCOUNT_ID": WABA, "GRAPH_BASE_URL": url, **more}


async def test_sync_reads_every_page_into_the_catalog(graph: tuple[TemplatesGraph, str], tmp_path: Path) -> None:
    fake, url = graph
    bot = tmp_path / "bot"
    shutil.copytree(CAMPAIGN_BOT, bot)
    assert await sync(bot, env=_env(url)) == 0
    assert len(fake.calls) == 3 and {c["waba"] for c in fake.calls} == {WABA}
    catalog = json.loads((bot / CATALOG_FILE).read_text(encoding="utf-8"))["templates"]
    assert [(t["name"], t["language"]) for t in catalog] == [
        ("aviso", "pt_BR"), ("oferta_limpeza", "en_US"), ("oferta_limpeza", "pt_BR"), ("promo_pendente", "pt_BR"),
        ("retorno_consulta", "pt_BR")]
    offer = catalog[2]
    assert offer["parameters"] == 1 and offer["category"] == "MARKETING" and offer["buttons"] == ["Sim", "Agora não"]
    assert campaign_issues(bot, load_bot(bot)) == []  # every template the bot uses is there and fits


async def test_sync_says_what_is_missing_or_refused(graph: tuple[TemplatesGraph, str], tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    _, url = graph
    bot = tmp_path / "bot"
    shutil.copytree(CAMPAIGN_BOT, bot)
    assert await sync(bot, env={"WHATSAPP_TOKEN": "wa-token"}) == 1
    assert "set WHATSAPP_BUSINESS_ACCOUNT_ID" in capsys.readouterr().out
    assert await sync(tmp_path, env=_env(url)) == 2  # not a bot folder
    assert await sync(bot, env=_env(url, WHATSAPP_TOKEN="expired")) == 1
    assert "190" in capsys.readouterr().out and not (bot / CATALOG_FILE).exists()


def _with_catalog(tmp_path: Path, templates: list[dict[str, Any]]) -> Path:
    bot = tmp_path / "bot"
    shutil.copytree(CAMPAIGN_BOT, bot)
    (bot / CATALOG_FILE).write_text(json.dumps({"templates": templates}), encoding="utf-8")
    return bot


@pytest.mark.parametrize(("change", "code", "needle"), [
    ({"name": "outro"}, "unknown-template", "'oferta_limpeza' is not in templates.json"),
    ({"language": "en_US"}, "template-language", "no 'pt_BR' version"),
    ({"status": "REJECTED"}, "template-not-approved", "REJECTED"),
    ({"parameters": 2}, "template-parameters", "takes 2 parameter(s); 1 given"),
    ({"category": "UTILITY"}, "template-category", "a marketing message needs a MARKETING template"),
])
def test_lint_finds_each_kind_of_wrong_template(tmp_path: Path, change: dict[str, Any], code: str,
                                                 needle: str) -> None:
    offer = {"name": "oferta_limpeza", "language": "pt_BR", "status": "APPROVED", "category": "MARKETING",
             "parameters": 1, **change}
    notice = {"name": "aviso", "language": "pt_BR", "status": "APPROVED", "category": "UTILITY", "parameters": 0}
    bot = _with_catalog(tmp_path, [offer, notice])
    [issue] = campaign_issues(bot, load_bot(bot))
    assert issue.code == code and needle in issue.message and issue.pointer == "/campaigns/limpeza/template"
    assert issue.hint


def test_lint_checks_campaign_flows_and_the_clinic_passes(tmp_path: Path) -> None:
    bot = _with_catalog(tmp_path, [])
    data = json.loads((bot / "campaigns.json").read_text(encoding="utf-8"))
    data["campaigns"]["limpeza"]["flow"] = "oi"  # starts with an end node, not the question the template asks
    data["campaigns"]["sentinela"]["flow"] = "nenhum"
    (bot / "campaigns.json").write_text(json.dumps(data), encoding="utf-8")
    messages = [str(i) for i in campaign_issues(bot, load_bot(bot))]
    assert any("starts with a end node" in m for m in messages) and any("'nenhum' does not exist" in m
                                                                        for m in messages)
    data["campaigns"]["sentinela"] |= {"purpose": "spam", "audience": {"last_visit_before": "seis meses"}}
    (bot / "campaigns.json").write_text(json.dumps(data), encoding="utf-8")
    messages = [str(i) for i in campaign_issues(bot, load_bot(bot))]
    assert any("purpose 'spam'" in m for m in messages) and any("is not a duration" in m for m in messages)
    assert campaign_issues(CLINIC, load_bot(CLINIC)) == []  # the example: recall campaign and reminders fit
