"""What a studio edit costs: lint on an overlay, and the format-preserving write, next to their floors.

The studio lints on every edit (`POST validate`): papo's `check_folder` on a temporary folder that links
the bot's files and holds the edited flow. Its floor is `check_folder` on the bot folder itself, measured
in the same run. The writer (`flows.jsonedit.apply`) is compared with `json.dumps`, which rewrites the
whole file.

    python -m benchmarks.studio_edit [--bot examples/clinic] [--rounds 50]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and benchmarks/nlu.py would hide the nlu package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

from flows.jsonedit import apply  # noqa: E402
from runtime.conversations.validation import check_folder  # noqa: E402
from runtime.service.studio.workspace import Workspace  # noqa: E402

ROOT = Path(__file__).parents[1]


def median_ms(work: Callable[[], object], rounds: int) -> float:
    work()  # warm up
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        work()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bot", type=Path, default=ROOT / "examples" / "clinic")
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    ws = Workspace(args.bot)
    biggest = max(ws.flow_files().items(), key=lambda item: item[1].stat().st_size)
    flow_id, path = biggest
    text = path.read_text(encoding="utf-8")
    edited = json.loads(text)
    node = next(iter(edited["nodes"]))
    edited["nodes"][node]["description"] = "edited in the studio"

    floor = median_ms(lambda: check_folder(args.bot), args.rounds)
    overlay = median_ms(lambda: ws.check(ws.candidates({flow_id: edited})), args.rounds)
    dumps = median_ms(lambda: json.dumps(edited, ensure_ascii=False, indent=2), args.rounds * 10)
    write = median_ms(lambda: apply(text, edited), args.rounds * 10)
    print(f"bot {args.bot.name}: {len(ws.flow_files())} flows; edited {path.name} ({len(text)} bytes)")
    print(f"{'what':<44} {'median ms':>10} {'ratio':>7}")
    print(f"{'check_folder on the bot (floor)':<44} {floor:>10.2f} {1:>7.2f}")
    print(f"{'POST validate: overlay + check_folder':<44} {overlay:>10.2f} {overlay / floor:>7.2f}")
    print(f"{'json.dumps of the flow (floor)':<44} {dumps:>10.3f} {1:>7.2f}")
    print(f"{'jsonedit.apply onto the file text':<44} {write:>10.3f} {write / dumps:>7.2f}")


if __name__ == "__main__":
    main()
