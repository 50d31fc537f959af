"""Discovery: .gitignore read without git (no repository command ever runs), and odd file systems."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from dapr_lint import reading
from dapr_lint.cli import main

VIOLATION = "from dapr.clients import DaprClient\n\n\nasync def handler():\n    DaprClient().get_state('s', 'k')\n"
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="builds a repository with git")


def write(root, name, text=VIOLATION):
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def paths_found(capsys, *argv):
    code = main(["check", *argv, "--format", "json", "--select", "DPR101"])
    captured = capsys.readouterr()
    return code, sorted({f["path"] for f in json.loads(captured.out)}), captured.err


@needs_git
def test_a_repository_configured_command_never_runs(project, capsys, tmp_path_factory):
    marker = tmp_path_factory.mktemp("outside") / "MARKER"
    subprocess.run(["git", "init", "-q"], check=True, capture_output=True)
    subprocess.run(["git", "config", "core.fsmonitor", f"touch {marker}; false"], check=True)
    with open(".git/config", "a", encoding="utf-8") as handle:  # and every other hook-like setting we know
        handle.write(f'[core]\n\thooksPath = hooks\n[alias]\n\tls-files = !touch {marker}\n')
    write(project, ".gitignore", "ignored/\n")
    write(project, "ignored/app.py")
    write(project, "app.py")
    code, found, _ = paths_found(capsys, ".")
    assert found == ["app.py"]  # .gitignore still honoured
    assert not marker.exists()


def test_gitignore_without_a_git_program(project, capsys, monkeypatch):
    """.gitignore is read by dapr-lint itself: it holds with no git on PATH (and a checkout owned by another user)."""
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q"], check=True, capture_output=True)
    else:
        (project / ".git" / "info").mkdir(parents=True)
    (project / ".git" / "info" / "exclude").write_text("local_only.py\n")
    write(project, ".gitignore", "*.gen.py\n!keep.gen.py\nbuild_out/\n")
    write(project, "svc/.gitignore", "secret/\n*.py\n!/svc_keep.py\n")  # nested, anchored, negation
    write(project, "a.gen.py")
    write(project, "keep.gen.py")
    write(project, "local_only.py")
    write(project, "build_out/app.py")
    write(project, "svc/secret/app.py")
    write(project, "svc/other.py")
    write(project, "svc/svc_keep.py")
    write(project, "app.py")
    expected = ["app.py", "keep.gen.py", "svc/svc_keep.py"]
    if shutil.which("git"):  # the same answer as git's own
        listed = subprocess.run(
            ["git", "ls-files", "--others", "--exclude-standard"], capture_output=True, text=True, check=True
        ).stdout.split()
        assert sorted(p for p in listed if p.endswith(".py")) == expected
    monkeypatch.setenv("PATH", "")
    code, found, _ = paths_found(capsys, ".")
    assert found == expected
    # linting a sub-folder applies the .gitignore files above it
    code, found, _ = paths_found(capsys, "svc")
    assert found == ["svc/svc_keep.py"]


def test_gitignore_in_a_linked_work_tree(project, capsys):
    """A `.git` file (a linked work tree, a submodule) leads to the repository's info/exclude."""
    repo = project / "repo.git"
    (repo / "worktrees" / "wt").mkdir(parents=True)
    (repo / "info").mkdir()
    (repo / "info" / "exclude").write_text("excluded.py\n")
    (repo / "worktrees" / "wt" / "commondir").write_text("../..\n")
    tree = project / "wt"
    tree.mkdir()
    (tree / ".git").write_text(f"gitdir: {repo / 'worktrees' / 'wt'}\n")
    write(tree, "excluded.py")
    write(tree, "kept.py")
    code, found, _ = paths_found(capsys, "wt")
    assert found == ["wt/kept.py"]


def test_gitignore_is_not_applied_outside_a_work_tree(project, capsys):
    write(project, ".gitignore", "app.py\n")
    write(project, "app.py")
    assert paths_found(capsys, ".")[1] == ["app.py"]


# -- odd file systems ---------------------------------------------------------------------------------------


