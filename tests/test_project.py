"""The project stage: routes combined across the modules of a run (DPR401/DPR402)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from conftest import FIXTURES, expected_findings
from dapr_lint.cli import main
from dapr_lint.project import matches

PROBES = FIXTURES / "projects" / "probes"


def _expected(root: Path) -> Counter:
    found: Counter = Counter()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        for (line, code), n in expected_findings(path.read_text(encoding="utf-8")).items():
            found[(rel, line, code)] += n
    return found


def _run(root: Path, monkeypatch, capsys, *extra: str) -> Counter:
    monkeypatch.chdir(root)
    main(["check", ".", "--format", "json", "--jobs", "1", *extra])
    return Counter((f["path"], f["line"], f["code"]) for f in json.loads(capsys.readouterr().out))


def test_routes_resolve_across_modules(monkeypatch, capsys):
    assert _run(PROBES, monkeypatch, capsys) == _expected(PROBES)


def test_the_pool_gives_the_same_findings(monkeypatch, capsys, tmp_path):
    # Enough files to go through the process pool: summaries cross process boundaries.
    for n in range(14):
        (tmp_path / f"extra_{n}.py").write_text("import dapr\n", encoding="utf-8")
    for path in PROBES.rglob("*"):
        if path.is_file():
            target = tmp_path / path.relative_to(PROBES)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    assert _run(tmp_path, monkeypatch, capsys, "--jobs", "2") == _expected(PROBES)


def test_select_runs_only_the_selected_project_rule(monkeypatch, capsys):
    found = _run(PROBES, monkeypatch, capsys, "--select", "DPR402")
    assert found and {code for _path, _line, code in found} == {"DPR402"}
    assert not _run(PROBES, monkeypatch, capsys, "--select", "DPR1")


@pytest.mark.parametrize(
    "segments, ok",
    [
        (["", "/health"], True),
        (["", "/ops", "", "/health"], True),
        (["", "/health", ""], True),
        (["", "/api", "/health/"], True),
        (["", "/myhealth"], False),
        (["", "/orders"], False),
        ([None, "/orders"], False),
        ([None, "/"], True),
        (["", None], True),
        (["", "/{path:path}"], True),
    ],
)
def test_route_matching(segments, ok):
    assert matches(segments, ["/health", "/healthz"]) is ok


def test_declarative_subscription_routes_are_subscribers(monkeypatch, capsys, tmp_path):
    root = FIXTURES / "projects" / "declarative"
    assert _run(root, monkeypatch, capsys, "--select", "DPR3") == _expected(root)
    # the app's resources are read even when only its code is named (subset invariance)
    monkeypatch.chdir(root)
    main(["check", "app", "--format", "json", "--jobs", "1", "--select", "DPR301"])
    alone = [(f["path"], f["line"]) for f in json.loads(capsys.readouterr().out)]
    assert Counter((p, line, "DPR301") for p, line in alone) == Counter(
        {k: n for k, n in _expected(root).items() if k[2] == "DPR301"}
    )
    # without the resource file the event routes are plain routes
    (tmp_path / "app").mkdir()
    (tmp_path / "pyproject.toml").write_text("[tool.dapr-lint]\n", encoding="utf-8")
    (tmp_path / "app" / "main.py").write_bytes((root / "app" / "main.py").read_bytes())
    monkeypatch.chdir(tmp_path)
    main(["check", ".", "--format", "json", "--jobs", "1", "--select", "DPR301"])
    assert len(json.loads(capsys.readouterr().out)) == 3


def test_sync_clients_held_by_managers_in_other_modules(monkeypatch, capsys):
    """A manager class of another module: its singleton imported elsewhere, an instance held in an
    attribute, its methods (two calls deep), property, method and attribute handing out the sync client;
    not the aio client, offloads, a name bound to two classes, or a cycle of helpers. And handlers,
    workflows and activities registered by method reference (`add_api_route(path, self.create)`,
    `register_workflow(self.flow)`) get the handler and workflow rules."""
    root = FIXTURES / "projects" / "managers"
    assert _run(root, monkeypatch, capsys, "--no-cache") == _expected(root)


def test_manager_finding_message(monkeypatch, capsys):
    monkeypatch.chdir(FIXTURES / "projects" / "managers")
    main(["check", "svc/api.py", "--format", "json", "--jobs", "1", "--no-cache", "--select", "DPR101"])
    found = {(f["line"], f["column"]): f["message"] for f in json.loads(capsys.readouterr().out)}
    assert found[(32, 9)] == (
        "`manager.client` (svc/state.py) is a sync DaprClient: its `save_state()` blocks the event loop of "
        "`async def put`; hand out the aio client, or call it via `asyncio.to_thread`"
    )
    assert found[(33, 9)].startswith("`manager.get_client()` (svc/state.py) is a sync DaprClient")
    assert found[(54, 9)] == (
        "`Depends(get_client)` (svc/providers.py) gives a sync DaprClient: its `save_state()` blocks the event loop of "
        "`async def provided`"
    )


def test_fake_async_helpers_in_other_modules(monkeypatch, capsys):
    root = FIXTURES / "projects" / "fake_async"
    assert _run(root, monkeypatch, capsys, "--select", "DPR101") == _expected(root)
