"""Output formats. Each takes the sorted diagnostics and returns the text to write."""

from __future__ import annotations

from dapr_lint import specs
from dapr_lint.diagnostics import Diagnostic, Severity


def severity_of(diagnostic: Diagnostic) -> Severity:
    if diagnostic.severity is not None:
        return diagnostic.severity
    return specs.get(diagnostic.code).severity
