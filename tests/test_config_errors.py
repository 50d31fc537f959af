"""Bad configuration is an error naming the file and the key (exit 2); globs match in linear time; every
output format takes any file name and any terminal encoding."""

from __future__ import annotations

import io
import json
import os
import sys

import pytest

from dapr_lint.cli import main
from dapr_lint.config import glob_match

VIOLATION = "from dapr.clients import DaprClient\n\n\nasync def handler():\n    DaprClient().get_state('s', 'k')\n"


@pytest.mark.parametrize(
    "toml, message",
    [
        ("tool = 1\n", "pyproject.toml: `tool` must be a table, got 1"),
        ("[tool]\ndapr-lint = 1\n", "[tool.dapr-lint] in {path}: expected a table, got 1"),
        ('[tool.dapr-lint]\nextend-exclude = ["gen[z-a]"]\n', "`extend-exclude`: invalid glob `gen[z-a]`: a reversed range `z-a`"),
        ('[tool.dapr-lint]\nexclude = ["x/[9-0]/y"]\n', "`exclude`: invalid glob `x/[9-0]/y`"),
        ('[tool.dapr-lint.per-file-ignores]\n"a[b-a].py" = ["DPR1"]\n', "`per-file-ignores.a[b-a].py`: invalid glob"),
        ('[tool.dapr-lint]\ntest-paths = ["t[9-0]"]\n', "`test-paths`: invalid glob"),
        ('[tool.dapr-lint]\nignore = [""]\n', "`ignore`: an empty rule code"),
        ('[tool.dapr-lint]\nselect = ["DPR1", " "]\n', "`select`: an empty rule code"),
        ("[tool.dapr-lint]\nper-file-timeout = 0\n", "`per-file-timeout` must be a number of seconds greater than 0"),
        ('[tool.dapr-lint]\nper-file-timeout = "5"\n', "`per-file-timeout` must be a number of seconds"),
    ],
)
def test_bad_configuration_names_file_and_key(project, capsys, toml, message):
    (project / "pyproject.toml").write_text(toml)
    (project / "app.py").write_text(VIOLATION)
    assert main(["check", "."]) == 2
    err = capsys.readouterr().err
    assert message.format(path=project / "pyproject.toml") in err
    assert str(project / "pyproject.toml") in err
    assert len(err.strip().splitlines()) == 1 and "internal error" not in err


@pytest.mark.parametrize("argv, message", [(["--exclude", "a[b-a]"], "`--exclude`: invalid glob"), (["--ignore", ","], None)])
def test_bad_globs_and_codes_on_the_command_line(project, capsys, argv, message):
    (project / "app.py").write_text(VIOLATION)
    code = main(["check", ".", *argv])
    err = capsys.readouterr().err
    if message is None:
        assert code == 1  # `,` alone names no code: nothing is ignored (not everything)
    else:
        assert code == 2 and message in err


def test_globs_keep_their_meaning():
    assert glob_match("venv", "a/venv/lib.py")
    assert glob_match("*_pb2.py", "x/y/a_pb2.py")
    assert glob_match("tests/fixtures", "tests/fixtures/a/b.py")
    assert not glob_match("tests/fixtures", "src/tests/fixtures/a.py")
    assert glob_match("src/**/gen_*.py", "src/gen_a.py") and glob_match("src/**/gen_*.py", "src/a/b/gen_a.py")
    assert not glob_match("src/*.py", "src/a/b.py")
    assert glob_match("a/**", "a/b") and not glob_match("a/**", "a")
    assert glob_match("./build/", "build/x.py")
    assert glob_match("file[0-9].py", "file7.py") and not glob_match("file[!0-9].py", "file7.py")


def test_globs_match_in_linear_time():
    """A glob of many `*` against a long path that does not match: the old regular expression backtracked
    for seconds per path. Measured as a ratio against one star, not in seconds."""
    import time

    path = "a/" + "a" * 400 + "/" + "b" * 400

    def cost(pattern: str) -> float:
        start = time.perf_counter()
        for _ in range(20):
            assert not glob_match(pattern, path)
        return time.perf_counter() - start

    one = cost("*x")
    many = cost("*" + "a*" * 30 + "x")
    anchored = cost("a/" + "*a" * 30 + "*x")
    assert many < one * 200 and anchored < one * 200


# -- output: any file name, any terminal ------------------------------------------------------------------

needs_bytes_names = pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="needs a file system that takes any bytes")


@needs_bytes_names
@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "full"])
def test_every_format_takes_a_file_name_that_is_not_utf8(project, capsysbinary, fmt):
    (project / os.fsdecode(b"caf\xe9.py")).write_text(VIOLATION)
    (project / "é.py").write_text(VIOLATION)
    code = main(["check", ".", "--format", fmt, "--no-cache"])
    captured = capsysbinary.readouterr()
    assert code == 1, captured.err
    assert b"internal error" not in captured.err
    # every format writes valid UTF-8: the byte that is not is shown escaped (`\xe9`), never raw nor a surrogate
    captured.out.decode("utf-8")
    if fmt in ("text", "full", "github"):
        assert b"caf\\xe9.py" in captured.out and "é.py".encode() in captured.out
    if fmt == "json":
        assert {f["path"] for f in json.loads(captured.out)} == {"caf\\xe9.py", "é.py"}
    if fmt == "sarif":
        results = json.loads(captured.out)["runs"][0]["results"]
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
        assert uris == {"caf%E9.py", "%C3%A9.py"}


class _AsciiTerminal(io.TextIOWrapper):
    def __init__(self) -> None:
        super().__init__(io.BytesIO(), encoding="ascii", errors="strict")

    def isatty(self) -> bool:
        return True


@needs_bytes_names
def test_text_to_an_ascii_terminal_with_non_ascii_names(project, capsys, monkeypatch):
    (project / "é.py").write_text(VIOLATION)
    (project / os.fsdecode(b"caf\xe9.py")).write_text(VIOLATION)
    terminal, errors = _AsciiTerminal(), _AsciiTerminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    monkeypatch.setattr(sys, "stderr", errors)
    monkeypatch.setenv("NO_COLOR", "1")
    assert main(["check", ".", "--no-cache"]) == 1
    terminal.flush()
    out = terminal.buffer.getvalue().decode("ascii")
    assert "\\xe9.py:5:5: DPR101" in out and "caf\\xe9.py:5:5: DPR101" in out
