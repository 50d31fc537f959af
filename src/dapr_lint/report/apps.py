"""`dapr-lint apps`: what the app model found, as plain data, and as text a person reads on a repository of a
hundred apps (apps with no Python module on one line each; every path relative to the working directory)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Optional, Sequence

from dapr_lint.files import display_path
from dapr_lint.project import Project
from dapr_lint.project.graph import HANDLER_CODES, Graph, build_graph
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
    """(path, line, code) of what the enabled project rules report, and DPR403 in subscription handlers, to mark on
    the graph: `# noqa` and `per-file-ignores` applied as the project stage applies them (a rule that fails is left
    out: the drawing is not the place to report our own bugs; `dapr-lint check` does)."""
    from dapr_lint import catalog  # noqa: F401  (registers the project rules)
    from dapr_lint import registry
    from dapr_lint.engine.project_stage import _suppressed, positioned

    wanted = set(enabled)
    found = []
    for code, check in registry.checks("project").items():
        if code not in wanted:
            continue
        try:
            for finding in check(project, replace(settings, enabled=frozenset(wanted)), registry.reporter(code)):
                diagnostic = positioned(finding)
                summary = project.by_display.get(diagnostic.path) or project.resources_by_display.get(diagnostic.path)
                if summary is None or _suppressed(diagnostic, summary):
                    continue  # a file outside the run, or silenced: `dapr-lint check` does not report it either
                found.append((diagnostic.path, diagnostic.line, diagnostic.code))
        except Exception:  # noqa: BLE001
            continue
    handler_codes = wanted & set(HANDLER_CODES)
    if handler_codes:
        found.extend(_handler_findings(project, replace(settings, enabled=frozenset(handler_codes))))
    return found


def _handler_findings(project: Project, settings: Settings) -> list[tuple[str, int, str]]:
    """The per-file findings of the subscription handlers (DPR403), as `dapr-lint check` reports them: the file
    checked knowing which of its route functions receive events (the project stage's second look)."""
    from dapr_lint.engine.file_stage import FileTask, check_file

    found: list[tuple[str, int, str]] = []
    for summary in project.summaries:
        functions = project.subscriber_functions(summary)
        if not functions and not any(h.kind in ("subscription", "grpc_subscription") for h in summary.handlers):
            continue
        task = FileTask(summary.file, summary.path, "python", frozenset(summary.ignored), subscribers=tuple(sorted(functions)))
        found.extend((d.path, d.line, d.code) for d in check_file(task, settings).diagnostics)
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

    def from_root(root: str, text: str) -> str:
        """A model's note (`dapr.yaml orders/dapr.yaml`, `components/ beside or above the app`) with its paths,
        written relative to the repository's root, shown relative to the working directory like every other."""
        words = []
        parts = text.split(" ")
        for index, word in enumerate(parts):
            bare = word.rstrip("/,")
            if index == 0 and word == "dapr.yaml" and len(parts) > 1:
                pass  # the label of a run template source (`dapr.yaml orders/dapr.yaml`), not a path
            elif bare and not os.path.isabs(bare) and os.path.exists(os.path.join(root, bare)):
                word = shown(os.path.join(root, bare)) + word[len(bare) :]
            words.append(word)
        return " ".join(words)

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
                        "origin": from_root(model.root, resource_set.origin),
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
                    "sources": [from_root(model.root, s) for s in app.sources],
                    "folder": shown(app.folder),
                    "entries": [shown(e) for e in app.entries],
                    "modules": [shown(m) for m in app.modules],
                    "resource_sets": sets,
                    "routes": sorted({r.full for r in routes if r.full is not None}),
                    "routes_complete": complete and all(r.full is not None for r in routes),
                    "subscriber_routes": sorted(project.subscriber_routes(app)),
                    "health_paths": [{"path": p.value, "origin": from_root(model.root, p.origin)} for p in app.health_paths],
                }
            )
        in_apps = {m for app in model.apps for m in app.modules}
        outside = sorted(shown(f) for f in model.modules if f not in in_apps)
        graph = _focused(build_graph(project, model, shown).marked(findings), focus, kinds).as_data()
        described.append({"root": shown(model.root) or ".", "apps": apps_data, "outside": outside, "graph": graph})
    return described


def render_apps(described: list[dict]) -> str:
    """The text of `dapr-lint apps`: per repository, each Python app in full, each app with no Python module (a
    C#, Go, Java or JavaScript app of the same `dapr.yaml`) on one line, then the modules in no app."""
    lines: list[str] = []
    for repository in described:
        if lines:
            lines.append("")
        python = [app for app in repository["apps"] if app["modules"]]
        others = [app for app in repository["apps"] if not app["modules"]]
        why = f" ({repository['why']})" if repository.get("why") else ""
        if not repository["apps"]:
            lines.append(f"repository {repository['root']}{why}: no apps found (no dapr.yaml, Kubernetes manifest, compose sidecar or entry module)")
        elif not python:
            lines.append(f"repository {repository['root']}{why}: no Python app")
        else:
            lines.append(f"repository {repository['root']}{why}")
        for app in python:
            lines.append("")
            lines.extend(_python_app(app))
        if others:
            if python:
                lines.append("")
            lines.append(f"  apps with no Python module ({len(others)}; no Python rule applies):")
            for app in others:
                app_id = f" (app ID {app['app_id']})" if app["app_id"] else ""
                where = app["folder"] or "; ".join(app["sources"])
                lines.append(f"    {app['name']}{app_id}: {where}")
        if repository["outside"]:
            lines.append("")
            lines.append(f"modules in no app ({len(repository['outside'])}): {', '.join(repository['outside'])}")
    return "\n".join(lines) + ("\n" if lines else "")


def _admitted(sdk) -> str:
    """An app's SDK pin as `dapr-lint apps` prints it."""
    if sdk is None:
        return "the newest known (nothing pins dapr)"
    admitted = sdk["low"] if sdk["low"] == sdk["high"] else f"{sdk['low']} to {sdk['high']}"
    return f"{admitted} ({sdk['source']})"


def _python_app(app: dict) -> list[str]:
    app_id = f" (app ID {app['app_id']})" if app["app_id"] else " (no app ID declared)"
    dapr = "" if app["uses_dapr"] else " - uses no Dapr: no Dapr project rule applies"
    out = [f"app {app['name']}{app_id}{dapr}", f"  found from: {'; '.join(app['sources'])}"]
    if app["folder"]:
        out.append(f"  folder: {app['folder']}")
    if app["uses_dapr"] and "sdk" in app:
        out.append(f"  Dapr SDK: {_admitted(app['sdk'])}")
    out.append(f"  modules ({len(app['modules'])}): {', '.join(app['modules'])}")
    if not app["resource_sets"]:
        out.append("  resources: none found (component names are not checked)")
    for resource_set in app["resource_sets"]:
        names = ", ".join(f"{c['name']} ({c['type']})" for c in resource_set["components"]) or "-"
        out.append(f"  {resource_set['kind']} resources from {resource_set['origin']}: {names}")
        for sub in resource_set["subscriptions"]:
            out.append(f"    subscription {sub['name']}: {sub['pubsub']}/{sub['topic']} -> {', '.join(sub['routes'])}")
    routes = app["routes"] if app["routes_complete"] else app["routes"] + ["(and routes the summaries cannot follow)"]
    out.append(f"  routes: {', '.join(routes) or '-'}")
    if app["subscriber_routes"]:
        out.append(f"  event routes: {', '.join(app['subscriber_routes'])}")
    for path in app["health_paths"]:
        out.append(f"  called by Dapr or the cluster: {path['path']} ({path['origin']})")
    return out
