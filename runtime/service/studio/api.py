"""The studio's HTTP API under /studio/api and its pages under /studio/ (contract: docs/studio.md).

`studio_app(...)` is an aiohttp sub-application: `papo studio` serves it alone on 127.0.0.1, and
`papo serve` mounts it at /studio/ when PAPO_ADMIN_TOKEN is set. Errors are JSON
`{"error": "<what is wrong and how to fix it>", ...}` with a 4xx status; nothing is half-written.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import redis.asyncio as aioredis
from aiohttp import web
from aiohttp.typedefs import Handler
from redis.exceptions import RedisError

from flows.jsonedit import same
from flows.loader import check_bot, digest_of
from flows.model import Bot
from flows.nodes import NodeKinds, node_kinds
from runtime.conversations.library import BotLibrary
from runtime.keys import Keys
from runtime.service import analytics
from runtime.service.convtest import load_cases, run_case
from runtime.service.streams import stream_of
from runtime.service.studio import semantic
from runtime.service.studio.auth import COOKIE, Access, authorize
from runtime.service.studio.catalogue import kinds_catalogue, schemas
from runtime.service.studio.chat import Chats, test_yaml
from runtime.service.studio.content import (
    calendar_values,
    exit_names,
    faq_tags,
    intents,
    locales_of,
    locate,
    read_json,
    translation_rows,
    variables_usage,
)
from runtime.service.studio.semantic import merge3, semantic_diff
from runtime.service.studio.workspace import StudioError, Workspace, changed_lines, sha256, unified

log = logging.getLogger(__name__)

CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"
STATIC = "studio_static"
MISSING_BUILD = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>papo studio</title></head>
<body><h1>The studio's pages are not built</h1>
<p>This papo was installed from source without the studio's front end. Run <code>make studio</code> in the
repository (it needs Node.js), then reload this page. The API at <code>/studio/api/</code> works without it.</p>
</body></html>"""
SSE_POLL_S = 1.0


@dataclass
class Host:
    """What the studio needs from whoever runs the bot: the library to reload after a publish (so running
    conversations finish on their version) and the Redis client holding the version archive, the live
    conversations and the analytics counters. Either may be missing until the bot has started."""

    library: Callable[[], BotLibrary | None]
    client: Callable[[], aioredis.Redis | None]
    prefix: str = "papo"


