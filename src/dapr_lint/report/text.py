"""`path:line:col: CODE message`, one per line, then a summary (ruff's and flake8's shape)."""

from __future__ import annotations

from collections import Counter
import json
from typing import Optional, Sequence

from dapr_lint import reading, specs
from dapr_lint.diagnostics import Diagnostic
from dapr_lint.report import severity_of

_COLOURS = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m"}
_BOLD = "\x1b[1m"
_RESET = "\x1b[0m"


def render(
    diagnostics: list[Diagnostic],
    *,
    colour: bool,
    quiet: bool,
    statistics: bool,
    fixable: Sequence[Diagnostic] = (),
    hidden_unsafe: int = 0,
    fixed: Sequence[tuple[str, str]] = (),
    show_fixes: bool = False,
    full: bool = False,
    sources: Optional[dict] = None,
) -> str:
    lines = []
    marked = {id(d) for d in fixable}
    texts: dict[str, Optional[list[str]]] = {}
    for d in diagnostics:
        mark = " [*]" if id(d) in marked else ""
        if colour:
            tint = _COLOURS[severity_of(d)]
            lines.append(f"{_BOLD}{d.path}{_RESET}:{d.line}:{d.column}: {tint}{_BOLD}{d.code}{_RESET}{mark} {d.message}")
        else:
            lines.append(f"{d.path}:{d.line}:{d.column}: {d.code}{mark} {d.message}")
        if full:
            lines.extend(_context(d, texts, sources or {}, id(d) in marked))
    if statistics and diagnostics:
        if lines:
            lines.append("")
        counts = Counter(d.code for d in diagnostics)
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"{count:>5}  {code}  {specs.get(code).name}")
    if show_fixes and fixed:
        if lines:
            lines.append("")
        lines.append(f"Fixed {len(fixed)} finding{'s' if len(fixed) != 1 else ''}:")
        per_file: dict[str, Counter] = {}
        for path, code in fixed:
            per_file.setdefault(path, Counter())[code] += 1
        for path in sorted(per_file):
            lines.append(f"- {path}:")
            for code, count in sorted(per_file[path].items()):
                lines.append(f"    {count} × {code} ({specs.get(code).name})")
    if not quiet:
        if fixed and not show_fixes:
            lines.append(f"Fixed {len(fixed)} finding{'s' if len(fixed) != 1 else ''}.")
        if diagnostics:
            by_severity = Counter(severity_of(d) for d in diagnostics)
            parts = [f"{by_severity[s]} {s}{'s' if by_severity[s] != 1 else ''}" for s in ("error", "warning", "info") if by_severity[s]]
            noun = "problem" if len(diagnostics) == 1 else "problems"
            lines.append(f"Found {len(diagnostics)} {noun} ({', '.join(parts)}).")
            if fixable:
                lines.append(f"[*] {len(fixable)} fixable with `--fix`{' --unsafe-fixes' if any(d.fix and d.fix.safety == 'unsafe' for d in fixable) else ''}.")
            if hidden_unsafe:
                lines.append(f"({hidden_unsafe} more fixable with `--fix --unsafe-fixes`.)")
        else:
            lines.append("All checks passed.")
    return "\n".join(lines) + ("\n" if lines else "")


def _context(d: Diagnostic, texts: dict, sources: dict, fixable: bool) -> list[str]:
    """`--output-format full`: the reported line with a caret under the finding, and the fix on offer."""
    if d.path not in texts:
        data = sources.get(d.path)
        if data is None:
            try:
                data = reading.read_bytes(d.path)
            except OSError:
                data = None
        texts[d.path] = None if data is None else data.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()
    source = texts[d.path]
    out = []
    if source is not None and 1 <= d.line <= len(source):
        gutter = str(d.line)
        line = source[d.line - 1].expandtabs(1)
        width = (d.end_column - d.column) if d.end_line == d.line else len(line) - d.column + 1
        out.append(f"{' ' * len(gutter)} |")
        out.append(f"{gutter} | {line}")
        out.append(f"{' ' * len(gutter)} | {' ' * (d.column - 1)}{'^' * max(1, width)}")
    if d.fix is not None:
        label = "fix" if d.fix.safety == "safe" else "unsafe fix"
        out.append(f"  = {label}: {d.fix.title}" + ("" if fixable else " (not applied without --unsafe-fixes)"))
    out.append("")
    return out


def statistics(diagnostics: list[Diagnostic], fixable: Sequence[Diagnostic] = (), as_json: bool = False) -> str:
    """`--statistics`: only the count per rule, most frequent first (ruff's table)."""
    counts = Counter(d.code for d in diagnostics)
    fixable_codes = Counter(d.code for d in fixable)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if as_json:
        return json.dumps(
            [
                {"code": code, "name": specs.get(code).name, "count": count, "fixable": bool(fixable_codes[code])}
                for code, count in rows
            ],
            indent=2,
        ) + "\n"
    return "".join(f"{count:>5}  {code}  {specs.get(code).name}\n" for code, count in rows)
