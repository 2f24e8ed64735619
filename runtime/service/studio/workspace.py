"""A bot folder as the studio sees it: flow files by id, drafts, layout, lint on an overlay, and
publishing through the gate (lint errors refuse, a stale base refuses, writes are atomic).

The JSON files stay the truth. The studio's own files live in `BOTDIR/.papo-studio/` (drafts, and
the texts it served, so a stale publish can be merged against its base); that folder is for one
editor's machine and is git-ignored (`.papo-studio/.gitignore` says `*`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flows.errors import FlowIssue
from flows.jsonedit import apply, dumps, same
from flows.loader import LoadResult
from flows.model import Bot
from flows.nodes import NodeKinds, node_kinds
from runtime.conversations.validation import check_folder

STUDIO_DIR = ".papo-studio"
BASES_KEPT = 500
LAYOUT_FILE = "layout.json"
# What an overlay links rather than copies: everything a check or a test chat reads besides the flows.
_SHARED = ("bot.json", "faq.json", "calendar.json", "nlu.yml", LAYOUT_FILE, ".papo-cache", "tests")


def sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


class StudioError(Exception):
    """A request the studio refuses: `status`, what is wrong and how to fix it, and extra fields."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.extra = extra


@dataclass
class Candidate:
    """A flow as it would be written: its id, file, new text and the text it replaces."""

    id: str
    path: Path
    text: str
    old: str | None  # None: a new file


@dataclass
class Checked:
    """A lint run on an overlay: the issues, with paths as the bot folder's, and the bot when valid."""

    result: LoadResult
    issues: list[dict[str, Any]] = field(default_factory=list)

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [i for i in self.issues if i["severity"] == "error"]

    @property
    def warnings(self) -> list[dict[str, Any]]:
        return [i for i in self.issues if i["severity"] == "warning"]