class Studio:
    def __init__(self, root: str | Path, access: Access, host: Host, *, kinds: NodeKinds = node_kinds,
                 static: Path | None = None) -> None:
        self.ws = Workspace(root, kinds=kinds)
        self.static = static if static is not None else static_root()
        self.access = access
        self.host = host
        self.kinds = kinds
        self.keys = Keys(host.prefix)
        self.chats = Chats(self.ws.root, kinds=kinds)
        self.publishing = asyncio.Lock()
        self.listeners: set[asyncio.Queue[tuple[str, dict[str, Any]]]] = set()
        self.written: set[str] = set()  # the sha256 of every file this studio published

    # -- shared by the handlers -------------------------------------------------------------------------------------

    def broadcast(self, event: str, data: dict[str, Any]) -> None:
        for queue in self.listeners:
            queue.put_nowait((event, data))

    def bot_name(self) -> str:
        try:
            data = json.loads((self.ws.root / "bot.json").read_text(encoding="utf-8"))
            return str(data["name"])
        except (OSError, ValueError, KeyError, TypeError):
            return self.ws.root.name

    async def live(self) -> dict[tuple[str, str], int]:
        """Conversations in flight per (flow, version digest); the studio's own look, not a hot path."""
        client = self.host.client()
        counts: dict[tuple[str, str], int] = {}
        if client is None:
            return counts
        try:
            async for key in client.scan_iter(match=self.keys.states_of(self.bot_name()), count=500):
                doc = await client.hget(key, "doc")
                if not doc:
                    continue
                state = json.loads(doc)
                pinned = {(f["flow"], f["version"]) for f in state.get("stack", [])}
                if state.get("flow") and state.get("flow_version"):
                    pinned.add((state["flow"], state["flow_version"]))
                for pair in pinned:
                    counts[pair] = counts.get(pair, 0) + 1
        except RedisError as exc:
            log.info("studio: live conversations not counted: %s", type(exc).__name__)
        return counts

    # -- publishing -------------------------------------------------------------------------------------

    async def run_suite(self, bot: Bot, select: str | None = None) -> dict[str, Any]:
        """The bot's conversation tests (tests/*.yaml) on `bot`: results and node coverage."""
        cases, issues = load_cases(self.ws.root)
        library = BotLibrary(self.ws.root, bot, kinds=self.kinds)
        base = await asyncio.to_thread(self.chats.base_services, bot)  # training the NLU blocks no request
        results = []
        visited: set[str] = set()
        for file, case in cases:
            if select is not None and select not in case["name"]:
                continue
            result = await run_case(library, file, case, base)
            visited |= result.visited
            results.append({"name": result.name, "file": self.ws.relative(result.file), "passed": result.passed,
                            "failures": result.failures, "transcript": result.transcript})
        every = {f"{f.id}/{n}" for f in bot.flows.values() for n in f.nodes}
        passed = sum(1 for r in results if r["passed"])
        return {"passed": passed, "failed": len(results) - passed, "results": results,
                "invalid": [self.ws.issue(i) for i in issues],
                "coverage": {"visited": sorted(every & visited), "missed": sorted(every - visited)}}

    async def publish(self, flows: dict[str, dict[str, Any]], *, message: str, confirm: bool, commit: bool,
                      tests: bool = False) -> web.Response:
        """The one gate every write of flows passes: stale base 412, lint errors 422, unconfirmed
        warnings 409; then an atomic write, the bot's reload and optionally a git commit."""
        if not self.access.writable:
            raise StudioError(403, "this studio is read-only; start papo serve with PAPO_STUDIO_WRITE=1 to publish")
        async with self.publishing:
            stale = self.ws.stale(flows)
            if stale:
                return self.stale_answer(flows, stale)
            candidates = self.ws.candidates({i: e["json"] for i, e in flows.items()})
            checked = self.ws.check(candidates)
            files = {self.ws.relative(c.path) for c in candidates}
            if checked.errors:
                return _json({"error": f"{len(checked.errors)} lint error(s): fix them, nothing was written",
                              "issues": checked.errors}, 422)
            warnings = [i for i in checked.warnings if i["file"] in files]
            if warnings and not confirm:
                return _json({"error": f"{len(warnings)} warning(s): read them and publish again with "
                                       "confirm_warnings: true", "issues": warnings}, 409)
            if tests and checked.result.bot is not None:
                suite = await self.run_suite(checked.result.bot)
                if suite["failed"] or suite["invalid"]:
                    return _json({"error": f"{suite['failed']} conversation test(s) failed: fix the flows or the "
                                           "tests, nothing was written", "issues": [], "tests": suite}, 422)
            changed = [c for c in candidates if c.text != c.old]
            self.written |= {sha256(c.text) for c in changed}  # never reported back as a change on disk
            self.ws.write(changed)
            for c in candidates:
                self.ws.drop_draft(c.id)
                self.broadcast("published", {"flow": c.id, "sha256": sha256(c.text)})
            await self._reload()
            sha = None
            if commit and changed:
                sha = self.ws.git_commit([c.path for c in changed], message)
            return _json({"published": {c.id: {"sha256": sha256(c.text), "changed": c.text != c.old}
                                        for c in candidates}, "commit": sha, "issues": checked.warnings})

    def stale_answer(self, flows: dict[str, dict[str, Any]], stale: dict[str, str]) -> web.Response:
        currents = {}
        merges = {}
        for flow_id in stale:
            current = self.ws.current(flow_id) if flow_id in self.ws.flow_files() else \
                {"text": "", "json": None, "sha256": ""}
            currents[flow_id] = current
            base = self.ws.base(flows[flow_id].get("if_match") or "")
            merged, conflicts = merge3(base, flows[flow_id]["json"], current["json"])
            merges[flow_id] = {"merged": merged, "conflicts": conflicts}
        first = next(iter(stale))
        return _json({"error": f"{', '.join(stale)} changed on disk since you opened it: review the merge and "
                               "publish again with the new sha256 as if_match",
                      "current": currents[first], "currents": currents, "merge": merges}, 412)

    async def _reload(self) -> None:
        library = self.host.library()
        if library is None:
            return
        result = library.reload()
        if result.bot is None:
            log.warning("studio: the published bot did not reload; the running version keeps serving")
            return
        try:
            await library.publish()
        except RedisError as exc:
            log.warning("studio: versions not archived: %s", type(exc).__name__)


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False, default=str))


