"""What dapr-lint prints can drive no terminal: file names, YAML values and Python strings a repository chose
are escaped in every format (the security review's reproductions replayed), and a run that checked nothing
never says "All checks passed."."""

from __future__ import annotations

import json
import os
import re
import sys
import textwrap

import pytest

from conftest import write

from dapr_lint.cli import main
from dapr_lint.diagnostics import Diagnostic
from dapr_lint.report import printable
from dapr_lint.report import text as text_report

# What a terminal acts on: C0 (but the newlines between lines), DEL, C1, bidi controls.
_ACTIVE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

OSC_NAME = "svc\x1b]0;pwned\x07.py"  # sets the terminal's title when printed raw
CLEAR_SCREEN_TYPE = "state.\x1b[2J\x1b[HAll checks passed.\x1b[8m"  # clears the screen, then lies

BLOCKING = textwrap.dedent(
    """\
    from dapr.clients import DaprClient


    async def handler(key: str):
        with DaprClient() as client:
            return client.get_state("statestore", key).data
    """
)

COMPONENT = textwrap.dedent(
    """\
    apiVersion: dapr.io/v1alpha1
    kind: Component
    metadata:
      name: statestore
    spec:
      type: "state.\\e[2J\\e[HAll checks passed.\\e[8m"
      version: v1
    """
)

FORMATS = ["text", "concise", "full", "json", "sarif", "github"]


