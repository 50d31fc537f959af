"""The application model: apps discovered from run and deploy files and from entry modules, project rules
evaluated per app, and findings that do not depend on which files a run was given (subset invariance)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from conftest import FIXTURES, expected_findings
from dapr_lint.cli import main

ROOT = Path(__file__).resolve().parents[1]
PROJECTS = FIXTURES / "projects"
REPOSITORIES = sorted(p for p in PROJECTS.iterdir() if p.is_dir())
SOURCE_SUFFIXES = (".py", ".yaml", ".yml")


def _expected(root: Path) -> Counter:
    """`# error: DPRxxx` comments of every Python and YAML file of a fixture repository."""
    found: Counter = Counter()
    for path in sorted(root.rglob("*")):
        if path.suffix not in SOURCE_SUFFIXES:
            continue
        rel = path.relative_to(root).as_posix()
        for (line, code), n in expected_findings(path.read_text(encoding="utf-8")).items():
            found[(rel, line, code)] += n
    return found


def _findings(cwd: Path, monkeypatch, capsys, *args: str) -> Counter:
    monkeypatch.chdir(cwd)
    main(["check", *args, "--format", "json", "--jobs", "1", "--no-cache"])
    out = capsys.readouterr().out
    return Counter((f["path"], f["line"], f["code"]) for f in json.loads(out))


@pytest.mark.parametrize("name", ["shop", "kube", "actors", "quickstarts"])
def test_fixture_repository_findings(name, monkeypatch, capsys):
    root = PROJECTS / name
    assert _findings(root, monkeypatch, capsys, ".") == _expected(root)


def test_health_routes_are_reported_exactly_for_the_apps_that_lack_them(monkeypatch, capsys):
    found = _findings(PROJECTS / "shop", monkeypatch, capsys, ".", "--select", "DPR401,DPR402")
    # orders serves /health but no readiness route; notifier (run by dapr.yaml) serves neither; checkout
    # serves both; web/app.py uses no Dapr and no run file names it
    assert sorted(found) == [
        ("notifier/app.py", 4, "DPR401"),
        ("notifier/app.py", 4, "DPR402"),
        ("orders/main.py", 8, "DPR402"),
    ]


def test_a_handler_bound_only_by_a_declarative_subscription_gets_dpr403(monkeypatch, capsys):
    found = _findings(PROJECTS / "shop", monkeypatch, capsys, "orders/events.py", "--select", "DPR403")
    assert list(found) == [("orders/events.py", 9, "DPR403")]


def _invariance_cases() -> list[tuple[Path, str, str]]:
    cases = []
    for root in REPOSITORIES:
        for path in sorted(root.rglob("*")):
            if path.suffix in SOURCE_SUFFIXES and path.name != "pyproject.toml":
                cases.append((root, ".", path.relative_to(root).as_posix()))
    for path in sorted((ROOT / "examples").rglob("*")):
        if path.suffix in SOURCE_SUFFIXES:
            cases.append((ROOT, "examples", path.relative_to(ROOT).as_posix()))
    return cases


@pytest.mark.slow
@pytest.mark.parametrize("root", [*REPOSITORIES, ROOT / "examples"], ids=lambda p: p.name)
def test_subset_invariance(root, monkeypatch, capsys):
    """Every file of every fixture repository and of examples/ gets, linted alone, exactly its findings
    from the whole-repository run."""
    cwd, whole_arg = (ROOT, "examples") if root.name == "examples" else (root, ".")
    whole = _findings(cwd, monkeypatch, capsys, whole_arg)
    files = [c for c in _invariance_cases() if c[0] == cwd and (c[1] == whole_arg)]
    assert files
    for _cwd, _arg, rel in files:
        alone = _findings(cwd, monkeypatch, capsys, rel)
        expected = Counter({k: n for k, n in whole.items() if k[0] == rel})
        assert alone == expected, rel


def test_apps_command_shows_what_was_discovered(monkeypatch, capsys):
    monkeypatch.chdir(PROJECTS / "shop")
    assert main(["apps"]) == 0
    out = capsys.readouterr().out
    assert "app orders (app ID orders)" in out
    assert "found from: dapr.yaml dapr.yaml" in out
    assert "local resources from resourcesPaths of dapr.yaml: " in out
    assert "app web/app.py (no app ID declared) - uses no Dapr: no Dapr project rule applies" in out
    assert "event routes: /events/orders, /events/refunds" in out
    assert main(["apps", "--format", "json"]) == 0
    described = json.loads(capsys.readouterr().out)
    apps = {a["name"]: a for a in described[0]["apps"]}
    assert apps["orders"]["routes"] == ["/events/orders", "/health", "/orders"]
    assert apps["orders"]["health_paths"] == [{"path": "/healthz", "origin": "appHealthCheckPath in dapr.yaml"}]
    assert sorted(apps["orders"]["modules"]) == ["orders/events.py", "orders/main.py", "orders/settings.py"]


def test_kubernetes_apps_keep_their_resource_set_apart(monkeypatch, capsys):
    monkeypatch.chdir(PROJECTS / "kube")
    assert main(["apps", "--format", "json"]) == 0
    apps = {a["name"]: a for a in json.loads(capsys.readouterr().out)[0]["apps"]}
    cart = apps["cart"]
    assert cart["sources"] == ["entry module services/cart/main.py", "Kubernetes deploy/cart.yaml"]
    assert [(s["kind"], [c["name"] for c in s["components"]]) for s in cart["resource_sets"]] == [("kubernetes", ["cart-store"])]


def test_compose_sidecars_name_their_app_and_resources(project, monkeypatch, capsys):
    (project / "pyproject.toml").write_text("[tool.dapr-lint]\n", encoding="utf-8")
    (project / "orders").mkdir()
    (project / "orders" / "app.py").write_text(
        "from dapr.clients import DaprClient\nfrom flask import Flask\n\napp = Flask(__name__)\n\n\n"
        "@app.route('/health')\ndef health():\n    return 'ok'\n\n\n@app.route('/ready')\ndef ready():\n    return 'ok'\n\n\n"
        "@app.route('/orders', methods=['POST'])\ndef orders():\n    with DaprClient() as client:\n"
        "        client.save_state('orderstore', 'k', 'v')\n    return 'ok'\n",
        encoding="utf-8",
    )
    (project / "dapr-components").mkdir()
    (project / "dapr-components" / "state.yaml").write_text(
        "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: statestore\nspec:\n  type: state.redis\n"
        "  version: v1\n  metadata:\n    - name: redisHost\n      value: redis:6379\n",
        encoding="utf-8",
    )
    (project / "docker-compose.yml").write_text(
        "services:\n  orders:\n    build: ./orders\n  orders-dapr:\n    image: daprio/daprd:1.15.0\n"
        '    command: ["./daprd", "-app-id", "orders", "-app-port", "5000", "-resources-path", "/components"]\n'
        "    volumes:\n      - ./dapr-components/:/components\n    network_mode: service:orders\n",
        encoding="utf-8",
    )
    assert main(["apps", "--format", "json"]) == 0
    apps = json.loads(capsys.readouterr().out)[0]["apps"]
    assert [(a["name"], a["folder"], a["sources"]) for a in apps] == [("orders", "orders", ["compose docker-compose.yml"])]
    main(["check", ".", "--format", "json", "--no-cache", "--select", "DPR601"])
    found = [(f["path"], f["line"], f["code"]) for f in json.loads(capsys.readouterr().out)]
    assert found == [("orders/app.py", 20, "DPR601")]


def test_a_module_of_no_dapr_app_gets_no_dapr_project_findings(project, monkeypatch, capsys):
    # a Flask app next to a Dapr app: the Dapr app's use of Dapr does not make it one
    (project / "pyproject.toml").write_text("[tool.dapr-lint]\n", encoding="utf-8")
    (project / "svc").mkdir()
    (project / "web").mkdir()
    (project / "svc" / "main.py").write_text(
        "from dapr.clients import DaprClient\nfrom fastapi import FastAPI\n\napp = FastAPI()\n", encoding="utf-8"
    )
    (project / "web" / "main.py").write_text("from flask import Flask\n\napp = Flask(__name__)\n", encoding="utf-8")
    main(["check", ".", "--format", "json", "--no-cache", "--select", "DPR401"])
    found = [(f["path"], f["code"]) for f in json.loads(capsys.readouterr().out)]
    assert found == [("svc/main.py", "DPR401")]


def test_one_health_route_counts_for_its_own_app_only(project, monkeypatch, capsys):
    (project / "pyproject.toml").write_text("[tool.dapr-lint]\n", encoding="utf-8")
    for name, health in (("a", True), ("b", False)):
        (project / name).mkdir()
        route = "\n\n@app.get('/health')\ndef health():\n    return {}\n" if health else ""
        (project / name / "main.py").write_text(
            "from dapr.clients import DaprClient\nfrom fastapi import FastAPI\n\napp = FastAPI()\n" + route, encoding="utf-8"
        )
    main(["check", ".", "--format", "json", "--no-cache", "--select", "DPR401"])
    assert [(f["path"], f["code"]) for f in json.loads(capsys.readouterr().out)] == [("b/main.py", "DPR401")]


def test_check_in_repository_gives_one_file_what_the_whole_run_gives_it(monkeypatch, capsys):
    from dapr_lint.config import Resolver
    from dapr_lint.engine.run import check_in_repository

    root = PROJECTS / "shop"
    whole = _findings(root, monkeypatch, capsys, ".")
    resolver = Resolver()
    path = root / "orders" / "main.py"
    config = resolver.config_for(path)
    result = check_in_repository(path, resolver.settings_of(config), resolver.config_for)
    assert Counter(("orders/main.py", d.line, d.code) for d in result.diagnostics) == Counter(
        {k: n for k, n in whole.items() if k[0] == "orders/main.py"}
    )


def test_project_rules_are_listed_and_documented(capsys):
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    for n in range(601, 610):
        code = f"DPR{n}"
        assert code in out
        page = ROOT / "docs" / "rules" / f"{code}.md"
        assert page.is_file(), page
        assert main(["rule", code]) == 0
        assert code in capsys.readouterr().out


_LINE = re.compile(r"^(?P<path>[^\s:]+):(?P<line>\d+):\d+: (?P<code>DPR\d{3}) ", re.M)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")
def test_pre_commit_batches_see_what_check_dot_sees(tmp_path, monkeypatch, capsys):
    """pre-commit passes the files in batches, several processes at once: each batch reads the rest of the
    repository through its summaries, so the hook reports exactly what `dapr-lint check .` reports."""
    repo = tmp_path / "repo"
    shutil.copytree(PROJECTS / "shop", repo)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig")}
    (tmp_path / "gitconfig").write_text("[user]\n\tname = t\n\temail = t@example.com\n")
    for args in (["init", "-q"], ["add", "."]):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)
    hook = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "dapr-lint", "--all-files"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert hook.returncode == 1, hook.stdout + hook.stderr
    from_hook = Counter((m["path"], int(m["line"]), m["code"]) for m in _LINE.finditer(hook.stdout))
    assert from_hook == _findings(repo, monkeypatch, capsys, ".")
    assert from_hook == _expected(PROJECTS / "shop")


@pytest.mark.parametrize("how", ["configuration", "command line"])
def test_resources_paths_name_the_apps_resources(how, project, monkeypatch, capsys):
    table = '[tool.dapr-lint]\nselect = ["DPR601"]\n'
    if how == "configuration":
        table += 'resources-paths = ["infra/dapr"]\n'
    (project / "pyproject.toml").write_text(table, encoding="utf-8")
    (project / "infra" / "dapr").mkdir(parents=True)
    (project / "infra" / "dapr" / "state.yaml").write_text(
        "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: statestore\nspec:\n  type: state.redis\n"
        "  version: v1\n  metadata:\n    - name: redisHost\n      value: redis:6379\n",
        encoding="utf-8",
    )
    (project / "svc.py").write_text(
        "from dapr.clients import DaprClient\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.post('/o')\n"
        "def o():\n    with DaprClient() as client:\n        client.save_state('statestore', 'k', 'v')\n"
        "        client.save_state('orders', 'k', 'v')\n",
        encoding="utf-8",
    )
    extra = ["--resources-path", "infra/dapr"] if how == "command line" else []
    main(["check", "svc.py", "--format", "json", "--no-cache", *extra])
    assert [(f["line"], f["code"]) for f in json.loads(capsys.readouterr().out)] == [(11, "DPR601")]


def test_apps_text_is_one_line_per_app_in_another_language_with_paths_from_the_working_directory(project, monkeypatch, capsys):
    repo = project / "quickstart"
    (repo / "order-processor").mkdir(parents=True)
    (repo / "checkout").mkdir()
    (repo / "components").mkdir()
    (repo / "pyproject.toml").write_text("[tool.dapr-lint]\n", encoding="utf-8")
    (repo / "dapr.yaml").write_text(
        "version: 1\ncommon:\n  resourcesPath: ./components\napps:\n"
        "  - appID: order-processor\n    appDirPath: ./order-processor/\n    command: ['python3', 'app.py']\n"
        "  - appID: checkout\n    appDirPath: ./checkout/\n    command: ['dotnet', 'run']\n",
        encoding="utf-8",
    )
    (repo / "order-processor" / "app.py").write_text(
        "from dapr.clients import DaprClient\n\nwith DaprClient() as client:\n    client.save_state('statestore', 'k', 'v')\n",
        encoding="utf-8",
    )
    (repo / "checkout" / "Program.cs").write_text("// C#\n", encoding="utf-8")
    monkeypatch.chdir(project)  # above the repository: every path is shown from here
    assert main(["apps", "quickstart"]) == 0
    out = capsys.readouterr().out
    assert "    checkout (app ID checkout): quickstart/checkout\n" in out  # one line
    assert "found from: dapr.yaml quickstart/dapr.yaml" in out
    assert "local resources from resourcesPaths of quickstart/dapr.yaml" in out
    assert "modules (1): quickstart/order-processor/app.py" in out
    assert "app checkout" not in out
