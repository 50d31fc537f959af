"""Discovery: .gitignore read without git (no repository command ever runs), and odd file systems."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

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
