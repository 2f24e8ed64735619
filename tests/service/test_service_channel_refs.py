"""Channel credentials in bot.json are ${ENV_VAR} references: a literal secret is refused, a channel
whose variables are missing is off with one clear line, the others keep working."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest
import service_helpers as h

from flows.loader import check_bot

REFS = Path(__file__).parent / "bots" / "refs"


async def test_declared_channels_read_their_variables(start: h.Start, monkeypatch: pytest.MonkeyPatch,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    for name, value in {"CLINICA_WA_TOKEN": "wa-token", "CLINICA_WA_SECRET": h.fakes.APP_SECRET,
                        "CLINICA_WA_VERIFY": "v", "CLINICA_WA_NUMBER": h.fakes.PHONE_NUMBER_ID,
                        "CLINICA_FB_TOKEN": "fb-token"}.items():
        monkeypatch.setenv(name, value)
    caplog.set_level(logging.WARNING, logger="runtime.service.bot_service")
    app = await start(bot=REFS, channels=())  # nothing from the default variable names
    assert (await app.post(h.wa_body(messages=[h.wa_message("wamid.R1", "oi")]))).status == 200

    async def answered() -> bool:
        return bool(app.graph.calls)

    await h.wait_until(answered)
    assert app.graph.calls[0].authorization == "Bearer wa-token"
    assert (await app.post(b"{}", channel="messenger")).status == 404  # off: its secret is missing
    off = [r.getMessage() for r in caplog.records if "is off" in r.getMessage()]
    assert off == ["messenger is off: CLINICA_FB_SECRET, CLINICA_FB_VERIFY not set in the environment "
                   "(it needs CLINICA_FB_TOKEN, CLINICA_FB_SECRET, CLINICA_FB_VERIFY)"]
    assert "fb-token" not in caplog.text and "wa-token" not in caplog.text


def test_a_literal_secret_in_bot_json_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "bot"
    shutil.copytree(REFS, root)
    data = json.loads((root / "bot.json").read_text())
    data["channels"]["whatsapp"]["token"] = "EAAGm0PX4ZCpsBA"
    (root / "bot.json").write_text(json.dumps(data, indent=2))
    [issue] = check_bot(root).errors
    assert issue.pointer == "/channels/whatsapp/token" and "${NAME}" in issue.hint
