"""Brazil's 9th digit: a WhatsApp user whose wa_id lacks it and the same user with it are one
conversation (one patient), and replies go to the wa_id WhatsApp sent."""

from __future__ import annotations

import service_helpers as h

OLD_FORM = "551187654321"   # as WhatsApp may send an account registered before the 9th digit
NEW_FORM = "5511987654321"


async def test_both_forms_of_a_brazilian_number_are_one_conversation(start: h.Start) -> None:
    app = await start()
    first = h.wa_body(messages=[h.wa_message("wamid.I1", "oi", user=OLD_FORM)])
    assert (await app.post(first)).status == 200

    async def replies(count: int) -> bool:
        return len(app.graph.calls) >= count

    await h.wait_until(lambda: replies(1))
    assert app.graph.calls[0].json["to"] == OLD_FORM  # back to the wa_id as sent
    second = h.wa_body(messages=[h.wa_message("wamid.I2", "de novo", user=NEW_FORM, ts=1767261601)])
    assert (await app.post(second)).status == 200
    await h.wait_until(lambda: replies(2))
    assert app.texts() == ["1:oi", "2:de novo"]  # the same conversation counted on
    assert app.graph.calls[1].json["to"] == NEW_FORM  # replies follow the form the user writes from now
    state, _ = await app.service.processor.store.load(app.key)  # keyed by the canonical form
    assert state is not None and app.key.user == NEW_FORM and state.vars["n"] == 2
