"""What the user documentation promises, checked against the product: the commands it shows run, the behaviour it
describes holds, and it speaks only of what users have."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import write

from dapr_lint.cli import main

ROOT = Path(__file__).resolve().parents[1]
USER_DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def test_user_docs_name_nothing_users_do_not_have():
    # the project's internal notes (its spec, the fact sheets) are not shipped: a user cannot look them up
    internal = re.compile(r"\b(sdk-facts|yaml-facts|models-facts|sdk-versions|RULES\.md|ARCHITECTURE\.md)\b|\bthe brief\b|\bbrief's\b", re.IGNORECASE)
    found = [
        f"{page.relative_to(ROOT)}:{number}: {line.strip()}"
        for page in USER_DOCS
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1)
        if internal.search(line)
    ]
    assert not found, found


@pytest.mark.slow
def test_the_codemod_commands_of_the_docs_run_as_written(tmp_path):
    page = (ROOT / "docs" / "codemods.md").read_text(encoding="utf-8")
    commands = [
        shlex.split(line.split("#", 1)[0])
        for line in page.splitlines()
        if line.startswith("python -m libcst.tool codemod")
    ]
    assert len(commands) == 3
    source = textwrap.dedent(
        """\
        from dapr.aio.clients import DaprClient


        async def save(client: DaprClient) -> None:
            client.save_state("statestore", "k", "v")
        """
    )
    for command in (commands[0], commands[2]):  # the safe ones: FixDPR104 and FixAll
        folder = tmp_path / command[4].rsplit(".", 1)[-1]
        write(folder, "src/svc.py", source)
        args = [sys.executable if part == "python" else part for part in command]
        done = subprocess.run(args, cwd=folder, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, done.stderr
        assert "await client.save_state(" in (folder / "src" / "svc.py").read_text(encoding="utf-8")


def test_statistics_prints_only_the_counts_as_the_docs_say(project, capsys):
    (row,) = [line for line in (ROOT / "docs" / "index.md").read_text(encoding="utf-8").splitlines() if line.startswith("| `--statistics`")]
    assert "instead of the findings" in row.lower()
    write(project, "svc.py", "from dapr.clients import DaprClient\n\n\nasync def h():\n    DaprClient()\n")
    assert main(["check", "svc.py", "--statistics", "--no-cache"]) == 1
    out = capsys.readouterr().out
    assert "DPR101" in out and "svc.py:" not in out


def test_config_discovery_is_what_docs_config_says(project, capsys):
    """Nearest configuration walking up from each file; `dapr-lint.toml` wins in its folder; a pyproject.toml without
    the table is passed over; two folders get their own settings in one run."""
    text = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    assert "walking up from the file's own folder" in text and "is passed over" in text
    blocking = "from dapr.clients import DaprClient\n\n\nasync def h():\n    DaprClient()\n"
    write(project, "pyproject.toml", '[tool.dapr-lint]\nignore = ["DPR101"]\n')
    write(project, "a/svc.py", blocking)  # the root's table: DPR101 ignored
    write(project, "b/pyproject.toml", "[project]\nname = 'b'\n")  # no table: passed over, the root's applies
    write(project, "b/svc.py", blocking)
    write(project, "c/dapr-lint.toml", "select = ['DPR101']\n")
    write(project, "c/pyproject.toml", '[tool.dapr-lint]\nignore = ["DPR101"]\n')  # the dedicated file wins
    write(project, "c/svc.py", blocking)
    main(["check", ".", "--no-cache"])
    out = capsys.readouterr().out
    assert "c/svc.py:5:5: DPR101" in out
    assert "a/svc.py" not in out and "b/svc.py" not in out


def test_the_server_names_only_installable_packages():
    from dapr_lint import server

    # dapr-lint has no PyPI release: `pip install dapr-lint[...]` would fail, the libraries' names do not
    assert "pip install pygls lsprotocol" in server._MISSING
    assert "pip install 'dapr-lint" not in server._MISSING and 'pip install "dapr-lint' not in server._MISSING


def test_the_usage_example_shows_messages_the_product_prints(project, capsys):
    page = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    shown = {line.split(": ", 1)[1] for line in page.splitlines() if line.startswith("src/orders/api.py:")}
    assert len(shown) == 2
    write(
        project,
        "api.py",
        "from dapr.clients import DaprClient\n\n\nasync def read(key: str):\n"
        "    async with DaprClient() as client:\n        return await client.get_state('statestore', key)\n",
    )
    main(["check", "api.py", "--select", "DPR102,DPR103", "--no-cache"])
    printed = {line.split(": ", 1)[1] for line in capsys.readouterr().out.splitlines() if line.startswith("api.py:")}
    assert shown <= printed, (shown, printed)
