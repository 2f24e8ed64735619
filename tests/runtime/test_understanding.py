"""The engine and the nlu together: triggers by intent, answers typed in free text, variables
filled from entities."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from runtime.conversations.library import BotLibrary
from runtime.engine.clock import ManualClock
from runtime.service.wiring import build_services, training_data

from .conftest import EXAMPLES, OpenBot


async def test_variables_declared_from_an_entity_take_its_value(open_bot: OpenBot) -> None:
    bot = await open_bot("engine")
    await bot.say("oi, meu cpf é 529.982.247-25")
    await bot.say("Ana, pode ser amanhã às 15h?")
    state = await bot.state()
    assert state is not None
    assert state.vars["cpf"] == "52998224725"
    assert state.vars["quando"] == "2026-03-03T15:00:00-03:00"  # in the bot's zone, relative to the message


async def test_a_date_question_reads_pt_br(open_bot: OpenBot, tmp_path: Path) -> None:
    root = tmp_path / "bot"
    (root / "flows").mkdir(parents=True)
    (root / "bot.json").write_text('{"name": "d", "default_locale": "pt-BR", "timezone": "America/Sao_Paulo", '
                                   '"entry_flow": "f"}')
    (root / "flows" / "f.json").write_text(
        '{"id": "f", "entry": "dia", "nodes": {'
        '"dia": {"kind": "ask", "input": "date", "var": "dia", "text": "Que dia?", "next": "hora"},'
        '"hora": {"kind": "ask", "input": "time", "var": "hora", "text": "Que horas?", "next": "ok"},'
        '"ok": {"kind": "end", "text": "{{ dia | format_date }} às {{ hora }}"}}}')
    bot = await open_bot(root)
    assert [m.text for m in await bot.say("oi")] == ["Que dia?"]
    assert [m.text for m in await bot.say("semana que vem")] == [
        "Desculpe, não entendi. Escreva uma data, por exemplo: 15/03 ou sexta-feira.\nQue dia?"]
    assert [m.text for m in await bot.say("segunda que vem")] == ["Que horas?"]
    assert [m.text for m in await bot.say("às 9 e meia")] == ["09/03/2026 às 09:30"]


def test_the_bots_own_keywords_teach_its_intents() -> None:
    bot = BotLibrary.load(EXAMPLES / "clinic").current
    examples = {(e.text, e.intent) for e in training_data(bot).examples}
    assert ("que horas abre", "opening_hours") in examples and ("plano de saude", "insurance") in examples


async def test_free_text_reaches_a_flow_by_intent_from_anywhere(open_bot: OpenBot, clock: ManualClock) -> None:
    library = BotLibrary.load(EXAMPLES / "clinic")
    services = build_services(library.current, EXAMPLES / "clinic")
    assert services.nlu is not None
    bot = await open_bot(EXAMPLES / "clinic", library=library)
    bot.processor.services = services
    await bot.say("oi")
    await bot.say("Júlia")
    reply = await bot.say("vcs abrem no sabado?")
    assert "aos sábados, das 8h às 12h" in reply[0].text
    assert bot.last[-1].trace[0] == "menu/escolha" and "horarios/resposta" in bot.last[-1].trace
    clock.advance(timedelta(minutes=1))
    assert "Quer que eu chame alguém" in (await bot.say("quero falar com um atendente humano"))[0].text
