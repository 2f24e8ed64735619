"""Read any Rasa NLU training file (YAML, legacy Markdown, legacy JSON) by its name and content."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from nlu.errors import TrainingDataError
from nlu.rasa_legacy import read_json, read_markdown
from nlu.rasa_yaml import read_yaml, write_yaml
from nlu.training_data import TrainingData


def read_training_data(content: str, *, source: str = "<string>") -> TrainingData:
    """Parse the text of one file; the format follows the file name, else the content."""
    suffix = Path(source).suffix.lower()
    if suffix == ".json" or (not suffix and content.lstrip().startswith("{")):
        return read_json(content, source=source)
    if suffix == ".md" or (suffix not in (".yml", ".yaml") and content.lstrip().startswith("## ")):
        return read_markdown(content, source=source)
    return read_yaml(content, source=source)


def load_training_data(paths: Iterable[str | Path]) -> TrainingData:
    """Read and merge training files; a folder contributes its .yml, .yaml, .md and .json files."""
    data = TrainingData()
    for path in _expand(paths):
        try:
            content = path.read_text(encoding="utf-8")
        except OSError as error:
            raise TrainingDataError(f"{path}: cannot be read ({error.strerror})") from error
        data = data.merge(read_training_data(content, source=str(path)))
    return data


def _expand(paths: Iterable[str | Path]) -> list[Path]:
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in (".yml", ".yaml", ".md", ".json")))
        else:
            found.append(path)
    return found


def export_yaml(data: TrainingData, path: str | Path) -> None:
    """Write the data as a Rasa YAML 3.1 file."""
    Path(path).write_text(write_yaml(data), encoding="utf-8")
