"""The JSON contract other tools read: an array of findings (see README, "JSON output").

Paths and messages are written as every format writes them (`report.printable`): a control character or a byte
of a file name that is not valid UTF-8 appears as `\\x1b`/`\\xe9`, so the output is valid UTF-8 (never a lone
surrogate) and no value can drive the terminal of whoever prints it."""

from __future__ import annotations

import json

from dapr_lint import specs
from dapr_lint.diagnostics import Diagnostic
from dapr_lint.report import printable, severity_of


def as_dict(d: Diagnostic) -> dict:
    rule = specs.get(d.code)
    return {
        "code": d.code,
        "name": rule.name,
        "message": printable(d.message),
        "path": printable(d.path),
        "line": d.line,
        "column": d.column,
        "end_line": d.end_line,
        "end_column": d.end_column,
        "severity": severity_of(d),
        "category": rule.category,
        "fix": None if d.fix is None else {"safety": d.fix.safety, "description": printable(d.fix.title)},
        "detail": None if d.detail is None else printable(d.detail),
        "related": [
            {
                "path": printable(r.path),
                "line": r.line,
                "column": r.column,
                "end_line": r.end_line,
                "end_column": r.end_column,
                "message": printable(r.message),
            }
            for r in d.related
        ],
    }


def render(diagnostics: list[Diagnostic]) -> str:
    return json.dumps([as_dict(d) for d in diagnostics], indent=2) + "\n"
