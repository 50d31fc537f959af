"""The project stage: rules over every file's summary, run once in the main process after the per-file stage
(never over trees). A project rule (registry.checks("project")) yields Findings at Locations in the files it
names, through its bound report; the stage positions them and applies the suppressions each file's summary
carries (`# noqa` on the reported line, `per-file-ignores`).

The engine side imports this module (engine, cache, analyzer); rule modules import the project package for
`Project` (and the registry for `rule`), never this module."""

from __future__ import annotations

import traceback
from dataclasses import replace
from typing import Callable, Iterable

from dapr_lint import registry
from dapr_lint.diagnostics import Diagnostic, FileResult, Finding, InternalError, Location, Related
from dapr_lint.project import Project
from dapr_lint.project.run_files import RULES_READING_RUN_FILES, run_files_fingerprint
from dapr_lint.settings import Settings
from dapr_lint.summaries import ModuleSummary, ResourceSummary, Summary
from dapr_lint.suppress import ALL, is_suppressed


def project_inputs_fingerprint(files: list[str], settings: Settings) -> str:
    """A fingerprint of the files project rules read besides the run's own (run files: Dockerfile, Procfile,
    scripts), so that a cached project result is reused only when those did not change either."""
    if not any(settings.is_enabled(code) for code in RULES_READING_RUN_FILES):
        return ""
    return run_files_fingerprint(files, settings.root)


def wants_summary(settings: Settings) -> bool:
    """Whether the per-file stage must build summaries: some project rule is enabled."""
    return any(settings.is_enabled(code) for code in summary_codes())


def summary_codes() -> frozenset[str]:
    """The codes that need summaries. From the catalog a cached run saved when the rule modules are not
    imported (so that a run served from the cache does not import them, nor LibCST), else from the code."""
    saved = registry.saved_summary_codes()
    if saved is not None:
        return saved
    from dapr_lint import catalog  # noqa: F401  (registers the project rules; here: a cached run does without it)

    return frozenset((*registry.checks("project"), *REFINED_BY_SUBSCRIPTIONS))


# Per-file rules whose findings change when a route turns out to receive events (a declarative Subscription of
# the app, a `GET /dapr/subscribe` in another module of the app, a router prefix): the subscriber rules apply
# to it, the route-only ones (DPR411) spare it. Only the project stage sees those facts: it checks such a file
# again, telling the model which route functions are subscribers. (DPR301 is a project rule: it asks the Project.)
REFINED_BY_SUBSCRIPTIONS = frozenset({"DPR304", "DPR403", "DPR404", "DPR406", "DPR408", "DPR411"})


# Check one Python file again as the run checked it (in a worker, under the time budget): (path, display path,
# ignored codes, settings) -> its result. The engine gives it (engine.run_project_stage).
Recheck = Callable[[str, str, frozenset[str], Settings], FileResult]


def run_project_stage(results: list[FileResult], settings: Settings, extra: Iterable[Summary] = (), *, recheck: Recheck) -> None:
    """Run the enabled project rules and add their findings to the results of the files they name.
    `extra`: the summaries of the repository files the run did not check (they are read, never reported on).
    `recheck`: how a file whose routes turn out to receive events is checked again."""
    from dapr_lint import catalog  # noqa: F401  (registers the project rules; here: a cached run does without it)

    checks = [(code, check) for code, check in registry.checks("project").items() if settings.is_enabled(code)]
    refine = any(settings.is_enabled(code) for code in REFINED_BY_SUBSCRIPTIONS)
    if not checks and not refine:
        return
    every = [r.summary for r in results if r.summary is not None] + list(extra)
    summaries = [s for s in every if isinstance(s, ModuleSummary)]
    if not summaries:
        return
    resources = [s for s in every if isinstance(s, ResourceSummary)]
    project = Project(summaries, resources, settings.resources_paths, settings.root)
    if refine:
        try:
            _refine_subscribers(results, project, settings, recheck)
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


def _refine_subscribers(results: list[FileResult], project: Project, settings: Settings, recheck: Recheck) -> None:
    if settings.fix_mode == "diff":
        return  # the findings are on the fixed text; a second look would read the file as written
    for result in results:
        summary = result.summary
        if not isinstance(summary, ModuleSummary) or not summary.handlers:
            continue
        functions = subscriber_functions(project, summary)
        own = {h.function for h in summary.handlers if h.kind == "subscription"}
        if not functions - own:
            continue
        options = dict(settings.options)
        options["subscriber-functions"] = tuple(sorted(functions))
        again = recheck(summary.file, result.path, frozenset(summary.ignored), replace(settings, options=options, fix_mode=None))
        result.diagnostics = again.diagnostics
        result.errors = [*result.errors, *again.errors]


def _suppressed(diagnostic: Diagnostic, summary: Summary) -> bool:
    if diagnostic.code in summary.ignored:
        return True
    noqa = {int(line): (ALL if tuple(codes) == ("*",) else frozenset(codes)) for line, codes in summary.noqa.items()}
    return is_suppressed(diagnostic.code, diagnostic.line, noqa)
