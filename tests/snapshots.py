"""Snapshots of what users read: per fixture file, `line:col code message` of every finding, one a line.

The snapshot of `tests/fixtures/python/DPR101_fastapi.py` is `tests/snapshots/python/DPR101_fastapi.py.snap`.
tests/test_fixtures.py compares each fixture's findings with its snapshot; a change of a message or a column
shows up as a diff of these files in review. After a deliberate change, rewrite them with one command:

    python -m pytest tests/test_fixtures.py --snapshot-update
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Iterable, Optional, Protocol

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
UPDATE_COMMAND = "python -m pytest tests/test_fixtures.py --snapshot-update"


class Finding(Protocol):
    line: int
    column: int
    code: str
    message: str


def render(findings: Iterable[Finding]) -> str:
    rows = sorted((f.line, f.column, f.code, f.message) for f in findings)
    return "".join(f"{line}:{column} {code} {message}\n" for line, column, code, message in rows)


def snapshot_path(relative: Path) -> Path:
    return SNAPSHOTS / relative.parent / (relative.name + ".snap")


def check_snapshot(relative: Path, findings: Iterable[Finding], update: bool = False) -> Optional[str]:
    """None when the findings match the stored snapshot (or it was just rewritten), else a diff to show."""
    path = snapshot_path(relative)
    actual = render(findings)
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != actual:
            path.write_text(actual, encoding="utf-8")
        return None
    if not path.exists():
        return f"no snapshot {path.relative_to(SNAPSHOTS.parent)}; create it: {UPDATE_COMMAND}"
    expected = path.read_text(encoding="utf-8")
    if expected == actual:
        return None
    diff = "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True), actual.splitlines(keepends=True), "snapshot", "now reported"
        )
    )
    return f"{relative}: findings differ from the snapshot (if intended: {UPDATE_COMMAND})\n{diff}"


def stale_snapshots(relatives: Iterable[Path]) -> list[Path]:
    """Snapshot files whose fixture is gone."""
    wanted = {snapshot_path(r) for r in relatives}
    return sorted(p for p in SNAPSHOTS.rglob("*.snap") if p not in wanted)
