"""What project rules read: `Project` (every summary of the run, indexed so that names resolve across modules),
the route graph, the apps. Rule modules import this package; the stage that runs the rules is
engine/project_stage.py (a rule never imports it)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePath
from typing import Iterable, Iterator, Optional

from dapr_lint.project.apps import App, AppModel
from dapr_lint.roots import RunRoot, project_root, run_root
from dapr_lint.summaries import ImportedName, LocalObject, ModuleSummary, ObjectRef, ResourceSummary, RouteOwner, StrValue

# -- resolving names across the modules of the run ----------------------------------------------------


@dataclass(frozen=True)
class ObjectId:
    """An app, router or blueprint: the file that creates it and its key there."""

    file: str
    key: str


class Project:
    """Every summary of the run, indexed so that imported names resolve to the module that defines them."""

    def __init__(
        self,
        summaries: list[ModuleSummary],
        resources: Iterable[ResourceSummary] = (),
        resources_paths: Iterable[str] = (),
        root: Optional[RunRoot] = None,
    ) -> None:
        self.summaries = summaries
        self.resources = list(resources)
        # the run's root (dapr_lint.roots); unknown: as if every file given had been named
        self.root = root if root is not None else run_root([Path(s.file) for s in summaries if s.file] or [Path(".")])
        self.resources_by_display = {r.path: r for r in self.resources}
        self._resources_paths = tuple(resources_paths)
        self._models: Optional[list[AppModel]] = None
        self._model_of: dict[str, AppModel] = {}
        self._graph: Optional[RouteGraph] = None
        self._memos: dict[str, dict] = {}
        self.by_file: dict[str, ModuleSummary] = {}
        self.by_display: dict[str, ModuleSummary] = {}
        # module path suffix ("pkg", "routes") -> summaries; absolute imports match any suffix, since we
        # do not know the import roots of the run
        self.by_suffix: dict[tuple[str, ...], list[ModuleSummary]] = {}
        for summary in summaries:
            file = summary.file or summary.path
            self.by_file[os.path.normcase(file)] = summary
            self.by_display[summary.path or file] = summary
            parts = _module_parts(file)
            for length in range(1, min(len(parts), 8) + 1):
                self.by_suffix.setdefault(tuple(parts[-length:]), []).append(summary)

    def memo(self, name: str) -> dict:
        """A table the project's readers fill once per run (the summaries never change during it)."""
        return self._memos.setdefault(name, {})

    # apps

    @property
    def models(self) -> list[AppModel]:
        """The app model of each repository the summaries come from (built on first use)."""
        if self._models is None:
            roots: dict[str, str] = {}

            def root_of(file: str) -> str:
                # one root for the run, less the folders below it that are repositories of their own
                folder = os.path.dirname(file)
                if folder not in roots:
                    roots[folder] = project_root(file, self.root)
                return roots[folder]

            grouped: dict[str, tuple[list, list]] = {}
            for summary in self.summaries:
                grouped.setdefault(root_of(summary.file), ([], []))[0].append(summary)
            for resource in self.resources:
                grouped.setdefault(root_of(resource.file), ([], []))[1].append(resource)
            self._models = []
            for root, (modules, resources) in sorted(grouped.items()):
                explicit = [p for p in self._resources_paths if os.path.normpath(p).startswith(root)] or [
                    p for p in self._resources_paths
                ]
                model = AppModel(root, modules, resources, explicit)
                self._models.append(model)
                for summary in modules:
                    self._model_of[summary.file] = model
                for resource in resources:
                    self._model_of[resource.file] = model
        return self._models

    @property
    def graph(self) -> "RouteGraph":
        if self._graph is None:
            self._graph = RouteGraph(self)
        return self._graph

    def app_objects(self, app: App) -> list[tuple[ModuleSummary, ObjectId, RouteOwner]]:
        """The FastAPI/Flask apps an app's modules create."""
        found = []
        for file in app.modules:
            summary = self.by_file.get(os.path.normcase(file))
            if summary is None:
                continue
            for key, item in summary.objects.items():
                if item.kind == "app":
                    found.append((summary, ObjectId(summary.file, key), item))
        return found

    def app_routes(self, app: App) -> tuple[list[ServedRoute], bool]:
        """Every route an app serves (its HTTP apps' routes and the floating routes of its modules), and
        whether that list is complete."""
        routes: list[ServedRoute] = []
        complete = True
        for _summary, oid, _item in self.app_objects(app):
            served = self.graph.served(oid)
            routes.extend(served.routes)
            complete = complete and served.complete
        routes.extend(self.graph.floating_in(app.modules))
        return routes, complete

    def resources_by_file_display(self, file: str) -> Optional[str]:
        """The display path of a resource file the project read."""
        for resource in self.resources:
            if resource.file == file:
                return resource.path
        return None

    def subscriber_routes(self, app: App) -> set[str]:
        """Routes Dapr delivers events to in this app: declarative Subscriptions of its resource sets and the
        routes a `GET /dapr/subscribe` of any of its modules lists (Dapr adds a missing leading slash)."""
        model = self.model_of(app.modules[0]) if app.modules else None
        routes: set[str] = set()
        if model is None:
            return routes
        for resource_set in app.resource_sets:
            for _file, subscription in model.subscriptions(app, resource_set):
                routes.update(normalise_route(r.value) for r in subscription.routes)
        for file in app.modules:
            summary = self.by_file.get(os.path.normcase(file))
            if summary is not None:
                routes.update(normalise_route(r) for r in summary.subscribed_routes)
        return routes

    def model_of(self, file: str) -> Optional[AppModel]:
        self.models  # noqa: B018  (the property builds _model_of on first use)
        return self._model_of.get(file)

    def subscriber_functions(self, summary: ModuleSummary) -> set[str]:
        """The route functions of a module that Dapr delivers events to, by the facts of the module's apps."""
        found: set[str] = set()
        for app in self.apps_of(summary.file):
            wanted = self.subscriber_routes(app)
            if not wanted:
                continue
            routes, _complete = self.app_routes(app)
            for route in routes:
                entry = route.entry
                if entry is None or entry.file != summary.file or not entry.function:
                    continue
                full = route.full
                if full is not None:
                    if full in wanted:
                        found.add(entry.function)
                elif entry.path and entry.path.strip("/"):
                    # a prefix we cannot read: a subscribed route ending with the route's own path counts
                    own = normalise_route(entry.path)
                    if any(w == own or w.endswith(own) for w in wanted):
                        found.add(entry.function)
            for handler in summary.handlers:
                # routes registered where the summary has no route entry (add_api_route with a method reference)
                if handler.kind == "route" and handler.path and normalise_route(handler.path) in wanted:
                    found.add(handler.function)
        return found

    def apps_of(self, file: str) -> list[App]:
        model = self.model_of(file)
        return model.apps_of(file) if model is not None else []

    # modules

    def modules(self, origin: ModuleSummary, dotted: str) -> list[ModuleSummary]:
        """The summaries a module name refers to, from the module `origin` (relative imports too)."""
        if dotted.startswith("."):
            level = len(dotted) - len(dotted.lstrip("."))
            rest = [p for p in dotted[level:].split(".") if p]
            base = PurePath(origin.file).parent
            for _ in range(level - 1):
                base = base.parent
            target = base.joinpath(*rest) if rest else base
            found = []
            for candidate in (str(target) + ".py", str(target / "__init__.py")):
                summary = self.by_file.get(os.path.normcase(candidate))
                if summary is not None:
                    found.append(summary)
            return found
        return list(self.by_suffix.get(tuple(dotted.split(".")), ()))

    def resolve(self, origin: ModuleSummary, dotted: str, section: str, depth: int = 0) -> list[tuple[ModuleSummary, str]]:
        """(summary, name) pairs for an imported dotted name that a module of the run defines in
        `section` ("objects" or "constants"), following re-exports a few levels."""
        if depth > 4:
            return []
        level = len(dotted) - len(dotted.lstrip("."))
        parts = dotted[level:].split(".")
        if len(parts) < 1 or (level == 0 and len(parts) < 2):
            return []
        module, name = "." * level + ".".join(parts[:-1]), parts[-1]
        found: list[tuple[ModuleSummary, str]] = []
        for summary in self.modules(origin, module):
            if name in getattr(summary, section):
                found.append((summary, name))
                continue
            target = summary.imports.get(name)
            if target is not None:
                found.extend(self.resolve(summary, target, section, depth + 1))
        return found

    def string(self, origin: ModuleSummary, value: StrValue) -> Optional[str]:
        """A summary string value as text, or None when it is not known."""
        if isinstance(value, str):
            return value
        if isinstance(value, ImportedName):
            found = {summary.constants[name] for summary, name in self.resolve(origin, value.path, "constants")}
            if len(found) == 1:
                return found.pop()
        return None

    def environment_of(self, origin: ModuleSummary, value: StrValue) -> Optional[str]:
        """The environment variable whose default an imported constant holds (`os.getenv(NAME, default)`)."""
        if not isinstance(value, ImportedName):
            return None
        names = {summary.env_constants.get(name) for summary, name in self.resolve(origin, value.path, "constants")}
        return names.pop() if len(names) == 1 else None

    def objects_of(self, origin: ModuleSummary, ref: ObjectRef) -> Optional[list[ObjectId]]:
        """The apps/routers an object reference means; None when it is unknown or outside the run."""
        if isinstance(ref, LocalObject):
            return [ObjectId(origin.file, ref.key)] if ref.key in origin.objects else None
        if not isinstance(ref, ImportedName):
            return None
        found = [ObjectId(s.file, name) for s, name in self.resolve(origin, ref.path, "objects")]
        return found or None

    def object(self, oid: ObjectId) -> RouteOwner:
        return self.by_file[os.path.normcase(oid.file)].objects[oid.key]

    def summary_of(self, oid: ObjectId) -> ModuleSummary:
        return self.by_file[os.path.normcase(oid.file)]


