"""The one orchestrator of a run, whatever the mode (check, cached, `--fix`, `--diff`, standard input, the flake8
plugin, an editor buffer), always in this order:

    cache lookup -> file stage for the misses -> project stage -> project fixes -> report

The cache (cache.py) is a plain store this module asks and fills; the stages are file_stage.py (one file) and
project_stage.py (every summary of the run), run in worker processes by workers.py."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

from dapr_lint import reading
from dapr_lint.config import real_path
from dapr_lint.diagnostics import FileResult
from dapr_lint.engine import workers
from dapr_lint.engine.demand import project_inputs_fingerprint, summary_settings, wants_summary
from dapr_lint.engine.file_stage import FileTask, chart_template, check_file
from dapr_lint.files import SourceFile, display_path, kind_of, repository_files
from dapr_lint.python.dependencies import locked_dapr_beside
from dapr_lint.settings import Settings

if TYPE_CHECKING:  # a run without the cache (--no-cache, --fix, the editor) never imports it
    from dapr_lint.cache import Cache

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
        store = cache if settings.fix_mode is None else None  # a run that changes files keeps nothing
        others = _Others.of(files, universe, settings, ignored_for, cache)
        mine = _Keys.of(tasks, store, settings)
        key = _project_key(settings, store, mine, others)
        results = _remembered(tasks, store, key)
        if results is None:
            from dapr_lint.engine.project_stage import run_project_stage  # here: a run the memo answers needs no app model

            results = _file_stage(tasks, settings, jobs, store, mine)
            run_project_stage(results, settings, others.summarized(jobs), jobs)
            if store is not None and key is not None and not any(r.warnings for r in results):
                store.put_project(key, results)  # a warning is said again by every run: never remembered
            if store is not None:
                store.save_catalog()
                store.prune()  # a file removed since changes the run's keys: only a run that missed prunes
            if others.store is not None:
                others.store.prune()
        if settings.fix_mode is not None:
            results = _project_fixes(tasks, results, settings, jobs, others.summarized(jobs))
        if store is not None:
            mine.save(store)
        if others.store is not None:
            others.keys.save(others.store)
        workers.reap()
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


def summarize(files: list[SourceFile], settings: Settings, jobs: Optional[int] = None, ignored_for=None) -> list:
    """The summaries of files (`dapr-lint apps`)."""
    only = summary_settings(settings)
    summaries = _Others([replace(_task(f, ignored_for), data=None) for f in files], only, None).summarized(jobs)
    workers.reap()
    return summaries


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


class _Keys:
    """The cache key of each task (None: no cache, or the file could not be read). A file whose size and
    modification time match the cache's stat index keeps its indexed key: it is neither read nor hashed."""

    def __init__(
        self, absolutes: list[str], keys: list[Optional[str]], index: dict[str, list], indexed: dict[str, list]
    ) -> None:
        self.absolutes = absolutes
        self.keys = keys
        self.index = index  # the stat index as the run found it
        self.indexed = indexed  # the entries this run confirmed or made, for the next run's index

    @classmethod
    def of(cls, tasks: list[FileTask], store: Optional[Cache], settings: Settings) -> "_Keys":
        absolutes = [os.path.abspath(task.path) for task in tasks]
        keys: list[Optional[str]] = [None] * len(tasks)
        indexed: dict[str, list] = {}
        if store is None:
            return cls(absolutes, keys, {}, indexed)
        index = store.read_index()
        for position, task in enumerate(tasks):
            absolute = absolutes[position]
            data = task.data
            seen: Optional[list] = None
            if data is None:
                try:
                    info = os.stat(task.path)
                except OSError:
                    continue  # the file stage reports it
                # the SDK pin of the file's folder: editing a requirements file changes what DPR108/DPR109 say
                pin = repr(settings.sdk_at(task.display)) if task.kind == "python" and settings.sdk_by_folder else None
                seen = [info.st_size, info.st_mtime_ns, task.display, task.kind, sorted(task.ignored), task.chart_template, pin]
                known = index.get(absolute)
                if known is not None and known[:7] == seen:
                    keys[position] = known[7]
                    indexed[absolute] = known
                    continue
                try:
                    data = reading.read_bytes(task.path)
                except OSError:
                    continue
            context: tuple = ("chart",) if task.chart_template else ()
            if task.kind == "python" and settings.sdk_by_folder:  # the SDK the file's project pins (DPR108, DPR109)
                context += (("sdk", repr(settings.sdk_at(task.display))),)
            if task.kind == "dependencies":  # the lock beside a manifest decides what DPR110 says of it
                context += (("locked-dapr", locked_dapr_beside(task.path)),)
            key = keys[position] = store.key_of(task.display, task.kind, task.ignored, data, context)
            # a manifest's key also depends on its lock file: not by stat alone
            if seen is not None and task.kind != "dependencies":
                indexed[absolute] = [*seen, key]
        return cls(absolutes, keys, index, indexed)

    def complete(self) -> bool:
        return all(key is not None for key in self.keys)

    def pairs(self) -> list[tuple[str, str]]:
        return [(absolute, key) for absolute, key in zip(self.absolutes, self.keys) if key is not None]

    def save(self, store: Cache) -> None:
        """Keep this run's stat index entries (with those of files other runs saw)."""
        if any(self.index.get(absolute) != entry for absolute, entry in self.indexed.items()):
            store.write_index({**self.index, **self.indexed})


