"""DPR417-DPR420 and DPR611-DPR613 over small repositories: streaming handlers of other modules, jobs and their
handlers, app ports and protocols, bulk subscribers.

Each repository under tests/fixtures/projects/{wiring,ports} marks the findings it expects (`# error: DPRxxx:COL
"fragment"`); registrations and calls sit in different modules, names come through constants imported from
other modules, and the apps that must not be reported sit beside the ones that must."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import FIXTURES
from dapr_lint.cli import main
from markers import parse_markers

PROJECTS = FIXTURES / "projects"
CODES = "DPR417,DPR418,DPR419,DPR420,DPR611,DPR612,DPR613"


def _expected(root: Path) -> list[tuple[str, int, str]]:
    found = []
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".yaml", ".yml"):
            rel = path.relative_to(root).as_posix()
            found.extend((rel, m.line, m.code) for m in parse_markers(path.read_text(encoding="utf-8")))
    return sorted(found)


def _run(root: Path, monkeypatch, capsys) -> list[dict]:
    monkeypatch.chdir(root)
    main(["check", ".", "--select", CODES, "--format", "json", "--jobs", "1", "--no-cache"])
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("name", ["wiring", "ports"])
def test_repository_findings_and_what_they_say(name, monkeypatch, capsys):
    root = PROJECTS / name
    findings = _run(root, monkeypatch, capsys)
    assert sorted((f["path"], f["line"], f["code"]) for f in findings) == _expected(root)
    by_place = {(f["path"], f["line"], f["code"]): f for f in findings}
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".py", ".yaml", ".yml"):
            continue
        for marker in parse_markers(path.read_text(encoding="utf-8")):
            finding = by_place[(path.relative_to(root).as_posix(), marker.line, marker.code)]
            assert marker.column is None or finding["column"] == marker.column, finding
            assert marker.fragment is None or marker.fragment in finding["message"], finding
            assert len(finding["message"]) <= 120, finding["message"]


def test_a_job_handled_in_another_module_of_the_app_is_not_reported(project, monkeypatch, capsys):
    # the route that takes the job's POST is on a router another module includes under `/job`
    (project / "svc").mkdir()
    (project / "svc" / "names.py").write_text('REPORT = "report"\n', encoding="utf-8")
    (project / "svc" / "routes.py").write_text(
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
        '@router.post("/report")\nasync def report() -> dict:\n    return {}\n',
        encoding="utf-8",
    )
    app = (
        "from dapr.clients import DaprClient, Job\nfrom fastapi import FastAPI\n\n"
        "from svc.names import REPORT\nfrom svc.routes import router\n\n"
        'app = FastAPI()\napp.include_router(router, prefix="{prefix}")\n\n\n'
        "def schedule() -> None:\n    with DaprClient() as client:\n"
        '        client.schedule_job(Job(name=REPORT, schedule="@daily"), overwrite=True)\n'
    )
    (project / "svc" / "app.py").write_text(app.format(prefix="/job"), encoding="utf-8")
    assert _run(project, monkeypatch, capsys) == []
    (project / "svc" / "app.py").write_text(app.format(prefix="/jobs"), encoding="utf-8")
    (found,) = _run(project, monkeypatch, capsys)
    assert (found["code"], found["line"], found["path"]) == ("DPR611", 13, "svc/app.py")


def test_what_dockerfiles_and_procfiles_start_an_app_with(tmp_path):
    from dapr_lint.run_files import server_port, start_commands

    def ports(files: dict[str, str]) -> list[tuple[str, int, object]]:
        folder = tmp_path / f"app{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        return [(Path(c.path).name, c.line, server_port(list(c.words))) for c in start_commands(str(folder), str(tmp_path))]

    # the last stage's ENTRYPOINT followed by its CMD; an earlier stage's CMD is not what runs
    assert ports({"Dockerfile": 'FROM a\nCMD ["x", "--port", "1"]\nFROM b\nENTRYPOINT ["gunicorn"]\nCMD ["-b", "0.0.0.0:7000", "app:app"]\n'}) == [("Dockerfile", 5, 7000)]
    # shell form, `sh -c "..."`, `--port=N`
    assert ports({"Dockerfile.prod": 'FROM a\nCMD sh -c "uvicorn app:app --port=8081"\n'}) == [("Dockerfile.prod", 2, 8081)]
    # an environment variable is not a port; a command that does not parse says nothing
    assert ports({"Dockerfile": "FROM a\nCMD uvicorn app:app --port $PORT\n"}) == [("Dockerfile", 2, None)]
    assert ports({"Dockerfile": "FROM a\nCMD [\"uvicorn\", \n"}) == []
    # a Procfile's web process, else its only one; two others: none
    assert ports({"Procfile": "release: python migrate.py\nweb: flask run -p 5005\n"}) == [("Procfile", 2, 5005)]
    assert ports({"Procfile": "worker: python w.py\nclock: python c.py\n"}) == []
    # a Dockerfile that is a link out of the repository is not read
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "Dockerfile").write_text('FROM a\nCMD ["uvicorn", "app:app", "--port", "9"]\n', encoding="utf-8")
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "Dockerfile").symlink_to(outside / "Dockerfile")
    assert start_commands(str(linked), str(tmp_path)) == []
