"""Workflows as contracts across modules (DPR707, DPR708, DPR710): a fixture repository whose registrations,
calls, constants and runtimes sit in different modules of several apps; each expected finding is marked on its
line (`# error: DPRxxx "message fragment"`), and nothing else is reported."""

from __future__ import annotations

import json

from conftest import FIXTURES
from markers import parse_markers

from dapr_lint.cli import main

ROOT = FIXTURES / "projects" / "workflows"
CODES = ("DPR707", "DPR708", "DPR710")


def _run(monkeypatch, capsys, *args: str) -> list[dict]:
    monkeypatch.chdir(ROOT)
    main(["check", *args, "--select", ",".join(CODES), "--format", "json", "--jobs", "1", "--no-cache", "--exit-zero"])
    return json.loads(capsys.readouterr().out)


def _markers() -> dict[tuple[str, int, str], list]:
    found: dict[tuple[str, int, str], list] = {}
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for marker in parse_markers(path.read_text(encoding="utf-8")):
            found.setdefault((rel, marker.line, marker.code), []).append(marker)
    return found


def test_findings_are_exactly_the_marked_ones_with_their_messages(monkeypatch, capsys):
    findings = _run(monkeypatch, capsys, ".")
    markers = _markers()
    got = {(f["path"], f["line"], f["code"]): f["message"] for f in findings}
    assert sorted(got) == sorted(markers)
    for key, message in got.items():
        assert len(message) <= 120, message
        for marker in markers[key]:
            assert marker.fragment is None or marker.fragment in message, (key, message)


def test_the_app_given_file_by_file_gets_the_same_findings(monkeypatch, capsys):
    # the findings do not depend on whether the run is given the folder or the files
    findings = _run(monkeypatch, capsys, "orders/workflow.py", "orders/app.py", "orders/runtime.py",
                    "orders/names.py", "orders/activities.py")
    assert sorted((f["path"], f["line"]) for f in findings) == sorted(
        (path, line) for path, line, _code in _markers() if path.startswith("orders/")
    )


def test_an_app_that_registers_under_unknown_names_is_not_judged(monkeypatch, capsys):
    findings = _run(monkeypatch, capsys, ".")
    assert not [f for f in findings if f["path"].startswith("payments/")]
    assert not [f for f in findings if f["path"].startswith("shipping/")]
