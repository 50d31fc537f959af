"""DPR401/DPR402: every FastAPI/Flask app of a Dapr app serves a liveness and a readiness route.

Project rules: a route counts wherever the app's modules (and the routers they include) register it, so they
run once over every file's summary. Their fix (unsafe) adds the missing `GET` route after the statement that
creates the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import AbstractSet, Iterator, Optional

import libcst as cst

from dapr_lint.diagnostics import Finding, Fix, Location, ProjectEdit
from dapr_lint.options import OPTIONS
from dapr_lint.project import Project, apps, is_test_file, matches
from dapr_lint.python.rules.pages import health_routes as pages
from dapr_lint.registry import Reporter, RuleSpec, invalid, rule, valid
from dapr_lint.settings import Settings

# ------------------------------------------------------------------------------------------------
# DPR401 / DPR402 (project stage)
# ------------------------------------------------------------------------------------------------

_FRAMEWORK_LABEL = {"fastapi": "FastAPI", "flask": "Flask"}


def _missing_route(
    project: Project, settings: Settings, report: Reporter, option: str, what: str, default: list[str]
) -> Iterator[Finding]:
    """Per app: an app's own modules (and the routers they include) must serve the route; a route counts
    for its own app only, and an app that uses no Dapr (and that no run or deploy file names) is left alone."""
    code = report.code
    wanted = list(settings.options.get(option) or default)
    graph = project.graph
    for summary, oid, item in apps(project):
        if is_test_file(summary.path):
            continue
        if code == "DPR401" and item.actor:
            continue  # DaprActor registers GET /healthz
        model = project.model_of(summary.file)
        owners = project.apps_of(summary.file)
        if model is None or not owners or not any(model.uses_dapr(app) for app in owners):
            continue
        floating = [r for app in owners for r in graph.floating_in(app.modules)]
        if any(matches(list(r.segments), wanted) for r in floating):
            continue
        served = graph.served(oid)
        if not served.complete:
            continue
        if any(matches(segments, wanted) for segments in served.paths):
            continue
        label = _FRAMEWORK_LABEL.get(item.framework, item.framework)
        name = item.name or "app"
        route = wanted[0]
        decorator = f'@{name}.get("{route}")' if item.framework == "fastapi" else f'@{name}.route("{route}")'
        consequence = (
            "health checks and liveness probes have nothing to call"
            if code == "DPR401"
            else "readiness probes cannot tell when it can take work"
        )
        evidence = (
            "Dapr's app health check (`appHealthCheckPath`) and a Kubernetes liveness probe have nothing to call"
            if code == "DPR401"
            else "a Kubernetes readiness probe or a load balancer cannot tell when it can take work"
        )
        fix = None
        if "." not in oid.key and item.name == oid.key:  # a module-level app: the route goes after it
            function, fallback = _ROUTE_FUNCTIONS[code]
            wanted_route = _RouteToAdd(item.span.line, oid.key, item.framework, route, function, fallback)
            fix = Fix(f"Add a `GET {route}` route.", partial(ProjectEdit, add_routes, wanted_route))
        yield report(
            Location(summary.path, item.span),
            f"{label} app `{name}` serves no {what} route: {consequence}",
            fix,
            detail=f"None of {', '.join(wanted)} anywhere in its Dapr app: {evidence}. Add `{decorator}`.",
        )


# the function the fix adds, and its name when that one is taken
_ROUTE_FUNCTIONS = {"DPR401": ("health", "alive"), "DPR402": ("ready", "ready")}


@dataclass(frozen=True)
class _RouteToAdd:
    line: int  # where the finding is: the line creating the app
    app: str
    framework: str
    route: str
    function: str
    fallback: str


def add_routes(data: bytes, wanted: AbstractSet[_RouteToAdd]) -> Optional[bytes]:
    """DPR401/DPR402's fix (unsafe): a `GET` route right after the top-level statement that creates the app,
    for each `_RouteToAdd`. None when no app is bound by a top-level statement, or the result does not verify."""
    from dapr_lint.python.positions import positions
    from dapr_lint.python.verify import verify_fix

    try:
        module = cst.parse_module(data)
    except Exception:
        return None
    spans = positions(module, module.body)
    taken = {
        statement.name.value
        for statement in module.body
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef))
    }
    insertions: dict[int, list[cst.BaseStatement]] = {}
    for request in sorted(wanted, key=lambda r: (r.line, r.function)):
        # the top-level statement that binds the app: the last one starting at or before the finding, and it
        # must assign the app's name (a statement's span can end on the next line, so spans are not compared)
        index = max((i for i, statement in enumerate(module.body) if spans[id(statement)][0] <= request.line), default=None)
        if index is None or not _binds(module.body[index], request.app):
            continue  # the app is not bound by a top-level statement: leave it to the author
        function = request.function if request.function not in taken else f"{request.fallback}_probe"
        if function in taken:
            continue
        taken.add(function)
        app, route = request.app, request.route
        decorator = f'@{app}.get("{route}")' if request.framework == "fastapi" else f'@{app}.route("{route}")'
        code = f'\n\n{decorator}\ndef {function}():\n    return {{"status": "ok"}}\n'
        insertions.setdefault(index, []).append(
            cst.parse_module(code).body[0].with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
        )
    if not insertions:
        return None
    body: list[cst.BaseStatement] = []
    follows_insertion = False
    statement: cst.BaseStatement
    for index, statement in enumerate(module.body):
        if follows_insertion:
            statement = _two_blank_lines_before(statement)
        body.append(statement)
        body.extend(insertions.get(index, []))
        follows_insertion = index in insertions
    fixed = module.with_changes(body=body).bytes
    return fixed if verify_fix(data, fixed) is None else None


def _binds(statement: cst.BaseStatement, name: str) -> bool:
    """Whether a top-level simple statement assigns `name` (`app = FastAPI()`, `app: Flask = Flask(...)`)."""
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    for small in statement.body:
        targets: list[cst.BaseExpression] = []
        if isinstance(small, cst.Assign):
            targets = [t.target for t in small.targets]
        elif isinstance(small, cst.AnnAssign) and small.value is not None:
            targets = [small.target]
        if any(isinstance(t, cst.Name) and t.value == name for t in targets):
            return True
    return False


def _two_blank_lines_before(statement: cst.BaseStatement) -> cst.BaseStatement:
    """PEP 8's two blank lines after the function the fix inserted, before whatever followed the app."""
    leading = list(getattr(statement, "leading_lines", ()))
    blank = 0
    for line in leading:
        if line.comment is not None:
            break
        blank += 1
    if blank >= 2:
        return statement
    return statement.with_changes(leading_lines=[cst.EmptyLine()] * (2 - blank) + leading)


