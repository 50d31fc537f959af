"""The ways people run dapr-lint besides the CLI: flake8, SARIF, GitHub annotations, pre-commit."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dapr_lint import registry
from dapr_lint.cli import main

pytestmark = pytest.mark.slow  # `pytest -m "not slow"` leaves it out of the fast loop

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = sorted((ROOT / "tests" / "fixtures" / "python").glob("*.py"))

VIOLATION = textwrap.dedent(
    """\
    from dapr.clients import DaprClient as DC


    async def handler(key: str):
        async with DC() as client:  # comment, with: punctuation
            return client.get_state("statestore", key).data
    """
)


def _dapr_lint_json(paths: list[Path], cwd: Path = ROOT) -> set[tuple[str, int, int, str]]:
    result = subprocess.run(
        [sys.executable, "-m", "dapr_lint", "check", "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        cwd=cwd,
    )
    assert result.returncode in (0, 1), result.stderr
    return {(f["path"], f["line"], f["column"], f["code"]) for f in json.loads(result.stdout)}


def _flake8(paths: list[Path], *extra: str, cwd: Path = ROOT) -> set[tuple[str, int, int, str]]:
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "DPR", "--format", "%(path)s|%(row)d|%(col)d|%(code)s", *extra, *map(str, paths)],
        capture_output=True,
        text=True,
        cwd=cwd,
    )
    assert result.returncode in (0, 1), result.stderr
    found = set()
    for line in result.stdout.splitlines():
        path, row, col, code = line.split("|")
        found.add((Path(path).as_posix().removeprefix("./"), int(row), int(col), code))
    return found


def test_flake8_and_dapr_lint_agree_on_every_fixture():
    paths = [p.relative_to(ROOT) for p in FIXTURES]
    ours = _dapr_lint_json(paths)
    theirs = _flake8(paths)
    assert ours, "the fixtures should produce findings"
    assert theirs == ours


def test_flake8_honours_noqa_and_explicit_opinion_selection(tmp_path):
    target = tmp_path / "app.py"
    target.write_text(VIOLATION.replace("# comment, with: punctuation", "# noqa: DPR102"))
    codes = {code for *_, code in _flake8([target])}
    assert codes == {"DPR101"}
    handler = textwrap.dedent(
        """\
        from dapr.clients import DaprClient
        from flask import Flask

        app = Flask(__name__)


        @app.route("/orders")
        def orders():
            try:
                with DaprClient() as client:
                    return client.get_state("statestore", "k").data
            except Exception:
                app.logger.exception("state store unavailable")
                return "unavailable", 503
        """
    )
    target.write_text(handler)
    # DPR107 is an opinion rule: off unless selected; the app's missing probes are project findings, as in check
    assert {code for *_, code in _flake8([target])} == {"DPR401", "DPR402"}
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "DPR107", str(target)], capture_output=True, text=True
    )
    assert "DPR107" in result.stdout


@pytest.fixture
def service(project):
    """A project with one violating service module."""
    (project / "svc").mkdir()
    (project / "svc" / "app.py").write_text(VIOLATION)
    return project


def test_sarif_structure(service, capsys):
    assert main(["check", "svc", "--format", "sarif"]) == 1
    sarif = json.loads(capsys.readouterr().out)
    # SARIF 2.1.0 required properties: sarifLog.version and runs; run.tool.driver.name; result.message.
    assert sarif["version"] == "2.1.0"
    assert sarif["$schema"].endswith("sarif-2.1.0.json")
    (run,) = sarif["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "dapr-lint"
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert rule_ids == registry.codes()
    for rule in driver["rules"]:
        assert rule["name"] and rule["shortDescription"]["text"]
        assert rule["helpUri"].endswith(f"docs/rules/{rule['id']}.md")
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    results = run["results"]
    assert len(results) == 3
    for result in results:
        assert result["ruleId"] in rule_ids
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note", "none")
        assert result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == "svc/app.py"
        region = physical["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert (region["endLine"], region["endColumn"]) >= (region["startLine"], region["startColumn"])
    assert {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results} == {
        ("DPR101", 5),
        ("DPR102", 5),
        ("DPR101", 6),
    }


def test_sarif_of_the_example_service_has_one_result_per_finding(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    main(["check", "examples", "--format", "json"])
    findings = json.loads(capsys.readouterr().out)
    main(["check", "examples", "--format", "sarif"])
    sarif = json.loads(capsys.readouterr().out)
    results = sarif["runs"][0]["results"]
    assert len(results) == len(findings) > 0
    known = {rule["id"] for rule in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert all(r["ruleId"] in known for r in results)


def test_github_annotations(service, capsys):
    main(["check", "svc", "--format", "github"])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("::error file=svc/app.py,line=5,col=16,endLine=5,endColumn=20,title=DPR101::DPR101 ")
    assert all(line.startswith("::error ") for line in lines)


def test_github_escapes_properties_and_data():
    from dapr_lint.diagnostics import Diagnostic
    from dapr_lint.report import github

    d = Diagnostic("DPR106", "50% done,\nnext: line", "a,b:c.py", 1, 2, 1, 3)
    out = github.render([d])
    assert out == "::warning file=a%2Cb%3Ac.py,line=1,col=2,endLine=1,endColumn=3,title=DPR106::DPR106 50%25 done,%0Anext: line\n"


class _HookRepo:
    """A throw-away git repository that runs this checkout's pre-commit hooks with `pre-commit try-repo`."""

    def __init__(self, tmp_path: Path) -> None:
        self.path = tmp_path / "repo"
        self.path.mkdir()
        (tmp_path / "gitconfig").write_text("[user]\n\tname = t\n\temail = t@example.com\n")
        self.env = {
            **os.environ,
            "PRE_COMMIT_HOME": str(tmp_path / "cache"),
            "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"),
        }
        self.git("init", "-q")

    def git(self, *args: str) -> None:
        subprocess.run(["git", *args], cwd=self.path, check=True, capture_output=True, env=self.env)

    def stage(self, name: str, text: str) -> Path:
        path = self.path / name
        path.write_text(text)
        self.git("add", name)
        return path

    def hook(self, hook_id: str, *files: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook_id, "--files", *files],
            cwd=self.path,
            capture_output=True,
            text=True,
            env=self.env,
            timeout=600,
        )


@pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")
def test_pre_commit_hook_fails_on_a_violation_and_passes_once_fixed(tmp_path):
    repo = _HookRepo(tmp_path)
    repo.stage("app.py", VIOLATION)
    hook = repo.hook("dapr-lint", "app.py")
    assert hook.returncode == 1, hook.stdout + hook.stderr
    assert "DPR102" in hook.stdout
    fixed_source = (
        VIOLATION.replace("from dapr.clients import", "from dapr.aio.clients import")
        .replace("client.get_state(", "(await client.get_state(")
        .replace(").data", ")).data")
    )
    repo.stage("app.py", fixed_source)
    fixed = repo.hook("dapr-lint", "app.py")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")
def test_pre_commit_fix_hook_applies_safe_fixes(tmp_path):
    repo = _HookRepo(tmp_path)
    app = repo.stage(
        "app.py",
        "from dapr.aio.clients import DaprClient\n\n\nasync def publish(order):\n"
        "    async with DaprClient() as client:\n        client.publish_event('pubsub', 'orders', order)\n",
    )
    hook = repo.hook("dapr-lint-fix", "app.py")
    # pre-commit fails a hook that modified files; the fix is in the work tree
    assert hook.returncode == 1, hook.stdout + hook.stderr
    assert "await client.publish_event" in app.read_text()


PARITY_TREES = [ROOT / "examples", *sorted(p for p in (ROOT / "tests" / "fixtures" / "projects").iterdir() if p.is_dir())]


@pytest.mark.parametrize("tree", PARITY_TREES, ids=lambda p: p.name)
def test_flake8_reports_per_file_exactly_what_check_reports(tree):
    """Cross-module and project findings included: both run in the tree's folder over `.`, as a user runs them."""
    ours = {f for f in _dapr_lint_json([Path(".")], cwd=tree) if f[0].endswith(".py")}
    theirs = _flake8([Path(".")], cwd=tree)
    assert ours, f"{tree.name} should produce findings in Python files"
    assert theirs == ours