STUDIO = web.AppKey("studio", Studio)
PREFIX = web.AppKey("prefix", str)


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.body_exists:
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise StudioError(400, "the request body is not JSON; send a JSON object") from None
    if not isinstance(body, dict):
        raise StudioError(400, "the request body must be a JSON object")
    return body


def _flows_arg(body: dict[str, Any], *, with_match: bool) -> dict[str, Any]:
    flows = body.get("flows")
    if not isinstance(flows, dict):
        raise StudioError(400, 'send {"flows": {"<flow id>": ...}}')
    if with_match:
        for flow_id, entry in flows.items():
            if not isinstance(entry, dict) or "json" not in entry:
                raise StudioError(400, f'flows.{flow_id} must be {{"json": <flow>, "if_match": <sha256>}}')
    return flows


# -- handlers ---------------------------------------------------------------------------------------------

async def get_bot(request: web.Request) -> web.Response:
    studio = request.app[STUDIO]
    ws = studio.ws
    result = await asyncio.to_thread(ws.check, [])
    by_file: dict[str, list[dict[str, Any]]] = {}
    for issue in result.issues:
        by_file.setdefault(issue["file"], []).append(issue)
    flows = []
    for flow_id, path in ws.flow_files().items():
        rel = ws.relative(path)
        found = by_file.get(rel, [])
        flows.append({"id": flow_id, "file": rel, "sha256": sha256(path.read_bytes()),
                      "errors": sum(i["severity"] == "error" for i in found),
                      "warnings": sum(i["severity"] == "warning" for i in found),
                      "draft": ws.draft(flow_id) is not None})
    raw = read_json(ws.root / "bot.json")
    locales = locales_of(raw)
    return _json({"name": raw.get("name"), "title": raw.get("title"), "locales": locales,
                  "default_locale": raw.get("default_locale"), "channels": sorted(raw.get("channels", {})),
                  "flows": flows, "variables": variables_usage(ws.root, raw),
                  "calendar": calendar_values(ws.root), "faq_tags": faq_tags(ws.root), "intents": intents(ws.root),
                  "interrupts": raw.get("interrupts", []), "entry_flow": raw.get("entry_flow"),
                  "fallback_flow": raw.get("fallback_flow"),
                  "issues": [i for i in result.issues if not i["file"].startswith("flows/")]})


async def get_schema(request: web.Request) -> web.Response:
    kinds = request.app[STUDIO].kinds
    return _json({"schemas": schemas(kinds), "kinds": kinds_catalogue(kinds)})


async def get_flow(request: web.Request) -> web.Response:
    return _json(request.app[STUDIO].ws.read(request.match_info["id"]))


async def validate(request: web.Request) -> web.Response:
    studio = request.app[STUDIO]
    flows = _flows_arg(await _body(request), with_match=False)
    checked = await asyncio.to_thread(studio.ws.check, studio.ws.candidates(flows))
    return _json({"issues": checked.issues})


async def put_draft(request: web.Request) -> web.Response:
    body = await _body(request)
    if "json" not in body:
        raise StudioError(400, 'send {"json": <the flow>}')
    saved = request.app[STUDIO].ws.save_draft(request.match_info["id"], body["json"])
    return _json({"saved_at": saved})


async def delete_draft(request: web.Request) -> web.Response:
    request.app[STUDIO].ws.drop_draft(request.match_info["id"])
    return web.Response(status=204)


