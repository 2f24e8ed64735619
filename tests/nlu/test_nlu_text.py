import pytest

from nlu import normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Oiii, boa tarde!!", "oi boa tarde"),
        ("qro marcar uma consulta pra amanhã de manhã", "quero marcar uma consulta para amanha de manha"),
        ("vcs aceitam Unimed?", "voces aceitam unimed"),
        ("Vc pode me mandar a msg hj?", "voce pode me mandar a mensagem hoje"),
        ("pq tb nao blz", "porque tambem nao beleza"),
        ("obg!!!", "obrigado"),
        ("Nãoooo", "nao"),
        ("simmm", "sim"),
        ("issso mesmo", "isso mesmo"),
        ("reembolso da cooperativa", "reembolso da cooperativa"),
        ("dia 12 às 15h30", "dia 12 as 15h30"),
        ("2️⃣", "2"),
        ("👍", "sim"),
        ("👎", "nao"),
        ("R$ 2,5", "r 2,5"),
        ("meio-dia", "meio dia"),
        ("p/ amanhã", "para amanha"),
        ("  \t\n ", ""),
        ("AÇÃO ÁGIL ÊXITO", "acao agil exito"),
        ("n vou poder ir", "nao vou poder ir"),
        ("nn quero", "nao quero"),
        ("n", "n"),
        ("n 2", "n 2"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_normalise_survives_hostile_input() -> None:
    assert normalise("\x00\x07\u202e" * 50) == ""
    assert len(normalise("a" * 10_000)) == 1
    assert normalise("😀🎉🔥") == ""
