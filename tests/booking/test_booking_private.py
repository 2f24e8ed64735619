"""What the scheduling nodes keep between turns (the offered slots, the hold, the reminders they
expect) is the conversation's private state, not a variable: no template sees it, and a document
stored when it still lived in the variables goes on where it was."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from runtime.service.harness import BotHarness

from .conftest import AGENDA, OpenBot


def _agenda_whose_offer_shows(tmp_path: Path, template: str) -> Path:
    """The agenda bot, with a variable `_booking` declared (so the lint lets a template name it) and
    the `marcar` node's offer text replaced by `template`."""
    root = tmp_path / "agenda"
    shutil.copytree(AGENDA, root)
    bot = json.loads((root / "bot.json").read_text(encoding="utf-8"))
    bot["variables"] = {"_booking": {"type": "object"}, "_reminders": {"type": "object"}}
    (root / "bot.json").write_text(json.dumps(bot), encoding="utf-8")
    flow = json.loads((root / "flows" / "marcar.json").read_text(encoding="utf-8"))
    flow["nodes"]["marcar"]["texts"] = {"offer": template}
    (root / "flows" / "marcar.json").write_text(json.dumps(flow), encoding="utf-8")
    return root


async def test_a_template_cannot_see_the_booking_step(open_bot: OpenBot, tmp_path: Path) -> None:
    h = await open_bot(_agenda_whose_offer_shows(tmp_path, "Horários [{{ _booking }}]"))
    [offer] = await h.say("marcar")
    assert offer.text == "Horários []"
    state = await h.state()
    assert state is not None and "_booking" not in state.vars
    assert state.private.booking is not None and state.private.booking["stage"] == "pick"
    assert len(state.private.booking["offered"]) == 3


async def _store_as_before(h: BotHarness) -> dict[str, object]:
    """Rewrite the stored document the way papo stored it when node state lived in the variables."""
    client, key = h.store.client, h.store.keys.state(h.key)
    doc = json.loads(await client.hget(key, "doc"))
    doc.pop("format")  # documents of that time had no format (they are format 1)
    private = doc.pop("private")
    doc["vars"] |= {"_booking": private["booking"], "_reminders": {"remind:x": "2026-03-04T10:00:00+00:00"}}
    await client.hset(key, "doc", json.dumps(doc))
    return dict(private["booking"])


async def test_an_older_document_moves_node_state_out_of_its_variables(open_bot: OpenBot) -> None:
    h = await open_bot(AGENDA)
    [offer] = await h.say("marcar")
    step = await _store_as_before(h)
    state = await h.state()
    assert state is not None and set(state.vars) == set()
    assert state.private.booking == step
    assert state.private.reminders == {"remind:x": "2026-03-04T10:00:00+00:00"}
    [confirm] = await h.say(choice_id=offer.options[1].id)  # the old step's offer still holds
    assert "às 10:30" in confirm.text
    replies = await h.say(choice_id="sim")
    assert replies[-1].text == "Marcado: segunda-feira, 02/03, às 10:30"
    state = await h.state()
    assert state is not None and state.private.booking is None and "_booking" not in state.vars
    assert state.to_json()["vars"].keys() == {"appointment"}