def test_odd_entries_are_skipped_with_one_warning_each_and_never_opened(project, capsys, tmp_path_factory):
    shared = tmp_path_factory.mktemp("shared")
    write(shared, "util.py")
    proj = project / "svc"
    write(proj, "app.py")
    (proj / "util.py").symlink_to(shared / "util.py")  # a module shared between services
    (proj / "broken.py").symlink_to(proj / "nowhere.py")
    (proj / "loop.py").symlink_to(proj / "loop.py")
    (proj / "zero.py").symlink_to("/dev/zero")
    (proj / "random.yaml").symlink_to("/dev/urandom")
    (proj / "up").symlink_to(project)  # a folder link (a loop through the parent): not followed
    os.mkfifo(proj / "fifo.py")  # opening it for reading would block forever
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(proj / "sock.py"))
        code, found, err = paths_found(capsys, "svc")
    finally:
        server.close()
    assert code == 1
    assert found == ["svc/app.py", "svc/util.py"]  # the link is reported under its own path
    warnings = sorted(line for line in err.splitlines() if "warning" in line)
    assert warnings == [
        "dapr-lint: warning: skipping svc/broken.py: broken symbolic link",
        "dapr-lint: warning: skipping svc/fifo.py: a FIFO, not a regular file",
        "dapr-lint: warning: skipping svc/loop.py: symbolic link loop",
        "dapr-lint: warning: skipping svc/random.yaml: a device, not a regular file",
        "dapr-lint: warning: skipping svc/sock.py: a socket, not a regular file",
        "dapr-lint: warning: skipping svc/zero.py: a device, not a regular file",
    ]


def test_a_fifo_named_alone_is_an_error_not_a_hang(project, capsys):
    os.mkfifo(project / "hook.py")
    assert main(["check", "hook.py"]) == 2
    assert "nothing to check: hook.py is a FIFO, not a regular file" in capsys.readouterr().err


def _deny(monkeypatch, denied):
    """Permission denied on some paths: simulated, since the tests may run as root (who reads anything)."""
    real_access, real_scandir = os.access, os.scandir

    def access(path, mode, *args, **kwargs):
        if os.path.basename(os.fspath(path)) in denied:
            return False
        return real_access(path, mode, *args, **kwargs)

    def scandir(path="."):
        if os.path.basename(os.fspath(path)) in denied:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(os, "scandir", scandir)


def test_unreadable_files_and_folders_are_warnings_naming_them(project, capsys, monkeypatch):
    write(project, "app.py")
    write(project, "secret.py")
    write(project, "locked/inner.py")
    _deny(monkeypatch, {"secret.py", "locked"})
    code, found, err = paths_found(capsys, ".")
    assert code == 1 and found == ["app.py"]
    assert "dapr-lint: warning: skipping secret.py: permission denied" in err
    assert "dapr-lint: warning: skipping folder locked: Permission denied" in err


def test_nothing_readable_is_exit_2(project, capsys, monkeypatch):
    write(project, "secret.py")
    _deny(monkeypatch, {"secret.py"})
    code, found, err = paths_found(capsys, ".")
    assert code == 2 and found == []
    assert "secret.py: permission denied" in err


def test_an_unreadable_or_undecodable_configuration_is_an_error_naming_it(project, capsys, monkeypatch):
    write(project, "app.py")
    (project / "pyproject.toml").write_bytes(b"[tool.dapr-lint]\n# caf\xe9\n")
    assert main(["check", "."]) == 2
    assert f"{project / 'pyproject.toml'}: not valid UTF-8 (byte 23, line 2)" in capsys.readouterr().err
    (project / "pyproject.toml").write_text("[tool.dapr-lint]\n")
    real_read = reading.read_bytes

    def deny(path, *args, **kwargs):  # as root, a file mode cannot deny: the one reader is told to
        if Path(path).name == "pyproject.toml":
            raise PermissionError(13, "Permission denied")
        return real_read(path, *args, **kwargs)

    monkeypatch.setattr(reading, "read_bytes", deny)
    assert main(["check", "."]) == 2
    assert f"{project / 'pyproject.toml'}: cannot read: Permission denied" in capsys.readouterr().err
