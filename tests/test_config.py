"""[tool.dapr-lint]: selection, options, excludes, per-file ignores, and clear errors."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from conftest import write

from dapr_lint import registry
from dapr_lint.cli import main
from dapr_lint.config import ConfigError, SelectionLayer, glob_match, load_config, resolve_selection

VIOLATION = textwrap.dedent(
    """\
    from dapr.clients import DaprClient


    async def handler():
        client = DaprClient()
        client.save_state("statestore", "k", "v")
    """
)


def codes_found(capsys, *argv: str) -> list[tuple[str, str]]:
    main([*argv, "--format", "json"])
    return sorted((f["path"], f["code"]) for f in json.loads(capsys.readouterr().out))


def test_defaults_leave_opinion_rules_off():
    enabled = resolve_selection([])
    assert "DPR101" in enabled and "DPR106" in enabled and "DPR001" in enabled
    assert "DPR107" not in enabled


@pytest.mark.parametrize(
    "layers, on, off",
    [
        ([SelectionLayer(select=["DPR1"])], {"DPR107", "DPR101", "DPR001"}, set()),
        ([SelectionLayer(select=["ALL"], ignore=["DPR10"])], {"DPR001"}, {"DPR101", "DPR107"}),
        ([SelectionLayer(ignore=["DPR1"], extend_select=["DPR101"])], {"DPR101"}, {"DPR102"}),
        ([SelectionLayer(select=["DPR101"]), SelectionLayer(extend_select=["DPR107"])], {"DPR101", "DPR107"}, {"DPR102"}),
        ([SelectionLayer(select=["DPR101"]), SelectionLayer(select=["DPR102"])], {"DPR102"}, {"DPR101"}),
        ([SelectionLayer(ignore=["DPR001"])], set(), {"DPR001"}),
        ([SelectionLayer(select=["DPR101"], ignore=["DPR101"])], set(), {"DPR101"}),
    ],
)
def test_selection_layers(layers, on, off):
    enabled = resolve_selection(layers)
    assert on <= enabled
    assert not (off & enabled)


def test_config_found_by_walking_up_and_cli_overrides_it(project, capsys):
    write(project, "pyproject.toml", '[tool.dapr-lint]\nignore = ["DPR106"]\nextend-select = ["DPR107"]\n')
    write(project, "svc/app.py", VIOLATION)
    assert codes_found(capsys, "svc") == [("svc/app.py", "DPR101")]
    assert codes_found(capsys, "svc", "--select", "DPR106") == [("svc/app.py", "DPR106")]
    assert codes_found(capsys, "svc", "--ignore", "DPR101") == []


def test_per_file_ignores(project, capsys):
    write(project, "pyproject.toml", '[tool.dapr-lint.per-file-ignores]\n"scripts/*.py" = ["DPR1"]\n')
    write(project, "scripts/tool.py", VIOLATION)
    write(project, "svc/app.py", VIOLATION)
    assert {p for p, _ in codes_found(capsys, ".")} == {"svc/app.py"}


def test_exclude_and_extend_exclude(project, capsys):
    write(project, "pyproject.toml", '[tool.dapr-lint]\nextend-exclude = ["generated", "svc/legacy_*.py"]\n')
    write(project, "generated/client.py", VIOLATION)
    write(project, "svc/legacy_app.py", VIOLATION)
    write(project, "svc/app.py", VIOLATION)
    write(project, ".venv/lib/site.py", VIOLATION)
    write(project, "build/lib/app.py", VIOLATION)
    assert {p for p, _ in codes_found(capsys, ".")} == {"svc/app.py"}
    # a file named on the command line is checked even when excluded
    assert {p for p, _ in codes_found(capsys, "generated/client.py")} == {"generated/client.py"}


def test_gitignore_is_respected_inside_a_git_work_tree(project, capsys):
    subprocess.run(["git", "init", "-q"], check=True)
    write(project, ".gitignore", "ignored_dir/\n")
    write(project, "ignored_dir/app.py", VIOLATION)
    write(project, "app.py", VIOLATION)
    assert {p for p, _ in codes_found(capsys, ".")} == {"app.py"}


@pytest.mark.parametrize(
    "toml, message",
    [
        ('[tool.dapr-lint]\nselekt = ["DPR1"]\n', "unknown key `selekt` (did you mean `select`?)"),
        ('[tool.dapr-lint]\nselect = "DPR9"\n', "unknown rule code or prefix `DPR9`"),
        ('[tool.dapr-lint]\nhealth-routes = ["health"]\n', "`health-routes` must be a list of route paths"),
        ('[tool.dapr-lint]\nthread-offloads = [1]\n', "`thread-offloads` must be a list of dotted names"),
        ('[tool.dapr-lint]\nexclude = "x"\n', "`exclude` must be a list of strings"),
        ("[tool.dapr-lint\n", "invalid TOML"),
    ],
)
def test_bad_configuration_is_one_line_and_exit_2(project, capsys, toml, message):
    write(project, "pyproject.toml", toml)
    write(project, "app.py", VIOLATION)
    assert main(["check", "."]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_explicit_config_file(project, capsys):
    write(project, "lint.toml", 'select = ["DPR106"]\n')
    write(project, "app.py", VIOLATION)
    assert codes_found(capsys, "app.py", "--config", "lint.toml") == [("app.py", "DPR106")]


def test_options_reach_the_rules(project, capsys):
    write(project, "pyproject.toml", '[tool.dapr-lint]\nthread-offloads = ["helpers.run_blocking"]\n')
    write(
        project,
        "app.py",
        textwrap.dedent(
            """\
            from dapr.clients import DaprClient
            from helpers import run_blocking

            client = DaprClient()


            async def handler():
                return await run_blocking(client.get_state("statestore", "k"))
            """
        ),
    )
    assert codes_found(capsys, "app.py") == []
    write(project, "pyproject.toml", "[tool.dapr-lint]\n")
    assert codes_found(capsys, "app.py") == [("app.py", "DPR101")]


def test_defaults_for_options():
    config = load_config(None, Path("/"))
    assert config.options["health-routes"] == ["/health", "/healthz", "/livez", "/liveness", "/health/live"]
    assert config.options["ready-routes"] == ["/ready", "/readyz", "/readiness", "/health/ready"]
    assert config.test_paths == ["tests", "test_*.py", "*_test.py", "conftest.py"]


@pytest.mark.parametrize(
    "pattern, path, matches",
    [
        ("venv", "a/venv/lib/x.py", True),
        ("*_pb2.py", "svc/orders_pb2.py", True),
        ("tests/*.py", "tests/test_a.py", True),
        ("tests/*.py", "tests/sub/test_a.py", False),
        ("tests/**/*.py", "tests/sub/test_a.py", True),
        ("tests/fixtures", "tests/fixtures/python/x.py", True),
        ("svc", "service/app.py", False),
    ],
)
def test_glob_match(pattern, path, matches):
    assert glob_match(pattern, path) is matches


def test_config_error_is_an_exception_not_an_exit():
    with pytest.raises(ConfigError):
        from dapr_lint.config import validate_selectors

        validate_selectors(["NOPE1"], "select")
    assert registry.get("DPR101").name == "sync-client-in-async"