class Workspace:
    def __init__(self, root: str | Path, *, kinds: NodeKinds = node_kinds) -> None:
        self.root = Path(root).resolve()
        self.kinds = kinds
        self.studio = self.root / STUDIO_DIR
        self._overlay: Path | None = None
        self._overlay_lock = threading.Lock()

    # -- reading -------------------------------------------------------------------------------------

    def flow_files(self) -> dict[str, Path]:
        """Flow id -> file; a file that cannot be read as a flow is listed by its name."""
        found: dict[str, Path] = {}
        for path in sorted((self.root / "flows").glob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                flow_id = data["id"] if isinstance(data, dict) and isinstance(data.get("id"), str) else path.stem
            except (OSError, ValueError):
                flow_id = path.stem
            found.setdefault(flow_id, path)
        return found

    def path_of(self, flow_id: str) -> Path:
        path = self.flow_files().get(flow_id)
        if path is None:
            known = ", ".join(sorted(self.flow_files())) or "none"
            raise StudioError(404, f"flow {flow_id!r} does not exist; flows: {known}")
        return path

    def relative(self, path: str | Path) -> str:
        try:
            return Path(path).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def read(self, flow_id: str) -> dict[str, Any]:
        now = self.current(flow_id)
        self.remember(now["text"])
        return {"id": flow_id, "file": self.relative(self.path_of(flow_id)), **now,
                "layout": self.layout().get(flow_id, {}), "draft": self.draft(flow_id)}

    def current(self, flow_id: str) -> dict[str, Any]:
        """The file as it is on disk now: text, json and sha256 (what a 412 carries)."""
        path = self.path_of(flow_id)
        raw = path.read_bytes()
        text = raw.decode("utf-8", errors="replace")
        try:
            parsed: Any = json.loads(text)
        except ValueError:
            parsed = None
        return {"text": text, "json": parsed, "sha256": sha256(raw)}

    def mtimes(self, before: Mapping[str, tuple[float, str]] | None = None) -> dict[str, tuple[float, str]]:
        """Flow id -> (mtime, sha256), for the file-changed events; a file whose mtime is as `before`
        says is not read again."""
        out: dict[str, tuple[float, str]] = {}
        for path in sorted((self.root / "flows").glob("*.json")):
            with contextlib.suppress(OSError):
                mtime = path.stat().st_mtime
                known = (before or {}).get(path.name)
                out[path.name] = known if known is not None and known[0] == mtime else \
                    (mtime, sha256(path.read_bytes()))
        return out

    # -- the studio's own files ---------------------------------------------------------------------------

    def _studio_dir(self, *parts: str) -> Path:
        folder = self.studio.joinpath(*parts)
        folder.mkdir(parents=True, exist_ok=True)
        ignore = self.studio / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# the studio's drafts and caches: one editor's, never committed\n*\n", encoding="utf-8")
        return folder

    def remember(self, text: str) -> None:
        """Keep a text the studio served, by its sha256: the base of a later 3-way merge."""
        folder = self._studio_dir("bases")
        path = folder / f"{sha256(text)}.json"
        if path.exists():
            return
        _write_atomic(path, text)
        kept = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime)
        for old in kept[:-BASES_KEPT]:  # a merge needs the base an editor opened: recent ones suffice
            old.unlink(missing_ok=True)

    def base(self, digest: str) -> Any:
        path = self.studio / "bases" / f"{digest}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def draft(self, flow_id: str) -> Any:
        path = self.studio / "drafts" / f"{flow_id}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))["json"]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save_draft(self, flow_id: str, value: Any) -> str:
        _check_id(flow_id)
        saved_at = datetime.now(UTC).isoformat()
        _write_atomic(self._studio_dir("drafts") / f"{flow_id}.json",
                      json.dumps({"saved_at": saved_at, "json": value}, ensure_ascii=False))
        return saved_at

    def drop_draft(self, flow_id: str) -> None:
        _check_id(flow_id)
        with contextlib.suppress(FileNotFoundError):
            (self.studio / "drafts" / f"{flow_id}.json").unlink()

    def layout(self) -> dict[str, Any]:
        path = self.root / LAYOUT_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def layout_sha(self) -> str:
        path = self.root / LAYOUT_FILE
        return sha256(path.read_bytes()) if path.exists() else sha256(b"")

    def save_layout(self, flow_id: str, positions: Mapping[str, Any], if_match: str | None) -> str:
        path = self.root / LAYOUT_FILE
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if if_match is not None and if_match != self.layout_sha():
            raise StudioError(412, f"{LAYOUT_FILE} changed on disk; reload the layout and move the nodes again",
                              current={"sha256": self.layout_sha(), "json": self.layout()})
        _check_positions(positions)
        data = json.loads(old) if old else {"$schema": _schema_ref(self.root, "layout")}
        if not isinstance(data, dict):
            data = {}
        data[flow_id] = dict(positions)
        text = apply(old, data) if old else dumps(data) + "\n"
        _write_atomic(path, text)
        return sha256(text)

    # -- checking and publishing ---------------------------------------------------------------------

    def candidates(self, flows: Mapping[str, Any]) -> list[Candidate]:
        """Each flow's new text: its file's text changed only where the JSON changed."""
        files = self.flow_files()
        out = []
        for flow_id, value in flows.items():
            _check_id(flow_id)
            if not isinstance(value, dict):
                raise StudioError(400, f"flow {flow_id!r} must be a JSON object, got {type(value).__name__}")
            if value.get("id", flow_id) != flow_id:
                raise StudioError(400, f"flow {flow_id!r} has id {value.get('id')!r}; a flow's id names its file, "
                                       "so change both or neither")
            path = files.get(flow_id)
            if path is None:
                out.append(Candidate(flow_id, self.root / "flows" / f"{flow_id}.json", dumps(value) + "\n", None))
                continue
            old = path.read_text(encoding="utf-8")
            try:
                text = apply(old, value)
            except ValueError:  # the file on disk is broken JSON: the candidate replaces it whole
                text = dumps(value) + "\n"
            out.append(Candidate(flow_id, path, text, old))
        return out

    @contextlib.contextmanager
    def overlay(self, candidates: list[Candidate]) -> Iterator[Path]:
        """A bot folder like this one with the candidates in place of their files: a temporary folder of
        links, kept between checks (made again each time costs more than the lint) and used by one
        check at a time."""
        with self._overlay_lock:
            if self._overlay is None or not self._overlay.is_dir():
                self._overlay = Path(tempfile.mkdtemp(prefix="papo-studio-"))
                (self._overlay / "flows").mkdir()
                weakref.finalize(self, shutil.rmtree, self._overlay, True)
            folder = self._overlay
            for name in _SHARED:
                _link(folder / name, self.root / name)
            wanted: dict[str, Path | str] = {p.name: p for p in (self.root / "flows").glob("*.json")}
            wanted |= {c.path.name: c.text for c in candidates}
            for stale in set(os.listdir(folder / "flows")) - set(wanted):
                (folder / "flows" / stale).unlink()
            for name, source in wanted.items():
                target = folder / "flows" / name
                if isinstance(source, Path):
                    _link(target, source)
                else:
                    if target.is_symlink():
                        target.unlink()
                    target.write_text(source, encoding="utf-8")
            yield folder

    def check(self, candidates: list[Candidate]) -> Checked:
        with self.overlay(candidates) as folder:
            result = check_folder(folder, kinds=self.kinds)
            ids = {self.relative(p): i for i, p in self.flow_files().items()} | \
                {self.relative(c.path): c.id for c in candidates}
            issues = [self.issue(i, folder, ids) for i in result.issues]
        return Checked(result, issues)

    def check_bot(self, flows: Mapping[str, Any]) -> tuple[Bot | None, Checked]:
        """The bot with these drafts in place, and its lint."""
        checked = self.check(self.candidates(flows))
        return checked.result.bot, checked

    def issue(self, issue: FlowIssue, folder: Path | None = None, ids: Mapping[str, str] | None = None,
              ) -> dict[str, Any]:
        """An issue as the studio shows it: file relative to the bot, plus the flow, node and field."""
        data = issue.to_dict()
        file = issue.file
        if folder is not None and file.startswith(str(folder)):
            file = str(self.root) + file[len(str(folder)):]
        relative = self.relative(file)
        data["file"] = relative
        data["flow"] = data["node"] = data["field"] = None
        if relative.startswith("flows/"):
            if ids is None:
                ids = {self.relative(p): i for i, p in self.flow_files().items()}
            data["flow"] = ids.get(relative, Path(relative).stem)
            parts = [p.replace("~1", "/").replace("~0", "~") for p in issue.pointer.split("/")[1:]]
            if len(parts) >= 2 and parts[0] == "nodes":
                data["node"] = parts[1]
                data["field"] = "/".join(parts[2:]) or None
        return data

    def stale(self, flows: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
        """Flow id -> current sha256 for each flow whose `if_match` is not what is on disk."""
        files = self.flow_files()
        out = {}
        for flow_id, entry in flows.items():
            path = files.get(flow_id)
            now = sha256(path.read_bytes()) if path is not None else None
            wanted = entry.get("if_match")
            if now is not None and wanted != now:
                out[flow_id] = now
            elif now is None and wanted not in (None, ""):
                out[flow_id] = ""
        return out

    def write(self, candidates: list[Candidate]) -> None:
        """Write every candidate atomically: all temporary files first (fsynced), then the renames."""
        temps: list[tuple[Path, Path]] = []
        try:
            for candidate in candidates:
                candidate.path.parent.mkdir(parents=True, exist_ok=True)
                temps.append((_temp_file(candidate.path, candidate.text), candidate.path))
        except BaseException:
            for temp, _ in temps:
                temp.unlink(missing_ok=True)
            raise
        for temp, path in temps:
            os.replace(temp, path)
        _fsync_dir(self.root / "flows")
        for candidate in candidates:
            self.remember(candidate.text)

    def git_commit(self, paths: list[Path], message: str) -> str | None:
        """Commit these files with `message`; None when the folder is not in a git work tree."""
        def git(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(["git", "-C", str(self.root), *args], capture_output=True, text=True, check=False)

        if git("rev-parse", "--is-inside-work-tree").stdout.strip() != "true":
            return None
        names = [str(p) for p in paths]
        git("add", "--", *names)
        done = git("commit", "-m", message or "Edit flows in the studio", "--", *names)
        if done.returncode != 0:
            raise StudioError(500 if "nothing" not in done.stdout else 409,
                              f"the files were published but git commit failed: {done.stderr.strip() or done.stdout}")
        return git("rev-parse", "HEAD").stdout.strip()

    def git_log(self, path: Path) -> list[dict[str, Any]]:
        done = subprocess.run(["git", "-C", str(self.root), "log", "--format=%H%x1f%aI%x1f%s", "--follow", "--",
                               str(path)], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return []
        out = []
        for line in done.stdout.splitlines():
            commit, time, message = line.split("\x1f", 2)
            out.append({"commit": commit, "time": time, "message": message})
        return out

    def git_show(self, commit: str, path: Path) -> str | None:
        rel = subprocess.run(["git", "-C", str(self.root), "ls-files", "--full-name", "--", str(path)],
                             capture_output=True, text=True, check=False).stdout.strip()
        if not rel:
            return None
        done = subprocess.run(["git", "-C", str(self.root), "show", f"{commit}:{rel}"], capture_output=True,
                              check=False)
        return done.stdout.decode("utf-8", errors="replace") if done.returncode == 0 else None


def changed_lines(old: str, new: str) -> int:
    import difflib

    return sum(1 for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---")))


def unified(old: str, new: str, name: str) -> str:
    import difflib

    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        f"a/{name}", f"b/{name}"))


def _link(target: Path, source: Path) -> None:
    """`target` links to `source` when `source` exists, and is gone when it does not."""
    if not source.exists():
        if target.is_symlink() or target.exists():
            target.unlink()
        return
    if target.is_symlink() and target.readlink() == source:
        return
    if target.is_symlink() or target.exists():
        target.unlink()
    target.symlink_to(source)


def _check_id(flow_id: str) -> None:
    if not flow_id or not all(c.isalnum() or c in "_-" for c in flow_id) or not flow_id.isascii():
        raise StudioError(400, f"{flow_id!r} is not a flow id: use letters, digits, '_' or '-'")


def _check_positions(positions: Mapping[str, Any]) -> None:
    for node, at in positions.items():
        if not isinstance(at, dict) or set(at) != {"x", "y"} or not all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in at.values()):
            raise StudioError(400, f"layout of node {node!r} must be {{\"x\": number, \"y\": number}}")


def _schema_ref(root: Path, name: str) -> str:
    return f"https://papo.dev/schema/v1/{name}.schema.json"


def _temp_file(path: Path, text: str) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.replace(_temp_file(path, text), path)
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


__all__ = ["Candidate", "Checked", "StudioError", "Workspace", "changed_lines", "same", "sha256", "unified"]
