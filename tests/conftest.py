from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

import dapr_lint.catalog  # noqa: F401  (the tests read the registry directly: every rule registered)
from dapr_lint import registry
from dapr_lint.engine import workers
from dapr_lint.engine.file_stage import FileTask, check_file
from dapr_lint.engine.project_stage import run_project_stage
from dapr_lint.settings import Settings
from markers import expected_findings  # noqa: F401  (re-exported for the tests)

FIXTURES = Path(__file__).parent / "fixtures"


def load_script(relative: str):
    """A script of the repository (`benchmarks/cold.py`, `scripts/gen_gate_names.py`) as a module, its `__main__`
    part not run."""
    path = Path(__file__).resolve().parent.parent / relative
    spec = importlib.util.spec_from_file_location(f"{path.parent.name}_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def spy_on_check_file(monkeypatch, *modules) -> list[str]:
    """The display paths of the files the per-file stage checks through `check_file` as each of `modules` (the
    engine modules that import it) calls it, in order."""
    seen: list[str] = []

    def spy(task, settings):
        seen.append(task.display)
        return check_file(task, settings)

    for module in modules:
        monkeypatch.setattr(module, "check_file", spy)
    return seen


def pytest_addoption(parser):
    parser.addoption(
        "--snapshot-update",
        action="store_true",
        default=False,
        help="rewrite tests/snapshots/ from what the fixtures report now (see tests/snapshots.py)",
    )


_SELECT = re.compile(r"#\s*fixture-select:\s*([A-Z0-9,\s]+)")
_CODE_IN_NAME = re.compile(r"^(DPR\d{3})")


def fixture_codes(path: Path, text: str) -> frozenset[str]:
    """The codes a fixture is checked for: its `# fixture-select:` header, else the code its name starts with."""
    for line in text.splitlines()[:10]:
        match = _SELECT.search(line)
        if match:
            selectors = [s for s in re.split(r"[,\s]+", match.group(1)) if s]
            codes = set()
            for selector in selectors:
                codes.update(registry.matching(selector, registry.codes()))
            return frozenset(codes)
    if path.suffix in (".yaml", ".yml"):
        # Resource fixtures are checked against every resource rule: a valid file must produce nothing.
        return frozenset(r.code for r in registry.all_rules() if r.target in ("yaml", "any"))
    match = _CODE_IN_NAME.match(path.name)
    assert match, f"{path.name}: name it DPRxxx_... or add a `# fixture-select:` header"
    return frozenset({match.group(1)})


def lint(path: Path, codes: frozenset[str], options: dict | None = None):
    from dapr_lint.config import OPTIONS
    from dapr_lint.files import kind_of

    merged = {key: spec.default for key, spec in OPTIONS.items()}
    merged.update(options or {})
    kind = kind_of(path) or "python"
    settings = Settings(enabled=codes, options=merged)
    display = path.relative_to(FIXTURES).as_posix() if path.is_relative_to(FIXTURES) else path.name
    result = check_file(FileTask(str(path), display, kind), settings)
    # Project rules (DPR401/DPR402) see the fixture as a project of one file.
    run_project_stage([result], settings)
    return result


@pytest.fixture(autouse=True)
def _files_checked_in_this_process(request, monkeypatch):
    """Files are checked in the test's own process (the way a platform without `fork` checks them), unless the
    test is marked `pool`. A fork of the test process costs ~20 ms (it holds every module and fixture the run has
    loaded): 600 of them were a third of `pytest -m "not slow"`. And a forked child of a process running gRPC
    threads (the stand-in sidecar's, an earlier test's) can hang. The pool has its own tests (marked `pool`), and
    tests/test_pool.py holds it to what this process gives on every fixture and example."""
    if request.node.get_closest_marker("pool") is None:
        monkeypatch.setattr(workers, "_ISOLATE", False)


@pytest.fixture(autouse=True)
def _cache_of_this_test(tmp_path_factory, monkeypatch):
    """A run that keeps a cache keeps it in a folder of this test's own (`DAPR_LINT_CACHE_DIR`), never in the
    repository (a fixture project's `.dapr-lint_cache`) nor in another test's. A test of where the cache goes
    by default uses `default_cache_folder`."""
    monkeypatch.setenv("DAPR_LINT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def default_cache_folder(monkeypatch):
    """The cache where a run puts it when nothing says otherwise (the project's `.dapr-lint_cache`)."""
    monkeypatch.delenv("DAPR_LINT_CACHE_DIR", raising=False)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """An empty project folder that is also the working directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def best_of(repeat: int, function) -> float:
    """The shortest of `repeat` timings of `function()`, in CPU seconds of this process (for growth ratios, never
    asserted alone). CPU time, not the wall clock: on a loaded machine the longer of two timed calls is the likelier
    to be descheduled, which inflated wall-clock growth ratios (12x for a linear build at load 10 on 2 cores)."""
    import time

    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        function()
        best = min(best, time.process_time() - start)
    return best


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# What users read on a line is one short sentence: what is wrong and what happens (the remedy and the evidence
# are the finding's detail, shown by `--output-format full`, the editor's hover and JSON).
MESSAGE_LIMIT = 120
# Messages being rewritten with the application model's work, and a new rule whose author brings it under the
# limit (they keep to it when they land); remove a code here once its messages fit.
LONG_MESSAGES_PENDING = frozenset({"DPR414", "DPR604", "DPR608", "DPR709"})


def long_messages(findings) -> list[str]:
    """The findings (Diagnostics, or the JSON output's dicts) whose message is over MESSAGE_LIMIT."""
    found = []
    for f in findings:
        code, message = (f["code"], f["message"]) if isinstance(f, dict) else (f.code, f.message)
        if len(message) > MESSAGE_LIMIT and code not in LONG_MESSAGES_PENDING:
            found.append(f"{code} ({len(message)} characters): {message}")
    return found
