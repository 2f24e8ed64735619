"""Fixtures for the nlu tests: the reference moment and the clinic bot's NLU, trained once per run."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from nlu import NLU, TrainingData, load_training_data

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
DATA = Path(__file__).parent / "data"


@pytest.fixture
def now() -> datetime:
    """Wednesday 11 March 2026, 10:00 in São Paulo: the reference moment of the date tables."""
    return datetime(2026, 3, 11, 10, 0, tzinfo=SAO_PAULO)


@pytest.fixture(scope="session")
def clinic_data() -> TrainingData:
    return load_training_data([DATA / "nlu.yml"])


@pytest.fixture(scope="session")
def clinic_nlu(clinic_data: TrainingData) -> NLU:
    """The clinic bot's NLU, trained once for the whole run."""
    return NLU.from_data(clinic_data)
