"""DPR611-DPR613: how an app is wired to its sidecar for jobs, ports and bulk subscriptions.

Project rules: they read the apps of the application model (dapr_lint.project.apps) and what each module's
summary says about the jobs it schedules, the job handlers and routes it serves, the ports its servers take and
the answers of its route functions (summaries.WiringFacts).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterator, Optional

from dapr_lint.diagnostics import Finding, Location
from dapr_lint.project import Project, is_test_file, normalise_route
from dapr_lint.project.apps import App, AppModel
from dapr_lint.project.jobs import app_modules, job_routes, reached, route_may_be
from dapr_lint.python.rules.pages import wiring as pages
from dapr_lint.registry import Reporter, RuleSpec, invalid, rule, valid
from dapr_lint.run_files import server_port, start_commands
from dapr_lint.settings import Settings


_modules = app_modules
_reached = reached
_route_may_be = route_may_be


def _apps(project: Project) -> Iterator[tuple[AppModel, App]]:
    for model in project.models:
        for app in model.apps:
            if model.uses_dapr(app):
                yield model, app


# ------------------------------------------------------------------------------------------------
# DPR611
# ------------------------------------------------------------------------------------------------

_JOB_APP = """
from dapr.clients import DaprClient, Job
from dapr.ext.grpc import App, JobEvent

app = App()


@app.job_event("nightly-report")
def nightly_report(event: JobEvent) -> None:
    print(event.get_data_as_string())


def schedule() -> None:
    with DaprClient() as client:
        client.schedule_job(Job(name="{name}", schedule="@daily"), overwrite=True){marker}


if __name__ == "__main__":
    schedule()
    app.run(50051)
"""


@rule(
    RuleSpec(
        code="DPR611",
        name="job-without-handler",
        category="bug",
        summary="A job the app schedules (literal name) that no `POST /job/<name>` route nor `@app.job_event` handler of the app serves.",
        target="project",
        prose=pages.DPR611,
        examples=(
            invalid(_JOB_APP.format(name="nightly-reports", marker="  # DPR611"), filename="app.py"),
            valid(_JOB_APP.format(name="nightly-report", marker=""), filename="app.py"),
        ),
    )
)
def job_without_handler(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
    for _model, app in _apps(project):
        modules = _modules(project, app)
        scheduled = [(s, j) for s in _reached(project, app) for j in s.wiring.jobs if not is_test_file(s.path)]
        if not scheduled:
            continue
        handlers: set[str] = set()
        unknown_handler = False
        for summary in modules:
            for name in summary.wiring.job_handlers:
                text = project.string(summary, name)
                if text is None:
                    unknown_handler = True
                else:
                    handlers.add(text)
        if unknown_handler:
            continue
        grpc = any(s.wiring.grpc_app for s in modules)
        routes = _job_routes(project, app)
        if routes is None and not grpc:
            continue  # no server the summaries can see (a script, another framework): nothing to judge
        for summary, job in scheduled:
            name = project.string(summary, job.name)
            if name is None or name in handlers:
                continue
            wanted = f"/job/{name}"
            if routes is not None and any(_route_may_be(r, wanted) for r in routes):
                continue
            yield report(
                Location(summary.path, job.span),
                f"job `{name}` has no handler in its app (a `POST /job/<name>` route or `job_event`): every trigger fails",
            )


def _job_routes(project: Project, app: App) -> Optional[list[Optional[str]]]:
    """The full paths of the POST (or any-method) routes an app serves over HTTP; None when it has no HTTP app
    or its routes are not all known."""
    routes = job_routes(project, app)
    return None if routes is None else [r.full for r in routes]


# ------------------------------------------------------------------------------------------------
# DPR613
# ------------------------------------------------------------------------------------------------

_BULK_APP = """
from fastapi import FastAPI

app = FastAPI()


@app.get("/dapr/subscribe")
def subscribe() -> list:
    return [{{"pubsubname": "pubsub", "topic": "orders", "route": "/orders", "bulkSubscribe": {{"enabled": True}}}}]


