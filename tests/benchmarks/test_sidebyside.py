"""The side-by-side benchmark's parts that need no timing: the Node-RED flow, its pinned install, the
arguments, and the load generator's requests."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest

from benchmarks import sidebyside
from benchmarks.loadgen import rest_requests, whatsapp_requests
from benchmarks.webhooks import SECRET

NODERED = Path(sidebyside.__file__).parent / "nodered"


def test_the_nodered_flow_wires_http_in_to_the_greeting_to_http_response() -> None:
    nodes = {node["id"]: node for node in json.loads((NODERED / "flows.json").read_text())}
    rest = next(n for n in nodes.values() if n["type"] == "http in" and n["url"] == "/webhooks/rest/webhook")
    assert rest["method"] == "post"
    (greet_id,) = rest["wires"][0]
    greet = nodes[greet_id]
    assert greet["type"] == "function" and "flow.get" in greet["func"] and "flow.set" in greet["func"]
    (answer_id,) = greet["wires"][0]
    assert nodes[answer_id]["type"] == "http response"
    for node in nodes.values():
        for wire in node.get("wires", []):
            assert all(target in nodes for target in wire), node["id"]


def test_nodered_is_pinned_to_one_version_that_runs_on_node_18_and_newer() -> None:
    package = json.loads((NODERED / "package.json").read_text())
    lock = json.loads((NODERED / "package-lock.json").read_text())
    pinned = package["dependencies"]["node-red"]
    assert pinned.split(".")[0] == "4" and pinned[0].isdigit()
    assert lock["packages"]["node_modules/node-red"]["version"] == pinned
    assert sidebyside.nodered_version() == pinned


def test_only_picks_sections_and_refuses_unknown_ones() -> None:
    assert sidebyside.parse_args(["--only", "rest,embedded"]).sections == ["rest", "embedded"]
    with pytest.raises(SystemExit):
        sidebyside.parse_args(["--only", "rest,warp"])


def test_rest_requests_go_round_the_senders_saying_hi_then_a_name() -> None:
    make = rest_requests(3, "t")
    bodies = [json.loads(make(k)[1]) for k in range(6)]
    assert [b["sender"] for b in bodies] == ["t-0", "t-1", "t-2"] * 2
    assert [b["message"] for b in bodies] == ["hi"] * 3 + ["Ana"] * 3


def test_whatsapp_requests_are_signed_and_each_has_a_new_message_id() -> None:
    make = whatsapp_requests(2, "t")
    seen = set()
    for k in range(4):
        path, raw, headers = make(k)
        assert path == "/webhooks/whatsapp"
        expected = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
        assert headers["X-Hub-Signature-256"] == expected
        seen.add(json.loads(raw)["entry"][0]["changes"][0]["value"]["messages"][0]["id"])
    assert len(seen) == 4
