import pytest

from nlu import cancels, keeps_appointment, will_attend, wont_attend, yes_no
from nlu.yesno import asks_for_slot, asks_to_move, only_thanks, says_instead


@pytest.mark.parametrize(
    "text",
    ["sim", "Sim!", "fechou", "demorou", "manda ver", "joia", "sim, obrigada", "tranquilo",
     "s", "ss", "pode", "pode ser", "claro", "isso", "isso mesmo", "👍", "✅", "simmm", "confirmadíssimo, tô lá 🙏",
     "ok", "confirmo", "com certeza", "sim, pode marcar", "acho que sim", "Claro que sim 😊", "aham",
     "sem problema", "não tem problema, pode marcar", "por que não?", "👍🏽", "é isso", "isso, pode cancelar",
     "sim, isso mesmo", "era isso mesmo"],
)
def test_affirmations(text: str) -> None:
    assert yes_no(text) is True


@pytest.mark.parametrize(
    "text",
    ["não", "nao", "Não.", "n", "ñ", "negativo", "👎", "❌", "nãooo", "não, obrigado", "claro que não",
     "melhor não", "agora não", "nao posso", "ok, mas não quero cancelar", "isso não dá pra mim", "pode cancelar não",
     "certo, mas não agora"],  # a yes taken back
)
def test_denials(text: str) -> None:
    assert yes_no(text) is False


@pytest.mark.parametrize(
    "text",
    ["talvez", "quanto custa?", "", "qual o endereço", "🤔", "x" * 10_000, "amanhã às 15h", "não sei",
     "sei lá", "não tenho certeza ainda", "talvez sim", "aff, que chato isso", "nossa, isso é caro",
     "isso tá errado?", "isso vai usar meu numero pra q exatamente?", "oq é isso?", "o que é isso",
     "como funciona isso?", "qual? pode ser"],  # "that" does something: no answer
)
def test_neither(text: str) -> None:
    assert yes_no(text) is None


@pytest.mark.parametrize(("text", "meant"), [("tá bom, obrigada", True), ("ta bom muito obrigada", True),
                                              ("beleza, valeu", True), ("não, valeu", False)])
def test_thanks_around_an_answer_say_nothing_of_it(text: str, meant: bool) -> None:
    assert yes_no(text) is meant


def test_thanks_alone_is_no_answer_but_is_thanks() -> None:
    assert yes_no("valeu!!") is None and only_thanks("valeu!!") and only_thanks("muito obrigada 🙏")
    assert not only_thanks("valeu, quero marcar") and not only_thanks("")


def test_muito_alone_is_no_thanks() -> None:
    assert not only_thanks("muito") and only_thanks("muito obrigado")


@pytest.mark.parametrize(("text", "meant"), [("nao vou poder ir", True), ("não vou conseguir comparecer", True),
                                              ("não dá pra ir", True), ("não vou poder ir, dá pra remarcar?", False),
                                              ("sim por favor, infelizmente não vou conseguir", True),
                                              ("nao vou cancelar", False), ("não", False), ("não posso", False)])
def test_saying_one_will_not_come(text: str, meant: bool) -> None:
    assert wont_attend(text) is meant


@pytest.mark.parametrize(("text", "meant"), [("tá, pode deixar marcada", True), ("pode deixar como está", True),
                                              ("melhor manter mesmo", True), ("pode cancelar", False),
                                              ("não quero manter", False)])
def test_saying_the_appointment_stays(text: str, meant: bool) -> None:
    assert keeps_appointment(text) is meant


@pytest.mark.parametrize("text", ["pera q vou ver com meu marido se ele pode me levar", "deixa eu ver aqui",
                                  "ixi nao entendi nada", "como assim?", "pode sim, vou confirmar no trabalho"])
def test_an_answer_put_off_or_not_understood_is_neither(text: str) -> None:
    assert yes_no(text) is None


def test_a_plain_yes_with_pode_is_still_a_yes() -> None:
    assert yes_no("pode confirmar, ele leva sim") is True and yes_no("sim, pode ser") is True


@pytest.mark.parametrize(("text", "meant"), [("ja to indo!", True), ("Já tô chegando aí!!", True),
                                              ("estamos a caminho", True), ("nao to indo", False),
                                              ("to indo viajar amanha", False)])
def test_saying_one_is_on_the_way(text: str, meant: bool) -> None:
    assert will_attend(text) is meant


def test_an_option_that_cancels() -> None:
    assert cancels("Cancelar") and cancels("Desmarcar consulta") and not cancels("Remarcar")


@pytest.mark.parametrize("text", [
    "tem horário pra pediatra sábado?", "queria ver um horário pra semana que vem", "quero ver os horarios disponiveis",
    "tem horario livre amanha?", "tem vaga pra sexta?", "qria ver um horario q tenha qnd o dr bruno atende",
])
def test_a_free_time_asked_for(text: str) -> None:
    assert asks_for_slot(text)


@pytest.mark.parametrize("text", [
    "qual o horário de funcionamento?", "tem horário de funcionamento no sábado?", "vcs abrem sabado? tem horario?",
    "tem vaga pra estacionar?", "queria mudar o horário da consulta", "tem outro horario de tarde?",
    "horário de atendimento", "que horas abre",
])
def test_the_opening_hours_or_a_move_is_no_free_time_asked_for(text: str) -> None:
    assert not asks_for_slot(text)


@pytest.mark.parametrize("text", [
    "Boa tarde. Sim minha filha, vou levar ele sim, pode contar comigo. Deus abençoe", "sim, deus abençoe",
    "bom dia! pode confirmar sim, beijos",
])
def test_a_greeting_and_a_blessing_around_a_yes(text: str) -> None:
    assert yes_no(text) is True


@pytest.mark.parametrize(("text", "moves"), [("muda pro outro sábado", True),
                                             ("pode ser sábado em vez de amanhã?", True),
                                             ("no lugar da de segunda, pode ser terça?", True),
                                             ("quero marcar em vez de esperar", False), ("pode ser sábado?", False),
                                             ("pode ser um pouco mais tarde? tipo 10h", True),
                                             ("mais tarde eu vejo isso", False)])
def test_asking_to_move(text: str, moves: bool) -> None:
    assert asks_to_move(text) is moves


@pytest.mark.parametrize(("text", "instead"), [("posso remarcar em vez de cancelar?", True),
                                               ("envez de cancelar", True), ("ao invés disso, remarca", True),
                                               ("pode ser sábado?", False)])
def test_saying_instead(text: str, instead: bool) -> None:
    assert says_instead(text) is instead
