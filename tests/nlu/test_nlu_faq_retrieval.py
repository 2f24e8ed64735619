import json
from pathlib import Path

import pytest

from flows.faq import Faq
from nlu.faq import FaqIndex, _masculine

CLINIC_FAQ = Path(__file__).parents[2] / "examples" / "clinic" / "faq.json"


@pytest.fixture(scope="module")
def clinic() -> FaqIndex:
    return FaqIndex(Faq.from_json(json.loads(CLINIC_FAQ.read_text(encoding="utf-8")), digest="test"))


@pytest.mark.parametrize("text", ["posso chegar uns 20 min atrasada?", "tem problema chegar atrasada?"])
def test_a_participle_in_the_feminine_finds_the_entry_written_in_the_masculine(clinic: FaqIndex, text: str) -> None:
    reading = clinic.read(text)
    assert reading.confident and reading.best is not None and reading.best.entry == "atraso"


@pytest.mark.parametrize(("word", "read"), [("atrasada", "atrasado"), ("marcadas", "marcado"), ("nada", "nada"),
                                            ("vida", "vida"), ("idade", "idade")])
def test_only_participles_are_folded(word: str, read: str) -> None:
    assert _masculine(word) == read


def test_a_word_only_one_answer_says_chooses_that_entry(clinic: FaqIndex) -> None:
    # "cheque" is in no question, only in the payment entry's answer ("Não aceitamos cheque")
    reading = clinic.read("aceitam cheque?")
    assert reading.confident and reading.best is not None and reading.best.entry == "formas_pagamento"
    assert reading.by_answer == "formas_pagamento"
    assert clinic.read("quais convênios vocês aceitam?").by_answer is None
