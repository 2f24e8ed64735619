"""ActionServerClient against a real rasa-sdk action server (`python -m rasa_sdk`) on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from nlu import (
    ActionNotFound,
    ActionRejected,
    ActionServerClient,
    ActionServerUnavailable,
)

ACTIONS = Path(__file__).parent / "rasa_actions"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=0.5) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture(scope="module")
def action_server() -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ACTIONS)}
    proc = subprocess.Popen([sys.executable, "-m", "rasa_sdk", "--actions", "clinic_actions", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not _healthy(url):
        try:
            proc.wait(timeout=0.1)  # between tries, wait on the server: one that exits is noticed at once
            pytest.fail("the rasa-sdk action server exited at start")
        except subprocess.TimeoutExpired:
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail("the rasa-sdk action server did not start in 60 s")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


async def test_an_action_sets_variables_and_says_something(action_server: str) -> None:
    client = ActionServerClient(action_server)
    try:
        outcome = await client.run("action_verificar_convenio", sender_id="5511987650000",
                                   slots={"convenio": "Unimed"}, message_id="wamid.1")
    finally:
        await client.aclose()
    assert outcome.variables == {"convenio_aceito": True, "consultado_por": "5511987650000"}
    assert [m["text"] for m in outcome.responses] == ["Atendemos o seu convênio!"]


async def test_a_domain_digest_the_server_lacks_is_followed_by_the_domain(action_server: str) -> None:
    client = ActionServerClient(action_server, domain={"slots": {}}, domain_digest="unknown-digest")
    try:
        outcome = await client.run("action_verificar_convenio", sender_id="u", slots={"convenio": "outro"})
    finally:
        await client.aclose()
    assert outcome.variables["convenio_aceito"] is False


async def test_server_errors_become_papo_errors(action_server: str) -> None:
    client = ActionServerClient(action_server, timeout=0.3)
    try:
        with pytest.raises(ActionRejected, match="sempre recusa"):
            await client.run("action_recusar", sender_id="u")
        with pytest.raises(ActionNotFound, match="no action 'action_inexistente'"):
            await client.run("action_inexistente", sender_id="u")
        with pytest.raises(ActionServerUnavailable, match="HTTP 500"):
            await client.run("action_quebrada", sender_id="u")
        with pytest.raises(ActionServerUnavailable, match="timed out"):
            await client.run("action_travada", sender_id="u")
    finally:
        await client.aclose()
