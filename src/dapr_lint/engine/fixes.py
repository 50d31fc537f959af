"""Applying fixes: rules' edits, repeated until nothing changes, checked, then written atomically.

Each pass parses the current text, runs the enabled rules, applies every non-overlapping edit whose
safety the run allows (safe; unsafe only with --unsafe-fixes) and whose finding is not suppressed, and
re-parses the result: a pass whose output does not parse is discarded and reported, never written.
"""

from __future__ import annotations

import difflib
import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import libcst as cst

from dapr_lint import reading, registry
from dapr_lint.diagnostics import Finding, InternalError
from dapr_lint.interrupts import write_section
from dapr_lint.python import bounds
from dapr_lint.engine.python_stage import lint_module
from dapr_lint.python.edits import apply_edits, non_overlapping
from dapr_lint.python.verify import verify_fix
from dapr_lint.settings import Settings
from dapr_lint.suppressions import is_suppressed, noqa_map

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
            if report.fix is not None
            and (report.fix.safety == "safe" or settings.unsafe_fixes)
            and diagnostic.code not in ignored
            and not is_suppressed(diagnostic.code, diagnostic.line, noqa)
        ]
        # the only place a check's fixes build their edits (Fix.edits): for the findings this pass may fix
        candidates = [(report, diagnostic) for report, diagnostic in candidates if report.fix.edits()]  # type: ignore[union-attr]
        if not candidates:
            break
        chosen = non_overlapping([edit for report, _ in candidates for edit in report.fix.edits()])  # type: ignore[union-attr]
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
            codes = sorted({d.code for r, d in candidates if _targets(r, chosen_ids)})
            outcome.refused.append(f"the fix for {', '.join(codes)} was not applied: {refusal}")
            break
        outcome.applied.extend(d.code for r, d in candidates if _targets(r, chosen_ids))
        current = fixed
    if current != data:
        current = _without_imports_left_unused(data, current)
    outcome.data = current
    return outcome


def _targets(finding: Finding, chosen_ids: set[int]) -> bool:
    """Whether one of the finding's edits targets a node a chosen edit replaces."""
    return finding.fix is not None and any(id(edit.target) in chosen_ids for edit in finding.fix.edits())


def _without_imports_left_unused(original: bytes, fixed: bytes) -> bytes:
    """The fixed text without the imports the fixes left unused (python/unused_imports.py), when that verifies."""
    from dapr_lint.python.unused_imports import drop_imports_left_unused

    try:
        cleaned = drop_imports_left_unused(cst.parse_module(original), cst.parse_module(fixed))
    except Exception:
        return fixed
    if cleaned is None:
        return fixed
    result = cleaned.bytes
    return result if verify_fix(fixed, result) is None else fixed


def _text(data: bytes) -> str:
    return data.decode("utf-8-sig", errors="replace")


def unified_diff(path: str, before: bytes, after: bytes) -> str:
    old = _text(before).splitlines(keepends=True)
    new = _text(after).splitlines(keepends=True)
    lines = list(difflib.unified_diff(old, new, fromfile=f"a/{path}", tofile=f"b/{path}"))
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


class NotWritten(Exception):
    """A fix that is not written, for a reason the user should hear as a warning (the file is a link,
    read-only, or changed since it was read): the file is left as it is."""


# Temporary files: `.NAME.PID.TOKEN.dapr-lint` next to the file. Their name ends in neither `.py` nor a YAML
# suffix, so a leftover one is never linted; one whose process is gone is removed by the next fix in its folder.
_TEMP_SUFFIX = ".dapr-lint"


def write_atomic(path: Path, data: bytes, expected: Optional[bytes] = None) -> None:
    """Replace the file in one step: the new text goes to an unnamed file in the same folder (O_TMPFILE; a
    named temporary where that is not available), gets the original's mode, is linked under a temporary
    name and renamed over the file. Interrupted at any point, the file is the original or the new text, and
    no temporary file stays behind (short of a SIGKILL between the link and the rename).

    Not written (NotWritten): a symbolic link (dapr-lint follows no link when writing: the link would become
    a copy and its target stay unfixed), a read-only file, or, with `expected`, a file whose content is no
    longer `expected` (edited while the fix ran)."""
    if os.path.islink(path):
        raise NotWritten(f"it is a symbolic link (to {os.path.realpath(path)}); fix the file it points to")
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise NotWritten("it is not a regular file")
    if not info.st_mode & 0o222 or not os.access(path, os.W_OK):
        raise NotWritten("the file is read-only")
    folder = path.parent
    _remove_stale_temporaries(folder, path.name)
    mode = stat.S_IMODE(info.st_mode)
    with write_section():
        fd, temporary = _open_temporary(folder, path.name)
        try:
            with os.fdopen(fd, "wb", closefd=False) as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.fchmod(fd, mode)
            if expected is not None and _read_current(path) != expected:
                raise NotWritten("the file changed since it was read; nothing written (run again)")
            if temporary is None:
                temporary = _link_unnamed(fd, folder, path.name)
            os.replace(temporary, path)
            temporary = None
        except BaseException:
            if temporary is not None:
                try:
                    os.unlink(temporary)
                except OSError:
                    pass
            raise
        finally:
            os.close(fd)


