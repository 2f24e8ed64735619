"""The studio's API on a copy of the clinic, served on 127.0.0.1 over a real Redis (docs/studio.md)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient, TestServer

from flows.nodes import KINDS
from runtime.cli.testrun import run_tests
from runtime.service.settings import Settings
from runtime.service.studio.auth import Access
from runtime.service.studio.local import local_app

CLINIC = Path(__file__).parents[2] / "examples" / "clinic"
WRITE = {"X-Papo-Studio": "1"}
MONDAY = "2026-03-02T12:00:00+00:00"  # 09:00 in São Paulo, as the clinic's own tests start


@dataclass
class Running:
    client: TestClient  # type: ignore[type-arg]
    root: Path
    access: Access

    async def get(self, path: str, status: int = 200) -> Any:
        response = await self.client.get(f"/studio/api/{path}")
        assert response.status == status, await response.text()
        return await response.json()

    async def call(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        response = await self.client.request(method, f"/studio/api/{path}", json=body, headers=WRITE)
        assert response.status == status, await response.text()
        return await response.json() if response.status != 204 else None

    def flow_path(self, flow_id: str) -> Path:
        return self.root / "flows" / f"{flow_id}.json"


def _copy_bot(tmp_path: Path) -> Path:
    root = tmp_path / "clinic"
    shutil.copytree(CLINIC, root, ignore=shutil.ignore_patterns(".papo-studio"))
    return root


async def _open(root: Path, redis_client: aioredis.Redis, prefix: str) -> tuple[TestClient, Access]:  # type: ignore[type-arg]
    access = Access()
    app = local_app(root, Settings(key_prefix=prefix), access, client=redis_client)
    client = TestClient(TestServer(app, host="127.0.0.1", port=0))
    await client.start_server()
    return client, access


@pytest.fixture
async def studio(tmp_path: Path, redis_client: aioredis.Redis, redis_prefix: str) -> AsyncIterator[Running]:
    root = _copy_bot(tmp_path)
    client, access = await _open(root, redis_client, redis_prefix)
    login = await client.get(f"/studio/?token={access.login_token()}", allow_redirects=False)
    assert login.status == 302
    yield Running(client, root, access)
    await client.close()


# -- auth ------------------------------------------------------------------------------------------------

async def test_the_api_needs_the_cookie_the_one_time_token_gives(tmp_path: Path, redis_client: aioredis.Redis,
                                                                 redis_prefix: str) -> None:
    client, access = await _open(_copy_bot(tmp_path), redis_client, redis_prefix)
    try:
        refused = await client.get("/studio/api/bot")
        assert refused.status == 401
        assert "papo studio" in (await refused.json())["error"]
        assert refused.headers["Content-Security-Policy"].startswith("default-src 'self'")
        token = access.login_token()
        login = await client.get(f"/studio/?token={token}", allow_redirects=False)
        assert login.status == 302 and login.headers["Location"] == "/studio/"
        cookie = login.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "papo_studio=" in cookie
        assert (await client.get("/studio/api/bot")).status == 200
        client.session.cookie_jar.clear()
        again = await client.get(f"/studio/?token={token}", allow_redirects=False)
        assert again.status == 401  # spent
        assert (await client.get("/studio/api/bot")).status == 401
    finally:
        await client.close()


async def test_a_change_needs_the_csrf_header_and_the_same_origin(studio: Running) -> None:
    body = {"json": {"id": "menu"}}
    bare = await studio.client.put("/studio/api/drafts/menu", json=body)
    assert bare.status == 403 and "X-Papo-Studio" in (await bare.json())["error"]
    foreign = await studio.client.put("/studio/api/drafts/menu", json=body,
                                      headers={**WRITE, "Origin": "https://evil.example"})
    assert foreign.status == 403
    cross = await studio.client.put("/studio/api/drafts/menu", json=body,
                                    headers={**WRITE, "Sec-Fetch-Site": "cross-site"})
    assert cross.status == 403
    assert (await studio.client.put("/studio/api/drafts/menu", json=body, headers=WRITE)).status == 200


async def test_the_pages_say_how_to_build_them_when_missing(studio: Running, tmp_path: Path) -> None:
    from runtime.service.studio.api import STUDIO

    app = next(a for a in studio.client.app._subapps)  # the mounted studio
    app[STUDIO].static = tmp_path / "no-build"
    page = await studio.client.get("/studio/")
    assert page.status == 503 and "make studio" in await page.text()
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    built = tmp_path / "built"
    (built / "assets").mkdir(parents=True)
    (built / "index.html").write_text("<!doctype html><title>studio</title>", encoding="utf-8")
    (built / "assets" / "app.js").write_text("console.log(1)", encoding="utf-8")
    app[STUDIO].static = built
    assert "studio" in await (await studio.client.get("/studio/")).text()
    assert (await studio.client.get("/studio/assets/app.js")).status == 200
    assert "studio" in await (await studio.client.get("/studio/flows/menu")).text()  # the app's own routes
    unknown = await studio.client.get("/studio/api/nothing-here")
    assert unknown.status in (401, 404)


async def test_a_broken_bot_opens_to_be_fixed(tmp_path: Path, redis_client: aioredis.Redis, redis_prefix: str) -> None:
    root = tmp_path / "broken"
    shutil.copytree(Path(__file__).parents[1] / "flows" / "broken" / "unknown-option-target", root)
    client, access = await _open(root, redis_client, redis_prefix)
    try:
        await client.get(f"/studio/?token={access.login_token()}")
        bot = await (await client.get("/studio/api/bot")).json()
        assert sum(f["errors"] for f in bot["flows"]) >= 1
        flow_id = bot["flows"][0]["id"]
        flow = await (await client.get(f"/studio/api/flows/{flow_id}")).json()
        assert flow["json"]["id"] == flow_id
        chat = await client.post("/studio/api/chat", json={}, headers=WRITE)
        assert chat.status == 422 and (await chat.json())["issues"]
    finally:
        await client.close()


# -- reading ---------------------------------------------------------------------------------------------

async def test_bot_lists_flows_variables_calendar_and_intents(studio: Running) -> None:
    bot = await studio.get("bot")
    assert bot["name"] == "clinica-sorriso" and bot["default_locale"] == "pt-BR"
    menu = next(f for f in bot["flows"] if f["id"] == "menu")
    assert menu["file"] == "flows/menu.json" and menu["errors"] == 0
    nome = next(v for v in bot["variables"] if v["name"] == "nome")
    assert "pii" in nome["tags"] and {"flow": "boas_vindas", "node": "pedir_nome"} in nome["set_in"]
    assert nome["used_in"]
    assert "consulta" in bot["calendar"]["services"] and bot["calendar"]["professionals"]
    assert bot["intents"] and bot["faq_tags"]
    assert bot["entry_flow"] == "boas_vindas" and {"flow": "menu"}.items() <= bot["interrupts"][0].items()
    assert (await studio.get("variables"))["variables"] == bot["variables"]


async def test_schema_gives_every_kind_its_fields_exits_and_hints(studio: Running) -> None:
    found = await studio.get("schema")
    assert "flow.schema.json" in found["schemas"]
    kinds = found["kinds"]
    assert sorted(kinds) == sorted(k.kind for k in KINDS)  # every kind papo knows, none more
    ask = kinds["ask"]
    assert [e["path"] for e in ask["exits"]] == ["options/*/next", "on_invalid", "next", "timeouts/*/next"]
    assert next(f for f in ask["fields"] if f["name"] == "text")["locale_text"] is True
    assert ask["ui"]["color"]
    assert [e["path"] for e in kinds["branch"]["exits"]] == ["cases/*/next", "default"]
    assert all(k["fields"] and k["ui"] for k in kinds.values())


async def test_a_flow_comes_with_its_exact_text_and_digest(studio: Running) -> None:
    import hashlib

    flow = await studio.get("flows/menu")
    raw = studio.flow_path("menu").read_bytes()
    assert flow["text"] == raw.decode() and flow["sha256"] == hashlib.sha256(raw).hexdigest()
    assert flow["json"]["id"] == "menu" and flow["draft"] is None
    missing = await studio.get("flows/nope", status=404)
    assert "menu" in missing["error"]


# -- lint, drafts ------------------------------------------------------------------------------------------

def _with_text(flow: dict[str, Any], node: str, text: str) -> dict[str, Any]:
    changed = json.loads(json.dumps(flow))
    changed["nodes"][node]["text"] = text
    return changed


async def test_validate_puts_the_issue_on_its_node_and_field_and_writes_nothing(studio: Running) -> None:
    flow = await studio.get("flows/boas_vindas")
    before = studio.flow_path("boas_vindas").read_bytes()
    node = next(n for n, v in flow["json"]["nodes"].items() if v["kind"] == "send")
    found = await studio.call("POST", "validate", {"flows": {"boas_vindas": _with_text(flow["json"], node,
                                                                                        "Oi {{ nomee }}!")}})
    issue = next(i for i in found["issues"] if "nomee" in i["message"])
    assert (issue["flow"], issue["node"], issue["field"], issue["severity"]) == ("boas_vindas", node, "text", "error")
    assert issue["file"] == "flows/boas_vindas.json" and issue["line"] and issue["hint"]
    assert studio.flow_path("boas_vindas").read_bytes() == before
    bad = await studio.call("POST", "validate", {"flows": []}, status=400)
    assert "flows" in bad["error"]


async def test_drafts_are_kept_beside_the_bot_and_git_ignored(studio: Running) -> None:
    flow = await studio.get("flows/menu")
    draft = _with_text(flow["json"], "escolha", "Rascunho")
    saved = await studio.call("PUT", "drafts/menu", {"json": draft})
    assert saved["saved_at"]
    assert (await studio.get("flows/menu"))["draft"] == draft
    assert (studio.root / ".papo-studio" / ".gitignore").read_text(encoding="utf-8").strip().endswith("*")
    assert next(f for f in (await studio.get("bot"))["flows"] if f["id"] == "menu")["draft"] is True
    await studio.call("DELETE", "drafts/menu", status=204)
    assert (await studio.get("flows/menu"))["draft"] is None
    await studio.call("PUT", "drafts/..%2Fbot", {"json": {}}, status=400)


# -- publishing ---------------------------------------------------------------------------------------------

async def _one_text_change(studio: Running, flow_id: str = "boas_vindas") -> tuple[dict[str, Any], dict[str, Any], str]:
    flow = await studio.get(f"flows/{flow_id}")
    node = next(n for n, v in flow["json"]["nodes"].items() if v["kind"] == "send" and isinstance(v.get("text"), str))
    return flow, _with_text(flow["json"], node, "Olá! Bem-vindo à Clínica Sorriso."), node


async def test_publish_changes_exactly_the_edited_line_of_a_hand_formatted_file(studio: Running) -> None:
    flow, changed, node = await _one_text_change(studio)
    old_lines = flow["text"].splitlines()
    preview = await studio.call("POST", "publish/preview",
                                {"flows": {"boas_vindas": {"json": changed, "if_match": flow["sha256"]}}})
    diff = preview["diff"]["boas_vindas"]
    assert diff["changed_lines"] == 2  # one line out, one line in
    assert diff["semantic"] == [{"node": node, "change": "changed", "fields": [
        {"path": "text", "kind": "text", "locale": None, "before": flow["json"]["nodes"][node]["text"],
         "after": "Olá! Bem-vindo à Clínica Sorriso."}]}]
    assert preview["live_conversations"] == {"boas_vindas": 0}
    body = {"flows": {"boas_vindas": {"json": changed, "if_match": flow["sha256"]}}, "message": "Nova saudação"}
    done = await studio.call("POST", "publish", body)
    new_text = studio.flow_path("boas_vindas").read_text(encoding="utf-8")
    new_lines = new_text.splitlines()
    assert len(new_lines) == len(old_lines)
    differing = [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b]
    assert len(differing) == 1 and "Bem-vindo à Clínica Sorriso" in new_lines[differing[0]]
    assert done["published"]["boas_vindas"]["sha256"] == (await studio.get("flows/boas_vindas"))["sha256"]
    assert done["commit"] is None


async def test_lint_errors_refuse_the_publish_and_leave_the_bytes(studio: Running) -> None:
    flow, changed, node = await _one_text_change(studio)
    changed["nodes"][node]["next"] = "no_such_node"
    before = studio.flow_path("boas_vindas").read_bytes()
    refused = await studio.call("POST", "publish", {"flows": {"boas_vindas": {"json": changed,
                                                                              "if_match": flow["sha256"]}}},
                                status=422)
    assert refused["issues"] and all(i["severity"] == "error" for i in refused["issues"])
    assert "no_such_node" in json.dumps(refused["issues"], ensure_ascii=False)
    assert studio.flow_path("boas_vindas").read_bytes() == before
    assert not list((studio.root / "flows").glob(".*tmp"))


async def test_warnings_need_a_confirmation(studio: Running) -> None:
    flow = await studio.get("flows/menu")
    changed = json.loads(json.dumps(flow["json"]))
    changed["nodes"]["escolha"]["options"][0]["title"] = "Um título longo demais para um botão"
    body = {"flows": {"menu": {"json": changed, "if_match": flow["sha256"]}}}
    before = studio.flow_path("menu").read_bytes()
    refused = await studio.call("POST", "publish", body, status=409)
    assert refused["issues"] and all(i["severity"] == "warning" for i in refused["issues"])
    assert "confirm_warnings" in refused["error"]
    assert studio.flow_path("menu").read_bytes() == before
    await studio.call("POST", "publish", {**body, "confirm_warnings": True})
    assert "longo demais" in studio.flow_path("menu").read_text(encoding="utf-8")


async def test_a_stale_base_is_refused_with_the_file_and_a_per_node_merge(studio: Running) -> None:
    flow = await studio.get("flows/menu")
    ours = json.loads(json.dumps(flow["json"]))
    ours["nodes"]["escolha"]["text"] = "Como posso ajudar hoje?"
    theirs = json.loads(flow["text"])
    other = next(n for n in theirs["nodes"] if n != "escolha" and theirs["nodes"][n]["kind"] == "call")
    theirs["nodes"][other]["description"] = "editado no disco"
    from flows.jsonedit import apply

    studio.flow_path("menu").write_text(apply(flow["text"], theirs), encoding="utf-8")
    on_disk = studio.flow_path("menu").read_bytes()
    stale = await studio.call("POST", "publish", {"flows": {"menu": {"json": ours, "if_match": flow["sha256"]}}},
                              status=412)
    assert stale["current"]["text"] == on_disk.decode() and stale["current"]["json"] == theirs
    merge = stale["merge"]["menu"]
    assert merge["conflicts"] == []
    assert merge["merged"]["nodes"]["escolha"]["text"] == "Como posso ajudar hoje?"
    assert merge["merged"]["nodes"][other]["description"] == "editado no disco"
    assert studio.flow_path("menu").read_bytes() == on_disk
    review = await studio.call("POST", "publish/preview", {"flows": {"menu": {"json": ours,
                                                                             "if_match": flow["sha256"]}}},
                               status=412)
    assert review["merge"] == stale["merge"]
    both = json.loads(json.dumps(theirs))
    both["nodes"][other]["description"] = "outra coisa"
    clash = await studio.call("POST", "publish", {"flows": {"menu": {"json": both, "if_match": flow["sha256"]}}},
                              status=412)
    assert clash["merge"]["menu"]["conflicts"] == [other]
    await studio.call("POST", "publish", {"flows": {"menu": {"json": merge["merged"],
                                                             "if_match": stale["current"]["sha256"]}}})
    assert json.loads(studio.flow_path("menu").read_text(encoding="utf-8")) == merge["merged"]


async def test_layout_is_saved_apart_and_refuses_a_stale_base(studio: Running) -> None:
    first = await studio.get("layout")
    saved = await studio.call("PUT", "layout/menu", {"layout": {"escolha": {"x": 10, "y": 20.5}},
                                                     "if_match": first["sha256"]})
    data = json.loads((studio.root / "layout.json").read_text(encoding="utf-8"))
    assert data["menu"] == {"escolha": {"x": 10, "y": 20.5}}
    assert (await studio.get("flows/menu"))["layout"] == {"escolha": {"x": 10, "y": 20.5}}
    await studio.call("PUT", "layout/menu", {"layout": {"escolha": {"x": 1, "y": 1}}, "if_match": first["sha256"]},
                      status=412)
    await studio.call("PUT", "layout/menu", {"layout": {"escolha": {"x": "far"}}, "if_match": saved["sha256"]},
                      status=400)
    assert (await studio.get("bot"))["issues"] == []  # layout.json follows its schema


# -- versions ----------------------------------------------------------------------------------------------

def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


async def test_versions_diff_and_rollback_through_the_same_gate(studio: Running) -> None:
    _git(studio.root, "init", "-q")
    _git(studio.root, "-c", "user.name=Clinic", "-c", "user.email=clinic@example.com", "add", ".")
    _git(studio.root, "-c", "user.name=Clinic", "-c", "user.email=clinic@example.com", "commit", "-qm", "First")
    original = studio.flow_path("boas_vindas").read_bytes()
    flow, changed, _ = await _one_text_change(studio)
    _git(studio.root, "config", "user.name", "Editor")
    _git(studio.root, "config", "user.email", "editor@example.com")
    body = {"flows": {"boas_vindas": {"json": changed, "if_match": flow["sha256"]}}, "message": "Nova saudação",
            "git_commit": True}
    done = await studio.call("POST", "publish", body)
    assert done["commit"] and _git(studio.root, "log", "-1", "--format=%s").strip() == "Nova saudação"
    listed = (await studio.get("versions?flow=boas_vindas"))["versions"]
    git_versions = [v for v in listed if v["source"] == "git"]
    assert [v["message"] for v in git_versions] == ["Nova saudação", "First"]
    assert all(v["digest"] for v in git_versions) and "live_conversations" in listed[0]
    compared = await studio.get(f"diff?flow=boas_vindas&a={git_versions[1]['id']}&b={git_versions[0]['id']}")
    assert compared["changed_lines"] == 2 and compared["semantic"][0]["change"] == "changed"
    await studio.get("diff?flow=boas_vindas&a=zzz&b=current", status=400)
    rolled = await studio.call("POST", "rollback", {"flow": "boas_vindas", "version": git_versions[1]["id"],
                                                    "message": "Volta a saudação", "git_commit": True})
    assert studio.flow_path("boas_vindas").read_bytes() == original
    assert rolled["commit"] and _git(studio.root, "log", "-1", "--format=%s").strip() == "Volta a saudação"


async def test_versions_outside_git_come_from_the_archive(studio: Running) -> None:
    original = studio.flow_path("boas_vindas").read_bytes()
    flow, changed, node = await _one_text_change(studio)
    await studio.call("POST", "publish", {"flows": {"boas_vindas": {"json": changed, "if_match": flow["sha256"]}}})
    again = _with_text(changed, node, "Oi de novo!")
    current = await studio.get("flows/boas_vindas")
    await studio.call("POST", "publish", {"flows": {"boas_vindas": {"json": again, "if_match": current["sha256"]}}})
    listed = (await studio.get("versions?flow=boas_vindas"))["versions"]
    assert listed[0]["id"] == "current"
    archived = [v for v in listed if v["source"] == "archive"]
    assert len(archived) == 2  # the version loaded at start and the first publish; the second is current
    from flows.loader import digest_of

    first = next(v for v in archived if v["digest"] == digest_of(json.loads(original)))
    compared = await studio.get(f"diff?flow=boas_vindas&a={first['id']}&b=current")
    assert compared["semantic"][0]["node"] == node
    await studio.call("POST", "rollback", {"flow": "boas_vindas", "version": first["id"]})
    assert json.loads(studio.flow_path("boas_vindas").read_bytes()) == json.loads(original)
    assert studio.flow_path("boas_vindas").read_bytes() == original  # the formatting too


async def test_rollback_to_a_broken_version_is_refused(studio: Running) -> None:
    _git(studio.root, "init", "-q")
    _git(studio.root, "config", "user.name", "Editor")
    _git(studio.root, "config", "user.email", "editor@example.com")
    good = studio.flow_path("boas_vindas").read_text(encoding="utf-8")
    data = json.loads(good)
    data["entry"] = "nowhere"
    studio.flow_path("boas_vindas").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    _git(studio.root, "add", ".")
    _git(studio.root, "commit", "-qm", "Broken")
    studio.flow_path("boas_vindas").write_text(good, encoding="utf-8")
    _git(studio.root, "commit", "-qam", "Fixed")
    broken = next(v for v in (await studio.get("versions?flow=boas_vindas"))["versions"] if v["message"] == "Broken")
    refused = await studio.call("POST", "rollback", {"flow": "boas_vindas", "version": broken["id"]}, status=422)
    assert refused["issues"]
    assert studio.flow_path("boas_vindas").read_text(encoding="utf-8") == good


# -- test chat -----------------------------------------------------------------------------------------------

async def test_oi_gets_the_greeting_and_the_menu_as_a_whatsapp_list(studio: Running) -> None:
    chat = await studio.call("POST", "chat", {"channel": "whatsapp", "start": None, "flows": {}, "clock": MONDAY})
    assert chat["messages"] == [] and chat["now"].startswith("2026-03-02T12:00")
    first = await studio.call("POST", f"chat/{chat['chat']}/say", {"text": "oi"})
    texts = [m["text"] for m in first["messages"]]
    assert texts[0].startswith("Olá! Eu sou a assistente virtual da Clínica Sorriso")
    assert first["waiting"] == {"flow": "boas_vindas", "node": "pedir_nome", "kind": "input"}
    assert {"flow": "boas_vindas", "node": "pedir_nome"} in first["trace"]
    assert any(d["kind"] == "decision" for d in first["decisions"])
    assert any(line.startswith("step=") for line in first["explain"])  # the /debug lines of papo chat
    menu = await studio.call("POST", f"chat/{chat['chat']}/say", {"text": "Maria"})
    assert menu["variables"]["nome"] == "***"  # pii, masked
    options = menu["messages"][-1]
    whatsapp = options["rendered"]["whatsapp"]
    assert whatsapp["payloads"][-1]["type"] == "interactive"
    assert whatsapp["payloads"][-1]["interactive"]["type"] == "list"  # nine options: a list, not buttons
    assert whatsapp["notes"] == []
    assert set(options["rendered"]) == {"whatsapp", "messenger", "instagram", "web"}
    pressed = await studio.call("POST", f"chat/{chat['chat']}/say", {"button": "agendar"})
    assert "Qual especialidade" in pressed["messages"][0]["text"]
    await studio.call("POST", f"chat/{chat['chat']}/say", {}, status=400)
    await studio.call("POST", "chat/nope/say", {"text": "oi"}, status=404)
    await studio.call("DELETE", f"chat/{chat['chat']}", status=204)
    ended = await studio.call("POST", f"chat/{chat['chat']}/say", {"text": "oi"}, status=404)
    assert "start a new one" in ended["error"]
    calls = (await studio.get(""))["calls"]
    assert "POST publish" in calls and "GET events" in calls


async def test_a_returning_patient_gets_the_greeting_and_the_menu_as_a_whatsapp_list_at_once(studio: Running) -> None:
    chat = await studio.call("POST", "chat", {"channel": "whatsapp", "vars": {"nome": "Maria"}})
    said = await studio.call("POST", f"chat/{chat['chat']}/say", {"text": "oi"})
    texts = [m["text"] for m in said["messages"]]
    assert texts[0].startswith("Olá! Eu sou a assistente virtual da Clínica Sorriso")
    menu = said["messages"][-1]["rendered"]["whatsapp"]["payloads"][-1]
    assert menu["type"] == "interactive" and menu["interactive"]["type"] == "list"
    assert said["waiting"]["node"] == "escolha"
    refused = await studio.call("POST", f"chat/{chat['chat']}/save-test", {"name": "volta"}, status=400)
    assert "vars" in refused["error"]
    await studio.call("POST", "chat", {"vars": ["nome"]}, status=400)


async def test_each_reply_carries_what_the_renderer_changed(studio: Running) -> None:
    menu = (await studio.get("flows/menu"))["json"]
    menu["nodes"]["escolha"]["options"][0]["title"] = "Horários de atendimento da clínica"  # over 24 characters
    chat = await studio.call("POST", "chat", {"channel": "whatsapp", "flows": {"menu": menu},
                                              "start": {"flow": "menu", "node": "escolha"}})
    rendered = chat["messages"][-1]["rendered"]
    rows = rendered["whatsapp"]["payloads"][-1]["interactive"]["action"]["sections"][0]["rows"]
    assert len(rows[0]["title"]) <= 24
    assert any("title" in note for note in rendered["whatsapp"]["notes"])
    assert rendered["messenger"]["payloads"] and rendered["web"]["payloads"]


async def test_25h_after_a_booking_brings_the_reminder(studio: Running) -> None:
    chat = (await studio.call("POST", "chat", {"channel": "whatsapp", "clock": MONDAY}))["chat"]
    for step in ({"text": "oi"}, {"text": "Carla"}, {"text": "quero marcar uma consulta quarta de manhã"},
                 {"button": "clinica_geral"}, {"text": "1"}):
        await studio.call("POST", f"chat/{chat}/say", step)
    booked = await studio.call("POST", f"chat/{chat}/say", {"text": "sim"})
    assert "Sua consulta está marcada" in booked["messages"][0]["text"]
    also = await studio.call("POST", "chat", {"channel": "whatsapp", "now": MONDAY})  # `now` names the clock too
    assert also["now"].startswith("2026-03-02T12:00")
    local = await studio.call("POST", "chat", {"now": "2026-03-02T09:00"})  # no zone: the bot's own time
    assert datetime.fromisoformat(local["now"]) == datetime.fromisoformat(MONDAY)
    await studio.call("POST", "chat", {"clock": "monday"}, status=400)
    quiet = await studio.call("POST", f"chat/{chat}/advance", {"by": "10m"})
    assert quiet["messages"] == [] and quiet["now"].startswith("2026-03-02T12:10")
    later = await studio.call("POST", f"chat/{chat}/advance", {"by": "25h"})
    assert any("Lembrete" in m["text"] for m in later["messages"])
    assert later["waiting"]["flow"] == "lembrete"
    await studio.call("POST", f"chat/{chat}/advance", {"by": "3d"}, status=400)


async def test_a_chat_with_drafts_and_from_any_node(studio: Running) -> None:
    flow, changed, node = await _one_text_change(studio)
    chat = await studio.call("POST", "chat", {"channel": "web", "flows": {"boas_vindas": changed}})
    said = await studio.call("POST", f"chat/{chat['chat']}/say", {"text": "oi"})
    assert said["messages"][0]["text"] == "Olá! Bem-vindo à Clínica Sorriso."  # the draft, not the file
    from_node = await studio.call("POST", "chat", {"channel": "messenger",
                                                   "start": {"flow": "menu", "node": "escolha"}})
    assert from_node["messages"] and from_node["waiting"]["node"] == "escolha"
    assert from_node["trace"] == [{"flow": "menu", "node": "escolha"}]
    save = await studio.call("POST", f"chat/{from_node['chat']}/save-test", {"name": "x"}, status=400)
    assert "start" in save["error"]
    broken = _with_text(flow["json"], node, "Oi {{ nomee }}")
    refused = await studio.call("POST", "chat", {"channel": "web", "flows": {"boas_vindas": broken}}, status=422)
    assert refused["issues"]
    await studio.call("POST", "chat", {"channel": "telegram"}, status=400)
    await studio.call("POST", "chat", {"start": {"flow": "menu", "node": "nope"}}, status=400)


async def test_a_saved_chat_is_a_test_papo_test_passes(studio: Running) -> None:
    chat = (await studio.call("POST", "chat", {"channel": "whatsapp", "clock": MONDAY}))["chat"]
    for step in ({"text": "oi"}, {"text": "Carla"}, {"text": "quero marcar uma consulta quarta de manhã"},
                 {"button": "clinica_geral"}, {"text": "1"}, {"text": "sim"}):
        await studio.call("POST", f"chat/{chat}/say", step)
    await studio.call("POST", f"chat/{chat}/advance", {"by": "25h"})
    saved = await studio.call("POST", f"chat/{chat}/save-test", {"name": "Lembrete depois de agendar"})
    assert saved["file"] == "tests/lembrete_depois_de_agendar.yaml"
    text = (studio.root / saved["file"]).read_text(encoding="utf-8")
    assert "Lembrete" in text and "advance: 25h" in text
    assert await run_tests(studio.root, select="Lembrete depois de agendar") == 0
    await studio.call("POST", f"chat/{chat}/save-test", {"name": "Lembrete depois de agendar"}, status=409)
    await studio.call("POST", f"chat/{chat}/save-test", {"name": "  "}, status=400)
    ran = await studio.call("POST", "tests/run", {"flows": {}, "select": "Lembrete depois de agendar"})
    assert ran["passed"] == 1 and ran["failed"] == 0
    assert ran["coverage"]["visited"]


async def test_a_publish_may_require_the_conversation_tests_to_pass(studio: Running) -> None:
    flow, changed, _ = await _one_text_change(studio)  # the greeting the tests expect changes
    before = studio.flow_path("boas_vindas").read_bytes()
    body = {"flows": {"boas_vindas": {"json": changed, "if_match": flow["sha256"]}}, "run_tests": True}
    refused = await studio.call("POST", "publish", body, status=422)
    assert refused["tests"]["failed"] >= 1 and "test" in refused["error"]
    assert studio.flow_path("boas_vindas").read_bytes() == before
    flow = await studio.get("flows/horarios")
    same_text = await studio.call("POST", "publish", {"flows": {"horarios": {"json": flow["json"],
                                                                             "if_match": flow["sha256"]}},
                                                      "run_tests": True})
    assert same_text["published"]["horarios"]["changed"] is False


async def test_tests_run_on_the_drafts(studio: Running) -> None:
    flow, changed, _ = await _one_text_change(studio)
    ran = await studio.call("POST", "tests/run", {"flows": {"boas_vindas": changed}, "select": "paciente novo diz oi"})
    assert ran["failed"] == 1 and "Bem-vindo" in "\n".join(ran["results"][0]["failures"])
    clean = await studio.call("POST", "tests/run", {"flows": {}, "select": "paciente novo diz oi"})
    assert clean["passed"] == 1


# -- translations -------------------------------------------------------------------------------------------

async def test_translations_grid_and_csv_round_trip(studio: Running) -> None:
    grid = await studio.get("translations")
    assert grid["locales"] == ["pt-BR"]
    row = next(r for r in grid["rows"] if r["flow"] == "menu" and r["node"] == "escolha" and r["field"] == "text")
    assert row["texts"]["pt-BR"] and row["missing"] == []
    assert any(r["field"].startswith("options/") for r in grid["rows"])
    exported = await studio.client.get("/studio/api/translations.csv")
    text = await exported.text()
    assert exported.headers["Content-Type"].startswith("text/csv") and text.startswith("flow,node,field,pt-BR")
    before = studio.flow_path("menu").read_text(encoding="utf-8")
    edited = text.replace(row["texts"]["pt-BR"], "Em que posso ajudar?", 1)
    done = await studio.client.put("/studio/api/translations.csv", data=edited.encode(), headers=WRITE)
    assert done.status == 200, await done.text()
    after = studio.flow_path("menu").read_text(encoding="utf-8")
    assert "Em que posso ajudar?" in after
    assert sum(a != b for a, b in zip(before.splitlines(), after.splitlines(), strict=True)) == 1
    bad = await studio.client.put("/studio/api/translations.csv", data=b"a,b\n1,2\n", headers=WRITE)
    assert bad.status == 400 and "flow,node,field" in (await bad.json())["error"]


# -- events ---------------------------------------------------------------------------------------------------

async def _next_event(response: Any) -> tuple[str, dict[str, Any]]:
    event = ""
    while True:
        line = (await response.content.readline()).decode().rstrip("\n")
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: ") and event:
            return event, json.loads(line[6:])


async def test_events_tell_of_changes_on_disk_and_publishes(studio: Running) -> None:
    response = await studio.client.get("/studio/api/events")
    assert response.headers["Content-Type"].startswith("text/event-stream")
    await response.content.readline()  # connected
    path = studio.flow_path("horarios")
    path.write_text(path.read_text(encoding="utf-8").replace("}", "} ", 1), encoding="utf-8")
    event, data = await _next_event(response)
    assert event == "file-changed" and data["flow"] == "horarios"
    flow, changed, _ = await _one_text_change(studio)
    await studio.call("POST", "publish", {"flows": {"boas_vindas": {"json": changed, "if_match": flow["sha256"]}}})
    event, data = await _next_event(response)
    assert event == "published" and data["flow"] == "boas_vindas"
    response.close()
