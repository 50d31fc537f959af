"""Applying fixes: rules' edits, repeated until nothing changes, checked, then written atomically.

Each pass parses the current text, runs the enabled rules, applies every non-overlapping edit whose
safety the run allows (safe; unsafe only with --unsafe-fixes) and whose finding is not suppressed, and
re-parses the result: a pass whose output does not parse is discarded and reported, never written.
"""

from __future__ import annotations

import ast
import difflib
import os
import stat
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from dapr_lint.python.analyzer import lint_module
from dapr_lint.python.edits import apply_edits, non_overlapping
from dapr_lint.settings import Settings
from dapr_lint.suppress import is_suppressed, noqa_map

MAX_PASSES = 8


@dataclass
class FixOutcome:
    data: bytes
    applied: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def fix_python(path: str, data: bytes, settings: Settings, ignored: frozenset[str] = frozenset()) -> FixOutcome:
    outcome = FixOutcome(data)
    current = data
    for _ in range(MAX_PASSES):
        try:
            module = cst.parse_module(current)
        except (cst.ParserSyntaxError, RecursionError):
            break
        findings, errors, _summary = lint_module(module, path, settings)
        if errors:
            outcome.problems.extend(f"{e.where}: {e.message}" for e in errors)
        noqa = noqa_map(_text(current))
        candidates = [
            (report, diagnostic)
            for report, diagnostic in findings
            if report.edit is not None
            and report.fix is not None
            and (report.fix.safety == "safe" or settings.unsafe_fixes)
            and diagnostic.code not in ignored
            and not is_suppressed(diagnostic.code, diagnostic.line, noqa)
        ]
        if not candidates:
            break
        chosen = non_overlapping([report.edit for report, _ in candidates])  # type: ignore[misc]
        # Findings of several rules can share one fix (DPR101's conversion also fixes DPR102/DPR103 on the
        # same `with`): every finding whose edit targets a chosen node is fixed.
        chosen_ids = {id(edit.target) for edit in chosen}
        try:
            fixed = apply_edits(module, chosen).bytes
        except Exception as exc:  # a bug in an edit: keep what the earlier passes did
            outcome.problems.append(f"a fix failed ({type(exc).__name__}: {exc}); nothing written for it")
            break
        if fixed == current:
            break
        if not _parses(fixed):
            codes = sorted({d.code for r, d in candidates if id(r.edit.target) in chosen_ids})
            outcome.problems.append(f"the fix for {', '.join(codes)} produced code that does not parse; not applied")
            break
        outcome.applied.extend(d.code for r, d in candidates if id(r.edit.target) in chosen_ids)
        current = fixed
    outcome.data = current
    return outcome


def _text(data: bytes) -> str:
    return data.decode("utf-8-sig", errors="replace")


def _parses(data: bytes) -> bool:
    try:
        cst.parse_module(data)
    except Exception:
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(data)
    except SyntaxError:
        return False
    except (ValueError, RecursionError, MemoryError):
        pass  # the running interpreter may not know newer grammar; LibCST accepted it
    return True


def unified_diff(path: str, before: bytes, after: bytes) -> str:
    old = _text(before).splitlines(keepends=True)
    new = _text(after).splitlines(keepends=True)
    lines = list(difflib.unified_diff(old, new, fromfile=f"a/{path}", tofile=f"b/{path}"))
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace the file in one step: a temporary file in the same folder, the original's mode, then
    os.replace. If anything fails the original is untouched and the temporary file is removed."""
    folder = path.parent
    mode = stat.S_IMODE(os.stat(path).st_mode)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".dapr-lint", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
