"""The result cache touches only what it created, and reading it runs no code and cannot break a run: the
reproductions of a security review (a repository or a shared cache one did not write), replayed. CI runs as
root, so nothing here relies on file permissions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import write

from dapr_lint import __version__
from dapr_lint.cache import CACHE_DIR_NAME, Cache
from dapr_lint.cli import main


# these tests are about the cache's own folder: where a run puts it when nothing says otherwise
pytestmark = pytest.mark.usefixtures("default_cache_folder")


BUGGY = (
    "from dapr.clients import DaprClient\n\n\nasync def handler(key: str):\n"
    "    with DaprClient() as client:\n        return client.get_state('statestore', key).data\n"
)
OLD = time.time() - 7 * 24 * 3600


def _project(root: Path) -> None:
    write(root, "pyproject.toml", "[tool.dapr-lint]\n")
    write(root, "svc.py", BUGGY)
    write(root, "other.py", "import os\n")


def _run(capsys, *argv: str) -> tuple[int, list, str]:
    status = main(["check", *argv, "--output-format", "json", "--jobs", "1"])
    captured = capsys.readouterr()
    findings = sorted((f["path"], f["line"], f["code"]) for f in json.loads(captured.out))
    return status, findings, captured.err


def _subprocess(cwd: Path, *argv: str, env=None) -> subprocess.CompletedProcess:
    """A run in its own process, with a timeout: a regression that blocks (a FIFO) fails instead of hanging."""
    command = [sys.executable, "-m", "dapr_lint", "check", *argv, "--output-format", "json", "--jobs", "1"]
    return subprocess.run(command, cwd=cwd, capture_output=True, timeout=120, env=env, stdin=subprocess.DEVNULL)


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else b"") for p in sorted(folder.rglob("*"))}


# -- 1. the cache touches only what it created ------------------------------------------------------------


def test_a_committed_cache_link_to_the_parent_deletes_and_writes_nothing_there(tmp_path, capsys, monkeypatch):
    clone = tmp_path / "clone"
    _project(clone)
    write(tmp_path, "sibling/files/notes.json", "{}")
    write(tmp_path, "sibling/files/.bashrc", "alias ll='ls -l'\n")
    os.utime(tmp_path / "sibling/files/.bashrc", (OLD, OLD))
    (clone / CACHE_DIR_NAME).symlink_to("..")
    monkeypatch.chdir(clone)
    before = _tree(tmp_path / "sibling")
    expected = _run(capsys, ".", "--no-cache")[:2]
    status, findings, err = _run(capsys, ".")
    assert (status, findings) == expected
    assert err.count("warning: not using the cache folder") == 1 and "is a link" in err
    assert _tree(tmp_path / "sibling") == before
    assert not (tmp_path / ".gitignore").exists() and not (tmp_path / "CACHEDIR.TAG").exists()
    assert not (tmp_path / __version__).exists()


def test_a_committed_link_inside_the_cache_folder_is_never_followed(project, capsys, tmp_path_factory):
    """Even a forged cache folder (its marker and tag committed too) cannot lead the cache into a link."""
    _project(project)
    home = tmp_path_factory.mktemp("home")
    for name in ("package.json", ".bashrc", ".gitconfig"):
        write(home, name, "kept\n")
        os.utime(home / name, (OLD, OLD))
    cache = project / CACHE_DIR_NAME
    _run(capsys, ".")  # a real cache, then its folder replaced by a link as a repository could commit it
    files = cache / __version__ / "files"
    for entry in files.iterdir():
        entry.unlink()
    files.rmdir()
    files.symlink_to(home)
    expected = _run(capsys, ".", "--no-cache")[:2]
    status, findings, err = _run(capsys, ".")
    assert (status, findings) == expected
    assert f"`{__version__}/files` in it is a link" in err
    assert sorted(p.name for p in home.iterdir()) == [".bashrc", ".gitconfig", "package.json"]


def test_cache_dir_naming_a_folder_of_the_users_files_is_refused(project, capsys, monkeypatch):
    _project(project)
    write(project, "docs/files/manual.pdf", "%PDF-1.4\n")
    write(project, "docs/files/index.json", "{}")
    before = _tree(project)
    expected = _run(capsys, ".", "--no-cache")[:2]
    status, findings, err = _run(capsys, "--cache-dir", ".", "svc.py", "other.py")
    assert (status, findings) == expected
    assert "neither empty nor a dapr-lint cache" in err
    assert _tree(project) == before  # no docs/ deleted, no root .gitignore
    monkeypatch.setenv("DAPR_LINT_CACHE_DIR", str(project / "docs"))
    assert _run(capsys, ".")[:2] == expected
    assert _tree(project) == before


def test_an_empty_or_absent_folder_becomes_the_cache_and_is_reused(project, capsys):
    _project(project)
    (project / "empty").mkdir()
    for folder in ("empty", "absent/deeper"):
        first = _run(capsys, ".", "--cache-dir", folder)
        assert first[2] == ""
        assert (project / folder / ".dapr-lint-cache").is_file() and (project / folder / "CACHEDIR.TAG").is_file()
        assert (project / folder / ".gitignore").read_text().splitlines()[-1] == "*"
        assert _run(capsys, ".", "--cache-dir", folder) == first


def test_pruning_deletes_only_names_the_cache_writes(project, capsys):
    _project(project)
    _run(capsys, ".")
    cache = project / CACHE_DIR_NAME
    files = cache / __version__ / "files"
    strangers = ["notes.json", "package.json", ".bashrc", "p.json"]
    for name in strangers:
        write(files, name, "{}")
        os.utime(files / name, (OLD, OLD))
    old_version = cache / "0.0.1"
    write(old_version, "files/" + Cache.entry_name(str(project / "gone.py")), "{}")
    write(old_version, "rules-" + "0" * 24 + ".json", "{}")
    write(old_version, "keep.txt", "a file the cache did not write")
    write(cache, "0.0.2/files/" + Cache.entry_name(str(project / "gone.py")), "{}")
    (project / "svc.py").unlink()  # its entry goes
    _run(capsys, ".")
    assert all((files / name).exists() for name in strangers)
    # the entries of the files still there: other.py and pyproject.toml (a dependency file, checked for DPR110)
    assert sorted(p.name for p in files.iterdir() if p.name not in strangers) == sorted(
        Cache.entry_name(str(project / name)) for name in ("other.py", "pyproject.toml")
    )
    assert sorted(str(p.relative_to(old_version)) for p in old_version.rglob("*")) == ["keep.txt"]
    assert not (cache / "0.0.2").exists()


# -- 2 and 3. reading an entry runs no code, and no entry breaks a run ----------------------------------------


def _entries(project: Path) -> Path:
    return project / CACHE_DIR_NAME / __version__ / "files"


def test_an_entry_naming_a_callable_runs_nothing(project, capsys):
    _project(project)
    expected = _run(capsys, ".")[:2]
    proof = project / "ran"
    command = {"__dataclass__": "dapr_lint.codemods:cst.codemod._cli.subprocess.Popen", "fields": {"args": ["sh", "-c", f"touch {proof}"]}}
    for entry in _entries(project).iterdir():
        data = json.loads(entry.read_text())
        data["summary"] = command
        entry.write_text(json.dumps(data))
    assert _run(capsys, ".")[:2] == expected
    time.sleep(0.2)
    assert not proof.exists()


@pytest.mark.parametrize(
    "shape",
    ["brackets", "path-of-a-list", "summary-path-of-a-list", "hashed-name-path-of-a-list", "dev-zero", "huge", "not-a-dict"],
)
def test_a_stray_entry_is_a_miss(project, capsys, shape):
    _project(project)
    expected = _run(capsys, ".")
    entries = sorted(_entries(project).iterdir())
    target = entries[0]
    data = json.loads(target.read_text())
    if shape == "brackets":
        target.write_text("[" * 100000)
    elif shape == "path-of-a-list":
        target.write_text(json.dumps({**data, "path": [1]}))
    elif shape == "summary-path-of-a-list":
        target.write_text(json.dumps({**data, "summary": {**data["summary"], "path": [1]}}))
    elif shape == "hashed-name-path-of-a-list":
        write(_entries(project), "h" + "0" * 64 + ".json", json.dumps({"format": 1, "path": [1]}))
    elif shape == "dev-zero":
        target.unlink()
        target.symlink_to("/dev/zero")
    elif shape == "huge":
        with open(target, "r+b") as handle:
            handle.truncate(1 << 30)  # sparse: 1 GB that takes no disk
    elif shape == "not-a-dict":
        target.write_text(json.dumps({**data, "diagnostics": {"a": 1}}))
    assert _run(capsys, ".")[:2] == expected[:2]
    assert _run(capsys, ".")[:2] == expected[:2]


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_entry_does_not_hang_the_run(project):
    _project(project)
    first = _subprocess(project, ".")
    for entry in (project / CACHE_DIR_NAME / __version__ / "files").iterdir():
        entry.unlink()
        os.mkfifo(entry)
    for folder in (project / CACHE_DIR_NAME / __version__ / "projects").iterdir():
        folder.unlink()
        os.mkfifo(folder)
    again = _subprocess(project, ".")
    assert (again.returncode, json.loads(again.stdout)) == (first.returncode, json.loads(first.stdout))


@pytest.mark.slow
def test_a_forged_rule_catalog_is_ignored(project, capsys):
    _project(project)
    expected = _run(capsys, ".")[:2]
    for catalog in (project / CACHE_DIR_NAME / __version__).glob("rules-*.json"):
        data = json.loads(catalog.read_text())
        data["rules"][0]["category"] = {"__dataclass__": "os:system"}
        catalog.write_text(json.dumps(data))
    result = _subprocess(project, ".")
    assert result.returncode == expected[0]
    assert sorted((f["path"], f["line"], f["code"]) for f in json.loads(result.stdout)) == expected[1]


def test_every_class_a_summary_holds_is_in_the_decoding_table():
    """A summary class missing from the table could never be cached (its entries would not encode): every class
    reachable from a summary's declared field types is in it."""
    import dataclasses
    import typing

    from dapr_lint import summaries

    table = summaries.json_classes()
    seen: set = set()
    stack: list = [summaries.ModuleSummary, summaries.ResourceSummary]
    while stack:
        hint = stack.pop()
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            if hint in seen:
                continue
            seen.add(hint)
            assert table.get(hint.__name__) is hint, hint
            stack.extend(typing.get_type_hints(hint).values())
        else:
            stack.extend(typing.get_args(hint))
    assert len(seen) > 10
