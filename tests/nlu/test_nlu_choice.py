import pytest

from nlu import pick_option

INSURANCE = [
    ["Unimed Nacional", "unimed_nacional"],
    ["Bradesco Saúde", "bradesco", "bradesco saude"],
    ["Particular", "particular", "sem convênio", "pagar na hora"],
]


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("1", 0), ("2", 1), ("3", 2), ("opção 2", 1), ("2️⃣", 1), ("a 3", 2), ("número 1", 0),
        ("a segunda", 1), ("primeira", 0), ("a terceira opção", 2), ("última", 2), ("1º", 0),
        ("Unimed Nacional", 0), ("unimed", 0), ("UNIMED", 0), ("bradesco", 1), ("bradesko", 1),
        ("Bradesco saude", 1), ("particular", 2), ("sem convenio", 2), ("vou pagar na hora", 2),
        ("quero a unimed nacional por favor", 0), ("unimed_nacional", 0), ("partcular", 2),
    ],
)
def test_picks(text: str, index: int) -> None:
    assert pick_option(text, INSURANCE) == index


@pytest.mark.parametrize("text", ["4", "0", "opção 9", "sulamérica", "xyz", "", "🙂", "talvez"])
def test_no_match(text: str) -> None:
    assert pick_option(text, INSURANCE) is None


def test_two_options_sharing_a_word_are_ambiguous() -> None:
    assert pick_option("unimed", [["Unimed Nacional"], ["Unimed Rio"]]) is None
    assert pick_option("unimed rio", [["Unimed Nacional"], ["Unimed Rio"]]) == 1


def test_weekday_names_win_over_ordinals() -> None:
    days = [["Segunda-feira"], ["Terça-feira"], ["Quarta-feira"]]
    assert pick_option("segunda", days) == 0
    assert pick_option("quarta", days) == 2
    assert pick_option("terca feira", days) == 1


def test_exact_name_wins_over_position() -> None:
    assert pick_option("10", [["9"], ["10"]]) == 1
    assert pick_option("2", [["14:00"], ["15:00"]]) == 1


def test_empty_options() -> None:
    assert pick_option("1", []) is None
