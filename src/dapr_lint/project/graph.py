"""The application model as a graph (for `dapr-lint apps --format mermaid|dot|json`).

Nodes are the apps of a repository, the components their resource sets define (one node per component of a
resource file, however many apps load it) and the pub/sub topics; edges are what the code and the resources
say: an app publishes to a topic, a topic is delivered to an app (on a route), an app invokes another (a
method), an app uses a state store, binding, secret store, lock or configuration store. Every edge keeps the
file and line it comes from. Built from the same summaries the project rules read, through `Project.string`,
so an edge exists exactly where a rule sees a resolved name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable

from dapr_lint.project import Project, ServedRoute, is_test_file, normalise_route
from dapr_lint.project.apps import App, AppModel
from dapr_lint.project.rules import family_of  # the rules' reading of a client call: the graph never disagrees
from dapr_lint.project.jobs import app_modules as _modules
from dapr_lint.project.jobs import job_routes, reached, route_may_be  # DPR611's reading of jobs and their routes
from dapr_lint.summaries import ComponentFact, ModuleSummary

# client methods that publish (the ones whose `pubsub_name` and `topic_name` make a publish edge)
PUBLISH_METHODS = frozenset({"publish_event", "publish_events"})
# streaming subscriptions of the client (`subscribe`, `subscribe_with_handler`)
STREAM_METHODS = frozenset({"subscribe", "subscribe_with_handler"})
INVOKE_METHODS = frozenset({"invoke_method", "invoke_method_async"})
# edge kinds, in the order `--kind` lists them
EDGE_KINDS = ("publish", "subscribe", "invoke", "state", "bindings", "secretstores", "lock", "configuration", "jobs")


@dataclass(frozen=True)
class Place:
    """Where a finding concerns a node or an edge besides its own file and line: lines `line`..`end_line` of
    `file`, for the findings of `codes` (every code when empty). Not part of the JSON: it decides the marks."""

    file: str
    line: int
    end_line: int = 0  # 0: `line` alone
    codes: tuple[str, ...] = ()

    def holds(self, path: str, line: int, code: str) -> bool:
        last = self.end_line or self.line
        return path == self.file and self.line <= line <= last and (not self.codes or code in self.codes)


# the findings of a subscription's handler function that concern the delivery (the answer Dapr reads)
HANDLER_CODES = ("DPR403",)


@dataclass(frozen=True)
class Node:
    """`kind`: "app", "component", "topic" or "job". `id` is stable across runs (built from names, not positions)."""

    id: str
    kind: str
    label: str
    detail: str = ""  # app: its entry module; component: its type; topic: its pub/sub component's name; job: ""
    file: str = ""  # where it is declared (a run file, a resource file), display path; "" when nowhere
    line: int = 0
    # an app whose code is not read (another language, or only invoked), a component no resource file defines,
    # a topic on such a pub/sub
    external: bool = False
    findings: tuple[str, ...] = ()  # codes of the rules reporting at the node's declaration
    places: tuple[Place, ...] = ()  # an app: where its web apps are built (DPR401, DPR402 report there)


@dataclass(frozen=True)
class Edge:
    """`kind`: one of EDGE_KINDS; `label`: the route (subscribe), the method (invoke), the client call (uses)."""

    source: str
    target: str
    kind: str
    label: str
    file: str
    line: int
    findings: tuple[str, ...] = ()  # codes of the rules reporting at the edge's file and line, or its places
    # a Subscription's routes and `pubsubname` (DPR604), a subscription's handler function (DPR403)
    places: tuple[Place, ...] = ()


@dataclass
class Graph:
    root: str
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    # component node -> the app nodes whose resource sets load it (not drawn: `focus` keeps an app's unused
    # components, so a finding on one stays visible in the app's neighbourhood)
    loaders: dict[str, set[str]] = field(default_factory=dict)

    def add(self, node: Node) -> str:
        self.nodes.setdefault(node.id, node)
        return node.id

    def connect(self, edge: Edge) -> None:
        if edge not in self.edges:
            self.edges.append(edge)

    def focus(self, app_id: str) -> "Graph":
        """The neighbourhood of the apps with this ID (or name): each app, what it touches, and the apps on the
        other side of its topics (their publishers and subscribers)."""
        starts = {k for k, n in self.nodes.items() if n.kind == "app" and n.label == app_id}
        near = set(starts)
        for edge in self.edges:
            if edge.source in starts or edge.target in starts:
                near.update((edge.source, edge.target))
        topics = {n for n in near if self.nodes[n].kind == "topic"}
        kept = [
            e
            for e in self.edges
            if e.source in starts or e.target in starts or e.source in topics or e.target in topics
        ]
        ids = starts | {e.source for e in kept} | {e.target for e in kept}
        used = {e.source for e in self.edges} | {e.target for e in self.edges}
        # a pub/sub component is used through its topics
        used |= {f"component:{n.file}:{n.detail}" for n in self.nodes.values() if n.kind == "topic" and n.file}
        ids |= {k for k, apps in self.loaders.items() if apps & starts and k not in used}
        return Graph(self.root, {k: v for k, v in self.nodes.items() if k in ids}, kept, self._loaders_of(ids))

    def only(self, kinds: Iterable[str]) -> "Graph":
        """The edges of these kinds and the nodes they join (apps stay, so a lone app is still drawn)."""
        wanted = set(kinds)
        kept = [e for e in self.edges if e.kind in wanted]
        ids = {e.source for e in kept} | {e.target for e in kept}
        nodes = {k: v for k, v in self.nodes.items() if k in ids or v.kind == "app"}
        return Graph(self.root, nodes, kept, self._loaders_of(nodes))

    def _loaders_of(self, ids: Iterable[str]) -> dict[str, set[str]]:
        return {k: self.loaders[k] for k in ids if k in self.loaders}

    def marked(self, findings: Iterable[tuple[str, int, str]]) -> "Graph":
        """The graph with each (path, line, code) finding on the nodes and edges it concerns: at their file and
        line (a client call, a component's `metadata.name`) or at one of their places."""
        at: dict[tuple[str, int], set[str]] = {}
        listed = list(findings)
        for path, line, code in listed:
            at.setdefault((path, line), set()).add(code)

        def codes(file: str, line: int, places: tuple[Place, ...]) -> tuple[str, ...]:
            found = set(at.get((file, line), ())) if file else set()
            if places:
                found.update(code for path, where, code in listed if any(p.holds(path, where, code) for p in places))
            return tuple(sorted(found))

        nodes = {
            k: replace(n, findings=codes(n.file, n.line, n.places)) if n.kind in ("component", "app") else n
            for k, n in self.nodes.items()
        }
        edges = [replace(e, findings=codes(e.file, e.line, e.places)) for e in self.edges]
        return Graph(self.root, nodes, edges, self.loaders)

    def as_data(self) -> dict:
        """The stable JSON schema (docs/apps-graph.md)."""
        return {
            "nodes": [
                {
                    "id": n.id,
                    "kind": n.kind,
                    "label": n.label,
                    "detail": n.detail,
                    "file": n.file,
                    "line": n.line,
                    "external": n.external,
                    "findings": list(n.findings),
                }
                for n in sorted(self.nodes.values(), key=lambda n: n.id)
            ],
            "edges": [
                {
                    "source": e.source,
                    "target": e.target,
                    "kind": e.kind,
                    "label": e.label,
                    "file": e.file,
                    "line": e.line,
                    "findings": list(e.findings),
                }
                for e in sorted(self.edges, key=lambda e: (e.source, e.target, e.kind, e.label, e.file, e.line))
            ],
        }


def _entry(app: App, shown: Callable[[str], str]) -> str:
    return shown(app.entries[0]) if app.entries else ""


def _components_named(
    components: dict[str, list[tuple[str, ComponentFact]]], name: str, family: str
) -> list[tuple[str, ComponentFact]]:
    named = components.get(name, [])
    # a component of another kind under that name is still the one the sidecar looks up (DPR602 says so)
    return [(f, c) for f, c in named if c.type.split(".", 1)[0] == family] or named


def _component_nodes(
    graph: Graph,
    components: dict[str, list[tuple[str, ComponentFact]]],
    name: str,
    family: str,
    shown: Callable[[str], str],
) -> list[str]:
    """The nodes of the components an app finds under `name` (one per resource file defining it)."""
    found = _components_named(components, name, family)
    if not found:
        return [graph.add(Node(f"component:?:{name}", "component", name, "not defined", external=True))]
    return [
        graph.add(Node(f"component:{shown(f)}:{c.name}", "component", c.name, c.type, shown(f), c.span.line))
        for f, c in found
    ]


def _topic_node(
    graph: Graph,
    components: dict[str, list[tuple[str, ComponentFact]]],
    pubsub: str,
    topic: str,
    shown: Callable[[str], str],
) -> str:
    """A topic belongs to its pub/sub component: two resource sets each defining `pubsub` are two brokers (the
    quickstarts' samples share names, not brokers). A name no component defines keys by the name alone."""
    found = _components_named(components, pubsub, "pubsub")
    if not found:
        return graph.add(Node(f"topic:?:{pubsub}/{topic}", "topic", topic, pubsub, external=True))
    file, component = found[0]
    key = f"topic:{shown(file)}:{pubsub}/{topic}"
    return graph.add(Node(key, "topic", topic, pubsub, shown(file), component.span.line))


def _app_ids(apps: list[App], shown: Callable[[str], str]) -> dict[int, str]:
    """Node IDs of apps: `app:<app ID>`, or with its folder when several apps of the repository share the ID
    (separate samples of one repository, each with its own run file)."""
    counts: dict[str, int] = {}
    for app in apps:
        counts[app.key] = counts.get(app.key, 0) + 1
    return {id(a): f"app:{a.key}" if counts[a.key] == 1 else f"app:{a.key}@{shown(a.folder) or '.'}" for a in apps}


def _invoked(apps: list[App], caller: App, target_id: str) -> list[App]:
    """The apps an invocation of `target_id` reaches: the one app with that ID, or, when several share it, those
    started by the caller's own run or deploy file."""
    found = [a for a in apps if a.app_id == target_id]
    if len(found) > 1:
        return [a for a in found if set(a.sources) & set(caller.sources)] or found
    return found


def _route_line(project: Project, route: ServedRoute) -> tuple[str, int]:
    """The display path and line of the registration a served route comes from."""
    entry = route.entry
    summary = project.by_file.get(os.path.normcase(entry.file)) if entry is not None else None
    if entry is None or summary is None:
        return "", 0
    for item in summary.routes:
        if item.function == entry.function and project.string(summary, item.path) == entry.path:
            return summary.path, item.line
    return summary.path, 0


def _handler_places(project: Project, app: App, routes: Iterable[str]) -> tuple[Place, ...]:
    """The functions of an app serving these subscription routes (where DPR403 reports on their answers)."""
    wanted = {normalise_route(r) for r in routes}
    found = []
    for route in project.app_routes(app)[0]:
        entry = route.entry
        if entry is None or not entry.function or route.full not in wanted:
            continue
        summary = project.by_file.get(os.path.normcase(entry.file))
        for handler in summary.handlers if summary is not None else ():
            if handler.kind == "route" and handler.function == entry.function:
                found.append(Place(summary.path, handler.span.line, handler.span.end_line, HANDLER_CODES))  # type: ignore[union-attr]
                break
    return tuple(dict.fromkeys(found))


def _jobs(graph: Graph, project: Project, app: App, source: str) -> None:
    """Jobs the app schedules (app -> job) and what serves each (job -> app: the scheduler calls the job back on the
    app that scheduled it), exactly as DPR611 reads them: jobs of the modules the entry modules run."""
    scheduled = [(s, j) for s in reached(project, app) for j in s.wiring.jobs if not is_test_file(s.path)]
    if not scheduled:
        return
    handlers: list[tuple[str, ModuleSummary, int]] = []
    for summary in _modules(project, app):
        # `job_handlers` lists the `job_event` names in the order the handlers list their functions
        lines = [h.line for h in summary.handlers if h.kind == "grpc_job"]
        for name, line in zip(summary.wiring.job_handlers, lines):
            text = project.string(summary, name)
            if text is not None:
                handlers.append((text, summary, line))
    routes = job_routes(project, app) or []
    for summary, job in scheduled:
        name = project.string(summary, job.name)
        if name is None:
            continue
        key = graph.add(Node(f"job:{source[len('app:'):]}/{name}", "job", name))
        graph.connect(Edge(source, key, "jobs", "schedule", summary.path, job.span.line))
        for text, where, line in handlers:
            if text == name:
                graph.connect(Edge(key, source, "jobs", "job_event", where.path, line))
        wanted = f"/job/{name}"
        for route in routes:
            if route_may_be(route.full, wanted):
                file, line = _route_line(project, route)
                graph.connect(Edge(key, source, "jobs", route.full or "?", file, line))


def build_graph(project: Project, model: AppModel, shown: Callable[[str], str]) -> Graph:
    """The graph of one repository. `shown`: file -> display path."""
    graph = Graph(shown(model.root) or ".")
    apps = [a for a in model.apps if model.uses_dapr(a)]
    ids = _app_ids(apps, shown)
    for app in apps:
        places = tuple(Place(summary.path, item.span.line) for summary, _oid, item in project.app_objects(app))
        graph.add(Node(ids[id(app)], "app", app.key, _entry(app, shown), external=app.python is False, places=places))
    for app in apps:
        if app.python is False:
            continue  # another language: one node, its code is not read
        source = ids[id(app)]
        components: dict[str, list[tuple[str, ComponentFact]]] = {}
        for resource_set in app.resource_sets:
            for file, component in model.components(app, resource_set):
                components.setdefault(component.name, []).append((file, component))

        for summary in _modules(project, app):
            for use in summary.components:
                line = use.span.line
                if use.method in PUBLISH_METHODS and use.param == "pubsub_name":
                    pubsub, topic = project.string(summary, use.name), project.string(summary, use.topic)
                    if pubsub and topic:
                        graph.connect(
                            Edge(
                                source,
                                _topic_node(graph, components, pubsub, topic, shown),
                                "publish",
                                use.method,
                                summary.path,
                                line,
                            )
                        )
                elif use.method in STREAM_METHODS and use.param == "pubsub_name":
                    pubsub, topic = project.string(summary, use.name), project.string(summary, use.topic)
                    if pubsub and topic:
                        graph.connect(
                            Edge(
                                _topic_node(graph, components, pubsub, topic, shown),
                                source,
                                "subscribe",
                                "(streaming)",
                                summary.path,
                                line,
                            )
                        )
                elif use.param == "app_id" and use.method in INVOKE_METHODS:
                    target_id = project.string(summary, use.name)
                    if not target_id:
                        continue
                    method = project.string(summary, use.method_name) or "?"
                    targets = [ids[id(t)] for t in _invoked(apps, app, target_id)] or [
                        graph.add(Node(f"app:{target_id}", "app", target_id, "", external=True))
                    ]
                    for target_key in targets:
                        graph.connect(Edge(source, target_key, "invoke", method, summary.path, line))
                else:
                    family = family_of(use)
                    if family is None or family == "pubsub":
                        continue
                    name = project.string(summary, use.name)
                    if not name:
                        continue
                    for target_key in _component_nodes(graph, components, name, family, shown):
                        graph.connect(Edge(source, target_key, family, use.method, summary.path, line))
            for listed in summary.wiring.listed:
                # a `GET /dapr/subscribe` entry: Dapr delivers to its routes (adding the leading slash)
                pubsub, topic = project.string(summary, listed.pubsub), project.string(summary, listed.topic)
                if pubsub and topic and listed.routes:
                    graph.connect(
                        Edge(
                            _topic_node(graph, components, pubsub, topic, shown),
                            source,
                            "subscribe",
                            ", ".join(normalise_route(r) for r in listed.routes),
                            summary.path,
                            listed.span.line,
                            places=_handler_places(project, app, listed.routes),
                        )
                    )
            for handler in summary.handlers:
                if handler.kind not in ("subscription", "grpc_subscription"):
                    continue
                pubsub, topic = project.string(summary, handler.pubsub), project.string(summary, handler.topic)
                if pubsub and topic:
                    route = handler.path or f"{handler.function}()"  # the extension routes it itself
                    graph.connect(
                        Edge(
                            _topic_node(graph, components, pubsub, topic, shown),
                            source,
                            "subscribe",
                            route,
                            summary.path,
                            handler.line,
                            places=(Place(summary.path, handler.span.line, handler.span.end_line, HANDLER_CODES),),
                        )
                    )
        _jobs(graph, project, app, source)
        for resource_set in app.resource_sets:
            for file, sub in model.subscriptions(app, resource_set):
                if sub.pubsub is None or not sub.topic:
                    continue
                route = ", ".join(r.value for r in sub.routes) or "?"
                declared = tuple(Place(shown(file), r.span.line) for r in (*sub.routes, sub.pubsub))
                graph.connect(
                    Edge(
                        _topic_node(graph, components, sub.pubsub.value, sub.topic, shown),
                        source,
                        "subscribe",
                        route,
                        shown(file),
                        sub.span.line,
                        places=declared + _handler_places(project, app, [r.value for r in sub.routes]),
                    )
                )
    _unused_components(graph, model, apps, ids, shown)
    return graph


def _unused_components(
    graph: Graph, model: AppModel, apps: list[App], ids: dict[int, str], shown: Callable[[str], str]
) -> None:
    """Every component of the repository's resource files is drawn, used or not (a DPR603 on a binding no code
    calls is still on the picture); `loaders` records which apps load each."""
    for file in sorted(model.resources):
        for component in model.resources[file].components:
            graph.add(
                Node(
                    f"component:{shown(file)}:{component.name}",
                    "component",
                    component.name,
                    component.type,
                    shown(file),
                    component.span.line,
                )
            )
    for app in apps:
        for resource_set in app.resource_sets:
            for file, component in model.components(app, resource_set):
                graph.loaders.setdefault(f"component:{shown(file)}:{component.name}", set()).add(ids[id(app)])


def build_graphs(project: Project, shown: Callable[[str], str]) -> list[Graph]:
    return [build_graph(project, model, shown) for model in project.models]