@rule(
    RuleSpec(
        code="DPR401",
        name="missing-health-route",
        category="practice",
        summary="A FastAPI/Flask app of a Dapr app with no liveness route (`/health`, `/healthz`, `/livez`, ...) in that app.",
        target="project",
        off_in_test_code=True,
        fix_safety="unsafe",
        fix_description="Add a `GET /health` route.",
        prose=pages.DPR401,
        examples=(
            invalid(
                """
                from dapr.ext.fastapi import DaprApp
                from fastapi import FastAPI

                app = FastAPI()  # DPR401
                dapr_app = DaprApp(app)
                """,
            ),
            valid(
                """
                from dapr.ext.fastapi import DaprApp
                from fastapi import FastAPI

                app = FastAPI()
                dapr_app = DaprApp(app)


                @app.get("/health")
                def health() -> dict:
                    return {"status": "ok"}
                """,
            ),
        ),
    )
)
def missing_health_route(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
    return _missing_route(project, settings, report, "health-routes", "liveness", OPTIONS["health-routes"].default)


@rule(
    RuleSpec(
        code="DPR402",
        name="missing-ready-route",
        category="practice",
        summary="A FastAPI/Flask app of a Dapr app with no readiness route (`/ready`, `/readyz`, ...) in that app.",
        target="project",
        off_in_test_code=True,
        fix_safety="unsafe",
        fix_description="Add a `GET /ready` route.",
        prose=pages.DPR402,
        examples=(
            invalid(
                """
                from dapr.ext.fastapi import DaprActor
                from fastapi import FastAPI

                app = FastAPI()  # DPR402 (DaprActor serves /healthz, not a readiness route)
                actor = DaprActor(app)
                """,
            ),
            valid(
                """
                from dapr.ext.fastapi import DaprActor
                from fastapi import FastAPI

                app = FastAPI()
                actor = DaprActor(app)


                @app.get("/ready")
                def ready() -> dict:
                    return {"status": "ready"}
                """,
            ),
        ),
    )
)
def missing_ready_route(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
    return _missing_route(project, settings, report, "ready-routes", "readiness", OPTIONS["ready-routes"].default)
