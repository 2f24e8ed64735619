"""`papo users`, `papo tokens` and `papo incident affected` on a real Redis; each change audited."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from runtime.cli.main import main
from runtime.keys import ConversationKey, Keys

CLINIC = Path(__file__).parents[2] / "examples" / "clinic"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, redis_url: str, redis_prefix: str) -> Iterator[redis.Redis]:
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("PAPO_KEY_PREFIX", redis_prefix)
    client = redis.Redis.from_url(redis_url)
    yield client
    for key in client.scan_iter(match=f"{redis_prefix}*", count=1000):
        client.delete(key)
    client.close()


def test_users_and_tokens(env: redis.Redis, redis_prefix: str, monkeypatch: pytest.MonkeyPatch,
                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    assert main(["users", "add", "ana", "--role", "admin", "--password-stdin"]) == 0
    assert main(["users", "add", "ana", "--role", "dpo"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["tokens", "create", "ana", "--label", "laptop", "--days", "7"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("papo_") and token.encode() not in b"".join(
        v for k in env.scan_iter(match=f"{redis_prefix}*") if env.type(k) == b"hash" for v in env.hgetall(k).values())
    token_id = token.split("_")[1]
    assert main(["tokens", "list"]) == 0 and token_id in capsys.readouterr().out
    assert main(["users", "disable", "ana"]) == 0
    assert main(["users", "list"]) == 0 and "disabled" in capsys.readouterr().out
    assert main(["tokens", "revoke", token_id]) == 0 and main(["tokens", "revoke", token_id]) == 1
    raw = env.xrange(Keys(redis_prefix).audit())
    entries = [{k.decode(): v.decode() for k, v in fields.items()} for _, fields in raw]
    assert [(e["action"], e["result"]) for e in entries] == [
        ("papo users add", "0"), ("papo users add", "1"), ("papo tokens create", "0"), ("papo users disable", "0"),
        ("papo tokens revoke", "0"), ("papo tokens revoke", "1")]
    assert all(e["actor"].startswith("cli:") and token not in str(e) for e in entries)


def test_incident_affected_lists_refs_and_data_classes(env: redis.Redis, redis_prefix: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    keys = Keys(redis_prefix)
    inside = ConversationKey("clinica-sorriso", "whatsapp", "5511987654321")
    outside = ConversationKey("clinica-sorriso", "whatsapp", "5511900000000")
    for key, at in ((inside, "2026-03-02T12:00:00+00:00"), (outside, "2026-01-10T12:00:00+00:00")):
        doc = {"started_at": at, "last_inbound_at": at, "vars": {"nome": "Maria"}}
        env.hset(keys.state(key), mapping={"ver": 1, "doc": json.dumps(doc)})
    assert main(["incident", "affected", str(CLINIC), "--since", "2026-03-01T00:00:00-03:00", "--until",
                 "2026-03-03T00:00:00-03:00", "--detected", "2026-03-04T10:00:00-03:00", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [a["conversation"] for a in out["affected"]] == [inside.ref]
    assert "personal data (identification, contact)" in out["affected"][0]["classes"]
    assert out["notice"]["deadline"] == "2026-03-09" and out["notice"]["II_data_subjects"]["count"] == 1
    assert "5511987654321" not in json.dumps(out) and "Maria" not in json.dumps(out)
    with pytest.raises(SystemExit):  # argparse says the time needs its UTC offset
        main(["incident", "affected", str(CLINIC), "--since", "2026-03-01", "--until", "2026-03-02"])
    assert "needs a UTC offset" in capsys.readouterr().err
