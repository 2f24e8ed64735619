"""Masking, command checks and FAQ retrieval: the pure parts of the fallback."""

from __future__ import annotations

import pytest

from flows.loader import load_bot
from nlu.faq import FaqIndex
from runtime.llm import Catalog, Command, Refused, check, mask
from runtime.locales import pack_for

from .conftest import BOT


@pytest.mark.parametrize(("text", "expected"), [
    ("meu cpf é 529.982.247-25", "meu cpf é [cpf]"),
    ("cpf 52998224725", "cpf [cpf]"),
    ("liga no (11) 98765-4321", "liga no [telefone]"),
    ("+55 11 98765-4321 é o meu", "[telefone] é o meu"),
    ("manda pra ana.souza@example.com.br", "manda pra [email]"),
    ("cartão 4111 1111 1111 1111 venc 12/28", "cartão [cartao] venc 12/28"),
    ("protocolo 123456789", "protocolo [numero]"),
    ("tem vaga às 10h?", "tem vaga às 10h?"),
])
def test_personal_data_is_masked(text: str, expected: str) -> None:
    assert mask(text) == expected


def test_tagged_values_are_masked_whatever_their_form() -> None:
    assert mask("sou a JOANA prado da silva", ["Joana Prado"]) == "sou a [dado] da silva"


def test_a_written_answer_keeps_only_the_entry_figures() -> None:
    catalog, pt = Catalog({"preco": "A consulta custa R$ 250,00."}), pack_for("pt-BR")
    kept = check(Command(command="answer_faq", faq_id="preco", text="Custa R$ 250,00, tá?"), catalog, pt)
    assert isinstance(kept, Command) and kept.text == "Custa R$ 250,00, tá?"
    replaced = check(Command(command="answer_faq", faq_id="preco", text="Custa R$ 200,00."), catalog, pt)
    assert isinstance(replaced, Command) and replaced.text == "A consulta custa R$ 250,00."
    assert isinstance(check(Command(command="small_talk", text="Amanhã tem vaga!"), catalog, pt), Refused)


@pytest.mark.parametrize(("locale", "refused", "kept"), [
    ("pt-BR", ["Amanhã tem vaga!", "Sai por cinquenta reais.", "Na sexta a gente se vê."],
     ["Que bom falar com você!"]),
    ("en", ["See you tomorrow!", "Only fifty dollars.", "We are open on Saturday.", "Come by at noon."],
     ["Glad to help!", "Have a lovely day."]),
])
def test_small_talk_may_not_speak_of_money_or_days_in_the_conversations_language(
        locale: str, refused: list[str], kept: list[str]) -> None:
    words = pack_for(locale)
    said = {text: check(Command(command="small_talk", text=text), Catalog(), words) for text in refused + kept}
    assert [t for t in refused if not isinstance(said[t], Refused)] == []
    assert [t for t in kept if not isinstance(said[t], Command)] == []


def test_faq_retrieval_is_confident_only_with_a_clear_winner() -> None:
    index = FaqIndex(load_bot(BOT).faq)
    reading = index.read("Tem estacionamento???")
    assert reading.confident and reading.best is not None and reading.best.entry == "estacionamento"
    assert not index.read("qual a capital da frança").confident
    assert index.read("aceita pix", topics=["exames"]).ranking[0].entry == "exames"
    strict = FaqIndex(load_bot(BOT).faq, threshold=0.99)
    question = "vaga pra estacionar o carro"
    assert index.read(question).confident and not strict.read(question).confident


def test_public_names_are_exported_sorted_and_exist() -> None:
    import runtime.llm

    assert runtime.llm.__all__ == sorted(runtime.llm.__all__)
    assert all(hasattr(runtime.llm, name) for name in runtime.llm.__all__)


def test_an_entry_about_one_subject_weighs_less_when_the_message_names_none() -> None:
    """The clinic's pediatrician's days ("pediatria atende sábado?", "quando o dr bruno atende?") against its
    opening hours ("vocês abrem no sábado?"): a message that names no specialty or doctor asks the hours."""
    bot = load_bot(BOT.parents[3] / "examples" / "clinic")
    index = FaqIndex(bot.faq)
    subjects = ("pediatr", "bruno", "ana", "clinica geral", "clínica geral")
    index.mark_specific(lambda question: any(s in question.lower() for s in subjects))
    assert index.specific is not None and {"dias_pediatria", "dias_clinica_geral", "preco_pediatria"} <= index.specific
    assert not {"horario_funcionamento", "especialidades", "preco_consulta"} & index.specific
    asked = "vocês atendem sábado?"
    as_read = index.read(asked).ranking
    unnamed = index.read(asked, unnamed=True).ranking
    assert as_read[0].entry == "dias_pediatria"
    assert unnamed[0].entry == "horario_funcionamento"
    assert {m.entry: m.score for m in unnamed}["dias_pediatria"] < {m.entry: m.score for m in as_read}["dias_pediatria"]


def test_a_grown_up_brought_along_stands_for_anyone() -> None:
    """"posso ir com meu marido?" is no question about coming without an appointment ("posso ir sem
    marcar?"): the husband is the companion the clinic's companion entry speaks of."""
    index = FaqIndex(load_bot(BOT.parents[3] / "examples" / "clinic").faq)
    assert index.read("posso ir com meu marido?").ranking[0].entry == "acompanhante"
    assert index.read("minha mãe pode entrar comigo?").ranking[0].entry == "acompanhante"
    assert index.read("com que idade a criança passa no pediatra?").ranking[0].entry != "acompanhante"


@pytest.mark.parametrize(("asked", "entry"), [("vc sabe qdo o pediatra atende?", "dias_pediatria"),
                                               ("a consulta demora mais ou menos quanto?", "duracao_consulta")])
def test_a_question_asking_when_weighs_days_and_roughly_is_no_content(asked: str, entry: str) -> None:
    """"qdo o pediatra atende?" asks the pediatrician's days, not which specialties there are; "mais ou
    menos" says how sure the patient wants the answer, not what about."""
    index = FaqIndex(load_bot(BOT.parents[3] / "examples" / "clinic").faq)
    reading = index.read(asked)
    assert reading.best is not None and reading.best.entry == entry and reading.confident