async def publish_preview(request: web.Request) -> web.Response:
    studio = request.app[STUDIO]
    flows = _flows_arg(await _body(request), with_match=True)
    stale = studio.ws.stale(flows)
    if stale:  # the review shows the merge before anyone confirms
        return studio.stale_answer(flows, stale)
    candidates = studio.ws.candidates({i: e["json"] for i, e in flows.items()})
    checked = await asyncio.to_thread(studio.ws.check, candidates)
    live = await studio.live()
    diff = {}
    for c in candidates:
        old_json = json.loads(c.old) if c.old else None
        diff[c.id] = {"text": unified(c.old or "", c.text, studio.ws.relative(c.path)),
                      "changed_lines": changed_lines(c.old or "", c.text),
                      "semantic": semantic_diff(old_json, flows[c.id]["json"])}
    current = {f.id: f.digest for f in (check_bot(studio.ws.root, kinds=studio.kinds).bot or _NoBot()).flows.values()}
    return _json({"diff": diff, "issues": checked.issues, "stale": studio.ws.stale(flows),
                  "live_conversations": {i: sum(n for (f, d), n in live.items() if f == i and d == current.get(i))
                                         for i in flows}})


class _NoBot:
    flows: dict[str, Any] = {}


async def publish(request: web.Request) -> web.Response:
    body = await _body(request)
    flows = _flows_arg(body, with_match=True)
    return await request.app[STUDIO].publish(flows, message=str(body.get("message") or ""),
                                             confirm=bool(body.get("confirm_warnings")),
                                             commit=bool(body.get("git_commit")), tests=bool(body.get("run_tests")))


async def put_layout(request: web.Request) -> web.Response:
    body = await _body(request)
    layout = body.get("layout")
    if not isinstance(layout, dict):
        raise StudioError(400, 'send {"layout": {"<node>": {"x": 0, "y": 0}}, "if_match": <sha256>}')
    studio = request.app[STUDIO]
    studio.ws.path_of(request.match_info["id"])
    sha = studio.ws.save_layout(request.match_info["id"], layout, body.get("if_match"))
    return _json({"sha256": sha})


async def get_layout(request: web.Request) -> web.Response:
    ws = request.app[STUDIO].ws
    return _json({"layout": ws.layout(), "sha256": ws.layout_sha()})


async def _versions(studio: Studio, flow_id: str) -> list[dict[str, Any]]:
    path = studio.ws.path_of(flow_id)
    live = await studio.live()
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    current = studio.ws.current(flow_id)
    digest: str | None = None
    if current["json"] is not None:
        digest = digest_of(current["json"])
        out.append({"id": "current", "source": "disk", "digest": digest, "time": None,
                    "message": "the file on disk now", "live_conversations": live.get((flow_id, digest), 0)})
        seen.add(digest)
    for entry in await asyncio.to_thread(studio.ws.git_log, path):
        text = await asyncio.to_thread(studio.ws.git_show, entry["commit"], path)
        parsed = _loads(text) if text is not None else None
        digest = digest_of(parsed) if parsed is not None else None
        out.append({"id": entry["commit"], "source": "git", "digest": digest, "time": entry["time"],
                    "message": entry["message"], "live_conversations": live.get((flow_id, digest or ""), 0)})
        if digest:
            seen.add(digest)
    client = studio.host.client()
    if client is not None:
        try:
            async for key in client.scan_iter(match=studio.keys.flow_versions_of(studio.bot_name(), flow_id),
                                              count=500):
                digest = (key.decode() if isinstance(key, bytes) else str(key)).rsplit(":", 1)[-1]
                if digest not in seen:
                    seen.add(digest)
                    out.append({"id": f"archive:{digest}", "source": "archive", "digest": digest, "time": None,
                                "message": None, "live_conversations": live.get((flow_id, digest), 0)})
        except RedisError as exc:
            log.info("studio: version archive not read: %s", type(exc).__name__)
    return out


async def versions(request: web.Request) -> web.Response:
    flow_id = request.query.get("flow")
    if not flow_id:
        raise StudioError(400, "say which flow: GET versions?flow=<flow id>")
    return _json({"versions": await _versions(request.app[STUDIO], flow_id)})


async def _version_text(studio: Studio, flow_id: str, version: str) -> str:
    path = studio.ws.path_of(flow_id)
    if version == "current":
        return str(studio.ws.current(flow_id)["text"])
    if version.startswith("archive:"):
        client = studio.host.client()
        raw = await client.get(studio.keys.flow_version(studio.bot_name(), flow_id, version[8:])) \
            if client is not None else None
        if raw is None:
            raise StudioError(404, f"version {version!r} of {flow_id!r} is not in the archive")
        return json.dumps(json.loads(raw), ensure_ascii=False, indent=2) + "\n"
    if not version or not all(c in "0123456789abcdef" for c in version.lower()):
        raise StudioError(400, f"version {version!r} is not a version id from GET versions")
    text = await asyncio.to_thread(studio.ws.git_show, version, path)
    if text is None:
        raise StudioError(404, f"git has no version {version!r} of {studio.ws.relative(path)}")
    return text


