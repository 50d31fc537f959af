"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request."""

from __future__ import annotations

import re

from dapr_lint.diagnostics import Diagnostic
from dapr_lint.report import printable, severity_of

_COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def _escape_data(text: str) -> str:
    # control characters first (the log viewer would act on ESC), but line breaks, which the workflow command
    # carries as %0D/%0A (an annotation may have several lines)
    text = "".join(part if part in ("\r", "\n") else printable(part) for part in re.split("([\r\n])", text))
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(diagnostics: list[Diagnostic]) -> str:
    lines = []
    for d in diagnostics:
        command = _COMMANDS[severity_of(d)]
        properties = ",".join(
            [
                f"file={_escape_property(d.path)}",
                f"line={d.line}",
                f"col={d.column}",
                f"endLine={d.end_line}",
                f"endColumn={d.end_column}",
                f"title={_escape_property(d.code)}",
            ]
        )
        lines.append(f"::{command} {properties}::{_escape_data(f'{d.code} {d.message}')}")
    return "\n".join(lines) + ("\n" if lines else "")
