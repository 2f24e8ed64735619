import pytest

from nlu import yes_no


@pytest.mark.parametrize(
    "text",
    ["sim", "Sim!", "fechou", "demorou", "manda ver", "joia", "sim, obrigada", "tranquilo",
     "s", "ss", "pode", "pode ser", "claro", "isso", "isso mesmo", "👍", "✅", "simmm",
     "ok", "confirmo", "com certeza", "sim, pode marcar", "acho que sim", "Claro que sim 😊", "aham",
     "sem problema", "não tem problema, pode marcar", "por que não?", "👍🏽"],
)
def test_affirmations(text: str) -> None:
    assert yes_no(text) is True


@pytest.mark.parametrize(
    "text",
    ["não", "nao", "Não.", "n", "ñ", "negativo", "👎", "❌", "nãooo", "não, obrigado", "claro que não",
     "melhor não", "agora não", "nao posso"],
)
def test_denials(text: str) -> None:
    assert yes_no(text) is False


@pytest.mark.parametrize(
    "text",
    ["talvez", "quanto custa?", "", "qual o endereço", "🤔", "x" * 10_000, "amanhã às 15h", "não sei",
     "sei lá", "não tenho certeza ainda", "talvez sim"],
)
def test_neither(text: str) -> None:
    assert yes_no(text) is None