async def diff(request: web.Request) -> web.Response:
    studio = request.app[STUDIO]
    q = request.query
    if not all(q.get(k) for k in ("flow", "a", "b")):
        raise StudioError(400, "send GET diff?flow=<id>&a=<version>&b=<version> (ids from GET versions)")
    a, b = await _version_text(studio, q["flow"], q["a"]), await _version_text(studio, q["flow"], q["b"])
    return _json({"text": unified(a, b, studio.ws.relative(studio.ws.path_of(q["flow"]))),
                  "changed_lines": changed_lines(a, b), "semantic": semantic_diff(_loads(a), _loads(b))})


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


async def rollback(request: web.Request) -> web.Response:
    studio = request.app[STUDIO]
    body = await _body(request)
    flow_id, version = str(body.get("flow") or ""), str(body.get("version") or "")
    if not flow_id or not version:
        raise StudioError(400, 'send {"flow": <id>, "version": <id from GET versions>, "message": ...}')
    target = _loads(await _version_text(studio, flow_id, version))
    if target is None:
        raise StudioError(422, f"version {version!r} of {flow_id!r} is not valid JSON; pick another version")
    current = studio.ws.current(flow_id)
    message = str(body.get("message") or f"Roll {flow_id} back to {version[:12]}")
    return await studio.publish({flow_id: {"json": target, "if_match": body.get("if_match", current["sha256"])}},
                                message=message, confirm=bool(body.get("confirm_warnings")),
                                commit=bool(body.get("git_commit")), tests=bool(body.get("run_tests")))


async def start_chat(request: web.Request) -> web.Response:
    studio = request.app[STUDIO]
    body = await _body(request)
    flows = body.get("flows") or {}
    if not isinstance(flows, dict):
        raise StudioError(400, 'flows must be {"<flow id>": <draft json>}')
    bot, checked = await asyncio.to_thread(studio.ws.check_bot, flows)
    if bot is None:
        return _json({"error": f"the bot with these drafts has {len(checked.errors)} lint error(s); fix them to chat",
                      "issues": checked.errors}, 422)
    start = body.get("start")
    if start is not None and not isinstance(start, dict):
        raise StudioError(400, 'start must be {"flow": <id>, "node": <id>} or null')
    clock = body.get("clock", body.get("now"))  # `now` is accepted as another name
    try:
        now = datetime.fromisoformat(clock) if isinstance(clock, str) and clock else None
    except ValueError:
        raise StudioError(400, f"clock {clock!r} is not a date and time; e.g. 2026-03-02T09:00:00-03:00") from None
    if now is not None and now.tzinfo is None:  # as a datetime-local input gives it: the bot's own time
        now = now.replace(tzinfo=ZoneInfo(bot.timezone))
    variables = body.get("vars") or {}
    if not isinstance(variables, dict):
        raise StudioError(400, 'vars must be {"<variable>": value}, e.g. {"nome": "Maria"} for a returning patient')
    await asyncio.to_thread(studio.chats.base_services, bot)  # the NLU, trained (or read) off the event loop
    channel = str(body.get("channel") or studio.chats.channels[0])
    _, turn = await studio.chats.start(bot, channel, start, now=now, variables=variables)
    return _json(turn)


async def chat_say(request: web.Request) -> web.Response:
    studio = request.app[STUDIO]
    chat = studio.chats.get(request.match_info["chat"])
    body = await _body(request)
    text, button = body.get("text"), body.get("button")
    if not isinstance(text, str) and not isinstance(button, str):
        raise StudioError(400, 'send {"text": "..."} or {"button": "<option id>"}')
    return _json(await studio.chats.say(chat, text if isinstance(text, str) else None,
                                        button if isinstance(button, str) else None))


