"""Workflows as contracts across modules (DPR707, DPR708, DPR710): a fixture repository whose registrations,
calls, constants and runtimes sit in different modules of several apps; each expected finding is marked on its
line (`# error: DPRxxx "message fragment"`), and nothing else is reported."""

from __future__ import annotations

import json

from conftest import FIXTURES
from markers import parse_markers

from dapr_lint.cli import main
from dapr_lint.engine.python_stage import analyze_python
from dapr_lint.python.sdk_releases import exact_pin
from dapr_lint.settings import Settings

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
    assert not [f for f in findings if f["path"].startswith("wrapped/")]


HANDLER = """
from dapr.ext.workflow import DaprWorkflowClient
from fastapi import FastAPI

app = FastAPI()
client = DaprWorkflowClient()


@app.post("/orders")
def start_order(order: dict):
    instance_id = client.schedule_new_workflow("order", input=order)
    state = client.wait_for_workflow_completion(instance_id)
    return {"status": state.runtime_status.name}


@app.post("/orders/guarded")
def start_guarded(order: dict):
    instance_id = client.schedule_new_workflow("order", input=order)
    try:
        client.wait_for_workflow_completion(instance_id)
    except TimeoutError:
        return {"status": "RUNNING"}
    return {"status": "DONE"}
"""


def _dpr709(pin: str) -> list[tuple[int, str]]:
    settings = Settings(enabled=frozenset({"DPR709"}), sdk=exact_pin(pin, "requirements.txt:1"))
    result = analyze_python("app.py", HANDLER.encode(), settings)
    return [(d.line, d.message) for d in result.diagnostics]


def test_dpr709_speaks_of_the_default_of_the_pinned_release():
    # from 1.15 the default waits forever, caught or not; up to 1.14 it raises TimeoutError after 60 s, which only
    # an unguarded handler lets through
    newer = _dpr709("1.16.0")
    assert [line for line, _ in newer] == [12, 20]
    assert all("waits forever (SDK ≥ 1.15)" in message for _, message in newer)
    assert _dpr709("1.14.0") == [
        (12, "`wait_for_workflow_completion` in handler `start_order` raises TimeoutError after 60 s (SDK < 1.15), "
         "and nothing catches it")
    ]
