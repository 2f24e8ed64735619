"""FAQ retrieval with the kinds of the bot's entities: a question and a message that name something of
the same kind (a specialty, a health plan) share a word for it."""

from __future__ import annotations

from flows.faq import Faq, FaqEntry
from nlu import NLU
from nlu.faq import FaqIndex

FAQ = Faq((
    FaqEntry("especialidades", ("tem pediatra?", "quais especialidades vocês têm?"),
             "Atendemos clínica geral e pediatria."),
    FaqEntry("estacionamento", ("tem estacionamento?",), "Sim, no subsolo."),
    FaqEntry("preco", ("quanto custa a consulta?",), "R$ 250,00."),
))


def test_a_specialty_the_faq_never_names_finds_the_specialties_entry(clinic_nlu: NLU) -> None:
    plain = FaqIndex(FAQ).read("tem dermatologista?")
    typed = FaqIndex(FAQ, kinds=clinic_nlu.entity_kinds).read("tem dermatologista?")
    assert plain.best is None or plain.best.score < 0.3  # only "tem", a stopword, in common
    assert typed.best is not None and typed.best.entry == "especialidades" and typed.confident


def test_messages_without_entities_read_as_before(clinic_nlu: NLU) -> None:
    plain = FaqIndex(FAQ).read("quanto custa a consulta")
    typed = FaqIndex(FAQ, kinds=clinic_nlu.entity_kinds).read("quanto custa a consulta")
    assert [m.entry for m in typed.ranking] == [m.entry for m in plain.ranking]
    assert typed.confident and plain.confident and typed.best == plain.best  # the exact question: 1.0


def test_entity_kinds_come_from_the_bots_data(clinic_nlu: NLU) -> None:
    assert clinic_nlu.entity_kinds("vocês têm dermatologista pela unimed?") == {"especialidade", "convenio"}
    assert clinic_nlu.entity_kinds("tem estacionamento?") == set()
