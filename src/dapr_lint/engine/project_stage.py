"""The project stage: rules over every file's summary, run once in the main process after the per-file stage
(never over trees). A project rule (registry.checks("project")) yields Findings at Locations in the files it
names, through its bound report; the stage positions them and applies the suppressions each file's summary
carries (`# noqa` on the reported line, `per-file-ignores`).

Rule modules import the project package for `Project` (and the registry for `rule`), never this module."""

from __future__ import annotations

import traceback
from dataclasses import replace
from typing import Iterable, Optional

from dapr_lint import registry
from dapr_lint.diagnostics import Diagnostic, FileResult, Finding, InternalError, Location, Related
from dapr_lint.engine import workers
from dapr_lint.engine.demand import reads_async_calls, refines_subscribers, summary_settings
from dapr_lint.engine.file_stage import FileTask, check_file
from dapr_lint.project import Project
from dapr_lint.settings import Settings
from dapr_lint.summaries import ModuleSummary, ResourceSummary, Summary
from dapr_lint.suppressions import ALL, is_suppressed


def run_project_stage(
    results: list[FileResult], settings: Settings, extra: Iterable[Summary] = (), jobs: Optional[int] = None
) -> None:
    """Run the enabled project rules and add their findings to the results of the files they name.
    `extra`: the summaries of the repository files the run did not check (they are read, never reported on).
    A Python file whose routes turn out to receive events is checked again first, in a worker, as the first
    look checked it, knowing which of its functions are subscribers."""
    from dapr_lint import catalog  # noqa: F401  (registers the project rules; here: a cached run does without it)

    checks = [(code, check) for code, check in registry.checks("project").items() if settings.is_enabled(code)]
    refine = refines_subscribers(settings)
    if not checks and not refine:
        return
    extra = _complete_deferred(results, list(extra), settings, jobs)
    every = [r.summary for r in results if r.summary is not None] + list(extra)
    summaries = [s for s in every if isinstance(s, ModuleSummary)]
    if not summaries:
        return
    resources = [s for s in every if isinstance(s, ResourceSummary)]
    project = Project(summaries, resources, settings.resources_paths, settings.root)
    if refine:
        try:
            _refine_subscribers(results, project, settings, jobs)
        except Exception as exc:  # a bug of ours: report it, keep everything else
            results[0].errors.append(
                InternalError("<project>", "subscriber routes", f"{type(exc).__name__}: {exc}", traceback.format_exc())
            )
    by_path = {r.path: r for r in results}
    for code, check in checks:
        try:
            found = list(check(project, settings, registry.reporter(code)))
        except Exception as exc:  # a bug of ours: report it, keep everything else
            results[0].errors.append(
                InternalError("<project>", f"project rule {code}", f"{type(exc).__name__}: {exc}", traceback.format_exc())
            )
            continue
        for finding in found:
            diagnostic = positioned(finding)
            result = by_path.get(diagnostic.path)
            summary = project.by_display.get(diagnostic.path) or project.resources_by_display.get(diagnostic.path)
            if result is None or summary is None or _suppressed(diagnostic, summary):
                continue
            if diagnostic not in result.diagnostics:
                result.diagnostics.append(diagnostic)
                if finding.fix is not None:
                    result.project_fixes.append((diagnostic, finding.fix))


def positioned(finding: Finding) -> Diagnostic:
    """A project finding (at a Location) as the Diagnostic it reports; its fix without the edits."""
    where: Location = finding.at
    span = where.span
    fix = finding.fix.without_edits() if finding.fix is not None else None
    related = tuple(
        Related(at.path, at.span.line, at.span.column, at.span.end_line, at.span.end_column, message)
        for at, message in finding.related
        if isinstance(at, Location)
    )
    return Diagnostic(
        finding.code,
        finding.message,
        where.path,
        span.line,
        span.column,
        span.end_line,
        span.end_column,
        fix,
        finding.severity,
        finding.detail,
        related,
    )


def subscriber_functions(project: Project, summary: ModuleSummary) -> set[str]:
    """The route functions of a module that Dapr delivers events to, by the facts of the module's apps."""
    return project.subscriber_functions(summary)


