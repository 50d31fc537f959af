"""Linting and fixing one editor buffer (unsaved text) with the settings its path would have on disk.

The language server (server.py) is a thin LSP layer over these functions; they need no LSP library, so
they are tested directly too."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Optional

from dapr_lint.config import Resolver
from dapr_lint.diagnostics import Diagnostic, FileResult
from dapr_lint.files import SourceFile, kind_of
from dapr_lint.session import run_files


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
    results = run_files(files, resolver, jobs=1, cache=True, cache_dir=cache_dir)
    return results[0] if results else FileResult(str(path))


def fix_one(path: Path, source: bytes, finding: Diagnostic, resolver: Optional[Resolver] = None) -> Optional[bytes]:
    """The buffer with the fix of one finding applied (whatever its safety: the editor's user chooses),
    or None when there is no such fix or its result would not parse."""
    import libcst as cst

    from dapr_lint.engine.python_stage import lint_module
    from dapr_lint.python.edits import apply_edits
    from dapr_lint.python.verify import verify_fix

    if buffer_kind(path, source) != "python":
        return None
    resolver = resolver or Resolver()
    settings = replace(resolver.settings_for(path), enabled=frozenset({finding.code}), unsafe_fixes=True, fix_mode=None)
    try:
        module = cst.parse_module(source)
    except Exception:
        return None
    findings, _errors, _summary = lint_module(module, finding.path, settings)
    for report, diagnostic in findings:
        if report.fix is None or (diagnostic.code, diagnostic.line, diagnostic.column) != (
            finding.code,
            finding.line,
            finding.column,
        ):
            continue
        try:
            fixed = apply_edits(module, list(report.fix.edits)).bytes
        except Exception:
            return None
        return fixed if fixed != source and verify_fix(source, fixed) is None else None
    return None


def fix_all_safe(path: Path, source: bytes, resolver: Optional[Resolver] = None) -> Optional[bytes]:
    """The buffer with every safe fix applied (as `dapr-lint check --fix`), or None when nothing changes."""
    from dapr_lint.engine.fixes import fix_python

    if buffer_kind(path, source) != "python":
        return None
    resolver = resolver or Resolver()
    config = resolver.config_for(path)
    settings = replace(resolver.settings_of(config), unsafe_fixes=False, fix_mode="fix")
    outcome = fix_python(str(path), source, settings, config.ignored_for(path))
    return outcome.data if outcome.data != source else None


def noqa_for(path: Path, source: bytes, finding: Diagnostic) -> Optional[bytes]:
    """The buffer with `# noqa: CODE` on the finding's line, or None when a comment there would change
    the program (the line ends inside a string, say)."""
    from dapr_lint.noqa import add_noqa

    yaml = kind_of(path) == "yaml"
    new, count = add_noqa(source, [finding], yaml=yaml)
    return new if count else None
