"""Reading an answer to an `ask` (`runtime.nodes.inputs`): the options shown are picked by their
numbers whatever the input type, a correction counts, a name is a name, and `fill` takes only
what a message says without doubt."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from flows.messages import InboundEvent
from flows.nodes import AskNode
from runtime.nodes.inputs import fill, read

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
INSURANCE = {"id": "plano", "kind": "ask", "input": "choice", "var": "plano", "text": "Qual convênio?",
             "options": [{"id": "amil", "title": "Amil"}, {"id": "unimed", "title": "Unimed"},
                         {"id": "outro", "title": "Outro ou nenhum", "synonyms": ["hapvida", "nenhum"]}]}
SPECIALTY = {"id": "esp", "kind": "ask", "input": "choice", "var": "esp", "text": "Qual especialidade?",
             "options": [{"id": "clinica_geral", "title": "Clínica geral", "synonyms": ["clinico geral"]},
                         {"id": "pediatria", "title": "Pediatria", "synonyms": ["pediatra", "crianca"]}]}


def node(data: dict[str, Any]) -> AskNode:
    return AskNode.from_json(str(data["id"]), data)


def event(text: str = "", choice: str | None = None) -> InboundEvent:
    return InboundEvent("test", "u", "1", NOW, "choice" if choice else "text", text, choice)


@pytest.mark.parametrize("input_type", ["yes_no", "number", "text", "date"])
def test_a_number_picks_a_displayed_option_whatever_the_input_type(input_type: str) -> None:
    ask = node({"id": "q", "kind": "ask", "input": input_type, "var": "v", "text": "?",
                "options": [{"id": "sim", "title": "Sim, por favor"}, {"id": "nao", "title": "Não, voltar"}]})
    first, second = read(ask, event("1"), NOW), read(ask, event("opção 2"), NOW)
    assert first is not None and second is not None
    assert first.option is not None and first.option.id == "sim"
    assert second.option is not None and second.option.id == "nao"
    if input_type == "yes_no":
        assert (first.value, second.value) == (True, False)


def test_a_yes_no_question_takes_its_buttons_and_papo_s_own() -> None:
    ask = node({"id": "q", "kind": "ask", "input": "yes_no", "var": "v", "text": "?",
                "options": [{"id": "quero", "title": "Quero"}, {"id": "dispenso", "title": "Dispenso"}]})
    assert [read(ask, event(choice=c), NOW) is not None and read(ask, event(choice=c), NOW).value  # type: ignore[union-attr]
            for c in ("quero", "dispenso", "sim", "nao")] == [True, False, True, False]


def test_a_correction_takes_what_it_corrects_to() -> None:
    answer = read(node(INSURANCE), event("amil, quer dizer, hapvida"), NOW)
    assert answer is not None and answer.value == "outro"
    assert read(node(INSURANCE), event("unimed... ops, quis dizer amil"), NOW).value == "amil"  # type: ignore[union-attr]


def test_a_fuzzy_likeness_over_a_sentence_is_no_answer() -> None:
    assert read(node(INSURANCE), event("vocês vendem óculos de grau?"), NOW) is None
    typo = read(node(SPECIALTY), event("quero a pediatrya"), NOW)
    assert typo is not None and typo.value == "pediatria"


def test_a_question_sharing_one_word_of_a_longer_name_picks_no_option() -> None:
    menu = node({"id": "menu", "kind": "ask", "input": "choice", "var": "v", "text": "Como posso ajudar?",
                 "options": [{"id": "horarios", "title": "Horários"},
                             {"id": "atendente", "title": "Falar com a equipe", "synonyms": ["atendimento humano"]}]})
    assert read(menu, event("tem atendimento sábado?"), NOW) is None  # the opening hours, not a person
    sharing = read(menu, event("quero atendimento de gente"), NOW)  # not a question: the one option it names
    assert sharing is not None and sharing.value == "atendente"


def test_a_correction_to_an_option_it_names_loosely_is_that_option() -> None:
    reminder = node({"id": "aviso", "kind": "ask", "input": "choice", "var": "v", "text": "Podemos confirmar?",
                     "options": [{"id": "confirmar", "title": "Confirmar", "synonyms": ["confirmo"]},
                                 {"id": "cancelar", "title": "Cancelar", "synonyms": ["desmarcar"]}]})
    answer = read(reminder, event("confirmo.. ah nao, esqueci q a gente vai viajar, cancela"), NOW)
    assert answer is not None and answer.value == "cancelar"


def test_a_name_question_reads_names_only() -> None:
    ask = node({"id": "q", "kind": "ask", "input": "name", "var": "nome", "text": "Como posso te chamar?"})
    assert read(ask, event("me chamo Juliana"), NOW).value == "Juliana"  # type: ignore[union-attr]
    assert read(ask, event("quanto custa a consulta?"), NOW) is None


def test_fill_takes_an_option_named_in_the_message_and_nothing_doubtful() -> None:
    specialty = node(SPECIALTY)
    assert fill(specialty, "quero marcar com pediatra amanhã", [], NOW).value == "pediatria"  # type: ignore[union-attr]
    assert fill(specialty, "quero marcar clinico geral", [], NOW).value == "clinica_geral"  # type: ignore[union-attr]
    assert fill(specialty, "quero marcar uma consulta", [], NOW) is None
    assert fill(specialty, "pediatra ou clinico geral?", [], NOW) is None  # two: ask
    assert fill(specialty, "2", [], NOW) is None  # a number is an answer to a question, not a fact said before
    name = node({"id": "q", "kind": "ask", "input": "name", "var": "nome", "text": "Como posso te chamar?"})
    assert fill(name, "oi, me chamo Ana e queria marcar", [], NOW).value == "Ana"  # type: ignore[union-attr]
    assert fill(name, "Ana", [], NOW) is None  # a bare word before the question is no name
    cpf = node({"id": "q", "kind": "ask", "input": "cpf", "var": "cpf", "text": "CPF?"})
    entities = [{"entity": "cpf", "value": "52998224725"}]
    assert fill(cpf, "meu cpf é 529.982.247-25", entities, NOW).value == "52998224725"  # type: ignore[union-attr]
