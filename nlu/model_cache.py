"""On-disk cache of trained classifiers, keyed by a hash of their training data and settings.

Only files this module wrote are read back: the key covers the data, the settings and the library
versions, and a file is written whole (temporary name, then rename) so a crash leaves no half file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import tempfile
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import sklearn

from nlu.classifier import ClassifierSettings, IntentClassifier

FORMAT = 1
log = logging.getLogger(__name__)


def data_key(examples: Sequence[tuple[str, str]], settings: ClassifierSettings) -> str:
    payload = json.dumps(
        {"format": FORMAT, "sklearn": sklearn.__version__, "settings": asdict(settings),
         "examples": sorted(examples)},
        ensure_ascii=False, sort_keys=True,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def trained_classifier(
    examples: Sequence[tuple[str, str]], settings: ClassifierSettings, cache_dir: Path | None
) -> IntentClassifier:
    """A classifier for the examples: from the cache when its key is there, else trained (and cached)."""
    if cache_dir is None:
        return IntentClassifier(settings).fit(examples)
    path = cache_dir / f"intents-{data_key(examples, settings)}.pickle"
    cached = _load(path)
    if cached is not None:
        return cached
    classifier = IntentClassifier(settings).fit(examples)
    _store(classifier, path)
    return classifier


def _load(path: Path) -> IntentClassifier | None:
    try:
        with path.open("rb") as handle:
            loaded = pickle.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as error:
        log.warning("ignoring the unreadable model cache %s: %s", path, error)
        return None
    return loaded if isinstance(loaded, IntentClassifier) else None


def _store(classifier: IntentClassifier, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", delete=False) as handle:
            pickle.dump(classifier, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, path)
    except OSError as error:
        log.warning("could not write the model cache %s (%s); the model will be trained again next start",
                    path, error)