def _strings(value) -> str:
    """Every string of decoded JSON, one a line: what a tool that reads the output holds."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, list):
        return "\n".join(_strings(v) for v in value)
    return ""


def _run(capsysbinary, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsysbinary.readouterr()
    return code, captured.out.decode("utf-8"), captured.err.decode("utf-8")


def test_printable_escapes_what_a_terminal_acts_on():
    assert printable("plain `name` é ü 名前") == "plain `name` é ü 名前"
    assert printable("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert printable("\x07\x00\r\n\t\x7f") == "\\x07\\x00\\x0d\\x0a\\x09\\x7f"
    assert printable("\x9b31m") == "\\x9b31m"  # the one-byte CSI of C1
    assert printable("abc\u202etxt.py\u2066\u2069") == "abc\\u202etxt.py\\u2066\\u2069"
    assert printable(os.fsdecode(b"caf\xe9.py")) == "caf\\xe9.py"  # the byte itself, never a lone surrogate
    for code in [*range(0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]:
        assert not _ACTIVE.search(printable(chr(code)))


@pytest.mark.skipif(sys.platform == "win32", reason="needs a file system that takes ESC and BEL in names")
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_file_name_with_an_osc_sequence_is_escaped_in_every_format(project, capsysbinary, fmt):
    write(project, OSC_NAME, BLOCKING)
    code, out, err = _run(capsysbinary, "check", ".", "--no-cache", "--output-format", fmt, "--color", "never")
    assert code == 1, err
    assert not _ACTIVE.search(out) and not _ACTIVE.search(err)
    if fmt == "json":
        assert {f["path"] for f in json.loads(out)} == {"svc\\x1b]0;pwned\\x07.py"}
        assert not any(_ACTIVE.search(f["message"]) for f in json.loads(out))
    elif fmt == "sarif":
        result = json.loads(out)["runs"][0]["results"][0]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "svc%1B%5D0%3Bpwned%07.py"
    else:
        assert "svc\\x1b]0;pwned\\x07.py" in out


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_component_type_that_clears_the_screen_is_escaped_in_every_format(project, capsysbinary, fmt):
    write(project, "components/statestore.yaml", COMPONENT)
    code, out, err = _run(capsysbinary, "check", ".", "--no-cache", "--output-format", fmt, "--color", "never")
    assert code == 1, err
    decoded = out
    if fmt in ("json", "sarif"):
        decoded = _strings(json.loads(out))
    assert "\x1b" not in decoded and not _ACTIVE.search(out)
    assert "state.\\x1b[2J\\x1b[HAll checks passed.\\x1b[8m" in decoded
    assert not any(line.startswith("All checks passed") for line in out.splitlines())


def test_colour_is_ours_only(project, capsysbinary):
    """With colour on, the only escape sequences are the ones the report adds (SGR), none from the input."""
    write(project, "components/statestore.yaml", COMPONENT)
    write(project, OSC_NAME, BLOCKING)
    _code, out, _err = _run(capsysbinary, "check", ".", "--no-cache", "--color", "always")
    assert "\x1b[" in out
    assert re.sub(r"\x1b\[[0-9;]*m", "", out).count("\x1b") == 0


def test_a_python_string_with_bidi_controls_is_escaped(project, capsysbinary):
    write(project, "components/statestore.yaml", COMPONENT.replace("state.\\e[2J\\e[HAll checks passed.\\e[8m", "state.redis"))
    write(
        project,
        "dapr.yaml",
        "version: 1\napps:\n  - appID: svc\n    appDirPath: .\n    command: [python, svc.py]\n    resourcesPath: ./components\n",
    )
    write(
        project,
        "svc.py",
        "from dapr.aio.clients import DaprClient\n\n\nasync def f():\n    async with DaprClient() as c:\n"
        '        await c.get_state("store\\u202e\\x1b[2J", "k")\n',
    )
    code, out, err = _run(capsysbinary, "check", ".", "--no-cache")
    assert code == 1, err
    assert "DPR601" in out and "store\\u202e\\x1b[2J" in out and not _ACTIVE.search(out)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a file system that takes ESC and BEL in names")
def test_warnings_and_apps_escape_names(project, capsysbinary):
    write(project, OSC_NAME, BLOCKING)
    os.mkfifo(project / "pipe\x1b[2J.py")
    code, out, err = _run(capsysbinary, "check", ".", "--no-cache")
    assert "pipe\\x1b[2J.py" in err and not _ACTIVE.search(err)
    for fmt in ("text", "json"):
        code, out, err = _run(capsysbinary, "apps", ".", "--format", fmt)
        assert code == 0, err
        assert "svc\\x1b]0;pwned\\x07.py" in (out if fmt == "text" else _strings(json.loads(out)))
        assert not _ACTIVE.search(out)


def test_the_only_named_file_unreadable_is_no_pass(project, capsys, monkeypatch):
    """As root every file is readable: simulate the refusal discovery sees."""
    write(project, "svc.py", BLOCKING)
    monkeypatch.setattr("dapr_lint.files.os.access", lambda path, mode: False)
    assert main(["check", "svc.py", "--no-cache"]) == 2
    captured = capsys.readouterr()
    assert "All checks passed" not in captured.out
    assert "1 file could not be checked" in captured.out
    assert "skipping svc.py: permission denied" in captured.err


def test_a_run_with_an_unread_or_failed_file_is_no_pass():
    assert "All checks passed" not in text_report.render([], colour=False, quiet=False, statistics=False, unchecked=1)
    assert "All checks passed" not in text_report.render([], colour=False, quiet=False, statistics=False, failed=True)
    assert text_report.render([], colour=False, quiet=False, statistics=False) == "All checks passed.\n"


def test_full_output_escapes_the_source_line_and_keeps_the_caret_under_the_finding():
    source = b'x = 1\n\x0c\x1cs = "\x1b[2J"; client.get_state("a", "b")\n'
    start = source.split(b"\n")[1].decode().index("client") + 1
    finding = Diagnostic("DPR101", "m", "svc.py", 2, start, 2, start + 6)
    out = text_report.render([finding], colour=False, quiet=True, statistics=False, full=True, sources={"svc.py": source})
    lines = out.splitlines()
    line = next(line for line in lines if line.startswith("2 | "))
    caret = lines[lines.index(line) + 1]
    assert not _ACTIVE.search(out)
    assert line[caret.index("^") :].startswith("client") and caret.count("^") == 6
