"""What patients say about themselves in passing (`nlu.slots`), and which reading explains more of a
message (`nlu.coverage`)."""

from __future__ import annotations

import pytest

from nlu.coverage import ExampleIndex, same_word
from nlu.slots import (
    age,
    corrected,
    last_clause_name,
    named_for,
    person_name,
    relation,
    relative_name,
    slots,
    without_spelling,
)


@pytest.mark.parametrize(("text", "name"), [
    ("me chamo Juliana", "Juliana"),
    ("meu nome é Ana Maria da Silva", "Ana Maria da Silva"),
    ("pode me chamar de bia", "Bia"),
    ("pode me chamar so de Bia? Beatriz é mt formal kkk", "Bia"),  # "só de"
    ("sou a Ju, tudo bem?", "Ju"),
    ("aqui é o Pedro", "Pedro"),
    ("o nome dela é Sofia", "Sofia"),
    ("me chamo Juliana e quero marcar consulta", "Juliana"),
    ("marcar pro meu filho, o nome dele é Caio e eu só posso à tarde", "Caio"),  # "pro" folds to two words
    ("na vdd me chama de José Carlos, Zé é só pros íntimos kkk", "José Carlos"),  # the name ends at the comma
    ("agendar consulta pra mim, Osvaldo, 70 anos, de preferencia quarta", "Osvaldo"),  # set apart after "pra mim"
])
def test_a_name_after_its_lead(text: str, name: str) -> None:
    assert person_name(text) == name
    assert person_name(text, bare=True) == name


@pytest.mark.parametrize(("text", "name"), [("Juliana", "Juliana"), ("juliana prado", "Juliana Prado"),
                                            ("Júlia", "Júlia"), ("Maria José", "Maria José"),
                                            ("Carla, obrigada", "Carla"), ("Seu Jorge", "Seu Jorge"),
                                            ("seu jorge amado", "Seu Jorge Amado"), ("Dona Cida", "Dona Cida"),
                                            ("é Joaquina", "Joaquina"), ("Tatiana mesmo", "Tatiana"),
                                            ("Josiane, digitei errado", "Josiane")])
def test_a_bare_name_is_a_name_only_when_asked(text: str, name: str) -> None:
    assert person_name(text) is None
    assert person_name(text, bare=True) == name


@pytest.mark.parametrize("text", ["quero marcar pra mim, Amanhã", "pra mim, Clínica Geral"])
def test_no_name_after_pra_mim_but_a_name(text: str) -> None:
    assert person_name(text) is None


@pytest.mark.parametrize("text", ["quanto custa a consulta?", "minha filha ta com febre", "oi", "bom dia",
                                  "quero marcar", "João 123", "joao@exemplo.com", "sim", "não sei", "seu filho",
                                  "seu horario"])
def test_a_sentence_or_a_question_is_no_name(text: str) -> None:
    assert person_name(text, bare=True) is None


@pytest.mark.parametrize(("text", "tail"), [
    ("amil, quer dizer, hapvida", "hapvida"),
    ("terça... ops, quarta", "quarta"),
    ("unimed na verdade bradesco", "bradesco"),
    ("quinta, digo, sexta", "sexta"),
    ("amil", None),
    ("na verdade", None),
    ("Marcia, quer dizer, Márcia Regina", "Márcia Regina"),  # as the patient wrote it
    ("amil, na vdd, hapvida", "hapvida"),
    ("pediatria... não, clínica geral", "clínica geral"),
    ("na outra terça, nao nessa", None),
    ("as 9... pera, as 10 na segunda", "as 10 na segunda"),
    ("quinta, peraí, sexta", "sexta"),  # not "this one": what came before stands
    ("clinico geral, alias nao, pediatria", "pediatria"),
    ("pediatra, aliás, vocês aceitam unimed?", None),  # "aliás" alone is "by the way"
    ("às 10, aliás 10 e meia", "10 e meia"),  # ... but before a number it corrects it
    ("sábado... ah não, terça", "terça"),
    ("confirmo. ah espera, tem quinta?", "tem quinta"),
    ("confirma! ah nao espera, tem quinta a tarde?", "tem quinta a tarde"),
    ("a espera é longa?", None),
])
def test_a_correction_keeps_what_it_corrects_to(text: str, tail: str | None) -> None:
    assert corrected(text) == tail


