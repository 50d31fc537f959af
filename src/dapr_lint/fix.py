"""Applying fixes: rules' edits, repeated until nothing changes, checked, then written atomically.

Each pass parses the current text, runs the enabled rules, applies every non-overlapping edit whose
safety the run allows (safe; unsafe only with --unsafe-fixes) and whose finding is not suppressed, and
re-parses the result: a pass whose output does not parse is discarded and reported, never written.
"""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import libcst as cst

from dapr_lint.python import bounds
from dapr_lint.python.analyzer import lint_module
from dapr_lint.python.edits import apply_edits, non_overlapping
from dapr_lint.python.verify import verify_fix
from dapr_lint.settings import Settings
from dapr_lint.suppress import is_suppressed, noqa_map

MAX_PASSES = 8


@dataclass
class FixOutcome:
    data: bytes
    applied: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # fixes refused because their result would not compile (python/verify.py): warnings, the findings stay
    refused: list[str] = field(default_factory=list)


def fix_python(path: str, data: bytes, settings: Settings, ignored: frozenset[str] = frozenset()) -> FixOutcome:
    if bounds.check(_text(data)) is not None:
        return FixOutcome(data)  # too deeply nested to analyse: the check reports DPR001, nothing is fixed
    # LibCST's visitors and code generation recurse per tree level; the scan bounded the depth
    with bounds.recursion_for(bounds.MAX_DEPTH):
        return _fix_passes(path, data, settings, ignored)


def _fix_passes(path: str, data: bytes, settings: Settings, ignored: frozenset[str]) -> FixOutcome:
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
        refusal = verify_fix(current, fixed)
        if refusal is not None:
            codes = sorted({d.code for r, d in candidates if r.edit is not None and id(r.edit.target) in chosen_ids})
            outcome.refused.append(f"the fix for {', '.join(codes)} was not applied: {refusal}")
            break
        outcome.applied.extend(d.code for r, d in candidates if r.edit is not None and id(r.edit.target) in chosen_ids)
        current = fixed
    outcome.data = current
    return outcome


def _text(data: bytes) -> str:
    return data.decode("utf-8-sig", errors="replace")


def _parses(data: bytes) -> bool:
    """Kept for callers: the text parses and compiles (python/verify.py; use verify_fix to compare with the
    text it replaces)."""
    return verify_fix(b"", data) is None


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


# -- project fixes: a missing health or readiness route ----------------------------------------------------

_ROUTE_FUNCTIONS = {"DPR401": ("health", "alive"), "DPR402": ("ready", "ready")}


def apply_project_fixes(results, settings: Settings, paths: dict) -> dict[str, set[str]]:
    """DPR401/DPR402's fix (unsafe): add a `GET` route right after the statement that creates the app.

    Project findings come from the project stage, after every file was checked, so their fix is applied here:
    on the file as written (--fix) or on the per-file fixed text (--diff), re-parsed before anything is kept."""
    rewritten: dict[str, set[str]] = {}
    if not settings.unsafe_fixes:
        return rewritten
    for result in results:
        wanted = [d for d in result.diagnostics if d.code in _ROUTE_FUNCTIONS and d.fix is not None]
        if not wanted or result.path not in paths:
            continue
        path = paths[result.path]
        try:
            before = result.fixed_data if result.fixed_data is not None else path.read_bytes()
        except OSError:
            continue
        after = _add_routes(before, wanted, result.summary, settings)
        if after is None or after == before:
            continue
        if settings.fix_mode == "diff":
            original = result.original_data if result.original_data is not None else before
            result.diff = unified_diff(result.path, original, after)
            result.fixed_data, result.original_data = after, original
        else:
            try:
                write_atomic(path, after)
            except OSError as exc:
                from dapr_lint.diagnostics import InternalError

                result.errors.append(InternalError(result.path, "writing the fixed file", f"{exc.strerror or exc}; the file is unchanged"))
                continue
        result.fixed.extend(d.code for d in wanted)
        result.diagnostics = [d for d in result.diagnostics if d not in wanted]
        # the project rules' codes whose findings in this file are still valid (not re-derived per file)
        from dapr_lint.project import PROJECT_RULES

        rewritten[result.path] = {code for code in PROJECT_RULES if code not in {d.code for d in wanted}}
    return rewritten


def _add_routes(data: bytes, findings, summary, settings: Settings) -> Optional[bytes]:
    from dapr_lint.python.positions import positions

    try:
        module = cst.parse_module(data)
    except Exception:
        return None
    spans = positions(module, module.body)
    taken = {
        statement.name.value
        for statement in module.body
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef))
    }
    insertions: dict[int, list[cst.BaseStatement]] = {}
    for finding in findings:
        index = next(
            (i for i, statement in enumerate(module.body) if spans[id(statement)][0] <= finding.line <= spans[id(statement)][2]),
            None,
        )
        if index is None or not isinstance(module.body[index], cst.SimpleStatementLine):
            continue  # the app is not created by a top-level statement: leave it to the author
        app, framework, route = _route_request(finding, summary, settings)
        if app is None:
            continue
        name, fallback = _ROUTE_FUNCTIONS[finding.code]
        function = name if name not in taken else f"{fallback}_probe"
        if function in taken:
            continue
        taken.add(function)
        decorator = f'@{app}.get("{route}")' if framework == "fastapi" else f'@{app}.route("{route}")'
        code = f'\n\n{decorator}\ndef {function}():\n    return {{"status": "ok"}}\n'
        insertions.setdefault(index, []).append(cst.parse_module(code).body[0].with_changes(
            leading_lines=[cst.EmptyLine(), cst.EmptyLine()]
        ))
    if not insertions:
        return None
    body: list[cst.BaseStatement] = []
    follows_insertion = False
    statement: cst.BaseStatement
    for index, statement in enumerate(module.body):
        if follows_insertion:
            statement = _two_blank_lines_before(statement)
        body.append(statement)
        body.extend(insertions.get(index, []))
        follows_insertion = index in insertions
    fixed = module.with_changes(body=body).bytes
    return fixed if verify_fix(data, fixed) is None else None


def _two_blank_lines_before(statement: cst.BaseStatement) -> cst.BaseStatement:
    """PEP 8's two blank lines after the function the fix inserted, before whatever followed the app."""
    leading = list(getattr(statement, "leading_lines", ()))
    blank = 0
    for line in leading:
        if line.comment is not None:
            break
        blank += 1
    if blank >= 2:
        return statement
    return statement.with_changes(leading_lines=[cst.EmptyLine()] * (2 - blank) + leading)


def _route_request(finding, summary, settings: Settings) -> tuple[Optional[str], str, str]:
    """(app variable, framework, route) for a DPR401/DPR402 finding: the app is the module-level object the
    file's summary records at the finding's position."""
    if summary is None:
        return None, "", ""
    for key, item in getattr(summary, "objects", {}).items():
        if item.kind == "app" and item.span.line == finding.line and item.span.column == finding.column:
            if "." in key or item.name != key:
                return None, "", ""  # created inside a function: no module-level place for the route
            option, default = ("health-routes", "/health") if finding.code == "DPR401" else ("ready-routes", "/ready")
            routes = settings.options.get(option) or [default]
            return key, item.framework, routes[0]
    return None, "", ""
