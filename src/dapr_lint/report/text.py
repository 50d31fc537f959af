"""`path:line:col: CODE category message`, one per line, then a summary (ruff's and flake8's shape, with the
finding's category in a column of its own)."""

from __future__ import annotations

from collections import Counter
import json
from typing import Optional, Sequence

from dapr_lint import reading, specs
from dapr_lint.diagnostics import Diagnostic
from dapr_lint.report import category_of, printable, severity_of

_COLOURS = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m"}
_CATEGORY_COLOURS = {"bug": "\x1b[1;31m", "tool": "\x1b[1;31m", "practice": "\x1b[33m", "opinion": "\x1b[36m"}
_BOLD = "\x1b[1m"
_RESET = "\x1b[0m"
# Most severe first: the order of the summary's counts and of `--fail-on`.
CATEGORIES = ("bug", "practice", "opinion")
# The category column is as wide as its longest value, so that every message starts at the same offset after
# the code (codes are all six characters).
_CATEGORY_WIDTH = max(len(c) for c in CATEGORIES)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def category_counts(diagnostics: Sequence[Diagnostic]) -> str:
    """`2 bugs, 1 practice`: the count of each category present, most severe first."""
    counts: Counter[str] = Counter("bug" if category_of(d) == "tool" else category_of(d) for d in diagnostics)
    nouns = {"bug": "bug", "practice": "practice finding", "opinion": "opinion"}
    return ", ".join(_plural(counts[c], nouns[c]) for c in CATEGORIES if counts[c])


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
    unchecked: int = 0,
    failed: bool = False,
    left: Optional[Sequence[Diagnostic]] = None,
) -> str:
    """The report. `unchecked`: files that could not be read or analysed, and `failed`: an internal error
    happened (either way the run says so instead of "All checks passed."); `left`: with `--fix-only`, the
    findings the fixes left, counted but not listed."""
    lines = []
    marked = {id(d) for d in fixable}
    texts: dict[str, Optional[list[str]]] = {}
    for d in diagnostics:
        mark = " [*]" if id(d) in marked else ""
        category = category_of(d)
        column = category.ljust(_CATEGORY_WIDTH)
        path, message = printable(d.path), printable(d.message)
        if colour:
            tint = _COLOURS[severity_of(d)]
            column = f"{_CATEGORY_COLOURS.get(category, '')}{category}{_RESET}{' ' * (_CATEGORY_WIDTH - len(category))}"
            lines.append(f"{_BOLD}{path}{_RESET}:{d.line}:{d.column}: {tint}{_BOLD}{d.code}{_RESET} {column}{mark} {message}")
        else:
            lines.append(f"{path}:{d.line}:{d.column}: {d.code} {column}{mark} {message}")
        if full:
            lines.extend(_context(d, texts, sources or {}, id(d) in marked))
    if statistics and diagnostics:
        if lines:
            lines.append("")
        lines.append(_statistics_table(diagnostics, fixable).rstrip("\n"))
    if show_fixes and fixed:
        if lines:
            lines.append("")
        lines.append(f"Fixed {_plural(len(fixed), 'finding')}:")
        per_file: dict[str, Counter] = {}
        for path, code in fixed:
            per_file.setdefault(path, Counter())[code] += 1
        for path in sorted(per_file):
            lines.append(f"- {printable(path)}:")
            for code, count in sorted(per_file[path].items()):
                lines.append(f"    {count} × {code} ({specs.get(code).name})")
    if not quiet:
        if fixed and not show_fixes:
            lines.append(f"Fixed {_plural(len(fixed), 'finding')}.")
        if left:
            lines.append(
                f"{_plural(len(left), 'finding')} left ({category_counts(left)}), not listed with --fix-only; "
                "`dapr-lint check` lists them."
            )
        elif diagnostics:
            noun = "problem" if len(diagnostics) == 1 else "problems"
            lines.append(f"Found {len(diagnostics)} {noun} ({category_counts(diagnostics)}).")
            if fixable:
                lines.append(f"[*] {len(fixable)} fixable with `--fix`{' --unsafe-fixes' if any(d.fix and d.fix.safety == 'unsafe' for d in fixable) else ''}.")
            if hidden_unsafe:
                lines.append(f"({hidden_unsafe} more fixable with `--fix --unsafe-fixes`.)")
        if unchecked:
            lines.append(f"{_plural(unchecked, 'file')} could not be checked (see standard error).")
        elif failed:
            lines.append("The check did not complete: internal errors (see standard error).")
        elif not diagnostics and not left:
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
        # bytes.splitlines breaks where Python and YAML do (\n, \r\n, \r); str.splitlines would also break at
        # \x0c, \x1c, \x85, U+2028, ... and put the caret under the wrong line
        texts[d.path] = None if data is None else [
            line.decode("utf-8", errors="replace") for line in data.removeprefix(b"\xef\xbb\xbf").splitlines()
        ]
    source = texts[d.path]
    out = []
    if source is not None and 1 <= d.line <= len(source):
        gutter = str(d.line)
        line = source[d.line - 1].expandtabs(1)
        end = d.end_column if d.end_line == d.line else len(line) + 1
        # the line as printed (control characters escaped), and the caret under the same characters
        before, within = printable(line[: d.column - 1]), printable(line[d.column - 1 : end - 1])
        out.append(f"{' ' * len(gutter)} |")
        out.append(f"{gutter} | {printable(line)}")
        out.append(f"{' ' * len(gutter)} | {' ' * len(before)}{'^' * max(1, len(within))}")
    for r in d.related:
        out.append(f"  = related: {printable(r.path)}:{r.line}:{r.column}: {printable(r.message)}")
    if d.detail:
        out.append(f"  = help: {printable(d.detail)}")
    if d.fix is not None:
        label = "fix" if d.fix.safety == "safe" else "unsafe fix"
        out.append(f"  = {label}: {printable(d.fix.title)}" + ("" if fixable else " (not applied without --unsafe-fixes)"))
    out.append("")
    return out


def _statistics_table(diagnostics: Sequence[Diagnostic], fixable: Sequence[Diagnostic]) -> str:
    counts = Counter(d.code for d in diagnostics)
    fixable_codes = {d.code for d in fixable}
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return "".join(
        f"{count:>5}  {code}  {'[*]' if code in fixable_codes else '   '} {specs.get(code).name}\n" for code, count in rows
    )


def statistics(diagnostics: list[Diagnostic], fixable: Sequence[Diagnostic] = (), as_json: bool = False) -> str:
    """`--statistics`: only the count per rule, most frequent first, `[*]` on a rule whose findings `--fix` can
    fix here (ruff's table)."""
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
    table = _statistics_table(diagnostics, fixable)
    if fixable:
        table += f"[*] {_plural(len(fixable), 'finding')} fixable with `--fix`.\n"
    return table
