"""What a check reports: diagnostics, and the internal errors that keep a run honest."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Optional

Severity = Literal["error", "warning", "info"]
Category = Literal["bug", "practice", "opinion", "tool"]
FixSafety = Literal["safe", "unsafe"]


def with_article(noun: str) -> str:
    """`a dict`, `an int`, `None`: a type name as messages say it."""
    if noun in ("None", "True", "False"):
        return noun
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


@dataclass(frozen=True)
class FixInfo:
    """A fix the catalog defines for one finding: how safe it is and what it does."""

    safety: FixSafety
    description: str


@dataclass(frozen=True)
class Diagnostic:
    """One finding at a 1-based line and column range of one file."""

    code: str
    message: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    fix: Optional[FixInfo] = None
    # Overrides the rule's severity for this finding only (for example a type that may be pluggable).
    severity: Optional[Severity] = None

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.code, self.message)


@dataclass(frozen=True)
class InternalError:
    """A failure of dapr-lint itself on one file: names the file and the stage or rule that raised."""

    path: str
    where: str
    message: str
    traceback: str = ""


@dataclass
class FileResult:
    """Everything the per-file stage learned about one file.

    `summary` is a small, picklable description of the file for project-wide rules (a
    `dapr_lint.summaries.ModuleSummary` or `ResourceSummary`); the per-file stage fills it, the project stage
    combines them.
    """

    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    errors: list[InternalError] = field(default_factory=list)
    # Said once on standard error, not a failure of the run (a fix refused because its result would not compile).
    warnings: list[str] = field(default_factory=list)
    summary: Optional[Any] = None
    # With --fix / --diff: the codes of the findings fixed (one entry per finding), and the unified diff.
    fixed: list[str] = field(default_factory=list)
    diff: Optional[str] = None
    # With --diff: the file's text before and after the per-file fixes (project fixes build on it).
    original_data: Optional[bytes] = None
    fixed_data: Optional[bytes] = None
    # Why the file could not be analysed (a worker crash, the time budget, the memory limit): it then holds
    # one DPR001 saying so, and the run exits 2.
    unanalysed: Optional[str] = None

