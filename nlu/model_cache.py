"""On-disk cache of trained classifiers, keyed by a hash of their training data and settings.

The cache holds data only, never code: a NumPy `.npz` archive of float arrays read with
`allow_pickle=False`, plus the terms, the intents and what training chose by cross-validation
(regularisation, softmax temperature, fallback threshold and margin, and the held-out figures
behind them: `nlu.tuning.Tuning`) as JSON inside it. The cache folder is in the bot
folder by default, so whoever can write a bot folder could otherwise run code on the server by
planting a pickle; with this format the worst a planted file can do is give wrong intents, and a file
that does not fit together is ignored and the model trained again. The key covers the data, the
settings and the library versions, and a file is written whole (temporary name, then rename) so a
crash leaves no half file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import sklearn

from nlu.classifier import ClassifierSettings, IntentClassifier

# 5: the rule chosen under the unknown-fallback floor; 4: "no intent" in the softmax; 3 without;
# 2 logistic regression; 1 a pickle, never read
FORMAT = 5
SUFFIX = ".npz"
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
    path = cache_dir / f"intents-{data_key(examples, settings)}{SUFFIX}"
    cached = _load(path, settings)
    if cached is not None:
        return cached
    classifier = IntentClassifier(settings).fit(examples)
    _store(classifier, path)
    return classifier


def _load(path: Path, settings: ClassifierSettings) -> IntentClassifier | None:
    try:
        with np.load(path, allow_pickle=False) as archive:
            meta = json.loads(archive["meta"].tobytes().decode("utf-8"))
            arrays = {name: archive[name] for name in archive.files if name != "meta"}
        return IntentClassifier.restore(settings, meta, arrays)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, UnicodeDecodeError) as error:
        log.warning("ignoring the unreadable model cache %s: %s", path, error)
        return None


def _store(classifier: IntentClassifier, path: Path) -> None:
    meta, arrays = classifier.export()
    blob = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
    named: dict[str, Any] = {"meta": blob, **arrays}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", suffix=SUFFIX, delete=False) as handle:
            np.savez(handle, **named)
        os.replace(handle.name, path)
    except OSError as error:
        log.warning("could not write the model cache %s (%s); the model will be trained again next start",
                    path, error)
