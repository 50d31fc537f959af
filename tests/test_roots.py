"""One repository root per run (dapr_lint.roots): found from the paths the user named, never each file's own
folder; a file named alone with no marker above it is its own project and nothing below it is read."""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest

from conftest import FIXTURES
from dapr_lint.cli import main
from dapr_lint.files import SourceFile, repository_files
from dapr_lint.roots import project_root, run_root

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
REPOSITORIES = sorted(p for p in (FIXTURES / "projects").iterdir() if p.is_dir())


def _write(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- which folder is the root, and why -------------------------------------------------------------------


def test_git_or_a_configuration_wins_over_a_nearer_pyproject(tmp_path):
    (tmp_path / ".git").mkdir()
    _write(tmp_path / "svc" / "pyproject.toml", "[project]\nname = 'svc'\n")
    app = _write(tmp_path / "svc" / "app.py")
    root = run_root([app])
    assert (root.folder, root.marked, root.loose) == (str(tmp_path), True, False)
    assert "holds .git" in root.reason
    _write(tmp_path / "svc" / "pyproject.toml", "[tool.dapr-lint]\n")
    assert run_root([app]).folder == str(tmp_path / "svc")
    assert "dapr-lint configuration" in run_root([app]).reason


def test_without_git_the_nearest_pyproject_or_run_template_above_the_named_paths(tmp_path):
    _write(tmp_path / "dapr.yaml", "version: 1\n")
    app = _write(tmp_path / "orders" / "app.py")
    root = run_root([app])
    assert root.folder == str(tmp_path) and root.marked and "dapr.yaml" in root.reason


def test_without_any_marker_the_folder_named_is_the_root_never_each_files_folder(tmp_path):
    _write(tmp_path / "orders" / "app.py")
    _write(tmp_path / "orders" / "routes" / "events.py")
    root = run_root([tmp_path])
    assert (root.folder, root.marked, root.loose) == (str(tmp_path), False, False)
    assert "the folder named" in root.reason
    for file in ("orders/app.py", "orders/routes/events.py"):
        assert project_root(str(tmp_path / file), root) == str(tmp_path)
    assert run_root([tmp_path / "orders", tmp_path / "other"]).folder == str(tmp_path)


def test_a_file_named_alone_with_no_marker_is_its_own_project(tmp_path):
    scratch = _write(tmp_path / "scratch.py", "from dapr.clients import DaprClient\n")
    for index in range(30):
        _write(tmp_path / "deep" / f"pkg{index}" / "mod.py", "import fastapi\n")
    root = run_root([scratch])
    assert (root.folder, root.marked, root.loose) == (str(tmp_path), False, True)
    assert "nothing below is read" in root.reason
    assert [f.path for f in repository_files([SourceFile(scratch, "python")], lambda _path: None)] == [scratch]


def test_a_folder_with_a_marker_of_its_own_below_the_root_is_its_own_project(tmp_path):
    _write(tmp_path / "a" / "pyproject.toml", "[tool.dapr-lint]\n")
    inner = _write(tmp_path / "a" / "app.py")
    outer = _write(tmp_path / "b" / "app.py")
    root = run_root([tmp_path])
    assert project_root(str(inner), root) == str(tmp_path / "a")
    assert project_root(str(outer), root) == str(tmp_path)


# -- nothing below a loose file is read --------------------------------------------------------------------


def _recording_listings(monkeypatch) -> list[str]:
    """Every folder the run lists (os.scandir, os.walk)."""
    listed: list[str] = []
    real_scandir, real_walk = os.scandir, os.walk

    def scandir(path=".", *args, **kwargs):
        listed.append(os.path.abspath(os.fspath(path)))
        return real_scandir(path, *args, **kwargs)

    def walk(top, *args, **kwargs):
        listed.append(os.path.abspath(os.fspath(top)))
        return real_walk(top, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "walk", walk)
    return listed


def _loose_tree(tmp_path: Path) -> Path:
    """A scratch file above a tree of apps (an app with components, routers, a run template)."""
    _write(tmp_path / "below" / "svc" / "dapr.yaml", "version: 1\napps:\n  - appID: svc\n    appDirPath: .\n")
    for index in range(20):
        _write(
            tmp_path / "below" / f"svc{index}" / "main.py",
            "from fastapi import FastAPI\nfrom dapr.clients import DaprClient\napp = FastAPI()\n",
        )
        _write(tmp_path / "below" / f"svc{index}" / "components" / "state.yaml", "apiVersion: dapr.io/v1alpha1\n")
    return _write(
        tmp_path / "scratch.py",
        "from dapr.clients import DaprClient\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        "@app.get('/orders')\ndef orders():\n    with DaprClient() as client:\n        return client.get_state('s', 'k')\n",
    )


@pytest.mark.parametrize("how", ["command line", "stdin"])
def test_a_loose_file_reads_nothing_below_its_folder(how, tmp_path, monkeypatch, capsys):
    scratch = _loose_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    listed = _recording_listings(monkeypatch)
    if how == "stdin":
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(scratch.read_bytes())))
        args = ["check", "--stdin-filename", str(scratch), "-"]
    else:
        args = ["check", str(scratch)]
    status = main([*args, "--no-cache", "--jobs", "1", "--format", "json", "--select", "DPR"])
    out = capsys.readouterr().out
    assert status in (0, 1), out
    below = str(tmp_path / "below")
    assert [p for p in listed if p == below or p.startswith(below + os.sep)] == []
    assert all(f["path"].endswith("scratch.py") for f in json.loads(out))


