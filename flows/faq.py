"""The bot's knowledge: `faq.json` in the bot folder, questions with paraphrases and answers per
locale. The nlu retrieves over it (`nlu.faq`); the runtime answers from it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Text = str | Mapping[str, str]


FAQ_FILE = "faq.json"


@dataclass(frozen=True, slots=True)
class FaqEntry:
    id: str
    questions: tuple[str, ...]
    answer: Text
    tags: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FaqEntry:
        return cls(data["id"], tuple(data["questions"]), data["answer"], tuple(data.get("tags", ())))

    def answer_in(self, locale: str, default_locale: str) -> str:
        if isinstance(self.answer, str):
            return self.answer
        return self.answer.get(locale) or self.answer.get(default_locale) or next(iter(self.answer.values()))


@dataclass(frozen=True, slots=True)
class Faq:
    """All entries of one bot, in file order; `digest` names this version of the file."""

    entries: tuple[FaqEntry, ...] = ()
    digest: str = ""
    by_id: Mapping[str, FaqEntry] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, digest: str) -> Faq:
        entries = tuple(FaqEntry.from_json(e) for e in data.get("entries", ()))
        return cls(entries, digest, {e.id: e for e in entries})

    def __bool__(self) -> bool:
        return bool(self.entries)

    def entry(self, entry_id: str) -> FaqEntry | None:
        return self.by_id.get(entry_id)
