"""The text report shows each finding's category and counts them; `--fail-on`/`fail-on` decide which categories
fail the run; list options accumulate; `--fix-only` and `--statistics` say what is fixable and what is left."""

from __future__ import annotations

import json
import re
import sys
import textwrap

import pytest

from conftest import write

from dapr_lint.cli import main

# One practice finding (DPR301: a client call in a route with no `try`) and one opinion finding (DPR412, when
# selected): nothing that raises.
SERVICE = textwrap.dedent(
    """\
    import logging

    from dapr.clients import DaprClient
    from fastapi import FastAPI

    logging.basicConfig(level=logging.INFO)
    app = FastAPI()
    client = DaprClient()


    @app.get("/healthz")
    def health():
        return {"ok": True}


    @app.get("/readyz")
    def ready():
        return {"ok": True}


    @app.get("/orders/{order_id}")
    def order(order_id: str):
        print(order_id)
        return client.get_state("statestore", order_id).data
    """
)

# One bug: `async with` on the sync client raises TypeError (DPR102), and its calls block (DPR101).
BUG = textwrap.dedent(
    """\
    from dapr.clients import DaprClient


    async def handler(key: str):
        async with DaprClient() as client:
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

_LINE = re.compile(r"^(?P<location>[^ ]+:\d+:\d+:) (?P<code>DPR\d{3}) (?P<category>bug|practice|opinion) +(?P<rest>\S.*)$")


def _findings(out: str) -> list[re.Match]:
    return [m for m in map(_LINE.match, out.splitlines()) if m]


@pytest.fixture
def tree(project):
    write(project, "svc/app.py", SERVICE)
    return project


@pytest.mark.parametrize("fmt", ["text", "concise"])
def test_every_line_shows_its_category_in_a_fixed_column(tree, capsys, fmt):
    write(tree, "worker/job.py", BUG)
    assert main(["check", ".", "--no-cache", "--extend-select", "DPR412", "--output-format", fmt]) == 1
    out = capsys.readouterr().out
    finding_lines = [line for line in out.splitlines() if re.match(r"^[^ ]+:\d+:\d+: DPR", line)]
    matched = _findings(out)
    assert len(matched) == len(finding_lines) >= 4
    assert {m["category"].strip() for m in matched} == {"bug", "practice", "opinion"}
    # the category column is as wide as `practice`: what follows it (the `[*]` mark or the message) starts at
    # the same offset after the code on every line
    assert {m.start("rest") - m.start("code") for m in matched} == {len("DPR101 practice ")}
    counts = {c: sum(m["category"].strip() == c for m in matched) for c in ("bug", "practice", "opinion")}
    assert out.splitlines()[-2 if "fixable" in out.splitlines()[-1] else -1].startswith(
        f"Found {len(matched)} problems ({counts['bug']} bugs, 1 practice finding, 1 opinion)."
    )


def test_colour_follows_color_no_color_and_force_color(tree, capsys, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)

    def coloured(*argv: str) -> bool:
        main(["check", "svc", "--no-cache", *argv])
        return "\x1b[" in capsys.readouterr().out

    assert not coloured()  # not a terminal
    assert coloured("--color", "always") and not coloured("--color", "never")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert coloured()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not coloured() and coloured("--color", "always")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.delenv("FORCE_COLOR")
    assert not coloured()
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "xterm")
    main(["check", "svc", "--no-cache"])
    out = capsys.readouterr().out
    assert "\x1b[33mpractice\x1b[0m" in out  # the category column, tinted by category
    main(["check", "svc", "--no-cache", "--format", "json", "--color", "always"])
    assert "\x1b" not in capsys.readouterr().out  # colour is for the text formats only


def test_fail_on_bug_passes_practice_and_opinion_and_fails_on_one_bug(tree, capsys):
    args = ["check", ".", "--no-cache", "--extend-select", "DPR412"]
    assert main(args) == 1  # the default: any finding fails
    assert main([*args, "--fail-on", "bug"]) == 0
    assert main([*args, "--fail-on", "practice"]) == 1
    assert main([*args, "--fail-on", "opinion"]) == 1
    assert main([*args, "--select", "DPR412", "--fail-on", "practice"]) == 0  # only the opinion is left
    out = capsys.readouterr().out
    assert "DPR301 practice" in out and "DPR412 opinion" in out  # still reported
    write(tree, "worker/job.py", BUG)
    assert main([*args, "--fail-on", "bug"]) == 1
    assert "DPR102 bug" in capsys.readouterr().out


def test_fail_on_in_the_configuration(tree, capsys):
    write(tree, "pyproject.toml", '[tool.dapr-lint]\nfail-on = "bug"\n')
    assert main(["check", ".", "--no-cache"]) == 0
    assert main(["check", ".", "--no-cache", "--fail-on", "practice"]) == 1  # the command line wins
    assert main(["check", ".", "--no-cache", "--config", "fail-on = 'practice'"]) == 1
    assert "DPR301" in capsys.readouterr().out
    write(tree, "worker/job.py", BUG)
    assert main(["check", ".", "--no-cache"]) == 1
    # --exit-zero still wins over all of it
    assert main(["check", ".", "--no-cache", "--exit-zero"]) == 0
    capsys.readouterr()
    assert main(["check", "--show-settings", "svc/app.py"]) == 0
    assert 'fail-on = "bug"' in capsys.readouterr().out.splitlines()


def test_fail_on_is_judged_by_each_files_own_configuration(project, capsys):
    write(project, "relaxed/pyproject.toml", '[tool.dapr-lint]\nfail-on = "bug"\n')
    write(project, "relaxed/app.py", SERVICE)
    write(project, "strict/pyproject.toml", "[tool.dapr-lint]\n")
    write(project, "strict/app.py", SERVICE)
    assert main(["check", "relaxed", "--no-cache"]) == 0
    assert main(["check", "relaxed", "strict", "--no-cache"]) == 1


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--fail-on", "error"], "invalid choice: 'error'"),
        (["--config", "fail-on = 'warning'"], "`fail-on` must be one of 'bug', 'practice', 'opinion', got 'warning'"),
    ],
)
def test_a_bad_fail_on_is_a_usage_error(tree, capsys, argv, message):
    assert main(["check", ".", "--no-cache", *argv]) == 2
    assert message in capsys.readouterr().err


def test_repeated_list_options_accumulate(tree, capsys):
    write(tree, "worker/job.py", BUG)

    def codes(*argv: str) -> set[str]:
        main(["check", ".", "--no-cache", "--format", "json", *argv])
        return {f["code"] for f in json.loads(capsys.readouterr().out)}

    everything = codes()
    assert {"DPR101", "DPR102", "DPR301"} <= everything
    assert codes("--ignore", "DPR101", "--ignore", "DPR301") == everything - {"DPR101", "DPR301"}
    assert codes("--select", "DPR101", "--select", "DPR301") == {"DPR101", "DPR301"}
    assert codes("--select", "DPR102", "--extend-select", "DPR101", "--extend-select", "DPR412") == {"DPR101", "DPR102", "DPR412"}
    write(tree, "gen/app.py", BUG)
    main(["check", ".", "--no-cache", "--format", "json", "--extend-exclude", "gen", "--extend-exclude", "worker"])
    assert {f["path"].split("/")[0] for f in json.loads(capsys.readouterr().out)} == {"svc"}
    main(["check", ".", "--no-cache", "--format", "json", "--exclude", "gen", "--exclude", "svc"])
    assert {f["path"].split("/")[0] for f in json.loads(capsys.readouterr().out)} == {"worker"}


def test_fix_only_says_what_it_fixed_and_what_is_left(project, capsys):
    svc = write(project, "svc.py", UNAWAITED)
    write(project, "left.py", BUG)
    assert main(["check", "--fix-only", "--no-cache", "svc.py", "left.py"]) == 0
    out = capsys.readouterr().out
    assert "await client.save_state(" in svc.read_text()
    assert "All checks passed" not in out
    # left.py: DPR102 and one DPR101 (the client built in the async def; its call is a related location)
    assert "Fixed 1 finding." in out and "2 findings left (2 bugs)" in out
    assert "DPR10" not in out  # counted, not listed
    # nothing fixed, findings left: still no "All checks passed."
    assert main(["check", "--fix-only", "--no-cache", "left.py"]) == 0
    out = capsys.readouterr().out
    assert "All checks passed" not in out and "2 findings left" in out and "Fixed" not in out
    # nothing left at all
    assert main(["check", "--fix-only", "--no-cache", "svc.py"]) == 0
    assert capsys.readouterr().out == "All checks passed.\n"


def test_statistics_marks_fixable_rules(project, capsys):
    write(project, "svc.py", UNAWAITED)
    write(project, "left.py", BUG)
    assert main(["check", "--statistics", "--no-cache", "svc.py", "left.py"]) == 1
    rows = capsys.readouterr().out.splitlines()
    assert "    1  DPR104  [*] unawaited-coroutine" in rows
    assert any(re.fullmatch(r" +1  DPR101      sync-client-in-async", row) for row in rows)
    assert rows[-1] == "[*] 1 finding fixable with `--fix`."