@pytest.mark.parametrize(("text", "name"), [
    ("Heloisa... nao, a Heloisa é a mais velha, é pra Livia", "Livia"),
    ("Jussara, ops, é a Josiane", "Josiane"),
    ("voltei, desculpa a demora", None),  # an apology, no correction
    ("Pedro, não, é pra minha filha", None),
    ("Helena, quer dizer, Heloísa, a mais nova", "Heloísa"),
    ("Rosimeire... digo, Rosemary, desculpa o corretor", "Rosemary"),  # the apology corrects nothing
    ("Cleide, nao pera, Cleusa kkk digitei errado", "Cleusa"),  # laughter ends a clause
    ("Ana Julia, nao, Ana Luiza, confundi com a prima", "Ana Luiza"),
])
def test_the_name_that_ends_a_correction(text: str, name: str | None) -> None:
    tail = corrected(text)
    assert (last_clause_name(tail) if tail else None) == name


def test_a_relatives_name_and_age_corrected_in_the_message() -> None:
    assert {s.entity: s.value for s in slots("pro meu neto Lucas, quer dizer, Lucca, de 5 anos, queria marcar")} == {
        "relation": "neto", "age": 5, "relative_name": "Lucca"}
    said = {s.entity: s.value for s in slots("quero marcar pra minha filha de 18, ah nao, ela tem 16 ainda")}
    assert said["age"] == 16  # the age corrected to
    said = {s.entity: s.value for s in slots("quero marcar pra minha avó, quer dizer, bisavó, a Ercília de 92 anos")}
    assert said == {"relation": "avo", "age": 92, "relative_name": "Ercília"}  # the relative corrected to, named


def test_a_relatives_name_and_age_around_other_words() -> None:
    assert {s.entity: s.value for s in slots("quero marcar pro meu pai, digo, meu sogro, seu Arlindo, 80 anos")} == {
        "relation": "sogro", "age": 80, "relative_name": "Arlindo"}
    assert relative_name("agora quero marcar pro meu outro filho tb, o Benício de 2 anos, mesmo dia") == "Benício"
    assert age("agendar pra minha filha Bianca de 17") == 17
    assert age("pra minha filha consulta de 17") is None  # no name between: no age


@pytest.mark.parametrize(("text", "who", "years"), [
    ("quero marcar pra minha filha, ela tem 5 anos", "filha", 5),
    ("é pra minha filha, ela tem 17", "filha", 17),  # "anos" left out
    ("ela tem 39 de febre", None, None),
    ("consulta pro meu pai de 70 anos", "pai", 70),
    ("meu filho de 8 meses", "filho", 0),
    ("ele tem vinte e dois anos", None, 22),
    ("marcar para o meu marido", "marido", None),
    ("faz 2 anos que não vou ao médico", None, None),
    ("há 3 anos", None, None),
    ("pra mim mesmo", None, None),
    ("meu menino ta com febre, quero marcar", "filho", None),
    ("marcar pro meu guri de 6 anos", "filho", 6),
    ("é pra minha vó", "avo", None),
    ("o pequeno almoço", None, None),
    ("oxe, minha fia tá precisando de pediatra, ela tem 9 ano", "filha", 9),  # as said in the northeast
    ("quero marcar pra minha pequena, ela tem 4 anos", "crianca", 4),  # a child, after "minha"
    ("qria marca pediatra pro meu fiio de 3 ano", "filho", 3),
    ("passa o fio pela agulha", None, None),  # a thread is nobody's child
    ("peraí que vou perguntar pro meu marido", None, None),  # asked, not the patient
    ("Ana Luiza, confundi com a prima", None, None),  # mixed up with, not the patient
    ("vou ver com a minha esposa e te falo", None, None),
    ("vou falar com meu filho e marco pra minha mãe", "mae", None),
    ("quero marcar também pro meu outro filho", "filho", None),  # another of them
    ("pra minha outra filha, a de 4 anos", "filha", 4),
    ("quero outro horário", None, None),
    ("minha esposa consultou aí e gostou, queria marcar pra mim também", None, None),  # the writer is the patient
    ("é pra mim, não pro meu marido", None, None),
    ("não é pra mim, é pro meu filho", "filho", None),
    # a word of the family's own, with an age: someone else, a child under 18
    ("ôxe, bora marcar pra minha bichinha de 3 anos com o pediatra", "crianca", 3),
    ("pro meu pequeno de 4 aninhos", "crianca", 4),
    ("quero marcar pra minha vizinha de 80 anos", "outra_pessoa", 80),
    ("pro meu caso de 2 anos atrás", None, None),
    ("preciso marcar consulta pra minha filha de 17", "filha", 17),  # the years go without saying
    ("pra minha filha de 17 de março", "filha", None),
    ("qro marcar pra minha afilhada", "afilhada", None),
    ("boa tarde, quero marcar pra minha bisavó", "avo", None),
    ("ano passado fiquei 2 meses esperando vaga", None, None),  # how long, not how old
])
def test_who_the_appointment_is_for_and_their_age(text: str, who: str | None, years: int | None) -> None:
    assert relation(text) == who
    assert age(text) == years


