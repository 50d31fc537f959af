"""DPR413-DPR416: the practices every Dapr service should always have - trace context forwarded on the calls
it makes, a tracing set-up, a logging set-up, and a shutdown that closes what start-up opened.

All four are per app: what counts is whether *any* module of the app (or its run files) sets the practice
up, so they run in the project stage over the per-file facts of dapr_lint.python.practices. An app is an
entry module (one that builds a FastAPI/Flask/gRPC-extension app or starts a WorkflowRuntime) with the
modules it imports in the run and the modules that import it; `app_modules` is the one place that decides
it, so the rules move to the application model unchanged when it lands.

Precision first: an app whose set-up the rules cannot see (an import that leaves the run and is named like
a set-up helper, an instrumentation agent in a Dockerfile, Procfile, run template or script, a Dapr
Configuration with `tracing` in the repository) is not reported.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterator

from dapr_lint.diagnostics import Diagnostic
from dapr_lint.project import Project, is_test_file, project_rule
from dapr_lint.project.run_files import RunFacts, run_facts_for
from dapr_lint.registry import RuleSpec
from dapr_lint.settings import Settings
from dapr_lint.summaries import ModuleSummary, OpenedResource, OutgoingCall, PracticeEntry, Span

# ------------------------------------------------------------------------------------------------
# Apps: an entry module, what it imports in the run, and what imports it
# ------------------------------------------------------------------------------------------------


@dataclass
class PracticeApp:
    """One app as the practice rules see it."""

    entry: ModuleSummary  # the entry module
    entry_item: PracticeEntry  # where it starts
    modules: list[ModuleSummary]  # the app's modules, entry first
    run_facts: RunFacts

    def any(self, attribute: str) -> bool:
        return any(getattr(summary.practices, attribute) for summary in self.modules)


def app_modules(project: Project, entry: ModuleSummary) -> list[ModuleSummary]:
    """The entry module, every module of the run it imports (transitively), and the modules that import it
    (a routes module doing `from main import app`)."""
    seen: dict[int, ModuleSummary] = {id(entry): entry}
    queue = [entry]
    while queue:
        summary = queue.pop()
        for dotted in summary.practices.imports:
            for target in project.modules(summary, dotted):
                if id(target) not in seen:
                    seen[id(target)] = target
                    queue.append(target)
    entry_file = os.path.normcase(entry.file)
    for summary in project.summaries:
        if id(summary) in seen:
            continue
        for dotted in summary.practices.imports:
            if any(os.path.normcase(t.file) == entry_file for t in project.modules(summary, dotted)):
                seen[id(summary)] = summary
                break
    return list(seen.values())


def practice_apps(project: Project) -> Iterator[PracticeApp]:
    """One app per entry module that is not a test; the first entry names it (an app and the runtime it
    starts are one app)."""
    for summary in project.summaries:
        entries = summary.practices.entries
        if not entries or is_test_file(summary.path):
            continue
        yield PracticeApp(summary, entries[0], app_modules(project, summary), run_facts_for(summary.file))


def _diagnostic(code: str, message: str, summary: ModuleSummary, span: Span) -> Diagnostic:
    return Diagnostic(code, message, summary.path, span.line, span.column, span.end_line, span.end_column)


def _app_label(app: PracticeApp) -> str:
    item = app.entry_item
    if item.kind == "WorkflowRuntime":
        return f"the app whose WorkflowRuntime `{item.name}` starts here"
    return f"{item.kind} app `{item.name}`" if item.name != item.kind else f"this {item.kind} app"


# ------------------------------------------------------------------------------------------------
# DPR413 trace-context-not-forwarded
# ------------------------------------------------------------------------------------------------

_PROTOCOL_MEANS = {
    "http": "no `headers_callback=` on the client, no OpenTelemetry aiohttp-client instrumentation, no `metadata=` with the header",
    "grpc": "no `interceptors=` on the client, no OpenTelemetry gRPC client instrumentation, no `metadata=` with the header",
}


def _forwards(app: PracticeApp, protocol: str) -> bool:
    if app.run_facts.tracing_agent:
        return True
    if protocol == "grpc" and app.run_facts.grpc_instrumentation:
        return True
    return app.any("forward_http" if protocol == "http" else "forward_grpc")


@project_rule(
    RuleSpec(
        code="DPR413",
        name="trace-context-not-forwarded",
        category="opinion",
        summary="A handler calls `invoke_method`/`publish_event`/`invoke_binding` and nothing in its app forwards the incoming trace context: the trace stops at this service.",
        target="project",
    )
)
def trace_context_not_forwarded(project: Project, settings: Settings) -> Iterator[Diagnostic]:
    # a module may belong to several apps: it is reported only when none of them forwards the trace
    verdicts: dict[tuple[int, int], list[bool]] = {}
    items: dict[tuple[int, int], tuple[ModuleSummary, OutgoingCall]] = {}
    for app in practice_apps(project):
        for summary in app.modules:
            for index, call in enumerate(summary.practices.outgoing):
                key = (id(summary), index)
                items[key] = (summary, call)
                verdicts.setdefault(key, []).append(_forwards(app, call.protocol))
    for key, forwarded in verdicts.items():
        summary, call = items[key]
        if any(forwarded) or is_test_file(summary.path):
            continue
        path = "HTTP" if call.protocol == "http" else "gRPC"
        message = (
            f"`{call.method}` in handler `{call.handler}` sends no trace context: nothing in this app forwards the "
            f"incoming `traceparent` on the {path} path ({_PROTOCOL_MEANS[call.protocol]}), so Dapr starts a new "
            f"trace here"
        )
        yield _diagnostic("DPR413", message, summary, call.span)


# ------------------------------------------------------------------------------------------------
# DPR414 no-tracing-setup
# ------------------------------------------------------------------------------------------------


@project_rule(
    RuleSpec(
        code="DPR414",
        name="no-tracing-setup",
        category="opinion",
        summary="An app with no OpenTelemetry set-up in its modules, no tracing agent in its run files and no Dapr Configuration with `tracing`.",
        target="project",
    )
)
def no_tracing_setup(project: Project, settings: Settings) -> Iterator[Diagnostic]:
    for app in practice_apps(project):
        if app.any("tracing") or app.run_facts.tracing_agent or app.run_facts.tracing_configuration:
            continue
        yield _diagnostic(
            "DPR414",
            f"{_app_label(app)} has no tracing set-up: no OpenTelemetry tracer provider or instrumentation in its "
            f"modules, no agent (`opentelemetry-instrument`) in its run files and no Dapr Configuration with "
            f"`tracing` in the repository, so its requests produce no spans",
            app.entry,
            app.entry_item.span,
        )


# ------------------------------------------------------------------------------------------------
# DPR415 no-logging-setup
# ------------------------------------------------------------------------------------------------


@project_rule(
    RuleSpec(
        code="DPR415",
        name="no-logging-setup",
        category="practice",
        summary="An app that configures no logging (no `basicConfig`/`dictConfig`, structlog or loguru): its INFO records are dropped, the rest has no level, time or trace ID.",
        target="project",
    )
)
def no_logging_setup(project: Project, settings: Settings) -> Iterator[Diagnostic]:
    for app in practice_apps(project):
        if app.any("logging") or app.run_facts.logging_config:
            continue
        yield _diagnostic(
            "DPR415",
            f"{_app_label(app)} configures no logging (no `logging.basicConfig`/`dictConfig`, structlog or loguru "
            f"set-up in its modules, no `--log-config` in its run files): Python's last-resort handler drops "
            f"INFO and DEBUG records and prints the rest with no level, time or trace ID",
            app.entry,
            app.entry_item.span,
        )


# ------------------------------------------------------------------------------------------------
# DPR416 no-graceful-shutdown
# ------------------------------------------------------------------------------------------------

# What was opened, and what leaving it open does (SDK 1.19 evidence on docs/rules/DPR416.md).
_OPENED = {
    "workflow-runtime": (
        "WorkflowRuntime {name} is started and never shut down",
        "its worker thread is not a daemon, so the process does not exit when the server stops and is killed "
        "mid-activity at the end of the grace period; "
        "call `{short}.shutdown()` in the lifespan exit, a shutdown hook or `atexit`",
    ),
    "subscription": (
        "streaming subscription {name} is never closed",
        "in-flight messages are cut off before they are acknowledged, and a sync handler thread keeps the "
        "process from exiting; close it in the lifespan exit, a shutdown hook or `atexit`",
    ),
    "async-client": (
        "async DaprClient {name} is held for the whole process and never closed",
        "it has no `__del__`, so its gRPC channel is left open and in-flight calls are cut off at exit; "
        "`await {short}.close()` in the lifespan exit or a shutdown hook",
    ),
}


@project_rule(
    RuleSpec(
        code="DPR416",
        name="no-graceful-shutdown",
        category="practice",
        summary="A WorkflowRuntime started, a streaming subscription opened or an async client held at start-up that nothing in the app closes.",
        target="project",
    )
)
def no_graceful_shutdown(project: Project, settings: Settings) -> Iterator[Diagnostic]:
    # reported only when no app the module belongs to closes it
    verdicts: dict[tuple[int, int], list[bool]] = {}
    items: dict[tuple[int, int], tuple[ModuleSummary, OpenedResource]] = {}
    for app in practice_apps(project):
        closed: set[str] = set()
        for summary in app.modules:
            closed.update(summary.practices.closed)
        for summary in app.modules:
            for index, opened in enumerate(summary.practices.opened):
                key = (id(summary), index)
                items[key] = (summary, opened)
                verdicts.setdefault(key, []).append(bool(opened.name) and opened.name in closed)
    for key, closed_in in verdicts.items():
        summary, opened = items[key]
        if any(closed_in) or is_test_file(summary.path):
            continue
        head, consequence = _OPENED[opened.kind]
        name = f"`{opened.name}`" if opened.name else "(its close function discarded)"
        message = head.format(name=name) + ": " + consequence.format(short=opened.name or "it")
        yield _diagnostic("DPR416", message, summary, opened.span)
