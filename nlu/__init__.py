"""Understanding Brazilian-Portuguese chat text, offline.

Normalisation, yes/no and choice matching, entities (dates, times, numbers, phones, CPF,
e-mail), an embedded intent classifier with Rasa's `/model/parse` output, and Rasa data formats.
"""

import importlib as _importlib
from typing import Any as _Any

from nlu.choice import pick_option
from nlu.contacts import parse_cpf, parse_email, parse_phone
from nlu.datetimes import parse_date, parse_datetime, parse_time
from nlu.entities import BUILTIN_DIMENSIONS, Entity, extract_builtin
from nlu.errors import (
    ActionNotFound,
    ActionRejected,
    ActionServerError,
    ActionServerUnavailable,
    ClassifierError,
    ConfigError,
    DomainMissing,
    NaiveDatetime,
    NluError,
    RasaUnavailable,
    TrainingDataError,
)
from nlu.evaluate import Evaluation, IntentMetrics, advice, evaluate
from nlu.numbers import parse_number
from nlu.rasa_files import export_yaml, load_training_data, read_training_data
from nlu.rasa_yaml import write_yaml
from nlu.temporal_types import Interval, TemporalRules
from nlu.text import normalise
from nlu.training_data import EntityAnnotation, Example, TrainingData
from nlu.yesno import cancels, keeps_appointment, will_attend, wont_attend, yes_no

# Heavy parts (scikit-learn, aiohttp) load on first use, so `import nlu` stays fast for the engine.
_LAZY = {
    "DataEntitySettings": "nlu.data_entities",
    "CACHE_FOLDER": "nlu.config",
    "FALLBACK_INTENT": "nlu.config",
    "NluConfig": "nlu.config",
    "ActionOutcome": "nlu.action_events",
    "apply_events": "nlu.action_events",
    "ActionServerClient": "nlu.action_server",
    "ClassifierSettings": "nlu.classifier",
    "FaqIndex": "nlu.faq",
    "IntentClassifier": "nlu.classifier",
    "IntentScore": "nlu.classifier",
    "cross_validate": "nlu.crossval",
    "holdout_split": "nlu.crossval",
    "unique_examples": "nlu.crossval",
    "NLU": "nlu.pipeline",
    "RasaHTTPNLU": "nlu.rasa_http",
}


def __getattr__(name: str) -> _Any:
    if name in _LAZY:
        value = getattr(_importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'nlu' has no attribute {name!r}")


__all__ = [
    "BUILTIN_DIMENSIONS",
    "CACHE_FOLDER",
    "FALLBACK_INTENT",
    "NLU",
    "ActionNotFound",
    "ActionOutcome",
    "ActionRejected",
    "ActionServerClient",
    "ActionServerError",
    "ActionServerUnavailable",
    "ClassifierError",
    "ClassifierSettings",
    "ConfigError",
    "DataEntitySettings",
    "DomainMissing",
    "Entity",
    "EntityAnnotation",
    "Evaluation",
    "Example",
    "FaqIndex",
    "IntentClassifier",
    "IntentMetrics",
    "IntentScore",
    "Interval",
    "NaiveDatetime",
    "NluConfig",
    "NluError",
    "RasaHTTPNLU",
    "RasaUnavailable",
    "TemporalRules",
    "TrainingData",
    "TrainingDataError",
    "advice",
    "apply_events",
    "cancels",
    "cross_validate",
    "evaluate",
    "export_yaml",
    "extract_builtin",
    "holdout_split",
    "keeps_appointment",
    "load_training_data",
    "normalise",
    "parse_cpf",
    "parse_date",
    "parse_datetime",
    "parse_email",
    "parse_number",
    "parse_phone",
    "parse_time",
    "pick_option",
    "read_training_data",
    "unique_examples",
    "will_attend",
    "wont_attend",
    "write_yaml",
    "yes_no",
]
