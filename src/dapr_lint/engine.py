"""Runs the per-file stage over many files, in worker processes when that pays, and never loses one
file's results to another file's failure."""

from __future__ import annotations

import os
from pathlib import Path
import traceback
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from typing import Optional

from dapr_lint.diagnostics import Diagnostic, FileResult, InternalError
from dapr_lint.files import SourceFile, display_path
from dapr_lint.settings import Settings
from dapr_lint.suppress import is_suppressed, noqa_map, skips_file
from dapr_lint.summaries import ResourceSummary, Summary

# Below this many files a process pool costs more to start than it saves.
_PARALLEL_THRESHOLD = 12


@dataclass(frozen=True)
class FileTask:
    path: str
    display: str
    kind: str
    # codes `per-file-ignores` switches off for this file
    ignored: frozenset[str] = frozenset()
    # the file's content when it does not come from disk (standard input, an editor's unsaved buffer)
    data: Optional[bytes] = None


def check_file(task: FileTask, settings: Settings) -> FileResult:
    """The whole per-file stage for one file; exceptions become InternalErrors, never propagate."""
    try:
        if task.data is not None:
            data = task.data
        else:
            with open(task.path, "rb") as handle:
                data = handle.read()
    except OSError as exc:
        result = FileResult(task.display)
        result.errors.append(InternalError(task.display, "reading the file", exc.strerror or str(exc)))
        return result
    try:
        text = _decode(data)
        if skips_file(text):
            return FileResult(task.display)
        if task.kind == "python":
            from dapr_lint.python.analyzer import analyze_python

            fixed: list[str] = []
            fix_errors: list[InternalError] = []
            diff, original = None, data
            if settings.fix_mode is not None:
                data, fixed, diff, fix_errors = _fix(task, data, settings)
                text = _decode(data)
            result = analyze_python(task.display, data, settings)
            result.fixed, result.diff = fixed, diff
            result.errors.extend(e for e in fix_errors if not isinstance(e, _Refusal))
            result.warnings.extend(e.message for e in fix_errors if isinstance(e, _Refusal))
            if settings.fix_mode == "diff" and data != original:
                # project fixes (a missing health route) build on this text; the diff starts from the file
                result.fixed_data, result.original_data = data, original
        else:
            result = FileResult(task.display, diagnostics=_analyze_yaml(task.display, data, settings))
            result.summary = _resource_summary(task, data, settings)
        _filter(result, text, task.ignored)
        if result.summary is not None:
            result.summary = _annotate_summary(result.summary, task, text)
        return result
    except Exception as exc:
        result = FileResult(task.display)
        result.errors.append(
            InternalError(task.display, f"the {task.kind} checker", f"{type(exc).__name__}: {exc}", traceback.format_exc())
        )
        return result


class _Refusal(InternalError):
    """A fix dropped because its result would not compile: reported as a warning, not an internal error."""


def _fix(task: FileTask, data: bytes, settings: Settings) -> tuple[bytes, list[str], Optional[str], list[InternalError]]:
    """Fix one Python file. Returns the text to report on (the fixed text when it was written), the
    codes fixed, the diff (--diff), and any problem met."""
    from pathlib import Path

    from dapr_lint.fix import fix_python, unified_diff, write_atomic

    outcome = fix_python(task.display, data, settings, task.ignored)
    errors = [InternalError(task.display, "fixing", problem) for problem in outcome.problems]
    # a fix whose result would not compile was dropped: a warning, and its finding is still reported
    errors.extend(_Refusal(task.display, "fixing", message) for message in outcome.refused)
    if outcome.data == data:
        return data, [], None, errors
    if settings.fix_mode == "diff":
        # what is left is reported on the fixed text (never written), so positions match the diff
        return outcome.data, outcome.applied, unified_diff(task.display, data, outcome.data), errors
    try:
        write_atomic(Path(task.path), outcome.data)
    except OSError as exc:
        errors.append(InternalError(task.display, "writing the fixed file", f"{exc.strerror or exc}; the file is unchanged"))
        return data, [], None, errors
    return outcome.data, outcome.applied, None, errors


def _resource_summary(task: FileTask, data: bytes, settings: Settings) -> Optional[ResourceSummary]:
    """What a YAML file tells the project stage: the resources it declares, the apps it runs or deploys."""
    from dapr_lint.project import wants_summary

    if not wants_summary(settings):
        return None
    try:
        from dapr_lint.resources import _deployed_to_kubernetes
        from dapr_lint.resources.summary import resource_summary
    except ModuleNotFoundError:
        return None
    text = data.decode("utf-8", "replace")
    return resource_summary(os.path.abspath(task.path), data, _deployed_to_kubernetes(task.display, text))


def _analyze_yaml(display: str, data: bytes, settings: Settings) -> list[Diagnostic]:
    try:
        from dapr_lint.resources import analyze_yaml
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("dapr_lint.resources"):
            return []  # resource checks not installed in this build
        raise
    return list(analyze_yaml(display, data, settings))


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", errors="replace")


def _filter(result: FileResult, text: str, ignored: frozenset[str]) -> None:
    if not result.diagnostics:
        return
    noqa = noqa_map(text)
    result.diagnostics = [
        d
        for d in result.diagnostics
        if d.code not in ignored and not is_suppressed(d.code, d.line, noqa)
    ]