def _module_parts(file: str) -> list[str]:
    path = PurePath(file)
    parts = list(path.with_suffix("").parts) if path.suffix == ".py" else list(path.parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return [p for p in parts if p not in ("/", "\\") and not p.endswith(":\\")]


# -- routes per app (DPR401/DPR402, DPR603, DPR604, DPR608) ------------------------------------------

UNKNOWN_PATH = None


@dataclass(frozen=True)
class RouteEntry:
    """One registered route: where, its own path, the function serving it (when known), its methods."""

    file: str
    path: Optional[str]
    function: Optional[str] = None
    methods: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServedRoute:
    """A route as the app serves it: prefix segments then its own path (None = unknown segment)."""

    segments: tuple[Optional[str], ...]
    entry: Optional[RouteEntry]

    @property
    def full(self) -> Optional[str]:
        """The whole path when every segment is known."""
        if any(s is None for s in self.segments):
            return None
        return normalise_route("/".join(s for s in self.segments if s))


@dataclass
class ServedRoutes:
    """The route paths that may reach one app. `complete` is False when some of its routes come from
    places the summaries cannot follow (an opaque object, an include of something outside the run)."""

    paths: list[Optional[list[Optional[str]]]]
    complete: bool
    routes: list[ServedRoute] = field(default_factory=list)


class RouteGraph:
    """Routes and includes of every file, attached to the apps and routers they belong to."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.routes: dict[ObjectId, list[RouteEntry]] = {}
        self.children: dict[ObjectId, list[tuple[Optional[list[ObjectId]], Optional[str], bool]]] = {}
        self.included: set[ObjectId] = set()
        # routes whose owner is unknown (or outside the run): they may belong to any app of their module
        self.floating: list[list[Optional[str]]] = []
        self.floating_routes: list[ServedRoute] = []
        for summary in project.summaries:
            for route in summary.routes:
                path = project.string(summary, route.path)
                entry = RouteEntry(summary.file, path, route.function, route.methods)
                owners = project.objects_of(summary, route.owner)
                if owners is None:
                    self._float(ServedRoute((None, path), entry))
                else:
                    for oid in owners:
                        self.routes.setdefault(oid, []).append(entry)
            for include in summary.includes:
                parents = project.objects_of(summary, include.parent)
                children = project.objects_of(summary, include.child)
                prefix = project.string(summary, include.prefix)
                if children is not None:
                    self.included.update(children)
                if parents is None:
                    # included into something we cannot name: its routes may serve any app
                    for child in children or ():
                        for served in self._paths(child, [None], set(), replace=False, prefix=None):
                            self._float(served)
                    continue
                for parent in parents:
                    self.children.setdefault(parent, []).append((children, prefix, include.replace))
        # routers that nothing we can see includes: maybe included elsewhere, so they may serve any app
        for summary in project.summaries:
            for key, item in summary.objects.items():
                oid = ObjectId(summary.file, key)
                if item.kind == "router" and oid not in self.included:
                    for served in self._paths(oid, [None], set(), replace=False, prefix=None):
                        self._float(served)

    def _float(self, served: ServedRoute) -> None:
        self.floating.append(list(served.segments))
        self.floating_routes.append(served)

    def floating_in(self, files: Iterable[str]) -> list[ServedRoute]:
        """The floating routes registered in these modules."""
        wanted = set(files)
        return [r for r in self.floating_routes if r.entry is None or r.entry.file in wanted]

    def served(self, app: ObjectId) -> ServedRoutes:
        complete = [True]
        routes = self._paths(app, [], set(), replace=False, prefix="", complete=complete)
        return ServedRoutes([list(r.segments) for r in routes], complete[0], routes)

    def _paths(
        self,
        oid: ObjectId,
        base: list[Optional[str]],
        seen: set[ObjectId],
        replace: bool,
        prefix: Optional[str],
        complete: Optional[list[bool]] = None,
    ) -> list[ServedRoute]:
        """Every route of `oid` and what it includes, as segment lists (None = unknown segment)."""
        if oid in seen or len(seen) > 50:
            return []
        seen = seen | {oid}
        item = self.project.object(oid)
        if item.opaque and complete is not None:
            complete[0] = False
        own = self.project.string(self.project.summary_of(oid), item.prefix)
        if item.kind == "app":
            segments = base + [prefix]
        elif item.framework == "flask" and replace:
            segments = base + [prefix]
        else:
            segments = base + [prefix, own]
        result = [ServedRoute(tuple(segments + [entry.path]), entry) for entry in self.routes.get(oid, ())]
        if item.actor:
            result.append(ServedRoute(tuple(segments + ["/healthz"]), None))
        for children, child_prefix, child_replace in self.children.get(oid, ()):
            if children is None:
                if complete is not None:
                    complete[0] = False
                continue
            for child in children:
                result.extend(self._paths(child, segments, seen, child_replace, child_prefix, complete))
        return result


def matches(segments: Optional[list[Optional[str]]], routes: Iterable[str]) -> bool:
    """Whether a route (prefix segments then its path) may serve one of `routes`. Unknown parts are
    assumed to match (precision over recall); a known path matches when it equals a route or ends with
    one (`/api/health` is the service's health route under a prefix)."""
    if not segments:
        return True
    path = segments[-1]
    if path is None:
        return True
    tail: list[str] = []
    for segment in reversed(segments):
        if segment is None:
            break
        tail.append(segment)
    else:
        tail.append("")
    known_unknown_prefix = len(tail) < len(segments)
    full = normalise_route("/".join(reversed(tail)))
    if known_unknown_prefix and full == "/":
        return True
    if _is_catch_all(full):
        return True
    for route in routes:
        wanted = normalise_route(route)
        if full == wanted or full.endswith(wanted):
            return True
    return False


def normalise_route(path: str) -> str:
    """A route path in one spelling: a leading slash, no trailing or doubled slash (`orders/` -> `/orders`)."""
    parts = [p for p in path.split("/") if p]
    return "/" + "/".join(parts)


def _is_catch_all(path: str) -> bool:
    parts = [p for p in path.split("/") if p]
    return len(parts) == 1 and (parts[0].startswith("{") or parts[0].startswith("<"))


@lru_cache(maxsize=4096)
def is_test_file(file: str) -> bool:
    # asked for every module by several project rules (4,000 times over dapr/python-sdk): once per path
    path = PurePath(file)
    name = path.name
    if name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py"):
        return True
    return any(part in ("tests", "test") for part in path.parts[:-1])


def apps(project: Project) -> Iterator[tuple[ModuleSummary, ObjectId, RouteOwner]]:
    """(summary, id, object) for every FastAPI/Flask app the run creates."""
    for summary in project.summaries:
        for key, item in summary.objects.items():
            if item.kind == "app":
                yield summary, ObjectId(summary.file, key), item