def blocking_names(summaries: Iterable[Summary]) -> set[str]:
    """The names an async call's target must end in for DPR101 across modules to find a blocking definition
    (rules/clients.py `_imported_definition`, through `Project.resolve`): a function that blocks or hands out a
    client, a class with such a method, property or attribute, then module-level instances of those classes and
    the names that import any of them (re-exports), to a fixed point."""
    modules = [s for s in summaries if isinstance(s, ModuleSummary)]
    found = {name for s in modules for name, entry in s.defs.items() if entry.blocking or entry.returns}
    found.update(
        name for s in modules for name, members in s.classes.items()
        if any(entry.blocking or entry.returns for entry in members.values())
    )
    if not found:
        return found
    links = [(name, target) for s in modules for name, target in [*s.instances.items(), *s.imports.items()]]
    grown = True
    while grown:
        grown = False
        for name, target in links:
            if name not in found and target.rpartition(".")[2] in found:
                found.add(name)
                grown = True
    return found


def completed(
    summaries: list[Summary], settings: Settings, jobs: Optional[int], every: Optional[list[Summary]] = None
) -> list[Summary]:
    """Summaries made for the project stage alone (`summary_settings(settings)`: `dapr-lint apps`, the other files
    of a run's repository), each whose first pass left its async calls out checked again the full way when a rule
    enabled in `settings` reads them and one of them may be a finding (one of its names is among the
    `blocking_names` of `every`, by default the summaries themselves): what the project rules would read had no
    file been spared LibCST."""
    if not reads_async_calls(settings) or not any(_deferred(s) for s in summaries):
        return summaries
    results = [FileResult(s.path, summary=s) for s in summaries]
    _complete(results, summaries if every is None else every, summary_settings(settings), jobs)
    return [r.summary for r in results if r.summary is not None]


def _complete_deferred(results: list[FileResult], extra: list[Summary], settings: Settings, jobs: Optional[int]) -> list[Summary]:
    """`_complete` on the run's results (with the run's settings) and `completed` on the summaries of the
    repository's other files; the other files' summaries, completed."""
    every = [r.summary for r in results if r.summary is not None] + extra
    if not reads_async_calls(settings) or not any(_deferred(s) for s in every):
        return extra
    _complete(results, every, replace(settings, fix_mode=None), jobs)
    return completed(extra, settings, jobs, every)


def _complete(results: list[FileResult], every: list[Summary], settings: Settings, jobs: Optional[int]) -> None:
    """Check the deferred files of `results` that need it again (with `settings`, those that made them)."""
    pending = [r for r in results if _deferred(r.summary)]
    if not pending:
        return
    names = blocking_names(every)
    again = [r for r in pending if names.intersection(r.summary.async_calls_deferred)]  # type: ignore[union-attr, arg-type]
    if not again:
        return
    tasks = [
        FileTask(r.summary.file, r.path, "python", frozenset(r.summary.ignored), complete=True)  # type: ignore[union-attr]
        for r in again
    ]
    for result, fresh in zip(again, workers.check_all(tasks, settings, jobs, check_file)):
        result.summary = fresh.summary
        result.diagnostics = fresh.diagnostics
        result.errors = [*result.errors, *fresh.errors]
        result.warnings = [*result.warnings, *(w for w in fresh.warnings if w not in result.warnings)]


def _deferred(summary: Optional[Summary]) -> bool:
    return isinstance(summary, ModuleSummary) and summary.async_calls_deferred is not None


def _refine_subscribers(results: list[FileResult], project: Project, settings: Settings, jobs: Optional[int]) -> None:
    if settings.fix_mode == "diff":
        return  # the findings are on the fixed text; a second look would read the file as written
    again: list[tuple[FileResult, FileTask]] = []
    for result in results:
        summary = result.summary
        if not isinstance(summary, ModuleSummary) or not summary.handlers:
            continue
        functions = subscriber_functions(project, summary)
        own = {h.function for h in summary.handlers if h.kind == "subscription"}
        if not functions - own:
            continue
        task = FileTask(summary.file, result.path, "python", frozenset(summary.ignored), subscribers=tuple(sorted(functions)))
        again.append((result, task))
    if not again:
        return
    fresh = workers.check_all([task for _, task in again], replace(settings, fix_mode=None), jobs, check_file)
    for (result, _task), second in zip(again, fresh):
        result.diagnostics = second.diagnostics
        result.errors = [*result.errors, *second.errors]


def _suppressed(diagnostic: Diagnostic, summary: Summary) -> bool:
    if diagnostic.code in summary.ignored:
        return True
    noqa = {int(line): (ALL if tuple(codes) == ("*",) else frozenset(codes)) for line, codes in summary.noqa.items()}
    return is_suppressed(diagnostic.code, diagnostic.line, noqa)