def _annotate_summary(summary: Summary, task: FileTask, text: str) -> Summary:
    """Where the file lives and what its noqa comments and per-file-ignores silence, so that the project
    stage can report in this file without reading it again."""
    noqa = noqa_map(text)
    if isinstance(summary, ResourceSummary):
        return replace(
            summary,
            path=task.display,
            file=os.path.abspath(task.path),
            ignored=tuple(sorted(task.ignored)),
            noqa={line: tuple(sorted(codes)) for line, codes in sorted(noqa.items())},
        )
    lines = {item.span.line for item in summary.objects.values()}
    lines.update(item.span.line for item in summary.async_calls)
    lines.update(item.span.line for item in summary.components)
    return replace(
        summary,
        path=task.display,
        file=os.path.abspath(task.path),
        ignored=tuple(sorted(task.ignored)),
        noqa={line: tuple(sorted(noqa[line])) for line in sorted(lines) if line in noqa},
    )


# -- running many files ------------------------------------------------------------------------------

_worker_settings: Optional[Settings] = None


def _init_worker(settings: Settings) -> None:
    global _worker_settings
    _worker_settings = settings


def _check_chunk(tasks: list[FileTask]) -> list[FileResult]:
    assert _worker_settings is not None
    return [check_file(task, _worker_settings) for task in tasks]


def run(
    files: list[SourceFile],
    settings: Settings,
    jobs: Optional[int] = None,
    ignored_for=None,
    cache=None,
    universe: Optional[list[SourceFile]] = None,
) -> list[FileResult]:
    """Check files (the per-file stage, then the project stage, then project fixes). With a `cache`
    (cache.Cache) and no fixing, files whose key matches are not checked again. `universe`: every file of
    the repositories the files belong to; the project stage reads the summaries of those not checked here
    too, so that a file's findings do not depend on which others the run was given."""
    tasks = [
        FileTask(
            str(f.path),
            f.display or display_path(f.path),
            f.kind,
            ignored_for(f.path) if ignored_for is not None else frozenset(),
            f.data,
        )
        for f in files
    ]
    extra: list = []
    if universe:
        named = {os.path.realpath(f.path) for f in files}
        rest = [f for f in universe if os.path.realpath(f.path) not in named]
        if rest:
            from dapr_lint.project import wants_summary

            if wants_summary(settings):
                extra = summarize(rest, settings, jobs, ignored_for, cache)
    if cache is not None and settings.fix_mode is None:
        from dapr_lint.cache import run_cached

        return run_cached(tasks, settings, cache, lambda todo: _check_all(todo, settings, jobs), extra=extra)
    results = _check_all(tasks, settings, jobs)
    from dapr_lint.project import run_project_stage

    run_project_stage(results, settings, extra)
    if settings.fix_mode is not None:
        from dapr_lint.fix import apply_project_fixes

        by_display = {task.display: task for task in tasks}
        rewritten = apply_project_fixes(results, settings, {d: Path(t.path) for d, t in by_display.items()})
        if settings.fix_mode == "fix":
            # lines moved in the files a project fix rewrote: report what is left from their new text
            report_only = replace(settings, fix_mode=None)
            for result in results:
                if result.path in rewritten:
                    fresh = check_file(by_display[result.path], report_only)
                    project_left = [d for d in result.diagnostics if d.code in rewritten[result.path]]
                    result.diagnostics = fresh.diagnostics + project_left
                    result.errors.extend(fresh.errors)
    return results


def summary_settings(settings: Settings) -> Settings:
    """Settings that build a file's summary and run no per-file rule."""
    from dapr_lint.project import PROJECT_RULES

    codes = {code for code in settings.enabled if code in PROJECT_RULES} or {"DPR401"}
    return replace(settings, enabled=frozenset(codes), fix_mode=None)


def summarize(files: list[SourceFile], settings: Settings, jobs: Optional[int] = None, ignored_for=None, cache=None) -> list:
    """The summaries of files the run does not check (the other files of the named files' apps), from the
    cache when it holds them."""
    only = summary_settings(settings)
    tasks = [
        FileTask(str(f.path), f.display or display_path(f.path), f.kind, ignored_for(f.path) if ignored_for is not None else frozenset())
        for f in files
    ]
    if cache is not None:
        from dapr_lint.cache import Cache, run_cached

        store = Cache(cache.directory / "summaries", only)
        results = run_cached(tasks, only, store, lambda todo: _check_all(todo, only, jobs), project=False)
    else:
        results = _check_all(tasks, only, jobs)
    return [r.summary for r in results if r.summary is not None]


def _check_all(tasks: list[FileTask], settings: Settings, jobs: Optional[int]) -> list[FileResult]:
    """The per-file stage over every task, in worker processes when that pays."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(tasks) < _PARALLEL_THRESHOLD:
        return [check_file(task, settings) for task in tasks]
    return _run_parallel(tasks, settings, workers)


def _run_parallel(tasks: list[FileTask], settings: Settings, workers: int) -> list[FileResult]:
    # Several chunks per worker balance uneven files; chunks keep the pickling overhead small.
    size = max(1, min(64, len(tasks) // (workers * 4) or 1))
    chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
    results: list[Optional[list[FileResult]]] = [None] * len(chunks)
    try:
        with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(settings,)) as pool:
            futures = [pool.submit(_check_chunk, chunk) for chunk in chunks]
            for index, future in enumerate(futures):
                try:
                    results[index] = future.result()
                except BrokenProcessPool:
                    break
                except Exception:
                    results[index] = None
    except (BrokenProcessPool, OSError):
        pass
    flat: list[FileResult] = []
    for index, chunk in enumerate(chunks):
        chunk_results = results[index]
        if chunk_results is None:
            # A worker died (or could not start): check that chunk here, file by file.
            chunk_results = [check_file(task, settings) for task in chunk]
        flat.extend(chunk_results)
    return flat
