"""Term rules read a message's text: what they find, what they mask, and that a hit never carries
the matched value."""

from __future__ import annotations

import pytest

from flows.settings import MonitoringRule, MonitoringSettings
from runtime.monitoring import screen
from runtime.monitoring.rules import luhn

CARD = "4111 1111 1111 1111"  # a test card number (Luhn-valid)
CPF = "529.982.247-25"  # a CPF with valid check digits


def rules(*raw: dict[str, object]) -> MonitoringSettings:
    return MonitoringSettings.from_json({"rules": list(raw)})


def test_a_literal_matches_whole_words_in_any_case_with_or_without_accents() -> None:
    settings = rules({"id": "processo", "literal": ["processar a clínica", "advogado"]})
    assert [h.rule for h in screen(settings, "Vou PROCESSAR A CLINICA amanhã", "patient").hits] == ["processo"]
    assert screen(settings, "meu advogado disse", "patient").hits
    assert not screen(settings, "advogados", "patient").hits and not screen(settings, "oi", "patient").hits


def test_a_regex_a_validator_and_a_category() -> None:
    settings = rules({"id": "senha", "regex": r"senha\s*[:=]"},
                     {"id": "cartao", "validator": "luhn", "actions": ["mask", "alert"]},
                     {"id": "doc", "category": "cpf", "actions": ["mask"]},
                     {"id": "mail", "category": "email", "direction": ["staff"]})
    screened = screen(settings, f"Senha: 1234, cartão {CARD}, CPF {CPF}, a@b.com", "patient")
    assert [h.rule for h in screened.hits] == ["senha", "cartao", "doc"]  # e-mail: staff messages only
    assert CARD not in screened.text and CPF not in screened.text and "Senha: 1234" in screened.text
    assert screened.text.count("***") == 2
    assert not screen(settings, "cartão 4111 1111 1111 1112", "patient").hits  # fails the Luhn check
    assert not screen(settings, "CPF 111.111.111-11", "patient").hits  # fails the CPF check


@pytest.mark.parametrize("text", [f"meu cartão é {CARD} obrigado", f"{CARD}", f"CPF {CPF} e cartão {CARD}"])
def test_a_snippet_never_holds_the_matched_value(text: str) -> None:
    settings = rules({"id": "cartao", "category": "card"}, {"id": "cpf", "validator": "cpf"})
    for hit in screen(settings, text, "bot").hits:
        assert CARD not in hit.snippet and "1111" not in hit.snippet and "982" not in hit.snippet
        assert "***" in hit.snippet


def test_directions_and_defaults() -> None:
    rule = MonitoringRule.from_json({"id": "x", "literal": "urgente"})
    assert rule.directions == ("patient", "staff", "bot") and rule.actions == ("alert",)
    settings = rules({"id": "x", "literal": "urgente", "direction": ["bot"]})
    assert not screen(settings, "urgente", "patient").hits and screen(settings, "urgente", "bot").hits


def test_no_rules_no_work() -> None:
    assert screen(MonitoringSettings(), CARD, "patient").text == CARD
    assert luhn("4111111111111111") and not luhn("4111111111111112")