def test_the_settings_and_the_apps_command_say_where_the_root_is_and_why(tmp_path, monkeypatch, capsys):
    scratch = _loose_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--show-settings", str(scratch)]) == 0
    out = capsys.readouterr().out
    assert f"# project root: {tmp_path} (no .git, pyproject.toml or dapr.yaml above it: the file named" in out
    assert main(["apps", "scratch.py"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("repository . (no .git, pyproject.toml or dapr.yaml above it: the file named is a project")
    (tmp_path / ".git").mkdir()
    assert main(["apps", "scratch.py"]) == 0
    assert capsys.readouterr().out.startswith("repository . (holds .git)")


# -- every fixture repository: the same findings with and without .git ---------------------------------------


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + "}"


def _overrides(pyproject: Path) -> list[str]:
    """The [tool.dapr-lint] table of a pyproject.toml as `--config KEY = VALUE` arguments."""
    table = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("dapr-lint", {})
    return [arg for key, value in table.items() for arg in ("--config", f"{key} = {_toml(value)}")]


def _findings(cwd: Path, monkeypatch, capsys, *args: str) -> Counter:
    monkeypatch.chdir(cwd)
    main(["check", ".", *args, "--format", "json", "--jobs", "1", "--no-cache"])
    return Counter((f["path"], f["line"], f["code"], f["message"]) for f in json.loads(capsys.readouterr().out))


@pytest.mark.slow
@pytest.mark.parametrize("source", [*REPOSITORIES, ROOT / "examples"], ids=lambda p: p.name)
def test_the_same_findings_with_and_without_git(source, tmp_path, monkeypatch, capsys):
    """A fixture repository copied without `.git` and without its pyproject.toml (a source archive, a container
    build context; its configuration given on the command line instead) gives exactly the findings of the same
    tree under git, and of the repository as it is."""
    config = source / "pyproject.toml"
    overrides = _overrides(config) if config.is_file() else []
    runs = {}
    for variant in ("git", "archive"):
        copy = tmp_path / variant / source.name
        shutil.copytree(source, copy, ignore=shutil.ignore_patterns("pyproject.toml", "__pycache__", ".dapr-lint_cache"))
        if variant == "git":
            (copy / ".git").mkdir()
        runs[variant] = _findings(copy, monkeypatch, capsys, *overrides)
    assert runs["git"], "a fixture repository with no finding cannot show a difference"
    assert runs["archive"] == runs["git"]
    if config.is_file():
        assert _findings(source, monkeypatch, capsys) == runs["git"]
