"""Staff accounts and roles: every admin route called with every role (and with none), from the
route table itself, so a new route is covered the day it is added; one audit entry per call."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import service_helpers as h

from runtime.access import GRANTS, ROLES, Accounts, AuditLog, may
from runtime.keys import ConversationKey, Keys
from runtime.service.admin import routes

CLINIC = Path(__file__).parents[2] / "examples" / "clinic"
TOKEN = "admin-token-0123456789abcdef"
PARAMS = {"channel": "whatsapp", "user": h.USER, "name": "nobody", "id": "0123456789ab", "professional": "dra_ana"}


@pytest.fixture(autouse=True)
def clinic_channels(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"WHATSAPP_TOKEN": "wa-token", "WHATSAPP_APP_SECRET": h.fakes.APP_SECRET,
                        "WHATSAPP_VERIFY_TOKEN": "v", "WHATSAPP_PHONE_NUMBER_ID": h.fakes.PHONE_NUMBER_ID}.items():
        monkeypatch.setenv(name, value)


def _path(pattern: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PARAMS[m.group(1)], pattern)


async def _tokens(app: h.Running) -> dict[str, str]:
    """One account per role, each with an API token."""
    book = Accounts(app.redis, prefix=app.prefix)
    tokens = {}
    for role in ROLES:
        await book.add(f"staff-{role}", role, "correct horse battery staple")
        tokens[role], _ = await book.issue(f"staff-{role}", label="test")
    return tokens


async def _audited(app: h.Running) -> int:
    return int(await app.redis.xlen(Keys(app.prefix).audit()))


def test_the_roles_nest_as_documented() -> None:
    assert set(GRANTS) == set(ROLES)
    staff = [role for role in ROLES if role != "integration"]
    assert all(role in GRANTS[role] and "viewer" in GRANTS[role] for role in staff)
    assert GRANTS["admin"] >= GRANTS["editor"] | GRANTS["agent"] and "dpo" not in GRANTS["admin"]
    assert GRANTS["dpo"] == {"viewer", "dpo"}
    assert GRANTS["integration"] == {"integration"} and "integration" in GRANTS["admin"]  # a machine reads nothing


async def test_every_route_with_every_role_and_none(start: h.Start) -> None:
    app = await start(bot=CLINIC, admin_token=TOKEN)
    await _tokens(app)
    book = Accounts(app.redis, prefix=app.prefix)
    table = routes()
    assert len(table) >= 25 and all(role in ROLES for *_, role in table)
    for method, pattern, _, needed in table:
        for role in (None, *ROLES):
            before = await _audited(app)
            token = (await book.issue(f"staff-{role}"))[0] if role else ""  # fresh: POST /admin/logout revokes
            headers = {"Authorization": f"Bearer {token}"} if role else {}
            answer = await app.client.request(method, _path(pattern), headers=headers, json={})
            where = f"{method} {pattern} as {role or 'nobody'} (needs {needed})"
            if role is None:
                assert answer.status == 401, where
            elif may(role, needed):
                assert answer.status not in (401, 403) and answer.status < 500, f"{where}: {answer.status}"
            else:
                assert answer.status == 403 and needed in (await answer.json())["error"], where
            assert await _audited(app) == before + 1, f"{where} wrote no audit entry, or more than one"
            assert answer.headers["X-Request-Id"]


async def test_audit_entries_name_refs_and_never_tokens_or_user_ids(start: h.Start) -> None:
    app = await start(bot=CLINIC, admin_token=TOKEN)
    tokens = await _tokens(app)
    agent = {"Authorization": f"Bearer {tokens['agent']}", "X-Request-Id": "req-42"}
    await app.client.get(f"/admin/conversations/whatsapp/{h.USER}", headers=agent)
    await app.client.post(f"/admin/conversations/whatsapp/{h.USER}/messages", headers=agent,
                          json={"text": "Seu exame deu alterado"})
    dpo = {"Authorization": f"Bearer {tokens['dpo']}"}
    entries = (await (await app.client.get("/admin/audit?limit=10", headers=dpo)).json())["entries"]
    assert [e["action"] for e in entries[0:2]] == ["POST /admin/conversations/{channel}/{user}/messages",
                                                   "GET /admin/conversations/{channel}/{user}"]
    viewed = entries[1]  # (the audit read itself is written after it answered)
    assert viewed["actor"] == "staff-agent" and viewed["role"] == "agent" and viewed["ip"] == "127.0.0.1"
    assert viewed["target"] == ConversationKey("clinica-sorriso", "whatsapp", h.USER).ref and viewed["result"] == "404"
    assert viewed["request"] == "req-42"
    raw = str(await app.redis.xrange(Keys(app.prefix).audit()))
    assert h.USER not in raw and "exame" not in raw and not any(t.split("_", 2)[2] in raw for t in tokens.values())
    assert not any(path.endswith("/audit") and method == "DELETE" for method, path, *_ in routes())


async def test_the_bootstrap_token_only_creates_the_first_admin(start: h.Start) -> None:
    app = await start(bot=CLINIC, admin_token=TOKEN)
    boot = {"Authorization": f"Bearer {TOKEN}"}
    assert (await app.client.get("/admin/timers", headers=boot)).status == 200
    made = await app.client.post("/admin/users", headers=boot,
                                 json={"name": "ana", "role": "admin", "password": "correct horse battery"})
    assert made.status == 201 and "password" not in await made.text()
    refused = await app.client.get("/admin/timers", headers=boot)
    assert refused.status == 401 and "only bootstraps" in (await refused.json())["error"]
    signed = await app.client.post("/admin/login", json={"name": "ana", "password": "correct horse battery"})
    session = await signed.json()
    assert signed.status == 200 and session["role"] == "admin" and session["token"].startswith("papo_")
    assert (await app.client.get("/admin/me", headers={"Authorization": f"Bearer {session['token']}"})).status == 200
    cookie = signed.cookies["papo_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert (await app.client.get("/admin/users")).status == 200  # the session cookie, kept by the client
    assert (await app.client.post("/admin/logout")).status == 200
    assert (await app.client.get("/admin/me", headers={"Authorization": f"Bearer {session['token']}"})).status == 401


async def test_tokens_are_shown_once_stored_hashed_expire_and_can_be_revoked(start: h.Start) -> None:
    app = await start(bot=CLINIC, admin_token=TOKEN)
    tokens = await _tokens(app)
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    assert (await app.client.post("/admin/users", headers=admin, json={"name": "bia", "role": "viewer"})).status == 201
    made = await (await app.client.post("/admin/tokens", headers=admin,
                                        json={"user": "bia", "label": "tablet", "days": 30})).json()
    token = made["token"]
    assert re.fullmatch(r"papo_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", token)  # 43 url-safe characters: 256 bits
    secret = token.split("_", 2)[2]
    stored = await app.redis.hgetall(Keys(app.prefix).token(made["id"]))
    assert secret.encode() not in b"".join(stored.values()) and len(stored[b"hash"]) == 64
    listed = await (await app.client.get("/admin/tokens?user=bia", headers=admin)).json()
    assert [t["id"] for t in listed["tokens"]] == [made["id"]] and token not in str(listed)
    bia = {"Authorization": f"Bearer {token}"}
    assert (await app.client.get("/admin/appointments", headers=bia)).status == 200
    assert (await app.client.get("/admin/appointments", headers={"Authorization": f"Bearer {token[:-1]}x"})).status \
        == 401
    assert (await app.client.delete(f"/admin/tokens/{made['id']}", headers=admin)).status == 200
    assert (await app.client.get("/admin/appointments", headers=bia)).status == 401


async def test_a_token_expires_and_a_disabled_account_opens_nothing(redis_client: Any, redis_prefix: str) -> None:
    from runtime.engine.clock import ManualClock

    clock = ManualClock()
    book = Accounts(redis_client, prefix=redis_prefix, clock=clock)
    await book.add("caio", "agent")
    token, _ = await book.issue("caio", ttl=timedelta(hours=1))
    assert (await book.authenticate(token)) is not None
    clock.advance(timedelta(hours=1, seconds=1))
    assert await book.authenticate(token) is None
    fresh, _ = await book.issue("caio", ttl=timedelta(days=1))
    await book.set_disabled("caio", True)
    assert await book.authenticate(fresh) is None


async def test_ten_failed_sign_ins_from_an_address_get_429_and_an_audit_entry(start: h.Start) -> None:
    app = await start(bot=CLINIC, admin_token=TOKEN)
    await Accounts(app.redis, prefix=app.prefix).add("dani", "dpo", "correct horse battery")
    statuses = [(await app.client.post("/admin/login", json={"name": "dani", "password": f"wrong-{n}"})).status
                for n in range(10)]
    assert statuses == [401] * 9 + [429]
    right = await app.client.post("/admin/login", json={"name": "dani", "password": "correct horse battery"})
    assert right.status == 429  # the address waits, even with the right password
    assert (await app.client.get("/admin/timers", headers={"Authorization": f"Bearer {TOKEN}"})).status == 429
    entries = await AuditLog(app.redis, prefix=app.prefix).recent(20)
    logins = [e for e in entries if e["action"] == "login"]
    assert len(logins) == 11 and [e["result"] for e in logins[:2]] == ["429", "429"] and logins[-1]["result"] == "401"
    assert all("wrong" not in str(e) and "correct" not in str(e) for e in entries)


async def test_wrong_bearer_tokens_count_as_failures_too(start: h.Start) -> None:
    app = await start(bot=CLINIC, admin_token=TOKEN)
    for n in range(9):
        assert (await app.client.get("/admin/timers", headers={"Authorization": f"Bearer guess-{n}"})).status == 401
    assert (await app.client.get("/admin/timers", headers={"Authorization": "Bearer guess-9"})).status == 429


async def test_passwords_are_argon2id_at_owasp_parameters(redis_client: Any, redis_prefix: str) -> None:
    book = Accounts(redis_client, prefix=redis_prefix)
    await book.add("eva", "viewer", "correct horse battery")
    stored = (await redis_client.hget(Keys(redis_prefix).user("eva"), "password")).decode()
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert await book.check_password("eva", "correct horse battery") is not None
    assert await book.check_password("eva", "correct horse batterz") is None
    assert await book.check_password("nobody", "correct horse battery") is None
    with pytest.raises(Exception, match="at least 12"):
        await book.add("fabio", "viewer", "short")
    with pytest.raises(Exception, match="not one of"):
        await book.add("fabio", "root", "correct horse battery")


def test_docs_list_every_route_with_its_role() -> None:
    page = (Path(__file__).parents[2] / "docs" / "access.md").read_text(encoding="utf-8")
    for method, pattern, _, role in routes():
        assert f"| `{method} {pattern}` | {role} |" in page, f"docs/access.md does not list {method} {pattern}"


async def test_a_dpo_records_an_incident_with_its_deadline(start: h.Start) -> None:
    app = await start(bot=CLINIC, admin_token=TOKEN)
    tokens = await _tokens(app)
    dpo = {"Authorization": f"Bearer {tokens['dpo']}"}
    answer = await app.client.post("/admin/incidents", headers=dpo, json={
        "title": "Notebook da recepção furtado", "detected_at": "2026-04-17T10:00:00-03:00", "affected": 12})
    made = await answer.json()
    assert answer.status == 201 and made["deadline"] == "2026-04-23" and made["recorded_by"] == "staff-dpo"
    bad = await app.client.post("/admin/incidents", headers=dpo, json={"title": "x"})
    assert bad.status == 400 and "detected_at" in (await bad.json())["error"]
    listed = (await (await app.client.get("/admin/incidents", headers=dpo)).json())["incidents"]
    assert [i["id"] for i in listed] == [made["id"]]


async def test_behind_a_trusted_proxy_the_forwarded_address_is_limited(start: h.Start) -> None:
    app = await start(bot=CLINIC, admin_token=TOKEN, trusted_proxies=frozenset({"127.0.0.1"}))
    for n in range(10):
        answer = await app.client.get("/admin/timers", headers={"Authorization": f"Bearer guess-{n}",
                                                                "X-Forwarded-For": "198.51.100.9, 203.0.113.5"})
    assert answer.status == 429
    other = await app.client.get("/admin/timers", headers={"Authorization": f"Bearer {TOKEN}",
                                                           "X-Forwarded-For": "203.0.113.6"})
    assert other.status == 200  # another caller behind the same proxy is not locked out
    [entry] = await AuditLog(app.redis, prefix=app.prefix).recent(1)
    assert entry["ip"] == "203.0.113.6"


async def test_a_viewer_sees_appointments_and_timers_masked_an_agent_does_not(start: h.Start) -> None:
    from datetime import UTC, datetime

    from runtime.engine.clock import ManualClock

    app = await start(bot=CLINIC, admin_token=TOKEN, clock=ManualClock(datetime(2026, 3, 2, 12, tzinfo=UTC)))
    tokens = await _tokens(app)
    scheduler = app.service.processor.services.scheduler
    assert scheduler is not None
    slot = (await scheduler.find_slots("consulta", professional="dra_ana", limit=40))[-1]  # days ahead: reminders
    await scheduler.book(slot, patient=f"whatsapp:{h.USER}", details={"nome": "Maria Souza"})
    day = slot.start.astimezone(scheduler.calendar.tz).date().isoformat()
    seen = {}
    for role in ("viewer", "dpo", "agent", "admin"):
        headers = {"Authorization": f"Bearer {tokens[role]}"}
        listed = await (await app.client.get(f"/admin/appointments?day={day}", headers=headers)).text()
        pending = await (await app.client.get("/admin/timers", headers=headers)).text()
        seen[role] = listed + pending
    for role in ("viewer", "dpo"):
        assert h.USER not in seen[role] and "Maria" not in seen[role]
        assert ConversationKey("clinica-sorriso", "whatsapp", h.USER).ref in seen[role]
    for role in ("agent", "admin"):
        assert h.USER in seen[role] and seen[role].count("Maria Souza") >= 2  # the appointment and its reminder
    details = [e["detail"] for e in await AuditLog(app.redis, prefix=app.prefix).recent(8)]
    assert details == ["unmasked"] * 4 + [""] * 4


async def test_the_bootstrap_token_creates_nothing_but_an_admin_with_a_password(start: h.Start) -> None:
    app = await start(bot=CLINIC, admin_token=TOKEN)
    boot = {"Authorization": f"Bearer {TOKEN}"}
    for body in ({"name": "ana", "role": "admin"}, {"name": "ana", "role": "dpo", "password": "correct horse battery"}):
        refused = await app.client.post("/admin/users", headers=boot, json=body)
        assert refused.status == 400 and "first admin" in (await refused.json())["error"]
    assert await Accounts(app.redis, prefix=app.prefix).all() == []


async def test_staff_change_their_password_and_an_admin_sets_one(start: h.Start) -> None:
    app = await start(bot=CLINIC, admin_token=TOKEN)
    tokens = await _tokens(app)
    viewer = {"Authorization": f"Bearer {tokens['viewer']}"}
    wrong = await app.client.post("/admin/me/password", headers=viewer, json={"current": "nope", "new": "x" * 12})
    assert wrong.status == 403
    short = await app.client.post("/admin/me/password", headers=viewer,
                                  json={"current": "correct horse battery staple", "new": "short"})
    assert short.status == 400 and "at least 12" in (await short.json())["error"]
    changed = await app.client.post("/admin/me/password", headers=viewer,
                                    json={"current": "correct horse battery staple", "new": "a new long passphrase"})
    assert changed.status == 200
    login = {"name": "staff-viewer", "password": "a new long passphrase"}
    assert (await app.client.post("/admin/login", json=login)).status == 200
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    assert (await app.client.post("/admin/users/staff-viewer/password", headers=admin,
                                  json={"password": "set by the admin"})).status == 200
    assert (await app.client.post("/admin/login", json=login)).status == 401
    assert "a new long" not in str(await AuditLog(app.redis, prefix=app.prefix).recent(20))


async def test_with_every_admin_disabled_the_bootstrap_token_works_again(start: h.Start) -> None:
    app = await start(bot=CLINIC, admin_token=TOKEN)
    boot = {"Authorization": f"Bearer {TOKEN}"}
    book = Accounts(app.redis, prefix=app.prefix)
    await book.add("ana", "admin", "correct horse battery")
    assert (await app.client.get("/admin/timers", headers=boot)).status == 401
    await book.set_disabled("ana", True)
    assert (await app.client.get("/admin/timers", headers=boot)).status == 200
