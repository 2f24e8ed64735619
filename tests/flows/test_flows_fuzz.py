"""A broken bot never crashes papo: mutated copies of the clinic bot always come back as issues."""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flows.graph import mermaid
from flows.loader import LoadResult, check_bot

CLINIC = Path(__file__).parents[2] / "examples" / "clinic"
VARIANTS = 300
SEED = 20261122

# Pieces a hand-edited JSON file plausibly gains: JSON punctuation, escapes the decoder treats
# specially, words json.loads accepts but JSON does not, template and id fragments.
_SNIPPETS = ['{', '}', '[', ']', '"', ',', ':', '\\', ' ', '\n', '\t', '0', '-1', '1e999', 'true', 'null',
             'NaN', '-Infinity', '\\ud800', '\\u0000', '\\n', '{{', '}}', '{%', 'é', '😊', '/', '~', '.',
             '"kind": "ask"', '"next": "x"', '"flow": "menu"', '"": ""']


def _random_json(rng: random.Random, depth: int = 0) -> Any:
    pick = rng.randrange(10 if depth < 2 else 7)
    return [
        lambda: rng.randint(-5, 10**12),
        lambda: rng.choice([0.5, -0.0, 1e300]),
        lambda: rng.choice(["", "x", "menu", "{{ nome }}", "{{ nome ", "America", "0h", "\ud800", "a b",
                            "pt-BR", "__class__", "{{ ''.__class__ }}", "[", "ask", "choice"]),
        lambda: rng.choice([True, False]),
        lambda: None,
        lambda: [],
        lambda: {},
        lambda: [_random_json(rng, depth + 1) for _ in range(rng.randint(1, 3))],
        lambda: {rng.choice(["id", "kind", "next", "text", "if", "expr", "x"]): _random_json(rng, depth + 1)},
        lambda: {"kind": rng.choice(["send", "ask", "branch", "set", "goto", "call", "handoff", "end"])},
    ][pick]()


def _containers(value: Any) -> list[Any]:
    found = [value] if isinstance(value, dict | list) and value else []
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    for child in children:
        found += _containers(child)
    return found


def _mutate_tree(text: str, rng: random.Random) -> str:
    data = json.loads(text)
    target = rng.choice(_containers(data))
    keys = list(target) if isinstance(target, dict) else list(range(len(target)))
    key = rng.choice(keys)
    action = rng.randrange(4)
    if action == 0:
        del target[key]
    elif action == 1:
        target[key] = _random_json(rng)
    elif action == 2 and isinstance(target, dict):
        word = str(key)
        target[word[:-1] or "x"] = target.pop(key)  # a typo in a key
    else:
        target[key] = rng.choice(["", "nome", "escolha", "fim", "menu", "x_y", "Nome", "quer_equipe"])
    return json.dumps(data, ensure_ascii=rng.random() < 0.5, indent=2)


def _mutate_text(text: str, rng: random.Random) -> str:
    at = rng.randrange(len(text))
    action = rng.randrange(4)
    if action == 0:
        return text[:at] + text[at + rng.randint(1, 20):]
    if action == 1:
        return text[:at] + rng.choice(_SNIPPETS) + text[at:]
    if action == 2:
        other = rng.randrange(len(text))
        chars = list(text)
        chars[at], chars[other] = chars[other], chars[at]
        return "".join(chars)
    return text[:at]


_MUTATIONS: list[Callable[[str, random.Random], str]] = [_mutate_text, _mutate_tree]


def _check_never_crashes(root: Path) -> LoadResult:
    result = check_bot(root)  # must not raise, whatever the files say
    assert (result.bot is None) == bool(result.errors), [str(i) for i in result.errors]
    for issue in result.issues:
        assert issue.file and issue.message and issue.code, issue
        assert issue.line is None or issue.line >= 1
        json.dumps(issue.to_dict())
        str(issue)
    if result.bot is not None:
        mermaid(result.bot)
    return result


def test_mutated_clinic_bots_give_issues_not_crashes(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    root = tmp_path / "bot"
    shutil.copytree(CLINIC, root, ignore=shutil.ignore_patterns("tests"))
    files = sorted(root.glob("*.json")) + sorted(root.glob("flows/*.json"))
    originals = {path: path.read_text(encoding="utf-8") for path in files}
    broken = 0
    for _ in range(VARIANTS):
        path = rng.choice(files)
        mutated = rng.choice(_MUTATIONS)(originals[path], rng)
        path.write_text(mutated, encoding="utf-8", errors="surrogatepass")
        broken += _check_never_crashes(root).bot is None
        path.write_text(originals[path], encoding="utf-8")
    assert broken > VARIANTS // 2  # the mutations really do break the bot, most of the time


# Inputs that once made check_bot raise instead of answering with issues.
REGRESSIONS = {
    "lone surrogate escape in a text": ("flows/ajuda.json", '"text": "Você', '"text": "\\ud800Você', "bad-json"),
    "NaN where a number goes": ("flows/menu.json", '"retries": 1', '"retries": NaN', "bad-json"),
    "a folder as time zone": ("bot.json", '"America/Sao_Paulo"', '"America"', "bad-timezone"),
    "a time zone too long for a file name": ("bot.json", '"America/Sao_Paulo"', '"' + "a" * 300 + '"', "bad-timezone"),
    "nesting deeper than the recursion limit": ("flows/ajuda.json", '"version": 1', '"version": ' + "[" * 50_000
                                                 + "]" * 50_000, "bad-json"),
}


def test_inputs_that_once_crashed_papo(tmp_path: Path) -> None:
    for what, (name, old, new, code) in REGRESSIONS.items():
        root = tmp_path / what.replace(" ", "-")
        shutil.copytree(CLINIC, root, ignore=shutil.ignore_patterns("tests"))
        path = root / name
        text = path.read_text(encoding="utf-8")
        assert old in text, what
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        result = _check_never_crashes(root)
        assert [e.code for e in result.errors] == [code], what
