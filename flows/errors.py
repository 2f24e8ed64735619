"""papo's error root and the flow-validation errors.

    PapoError                 the one root: nlu.NluError, connectors.ConnectorError and the
     |                        runtime's errors (runtime.engine.errors) derive from it too
     +-- FlowInvalid          a bot folder failed the schema or the lint (carries FlowIssue list)
     +-- TemplateError        a template or condition failed to compile or render
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


class PapoError(Exception):
    """Root of every error papo raises on purpose."""


@dataclass(frozen=True, slots=True)
class FlowIssue:
    """One defect in a bot folder: where it is, what is wrong and how to fix it."""

    file: str
    pointer: str
    message: str
    hint: str = ""
    line: int | None = None
    column: int | None = None
    code: str = ""
    severity: Severity = "error"

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        label = f"{self.severity}[{self.code}]" if self.code else self.severity
        text = f"{where} {self.pointer or '/'}: {label} {self.message}"
        return f"{text}\n    hint: {self.hint}" if self.hint else text

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "pointer": self.pointer,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }


class FlowInvalid(PapoError):
    def __init__(self, issues: Sequence[FlowIssue]) -> None:
        self.issues = tuple(issues)
        errors = [i for i in self.issues if i.severity == "error"]
        super().__init__(f"{len(errors)} problem(s):\n" + "\n".join(map(str, errors)))


class TemplateError(PapoError):
    """A template or condition that does not compile or cannot be evaluated."""