def test_slots_are_entities_in_rasa_shape() -> None:
    found = [s.to_rasa() for s in slots("me chamo Carla, é pra minha filha de 3 anos")]
    assert [(e["entity"], e["value"], e["extractor"]) for e in found] == [
        ("relation", "filha", "papo.slots"), ("age", 3, "papo.slots"), ("person_name", "Carla", "papo.slots")]
    found = [s.to_rasa() for s in slots("oi, sou a Rosângela, queria marcar pra minha filha Yasmin de 4 anos")]
    assert [(e["entity"], e["value"]) for e in found] == [
        ("relation", "filha"), ("age", 4), ("person_name", "Rosângela"), ("relative_name", "Yasmin")]


@pytest.mark.parametrize(("a", "b", "same"), [("pediatra", "pediatria", True), ("atende", "atendem", True),
                                              ("clinico", "clinica", True), ("consulta", "consultas", True),
                                              ("quando", "quanto", False), ("dia", "dias", True),
                                              ("pedido", "pediatra", False), ("agendr", "agendar", True),
                                              ("atendem", "atendente", False), ("abrir", "abrem", True),
                                              ("abrem", "abrir", True), ("tomar", "tomamos", True),
                                              ("caros", "carro", False), ("paro", "parar", False),
                                              ("abrir", "abraco", False)])
def test_words_match_by_stem_plural_or_typo(a: str, b: str, same: bool) -> None:
    assert same_word(a, b) is same


def test_the_more_specific_example_covers_more_of_the_message() -> None:
    index = ExampleIndex({"faq:preco_pediatria": ["quanto custa a consulta de pediatria?"],
                          "flow:precos": ["quanto custa a consulta?", "qual o valor?"],
                          "faq:horarios": ["que horas vocês abrem?"]})
    message = "e qto é a consulta com o pediatra?"
    specific, generic = index.coverage(message, "faq:preco_pediatria"), index.coverage(message, "flow:precos")
    assert specific.score == 1.0 and 0 < generic.score < specific.score
    assert specific.example == "quanto custa a consulta de pediatria?"
    assert index.coverage(message, "faq:horarios").score == 0.0
    assert index.coverage(message, "flow:precos", ignore=frozenset({"pediatra"})).score == 1.0
    unknown = index.coverage("vocês atendem cachorro?", "faq:horarios")
    assert unknown.score == 0.0  # the rarest word (one no example has) weighs most


