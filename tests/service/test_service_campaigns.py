"""Campaigns: runs created and steered through the admin API, the runner in a real `papo serve --role
campaigns` process that is SIGKILLed mid-way, each contact started once at the fake Graph API, and a
run's report."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import service_helpers as h

from runtime.campaigns import CampaignBook
from runtime.conversations.store import RedisStore
from runtime.engine.clock import ManualClock
from runtime.engine.state import Conversation
from runtime.keys import ConversationKey
from runtime.privacy import Contact, Eraser

BOT = Path(__file__).parent / "bots" / "campaign"
TOKEN = "admin-token-0123456789abcdef"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
GRANTED = {"marketing": {"granted": True, "at": "2026-01-05T10:00:00+00:00", "source": "consent_node"}}


def _user(n: int) -> str:
    return f"55119{n:08d}"


async def _seed(app: h.Running, users: dict[str, Conversation]) -> None:
    store = RedisStore(app.redis, prefix=app.prefix)
    for user, state in users.items():
        await store.commit(ConversationKey("campaign", "whatsapp", user), state, [], expected_version=0)


def _patient(n: int, **changes: Any) -> Conversation:
    state = Conversation(started_at="2026-01-05T10:00:00+00:00", last_inbound_at="2026-01-05T10:00:00+00:00",
                         vars={"labels": ["paciente"], "nome": f"Paciente {n}"}, consents=dict(GRANTED))
    return replace(state, **changes)


def _audience(size: int) -> tuple[dict[str, Conversation], set[str], Counter[str]]:
    """`size` patients: every tenth opted out, every tenth (another one) never opted in to marketing."""
    users, wanted, skipped = {}, set(), Counter[str]()
    for n in range(size):
        if n % 10 == 3:
            users[_user(n)] = _patient(n, opted_out_at="2026-02-01T10:00:00+00:00")
            skipped["opted_out"] += 1
        elif n % 10 == 7:
            users[_user(n)] = _patient(n, consents={})
            skipped["no_consent"] += 1
        else:
            users[_user(n)] = _patient(n)
            wanted.add(_user(n))
    return users, wanted, skipped


def _templated(app: h.Running) -> Counter[str]:
    return Counter(c.json["to"] for c in app.graph.calls if c.json.get("type") == "template")


async def _meta(app: h.Running, run: str) -> dict[str, str]:
    return await CampaignBook(app.redis, prefix=app.prefix, bot="campaign").meta(run) or {}


async def _done(app: h.Running, run: str) -> int:
    return int(await app.redis.hlen(f"{app.prefix}:campaign:campaign:{run}:done"))


async def test_a_campaign_survives_a_killed_runner_pauses_resumes_and_reaches_each_contact_once(
        start: h.Start, redis_url: str, redis_prefix: str, graph: tuple[Any, str], tmp_path: Path) -> None:
    app = await start("worker", bot=BOT, admin_token=TOKEN, rate_per_number=100_000, workers=4)
    await start("sender", bot=BOT, rate_per_number=100_000, senders=8)
    users, wanted, skipped = _audience(2000)
    users |= {f"55219{n:08d}": _patient(n, vars={"labels": ["sentinela"]}) for n in range(5)}
    await _seed(app, users)
    made = await app.client.post("/admin/campaigns/limpeza/runs", headers=ADMIN, json={})
    run = (await made.json())["id"]
    assert made.status == 201 and (await made.json())["audience"] == 2000

    def runner(n: int) -> h.Served:
        process = h.Served(tmp_path / f"runner-{n}.log", redis_url=redis_url, prefix=redis_prefix,
                           graph_url=graph[1], PAPO_PARTITIONS="4")  # the test's workers read 4 partitions
        return process

    first = runner(1)
    await first.start("--role", "campaigns", bots=[str(BOT)])

    async def under_way() -> bool:
        return await _done(app, run) >= 300
    await h.wait_until(under_way, timeout=60)
    assert first.proc is not None
    first.proc.kill()  # SIGKILL: no goodbye, its lease left behind
    await first.proc.wait()
    assert (await _meta(app, run))["status"] == "running" and await _done(app, run) < 2000

    paused = await app.client.post(f"/admin/campaigns/runs/{run}/pause", headers=ADMIN)
    assert paused.status == 200 and (await paused.json())["status"] == "paused"
    held_at = await _done(app, run)
    sentinel = (await (await app.client.post("/admin/campaigns/sentinela/runs", headers=ADMIN)).json())["id"]
    second = runner(2)
    await second.start("--role", "campaigns", bots=[str(BOT)])
    try:
        async def sentinel_done() -> bool:
            return (await _meta(app, sentinel)).get("status") == "done"
        await h.wait_until(sentinel_done, timeout=60)
        # the runner looks at every run each round, the older one first: the paused one was passed over
        assert (await _meta(app, run))["status"] == "paused" and await _done(app, run) == held_at
        again = await app.client.post(f"/admin/campaigns/runs/{run}/pause", headers=ADMIN)
        assert again.status == 409 and "paused" in (await again.json())["error"]
        assert (await app.client.post(f"/admin/campaigns/runs/{run}/resume", headers=ADMIN)).status == 200

        async def finished() -> bool:
            return (await _meta(app, run)).get("status") == "done"
        await h.wait_until(finished, timeout=60)
    finally:
        await second.stop()

    async def all_sent() -> bool:
        return set(_templated(app)) >= wanted
    await h.wait_until(all_sent, timeout=60)
    counted = _templated(app)
    limpeza = {to: n for to, n in counted.items() if to.startswith("55119")}
    assert set(limpeza) == wanted and set(limpeza.values()) == {1}  # each once; none opted out or unconsented
    report = await (await app.client.get(f"/admin/campaigns/runs/{run}", headers=ADMIN)).json()
    assert report["audience"] == 2000 and report["sent"] == len(wanted) == 1600
    assert report["skipped"] == dict(skipped) == {"opted_out": 200, "no_consent": 200}


async def test_the_report_counts_deliveries_replies_failures_and_opt_outs(start: h.Start) -> None:
    app = await start(bot=BOT, admin_token=TOKEN, rate_per_number=100_000)
    await _seed(app, {_user(n): _patient(n) for n in range(4)})
    app.graph.answer(*[h.fakes.Reply(body={"messages": [{"id": f"wamid.ok{n}"}]}) for n in range(3)],
                     h.fakes.Reply(400, h.fakes.graph_error(132001, "template does not exist")))
    run = (await (await app.client.post("/admin/campaigns/limpeza/runs", headers=ADMIN)).json())["id"]

    async def finished() -> bool:
        return (await _meta(app, run)).get("status") == "done" and len(app.graph.calls) >= 4
    await h.wait_until(finished)
    by_user = {c.json["to"]: i for i, c in enumerate(app.graph.calls)}
    delivered, read, replier, quitter = sorted(by_user, key=by_user.__getitem__)  # the last one was refused
    wamid = {u: f"wamid.ok{by_user[u]}" for u in by_user}
    statuses = [h.wa_status(wamid[delivered], "delivered", user=delivered), h.wa_status(wamid[read], "read", user=read)]
    assert (await app.post(h.wa_body(statuses=statuses))).status == 200
    now = int(datetime.now(UTC).timestamp())
    for user, text in ((replier, "Sim"), (quitter, "pare de mandar mensagens")):
        body = h.wa_body(messages=[h.wa_message(f"wamid.in-{user}", text, ts=now, user=user)])
        assert (await app.post(body)).status == 200

    async def reported() -> bool:
        answer = await (await app.client.get(f"/admin/campaigns/runs/{run}", headers=ADMIN)).json()
        return answer["replied"] == 2 and answer["opted_out_after"] == 1
    await h.wait_until(reported)
    report = await (await app.client.get(f"/admin/campaigns/runs/{run}", headers=ADMIN)).json()
    assert report["sent"] == 4 and report["delivered"] == 2 and report["read"] == 1
    assert report["failed"] == {"132001": 1}  # the fourth send was refused, with Meta's code
    assert "55119" not in json.dumps(report)  # counts, never a phone number


async def test_bad_campaign_requests_say_what_is_wrong(start: h.Start) -> None:
    app = await start(bot=BOT, admin_token=TOKEN)
    unknown = await app.client.post("/admin/campaigns/nada/runs", headers=ADMIN)
    assert unknown.status == 404 and "limpeza" in (await unknown.json())["error"]
    bad = await app.client.post("/admin/campaigns/limpeza/runs", headers=ADMIN, json={"paused": "sim"})
    assert bad.status == 400 and "paused" in (await bad.json())["error"]
    missing = await app.client.post("/admin/campaigns/runs/nada/resume", headers=ADMIN)
    assert missing.status == 404
    listed = await (await app.client.get("/admin/campaigns", headers=ADMIN)).json()
    assert {c["name"] for c in listed["campaigns"]} == {"limpeza", "sentinela"}


CLINIC = Path(__file__).parents[2] / "examples" / "clinic"


async def test_the_clinic_recall_reaches_patients_without_a_visit_in_six_months(
        start: h.Start, monkeypatch: Any) -> None:
    for name, value in {"WHATSAPP_TOKEN": "wa-token", "WHATSAPP_APP_SECRET": h.fakes.APP_SECRET,
                        "WHATSAPP_VERIFY_TOKEN": "v", "WHATSAPP_PHONE_NUMBER_ID": h.fakes.PHONE_NUMBER_ID}.items():
        monkeypatch.setenv(name, value)
    clock = ManualClock(datetime(2025, 8, 4, 12, tzinfo=UTC))  # a Monday, seven months before the campaign
    app = await start(bot=CLINIC, admin_token=TOKEN, clock=clock)
    scheduler = app.service.processor.services.scheduler
    assert scheduler is not None
    patients = {name: f"55119{n:08d}" for n, name in enumerate(("ana", "bia", "caio", "davi", "eva"))}

    async def book(name: str) -> None:
        slot = (await scheduler.find_slots("consulta", professional="dra_ana", limit=1))[0]
        await scheduler.book(slot, patient=f"whatsapp:{patients[name]}")

    await book("ana")  # seen seven months ago: recalled
    await book("davi")  # seen seven months ago, but already coming back (below)
    clock.set(datetime(2025, 12, 1, 12, tzinfo=UTC))
    await book("bia")  # seen three months ago
    clock.set(datetime(2026, 3, 2, 12, tzinfo=UTC))  # Monday, 09:00 at the clinic
    await book("davi")
    store = RedisStore(app.redis, prefix=app.prefix)
    for name, user in patients.items():  # caio never came; eva came never either and has no consent
        consents = {} if name == "eva" else dict(GRANTED)
        await store.commit(ConversationKey("clinica-sorriso", "whatsapp", user),
                           Conversation(vars={"nome": name.title()}, consents=consents), [], expected_version=0)
    made = await app.client.post("/admin/campaigns/retorno_6_meses/runs", headers=ADMIN)
    run = (await made.json())["id"]
    assert made.status == 201 and (await made.json())["audience"] == 1

    async def sent() -> bool:
        return any(c.json.get("type") == "template" for c in app.graph.calls)
    await h.wait_until(sent)
    [call] = [c.json for c in app.graph.calls if c.json.get("type") == "template"]
    assert call["to"] == patients["ana"] and call["template"]["name"] == "retorno_consulta"
    assert "Ana" in json.dumps(call["template"]["components"])
    clock.advance(timedelta(minutes=3))
    body = h.wa_body(messages=[h.wa_message("wamid.ana1", "Agora não", ts=int(clock.now().timestamp()),
                                            user=patients["ana"])])
    assert (await app.post(body)).status == 200

    async def answered() -> bool:
        return any("Quando quiser marcar" in json.dumps(c.json, ensure_ascii=False) for c in app.graph.calls)
    await h.wait_until(answered)
    report = await (await app.client.get(f"/admin/campaigns/runs/{run}", headers=ADMIN)).json()
    assert report["sent"] == 1 and report["replied"] == 1


async def test_an_opt_out_during_the_campaign_stops_the_message_not_yet_sent(start: h.Start) -> None:
    app = await start("ingest", bot=BOT, admin_token=TOKEN)
    await start("worker", bot=BOT)
    await start("campaigns", bot=BOT)  # the runner, and no sender yet: the messages wait in the outboxes
    await _seed(app, {_user(n): _patient(n) for n in range(3)})
    run = (await (await app.client.post("/admin/campaigns/limpeza/runs", headers=ADMIN)).json())["id"]
    store = RedisStore(app.redis, prefix=app.prefix)

    async def committed() -> bool:
        outboxes = [await app.redis.xlen(store.keys.outbox(ConversationKey("campaign", "whatsapp", _user(n))))
                    for n in range(3)]
        return (await _meta(app, run)).get("status") == "done" and outboxes == [1, 1, 1]
    await h.wait_until(committed)
    quitter = _user(1)
    body = h.wa_body(messages=[h.wa_message("wamid.stop", "pare de me mandar mensagens",
                                            ts=int(datetime.now(UTC).timestamp()), user=quitter)])
    assert (await app.post(body)).status == 200

    async def opted_out() -> bool:
        state, _ = await store.load(ConversationKey("campaign", "whatsapp", quitter))
        return state is not None and state.opted_out_at is not None
    await h.wait_until(opted_out)
    await start("sender", bot=BOT)

    async def settled() -> bool:
        report = await (await app.client.get(f"/admin/campaigns/runs/{run}", headers=ADMIN)).json()
        return len(_templated(app)) == 2 and report["failed"] == {"NoConsent": 1}
    await h.wait_until(settled)
    assert set(_templated(app)) == {_user(0), _user(2)}  # the contact who opted out got only the bot's reply
    report = await (await app.client.get(f"/admin/campaigns/runs/{run}", headers=ADMIN)).json()
    assert report["opted_out_after"] == 1


async def test_erasing_a_contact_takes_them_out_of_every_campaign_run(start: h.Start) -> None:
    app = await start(bot=BOT, admin_token=TOKEN)
    await _seed(app, {_user(n): _patient(n) for n in range(3)})
    run = (await (await app.client.post("/admin/campaigns/limpeza/runs", headers=ADMIN)).json())["id"]

    async def finished() -> bool:
        return (await _meta(app, run)).get("status") == "done"
    await h.wait_until(finished)
    erased = await Eraser(app.redis, prefix=app.prefix).erase(Contact("campaign", "whatsapp", _user(1)),
                                                             now=datetime.now(UTC))
    assert erased.counts["campaigns"] == 3  # its place in the audience, its outcome, its place in the day's tier
    everything = ""
    for key in await app.redis.keys(f"{app.prefix}:campaign*"):
        kind = (await app.redis.type(key)).decode()
        read = {"list": lambda k: app.redis.lrange(k, 0, -1), "hash": app.redis.hgetall, "set": app.redis.smembers,
                "string": app.redis.get, "zset": lambda k: app.redis.zrange(k, 0, -1)}[kind]
        everything += str(await read(key))
    # the run's keys are shared by its contacts: they name each by the conversation's digest, never the number
    digest = ConversationKey("campaign", "whatsapp", _user(0)).digest
    assert _user(0) not in everything and digest in everything
    assert ConversationKey("campaign", "whatsapp", _user(1)).digest not in everything
    report = await (await app.client.get(f"/admin/campaigns/runs/{run}", headers=ADMIN)).json()
    assert report["audience"] == 3 and report["sent"] == 2


async def test_the_numbers_daily_tier_holds_the_rest_for_the_next_day(start: h.Start, tmp_path: Path) -> None:
    bot = tmp_path / "campaign"
    shutil.copytree(BOT, bot)
    data = json.loads((bot / "campaigns.json").read_text(encoding="utf-8"))
    data["limits"]["daily_unique"] = 2
    (bot / "campaigns.json").write_text(json.dumps(data), encoding="utf-8")
    clock = ManualClock(datetime(2026, 3, 2, 12, tzinfo=UTC))
    app = await start(bot=bot, admin_token=TOKEN, clock=clock)
    await _seed(app, {_user(n): _patient(n) for n in range(5)})
    run = (await (await app.client.post("/admin/campaigns/limpeza/runs", headers=ADMIN)).json())["id"]

    async def held() -> bool:
        return "waiting" in await _meta(app, run) and len(_templated(app)) == 2
    await h.wait_until(held)
    assert (await _meta(app, run))["status"] == "running" and await _done(app, run) == 2
    clock.advance(timedelta(days=1))

    async def next_two() -> bool:
        return len(_templated(app)) == 4
    await h.wait_until(next_two)
    clock.advance(timedelta(days=1))

    async def finished() -> bool:
        return (await _meta(app, run)).get("status") == "done" and len(_templated(app)) == 5
    await h.wait_until(finished)
    assert set(_templated(app).values()) == {1}


async def test_a_run_scheduled_for_later_waits_for_its_time(start: h.Start) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 12, tzinfo=UTC))
    app = await start(bot=BOT, admin_token=TOKEN, clock=clock)
    await _seed(app, {_user(n): _patient(n) for n in range(2)})
    await _seed(app, {"55219000000001": _patient(9, vars={"labels": ["sentinela"]})})
    bad = await app.client.post("/admin/campaigns/limpeza/runs", headers=ADMIN, json={"at": "amanhã"})
    assert bad.status == 400 and "ISO 8601" in (await bad.json())["error"]
    naive = await app.client.post("/admin/campaigns/limpeza/runs", headers=ADMIN, json={"at": "2026-03-02T14:00:00"})
    assert naive.status == 400 and "offset" in (await naive.json())["error"]
    later = await app.client.post("/admin/campaigns/limpeza/runs", headers=ADMIN,
                                  json={"at": "2026-03-02T11:00:00-03:00"})
    run = (await later.json())["id"]
    sentinel = (await (await app.client.post("/admin/campaigns/sentinela/runs", headers=ADMIN)).json())["id"]

    async def sentinel_done() -> bool:
        return (await _meta(app, sentinel)).get("status") == "done"
    await h.wait_until(sentinel_done)
    assert await _done(app, run) == 0  # passed over while its time had not come
    clock.advance(timedelta(hours=5))

    async def finished() -> bool:
        return (await _meta(app, run)).get("status") == "done" and len(_templated(app)) == 3
    await h.wait_until(finished)
