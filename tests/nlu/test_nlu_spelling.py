"""Words misspelled in chat are read as the bot's own words before the intent is chosen: a word the
bot's examples never use, and that is no common Portuguese word, becomes the examples' nearest word."""

from __future__ import annotations

from datetime import datetime

import pytest

from nlu import NLU
from nlu.classifier import ClassifierSettings, portuguese_words
from nlu.text import normalise


@pytest.mark.parametrize(("typed", "read"), [
    ("qro agndar consulta pra amnha", "quero agendar consulta para amanha"),  # letters left out
    ("quero cancelr", "quero cancelar"),
    ("remarca minha consulat", "remarcar minha consulta"),  # letters swapped: two edits in a long word
    ("onde fica a clinca", "onde fica a clinica"),
    ("qria desmarca minha consuta", "queria desmarca minha consulta"),  # half the words misspelt, all near
])
def test_a_misspelled_word_is_read_as_the_examples_word(clinic_nlu: NLU, typed: str, read: str) -> None:
    assert clinic_nlu.classifier._spelled(normalise(typed)) == read


@pytest.mark.parametrize("text", [
    "vacinacao da minha filha",  # a Portuguese word the examples never use stays as written
    "tem estacionamento",
    "oi tudo bem",  # short words are left alone
    "consulta 2026",  # numbers too
    "lorem ipsum dolor sit amet",  # mostly words no example word is near: as written
])
def test_words_spelled_right_stay(clinic_nlu: NLU, text: str) -> None:
    assert clinic_nlu.classifier._spelled(normalise(text)) == normalise(text)


def test_the_intent_follows_the_corrected_words(clinic_nlu: NLU, now: datetime) -> None:
    assert clinic_nlu.parse("qro agndar consulta pra amnha", now)["intent"]["name"] == "book_appointment"


def test_spelling_can_be_turned_off(clinic_nlu: NLU) -> None:
    classifier, text = clinic_nlu.classifier, "qro agndar consulta pra amnha"
    scorer = classifier._scorer
    assert scorer is not None
    as_written = scorer.probabilities(normalise(text))
    corrected = scorer.probabilities(classifier._spelled(normalise(text)))
    assert as_written is not None and corrected is not None
    saved = classifier.settings
    classifier.settings = ClassifierSettings(spelling=False)
    try:
        [off] = classifier.rank(text, limit=1)
    finally:
        classifier.settings = saved
    [on] = classifier.rank(text, limit=1)
    assert off.confidence == pytest.approx(float(as_written.max()))
    assert on.confidence == pytest.approx(float(corrected.max())) and on.name == "book_appointment"


def test_the_word_list_is_folded_like_the_messages() -> None:
    words = portuguese_words()
    assert {"vacinacao", "agendar", "amanha", "voce"} <= words and "agndar" not in words