@app.post("/orders")
def orders(batch: dict) -> dict:{marker}
{body}
"""
_PLAIN_BODY = '''    print(len(batch["entries"]))
    return {"status": "SUCCESS"}'''
_STATUSES_BODY = '''    statuses = [{"entryId": entry["entryId"], "status": "SUCCESS"} for entry in batch["entries"]]
    return {"statuses": statuses}'''


@rule(
    RuleSpec(
        code="DPR613",
        name="bulk-subscriber-without-statuses",
        category="bug",
        summary="The handler of a bulk subscription (`bulkSubscribe.enabled`) that never answers per-entry `statuses`: every batch is redelivered.",
        target="project",
        prose=pages.DPR613,
        examples=(
            invalid(_BULK_APP.format(marker="  # DPR613", body=_PLAIN_BODY), filename="app.py"),
            valid(_BULK_APP.format(marker="", body=_STATUSES_BODY), filename="app.py"),
        ),
    )
)
def bulk_subscriber_without_statuses(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
    seen: set[tuple[str, str]] = set()
    # a bulk subscription is Dapr wiring by itself: apps that import no Dapr SDK count too
    for model, app in ((m, a) for m in project.models for a in m.apps):
        modules = _modules(project, app)
        bulk = {normalise_route(r) for s in modules for r in s.wiring.bulk_routes}
        for resource_set in app.resource_sets:
            for _file, subscription in model.subscriptions(app, resource_set):
                if subscription.bulk:
                    bulk.update(normalise_route(r.value) for r in subscription.routes)
        if not bulk:
            continue
        served, _complete = project.app_routes(app)
        for route in served:
            entry = route.entry
            full = route.full
            if entry is None or entry.function is None or full is None or full not in bulk:
                continue
            summary = project.by_file.get(os.path.normcase(entry.file))
            span = summary.wiring.plain_answers.get(entry.function) if summary is not None else None
            if summary is None or span is None or (summary.file, entry.function) in seen:
                continue
            seen.add((summary.file, entry.function))
            yield report(
                Location(summary.path, span),
                f"`{full}` receives bulk deliveries but never answers per-entry `statuses`: every batch is redelivered",
            )


# ------------------------------------------------------------------------------------------------
# DPR612
# ------------------------------------------------------------------------------------------------

# Event deliveries daprd makes to the app through its app port.
_EVENT_HANDLERS = frozenset({"subscription", "grpc_subscription", "grpc_binding", "grpc_job"})


@dataclass(frozen=True)
class _Declared:
    """An app port and protocol a run or deploy file gives a sidecar."""

    app_id: str
    folder: Optional[str]
    what: str  # "appPort" | "-app-port" | "dapr.io/app-port"
    port: Optional[int]
    port_given: bool
    protocol: Optional[str]
    path: str  # the display path of the file
    span: object
    entry: Optional[str] = None
    command_port: Optional[int] = None
    protocol_span: Optional[object] = None


def _declarations(model: AppModel) -> Iterator[_Declared]:
    for _file, resource in sorted(model.resources.items()):
        for run in resource.run_apps:
            yield _Declared(
                run.app_id, run.app_dir, "appPort", run.port, run.port_given,
                run.protocol.value if run.protocol is not None else None, resource.path, run.port_span or run.span,
                run.entry, run.command_port, run.protocol.span if run.protocol is not None else None,
            )
        for sidecar in resource.sidecars:
            yield _Declared(
                sidecar.app_id, sidecar.app_dir, "daprd -app-port", sidecar.port, sidecar.port_given, sidecar.protocol,
                resource.path, sidecar.span,
            )
        for workload in resource.workloads:
            yield _Declared(
                workload.app_id, None, "dapr.io/app-port", workload.port, workload.port_given, workload.protocol,
                resource.path, workload.span,
            )


def _app_of(model: AppModel, declared: _Declared) -> Optional[App]:
    found = [
        a for a in model.apps
        if a.app_id == declared.app_id and (declared.folder is None or os.path.normpath(a.folder) == os.path.normpath(declared.folder))
    ]
    return found[0] if len(found) == 1 else None


def _family(protocol: Optional[str]) -> Optional[str]:
    value = (protocol or "http").strip().lower()
    if value in ("http", "https", "h2c"):
        return "http"
    if value in ("grpc", "grpcs"):
        return "grpc"
    return None


@rule(
    RuleSpec(
        code="DPR612",
        name="app-port-mismatch",
        category="bug",
        reads_run_files=True,  # the app folder's Dockerfile and Procfile
        summary=(
            "An app port or protocol in a run template, compose `daprd` flags or `dapr.io/*` annotations that "
            "disagrees with what the code serves, or an app serving events with no app port."
        ),
        target="project",
        prose=pages.DPR612,
        examples=(
            invalid(
                """
                import uvicorn
                from dapr.ext.fastapi import DaprApp
                from fastapi import FastAPI

                app = FastAPI()
                dapr_app = DaprApp(app)


                @dapr_app.subscribe(pubsub="pubsub", topic="orders")
                def on_order(event: dict) -> None:
                    print(event["data"])


                if __name__ == "__main__":
                    uvicorn.run(app, host="0.0.0.0", port=8001)
                """,
                filename="orders/app.py",
                files={
                    "dapr.yaml": """
                    version: 1
                    apps:
                      - appID: orders
                        appDirPath: ./orders
                        appPort: 8000  # DPR612
                        command: ["python", "app.py"]
                    """,
                },
            ),
            valid(
                """
                import uvicorn
                from dapr.ext.fastapi import DaprApp
                from fastapi import FastAPI

                app = FastAPI()
                dapr_app = DaprApp(app)


                @dapr_app.subscribe(pubsub="pubsub", topic="orders")
                def on_order(event: dict) -> None:
                    print(event["data"])


                if __name__ == "__main__":
                    uvicorn.run(app, host="0.0.0.0", port=8001)
                """,
                filename="orders/app.py",
                files={
                    "dapr.yaml": """
                    version: 1
                    apps:
                      - appID: orders
                        appDirPath: ./orders
                        appPort: 8001
                        command: ["python", "app.py"]
                    """,
                },
            ),
        ),
    )
)
def app_port_mismatch(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
    for model in project.models:
        for declared in _declarations(model):
            app = _app_of(model, declared)
            if app is None:
                continue
            finding = _port_finding(model, project, app, declared)
            if finding is not None:
                message, on_protocol = finding
                span = declared.protocol_span if on_protocol and declared.protocol_span is not None else declared.span
                yield report(Location(declared.path, span), message)


def _container_ports(model: AppModel, app: App) -> dict[int, str]:
    """The literal port the app's Dockerfile (last ENTRYPOINT + CMD) or Procfile gives the server it starts, when
    they all agree on one; {} otherwise (none, `$PORT`, or two different ports: say nothing rather than guess)."""
    folder = app.folder if os.path.isabs(app.folder) else os.path.join(model.root, app.folder)
    if not model.contains(folder):
        return {}
    served = {}
    for command in start_commands(folder, model.root):
        port = server_port(list(command.words))
        if port is not None:
            served[port] = f"{os.path.relpath(command.path, model.root)}:{command.line}"
    return served if len(served) == 1 else {}


def _port_finding(model: AppModel, project: Project, app: App, declared: _Declared) -> Optional[tuple[str, bool]]:
    """The message of a disagreement, and whether it is about the protocol."""
    modules = [s for s in (_reached(project, app) if app.entries else _modules(project, app)) if not is_test_file(s.path)]
    if not declared.port_given:
        if any(h.kind in _EVENT_HANDLERS for s in modules for h in s.handlers) or any(
            item.actor for s in modules for item in s.objects.values()
        ):
            return f"app `{declared.app_id}` has no app port but serves events or actors: daprd never delivers them", False
        return None
    # what the app serves: the run command's own port, else the literal ports of the module it runs
    if declared.command_port is not None:
        served = {declared.command_port: "the run command"}
        kinds = {"http"}
    else:
        entries = [declared.entry] if declared.entry else list(app.entries)
        sources = [s for s in modules if s.file in entries]
        served = {p.port: f"{s.path}:{p.span.line}" for s in sources for p in s.wiring.ports}
        kinds = {p.protocol for s in sources for p in s.wiring.ports}
        if not served and declared.what != "appPort":
            served = _container_ports(model, app)  # a container's sidecar: the port its image starts the app on
        if not kinds:
            http = any(item.kind == "app" for s in modules for item in s.objects.values())
            grpc = any(s.wiring.grpc_app for s in modules)
            kinds = ({"http"} if http else set()) | ({"grpc"} if grpc else set())
    if declared.port is not None and served and declared.port not in served:
        port, where = sorted(served.items())[0]
        return f"{declared.what} {declared.port}, but the app listens on {port} ({where}): daprd waits and never delivers", False
    family = _family(declared.protocol)
    if family is not None and len(kinds) == 1 and family not in kinds:
        serves = "the gRPC extension" if "grpc" in kinds else "HTTP"
        said = f"protocol `{declared.protocol}`" if declared.protocol else "no app protocol (HTTP)"
        return f"{said} for `{declared.app_id}`, but its code serves {serves}: daprd cannot call the app", True
    return None
