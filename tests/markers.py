"""The one parser of expected-finding markers, shared by the Python and the YAML fixtures.

A marker is a comment on the line a finding is expected on. Each entry names a code and may pin the 1-based
column and a fragment of the message, so that the tests hold what users read, not only codes and lines:

    client.save_state(...)  # error: DPR101
    client.save_state(...)  # error: DPR101:5
    client.save_state(...)  # error: DPR101:5 "sync DaprClient", DPR105
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Optional, Protocol

_MARKER = re.compile(r"#\s*error:\s*(?P<entries>DPR\d{3}.*)$")
_ENTRY = re.compile(r'\s*(?P<code>DPR\d{3})(?::(?P<column>\d+))?(?:\s+"(?P<fragment>(?:[^"\\]|\\.)*)")?\s*(?:,|$)')


@dataclass(frozen=True)
class Marker:
    line: int
    code: str
    column: Optional[int] = None
    fragment: Optional[str] = None


class Finding(Protocol):
    line: int
    column: int
    code: str
    message: str


def parse_markers(text: str) -> list[Marker]:
    """Every marker of a fixture; a malformed marker is an error, never silently skipped."""
    found: list[Marker] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _MARKER.search(line)
        if not match:
            continue
        rest = match.group("entries").rstrip()
        position = 0
        while position < len(rest):
            entry = _ENTRY.match(rest, position)
            if entry is None or entry.end() == position:
                raise ValueError(f"line {number}: cannot read the marker {rest[position:]!r}")
            column = entry.group("column")
            fragment = entry.group("fragment")
            found.append(
                Marker(
                    number,
                    entry.group("code"),
                    int(column) if column else None,
                    fragment.replace('\\"', '"') if fragment is not None else None,
                )
            )
            position = entry.end()
    return found


def expected_findings(text: str) -> Counter:
    """(line, code) -> how many findings a fixture expects there."""
    return Counter((m.line, m.code) for m in parse_markers(text))


def mismatched_details(markers: Iterable[Marker], findings: Iterable[Finding]) -> list[str]:
    """The markers that pin a column or a message fragment that no finding of their line and code has (a fragment
    is read in the message or in its detail, the evidence and remedy `--output-format full` shows)."""
    by_place: dict[tuple[int, str], list[Finding]] = {}
    for finding in findings:
        by_place.setdefault((finding.line, finding.code), []).append(finding)
    problems = []
    for marker in markers:
        if marker.column is None and marker.fragment is None:
            continue
        candidates = by_place.get((marker.line, marker.code), [])
        if not any(
            (marker.column is None or f.column == marker.column)
            and (marker.fragment is None or marker.fragment in f.message or marker.fragment in (getattr(f, "detail", None) or ""))
            for f in candidates
        ):
            seen = [f"{f.line}:{f.column} {f.code} {f.message}" for f in candidates] or ["nothing"]
            wanted = f"{marker.line}:{marker.column or '*'} {marker.code} {marker.fragment or ''}".rstrip()
            problems.append(f"expected {wanted!r}, found {seen}")
    return problems
