"""The studio in Debian's chromium: a generated 300-node flow next to an empty canvas, in the same run.

    python -m benchmarks.studio [--rounds 3]
    python -m benchmarks.studio --screenshots docs/img     # the README's pictures instead

Prints, for each canvas, the time to first render (from opening the flow to every node drawn and
painted, its JSON fetched from `papo studio` included) and the frame time while a node is dragged
(median and p95 of requestAnimationFrame intervals), then the ratios 300-node / empty. The flow is
generated (sends, choice questions, branches, chained) with a grid layout, in a copy of the clinic.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its name would hide the package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
from typing import Any  # noqa: E402

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.studio.studio_helpers import CHROMIUM, CHROMIUM_ARGS, ROOT, STATIC, start_studio, stop_studio  # noqa: E402

BIG = "grande"
EMPTY = "vazio"


def generated_flow(count: int) -> tuple[dict[str, Any], dict[str, dict[str, int]]]:
    nodes: dict[str, Any] = {}
    layout: dict[str, dict[str, int]] = {}
    ids = [f"n{i:03d}" for i in range(count)]
    for i, node_id in enumerate(ids):
        after = ids[i + 1] if i + 1 < count else None
        if after is None:
            nodes[node_id] = {"kind": "end", "text": "Até logo!"}
        elif i % 10 == 5:
            later = ids[min(i + 2, count - 1)]
            nodes[node_id] = {"kind": "ask", "input": "choice", "var": "escolha", "text": f"Pergunta {i}?",
                              "options": [{"id": "a", "title": "Sim", "next": after},
                                          {"id": "b", "title": "Não", "next": later}]}
        elif i % 10 == 8:
            nodes[node_id] = {"kind": "branch", "cases": [{"if": "escolha == 'a'", "next": after}], "default": after}
        else:
            nodes[node_id] = {"kind": "send", "text": f"Mensagem {i}, {{{{ nome }}}}.", "next": after}
        layout[node_id] = {"x": (i % 20) * 300, "y": (i // 20) * 200}
    return {"id": BIG, "version": 1, "entry": ids[0], "nodes": nodes}, layout


def prepare(folder: Path, count: int) -> Path:
    bot = folder / "clinic"
    shutil.copytree(ROOT / "examples" / "clinic", bot)
    flow, positions = generated_flow(count)
    (bot / "flows" / f"{BIG}.json").write_text(json.dumps(flow, ensure_ascii=False, indent=2) + "\n", "utf-8")
    empty = {"id": EMPTY, "version": 1, "entry": "fim", "nodes": {"fim": {"kind": "end", "text": "Até logo!"}}}
    (bot / "flows" / f"{EMPTY}.json").write_text(json.dumps(empty, indent=2) + "\n", "utf-8")
    (bot / "layout.json").write_text(json.dumps({BIG: positions, EMPTY: {"fim": {"x": 0, "y": 0}}}), "utf-8")
    return bot


OPEN = """async ([flow, count]) => {
  const t0 = performance.now();
  location.hash = '#/flow/' + flow;
  await new Promise((resolve) => {
    const check = () =>
      document.querySelectorAll('.papo-node').length >= count ? resolve() : requestAnimationFrame(check);
    check();
  });
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now() - t0;
}"""

RECORD = """() => { window.__frames = []; window.__recording = true;
  const loop = (t) => { window.__frames.push(t); if (window.__recording) requestAnimationFrame(loop); };
  requestAnimationFrame(loop); }"""

STOP = """() => { window.__recording = false; const f = window.__frames;
  return f.slice(1).map((t, i) => t - f[i]); }"""


def first_render(page: Page, flow: str, count: int) -> float:
    page.evaluate("() => { location.hash = '#/'; }")
    page.wait_for_selector("[data-testid=home]")
    return float(page.evaluate(OPEN, [flow, count]))


def drag_frames(page: Page, node_id: str, moves: int = 60) -> list[float]:
    head = page.locator(f".papo-node[data-node={node_id}] .papo-node-head")
    box = head.bounding_box()
    assert box is not None
    x, y = box["x"] + 30, box["y"] + box["height"] / 2
    page.evaluate(RECORD)
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(moves):
        page.mouse.move(x + (i % 20) * 6, y + (i // 20) * 6)
    page.mouse.up()
    return [float(v) for v in page.evaluate(STOP)]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def bench(rounds: int, count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        studio = start_studio(prepare(Path(tmp), count))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1500, "height": 950})
                page.goto(studio.url)
                page.wait_for_selector("[data-testid=home]")
                results: dict[str, dict[str, float]] = {}
                for flow, nodes, drag in ((EMPTY, 1, "fim"), (BIG, count, "n000")):
                    renders = [first_render(page, flow, nodes) for _ in range(rounds)]
                    frames = [f for _ in range(rounds) for f in drag_frames(page, drag)]
                    results[flow] = {"render": statistics.median(renders), "frame": statistics.median(frames),
                                     "p95": p95(frames)}
                    print(f"{flow:>7} ({nodes:>3} nodes): first render {results[flow]['render']:7.1f} ms   "
                          f"drag frame p50 {results[flow]['frame']:5.1f} ms  p95 {results[flow]['p95']:5.1f} ms")
                browser.close()
        finally:
            stop_studio(studio)
    e, b = results[EMPTY], results[BIG]
    print(f"ratio {count} nodes / empty: first render x{b['render'] / e['render']:.2f}, "
          f"drag frame p50 x{b['frame'] / e['frame']:.2f}, p95 x{b['p95'] / e['p95']:.2f}")


def screenshots(out: Path) -> None:
    """The README's pictures: the canvas, the test chat and the publish review, on a copy of the clinic."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        bot = Path(tmp) / "clinic"
        shutil.copytree(ROOT / "examples" / "clinic", bot)
        studio = start_studio(bot)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                context = browser.new_context(viewport={"width": 1500, "height": 900}, locale="pt-BR")
                context.add_init_script("localStorage.setItem('papo-studio-lang', 'pt-BR')")
                page = context.new_page()
                page.set_default_timeout(120_000)
                page.goto(studio.url)
                page.wait_for_selector("[data-testid=home]")
                page.click("a[data-flow=boas_vindas]")
                page.wait_for_selector(".papo-node[data-node=prazer]")
                page.locator(".papo-node[data-node=prazer] .papo-node-head").click()
                page.wait_for_timeout(500)
                page.screenshot(path=str(out / "studio-canvas.png"))
                page.click("[data-tab=chat]")
                for text in ("oi", "Maria"):
                    page.fill("[data-testid=chat] .phone-input input", text)
                    page.press("[data-testid=chat] .phone-input input", "Enter")
                    page.wait_for_selector("[data-testid=typing]", state="detached")
                page.locator("[data-testid=wa-list-button]").last.click()
                page.wait_for_timeout(300)
                page.screenshot(path=str(out / "studio-chat.png"))
                page.click("[data-tab=inspector]")
                page.locator(".papo-node[data-node=prazer] .papo-node-head").click()
                page.fill('[data-pointer="/nodes/prazer/text"] textarea', "Prazer em conhecer você, {{ nome }}!")
                page.wait_for_selector("[data-testid=problem-count]:has-text('✗ 0')")
                page.click("[data-testid=publish]")
                page.wait_for_selector("[data-testid=diff]")
                page.screenshot(path=str(out / "studio-publish.png"))
                browser.close()
        finally:
            stop_studio(studio)
    for name in ("studio-canvas.png", "studio-chat.png", "studio-publish.png"):
        print(out / name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--nodes", type=int, default=300)
    parser.add_argument("--screenshots", type=Path, help="save the README's screenshots in this folder instead")
    args = parser.parse_args()
    if not STATIC.exists():
        raise SystemExit("the studio's front end is not built: run make studio")
    if args.screenshots:
        screenshots(args.screenshots)
    else:
        bench(args.rounds, args.nodes)


if __name__ == "__main__":
    main()
