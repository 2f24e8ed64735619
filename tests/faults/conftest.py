"""The fault campaign runs once per session (small in the normal suite); its table is printed at the end.

    pytest tests/faults                       # the CI size
    pytest tests/faults --faults-size=large   # 200 conversations, 10,000 hostile bodies, by hand
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from .campaign import SIZES, run_campaign
from .tally import Report

REPORT = pytest.StashKey[Report]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--faults-size", choices=sorted(SIZES), default="small",
                     help="size of the fault campaign in tests/faults (default small, as in CI)")


def size_name(config: pytest.Config) -> str:
    return str(config.getoption("--faults-size", default="small"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    guard = 600 if size_name(config) == "small" else 3600  # a hang guard: the campaign has its own
    for item in items:
        if Path(str(item.path)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.timeout(guard))


@pytest.fixture(scope="session")
def campaign(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Report:
    name = size_name(request.config)
    report = asyncio.run(run_campaign(SIZES[name], tmp_path_factory.mktemp("faults"), label=f" ({name})"))
    request.config.stash[REPORT] = report
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    report = config.stash.get(REPORT, None)
    if report is not None:
        terminalreporter.write_sep("-", "fault campaign")
        terminalreporter.write_line(report.table())
