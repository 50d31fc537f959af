"""What a check reports: diagnostics, and the internal errors that keep a run honest."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import AbstractSet, Any, Callable, Hashable, Literal, Optional

Severity = Literal["error", "warning", "info"]
Category = Literal["bug", "practice", "opinion", "tool"]
FixSafety = Literal["safe", "unsafe"]
# What a finding predicts when the code runs: it raises ("exception") or warns ("warning").
Prediction = Literal["exception", "warning"]


def with_article(noun: str) -> str:
    """`a dict`, `an int`, `None`: a type name as messages say it."""
    if noun in ("None", "True", "False"):
        return noun
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


@dataclass(frozen=True, init=False)
class Fix:
    """How to fix one finding: a title (what the user reads), the edits that do it, and how safe it is.

    A check writes `Fix("Add `await`.", edit)`: the safety is its rule's (`RuleSpec.fix_safety`) unless the
    finding narrows it with `safety="unsafe"`, which only a rule whose spec says "safe" may do (a rule that
    mixes safe and unsafe fixes, such as DPR102, declares the most permissive one); the bound `report` of the
    rule (dapr_lint.registry.Reporter) checks that and fills it in. `None` edits are dropped, and a Fix left with
    no edit is no fix: "fixable" in the output always means `--fix` can do it.

    Edits are what applies the fix: `python.edits.Edit` for per-file Python rules, `ProjectEdit` for project
    rules. A Diagnostic carries its finding's Fix without them (title and safety: what is reported and cached).
    """

    title: str
    edits: tuple[Any, ...]
    safety: Optional[FixSafety]

    def __init__(self, title: str, *edits: Any, safety: Optional[FixSafety] = None) -> None:
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "edits", tuple(e for e in edits if e is not None))
        object.__setattr__(self, "safety", safety)

    def __reduce__(self):  # pickles (worker results) carry the title and safety, never edits
        return (_fix_without_edits, (self.title, self.safety))

    def without_edits(self) -> "Fix":
        return self if not self.edits else Fix(self.title, safety=self.safety)


def _fix_without_edits(title: str, safety: Optional[FixSafety]) -> "Fix":
    return Fix(title, safety=safety)


@dataclass(frozen=True)
class ProjectEdit:
    """A project rule's edit of one file's text, applied after the project stage (engine/fixes.py): `apply(text,
    keys)` receives the `key` of every chosen finding of the file whose edit has the same `apply`, so that one
    parse serves them all (the keys say where, as the rule computed it from the summaries), and returns the new
    text or None (nothing to do, or not safely possible)."""

    apply: Callable[[bytes, AbstractSet[Any]], Optional[bytes]]
    key: Hashable


@dataclass(frozen=True)
class Location:
    """Where a project rule's finding is: the file's display path and a 1-based range (a summaries.Span)."""

    path: str
    span: Any


@dataclass(frozen=True)
class Finding:
    """What a check reports, made by its rule's bound `report` (so the code is always the rule's): a message
    at `at` - a CST node (Python rules), a YAML node (resource rules) or a Location (project rules) - turned
    into a positioned Diagnostic by its stage; `fix` with its safety resolved."""

    code: str
    at: Any
    message: str
    fix: Optional[Fix] = None
    # Overrides the rule's severity for this finding only (for example a type that may be pluggable).
    severity: Optional[Severity] = None
    # What this finding predicts when the code runs, when it differs from its rule's RuleSpec.predicts (a call
    # that warns on one protocol and raises on the other): code expecting any of these is testing it.
    predicts: Optional[tuple[Prediction, ...]] = None

    @property
    def node(self) -> Any:  # the Python stage's name for `at`
        return self.at


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
    fix: Optional[Fix] = None
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
    # Project findings appended by the project stage whose Fix has edits, (diagnostic, fix): what
    # engine.fixes.apply_project_fixes applies. Main process only (the project stage runs there), never cached.
    project_fixes: list[tuple[Diagnostic, Fix]] = field(default_factory=list, compare=False, repr=False)
    # Why the file could not be analysed (a worker crash, the time budget, the memory limit): it then holds
    # one DPR001 saying so, and the run exits 2.
    unanalysed: Optional[str] = None

