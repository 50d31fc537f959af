"""Fixes are built only where they are applied: a plain `check` (any output format, the editor's lint) reports
every fix's title and safety without building a single edit; `--diff`/`--fix` build them, and every fix a check
reports as fixable builds at least one edit (fixable always means `--fix` can do it)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES

from dapr_lint.cli import main
from dapr_lint.diagnostics import Fix, ProjectEdit
from dapr_lint.editor import lint_buffer
from dapr_lint.engine import workers
from dapr_lint.python.edits import Edit

# whole-tree runs over every fixture: part of the whole suite, not of the fast loop
pytestmark = pytest.mark.slow


class Built:
    """Counts what a run builds: LibCST edits, project edits, and the fixes whose builder ran (with what each
    returned)."""

    def __init__(self, monkeypatch) -> None:
        self.edits = 0
        self.project_edits = 0
        self.fixes: list[tuple[str, tuple]] = []
        edit_init, project_init, fix_edits = Edit.__init__, ProjectEdit.__init__, Fix.edits

        def edit(this, *args, **kwargs):
            self.edits += 1
            edit_init(this, *args, **kwargs)

        def project_edit(this, *args, **kwargs):
            self.project_edits += 1
            project_init(this, *args, **kwargs)

        def fix(this):
            fresh = "_edits" not in this.__dict__
            made = fix_edits(this)
            if fresh:
                self.fixes.append((this.title, made))
            return made

        monkeypatch.setattr(Edit, "__init__", edit)
        monkeypatch.setattr(ProjectEdit, "__init__", project_edit)
        monkeypatch.setattr(Fix, "edits", fix)
        # the per-file stage in this process, so that the counters see it
        monkeypatch.setattr(workers, "_ISOLATE", False)

    @property
    def anything(self) -> bool:
        return bool(self.edits or self.project_edits or self.fixes)


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """Every Python fixture and the fixture projects (DPR401's and the actor rules' project fixes), every rule on."""
    for path in sorted((FIXTURES / "python").glob("*.py")):
        shutil.copy(path, tmp_path / path.name)
    shutil.copytree(FIXTURES / "projects", tmp_path / "projects")
    (tmp_path / "pyproject.toml").write_text('[tool.dapr-lint]\nselect = ["ALL"]\ntest-paths = []\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _fixable(capsys, *args: str) -> list[dict]:
    main(["check", ".", "--no-cache", "--exit-zero", "--output-format", "json", *args])
    return [d for d in json.loads(capsys.readouterr().out) if d["fix"] is not None]


def test_a_plain_check_builds_no_edit_in_any_output(tree, monkeypatch, capsys):
    built = Built(monkeypatch)
    fixable = _fixable(capsys)
    # the check reports fixes, with their title and applicability, from nothing built
    assert len(fixable) >= 40 and {d["fix"]["safety"] for d in fixable} == {"safe", "unsafe"}
    assert {d["code"] for d in fixable} >= {"DPR101", "DPR104", "DPR106", "DPR401"}
    # the other formats print the same Diagnostics; `full` and `--show-fixes` are those that say most of a fix
    main(["check", ".", "--no-cache", "--exit-zero", "--output-format", "full"])
    main(["check", ".", "--no-cache", "--exit-zero", "--show-fixes", "--statistics"])
    capsys.readouterr()
    source = (tree / "DPR106_sync_client.py").read_bytes()
    assert any(d.fix is not None for d in lint_buffer(tree / "DPR106_sync_client.py", source).diagnostics)
    assert not built.anything, f"a check built {built.edits} edits, {built.project_edits} project edits, {len(built.fixes)} fixes"


def test_fix_builds_the_edits_and_every_reported_fix_has_one(tree, monkeypatch, capsys):
    fixable = _fixable(capsys)
    before = {p: p.read_bytes() for p in Path(".").rglob("*.py")}
    built = Built(monkeypatch)
    main(["check", ".", "--no-cache", "--exit-zero", "--fix", "--unsafe-fixes"])
    capsys.readouterr()
    fixed = {str(p) for p, data in before.items() if p.read_bytes() != data}
    assert built.edits > 0 and built.project_edits > 0
    # a builder that returns nothing would be a finding shown as fixable that --fix cannot fix
    assert all(made for _title, made in built.fixes), [title for title, made in built.fixes if not made]
    # the first pass builds every reported fix (later passes build those the first one uncovered)
    assert {title for title, _made in built.fixes} >= {d["fix"]["description"] for d in fixable}
    assert fixed and any(path.startswith("projects") for path in fixed)
