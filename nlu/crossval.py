"""Cross-validation for a bot with no separate test file (`papo nlu evaluate BOTDIR`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from sklearn.model_selection import StratifiedKFold, train_test_split

from nlu.config import NluConfig
from nlu.errors import ClassifierError
from nlu.evaluate import Evaluation, Progress, score, top_intent
from nlu.pipeline import NLU
from nlu.text import normalise
from nlu.training_data import Example, TrainingData


def unique_examples(data: TrainingData) -> list[tuple[str, str]]:
    """(text, intent) pairs with near-duplicates removed after normalisation, and texts that carry
    two different intents dropped: both would inflate or blur the scores."""
    intents_of: dict[str, set[str]] = {}
    first: dict[str, tuple[str, str]] = {}
    for text, intent in data.intent_examples():
        key = normalise(text)
        intents_of.setdefault(key, set()).add(intent)
        first.setdefault(key, (text, intent))
    return [pair for key, pair in first.items() if key and len(intents_of[key]) == 1]


def cross_validate(
    data: TrainingData,
    *,
    folds: int = 5,
    config: NluConfig | None = None,
    min_examples: int = 5,
    seed: int = 0,
    progress: Progress | None = None,
) -> Evaluation:
    """Stratified k-fold over the unique examples; intents with fewer than `min_examples` stay in
    training only. Every example is predicted once, by a model that never saw it."""
    config = replace(config or NluConfig(), cache_dir=None)
    pairs = unique_examples(data)
    counts = Counter(intent for _, intent in pairs)
    small = [pair for pair in pairs if counts[pair[1]] < min_examples]
    pool = [pair for pair in pairs if counts[pair[1]] >= min_examples]
    if len({intent for _, intent in pool}) < 2:
        raise ClassifierError(f"cross-validation needs two intents with {min_examples}+ unique examples each")
    splitter = StratifiedKFold(n_splits=min(folds, min(counts[i] for _, i in pool)), shuffle=True,
                               random_state=seed)
    texts, expected, predicted, top, fallbacks = [], [], [], [], 0
    labels = [intent for _, intent in pool]
    for fold, (train, test) in enumerate(splitter.split(pool, labels), start=1):
        helpers = replace(data, examples=[Example(*pool[i]) for i in train] + [Example(*p) for p in small])
        nlu = NLU.from_data(helpers, config)
        for index in test:
            text, intent = pool[index]
            parsed = nlu.parse(text)
            name = parsed["intent"]["name"]
            fallbacks += name == config.fallback_intent
            top.append(top_intent(parsed, config.fallback_intent))
            texts.append((text, intent))
            expected.append(intent)
            predicted.append(name)
        if progress is not None:
            progress(fold, splitter.get_n_splits())
    return score(texts, expected, predicted, fallbacks, top=top, fallback_intent=config.fallback_intent)


def holdout_split(data: TrainingData, *, test_share: float = 0.2, min_examples: int = 5,
                  seed: int = 0) -> tuple[TrainingData, list[tuple[str, str]]]:
    """A deterministic stratified split of the unique examples: training data (with the entity
    helpers of `data`) and held-out (text, intent) pairs. Intents with fewer than `min_examples`
    unique examples are left out of both."""
    pairs = unique_examples(data)
    counts = Counter(intent for _, intent in pairs)
    kept = [pair for pair in pairs if counts[pair[1]] >= min_examples]
    train, test = train_test_split(kept, test_size=test_share, random_state=seed,
                                   stratify=[intent for _, intent in kept])
    return replace(data, examples=[Example(text, intent) for text, intent in train]), list(test)
