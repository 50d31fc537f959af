"""The result cache: what is reused, what is recomputed, and that it survives what users and machines do to it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import spy_on_check_file, write

from dapr_lint import specs
from dapr_lint.engine import project_stage, run
from dapr_lint.engine.file_stage import FileTask, check_file
from dapr_lint.cache import CACHE_DIR_NAME, Cache, decode, encode
from dapr_lint.cli import main
from dapr_lint.settings import Settings
from dapr_lint.summaries import ModuleSummary


# these tests are about the cache's own folder: where a run puts it when nothing says otherwise
pytestmark = pytest.mark.usefixtures("default_cache_folder")


APP = textwrap.dedent(
    """\
    import logging
    from fastapi import FastAPI
    app = FastAPI()
    logging.basicConfig(level=logging.INFO)  # the app configures its logging (DPR415)


    @app.get("/ready")
    def ready():
        return {"ok": True}
    """
)

ROUTES_WITH_HEALTH = textwrap.dedent(
    """\
    from app import app


    @app.get("/health")
    def health():
        return {"ok": True}


    def setup_logging():  # the app's logging set-up (DPR415), kept apart from app.py's lines
        import logging

        logging.basicConfig(level=logging.INFO)
    """
)

BUGGY = textwrap.dedent(
    """\
    from dapr.clients import DaprClient


    async def handler(key: str):
        with DaprClient() as client:
            return client.get_state("statestore", key).data
    """
)


def _json(capsys, *argv: str) -> list[tuple]:
    main(["check", *argv, "--output-format", "json", "--jobs", "1"])
    return sorted((f["path"], f["line"], f["code"]) for f in json.loads(capsys.readouterr().out))


@pytest.fixture
def checked(monkeypatch):
    """The files the per-file stage really checks (not served from the cache), and those checked again (the
    project stage: subscriber routes known, async calls read)."""
    return spy_on_check_file(monkeypatch, run, project_stage)


def _project(root: Path) -> None:
    write(root, "pyproject.toml", "[tool.dapr-lint]\n")
    write(root, "app.py", APP)
    write(root, "routes.py", ROUTES_WITH_HEALTH)
    write(root, "svc.py", BUGGY)


def test_warm_run_reuses_every_file_and_gives_the_same_findings(project, capsys, checked):
    _project(project)
    cold = _json(capsys, ".")
    assert sorted(checked) == ["app.py", "pyproject.toml", "routes.py", "svc.py"]  # a dependency file too (DPR110)
    checked.clear()
    assert _json(capsys, ".") == cold
    assert checked == []
    cache = project / CACHE_DIR_NAME
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"
    assert ("svc.py", 5, "DPR101") in cold


def test_one_changed_file_is_checked_and_the_project_stage_uses_the_cached_summaries(project, capsys, checked):
    _project(project)
    assert not any(code == "DPR401" for *_rest, code in _json(capsys, "."))
    checked.clear()
    write(project, "routes.py", ROUTES_WITH_HEALTH.replace("/health", "/status"))
    found = _json(capsys, ".")
    assert checked == ["routes.py"]  # app.py's summary comes from the cache
    assert ("app.py", 3, "DPR401") in found  # its app lost its health route in another module
    checked.clear()
    write(project, "routes.py", ROUTES_WITH_HEALTH)
    assert not any(code == "DPR401" for *_rest, code in _json(capsys, "."))
    # every input is as the first run saw it: its project findings are remembered, no file is checked again
    assert checked == []


def test_settings_are_part_of_the_key(project, capsys, checked):
    _project(project)
    assert {code for *_rest, code in _json(capsys, "svc.py")} == {"DPR101"}
    checked.clear()
    assert _json(capsys, "svc.py", "--ignore", "DPR101") == []
    assert checked == ["svc.py"]
    # the same effective settings from the file: the same key
    write(project, "pyproject.toml", '[tool.dapr-lint]\nignore = ["DPR101"]\n')
    checked.clear()
    assert _json(capsys, "svc.py") == []
    assert checked == []
    write(project, "pyproject.toml", "[tool.dapr-lint]\n")
    checked.clear()
    assert {code for *_rest, code in _json(capsys, "svc.py")} == {"DPR101"}
    assert checked == ["svc.py"]


@pytest.mark.slow
def test_warm_run_does_not_import_libcst(project, capsys):
    _project(project)
    script = (
        "import sys\n"
        "from dapr_lint.cli import main\n"
        "code = main(['check', '.', '--jobs', '1', '--quiet'])\n"
        "print('LIBCST' if 'libcst' in sys.modules else 'NO-LIBCST', code)\n"
    )

    def run() -> str:
        done = subprocess.run([sys.executable, "-c", script], cwd=project, capture_output=True, text=True, timeout=120)
        return done.stdout.strip().splitlines()[-1]

    assert run() == "LIBCST 1"  # cold: everything is parsed
    assert run() == "NO-LIBCST 1"  # warm: nothing is
    write(project, "svc.py", BUGGY + "\n")
    assert run() == "LIBCST 1"
    # one named file: the project stage also reads the other files' summaries (from the cache)
    script = script.replace("'.'", "'app.py'")
    assert run().startswith("LIBCST ")
    assert run().startswith("NO-LIBCST ")


@pytest.mark.slow
def test_a_warm_run_of_one_file_imports_no_parser_nor_rule_and_says_what_the_cold_one_said(project):
    """The one-file warm path (an editor's save hook, pre-commit on one file): its answer comes from the cache,
    so it imports neither LibCST nor PyYAML nor a rule module, and its output is the cold run's, byte for byte."""
    _project(project)
    write(project, "components/statestore.yaml", "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: statestore\nspec:\n  type: state.redis\n  version: v1\n  metadata: []\n")
    write(project, "deploy/templates/dep.yaml", "apiVersion: apps/v1\nkind: Deployment\n")
    # nor the summary classes nor the app model: the project memo answers before any summary is read
    heavy = (
        "libcst", "yaml", "dapr_lint.catalog", "dapr_lint.python.rules", "dapr_lint.resources", "dapr_lint.python.model",
        "dapr_lint.summaries", "dapr_lint.project",
    )
    script = (
        "import sys\n"
        "from dapr_lint.cli import main\n"
        "code = main(sys.argv[1:])\n"
        f"print(sorted(m for m in sys.modules if m.startswith({heavy!r})), code, file=sys.stderr)\n"
    )

    def run(*argv: str) -> tuple[str, str]:
        done = subprocess.run([sys.executable, "-c", script, "check", *argv, "--jobs", "1"], cwd=project, capture_output=True, text=True, timeout=120)
        return done.stdout, done.stderr.strip().splitlines()[-1]

    for named in ("svc.py", "."):
        cold_out, cold_modules = run(named, "--no-cache")
        assert "'libcst'" in cold_modules and cold_modules.endswith(" 1")
        run(named)  # fills the cache
        for output_format in ("full", "json"):
            cold_format, _ = run(named, "--no-cache", "--output-format", output_format)
            assert run(named, "--output-format", output_format)[0] == cold_format
        warm_out, warm_modules = run(named)
        assert warm_out == cold_out and "DPR101" in warm_out
        assert warm_modules == "[] 1"


def test_a_kept_run_answers_only_while_nothing_it_may_read_changed(project, capsys, checked, monkeypatch):
    """The run memo (run_memo.py) answers a repeated run before any file is listed; any change under the
    root (a file's text, a new file, the configuration, a `.gitignore`) makes the run go the whole way."""
    import dapr_lint.files

    listed: list[object] = []
    original = dapr_lint.files.discover
    monkeypatch.setattr(dapr_lint.files, "discover", lambda *a, **k: listed.append(a) or original(*a, **k))
    _project(project)
    (project / ".git").mkdir()  # a work tree: .gitignore applies
    cold = _json(capsys, ".")
    _json(capsys, ".")
    assert list((project / CACHE_DIR_NAME).glob("*/runs/*.json"))
    checked.clear()
    listed.clear()
    assert _json(capsys, ".") == cold and checked == [] and listed == []  # answered before the walk
    write(project, "pkg/more.py", BUGGY)  # a new file in a new folder
    assert _json(capsys, ".") == sorted([*cold, ("pkg/more.py", 5, "DPR101")])
    assert listed
    write(project, "pyproject.toml", '[tool.dapr-lint]\nignore = ["DPR101"]\n')  # the configuration
    assert not any(code == "DPR101" for *_rest, code in _json(capsys, "."))
    write(project, "pyproject.toml", "[tool.dapr-lint]\n")
    write(project, ".gitignore", "pkg/\n")  # a file the walk leaves out
    assert _json(capsys, ".") == cold
    write(project, "svc.py", BUGGY.replace("handler", "handlex").replace("with DaprClient() as client:", "if True:\n        client = 1"))
    assert ("svc.py", 5, "DPR101") not in _json(capsys, ".")  # a file's text
    # the one-file run keeps its own answer, the other files' changes included
    write(project, "svc.py", BUGGY)
    one = _json(capsys, "svc.py")
    assert ("svc.py", 5, "DPR101") in one
    _json(capsys, "svc.py")
    checked.clear()
    assert _json(capsys, "svc.py") == one and checked == []


def test_a_kept_run_of_a_folder_without_markers(project, capsys, checked):
    """No `.git`, no pyproject.toml: the folder named is the project, and what it holds is the witness."""
    write(project, "svc.py", BUGGY)
    cold = _json(capsys, ".")
    _json(capsys, ".")
    _json(capsys, ".")
    assert list((project / CACHE_DIR_NAME).glob("*/runs/*.json"))
    write(project, "other.py", BUGGY)
    assert _json(capsys, ".") == sorted([*cold, ("other.py", 5, "DPR101")])


def test_a_run_that_warns_is_not_kept(project, capsys):
    _project(project)
    (project / "broken.py").symlink_to(project / "missing.py")
    for _ in range(3):
        main(["check", ".", "--jobs", "1", "--quiet"])
        assert "broken symbolic link" in capsys.readouterr().err  # said by every run
    assert not list((project / CACHE_DIR_NAME).glob("*/runs/*.json"))


def test_corrupt_and_foreign_entries_are_ignored_and_rewritten(project, capsys, checked):
    _project(project)
    cold = _json(capsys, ".")
    files = next((project / CACHE_DIR_NAME).glob("*/files"))
    # the Python files' entries (pyproject.toml, a dependency file, has one too and is left intact)
    entries = sorted(e for e in files.iterdir() if not str(Cache.path_of_entry(e.name)).endswith("pyproject.toml"))
    assert len(entries) == 3
    entries[0].write_bytes(b"\x00not json")
    entries[1].write_text(json.dumps({"format": 1, "path": "/elsewhere.py", "key": "x"}))
    entries[2].write_text(json.dumps({"format": 1, "path": json.loads(entries[2].read_text())["path"], "key": "x"}))
    for project_entry in next((project / CACHE_DIR_NAME).glob("*/projects")).iterdir():
        project_entry.write_text("[]")
    checked.clear()
    assert _json(capsys, ".") == cold
    assert len(checked) == 3
    checked.clear()
    assert _json(capsys, ".") == cold
    assert checked == []


def test_entries_of_deleted_files_are_pruned(project, capsys):
    _project(project)
    _json(capsys, ".")
    files = next((project / CACHE_DIR_NAME).glob("*/files"))
    assert len(list(files.iterdir())) == 4  # three Python files and pyproject.toml
    (project / "svc.py").unlink()
    _json(capsys, ".")
    remaining = {Cache.path_of_entry(p.name) for p in files.iterdir()}
    assert remaining == {str((project / name).resolve()) for name in ("app.py", "routes.py", "pyproject.toml")}


def test_no_cache_cache_dir_and_environment(project, capsys, monkeypatch):
    _project(project)
    _json(capsys, ".", "--no-cache")
    assert not (project / CACHE_DIR_NAME).exists()
    _json(capsys, ".", "--cache-dir", "elsewhere")
    assert (project / "elsewhere" / ".gitignore").is_file() and not (project / CACHE_DIR_NAME).exists()
    monkeypatch.setenv("DAPR_LINT_CACHE_DIR", str(project / "from-env"))
    _json(capsys, ".")
    assert (project / "from-env" / ".gitignore").is_file() and not (project / CACHE_DIR_NAME).exists()


def test_fix_does_not_trust_the_cache(project, capsys):
    svc = write(project, "svc.py", "from dapr.aio.clients import DaprClient\n\n\nasync def f():\n    async with DaprClient() as c:\n        c.save_state('s', 'k', 'v')\n")
    _json(capsys, "svc.py")
    main(["check", "svc.py", "--fix"])
    capsys.readouterr()
    assert "await c.save_state" in svc.read_text()
    assert _json(capsys, "svc.py") == []


@pytest.mark.slow
def test_concurrent_runs_leave_a_sound_cache(project):
    _project(project)
    for n in range(20):
        write(project, f"pkg/mod_{n}.py", BUGGY.replace("handler", f"handler_{n}"))
    command = [sys.executable, "-m", "dapr_lint", "check", ".", "--output-format", "json", "--jobs", "1"]
    runs = [subprocess.Popen(command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
    outputs = [json.loads(run.communicate(timeout=300)[0]) for run in runs]
    assert outputs[0] == outputs[1] == outputs[2]
    files = next((project / CACHE_DIR_NAME).glob("*/files"))
    for entry in files.iterdir():
        assert not entry.name.startswith(".")  # no temporary file left behind
        json.loads(entry.read_bytes())
    warm = subprocess.run(command, cwd=project, capture_output=True, timeout=300)
    assert json.loads(warm.stdout) == outputs[0]


@dataclass(frozen=True)
class _Typed:
    name: str
    lines: tuple


def test_the_encoding_gives_back_equal_summaries(project, capsys):
    _project(project)
    write(project, "components/statestore.yaml", "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: statestore\nspec:\n  type: state.redis\n  version: v1\n")
    settings = run.summary_settings(Settings(enabled=frozenset(specs.codes())))
    tasks = [FileTask(str(project / name), name, kind) for name, kind in (("app.py", "python"), ("svc.py", "python"), ("components/statestore.yaml", "yaml"))]
    for task in tasks:
        summary = check_file(task, settings).summary
        assert summary is not None
        assert decode(json.loads(json.dumps(encode(summary)))) == summary
    with pytest.raises(TypeError):
        encode(_Typed("x", (1,)))  # a test's class, not a summary's: never named in a cache


def test_decoding_builds_only_summary_classes_of_the_declared_types():
    for data in (
        {"__dataclass__": "os:system", "fields": {}},
        {"__dataclass__": "dapr_lint.codemods:cst.codemod._cli.subprocess.Popen", "fields": {"args": ["true"]}},
        {"@": "Popen", "args": ["true"]},
        {"@": "ModuleSummary", "path": [1]},  # a field of the wrong type
        {"@": "ModuleSummary", "shell": "true"},  # a field the class does not have
        {"@": "Span", "line": 1},  # a class, but not one a summary is
        {"@": "ModuleSummary", "routes": [{"@": "Span"}]},  # a class the field does not take
    ):
        with pytest.raises((ValueError, TypeError)):
            decode(data)
    assert decode({"@": "ModuleSummary", "path": "a.py", "noqa": {"@map": [[3, ["DPR101"]]]}}) == ModuleSummary(path="a.py", noqa={3: ("DPR101",)})