def _temporary_name(folder: Path, name: str) -> str:
    import secrets

    return str(folder / f".{name}.{os.getpid()}.{secrets.token_hex(4)}{_TEMP_SUFFIX}")


def _open_temporary(folder: Path, name: str) -> tuple[int, Optional[str]]:
    """(fd, None) for an unnamed file, or (fd, its name) when the file system cannot make unnamed ones."""
    flag = getattr(os, "O_TMPFILE", 0)
    if flag:
        try:
            return os.open(folder, flag | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o600), None
        except OSError:
            pass
    for _ in range(100):
        temporary = _temporary_name(folder, name)
        try:
            return os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600), temporary
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name in {folder}")


def _link_unnamed(fd: int, folder: Path, name: str) -> str:
    # linkat(AT_SYMLINK_FOLLOW) on /proc/self/fd/N gives the unnamed file a name; os.link only calls linkat
    # (rather than link, which does not follow) when a directory descriptor is given.
    root = os.open("/", os.O_RDONLY)
    try:
        for _ in range(100):
            temporary = _temporary_name(folder, name)
            try:
                os.link(f"/proc/self/fd/{fd}", temporary, src_dir_fd=root, follow_symlinks=True)
                return temporary
            except FileExistsError:
                continue
    finally:
        os.close(root)
    raise FileExistsError(f"no free temporary name in {folder}")


def _read_current(path: Path) -> Optional[bytes]:
    try:
        return reading.read_bytes(path)
    except OSError:
        return None


def _remove_stale_temporaries(folder: Path, name: str) -> None:
    """Temporary files of ours for this file whose process is gone (a run killed mid-write)."""
    prefix = f".{name}."
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(prefix) and e.name.endswith(_TEMP_SUFFIX)]
    except OSError:
        return
    for entry in entries:
        middle = entry.name[len(prefix) : -len(_TEMP_SUFFIX)].split(".")
        if len(middle) == 2 and middle[0].isdigit():
            if _process_alive(int(middle[0])):
                continue
        else:
            try:  # the shape of older versions: no process id; removed once clearly abandoned
                if time.time() - entry.stat(follow_symlinks=False).st_mtime < 3600:
                    continue
            except OSError:
                continue
        try:
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
        except OSError:
            pass


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


# -- project fixes ------------------------------------------------------------------------------------------


def apply_project_fixes(results, settings: Settings, paths: dict) -> dict[str, set[str]]:
    """The fixes of project findings (their Fix holds ProjectEdits): per file, the edits of one kind (one
    `apply` function) run together on the file's text, safe fixes first, then by code; the others wait for
    the next --fix (their positions would be stale after this one).

    Project findings come from the project stage, after every file was checked, so their fix is applied here:
    on the file as written (--fix) or on the per-file fixed text (--diff); every edit verifies its result."""
    rewritten: dict[str, set[str]] = {}
    for result in results:
        allowed = [
            (diagnostic, fix)
            for diagnostic, fix in result.project_fixes
            if (fix.safety == "safe" or settings.unsafe_fixes) and diagnostic in result.diagnostics and fix.edits()
        ]
        if not allowed or result.path not in paths:
            continue
        first = min(allowed, key=lambda pair: (pair[1].safety != "safe", pair[0].code))
        apply = first[1].edits()[0].apply
        wanted = [(d, fix) for d, fix in allowed if any(edit.apply is apply for edit in fix.edits())]
        keys = frozenset(edit.key for _d, fix in wanted for edit in fix.edits() if edit.apply is apply)
        path = paths[result.path]
        try:
            before = result.fixed_data if result.fixed_data is not None else reading.read_bytes(path)
        except OSError:
            continue
        try:
            after = apply(before, keys)
        except Exception as exc:  # a bug in an edit: report it, leave the file as it is
            result.warnings.append(f"the fix for {first[0].code} failed ({type(exc).__name__}: {exc}); nothing written for it")
            continue
        if after is None or after == before:
            continue
        if settings.fix_mode == "diff":
            original = result.original_data if result.original_data is not None else before
            result.diff = unified_diff(result.path, original, after)
            result.fixed_data, result.original_data = after, original
        else:
            try:
                write_atomic(path, after, expected=before)
            except NotWritten as exc:
                result.warnings.append(f"not fixed: {exc}")
                continue
            except OSError as exc:
                result.errors.append(InternalError(result.path, "writing the fixed file", f"{exc.strerror or exc}; the file is unchanged"))
                continue
        fixed = [d for d, _fix in wanted]
        result.fixed.extend(d.code for d in fixed)
        result.diagnostics = [d for d in result.diagnostics if d not in fixed]
        # the project rules' codes whose findings in this file are still valid (not re-derived per file)
        rewritten[result.path] = {code for code in registry.checks("project") if code not in {d.code for d in fixed}}
    return rewritten
