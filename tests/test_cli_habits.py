"""Where developers meet the linter: standard input, files pre-commit names, each file's nearest
configuration, and ruff's command-line habits (same option names, same meanings)."""

from __future__ import annotations

import io
import json
import textwrap

import pytest

from conftest import write

from dapr_lint.cli import main

BUGGY = textwrap.dedent(
    """\
    from dapr.clients import DaprClient as DC


    async def handler(key: str):
        async with DC() as client:
            return client.get_state("statestore", key).data
    """
)

UNAWAITED = textwrap.dedent(
    """\
    from dapr.aio.clients import DaprClient


    async def handler(key: str):
        async with DaprClient() as client:
            client.save_state("statestore", key, "v")
    """
)


class _Stdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def _json(capsys) -> list[dict]:
    return json.loads(capsys.readouterr().out)


def _findings(capsys, *argv: str) -> tuple[int, list[tuple]]:
    code = main([*argv, "--output-format", "json"])
    return code, [(f["path"], f["line"], f["column"], f["code"]) for f in _json(capsys)]


# -- standard input ---------------------------------------------------------------------------------


def test_stdin_with_filename_reports_like_the_file(project, capsys, monkeypatch):
    write(project, "svc/pyproject.toml", '[tool.dapr-lint]\nper-file-ignores = { "app.py" = ["DPR102"] }\n')
    write(project, "svc/app.py", BUGGY)
    on_disk = _findings(capsys, "check", "svc/app.py")
    monkeypatch.setattr("sys.stdin", _Stdin(BUGGY.encode()))
    from_stdin = _findings(capsys, "check", "--stdin-filename", "svc/app.py", "-")
    assert from_stdin == on_disk
    assert on_disk[0] == 1 and {f[3] for f in on_disk[1]} == {"DPR101"}  # its per-file-ignores applied
    assert all(f[0] == "svc/app.py" for f in on_disk[1])


def test_stdin_sees_the_other_modules_of_its_app_as_check_does(project, capsys, monkeypatch):
    write(project, "pyproject.toml", "[tool.dapr-lint]\n")
    # the app configures its logging in a module of its own (DPR415 looks at the whole app too)
    write(project, "logs.py", "import logging\n\nlogging.basicConfig(level=logging.INFO)\n")
    app = (
        "import logs\nfrom dapr.clients import DaprClient\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        "@app.get('/ready')\ndef ready():\n    with DaprClient() as client:\n        return {}\n"
    )
    write(project, "app.py", app)
    write(project, "routes.py", "from app import app\n\n\n@app.get('/health')\ndef health():\n    return {}\n")
    on_disk = _findings(capsys, "check", "--select", "DPR401", "app.py")
    assert on_disk == (0, [])  # the health route is in another module of the app
    monkeypatch.setattr("sys.stdin", _Stdin(app.encode()))
    assert _findings(capsys, "check", "--select", "DPR401", "--stdin-filename", "app.py", "-") == on_disk
    write(project, "routes.py", "from app import app\n")
    monkeypatch.setattr("sys.stdin", _Stdin(app.encode()))
    assert {code for *_rest, code in _findings(capsys, "check", "--select", "DPR401", "--stdin-filename", "app.py", "-")[1]} == {"DPR401"}