async def chat_advance(request: web.Request) -> web.Response:
    studio = request.app[STUDIO]
    chat = studio.chats.get(request.match_info["chat"])
    body = await _body(request)
    return _json(await studio.chats.advance(chat, str(body.get("by") or "")))


async def chat_end(request: web.Request) -> web.Response:
    await request.app[STUDIO].chats.close(request.match_info["chat"])
    return web.Response(status=204)


async def chat_save_test(request: web.Request) -> web.Response:
    studio = request.app[STUDIO]
    chat = studio.chats.get(request.match_info["chat"])
    body = await _body(request)
    name = str(body.get("name") or "").strip()
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in name.lower()).strip("_")
    if not stem:
        raise StudioError(400, 'send {"name": "<a name for the test>"}; it names tests/<name>.yaml')
    if not studio.access.writable:
        raise StudioError(403, "this studio is read-only; start papo serve with PAPO_STUDIO_WRITE=1")
    path = studio.ws.root / "tests" / f"{stem}.yaml"
    if path.exists() and not body.get("overwrite"):
        raise StudioError(409, f"tests/{stem}.yaml exists; pick another name or send overwrite: true")
    path.parent.mkdir(exist_ok=True)
    path.write_text(test_yaml(studio.chats.as_test(chat, name)), encoding="utf-8")
    return _json({"file": f"tests/{stem}.yaml"})


async def tests_run(request: web.Request) -> web.Response:
    studio = request.app[STUDIO]
    body = await _body(request)
    flows = body.get("flows") or {}
    bot, checked = await asyncio.to_thread(studio.ws.check_bot, flows)
    if bot is None:
        return _json({"error": "the bot with these drafts has lint errors; fix them to run the tests",
                      "issues": checked.errors}, 422)
    select = body.get("select")
    return _json(await studio.run_suite(bot, select if isinstance(select, str) else None))


async def get_analytics(request: web.Request) -> web.Response:
    studio = request.app[STUDIO]
    q = request.query
    flow_id = q.get("flow")
    if not flow_id:
        raise StudioError(400, "say which flow: GET analytics?flow=<id>&from=YYYY-MM-DD&to=YYYY-MM-DD")
    try:
        end = date.fromisoformat(q["to"]) if q.get("to") else date.today()
        begin = date.fromisoformat(q["from"]) if q.get("from") else end - timedelta(days=29)
    except ValueError:
        raise StudioError(400, "from and to are dates: YYYY-MM-DD") from None
    if begin > end or (end - begin).days > 400:
        raise StudioError(400, "from must be on or before to, at most 400 days apart")
    client = studio.host.client()
    counts = await analytics.read(client, studio.keys, studio.bot_name(), flow_id, begin, end,
                                  digest=q.get("digest") or None, channel=q.get("channel") or None) \
        if client is not None else analytics.Counts()
    flow = studio.ws.current(flow_id)["json"] if flow_id in studio.ws.flow_files() else None
    return _json(counts.report(exit_names(flow)))


async def translations(request: web.Request) -> web.Response:
    ws = request.app[STUDIO].ws
    raw = read_json(ws.root / "bot.json")
    locales, default = locales_of(raw), raw.get("default_locale", "")
    rows = []
    for row in translation_rows(ws):
        texts = row["texts"] if isinstance(row["texts"], dict) else {default: row["texts"]}
        rows.append({**row, "texts": texts, "missing": [loc for loc in locales if not texts.get(loc)]})
    return _json({"locales": locales, "default_locale": default, "rows": rows})


