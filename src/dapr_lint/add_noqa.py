"""`--add-noqa` (and the editor's "silence this finding" action): a `# noqa: CODE` comment on the lines
findings are reported on, merged into a `# noqa: ...` comment already there.

A comment is only added where it cannot change the program: the file must read the same afterwards
(the same Python syntax tree, the same YAML data); a line that ends inside a multi-line string, say, is
left alone."""

from __future__ import annotations

import ast
import re
import warnings
from typing import Iterable, Optional

from dapr_lint.diagnostics import Diagnostic

_NOQA_CODES = re.compile(r"#\s*noqa:[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*)", re.IGNORECASE)
_BARE_NOQA = re.compile(r"#\s*noqa(?!:)", re.IGNORECASE)


def add_noqa(data: bytes, diagnostics: Iterable[Diagnostic], yaml: Optional[bool] = None) -> tuple[bytes, int]:
    """The file with noqa comments added, and how many lines got one."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data, 0
    bom = text.startswith("\ufeff")
    by_line: dict[int, set[str]] = {}
    for d in diagnostics:
        if d.code == "DPR001":
            continue  # a file that does not parse cannot be checked for what a comment would change
        by_line.setdefault(d.line, set()).add(d.code)
    if not by_line:
        return data, 0
    if yaml is None:
        yaml = any(d.path.lower().endswith((".yaml", ".yml")) for d in diagnostics)
    reference = _meaning(text, yaml)
    if reference is None:
        return data, 0
    lines = text.splitlines(keepends=True)
    added = 0
    for number in sorted(by_line):
        if not 1 <= number <= len(lines):
            continue
        candidate = list(lines)
        candidate[number - 1] = with_noqa(lines[number - 1], by_line[number])
        if candidate[number - 1] == lines[number - 1]:
            continue
        if _meaning("".join(candidate), yaml) != reference:
            continue  # the comment would land inside a string or a block scalar
        lines = candidate
        added += 1
    out = "".join(lines)
    if bom and not out.startswith("\ufeff"):
        out = "\ufeff" + out
    return out.encode("utf-8"), added


def with_noqa(line: str, codes: Iterable[str]) -> str:
    """One line with `# noqa: CODES` added (or merged into its noqa comment)."""
    body = line.rstrip("\r\n")
    ending = line[len(body):]
    if _BARE_NOQA.search(body):
        return line
    match = _NOQA_CODES.search(body)
    if match is not None:
        present = [c for c in re.split(r"[,\s]+", match.group("codes").strip()) if c]
        merged = present + sorted(c for c in codes if not any(c.upper().startswith(p.upper()) for p in present))
        if len(merged) == len(present):
            return line
        start, end = match.span("codes")
        return body[:start] + ", ".join(merged) + body[end:] + ending
    return f"{body.rstrip()}  # noqa: {', '.join(sorted(codes))}{ending}"


def _meaning(text: str, yaml: bool):
    if yaml:
        try:
            import yaml as pyyaml

            return list(pyyaml.safe_load_all(text))
        except Exception:
            return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.dump(ast.parse(text.lstrip("\ufeff")))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
