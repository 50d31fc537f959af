"""Linting and fixing one editor buffer (unsaved text) with the settings its path would have on disk.

The language server (server.py) is a thin LSP layer over these functions; they need no LSP library, so
they are tested directly too."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Optional

from dapr_lint.config import Resolver, SelectionLayer
from dapr_lint.diagnostics import Diagnostic, FileResult
from dapr_lint.files import SourceFile, kind_of
from dapr_lint.session import check_files


def buffer_kind(path: Path, source: bytes) -> Optional[str]:
    kind = kind_of(path)
    if kind is None and not path.suffix and source.startswith(b"#!") and b"python" in source.split(b"\n", 1)[0]:
        kind = "python"
    return kind


def lint_buffer(path: Path, source: bytes, resolver: Optional[Resolver] = None, cache_dir=None) -> FileResult:
    """The findings of `source` as if it were the file at `path`: that file's configuration, per-file
    ignores and project stage, from the same engine `dapr-lint check` runs."""
    resolver = resolver or Resolver()
    kind = buffer_kind(path, source)
    if kind is None:
        return FileResult(str(path))
    files = [SourceFile(path, kind, data=source, display=str(path))]
    results = check_files(files, resolver, jobs=1, cache=True, cache_dir=cache_dir)
    return results[0] if results else FileResult(str(path))


def _fixed_by_engine(path: Path, source: bytes, resolver: Resolver, unsafe: bool, only: Optional[str] = None) -> Optional[bytes]:
    """The buffer as `dapr-lint check --fix [--unsafe-fixes] [--select ONLY]` would leave the file, computed the
    way `--fix` of standard input is (the engine's --diff mode: nothing is written, and the project rules' fixes
    apply to this text too)."""
    kind = buffer_kind(path, source)
    if kind is None:
        return None
    cli = replace(resolver.cli, fix_mode="diff", unsafe_fixes=unsafe)
    if only is not None:
        cli = replace(cli, selection=SelectionLayer(select=[only]))
    files = [SourceFile(path, kind, data=source, display=str(path))]
    results = check_files(files, Resolver(cli, resolver.cwd), jobs=1)
    if not results or results[0].fixed_data is None or results[0].fixed_data == source:
        return None
    return results[0].fixed_data


def fix_one(path: Path, source: bytes, finding: Diagnostic, resolver: Optional[Resolver] = None) -> Optional[bytes]:
    """The buffer with the fix of one finding applied (whatever its safety: the editor's user chooses),
    or None when there is no such fix or its result would not parse.

    When it is the only finding of its rule with a fix in the buffer, that is exactly what `dapr-lint check
    --fix --unsafe-fixes --select CODE` makes of the file (the same engine: import clean-up, further passes,
    project rules' fixes). When its rule has several, only this one's edits are applied."""
    import libcst as cst

    from dapr_lint.engine.python_stage import lint_module
    from dapr_lint.python.edits import apply_edits
    from dapr_lint.python.verify import verify_fix

    resolver = resolver or Resolver()
    only = frozenset({finding.code})
    if buffer_kind(path, source) != "python" or finding.fix is None:
        return None
    settings = replace(resolver.settings_for(path), enabled=only, unsafe_fixes=True, fix_mode=None)
    try:
        module = cst.parse_module(source)
    except Exception:
        return None
    findings, _errors, _summary = lint_module(module, finding.path, settings)
    same_rule = [(report, d) for report, d in findings if report.fix is not None and d.code == finding.code]
    if len(same_rule) <= 1:
        # the only one (or a project rule's finding, which lint_module does not make): the engine's --fix
        return _fixed_by_engine(path, source, resolver, unsafe=True, only=finding.code)
    for report, diagnostic in same_rule:
        if (diagnostic.line, diagnostic.column) != (finding.line, finding.column):
            continue
        try:
            fixed = apply_edits(module, list(report.fix.edits())).bytes  # type: ignore[union-attr]
        except Exception:
            return None
        return fixed if fixed != source and verify_fix(source, fixed) is None else None
    return None


def fix_all_safe(path: Path, source: bytes, resolver: Optional[Resolver] = None) -> Optional[bytes]:
    """The buffer with every safe fix applied, exactly as `dapr-lint check --fix` leaves the file (the same
    engine run), or None when nothing changes."""
    return _fixed_by_engine(path, source, resolver or Resolver(), unsafe=False)


def noqa_for(path: Path, source: bytes, finding: Diagnostic) -> Optional[bytes]:
    """The buffer with `# noqa: CODE` on the finding's line, or None when a comment there would change
    the program (the line ends inside a string, say)."""
    from dapr_lint.add_noqa import add_noqa

    yaml = kind_of(path) == "yaml"
    new, count = add_noqa(source, [finding], yaml=yaml)
    return new if count else None
