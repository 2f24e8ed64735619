import pytest

from nlu import parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3", 3), ("2,5", 2.5), ("1.500", 1500), ("1.500,75", 1500.75), ("0", 0), ("-4", -4),
        ("três", 3), ("tres", 3), ("um", 1), ("uma", 1), ("duas", 2), ("vinte e dois", 22),
        ("duzentas e trinta e uma", 231), ("mil e quinhentos", 1500), ("dez mil", 10_000),
        ("dois e meio", 2.5), ("tenho 3 filhos", 3), ("quero duas consultas", 2), ("cem", 100),
    ],
)
def test_parse_number(text: str, value: float) -> None:
    result = parse_number(text)
    assert result == value
    assert type(result) is type(value)


@pytest.mark.parametrize("text", ["nada", "", "muitos", "🙂"])
def test_no_number(text: str) -> None:
    assert parse_number(text) is None
