"""The command line: exit codes, output formats, the JSON contract, rules listing, errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import write

from dapr_lint import registry
from dapr_lint.cli import main

ALIASED_ASYNC_WITH = textwrap.dedent(
    """\
    from dapr.clients import DaprClient as DC


    async def handler(key: str):
        async with DC() as client:
            return client.get_state("statestore", key).data
    """
)

GOOD = textwrap.dedent(
    """\
    from dapr.aio.clients import DaprClient


    async def handler(key: str):
        async with DaprClient() as client:
            return (await client.get_state("statestore", key)).data
    """
)


def run_json(capsys, *args: str) -> tuple[int, list[dict]]:
    code = main([*args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_aliased_sync_client_in_async_with_is_dpr102_and_dpr101_in_text(project, capsys):
    write(project, "svc.py", ALIASED_ASYNC_WITH)
    code = main(["check", "svc.py"])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert "svc.py:5:16: DPR102 " in "\n".join(out)
    assert any(line.startswith("svc.py:5:16: DPR101 ") for line in out)
    # one finding per defect: the get_state call on the client built here is a related location, not a finding
    assert not any(line.startswith("svc.py:6:16: DPR101 ") for line in out)
    assert any(line.startswith("Found 2 problems (2 bugs).") for line in out)
    assert out[-1] == "(2 more fixable with `--fix --unsafe-fixes`.)"


def test_the_calls_on_a_client_built_in_the_function_are_related_locations(project, capsys):
    write(project, "svc.py", ALIASED_ASYNC_WITH)
    _code, findings = run_json(capsys, "check", "svc.py", "--select", "DPR101")
    (finding,) = findings
    assert (finding["line"], finding["column"]) == (5, 16)
    assert [(r["path"], r["line"], r["column"]) for r in finding["related"]] == [("svc.py", 6, 16)]
    assert "`get_state`" in finding["related"][0]["message"]
    assert "dapr.aio.clients.DaprClient" in finding["detail"]
    main(["check", "svc.py", "--select", "DPR101", "--output-format", "sarif"])
    (result,) = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    (related,) = result["relatedLocations"]
    assert related["physicalLocation"]["region"]["startLine"] == 6
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "svc.py"
    main(["check", "svc.py", "--select", "DPR101", "--output-format", "full"])
    full = capsys.readouterr().out
    assert "  = related: svc.py:6:16: `get_state` on this client blocks the event loop" in full
    assert "  = help: The constructor waits on a sidecar health check" in full


def test_json_contract(project, capsys):
    write(project, "svc.py", ALIASED_ASYNC_WITH)
    code, findings = run_json(capsys, "svc.py")
    assert code == 1
    keys = {
        "code", "name", "message", "path", "line", "column", "end_line", "end_column", "severity", "category", "fix",
        "detail", "related",
    }
    for finding in findings:
        assert set(finding) == keys
        assert finding["severity"] in ("error", "warning", "info")
        assert finding["category"] in ("bug", "practice", "opinion")
        assert finding["fix"] is None or set(finding["fix"]) == {"safety", "description"}
        assert finding["detail"] is None or isinstance(finding["detail"], str)
        assert all(set(r) == {"path", "line", "column", "end_line", "end_column", "message"} for r in finding["related"])
    dpr102 = next(f for f in findings if f["code"] == "DPR102")
    assert dpr102 == {
        **dpr102,
        "name": "wrong-context-manager",
        "path": "svc.py",
        "line": 5,
        "column": 16,
        "end_line": 5,
        "end_column": 20,  # `DC()` spans columns 16-19
        "severity": "error",
        "category": "bug",
    }
    assert dpr102["fix"] is None or dpr102["fix"]["safety"] in ("safe", "unsafe")


def test_clean_file_exits_zero(project, capsys):
    write(project, "svc.py", GOOD)
    assert main(["svc.py"]) == 0
    assert capsys.readouterr().out.strip() == "All checks passed."


def test_exit_zero_keeps_findings_but_exits_zero(project, capsys):
    write(project, "svc.py", ALIASED_ASYNC_WITH)
    assert main(["check", "--exit-zero", "svc.py"]) == 0
    assert "DPR102" in capsys.readouterr().out


def test_syntax_error_next_to_good_file(project, capsys):
    write(project, "broken.py", "from dapr.clients import DaprClient\ndef f(:\n    pass\n")
    write(project, "svc.py", ALIASED_ASYNC_WITH)
    code, findings = run_json(capsys, ".")
    assert code == 1
    broken = [f for f in findings if f["path"] == "broken.py"]
    assert [(f["code"], f["line"]) for f in broken] == [("DPR001", 2)]
    assert {f["code"] for f in findings if f["path"] == "svc.py"} == {"DPR101", "DPR102"}


def test_syntax_error_in_a_file_without_dapr_is_still_reported(project, capsys):
    write(project, "util.py", "x = (\n")
    code, findings = run_json(capsys, "util.py")
    assert code == 1 and [f["code"] for f in findings] == ["DPR001"]


def test_rule_crash_is_an_internal_error_and_other_results_survive(project, capsys, monkeypatch):
    from dapr_lint import catalog, registry  # noqa: F401  (catalog: the rules are registered before patching)

    def explode(model, report):
        raise KeyError("boom")
        yield  # pragma: no cover

    monkeypatch.setitem(registry.checks("python"), "DPR109", explode)
    write(project, "svc.py", ALIASED_ASYNC_WITH)
    code = main(["check", "--jobs", "1", "svc.py"])
    captured = capsys.readouterr()
    assert code == 2
    assert "DPR102" in captured.out  # the other rules' findings are still printed
    assert "internal error in rule DPR109 on svc.py: KeyError" in captured.err
    assert "Traceback" not in captured.err
    main(["check", "--jobs", "1", "--verbose", "svc.py"])
    assert "Traceback" in capsys.readouterr().err


def test_output_file(project, capsys):
    write(project, "svc.py", ALIASED_ASYNC_WITH)
    assert main(["check", "svc.py", "--format", "json", "--output-file", "out.json"]) == 1
    assert capsys.readouterr().out == ""
    assert {f["code"] for f in json.loads((project / "out.json").read_text())} == {"DPR101", "DPR102"}


def test_statistics_and_quiet(project, capsys):
    write(project, "svc.py", ALIASED_ASYNC_WITH)
    main(["check", "svc.py", "--statistics", "--quiet"])
    out = capsys.readouterr().out
    assert "    1  DPR101      sync-client-in-async" in out  # the client built here: one finding, its call related
    assert "Found" not in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["check", "--select", "DPR999"], "unknown rule code or prefix `DPR999`"),
        (["check", "missing-folder"], "no such file or directory: missing-folder"),
        (["check", "--format", "xml"], "invalid choice"),
        (["check", "--jobs", "0"], "--jobs must be at least 1"),
        (["rule", "DPR777"], "unknown rule `DPR777`"),
    ],
)
def test_usage_errors_exit_2_with_one_clear_line(project, capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_rules_lists_every_code_with_category_and_default(capsys):
    assert main(["rules", "--format", "json"]) == 0
    listed = {r["code"]: r for r in json.loads(capsys.readouterr().out)}
    assert set(listed) == set(registry.codes())
    assert {"DPR001", *(f"DPR10{i}" for i in range(1, 10))} <= set(listed)
    assert listed["DPR107"]["category"] == "opinion" and listed["DPR107"]["default"] == "off"
    assert listed["DPR106"]["category"] == "practice" and listed["DPR106"]["default"] == "on"
    assert listed["DPR101"]["fix"] == "unsafe" and listed["DPR104"]["fix"] == "safe"
    assert main(["rules"]) == 0
    text = capsys.readouterr().out
    assert "DPR101  sync-client-in-async" in text


def test_rule_prints_documentation_by_code_or_name(capsys):
    assert main(["rule", "DPR102"]) == 0
    by_code = capsys.readouterr().out
    assert by_code.startswith("# DPR102")
    assert "## What it does" in by_code
    assert main(["rule", "wrong-context-manager"]) == 0
    assert capsys.readouterr().out == by_code


def test_every_listed_rule_has_a_docs_page():
    docs = Path(__file__).resolve().parents[1] / "docs" / "rules"
    missing = [code for code in registry.codes() if not (docs / f"{code}.md").is_file()]
    assert not missing, f"rules without docs/rules page: {missing}"


@pytest.mark.slow
def test_module_entry_point_and_shorthand(project):
    write(project, "svc.py", ALIASED_ASYNC_WITH)
    result = subprocess.run(
        [sys.executable, "-m", "dapr_lint", "svc.py", "--select", "DPR102"], capture_output=True, text=True
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[0].startswith("svc.py:5:16: DPR102")
    version = subprocess.run([sys.executable, "-m", "dapr_lint", "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("dapr-lint ")


@pytest.mark.slow
def test_the_command_ends_at_once_with_all_its_output(project, capsys):
    # the command exits without the interpreter's teardown (cli.console): the report, larger than a pipe's
    # buffer, still arrives whole, with the exit status, and says what main() says in-process
    for index in range(80):
        write(project, f"pkg/m{index}.py", ALIASED_ASYNC_WITH)
    command = [sys.executable, "-m", "dapr_lint", "check", "pkg", "--no-cache", "--output-format", "full"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert len(result.stdout) > 65536 and result.stderr == ""
    assert main(["check", "pkg", "--no-cache", "--output-format", "full"]) == 1
    assert capsys.readouterr().out == result.stdout


def test_no_colour_when_not_a_terminal(project, capsys):
    write(project, "svc.py", ALIASED_ASYNC_WITH)
    main(["svc.py"])
    assert "\x1b[" not in capsys.readouterr().out


@pytest.mark.pool
def test_parallel_run_matches_serial_run(project, capsys):
    for index in range(30):
        write(project, f"pkg/m{index}.py", ALIASED_ASYNC_WITH if index % 3 == 0 else GOOD)
    _, serial = run_json(capsys, "pkg", "--jobs", "1")
    _, parallel = run_json(capsys, "pkg", "--jobs", "2")
    assert serial == parallel
    assert len(serial) == 10 * 2  # per aliased file: DPR102 and one DPR101 (its call is a related location)


@pytest.mark.slow
def test_a_reader_that_goes_away_is_no_internal_error():
    # `dapr-lint rules | head -1`: the reader has gone before dapr-lint writes. The pipe's read end is closed
    # before the process starts, so every write fails, whatever the timing.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "dapr_lint", "rules"], stdout=write_end, stderr=subprocess.PIPE, timeout=60
        )
    finally:
        os.close(write_end)
    stderr = done.stderr.decode()
    assert done.returncode == 141, stderr
    assert "internal error" not in stderr and "Traceback" not in stderr


def test_detail_and_related_locations_survive_the_cache(project, capsys):
    write(project, "svc.py", ALIASED_ASYNC_WITH)
    _code, first = run_json(capsys, "check", "svc.py", "--select", "DPR101")
    _code, cached = run_json(capsys, "check", "svc.py", "--select", "DPR101")  # served from the result cache
    assert first == cached and first[0]["related"] and first[0]["detail"]
