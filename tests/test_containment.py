"""Paths a repository names (run templates, compose volumes, configuration, comments, links) are followed only
inside the repository: a run reads nothing outside it on a repository's say-so, `~` is never the home folder,
and a resource set that names a folder outside is incomplete, so the rules that need the whole set stay silent.

Every file and folder a run opens is seen through an audit hook (`open`, `os.scandir`, `os.listdir`), in its
own process (worker processes included)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import write


APP = """\
from fastapi import FastAPI
from dapr.clients import DaprClient

app = FastAPI()


@app.post("/orders")
def orders():
    with DaprClient() as client:
        client.save_state("statestore", "k", "v")
    return {}
"""

STORE = "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: statestore\nspec:\n  type: state.redis\n  version: v1\n  metadata: []\n"
OTHER = STORE.replace("name: statestore", "name: cache")

_AUDITED = textwrap.dedent(
    """\
    import os, sys
    bait = os.path.realpath(sys.argv[1])
    log = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def hook(event, args):
        if event in ("open", "os.scandir", "os.listdir") and args and isinstance(args[0], str):
            path = os.path.realpath(os.path.abspath(args[0]))
            if path == bait or path.startswith(bait + os.sep):
                os.write(log, (event + " " + path + "\\n").encode("utf-8", "surrogateescape"))

    sys.addaudithook(hook)
    from dapr_lint.cli import main
    sys.exit(main(sys.argv[3:]))
    """
)


def _audited_run(repo: Path, bait: Path, *argv: str, home: Path) -> tuple[subprocess.CompletedProcess, list[str]]:
    log = repo.parent / "opened.log"
    log.unlink(missing_ok=True)
    env = {**os.environ, "HOME": str(home)}
    env.pop("DAPR_LINT_CACHE_DIR", None)
    command = [sys.executable, "-c", _AUDITED, str(bait), str(log), "check", *argv, "--output-format", "json"]
    result = subprocess.run(command, cwd=repo, capture_output=True, timeout=300, env=env, stdin=subprocess.DEVNULL)
    return result, (log.read_text().splitlines() if log.exists() else [])


def _bait(folder: Path) -> None:
    """A folder outside the repository with everything a run could want to read."""
    write(folder, "app.py", APP)
    write(folder, ".env", "TOKEN=secret\n")
    write(folder, "Dockerfile", "FROM python\nCMD opentelemetry-instrument python app.py\n")
    write(folder, "components/statestore.yaml", STORE)
    write(folder, "statestore.yaml", STORE)
    write(folder, "deep/nested/start.sh", "opentelemetry-instrument python app.py\n")


@pytest.mark.slow
def test_paths_named_by_a_repository_are_not_followed_out_of_it(tmp_path):
    bait = tmp_path / "outside"
    _bait(bait)
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo, "pyproject.toml", '[tool.dapr-lint]\nresources-paths = ["../outside", "~"]\n')
    write(repo, "svc/app.py", APP)
    write(repo, "svc/components/cache.yaml", OTHER)
    write(repo, "svc/notes.py", "# appDirPath: ../../outside\n# appPort: 8000\n")
    write(
        repo,
        "dapr.yaml",
        "version: 1\napps:\n"
        "  - appID: svc\n    appDirPath: ./svc\n    appPort: 8000\n    resourcesPaths: ['./svc/components', '../outside', '~']\n"
        "    command: ['python', 'app.py']\n"
        "  - appID: stray\n    appDirPath: ../outside\n    appPort: 8000\n    resourcesPath: ../outside/components\n"
        "  - appID: linked\n    appDirPath: ./linked\n    appPort: 8001\n    resourcesPath: ./linked/components\n",
    )
    write(
        repo,
        "docker-compose.yml",
        "services:\n  svc:\n    build: ./svc\n  svc-dapr:\n    image: daprio/daprd\n"
        "    command: ['./daprd', '--app-id', 'svc', '--resources-path', '/components']\n"
        "    volumes:\n      - ../outside:/components\n    network_mode: 'service:svc'\n",
    )
    (repo / "linked").symlink_to(bait, target_is_directory=True)
    (repo / "svc" / "run.sh").symlink_to(bait / "deep" / "nested" / "start.sh")
    for flags in ([], ["--no-cache"]):
        result, opened = _audited_run(repo, bait, ".", *flags, home=bait)
        assert result.returncode in (0, 1), result.stderr
        assert opened == [], opened
    # the store is defined only in ../outside: the app's set is incomplete, so no "unknown component" (DPR601)
    findings = json.loads(result.stdout)
    assert not [f for f in findings if f["code"] in ("DPR601", "DPR602", "DPR604", "DPR606")], findings


def test_a_resource_folder_outside_the_repository_makes_the_set_incomplete(tmp_path, monkeypatch, capsys):
    from dapr_lint.cli import main

    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(tmp_path, "shared/statestore.yaml", STORE)
    write(repo, "app.py", APP)
    write(repo, "components/cache.yaml", OTHER)
    template = "version: 1\napps:\n  - appID: svc\n    appDirPath: .\n    appPort: 8000\n    resourcesPaths: {paths}\n    command: ['python', 'app.py']\n"
    monkeypatch.chdir(repo)

    def codes() -> list[str]:
        main(["check", ".", "--output-format", "json", "--no-cache", "--select", "DPR6"])
        return [f["code"] for f in json.loads(capsys.readouterr().out)]

    write(repo, "dapr.yaml", template.format(paths='["./components", "../shared"]'))
    assert "DPR601" not in codes()
    # the same layout with the set whole: the rule does fire (the silence above is the incompleteness)
    write(repo, "dapr.yaml", template.format(paths='["./components"]'))
    assert "DPR601" in codes()


def test_dpr610_is_silent_when_the_actor_store_may_be_outside(tmp_path, monkeypatch, capsys):
    from dapr_lint.cli import main

    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(tmp_path, "shared/actorstore.yaml", STORE.replace("  metadata: []\n", "  metadata:\n  - name: actorStateStore\n    value: 'true'\n"))
    write(repo, "app.py", "from fastapi import FastAPI\nfrom dapr.ext.fastapi import DaprActor\n\napp = FastAPI()\nactor = DaprActor(app)\n")
    write(repo, "components/cache.yaml", OTHER)
    template = "version: 1\napps:\n  - appID: svc\n    appDirPath: .\n    appPort: 8000\n    resourcesPaths: {paths}\n    command: ['python', 'app.py']\n"
    monkeypatch.chdir(repo)

    def codes() -> list[str]:
        main(["check", ".", "--output-format", "json", "--no-cache", "--select", "DPR610"])
        return [f["code"] for f in json.loads(capsys.readouterr().out)]

    write(repo, "dapr.yaml", template.format(paths='["./components", "../shared"]'))
    assert codes() == []
    write(repo, "dapr.yaml", template.format(paths='["./components"]'))
    assert codes() == ["DPR610"]
