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


# What a fix's edits are made by, called only where they are applied (--fix, --diff, an editor's code action):
# it returns one edit, a sequence of them, or None. It closes over what the rule already holds (bind loop
# variables with functools.partial or a default argument: it runs after the check has moved on).
EditBuilder = Callable[[], Any]


@dataclass(frozen=True, init=False)
class Fix:
    """How to fix one finding: a title (what the user reads), how safe it is, and what builds its edits.

    A check writes `Fix("Add `await`.", partial(edits.add_await, call, False))`: the edits are built only when
    something applies the fix (engine/fixes.py, the editor's code actions: `Fix.edits()`), never in a plain
    `check`. So the check decides *whether* there is a fix (a Fix with `build=None` is no fix: "fixable" in the
    output always means `--fix` can do it) and the builder only makes the edits; a builder that returns none
    is a bug of its rule (tests/test_lazy_fixes.py builds every fixture's fixes).

    The safety is the rule's (`RuleSpec.fix_safety`) unless the finding narrows it with `safety="unsafe"`,
    which only a rule whose spec says "safe" may do (a rule that mixes safe and unsafe fixes, such as DPR102,
    declares the most permissive one); the bound `report` of the rule (dapr_lint.registry.Reporter) checks that
    and fills it in.

    Edits are what applies the fix: `python.edits.Edit` for per-file Python rules, `ProjectEdit` for project
    rules. A Diagnostic carries its finding's Fix without the builder (title and safety: what is reported and
    cached); equality is title and safety.
    """

    title: str
    safety: Optional[FixSafety]
    build: Optional[EditBuilder] = field(compare=False, repr=False)

    def __init__(self, title: str, build: Optional[EditBuilder] = None, *, safety: Optional[FixSafety] = None) -> None:
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "safety", safety)
        object.__setattr__(self, "build", build)

    def edits(self) -> tuple[Any, ...]:
        """The fix's edits, built on the first call (the same objects after: --fix matches them by identity)."""
        built = self.__dict__.get("_edits")
        if built is None:
            made = self.build() if self.build is not None else None
            if made is None:
                built = ()
            elif isinstance(made, (list, tuple)):
                built = tuple(e for e in made if e is not None)
            else:
                built = (made,)
            object.__setattr__(self, "_edits", built)
        return built

    def __reduce__(self):  # pickles (worker results) carry the title and safety, never the builder
        return (_fix_without_edits, (self.title, self.safety))

    def without_edits(self) -> "Fix":
        return self if self.build is None else Fix(self.title, safety=self.safety)


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
class Related:
    """Another place of the same defect (a call on the client a finding reports at its construction): shown as
    SARIF relatedLocations, LSP relatedInformation and `related` in JSON. 1-based, like Diagnostic."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str


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
    # The evidence and the remedy, read in `--output-format full`, the editor's hover and JSON: the message
    # itself says only what is wrong and what happens (one short line).
    detail: Optional[str] = None
    # Other places of the same defect, as (at, message) pairs positioned like `at` (one finding per defect).
    related: tuple[tuple[Any, str], ...] = ()

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
    # The evidence and the remedy (Finding.detail), and other places of the same defect (Finding.related).
    detail: Optional[str] = None
    related: tuple[Related, ...] = ()

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
    # Project findings appended by the project stage with a Fix (its edit builder kept), (diagnostic, fix): what
    # engine.fixes.apply_project_fixes builds and applies. Main process only (the project stage runs there), never cached.
    project_fixes: list[tuple[Diagnostic, Fix]] = field(default_factory=list, compare=False, repr=False)
    # Why the file could not be analysed (a worker crash, the time budget, the memory limit): it then holds
    # one DPR001 saying so, and the run exits 2.
    unanalysed: Optional[str] = None