async def translations_csv(request: web.Request) -> web.Response:
    ws = request.app[STUDIO].ws
    raw = read_json(ws.root / "bot.json")
    locales, default = locales_of(raw), raw.get("default_locale", "")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["flow", "node", "field", *locales])
    for row in translation_rows(ws):
        texts = row["texts"] if isinstance(row["texts"], dict) else {default: row["texts"]}
        writer.writerow([row["flow"], row["node"], row["field"], *(texts.get(loc, "") for loc in locales)])
    return web.Response(text=out.getvalue(), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": 'attachment; filename="translations.csv"'})


async def put_translations_csv(request: web.Request) -> web.Response:
    studio = request.app[STUDIO]
    ws = studio.ws
    raw = read_json(ws.root / "bot.json")
    locales, default = locales_of(raw), raw.get("default_locale", "")
    try:
        reader = csv.DictReader(io.StringIO((await request.read()).decode("utf-8-sig")))
        rows = list(reader)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise StudioError(400, f"not a CSV file in UTF-8: {exc}; export one with GET translations.csv") from None
    header = reader.fieldnames or []
    if header[:3] != ["flow", "node", "field"]:
        raise StudioError(400, "the CSV's first columns must be flow,node,field, as GET translations.csv writes")
    unknown = [c for c in header[3:] if c not in locales]
    if unknown:
        raise StudioError(400, f"columns {', '.join(unknown)} are not locales of the bot ({', '.join(locales)})")
    files = ws.flow_files()
    changed: dict[str, Any] = {}
    shas: dict[str, str] = {}
    for number, row in enumerate(rows, 2):
        flow_id = row["flow"]
        if flow_id not in files:
            raise StudioError(400, f"line {number}: flow {flow_id!r} does not exist")
        if flow_id not in changed:
            current = ws.current(flow_id)
            changed[flow_id], shas[flow_id] = current["json"], current["sha256"]
        node = (changed[flow_id].get("nodes") or {}).get(row["node"])
        if not isinstance(node, dict):
            raise StudioError(400, f"line {number}: node {row['node']!r} is not in flow {flow_id!r}")
        parent, key = locate(node, row["field"])
        if parent is None:
            raise StudioError(400, f"line {number}: {row['node']} has no text at {row['field']!r}")
        texts = {loc: row.get(loc) or "" for loc in header[3:]}
        old = parent[key]
        merged = dict(old) if isinstance(old, dict) else {default: old}
        merged.update({loc: t for loc, t in texts.items() if t})
        parent[key] = merged[default] if set(merged) == {default} and isinstance(old, str) else merged
    flows = {i: {"json": j, "if_match": shas[i]} for i, j in changed.items()
             if not same(j, studio.ws.current(i)["json"])}
    if not flows:
        return _json({"published": {}, "commit": None, "issues": []})
    return await studio.publish(flows, message=request.query.get("message", "Update translations"),
                                confirm=request.query.get("confirm_warnings") in ("1", "true"),
                                commit=request.query.get("git_commit") in ("1", "true"))


async def get_variables(request: web.Request) -> web.Response:
    ws = request.app[STUDIO].ws
    return _json({"variables": variables_usage(ws.root, read_json(ws.root / "bot.json"))})


async def events(request: web.Request) -> web.StreamResponse:
    studio = request.app[STUDIO]
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                                           "Content-Security-Policy": CSP})
    await response.prepare(request)
    queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
    studio.listeners.add(queue)
    with stream_of(request):
        try:
            seen = await asyncio.to_thread(studio.ws.mtimes)
            await response.write(b": connected\n\n")
            while True:
                try:
                    event, data = await asyncio.wait_for(queue.get(), timeout=SSE_POLL_S)
                    if event == "published":  # not reported again as a change on disk
                        seen = await asyncio.to_thread(studio.ws.mtimes, seen)
                    await _send(response, event, data)
                except TimeoutError:
                    now = await asyncio.to_thread(studio.ws.mtimes, seen)
                    changed = [name for name, (_, sha) in now.items()
                               if (name not in seen or seen[name][1] != sha) and sha not in studio.written]
                    if changed:
                        ids = {path.name: flow_id for flow_id, path in studio.ws.flow_files().items()}
                        for name in changed:
                            changes = {"flow": ids.get(name, name), "sha256": now[name][1]}
                            await _send(response, "file-changed", changes)
                    seen = now
                    await response.write(b": ping\n\n")
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            studio.listeners.discard(queue)
    return response


async def _send(response: web.StreamResponse, event: str, data: dict[str, Any]) -> None:
    await response.write(f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode())


# -- pages ------------------------------------------------------------------------------------------------

def static_root() -> Path:
    return Path(str(resources.files("runtime").joinpath(STATIC)))


