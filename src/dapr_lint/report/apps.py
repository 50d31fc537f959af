"""`dapr-lint apps`: what the app model found, as plain data."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Iterable, Optional, Sequence

from dapr_lint.files import display_path
from dapr_lint.project import Project
from dapr_lint.project.graph import Graph, build_graph
from dapr_lint.settings import Settings
from dapr_lint.summaries import ModuleSummary, ResourceSummary, Summary


def _project(summaries: Iterable[Summary], settings: Settings) -> Project:
    every = list(summaries)
    return Project(
        [s for s in every if isinstance(s, ModuleSummary)],
        [s for s in every if isinstance(s, ResourceSummary)],
        settings.resources_paths,
        settings.root,
    )


def _shown(file: str) -> str:
    return display_path(Path(file)) if file else ""


def project_findings(project: Project, settings: Settings, enabled: Iterable[str]) -> list[tuple[str, int, str]]:
    """(path, line, code) of what the enabled project rules report, to mark on the graph (a rule that fails is
    left out: the drawing is not the place to report our own bugs; `dapr-lint check` does)."""
    from dapr_lint import catalog  # noqa: F401  (registers the project rules)
    from dapr_lint import registry
    from dapr_lint.engine.project_stage import positioned

    wanted = set(enabled)
    found = []
    for code, check in registry.checks("project").items():
        if code not in wanted:
            continue
        try:
            for finding in check(project, replace(settings, enabled=frozenset(wanted)), registry.reporter(code)):
                diagnostic = positioned(finding)
                found.append((diagnostic.path, diagnostic.line, diagnostic.code))
        except Exception:  # noqa: BLE001
            continue
    return found


def _focused(graph: Graph, focus: Optional[str], kinds: Sequence[str]) -> Graph:
    if kinds:
        graph = graph.only(kinds)
    return graph.focus(focus) if focus else graph


def app_graphs(
    summaries: Iterable[Summary],
    settings: Settings,
    focus: Optional[str] = None,
    kinds: Sequence[str] = (),
    enabled: Iterable[str] = (),
) -> list[Graph]:
    """The graph of each repository (`dapr-lint apps --format mermaid|dot`), narrowed to one app's neighbourhood
    and to some edge kinds when asked, marked with the findings of the `enabled` project rules."""
    project = _project(summaries, settings)
    findings = project_findings(project, settings, enabled)
    return [_focused(build_graph(project, model, _shown).marked(findings), focus, kinds) for model in project.models]


def describe_apps(
    summaries: Iterable[Summary],
    settings: Settings,
    focus: Optional[str] = None,
    kinds: Sequence[str] = (),
    enabled: Iterable[str] = (),
) -> list[dict]:
    """What the app model found, per repository, as plain data (for `dapr-lint apps`), with its graph."""
    project = _project(summaries, settings)
    findings = project_findings(project, settings, enabled)
    shown = _shown

    described = []
    for model in project.models:
        apps_data = []
        for app in model.apps:
            routes, complete = project.app_routes(app)
            sets = []
            for resource_set in app.resource_sets:
                sets.append(
                    {
                        "kind": resource_set.kind,
                        "origin": resource_set.origin,
                        "folders": [shown(f) for f in resource_set.folders],
                        "components": [
                            {"name": c.name, "type": c.type, "file": shown(f)} for f, c in model.components(app, resource_set)
                        ],
                        "subscriptions": [
                            {
                                "name": sub.name,
                                "pubsub": sub.pubsub.value if sub.pubsub else None,
                                "topic": sub.topic,
                                "routes": [r.value for r in sub.routes],
                                "file": shown(f),
                            }
                            for f, sub in model.subscriptions(app, resource_set)
                        ],
                    }
                )
            apps_data.append(
                {
                    "name": app.name,
                    "app_id": app.app_id,
                    "uses_dapr": model.uses_dapr(app),
                    "sources": app.sources,
                    "folder": shown(app.folder),
                    "entries": [shown(e) for e in app.entries],
                    "modules": [shown(m) for m in app.modules],
                    "resource_sets": sets,
                    "routes": sorted({r.full for r in routes if r.full is not None}),
                    "routes_complete": complete and all(r.full is not None for r in routes),
                    "subscriber_routes": sorted(project.subscriber_routes(app)),
                    "health_paths": [{"path": p.value, "origin": p.origin} for p in app.health_paths],
                }
            )
        in_apps = {m for app in model.apps for m in app.modules}
        outside = sorted(shown(f) for f in model.modules if f not in in_apps)
        graph = _focused(build_graph(project, model, shown).marked(findings), focus, kinds).as_data()
        described.append({"root": shown(model.root) or ".", "apps": apps_data, "outside": outside, "graph": graph})
    return described