@pytest.mark.parametrize(("text", "name"), [
    ("bah, quero marcar pro meu guri, o Bernardo, com o doutor das criança", "Bernardo"),
    ("é pra minha mãe, dona Iolanda, ela tem 68 anos", "Iolanda"),  # the honorific is no part of the patient's name
    ("queria marcar pra minha filha Yasmin de 4 anos na quinta", "Yasmin"),
    ("meu filho o caio precisa de consulta", "Caio"),
    ("meu filho Pedro Henrique da Silva precisa de consulta", "Pedro Henrique da Silva"),
    ("agora quero marcar pro irmao dela, o Pedro, de 4 anos", "Pedro"),  # whose brother, without a possessive
    ("Oi sou o Anderson, pai da Manu, ela tem 9 anos", "Manu"),  # the writer is the parent of the one named
    ("aqui é a mãe do João Pedro", "João Pedro"),
    ("preciso de pediatra pra minha bebe de 10 meses, a Maria Flor", "Maria Flor"),  # after the age
])
def test_a_relatives_name_right_after_who_they_are(text: str, name: str) -> None:
    assert relative_name(text) == name


@pytest.mark.parametrize("text", ["minha filha ta com febre", "minha filha Tá com febre", "pra minha filha de 5 anos",
                                  "o Bernardo vem amanhã", "minha mãe dona", "meu filho, a consulta é quando?",
                                  "pra mae tá com febre", "pro irmao dela"])
def test_no_relatives_name_where_none_follows_who_they_are(text: str) -> None:
    assert relative_name(text) is None


@pytest.mark.parametrize(("text", "who"), [("sou o Anderson, pai da Manu", "filha"), ("aqui é a mãe do Pedro", "filho"),
                                           ("sou a avó da Lara, quero marcar", "neta")])
def test_the_writer_a_parent_of_the_one_named_makes_them_the_patient(text: str, who: str) -> None:
    assert relation(text) == who and person_name(text) != "Avó da Lara"


@pytest.mark.parametrize(("text", "bare"), [("Lourdes com O", "Lourdes"), ("Thaís com h e acento", "Thaís"),
                                            ("Emanuelle com dois L", "Emanuelle"),
                                            ("quero com a Dra Ana", "quero com a Dra Ana")])
def test_a_note_on_how_a_name_is_spelt_is_no_part_of_it(text: str, bare: str) -> None:
    assert without_spelling(text) == bare


@pytest.mark.parametrize(("text", "named"), [("pera, é pra minha filha", True),
                                            ("peraí, é pro meu filho de 3 anos", True),
                                            ("peraí que o nenem ta chorando", False)])
def test_a_relative_named_as_whom_it_is_for(text: str, named: bool) -> None:
    assert named_for(text) is named


def test_a_name_said_again_after_a_remark_on_the_misspelt_one() -> None:
    assert person_name("ah escrevi meu nome errado, é Rosimeire com i") == "Rosimeire"


@pytest.mark.parametrize(("text", "years"), [("ela fez 18 mes passado", 18), ("ele completou 12 ontem", 12),
                                             ("faz 3 semanas", None), ("faz 2 meses que ele tosse", None)])
def test_an_age_reached_without_the_word_years(text: str, years: int | None) -> None:
    assert age(text) == years


def test_a_grandmother_called_vo_books_for_the_grandchild() -> None:
    assert relation("boa tarde sou a vó da Alice, ela tem 5 anos") == "neta"
    assert relative_name("boa tarde sou a vó da Alice, ela tem 5 anos") == "Alice"


def test_a_relatives_name_after_older_or_younger() -> None:
    assert relative_name("quero marcar pro meu filho mais novo, o Otavio de 3 anos") == "Otavio"
    assert relative_name("meu filho mais novo ta com febre") is None


def test_moving_an_appointment_with_jogar_is_no_cancellation() -> None:
    from nlu import wont_attend
    assert not wont_attend("não vou poder ir, dá pra jogar pra amanhã?")


def test_an_age_corrected_in_the_message_is_the_one_kept() -> None:
    found = {s.entity: s.value for s in slots("quero marcar pra minha sobrinha Mirela de 18, ah nao ela ainda tem 17")}
    assert found["age"] == 17 and found["relation"] == "sobrinha"


def test_a_relatives_name_after_another() -> None:
    assert relative_name("quero marcar outra pro meu outro filho, o Joaquim, de 9 anos") == "Joaquim"
