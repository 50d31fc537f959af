"""Output formats. Each takes the sorted diagnostics and returns the text to write."""

from __future__ import annotations

import re
from typing import Any

from dapr_lint import specs
from dapr_lint.diagnostics import Category, Diagnostic, Severity

# What a terminal or a log viewer would act on instead of showing: C0 controls (ESC starts every escape
# sequence, BEL ends an OSC one, CR rewrites a line), DEL, C1 controls (0x9b is a one-byte CSI), the bidi
# embeddings, overrides and isolates (U+202A-202E, U+2066-2069) and marks that reorder what follows, the
# line and paragraph separators, and the lone surrogates a file name that is not valid UTF-8 is held with.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a name that is not valid UTF-8 (surrogateescape): the byte itself
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    r"""`text` with every character a terminal would act on written as an escape: `\x1b` for ESC and every other
    C0/C1 control and DEL, `\u202e` for a bidi control, and `\xNN` for each byte of a file name that is not valid
    UTF-8. The one form every output format uses for file names and for the values messages echo."""
    if _UNPRINTABLE.search(text) is None:
        return text
    return _UNPRINTABLE.sub(_escape, text)


def printable_data(value: Any) -> Any:
    """`printable` on every string of plain data (dicts, lists, tuples), keys included."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable_data(k): printable_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [printable_data(v) for v in value]
    return value


def severity_of(diagnostic: Diagnostic) -> Severity:
    if diagnostic.severity is not None:
        return diagnostic.severity
    return specs.get(diagnostic.code).severity


def category_of(diagnostic: Diagnostic) -> Category:
    return specs.get(diagnostic.code).category
