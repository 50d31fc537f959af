"""`path:line:col: CODE message`, one per line, then a summary (ruff's and flake8's shape)."""

from __future__ import annotations

from collections import Counter

from dapr_lint import registry
from dapr_lint.diagnostics import Diagnostic
from dapr_lint.report import severity_of

_COLOURS = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m"}
_BOLD = "\x1b[1m"
_RESET = "\x1b[0m"


def render(diagnostics: list[Diagnostic], *, colour: bool, quiet: bool, statistics: bool) -> str:
    lines = []
    for d in diagnostics:
        if colour:
            tint = _COLOURS[severity_of(d)]
            lines.append(f"{_BOLD}{d.path}{_RESET}:{d.line}:{d.column}: {tint}{_BOLD}{d.code}{_RESET} {d.message}")
        else:
            lines.append(f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}")
    if statistics and diagnostics:
        if lines:
            lines.append("")
        counts = Counter(d.code for d in diagnostics)
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"{count:>5}  {code}  {registry.get(code).name}")
    if not quiet:
        if diagnostics:
            by_severity = Counter(severity_of(d) for d in diagnostics)
            parts = [f"{by_severity[s]} {s}{'s' if by_severity[s] != 1 else ''}" for s in ("error", "warning", "info") if by_severity[s]]
            noun = "problem" if len(diagnostics) == 1 else "problems"
            lines.append(f"Found {len(diagnostics)} {noun} ({', '.join(parts)}).")
        else:
            lines.append("All checks passed.")
    return "\n".join(lines) + ("\n" if lines else "")