def test_stdin_alone_is_a_python_file_named_stdin(project, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", _Stdin(BUGGY.encode()))
    code = main(["check", "-"])
    out = capsys.readouterr().out
    assert code == 1
    assert out.startswith("<stdin>.py:5:16: DPR101 ")


def test_stdin_with_fix_prints_the_fixed_source(project, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", _Stdin(UNAWAITED.encode()))
    code = main(["check", "--fix", "-"])
    captured = capsys.readouterr()
    assert "await client.save_state(" in captured.out
    assert captured.out.startswith("from dapr.aio.clients import DaprClient")
    assert "Fixed 1 finding." in captured.err
    assert code == 0
    assert not list(project.iterdir())  # nothing written


def test_stdin_cannot_be_mixed_with_paths(project, capsys):
    write(project, "a.py", "x = 1\n")
    assert main(["check", "-", "a.py"]) == 2
    assert "cannot be combined" in capsys.readouterr().err


# -- files pre-commit names ---------------------------------------------------------------------------


def test_extensionless_python_script_is_linted(project, capsys):
    script = write(project, "run-worker", "#!/usr/bin/env python3\n" + BUGGY)
    script.chmod(0o755)
    code, found = _findings(capsys, "check", "run-worker")
    assert code == 1
    assert ("run-worker", 6, 16, "DPR101") in found


def test_extensionless_file_without_python_shebang_is_skipped_with_a_warning(project, capsys):
    write(project, "run.sh", "#!/bin/sh\necho hi\n")
    write(project, "ok.py", "x = 1\n")
    assert main(["check", "run.sh", "ok.py"]) == 0
    assert "skipping run.sh" in capsys.readouterr().err


def test_only_argument_that_cannot_be_linted_is_a_usage_error(project, capsys):
    write(project, "notes.txt", "hello\n")
    assert main(["check", "notes.txt"]) == 2
    err = capsys.readouterr().err
    assert "dapr-lint: nothing to check: notes.txt is not a Python or YAML file" in err
    assert "All checks passed" not in err


# -- each file's nearest configuration --------------------------------------------------------------


@pytest.mark.parametrize("order", [("a/svc.py", "b/svc.py"), ("b/svc.py", "a/svc.py")])
def test_two_folders_get_their_own_configuration_in_either_order(project, capsys, order):
    write(project, "a/pyproject.toml", '[tool.dapr-lint]\nignore = ["DPR101"]\n')
    write(project, "b/dapr-lint.toml", 'ignore = ["DPR102"]\n')
    write(project, "a/svc.py", BUGGY)
    write(project, "b/svc.py", BUGGY)
    _code, found = _findings(capsys, "check", *order)
    assert {(p, c) for p, _l, _c, c in found} == {("a/svc.py", "DPR102"), ("b/svc.py", "DPR101")}


def test_folder_argument_uses_nested_configurations(project, capsys):
    write(project, "pyproject.toml", '[tool.dapr-lint]\nignore = ["DPR102"]\n')
    write(project, "sub/pyproject.toml", '[tool.dapr-lint]\nignore = ["DPR101"]\nextend-exclude = ["gen"]\n')
    write(project, "top.py", BUGGY)
    write(project, "sub/svc.py", BUGGY)
    write(project, "sub/gen/out.py", BUGGY)
    _code, found = _findings(capsys, "check", ".")
    assert {(p, c) for p, _l, _c, c in found} == {("top.py", "DPR101"), ("sub/svc.py", "DPR102")}


def test_config_file_overrides_every_nearest_configuration(project, capsys):
    write(project, "a/pyproject.toml", '[tool.dapr-lint]\nignore = ["DPR101"]\n')
    write(project, "a/svc.py", BUGGY)
    write(project, "strict.toml", 'ignore = ["DPR102"]\n')
    _code, found = _findings(capsys, "check", "--config", "strict.toml", "a/svc.py")
    assert {c for *_rest, c in found} == {"DPR101"}


def test_config_key_value_overrides_the_file(project, capsys):
    write(project, "pyproject.toml", '[tool.dapr-lint]\nignore = ["DPR101"]\n')
    write(project, "svc.py", BUGGY)
    _code, found = _findings(capsys, "check", "--config", 'ignore = ["DPR102"]', "svc.py")
    assert {c for *_rest, c in found} == {"DPR101"}
    assert main(["check", "--config", "ignore = [", "svc.py"]) == 2
    assert "is neither a file nor a TOML `KEY = VALUE` pair" in capsys.readouterr().err
    assert main(["check", "--config", "colour = true", "svc.py"]) == 2
    assert "--config `colour = true`: unknown key `colour`" in capsys.readouterr().err


def test_show_settings_prints_the_settings_of_one_file(project, capsys):
    write(project, "a/pyproject.toml", '[tool.dapr-lint]\nignore = ["DPR101"]\nhealth-routes = ["/alive"]\n')
    write(project, "a/svc.py", BUGGY)
    assert main(["check", "--show-settings", "a/svc.py"]) == 0
    out = capsys.readouterr().out
    assert f"# configuration: {(project / 'a' / 'pyproject.toml').resolve()}" in out
    assert 'health-routes = ["/alive"]' in out
    assert '"DPR101"' not in out.split("enabled = ")[1].splitlines()[0]
    assert '"DPR102"' in out


# -- ruff's habits ------------------------------------------------------------------------------------


def test_output_format_and_its_alias(project, capsys):
    write(project, "svc.py", BUGGY)
    main(["check", "svc.py", "--output-format", "concise"])
    concise = capsys.readouterr().out
    main(["check", "svc.py", "--format", "text"])
    assert capsys.readouterr().out == concise
    main(["check", "svc.py", "--output-format", "full"])
    full = capsys.readouterr().out
    assert "5 |     async with DC() as client:\n  |                ^^^^\n" in full
    assert "= unsafe fix: " in full


def test_short_output_file_option(project, capsys):
    write(project, "svc.py", BUGGY)
    assert main(["check", "svc.py", "--output-format", "json", "-o", "out.json"]) == 1
    assert capsys.readouterr().out == ""
    assert {f["code"] for f in json.loads((project / "out.json").read_text())} == {"DPR101", "DPR102"}


def test_statistics_prints_only_its_table(project, capsys):
    write(project, "svc.py", BUGGY)
    assert main(["check", "svc.py", "--statistics"]) == 1
    assert capsys.readouterr().out == "    2  DPR101      sync-client-in-async\n    1  DPR102      wrong-context-manager\n"
    main(["check", "svc.py", "--statistics", "--output-format", "json"])
    assert _json(capsys)[0] == {"code": "DPR101", "name": "sync-client-in-async", "count": 2, "fixable": False}


def test_fix_only_and_exit_non_zero_on_fix(project, capsys):
    svc = write(project, "svc.py", UNAWAITED + "\n\ndef later():\n    import sys\n    sys.exit(0)\n")
    write(project, "left.py", BUGGY)
    assert main(["check", "--fix-only", "svc.py", "left.py"]) == 0
    out = capsys.readouterr().out
    assert "DPR10" not in out and "Fixed 1 finding." in out
    assert "await client.save_state(" in svc.read_text()
    write(project, "svc.py", UNAWAITED)
    assert main(["check", "--fix", "--exit-non-zero-on-fix", "svc.py"]) == 1
    assert main(["check", "--fix", "--exit-non-zero-on-fix", "svc.py"]) == 0  # nothing left to fix


def test_exclude_and_extend_exclude_on_the_command_line(project, capsys):
    write(project, "pyproject.toml", '[tool.dapr-lint]\nextend-exclude = ["legacy"]\n')
    write(project, "legacy/old.py", BUGGY)
    write(project, "gen/out.py", BUGGY)
    write(project, "build/lib.py", BUGGY)
    write(project, "svc.py", BUGGY)
    _code, found = _findings(capsys, "check", ".", "--extend-exclude", "gen")
    assert {p for p, *_ in found} == {"svc.py"}
    # --exclude replaces `exclude` (the defaults, build among them); the file's extend-exclude still holds
    _code, found = _findings(capsys, "check", ".", "--exclude", "gen")
    assert {p for p, *_ in found} == {"svc.py", "build/lib.py"}


def test_add_noqa_silences_every_finding_and_keeps_the_program(project, capsys):
    source = BUGGY.replace(
        "    async with DC() as client:\n",
        "    async with DC() as client:  # noqa: DPR999\n",
    ) + 'TEXT = """\nasync with DC()\n"""\n'
    svc = write(project, "svc.py", source)
    assert main(["check", "--add-noqa", "svc.py"]) == 0
    assert "Added 2 noqa directives." in capsys.readouterr().err
    text = svc.read_text()
    assert "    async with DC() as client:  # noqa: DPR999, DPR101, DPR102\n" in text
    assert "        return client.get_state(\"statestore\", key).data  # noqa: DPR101\n" in text
    assert main(["check", "svc.py"]) == 0
