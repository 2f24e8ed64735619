import pytest

from nlu import parse_cpf, parse_email, parse_phone


@pytest.mark.parametrize(
    "text",
    ["+55 11 98765-4321", "(11) 98765-4321", "11987654321", "5511987654321", "+5511987654321",
     "011987654321", "0 21 11 98765 4321", "11 8765-4321", "meu zap é 11 9 8765 4321, obrigada",
     "55 11 98765.4321"],
)
def test_mobile_phone(text: str) -> None:
    assert parse_phone(text) == "+5511987654321"


def test_landline_keeps_eight_digits() -> None:
    assert parse_phone("(21) 3456-7890") == "+552134567890"


def test_number_without_area_code_needs_a_default() -> None:
    assert parse_phone("98765-4321") is None
    assert parse_phone("98765-4321", default_ddd="11") == "+5511987654321"


@pytest.mark.parametrize("text", ["123", "(10) 98765-4321", "11 12345-6789", "12/03/2026", "oi", "123.456.789-09"])
def test_not_a_phone(text: str) -> None:
    assert parse_phone(text) is None


@pytest.mark.parametrize(
    ("text", "cpf"),
    [("123.456.789-09", "12345678909"), ("12345678909", "12345678909"), ("meu cpf: 529.982.247-25", "52998224725"),
     ("529 982 247 25", "52998224725")],
)
def test_cpf(text: str, cpf: str) -> None:
    assert parse_cpf(text) == cpf


@pytest.mark.parametrize("text", ["111.111.111-11", "123.456.789-00", "1234567890", "abc"])
def test_invalid_cpf(text: str) -> None:
    assert parse_cpf(text) is None


@pytest.mark.parametrize(
    ("text", "email"),
    [
        ("Joao.Silva@Gmail.COM", "Joao.Silva@gmail.com"),
        ("email: ana+clinica@exemplo.com.br.", "ana+clinica@exemplo.com.br"),
        ("é maria_souza@uol.com.br", "maria_souza@uol.com.br"),
    ],
)
def test_email(text: str, email: str) -> None:
    assert parse_email(text) == email


@pytest.mark.parametrize("text", ["sem email", "ana@", "@gmail.com", "ana@gmail"])
def test_no_email(text: str) -> None:
    assert parse_email(text) is None
