"""The fixture marker parser: what a marker may pin, and that a pin which does not hold fails."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from markers import Marker, expected_findings, mismatched_details, parse_markers


@dataclass
class _Finding:
    line: int
    column: int
    code: str
    message: str


def test_entries_with_columns_and_fragments():
    text = 'x = 1\nclient.get_state()  # error: DPR101:5 "a \\"quoted\\" word", DPR105\n'
    assert parse_markers(text) == [
        Marker(2, "DPR101", 5, 'a "quoted" word'),
        Marker(2, "DPR105", None, None),
    ]
    assert expected_findings(text) == {(2, "DPR101"): 1, (2, "DPR105"): 1}


def test_yaml_comments_use_the_same_marker():
    text = "metadata:\n  - name: password\n    value: s3cr3t  # error: DPR506:12 \"plain text\"\n"
    assert parse_markers(text) == [Marker(3, "DPR506", 12, "plain text")]


def test_a_malformed_marker_is_an_error_not_a_silent_skip():
    with pytest.raises(ValueError, match="cannot read the marker"):
        parse_markers("call()  # error: DPR101 because it blocks\n")


def test_pins_hold_only_when_a_finding_matches_them():
    markers = parse_markers('call()  # error: DPR101:5 "blocks the event loop"\n')
    right = _Finding(1, 5, "DPR101", "`get_state` blocks the event loop")
    assert mismatched_details(markers, [right]) == []
    wrong_column = _Finding(1, 6, "DPR101", "`get_state` blocks the event loop")
    wrong_text = _Finding(1, 5, "DPR101", "`get_state` is slow")
    assert len(mismatched_details(markers, [wrong_column])) == 1
    assert len(mismatched_details(markers, [wrong_text])) == 1


def test_a_snapshot_holds_line_column_code_and_message_and_fails_on_any_change(tmp_path, monkeypatch):
    import snapshots

    @dataclass
    class F:
        line: int
        column: int
        code: str
        message: str

    monkeypatch.setattr(snapshots, "SNAPSHOTS", tmp_path / "snapshots")
    relative = Path("python") / "DPR101_x.py"
    findings = [F(3, 5, "DPR101", "sync DaprClient"), F(1, 1, "DPR001", "syntax error")]
    assert "no snapshot" in snapshots.check_snapshot(relative, findings)
    assert snapshots.check_snapshot(relative, findings, update=True) is None
    stored = (tmp_path / "snapshots" / "python" / "DPR101_x.py.snap").read_text(encoding="utf-8")
    assert stored == "1:1 DPR001 syntax error\n3:5 DPR101 sync DaprClient\n"
    assert snapshots.check_snapshot(relative, list(reversed(findings))) is None
    moved = [F(3, 6, "DPR101", "sync DaprClient"), findings[1]]
    problem = snapshots.check_snapshot(relative, moved)
    assert "-3:5 DPR101 sync DaprClient" in problem and "+3:6 DPR101 sync DaprClient" in problem
    reworded = [F(3, 5, "DPR101", "async DaprClient"), findings[1]]
    assert "+3:5 DPR101 async DaprClient" in snapshots.check_snapshot(relative, reworded)
    assert snapshots.stale_snapshots([Path("python") / "other.py"]) == [
        tmp_path / "snapshots" / "python" / "DPR101_x.py.snap"
    ]
