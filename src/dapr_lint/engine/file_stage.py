"""The per-file stage: one file's read, checks (Python or resource YAML), fixes when asked, suppressions and
the summary the project stage reads. A failure becomes the file's InternalError, never another file's loss."""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Optional

from dapr_lint import reading
from dapr_lint.diagnostics import Diagnostic, FileResult, InternalError
from dapr_lint.engine.demand import wants_summary
from dapr_lint.roots import in_helm_chart
from dapr_lint.settings import Settings
from dapr_lint.suppressions import is_suppressed, noqa_map, skips_file

if TYPE_CHECKING:  # imported where a file is checked: a run the cache serves needs no summary class
    from dapr_lint.summaries import Summary

# In `FileTask.ignored`: the file is test code (`test-paths`), which --fix never rewrites (config.NO_FIX).
NO_FIX = "no-fix"


@dataclass(frozen=True)
class FileTask:
    path: str
    display: str
    kind: str
    # codes `per-file-ignores` switches off for this file
    ignored: frozenset[str] = frozenset()
    # the file's content when it does not come from disk (standard input, an editor's unsaved buffer)
    data: Optional[bytes] = None
    # a YAML file in a Helm chart's `templates/` folder: Kubernetes manifests (roots.in_helm_chart)
    chart_template: bool = False
    # the route functions of a Python file that Dapr delivers events to, as the project stage found them (a
    # Subscription of the file's app names their routes): the subscriber rules apply to them
    subscribers: tuple[str, ...] = ()
    # the project stage asks for what the first pass of this file left to it (ModuleSummary.async_calls_deferred)
    complete: bool = False


def check_file(task: FileTask, settings: Settings) -> FileResult:
    """The whole per-file stage for one file; exceptions become InternalErrors, never propagate."""
    try:
        if task.data is not None:
            data = task.data
        else:
            data = reading.read_bytes(task.path)
    except OSError as exc:
        result = FileResult(task.display)
        result.errors.append(InternalError(task.display, "reading the file", exc.strerror or str(exc)))
        return result
    try:
        text = decode(data)
        if skips_file(text):
            return FileResult(task.display)
        if task.kind == "python":
            from dapr_lint.engine.python_stage import analyze_python

            fixed: list[str] = []
            fix_errors: list[InternalError] = []
            diff, original = None, data
            if settings.fix_mode is not None and NO_FIX not in task.ignored:
                data, fixed, diff, fix_errors = _fix(task, data, settings)
                text = decode(data)
            # the first pass may leave the summary's async calls to the project stage, which can check the file
            # again as it is on disk (text fixed in memory, a buffer, are not)
            defer = not task.complete and task.data is None and settings.fix_mode is None
            result = analyze_python(task.display, data, settings, task.subscribers, defer=defer)
            result.fixed, result.diff = fixed, diff
            result.errors.extend(e for e in fix_errors if not isinstance(e, _Refusal))
            result.warnings.extend(e.message for e in fix_errors if isinstance(e, _Refusal))
            if settings.fix_mode == "diff" and (data != original or task.data is not None):
                # project fixes (a missing health route) build on this text; the diff starts from the file.
                # Text not from disk (standard input, an editor's buffer) is kept even when unchanged: the
                # project fixes must apply to it, not to whatever the file on disk holds.
                result.fixed_data, result.original_data = data, original
        elif task.kind == "dependencies":
            result = FileResult(task.display, diagnostics=_check_dependencies(task, text, settings))
        else:
            result = _check_yaml(task, data, settings)
        _filter(result, text, task.ignored)
        if result.summary is not None:
            result.summary = _annotate_summary(result.summary, task, text)
        return result
    except MemoryError:
        raise  # the worker reports it (engine.workers): the limit is the worker's
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

    from dapr_lint.engine.fixes import NotWritten, fix_python, unified_diff, write_atomic

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
        write_atomic(Path(task.path), outcome.data, expected=data)
    except NotWritten as exc:
        return data, [], None, [*errors, _Refusal(task.display, "writing the fixed file", f"not fixed: {exc}")]
    except OSError as exc:
        errors.append(InternalError(task.display, "writing the fixed file", f"{exc.strerror or exc}; the file is unchanged"))
        return data, [], None, errors
    return outcome.data, outcome.applied, None, errors


def _check_yaml(task: FileTask, data: bytes, settings: Settings) -> FileResult:
    """A YAML file's findings and, when a project rule wants it, its summary (the resources it declares, the apps
    it runs or deploys), from one load of its documents."""
    from dapr_lint.resources import _deployed_to_kubernetes, analyze_yaml
    from dapr_lint.resources.loader import DocumentsOnce
    from dapr_lint.resources.summary import resource_summary

    load = DocumentsOnce()
    result = FileResult(task.display, diagnostics=list(analyze_yaml(task.display, data, settings, task.chart_template, load)))
    if wants_summary(settings):
        text = data.decode("utf-8", "replace")
        kubernetes = _deployed_to_kubernetes(task.display, text, task.chart_template)
        result.summary = resource_summary(os.path.abspath(task.path), data, kubernetes, load)
    return result


def _check_dependencies(task: FileTask, text: str, settings: Settings) -> list[Diagnostic]:
    """The dependency-file rules (registry stage "dependencies") over one requirements/pyproject/setup.cfg/Pipfile."""
    from dapr_lint import registry
    from dapr_lint.python.dependencies import dependency_file, locked_dapr_beside

    checks = [(code, check) for code, check in registry.checks("dependencies").items() if settings.is_enabled(code)]
    if not checks:
        return []
    file = dependency_file(task.display, text, locked_dapr_beside(task.path) if task.data is None else None)
    found = []
    for code, check in checks:
        for finding in check(file, registry.reporter(code)):
            span = finding.at.span  # a Location in this file (the dependency rules fix nothing)
            found.append(
                Diagnostic(
                    finding.code, finding.message, task.display, span.line, span.column, span.end_line, span.end_column,
                    severity=finding.severity,
                )
            )
    return sorted(found, key=Diagnostic.sort_key)


def chart_template(path, kind: str) -> bool:
    if kind != "yaml":
        return False
    return in_helm_chart(str(path))


def decode(data: bytes) -> str:
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
    if NO_FIX in ignored:  # test code: --fix leaves it alone, so nothing there is offered as fixable
        result.diagnostics = [replace(d, fix=None) if d.fix is not None else d for d in result.diagnostics]


def _annotate_summary(summary: Summary, task: FileTask, text: str) -> Summary:
    """Where the file lives and what its noqa comments and per-file-ignores silence, so that the project
    stage can report in this file without reading it again."""
    from dapr_lint.summaries import ResourceSummary

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
    lines.update(item.span.line for item in summary.unguarded_calls)
    facts = summary.practices
    lines.update(item.span.line for group in (facts.entries, facts.opened, facts.outgoing) for item in group)
    return replace(
        summary,
        path=task.display,
        file=os.path.abspath(task.path),
        ignored=tuple(sorted(task.ignored)),
        noqa={line: tuple(sorted(noqa[line])) for line in sorted(lines) if line in noqa},
    )
