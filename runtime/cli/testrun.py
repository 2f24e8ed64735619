"""`papo test`: run a bot's conversation tests and report node coverage."""

from __future__ import annotations

from pathlib import Path

from runtime.conversations.library import BotLibrary
from runtime.service.convtest import CaseResult, load_cases, run_case
from runtime.service.wiring import build_services


async def run_tests(root: Path, *, select: str | None = None, verbose: bool = False, folder: str = "tests",
                    keep_going: bool = False) -> int:
    """Run the conversation tests in `root/folder`; with `keep_going` (a corpus), score every patient
    turn and print the share handled as expected."""
    library = BotLibrary.load(root)
    services = build_services(library.current, Path(root))
    cases, issues = load_cases(root, folder)
    for issue in issues:
        print(issue)
    if not cases and not issues:
        print(f"{root}: no conversation tests in {root / folder}")
        return 1
    results: list[CaseResult] = []
    try:
        for file, case in cases:
            if select and select not in case["name"]:
                continue
            results.append(await run_case(library, file, case, services, keep_going=keep_going))
    finally:
        await services.aclose()
    for result in results:
        print(f"{'PASS' if result.passed else 'FAIL'}  {result.name}  ({Path(result.file).name})")
        if verbose or not result.passed:
            print("\n".join(result.transcript))
        for failure in result.failures:
            print("  " + failure.replace("\n", "\n  "))
    failed = [r for r in results if not r.passed]
    _coverage(library, results)
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed, {len(issues)} invalid test file(s)")
    if keep_going:
        print(turn_share(results))
        return 1 if issues or not results else 0
    return 1 if failed or issues or not results else 0


def turn_share(results: list[CaseResult]) -> str:
    turns = [ok for r in results for ok in r.turns]
    handled = sum(turns)
    share = handled / len(turns) if turns else 0.0
    return f"patient turns handled as expected: {handled}/{len(turns)} ({share:.1%})"


def _coverage(library: BotLibrary, results: list[CaseResult]) -> None:
    visited = set().union(*(r.visited for r in results)) if results else set()
    every = {f"{flow.id}/{node}" for flow in library.current.flows.values() for node in flow.nodes}
    missed = sorted(every - visited)
    print(f"node coverage: {len(every & visited)}/{len(every)}" + (f"; never visited: {', '.join(missed)}"
                                                                   if missed else ""))
