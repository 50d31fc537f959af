"""Fixes keep programs working: on every fixture, `--fix --unsafe-fixes` introduces no undefined name and no unused
import (pyflakes), the result compiles, and the report printed after --fix equals a fresh run over the fixed files."""

from __future__ import annotations

import ast
import json
import shutil

import pytest
from pyflakes import checker, messages

from conftest import FIXTURES

from dapr_lint.cli import main

# subprocess runs and timing: part of the whole suite, not of the fast loop
pytestmark = pytest.mark.slow

PYTHON_FIXTURES = sorted((FIXTURES / "python").glob("*.py"))


def _flakes(source: str) -> set[tuple[str, str]]:
    """(kind, name) of every undefined name and unused import pyflakes finds."""
    found: set[tuple[str, str]] = set()
    for message in checker.Checker(ast.parse(source)).messages:
        if isinstance(message, messages.UndefinedName):
            found.add(("undefined", message.message_args[0]))
        elif isinstance(message, messages.UnusedImport):
            found.add(("unused-import", message.message_args[0]))
    return found


@pytest.fixture(scope="module")
def fixed_fixtures(tmp_path_factory):
    """Every Python fixture copied, then fixed in one run with every rule and the unsafe fixes."""
    root = tmp_path_factory.mktemp("fixed")
    for path in PYTHON_FIXTURES:
        shutil.copy(path, root / path.name)
    (root / "pyproject.toml").write_text("[tool.dapr-lint]\nselect = [\"ALL\"]\ntest-paths = []\n", encoding="utf-8")
    import os

    cwd = os.getcwd()
    os.chdir(root)
    try:
        main(["check", ".", "--fix", "--unsafe-fixes", "--exit-zero", "--no-cache", "--jobs", "1", "--output-file", str(root / "report.json")])
    finally:
        os.chdir(cwd)
    return root


@pytest.mark.parametrize("path", PYTHON_FIXTURES, ids=lambda p: p.name)
def test_unsafe_fixes_add_no_undefined_name_and_no_unused_import(fixed_fixtures, path):
    before = path.read_text(encoding="utf-8")
    after = (fixed_fixtures / path.name).read_text(encoding="utf-8")
    compile(after, path.name, "exec")
    introduced = _flakes(after) - _flakes(before)
    assert not introduced, f"the fixes of {path.name} introduced {sorted(introduced)}"


def test_some_fixes_were_applied(fixed_fixtures):
    changed = [p.name for p in PYTHON_FIXTURES if (fixed_fixtures / p.name).read_bytes() != p.read_bytes()]
    assert len(changed) >= 10, changed


def test_the_report_after_fix_equals_a_fresh_run(tmp_path, capsys, monkeypatch):
    for path in PYTHON_FIXTURES:
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "pyproject.toml").write_text("[tool.dapr-lint]\nselect = [\"ALL\"]\ntest-paths = []\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    args = ["check", ".", "--exit-zero", "--no-cache", "--jobs", "1", "--format", "json"]
    main([*args, "--fix", "--unsafe-fixes"])
    after_fix = json.loads(capsys.readouterr().out)
    main(args)
    fresh = json.loads(capsys.readouterr().out)

    def key(f):
        return (f["path"], f["line"], f["column"], f["code"], f["message"])

    assert sorted(map(key, after_fix)) == sorted(map(key, fresh))
