"""The one orchestrator of a run, whatever the mode (check, cached, `--fix`, `--diff`, standard input, the flake8
plugin, an editor buffer), always in this order:

    cache lookup -> file stage for the misses -> project stage -> project fixes -> report

The cache (cache.py) is a plain store this module asks and fills; the stages are file_stage.py (one file) and
project_stage.py (every summary of the run), run in worker processes by workers.py."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Optional

from dapr_lint import reading, specs
from dapr_lint.cache import Cache
from dapr_lint.diagnostics import FileResult
from dapr_lint.engine import workers
from dapr_lint.engine.demand import project_inputs_fingerprint, wants_summary
from dapr_lint.engine.file_stage import FileTask, chart_template, check_file
from dapr_lint.engine.project_stage import run_project_stage
from dapr_lint.files import SourceFile, display_path, kind_of, repository_files
from dapr_lint.project.apps import run_template_context
from dapr_lint.settings import Settings

IgnoredFor = Callable[[Path], frozenset[str]]


def run(
    files: list[SourceFile],
    settings: Settings,
    jobs: Optional[int] = None,
    ignored_for: Optional[IgnoredFor] = None,
    cache: Optional[Cache] = None,
    universe: Optional[list[SourceFile]] = None,
) -> list[FileResult]:
    """Check files: per-file stage, project stage, project fixes. With a `cache` and no fixing, a file whose key
    matches is not checked again, and the project stage's findings are reused when no input changed.
    `universe`: every file of the repositories the files belong to; the project stage reads the summaries of
    those not checked here too, so that a file's findings do not depend on which others the run was given.
    SIGINT, SIGTERM and SIGHUP stop the run (`workers.Interrupted`); with --fix a file being written is
    finished first."""
    with workers.stop_on_signals():
        tasks = [_task(f, ignored_for) for f in files]
        others = _others(files, universe, settings, jobs, ignored_for, cache)
        store = cache if settings.fix_mode is None else None  # a run that changes files keeps nothing
        looked_up = _look_up(tasks, store)
        results = _file_stage(tasks, settings, jobs, store, looked_up)
        _project_stage(results, settings, jobs, store, looked_up, others)
        if settings.fix_mode is not None:
            results = _project_fixes(tasks, results, settings, jobs, others)
        if store is not None:
            store.save_catalog()
            store.prune()
        return results


def check_in_repository(path: Path, settings: Settings, config, data: Optional[bytes] = None, ignored=frozenset()) -> FileResult:
    """One file's whole result as `dapr-lint check .` on its repository gives it: the per-file findings,
    refined by the facts of its apps (routes that receive events), and the project findings of its apps
    (DPR101 across modules, DPR401/DPR402, DPR6xx). The other files of the repository are read through
    their summaries, never run.

    `config`: the file's Config (or a function giving the Config of a path) for exclusions; `data`: the
    file's content when it differs from the disk (an editor buffer)."""
    kind = kind_of(path) or "python"
    named = SourceFile(path, kind, data=data)
    universe = repository_files([SourceFile(path, kind)], config)
    return run([named], settings, jobs=1, ignored_for=lambda _path: frozenset(ignored), universe=universe)[0]


def summarize(
    files: list[SourceFile], settings: Settings, jobs: Optional[int] = None, ignored_for=None, cache=None
) -> list:
    """The summaries of files (the other files of the named files' apps; `dapr-lint apps`), from the cache
    when it holds them."""
    return _others(files, None, settings, jobs, ignored_for, cache, named=False).summaries


def summary_settings(settings: Settings) -> Settings:
    """Settings that build a file's summary and run no per-file rule."""
    # the project rules by the catalog's metadata (the same set the code registers; a run served from the
    # cache knows it without importing the rule modules)
    project_rules = {rule.code for rule in specs.all_rules() if rule.target == "project"}
    codes = frozenset(code for code in settings.enabled if code in project_rules)
    return replace(settings, enabled=codes, fix_mode=None, summaries=True)


# -- the steps ---------------------------------------------------------------------------------------------


def _task(f: SourceFile, ignored_for: Optional[IgnoredFor]) -> FileTask:
    return FileTask(
        str(f.path),
        f.display or display_path(f.path),
        f.kind,
        ignored_for(f.path) if ignored_for is not None else frozenset(),
        f.data,
        chart_template(f.path, f.kind),
    )


@dataclass
class _LookedUp:
    """The cache's answer for each task: its key (None: the file could not be read) and its stored result."""

    absolutes: list[str]
    keys: list[Optional[str]]
    hits: list[Optional[FileResult]]


