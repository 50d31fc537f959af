"""DPR4xx: the service surface - health and readiness routes, the pub/sub delivery contract, FastAPI and
gRPC-extension traps (sdk-facts E, F, G, J)."""

from __future__ import annotations

from typing import Iterator

from dapr_lint.diagnostics import Diagnostic, FixInfo
from dapr_lint.project import Project, RouteGraph, apps, is_test_file, matches, project_rule
from dapr_lint.registry import RuleSpec
from dapr_lint.settings import Settings

# ------------------------------------------------------------------------------------------------
# DPR401 / DPR402 (project stage)
# ------------------------------------------------------------------------------------------------

_FRAMEWORK_LABEL = {"fastapi": "FastAPI", "flask": "Flask"}


def _missing_route(project: Project, settings: Settings, code: str, option: str, what: str, default: list[str]) -> Iterator[Diagnostic]:
    if not any(summary.get("uses_dapr") for summary in project.summaries):
        return
    wanted = list(settings.options.get(option) or default)
    graph = RouteGraph(project)
    floating_match = any(matches(segments, wanted) for segments in graph.floating)
    if floating_match:
        return
    for summary, oid, item in apps(project):
        if is_test_file(summary["path"]):
            continue
        if code == "DPR401" and item.get("actor"):
            continue  # DaprActor registers GET /healthz
        served = graph.served(oid)
        if not served.complete:
            continue
        if any(matches(segments, wanted) for segments in served.paths):
            continue
        label = _FRAMEWORK_LABEL.get(item["framework"], item["framework"])
        name = item.get("name") or "app"
        route = wanted[0]
        decorator = f'@{name}.get("{route}")' if item["framework"] == "fastapi" else f'@{name}.route("{route}")'
        yield Diagnostic(
            code,
            f"{label} app `{name}` serves no {what} route ({', '.join(wanted)}) anywhere in the project: "
            f"Dapr's app health check and Kubernetes probes have nothing to call; add `{decorator}`",
            summary["path"],
            item["line"],
            item["column"],
            item["end_line"],
            item["end_column"],
            FixInfo("unsafe", f"Add a `GET {route}` route."),
        )


@project_rule(
    RuleSpec(
        code="DPR401",
        name="missing-health-route",
        category="practice",
        summary="A FastAPI/Flask app with no liveness route (`/health`, `/healthz`, `/livez`) anywhere in the project.",
        target="project",
        fix_safety="unsafe",
        fix_description="Add a `GET /health` route.",
    )
)
def missing_health_route(project: Project, settings: Settings) -> Iterator[Diagnostic]:
    return _missing_route(project, settings, "DPR401", "health-routes", "liveness", ["/health", "/healthz", "/livez"])


@project_rule(
    RuleSpec(
        code="DPR402",
        name="missing-ready-route",
        category="practice",
        summary="A FastAPI/Flask app with no readiness route (`/ready`, `/readyz`) anywhere in the project.",
        target="project",
        fix_safety="unsafe",
        fix_description="Add a `GET /ready` route.",
    )
)
def missing_ready_route(project: Project, settings: Settings) -> Iterator[Diagnostic]:
    return _missing_route(project, settings, "DPR402", "ready-routes", "readiness", ["/ready", "/readyz"])
