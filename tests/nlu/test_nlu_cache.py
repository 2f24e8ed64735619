import logging
import pickle
from pathlib import Path

import pytest

from nlu import ClassifierSettings
from nlu.model_cache import data_key, trained_classifier

EXAMPLES = [("oi", "greet"), ("bom dia", "greet"), ("tchau", "goodbye"), ("até mais", "goodbye")]
OTHER = [("quero marcar", "book"), ("agendar consulta", "book"), ("tchau", "goodbye"), ("até logo", "goodbye")]


def test_same_data_same_file(tmp_path: Path) -> None:
    trained_classifier(EXAMPLES, ClassifierSettings(), tmp_path)
    files = list(tmp_path.glob("intents-*.npz"))
    assert len(files) == 1
    stamp = files[0].stat().st_mtime_ns
    trained_classifier(list(reversed(EXAMPLES)), ClassifierSettings(), tmp_path)
    assert files[0].stat().st_mtime_ns == stamp
    trained_classifier(OTHER, ClassifierSettings(), tmp_path)
    assert len(list(tmp_path.glob("intents-*.npz"))) == 2


def test_key_covers_data_and_settings() -> None:
    assert data_key(EXAMPLES, ClassifierSettings()) == data_key(EXAMPLES[::-1], ClassifierSettings())
    assert data_key(EXAMPLES, ClassifierSettings()) != data_key(EXAMPLES, ClassifierSettings(c=1.0))
    assert data_key(EXAMPLES, ClassifierSettings()) != data_key(EXAMPLES[:3], ClassifierSettings())


def test_cached_model_is_loaded_not_retrained(tmp_path: Path) -> None:
    # Store a model trained on OTHER under EXAMPLES' key: if it is served, the cache was read.
    trained_classifier(OTHER, ClassifierSettings(), tmp_path)
    (planted,) = tmp_path.glob("intents-*.npz")
    planted.rename(tmp_path / f"intents-{data_key(EXAMPLES, ClassifierSettings())}.npz")
    assert trained_classifier(EXAMPLES, ClassifierSettings(), tmp_path).intents == ["book", "goodbye"]


def test_a_cached_model_scores_exactly_like_the_trained_one(tmp_path: Path) -> None:
    examples = EXAMPLES + OTHER + [("quanto custa", "price"), ("qual o valor", "price")]
    fresh = trained_classifier(examples, ClassifierSettings(), tmp_path)
    cached = trained_classifier(examples, ClassifierSettings(), tmp_path)
    assert cached is not fresh
    for text in ("oi tudo bem", "quero marcar amanhã", "qnto custa", "tchau", "xyz"):
        assert [(s.name, s.confidence) for s in cached.rank(text)] == [(s.name, s.confidence) for s in fresh.rank(text)]


class _RunsCode:
    """Unpickling this runs a command: what a planted cache file could do if the cache were a pickle."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (self.marker.write_text, ("code ran",))


def test_a_planted_file_in_the_cache_never_runs_code(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    marker = tmp_path / "pwned"
    key = data_key(EXAMPLES, ClassifierSettings())
    cache = tmp_path / "cache"
    cache.mkdir()
    for name in (f"intents-{key}.pickle", f"intents-{key}.npz"):  # the old name and the new one
        (cache / name).write_bytes(pickle.dumps(_RunsCode(marker)))
    with caplog.at_level(logging.WARNING):
        classifier = trained_classifier(EXAMPLES, ClassifierSettings(), cache)
    assert not marker.exists()
    assert classifier.intents == ["goodbye", "greet"]
    assert "unreadable model cache" in caplog.text


def test_broken_cache_file_is_retrained(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / f"intents-{data_key(EXAMPLES, ClassifierSettings())}.npz"
    path.write_bytes(b"not an archive")
    with caplog.at_level(logging.WARNING):
        classifier = trained_classifier(EXAMPLES, ClassifierSettings(), tmp_path)
    assert classifier.intents == ["goodbye", "greet"]
    assert "unreadable model cache" in caplog.text


def test_unwritable_cache_still_gives_a_model(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with caplog.at_level(logging.WARNING):
        classifier = trained_classifier(EXAMPLES, ClassifierSettings(), blocker / "cache")
    assert classifier.rank("oi")[0].name == "greet"
    assert "could not write the model cache" in caplog.text
