"""A message the bot cannot read (a sticker, a poll, a message WhatsApp reports with errors) gets the
bot's "I can't read that here" answer, never silence; the question it waits on keeps waiting."""

from __future__ import annotations

from runtime.locales import PACKS

from .conftest import EXAMPLES, OpenBot

DEFAULT_UNSUPPORTED = PACKS["pt-BR"].messages["unsupported"]  # the engine bot speaks pt-BR and does not set it


async def test_an_unreadable_message_is_answered_and_the_question_keeps_waiting(open_bot: OpenBot) -> None:
    bot = await open_bot("engine")
    assert [m.text for m in await bot.say("oi")] == ["nome?"]
    before = await bot.state()
    replies = await bot.send(bot.event(kind="unsupported", data={"type": "sticker"}))
    assert [m.text for m in replies] == [DEFAULT_UNSUPPORTED]
    assert [n for n in bot.last[-1].notices if n["kind"] != "decision"] == [{"kind": "unsupported", "type": "sticker"}]
    assert [n["step"] for n in bot.last[-1].notices if n["kind"] == "decision"] == ["unsupported"]
    after = await bot.state()
    assert before is not None and after is not None
    assert (after.flow, after.node, after.waiting, after.retries) == (before.flow, before.node, "input", 0)
    assert [m.text for m in await bot.say("Ana")] == ["escolha, Ana"]


async def test_a_first_message_it_cannot_read_leaves_the_greeting_for_the_next(open_bot: OpenBot) -> None:
    bot = await open_bot("engine")
    assert [m.text for m in await bot.send(bot.event(kind="unsupported", data={"type": "poll"}))] == [
        DEFAULT_UNSUPPORTED]
    assert [m.text for m in await bot.say("oi")] == ["nome?"]  # the first-message flow, as if it were the first


async def test_an_unsupported_attachment_with_text_is_read_as_text(open_bot: OpenBot) -> None:
    bot = await open_bot("engine")  # e.g. a Messenger link preview: the user's words come along
    assert [m.text for m in await bot.send(bot.event("oi", kind="unsupported", data={"type": "fallback"}))] == [
        "nome?"]


async def test_during_a_handoff_staff_see_it_and_the_bot_stays_quiet(open_bot: OpenBot) -> None:
    bot = await open_bot("engine")
    for line in ("oi", "Ana"):
        await bot.say(line)
    await bot.say(choice_id="human")
    assert await bot.send(bot.event(kind="unsupported", data={"type": "sticker"})) == []


async def test_the_bot_says_it_in_its_own_words(open_bot: OpenBot) -> None:
    bot = await open_bot(EXAMPLES / "clinic")
    [reply] = await bot.send(bot.event(kind="unsupported", data={"type": "audio"}))
    assert reply.text.startswith("Ainda não consigo")