async def page(request: web.Request) -> web.StreamResponse:
    studio = request.app[STUDIO]
    token = request.query.get("token")
    if token is not None:
        session = studio.access.exchange(token)
        if session is None:
            return web.Response(status=401, content_type="text/html", text="<!doctype html><title>papo studio</title>"
                                "<p>This sign-in link was already used or is wrong. Start <code>papo studio</code> "
                                "again for a new one.</p>")
        response = web.HTTPFound(request.app.router["index"].url_for())
        response.set_cookie(COOKIE, session, httponly=True, samesite="Strict", path=request.app[PREFIX],
                            secure=request.secure)
        raise response
    name = request.match_info.get("path", "") or "index.html"
    if _is_api(request):
        raise StudioError(404, f"no studio call {request.method} {request.path}; GET {request.app[PREFIX]}api/ "
                               "lists them")
    root = studio.static.resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        path = root / "index.html"  # the app's own routes
    if not path.is_file():
        return web.Response(status=503, text=MISSING_BUILD, content_type="text/html")
    return web.FileResponse(path)


def _error(status: int, message: str, **extra: Any) -> web.Response:
    return _json({"error": message, **extra}, status)


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """CSP on every response; the API needs a signed-in caller; refusals are JSON errors, never 500s."""
    studio = request.app[STUDIO]
    try:
        if _is_api(request):
            refused = await authorize(request, studio.access)
            if refused is not None:
                response: web.StreamResponse = _error(*refused)
            else:
                response = await handler(request)
        else:
            response = await handler(request)
    except StudioError as exc:
        response = _error(exc.status, str(exc), **exc.extra)
    except web.HTTPException as exc:
        if exc.status >= 400 and _is_api(request):
            response = _error(exc.status, f"{exc.reason}: see docs/studio.md for the studio's API")
        else:
            exc.headers["Content-Security-Policy"] = CSP
            raise
    except RedisError as exc:
        log.warning("studio %s: the store failed: %s", request.path, type(exc).__name__)
        response = _error(503, "the store did not answer; try again in a moment")
    if not response.prepared:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _is_api(request: web.Request) -> bool:
    """A call of the API (the studio is mounted at some prefix; its API is `<prefix>api/...`)."""
    prefix = request.app.get(PREFIX, "/studio/")
    return request.path.startswith(prefix + "api/") or request.path == prefix + "api"


Route = tuple[str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]]


def api_routes() -> list[Route]:
    return [("GET", "bot", get_bot), ("GET", "schema", get_schema), ("GET", "flows/{id}", get_flow),
            ("POST", "validate", validate), ("PUT", "drafts/{id}", put_draft), ("DELETE", "drafts/{id}", delete_draft),
            ("POST", "publish/preview", publish_preview), ("POST", "publish", publish),
            ("GET", "layout", get_layout), ("PUT", "layout/{id}", put_layout), ("GET", "versions", versions),
            ("GET", "diff", diff), ("POST", "rollback", rollback), ("POST", "chat", start_chat),
            ("POST", "chat/{chat}/say", chat_say), ("POST", "chat/{chat}/advance", chat_advance),
            ("POST", "chat/{chat}/save-test", chat_save_test), ("DELETE", "chat/{chat}", chat_end),
            ("POST", "tests/run", tests_run), ("GET", "analytics", get_analytics),
            ("GET", "translations", translations), ("GET", "translations.csv", translations_csv),
            ("PUT", "translations.csv", put_translations_csv), ("GET", "variables", get_variables),
            ("GET", "events", events)]


def studio_app(studio: Studio, prefix: str = "/studio/") -> web.Application:
    """The studio as an aiohttp application, to mount at `prefix`."""
    app = web.Application(middlewares=[guard])
    app[STUDIO] = studio
    app[PREFIX] = prefix
    app.router.add_get("/api/", _api_index)
    for method, path, handler in api_routes():
        app.router.add_route(method, f"/api/{path}", handler)
    app.router.add_get("/", page, name="index")
    app.router.add_get("/{path:.+}", page)

    async def closing(app: web.Application) -> None:
        await studio.chats.aclose()

    app.on_cleanup.append(closing)
    return app


async def _api_index(request: web.Request) -> web.Response:
    return _json({"calls": [f"{m} {p}" for m, p, _ in api_routes()]})


__all__ = ["Access", "Host", "Studio", "studio_app", "semantic"]