def _look_up(tasks: list[FileTask], store: Optional[Cache]) -> _LookedUp:
    absolutes = [os.path.abspath(task.path) for task in tasks]
    keys: list[Optional[str]] = [None] * len(tasks)
    hits: list[Optional[FileResult]] = [None] * len(tasks)
    if store is None:
        return _LookedUp(absolutes, keys, hits)
    for index, task in enumerate(tasks):
        data = task.data
        if data is None:
            try:
                data = reading.read_bytes(task.path)
            except OSError:
                continue  # the file stage reports it
        # only a YAML file is a run template (a Python file's `# appDirPath: /` comment names no folder)
        run_template = run_template_context(task.path, data) if task.kind == "yaml" else ()
        context = (("chart",) if task.chart_template else ()) + run_template
        key = store.key_of(task.display, task.kind, task.ignored, data, context)
        keys[index] = key
        hits[index] = store.get(absolutes[index], key)
    return _LookedUp(absolutes, keys, hits)


def _file_stage(
    tasks: list[FileTask], settings: Settings, jobs: Optional[int], store: Optional[Cache], looked_up: _LookedUp
) -> list[FileResult]:
    """The per-file stage for every task the cache does not answer; what it computes is stored."""
    misses = [index for index, hit in enumerate(looked_up.hits) if hit is None]
    fresh = workers.check_all([tasks[index] for index in misses], settings, jobs, check_file)
    results = list(looked_up.hits)
    for index, result in zip(misses, fresh):
        results[index] = result
        key = looked_up.keys[index]
        if store is not None and key is not None:
            store.put(looked_up.absolutes[index], key, result)
    return [r for r in results if r is not None]


@dataclass
class _Others:
    """The summaries of the repository's files the run does not check, and their cache keys (None: some file
    has none, so the project stage's findings are not memoised)."""

    summaries: list
    keys: Optional[list[tuple[str, str]]]


def _others(files, universe, settings: Settings, jobs, ignored_for, cache: Optional[Cache], named: bool = True) -> _Others:
    if named:
        if not universe:
            return _Others([], [])
        checked = {os.path.realpath(f.path) for f in files}
        files = [f for f in universe if os.path.realpath(f.path) not in checked]
        if not files or not wants_summary(settings):
            return _Others([], [])
    only = summary_settings(settings)
    tasks = [replace(_task(f, ignored_for), data=None) for f in files]
    store = cache.child("summaries", only) if cache is not None else None
    looked_up = _look_up(tasks, store)
    results = _file_stage(tasks, only, jobs, store, looked_up)
    if store is not None:
        store.prune()
    keys = list(zip(looked_up.absolutes, looked_up.keys))
    complete = store is not None and all(key is not None for _, key in keys)
    return _Others([r.summary for r in results if r.summary is not None], keys if complete else None)  # type: ignore[arg-type]


def _project_stage(
    results: list[FileResult], settings: Settings, jobs, store: Optional[Cache], looked_up: _LookedUp, others: _Others
) -> None:
    """The project stage over every result, or its stored findings when none of its inputs changed."""
    key = None
    if store is not None and all(k is not None for k in looked_up.keys) and (not others.summaries or others.keys is not None):
        inputs = project_inputs_fingerprint(looked_up.absolutes, settings)
        key = store.project_key(list(zip(looked_up.absolutes, looked_up.keys)), others.keys or (), inputs)  # type: ignore[arg-type]
    if key is not None and all(hit is not None for hit in looked_up.hits):
        memo = store.get_project(key)  # type: ignore[union-attr]
        if memo is not None and set(memo) == {r.path for r in results}:
            for result in results:
                result.diagnostics = memo[result.path]
            return
    run_project_stage(results, settings, others.summaries, jobs)
    if key is not None:
        store.put_project(key, results)  # type: ignore[union-attr]


def _project_fixes(
    tasks: list[FileTask], results: list[FileResult], settings: Settings, jobs, others: _Others
) -> list[FileResult]:
    """Apply the project stage's fixes (a missing health route); after `--fix` changed a file, what is left is
    what a fresh run over the fixed files reports (lines moved, the project rules read the new summaries)."""
    from dapr_lint.engine.fixes import apply_project_fixes

    paths = {task.display: Path(task.path) for task in tasks}
    rewritten = apply_project_fixes(results, settings, paths)
    if settings.fix_mode != "fix" or not (rewritten or any(result.fixed for result in results)):
        return results
    report_only = replace(settings, fix_mode=None)
    fresh_results = workers.check_all(
        [replace(task, data=None) if task.data is None else task for task in tasks], report_only, jobs, check_file
    )
    run_project_stage(fresh_results, report_only, others.summaries, jobs)
    for before, fresh in zip(results, fresh_results):
        fresh.fixed = before.fixed
        fresh.diff = before.diff
        fresh.warnings = before.warnings + [w for w in fresh.warnings if w not in before.warnings]
        fresh.errors = before.errors + [e for e in fresh.errors if e not in before.errors]
    return fresh_results

