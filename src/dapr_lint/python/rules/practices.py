"""DPR413-DPR416: the practices every Dapr service should always have - trace context forwarded on the calls
it makes, a tracing set-up, a logging set-up, and a shutdown that closes what start-up opened.

All four are per app: what counts is whether *any* module of the app (or its run files) sets the practice
up, so they run in the project stage over the per-file facts of dapr_lint.python.practices, on the apps of
the application model (dapr_lint.project.apps: run templates, compose files, manifests, entry modules).

Precision first: an app whose set-up the rules cannot see (an import that leaves the run and is named like
a set-up helper, an instrumentation agent in a Dockerfile, Procfile, run template or script, a Dapr
Configuration with `tracing` in the repository) is not reported.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import partial
from typing import Iterator

from dapr_lint.diagnostics import Finding, Fix, Location, ProjectEdit
from dapr_lint.project import Project, is_test_file
from dapr_lint.run_files import RunFacts, run_facts_for
from dapr_lint.python.practices import close_in_lifespan, forward_trace_headers
from dapr_lint.python.rules.pages import practices as pages
from dapr_lint.registry import Reporter, RuleSpec, invalid, rule, valid
from dapr_lint.settings import Settings
from dapr_lint.summaries import ModuleSummary, OpenedResource, OutgoingCall, PracticeEntry

# ------------------------------------------------------------------------------------------------
# Apps: an entry module, what it imports in the run, and what imports it
# ------------------------------------------------------------------------------------------------


@dataclass
class PracticeApp:
    """One app as the practice rules see it: its modules (the application model's), the entry fact findings
    about the whole app point at, and what its run files say."""

    entry: ModuleSummary  # the module holding the entry fact
    entry_item: PracticeEntry  # where the app starts: its FastAPI/Flask/gRPC app, or a WorkflowRuntime's start()
    modules: list[ModuleSummary]
    run_facts: RunFacts
    kubernetes: bool = False  # deployed by a Kubernetes manifest (no `dapr run` default tracing there)

    def any(self, attribute: str) -> bool:
        return any(getattr(summary.practices, attribute) for summary in self.modules)


_APP_KINDS_FIRST = {"FastAPI": 0, "Flask": 0, "gRPC App": 0, "WorkflowRuntime": 1}


def practice_apps(project: Project) -> list[PracticeApp]:
    """The apps of the application model (dapr_lint.project.apps), each with the entry fact its findings
    point at: in its entry modules first, a web or gRPC app before a runtime's `start()`. An app with no such
    fact (a folder a run template names, holding no app the summaries recognise) is skipped. Built once per
    project stage, shared by the four rules."""
    memo = project.__dict__.get("_practice_apps")
    if memo is None:
        memo = list(_practice_apps(project))
        project.__dict__["_practice_apps"] = memo
    return memo


def _practice_apps(project: Project) -> Iterator[PracticeApp]:
    seen: set[tuple[str, int]] = set()
    for model in project.models:
        for app in model.apps:
            if not model.uses_dapr(app):
                continue  # a plain web app: the practices of a Dapr service are not asked of it
            modules = [m for m in (project.by_file.get(os.path.normcase(f)) for f in app.modules) if m is not None]
            if not modules:
                continue
            entry_files = {os.path.normcase(f) for f in app.entries}
            candidates = [
                (os.path.normcase(m.file) not in entry_files, _APP_KINDS_FIRST.get(e.kind, 2), m.file, e.span.line, m, e)
                for m in modules
                for e in m.practices.entries
                if not is_test_file(m.path)
            ]
            if not candidates:
                continue
            *_rest, entry, item = min(candidates, key=lambda c: c[:4])
            key = (entry.file, item.span.line)
            if key in seen:
                continue  # two apps of the model anchored at one place: judge it once, by the first
            seen.add(key)
            kubernetes = any(source.startswith("Kubernetes ") for source in app.sources)
            facts = run_facts_for(entry.file, app.folder, _resource_folders(app), project.root, project.memo("run facts"))
            yield PracticeApp(entry, item, modules, facts, kubernetes)


def _resource_folders(app) -> list[str]:
    return [folder for resource_set in app.resource_sets for folder in resource_set.folders]




def _app_label(app: PracticeApp) -> str:
    item = app.entry_item
    if item.kind == "WorkflowRuntime":
        return f"the app whose WorkflowRuntime `{item.name}` starts here"
    kind = "gRPC-extension app" if item.kind == "gRPC App" else f"{item.kind} app"
    return f"{kind} `{item.name}`" if item.name != item.kind else f"this {kind}"


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


@rule(
    RuleSpec(
        code="DPR413",
        name="trace-context-not-forwarded",
        category="opinion",
        summary="A handler calls `invoke_method`/`publish_event`/`invoke_binding` and nothing in its app forwards the incoming trace context: the trace stops at this service.",
        target="project",
        reads_run_files=True,
        fix_safety="unsafe",
        fix_description="Give the client a `headers_callback` that injects the current OpenTelemetry context.",
        prose=pages.DPR413,
        examples=(
            invalid(
                """
                from dapr.clients import DaprClient
                from fastapi import FastAPI

                app = FastAPI()


                @app.post("/orders")
                def create_order(order: dict) -> dict:
                    with DaprClient() as client:
                        client.publish_event("pubsub", "orders", "{}")  # DPR413
                    return order
                """,
            ),
            valid(
                """
                from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor
                from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
                from opentelemetry.instrumentation.grpc import GrpcInstrumentorClient

                FastAPIInstrumentor.instrument_app(app)
                AioHttpClientInstrumentor().instrument()  # invoke_method over HTTP
                GrpcInstrumentorClient().instrument()  # publish_event, invoke_binding, state, ...
                """,
                before="""
                Instrument the libraries the SDK sends with, once at start-up (the incoming trace must be in context too: instrument
                the web framework), or pass the header yourself:
                """,
                after="""
                Or run the app under `opentelemetry-instrument`. For HTTP service invocation alone,
                `DaprClient(headers_callback=lambda: carrier_with_the_current_trace())` is enough.
                """,
            ),
        ),
    )
)
def trace_context_not_forwarded(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
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
        message = f"`{call.method}` in handler `{call.handler}` sends no trace context: Dapr starts a new trace here"
        detail = (
            f"Nothing in this app forwards the incoming `traceparent` on the {path} path "
            f"({_PROTOCOL_MEANS[call.protocol]})."
        )
        fix = None
        if call.fixable:
            fix = Fix(
                "Give the client a `headers_callback` that injects the current OpenTelemetry context.",
                partial(ProjectEdit, forward_trace_headers, call.span.line),
            )
        yield report(Location(summary.path, call.span), message, fix, detail=detail)


# ------------------------------------------------------------------------------------------------
# DPR414 no-tracing-setup
# ------------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR414",
        name="no-tracing-setup",
        category="opinion",
        summary="An app with no OpenTelemetry set-up in its modules, no tracing agent in its run files and no Dapr Configuration with `tracing`.",
        target="project",
        reads_run_files=True,
        prose=pages.DPR414,
        examples=(
            invalid(
                """
                from dapr.ext.fastapi import DaprApp
                from fastapi import FastAPI

                app = FastAPI()  # DPR414 (nothing in the app, its run files or its resources sets tracing up)
                dapr_app = DaprApp(app)
                """,
            ),
            valid(
                """
                from dapr.ext.fastapi import DaprApp
                from fastapi import FastAPI
                from opentelemetry import trace
                from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
                from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
                from opentelemetry.sdk.trace import TracerProvider
                from opentelemetry.sdk.trace.export import BatchSpanProcessor

                provider = TracerProvider()
                provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
                trace.set_tracer_provider(provider)

                app = FastAPI()
                dapr_app = DaprApp(app)
                FastAPIInstrumentor.instrument_app(app)
                """,
                after="""
                Or run it under `opentelemetry-instrument`, or give the sidecar a Configuration with `spec.tracing`.
                """,
            ),
        ),
    )
)
def no_tracing_setup(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
    for app in practice_apps(project):
        if app.any("tracing") or app.run_facts.tracing_agent or app.run_facts.tracing_configuration:
            continue
        if app.kubernetes:
            effect = "and no Configuration turns Dapr's on: its requests produce no spans"
        else:
            # self-hosted, `dapr run` uses ~/.dapr/config.yaml (Zipkin, every request): the sidecar traces
            effect = "in its code: traces show its sidecar's spans, none from inside the app"
        yield report(Location(app.entry.path, app.entry_item.span), f"{_app_label(app)} has no tracing set-up {effect}")


# ------------------------------------------------------------------------------------------------
# DPR415 no-logging-setup
# ------------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR415",
        name="no-logging-setup",
        category="practice",
        summary="An app that configures no logging (no `basicConfig`/`dictConfig`, structlog or loguru): its INFO records are dropped, the rest has no level, time or trace ID.",
        target="project",
        reads_run_files=True,
        prose=pages.DPR415,
        examples=(
            invalid(
                """
                import logging

                from dapr.ext.fastapi import DaprApp
                from fastapi import FastAPI

                logger = logging.getLogger("orders")
                app = FastAPI()  # DPR415
                dapr_app = DaprApp(app)


                @app.get("/health")
                def health() -> dict:
                    logger.info("health checked")  # never printed
                    return {"status": "ok"}
                """,
            ),
            valid(
                """
                import logging

                from dapr.ext.fastapi import DaprApp
                from fastapi import FastAPI

                logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
                logger = logging.getLogger("orders")
                app = FastAPI()
                dapr_app = DaprApp(app)
                """,
                after="""
                (or structlog/loguru with a JSON renderer, or `--log-config` on the server command).
                """,
            ),
        ),
    )
)
def no_logging_setup(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
    for app in practice_apps(project):
        if app.any("logging") or app.run_facts.logging_config:
            continue
        yield report(
            Location(app.entry.path, app.entry_item.span),
            f"{_app_label(app)} configures no logging: INFO and DEBUG records are dropped",
            detail=(
                "No `logging.basicConfig`/`dictConfig`, structlog or loguru set-up in its modules, no `--log-config` "
                "in its run files: Python's last-resort handler drops INFO and DEBUG records and prints the rest with "
                "no level, time or trace ID."
            ),
        )


# ------------------------------------------------------------------------------------------------
# DPR416 no-graceful-shutdown
# ------------------------------------------------------------------------------------------------

# What was opened, and what leaving it open does (SDK 1.19 evidence on docs/rules/DPR416.md).
# kind -> (message, evidence, remedy)
_OPENED = {
    "workflow-runtime": (
        "WorkflowRuntime {name} is never shut down: the process outlives the server, killed mid-activity",
        "Its worker thread is not a daemon, so the process does not exit when the server stops and is killed "
        "mid-activity at the end of the grace period.",
        "Call `{short}.shutdown()` in the lifespan exit, a shutdown hook or `atexit`.",
    ),
    "subscription": (
        "streaming subscription {name} is never closed: in-flight messages are cut off unacknowledged",
        "In-flight messages are cut off before they are acknowledged, and a sync handler thread keeps the "
        "process from exiting.",
        "Close it in the lifespan exit, a shutdown hook or `atexit`.",
    ),
    "async-client": (
        "async DaprClient {name} is never closed: in-flight calls are cut off at exit",
        "It has no `__del__`, so its gRPC channel is left open and in-flight calls are cut off at exit.",
        "`await {short}.close()` in the lifespan exit or a shutdown hook.",
    ),
}


@rule(
    RuleSpec(
        code="DPR416",
        name="no-graceful-shutdown",
        category="practice",
        summary="A WorkflowRuntime started, a streaming subscription opened or an async client held at start-up that nothing in the app closes.",
        target="project",
        reads_run_files=True,
        fix_safety="safe",
        fix_description="Close it at the end of the FastAPI lifespan (after its `yield`).",
        prose=pages.DPR416,
        examples=(
            invalid(
                """
                from dapr.ext.workflow import WorkflowRuntime
                from fastapi import FastAPI

                wfr = WorkflowRuntime()
                app = FastAPI()


                @app.on_event("startup")
                def start() -> None:
                    wfr.start()  # DPR416
                """,
            ),
            valid(
                """
                from contextlib import asynccontextmanager

                from dapr.ext.workflow import WorkflowRuntime
                from fastapi import FastAPI

                wfr = WorkflowRuntime()


                @asynccontextmanager
                async def lifespan(app: FastAPI):
                    wfr.start()
                    yield
                    wfr.shutdown()


                app = FastAPI(lifespan=lifespan)
                """,
            ),
        ),
    )
)
def no_graceful_shutdown(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
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
        head, evidence, remedy = _OPENED[opened.kind]
        name = f"`{opened.name}`" if opened.name else "(its close function discarded)"
        message = head.format(name=name)
        remedy = f"Add `{opened.fix}` at the end of the lifespan." if opened.fix else remedy.format(short=opened.name or "it")
        fix = Fix(f"Add `{opened.fix}` at the end of the lifespan.", partial(ProjectEdit, close_in_lifespan, opened.span.line)) if opened.fix else None
        yield report(Location(summary.path, opened.span), message, fix, detail=f"{evidence} {remedy}")