def _file_stage(tasks: list[FileTask], settings: Settings, jobs: Optional[int], store: Optional[Cache], keys: _Keys) -> list[FileResult]:
    """The stored result of each task whose key the cache holds, the per-file stage for the others (and what it
    computes is stored)."""
    results: list[Optional[FileResult]] = [None] * len(tasks)
    if store is not None:
        for position, key in enumerate(keys.keys):
            if key is not None:
                results[position] = store.get(keys.absolutes[position], key)
    misses = [position for position, result in enumerate(results) if result is None]
    fresh = workers.check_all([tasks[position] for position in misses], settings, jobs, check_file)
    for position, result in zip(misses, fresh):
        results[position] = result
        key = keys.keys[position]
        if store is not None and key is not None:
            store.put(keys.absolutes[position], key, result)
    return [r for r in results if r is not None]


class _Others:
    """The other files of the repositories of a run (the project stage reads their summaries, never reports on
    them): their keys at once, their summaries only when the project stage runs."""

    def __init__(self, tasks: list[FileTask], settings: Settings, store: Optional[Cache]) -> None:
        self.tasks = tasks
        self.settings = settings
        self.store = store
        self.keys = _Keys.of(tasks, store, settings)
        self._summaries: Optional[list] = None

    @classmethod
    def of(cls, files, universe, settings: Settings, ignored_for, cache: Optional[Cache]) -> "_Others":
        only = summary_settings(settings)
        rest: list[SourceFile] = []
        if universe and wants_summary(settings):
            checked = {real_path(f.path) for f in files}
            rest = [f for f in universe if real_path(f.path) not in checked]
        tasks = [replace(_task(f, ignored_for), data=None) for f in rest]
        store = cache.child("summaries", only) if cache is not None and tasks else None
        return cls(tasks, only, store)

    def summarized(self, jobs: Optional[int]) -> list:
        """Their summaries, from the cache when it holds them."""
        if self._summaries is None:
            results = _file_stage(self.tasks, self.settings, jobs, self.store, self.keys)
            self._summaries = [r.summary for r in results if r.summary is not None]
        return self._summaries

    def memo_keys(self) -> Optional[list[tuple[str, str]]]:
        """Their keys, for the project stage's memo; None when they cannot key it (no cache, a file unread)."""
        if not self.tasks:
            return []
        if self.store is None or not self.keys.complete():
            return None
        return self.keys.pairs()


def _project_key(settings: Settings, store: Optional[Cache], mine: _Keys, others: _Others) -> Optional[str]:
    if store is None or not mine.complete():
        return None
    others_keys = others.memo_keys()
    if others_keys is None and others.summarized(None):
        return None  # the project stage reads summaries no key stands for
    inputs = project_inputs_fingerprint(mine.absolutes, settings)
    return store.project_key(mine.pairs(), others_keys or (), inputs)


def _remembered(tasks: list[FileTask], store: Optional[Cache], key: Optional[str]) -> Optional[list[FileResult]]:
    """The run's results from the project stage's memo, when no input of the run changed: no file is read."""
    memo = store.get_project(key) if store is not None and key is not None else None
    if memo is None or set(memo) != {task.display for task in tasks}:
        return None
    return [FileResult(task.display, diagnostics=memo[task.display]) for task in tasks]


def _project_fixes(tasks: list[FileTask], results: list[FileResult], settings: Settings, jobs, others: list) -> list[FileResult]:
    """Apply the project stage's fixes (a missing health route); after `--fix` changed a file, what is left is
    what a fresh run over the fixed files reports (lines moved, the project rules read the new summaries)."""
    from dapr_lint.engine.fixes import apply_project_fixes
    from dapr_lint.engine.project_stage import run_project_stage

    paths = {task.display: Path(task.path) for task in tasks}
    rewritten = apply_project_fixes(results, settings, paths)
    if settings.fix_mode != "fix" or not (rewritten or any(result.fixed for result in results)):
        return results
    report_only = replace(settings, fix_mode=None)
    fresh_results = workers.check_all(
        [replace(task, data=None) if task.data is None else task for task in tasks], report_only, jobs, check_file
    )
    run_project_stage(fresh_results, report_only, others, jobs)
    for before, fresh in zip(results, fresh_results):
        fresh.fixed = before.fixed
        fresh.diff = before.diff
        fresh.warnings = before.warnings + [w for w in fresh.warnings if w not in before.warnings]
        fresh.errors = before.errors + [e for e in fresh.errors if e not in before.errors]
    return fresh_results

