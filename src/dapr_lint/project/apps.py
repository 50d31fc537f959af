"""The application model: the apps of a repository, each with its modules, its resource sets, its app ID and
the health paths its run and deploy files name. Built from per-file summaries only (never a tree, never the
linted code run or imported).

Sources, strongest first: `dapr.yaml` run templates; docker-compose services running `daprd`; Kubernetes
workloads with `dapr.io/*` annotations (matched to the code by app ID or by folder name); entry modules (a
module building `FastAPI()`, `Flask()`, `dapr.ext.grpc.App()`, `WorkflowRuntime()` or running `uvicorn`).

An app's modules are the Python files under its folder (the run template's `appDirPath`, the compose build
folder, the entry module's folder; less the folders of apps nested inside it) and the repository modules they
import. Two entry modules in one folder are two apps: each gets its entry modules and what they import, and a
module of the folder none of them imports belongs to no app. An app whose command runs Node, .NET, Java, Go or a
binary owns no Python module.
"""

from __future__ import annotations

import bisect
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Iterable, Optional

from dapr_lint import reading
from dapr_lint.summaries import ComponentFact, Located, ModuleSummary, ResourceSummary, ResiliencyFact, SubscriptionFact


# Folders below an app that hold its resources when nothing names them (the dapr CLI's own layout and the
# quickstarts').
RESOURCE_FOLDERS = ("components", "resources", os.path.join(".dapr", "resources"), os.path.join(".dapr", "components"))


@dataclass(frozen=True)
class ResourceSet:
    """Resource files one sidecar loads. `kind` keeps local runs and Kubernetes apart: "local" (dapr run,
    compose, --resources-path) or "kubernetes" (components applied beside the app's manifests)."""

    kind: str
    origin: str  # why the set belongs to the app, for `dapr-lint apps`
    folders: tuple[str, ...]
    files: tuple[str, ...]
    # False when a folder the set names lies outside the repository (`../shared`, `/`, a link out of it): it was
    # not read, so the rules that need the whole set (an unknown component, ...) say nothing about it
    complete: bool = True


@dataclass(frozen=True)
class DeclaredPath:
    """A path the sidecar or the cluster calls on the app (a probe, the app health check)."""

    value: str
    file: str
    span_line: int
    span: object  # summaries.Span
    origin: str


@dataclass
class App:
    """One Dapr app (what one sidecar serves)."""

    name: str
    app_id: Optional[str]
    folder: str
    sources: list[str] = field(default_factory=list)
    entries: list[str] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)
    resource_sets: list[ResourceSet] = field(default_factory=list)
    health_paths: list[DeclaredPath] = field(default_factory=list)
    declared: bool = False  # named by a run or deploy file (not only found from its code)
    python: Optional[bool] = None  # False: its command runs Node, .NET, Java, Go or a binary (it owns no Python)

    @property
    def key(self) -> str:
        return self.app_id or self.name


_DEPLOY_FOLDERS = frozenset(
    {"k8s", "kubernetes", "kube", "deploy", "deployment", "deployments", "manifests", "charts", "helm", "kustomize", "infra"}
)


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _folder_key(folder: str) -> str:
    return folder.rstrip(os.sep) or os.sep


def _ancestors(path: str) -> Iterable[str]:
    """The folders holding `path`, nearest first, up to the file system's root."""
    folder = os.path.dirname(path)
    while True:
        yield folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return
        folder = parent


class _SortedPaths:
    """Paths in sorted order: those under a folder are one contiguous range (found by bisection, not a scan)."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.paths = sorted(paths)

    def under(self, folder: str) -> list[str]:
        """The paths `_under(path, folder)` accepts, in sorted order."""
        prefix = folder.rstrip(os.sep) + os.sep
        low = bisect.bisect_left(self.paths, prefix)
        high = bisect.bisect_left(self.paths, prefix[:-1] + chr(ord(os.sep) + 1))
        found = self.paths[low:high]
        exact = bisect.bisect_left(self.paths, folder)
        if exact < len(self.paths) and self.paths[exact] == folder and folder not in found:
            found = sorted([folder, *found])
        return found


def is_test_module(file: str) -> bool:
    path = PurePath(file)
    name = path.name
    if name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py"):
        return True
    return any(part in ("tests", "test") for part in path.parts[:-1])


class AppModel:
    """The apps of one repository, built from the summaries of its files."""

    def __init__(
        self,
        root: str,
        modules: Iterable[ModuleSummary],
        resources: Iterable[ResourceSummary],
        resources_paths: Iterable[str] = (),
    ) -> None:
        self.root = root
        self.modules = {m.file: m for m in modules}
        self.resources = {r.file: r for r in resources}
        self._resource_paths = _SortedPaths(self.resources)
        self._sets: dict[tuple, ResourceSet] = {}
        self._kube_sets: dict[str, ResourceSet] = {}
        self._resource_folders: dict[str, list[str]] = {}
        self._loaders: Optional[dict[str, list[App]]] = None
        self.explicit_resources = tuple(os.path.normpath(p) for p in resources_paths)
        self._tests: dict[str, bool] = {}
        self._inside: dict[str, bool] = {}
        self._importable = _Importable(root, self.modules)
        self.apps: list[App] = []
        self._build()
        self.apps_of_module: dict[str, list[App]] = {}
        for app in self.apps:
            for module in app.modules:
                self.apps_of_module.setdefault(module, []).append(app)

    # -- queries -------------------------------------------------------------------------------------

    def apps_of(self, file: str) -> list[App]:
        """The apps a module belongs to (none: the module is part of no app)."""
        return self.apps_of_module.get(file, [])

    def loaders(self, file: str) -> list[App]:
        """The apps whose resource sets load a resource file (an index built once)."""
        if self._loaders is None:
            self._loaders = {}
            for app in self.apps:
                for loaded in dict.fromkeys(f for s in app.resource_sets for f in s.files):
                    self._loaders.setdefault(loaded, []).append(app)
        return self._loaders.get(file, [])

    def components(self, app: App, resource_set: ResourceSet) -> list[tuple[str, ComponentFact]]:
        """(file, component) pairs of a set the app sees (component `scopes` applied)."""
        return [(f, c) for f in resource_set.files for c in self.resources[f].components if self.visible(app, c.scopes)]

    def subscriptions(self, app: App, resource_set: ResourceSet) -> list[tuple[str, SubscriptionFact]]:
        return [(f, s) for f in resource_set.files for s in self.resources[f].subscriptions if self.visible(app, s.scopes)]

    def resiliencies(self, app: App, resource_set: ResourceSet) -> list[tuple[str, ResiliencyFact]]:
        return [(f, r) for f in resource_set.files for r in self.resources[f].resiliencies if self.visible(app, r.scopes)]

    @staticmethod
    def visible(app: App, scopes: tuple[str, ...]) -> bool:
        """Whether the app may load a resource with these `scopes` (an app whose ID is not known may be any of
        the scoped ones): what the app can find."""
        return not scopes or app.app_id is None or app.app_id in scopes

    @staticmethod
    def in_scope(app: App, scopes: tuple[str, ...]) -> bool:
        """Whether the app certainly loads a resource with these `scopes`: what the resource can demand of it
        (a route to serve). An app whose ID is not known is not charged with a scoped resource."""
        return not scopes or (app.app_id is not None and app.app_id in scopes)

    def uses_dapr(self, app: App) -> bool:
        """Whether the app is a Dapr app: a run or deploy file starts it with a sidecar, or a module of it uses the
        SDK or answers the sidecar's `GET /dapr/subscribe` (a plain Flask app subscribing by hand)."""
        return app.declared or any(
            self.modules[m].uses_dapr or self.modules[m].subscribed_routes for m in app.modules if m in self.modules
        )

    # -- building ------------------------------------------------------------------------------------

    def _build(self) -> None:
        declared: list[App] = []
        workloads: list[tuple[str, object]] = []
        for file, summary in sorted(self.resources.items()):
            for run in summary.run_apps:
                folder = run.app_dir if self.contains(run.app_dir) else ""  # `appDirPath: /` owns no code
                app = App(run.app_id, run.app_id, folder, [f"dapr.yaml {self._rel(file)}"], declared=True)
                app.python = getattr(run, "python", None)
                if run.entry is not None and run.entry in self.modules and app.python is not False:
                    app.entries.append(run.entry)
                if run.resources_paths:
                    app.resource_sets.append(self._set("local", f"resourcesPaths of {self._rel(file)}", run.resources_paths))
                if run.health_path is not None:
                    app.health_paths.append(self._declared(run.health_path, file, "appHealthCheckPath"))
                declared.append(app)
            for sidecar in summary.sidecars:
                if sidecar.app_dir is None:
                    continue
                folder = sidecar.app_dir if self.contains(sidecar.app_dir) else ""
                app = App(sidecar.app_id, sidecar.app_id, folder, [f"compose {self._rel(file)}"], declared=True)
                if sidecar.resources_paths:
                    app.resource_sets.append(self._set("local", f"daprd --resources-path in {self._rel(file)}", sidecar.resources_paths))
                declared.append(app)
            for workload in summary.workloads:
                workloads.append((file, workload))
        # one app per app ID (several run templates and a compose file may name the same app)
        by_id: dict[str, App] = {}
        for app in declared:
            same = by_id.get(app.key)
            if same is None or same.folder != app.folder or same.python != app.python:
                by_id[app.key] = app
                self.apps.append(app)
                continue
            for source in app.sources:
                if source not in same.sources:
                    same.sources.append(source)
            for resource_set in app.resource_sets:
                if all(s.folders != resource_set.folders for s in same.resource_sets):
                    same.resource_sets.append(resource_set)
            same.health_paths.extend(h for h in app.health_paths if h not in same.health_paths)
            same.entries.extend(e for e in app.entries if e not in same.entries)
        claimed = {e for app in self.apps for e in app.entries}
        entries = sorted(f for f, m in self.modules.items() if m.entry and not self._is_test(f))
        # an entry module under a declared app's folder is that app's (the deepest folder's, when one app has it);
        # a Node, .NET, Java or Go app whose folder holds the module owns none of its Python
        declared_folders: dict[str, list[App]] = {}
        for app in self.apps:
            if app.folder and app.python is not False:
                declared_folders.setdefault(_folder_key(app.folder), []).append(app)
        commanded = {id(a) for a in self.apps if a.entries}  # their command names their entry module
        for entry in entries:
            if entry in claimed:
                continue
            owners = next((declared_folders[f] for f in _ancestors(entry) if f in declared_folders), None)
            if owners is not None:
                if len(owners) != 1:
                    continue
                if id(owners[0]) not in commanded or _folder_key(os.path.dirname(entry)) != _folder_key(owners[0].folder):
                    owners[0].entries.append(entry)
                    continue
                # beside the module the declared app's command runs: an app of its own (a plain web app beside the
                # Dapr app), unless that module imports it
            name = self._rel(entry)
            app = App(name, None, os.path.dirname(entry), [f"entry module {name}"], entries=[entry])
            self.apps.append(app)
        self._index_names()
        for file, workload in workloads:
            self._attach_workload(file, workload)
        self._ids_from_run_scripts()
        self._assign_modules()
        for app in self.apps:
            self._resource_sets(app)

    def _ids_from_run_scripts(self) -> None:
        """An app found from its entry module takes its app ID from a `dapr run --app-id ID ... -- <command>` in a
        run script (`start.sh`, a Makefile, ...) of its folder or a folder above it, when the command starts that
        module and every such script agrees. Never from prose: a README names IDs of apps it does not start."""
        scripts: dict[str, list[tuple[str, str]]] = {}
        for app in self.apps:
            if app.app_id is not None or not app.entries or not app.folder:
                continue
            found: set[str] = set()
            current = app.folder
            while self.contains(current):
                if current not in scripts:
                    scripts[current] = _dapr_runs(current, self.root)
                found.update(app_id for entry, app_id in scripts[current] if entry in app.entries)
                if current == self.root or os.path.dirname(current) == current:
                    break
                current = os.path.dirname(current)
            if len(found) == 1:
                app.app_id = app.name = found.pop()
                app.sources.append("dapr run --app-id in a run script")

    def _is_test(self, file: str) -> bool:
        known = self._tests.get(file)
        if known is None:
            known = self._tests[file] = is_test_module(self._rel(file))
        return known

    def _rel(self, file: str) -> str:
        prefix = self.root.rstrip(os.sep) + os.sep
        if file.startswith(prefix):
            return file[len(prefix) :].replace(os.sep, "/")
        return file

    def _declared(self, located: Located, file: str, origin: str) -> DeclaredPath:
        return DeclaredPath(located.value, file, located.span.line, located.span, f"{origin} in {self._rel(file)}")

    def contains(self, path: str) -> bool:
        """Whether a path a file of the repository names lies inside the repository (links followed: a link to a
        folder outside is outside). Nothing outside is read or assigned."""
        known = self._inside.get(path)
        if known is None:
            known = self._inside[path] = reading.inside(path, self.root)
        return known

    def _set(self, kind: str, origin: str, folders: Iterable[str]) -> ResourceSet:
        named = tuple(os.path.normpath(f) for f in folders)
        key = (kind, origin, named)
        known = self._sets.get(key)
        if known is None:
            inside = tuple(f for f in named if self.contains(f))
            files = tuple(sorted({f for folder in inside for f in self._resource_paths.under(folder)}))
            known = self._sets[key] = ResourceSet(kind, origin, inside, files, complete=len(inside) == len(named))
        return known

    def _index_names(self) -> None:
        """What a workload is matched by (its app ID; else the name of a folder or an entry module), so that
        matching is a lookup, not a scan of every app."""
        self._by_id: dict[str, list[App]] = {}
        self._by_name: dict[str, list[App]] = {}
        for app in self.apps:
            if not app.folder:
                continue
            if app.app_id is not None:
                self._by_id.setdefault(app.app_id, []).append(app)
            names = {_norm(os.path.basename(app.folder))} | {_norm(PurePath(e).stem) for e in app.entries}
            for name in names:
                self._by_name.setdefault(name, []).append(app)

    def _attach_workload(self, file: str, workload) -> None:
        manifest_folder = os.path.dirname(file)
        # the manifest belongs to code near it: within the app's folder or two folders above it
        matches = [a for a in self._by_id.get(workload.app_id, ()) if a.app_id == workload.app_id and self._near(manifest_folder, a.folder)]
        if not matches:
            wanted = _norm(workload.app_id)
            matches = [a for a in self._by_name.get(wanted, ()) if a.app_id is None and self._near(manifest_folder, a.folder)]
        source = f"Kubernetes {self._rel(file)}"
        kube = self._kube_sets.get(file)
        if kube is None:
            beside = self._set("kubernetes", f"components beside {self._rel(file)}", [manifest_folder])
            kube = self._kube_sets[file] = ResourceSet(
                beside.kind,
                beside.origin,
                beside.folders,
                tuple(f for f in beside.files if self.resources[f].components or self.resources[f].subscriptions or self.resources[f].resiliencies),
                beside.complete,
            )
        if len(matches) != 1:
            app = App(workload.app_id, workload.app_id, "", [source], declared=True)
            self.apps.append(app)
        else:
            app = matches[0]
            if app.app_id is None:
                self._by_id.setdefault(workload.app_id, []).append(app)
            app.app_id = app.app_id or workload.app_id
            app.name = app.app_id
            app.sources.append(source)
            app.declared = True
        if kube.files and kube not in app.resource_sets:
            app.resource_sets.append(kube)
        for probe in workload.probes:
            app.health_paths.append(self._declared(probe, file, "a container probe"))
        if workload.health_path is not None:
            app.health_paths.append(self._declared(workload.health_path, file, "dapr.io/app-health-check-path"))

    def _near(self, manifest_folder: str, app_folder: str) -> bool:
        """A manifest describes code beside it: in the app's folder or its parent's, or in a deployment
        folder at the top of the repository (`deploy/`, `k8s/`, `charts/`, ...)."""
        if _under(manifest_folder, str(Path(app_folder).parent)):
            return True
        rel = self._rel(manifest_folder)
        top = rel.split("/", 1)[0].lower() if rel and not os.path.isabs(rel) else ""
        return top in _DEPLOY_FOLDERS

    def _assign_modules(self) -> None:
        files = sorted(self.modules)
        imports = {f: self._imports(f) for f in files}

        closures: dict[tuple[str, ...], frozenset[str]] = {}

        def closure(start: Iterable[str]) -> frozenset[str]:
            key = tuple(sorted(start))
            if key in closures:
                return closures[key]
            seen = set(key)
            stack = list(seen)
            while stack and len(seen) < 5000:
                for target in imports.get(stack.pop(), ()):
                    if target not in seen:
                        seen.add(target)
                        stack.append(target)
            closures[key] = frozenset(seen)
            return closures[key]

        # an entry module another entry imports (the app factory `uvicorn` serves) is part of that app
        reach = {e: closure([e]) for app in self.apps for e in app.entries}
        importers_of: dict[str, list[str]] = {}  # entry -> the entries whose imports reach it
        for importer, seen in reach.items():
            for reached in seen:
                if reached in reach and reached != importer:
                    importers_of.setdefault(reached, []).append(importer)
        absorbed: set[int] = set()
        for app in self.apps:
            if app.declared or len(app.entries) != 1:
                continue  # a declared app stays, whatever imports its module
            entry = app.entries[0]
            if any(e not in reach[entry] for e in importers_of.get(entry, ())):
                absorbed.add(id(app))
        self.apps = [a for a in self.apps if id(a) not in absorbed]
        # each module is its nearest app folder's own (the folders of apps nested inside an app are not the app's)
        by_folder: dict[str, list[App]] = {}
        for app in self.apps:
            if app.folder:
                by_folder.setdefault(_folder_key(app.folder), []).append(app)
        own_of: dict[str, list[str]] = {}
        for f in files:
            if self._is_test(f):
                continue
            nearest = next((folder for folder in _ancestors(f) if folder in by_folder), None)
            if nearest is not None:
                own_of.setdefault(nearest, []).append(f)
        for app in self.apps:
            if not app.folder:
                continue
            own = own_of.get(_folder_key(app.folder), [])
            if app.python is False:
                continue  # a Node, .NET, Java or Go app (or a binary) owns no Python module
            rivals = [a for a in by_folder[_folder_key(app.folder)] if a is not app]
            if app.entries and rivals:
                # apps sharing a folder (differing by their command) own their entry modules and what those
                # import; a module of the folder no app imports belongs to none (per-file rules only)
                mine = closure(app.entries)
                own = [f for f in own if f in mine]
            own_set = set(own)
            app.modules = sorted(m for m in closure(own) if not self._is_test(m) or m in own_set)

    def _imports(self, file: str) -> set[str]:
        """The repository modules a module imports (module-level imports, as its summary lists them)."""
        summary = self.modules[file]
        found: set[str] = set()
        for target in summary.imports.values():
            for candidate in self._module_files(file, target):
                found.add(candidate)
        return found

    def _module_files(self, origin: str, dotted: str) -> list[str]:
        return self._importable.files(origin, dotted)

    def _resource_sets(self, app: App) -> None:
        if self.explicit_resources:
            app.resource_sets.insert(0, self._set("local", "--resources-path / resources-paths", self.explicit_resources))
        if any(s.kind == "local" for s in app.resource_sets) or not app.folder:
            return
        # components/ or resources/ beside the app or in a folder above it, up to the repository root
        current = app.folder
        while _under(current, self.root):
            found = self._resource_folders.get(current)
            if found is None:
                candidates = (os.path.join(current, name) for name in RESOURCE_FOLDERS)
                found = self._resource_folders[current] = [c for c in candidates if os.path.isdir(c)]
            if found:
                resource_set = self._set("local", f"{', '.join(self._rel(f) + '/' for f in found)} beside or above the app", found)
                if resource_set.files:
                    app.resource_sets.append(resource_set)
                    return
            parent = os.path.dirname(current)
            if current == self.root or parent == current:
                return
            current = parent


class _Importable:
    """Which module of a repository an import names, resolved from the importing module's folder (relative
    imports) or from it and each folder above it up to the repository root (absolute imports): for every
    import of every module, in the main process."""

    def __init__(self, root: str, modules: dict[str, ModuleSummary]) -> None:
        self.root = root
        self.modules = modules
        self._resolved: dict[tuple[str, str], list[str]] = {}
        self._bases: dict[str, list[str]] = {}
        self._module_names: Optional[frozenset[str]] = None

    def files(self, origin: str, dotted: str) -> list[str]:
        """The module files `dotted`, imported by the module `origin`, names (one at most)."""
        key = (os.path.dirname(origin), dotted)
        found = self._resolved.get(key)
        if found is None:
            found = self._resolved[key] = self._find_module_files(origin, dotted)
        return found

    def _find_module_files(self, origin: str, dotted: str) -> list[str]:
        # plain strings, not pathlib: this runs for every import of every module, in the main process
        level = len(dotted) - len(dotted.lstrip("."))
        parts = [p for p in dotted[level:].split(".") if p]
        if parts and parts[0] not in self._names():
            return []  # no module of the run has that name in its path (`os`, `fastapi`, `dapr.clients`)
        folder = os.path.dirname(origin) or "."
        if level:
            base = folder
            for _ in range(level - 1):
                base = os.path.dirname(base) or "."
            bases = [base]
        else:
            bases = self._bases_of(folder)
        modules = self.modules
        sep = os.sep
        for base in bases:
            # the name may be a module, a package, or a name inside one of them
            prefix = "" if base == "." else base if base.endswith(sep) else base + sep
            for length in range(len(parts), 0, -1):
                target = prefix + sep.join(parts[:length])
                if target + ".py" in modules:
                    return [target + ".py"]
                if target + sep + "__init__.py" in modules:
                    return [target + sep + "__init__.py"]
        return []

    def _names(self) -> frozenset[str]:
        """Every folder name and module name (without `.py`) in the paths of the run's modules: an import whose
        first name is none of them names no module of the run, wherever it is looked for."""
        if self._module_names is None:
            names: set[str] = set()
            for file in self.modules:
                *folders, name = file.split(os.sep)
                names.update(folders)
                names.add(name[:-3] if name.endswith(".py") else name)
            self._module_names = frozenset(names)
        return self._module_names

    def _bases_of(self, folder: str) -> list[str]:
        """Where an absolute import of a module in `folder` is looked for: the folder and each one above it up to
        the repository root (asked for every import of the folder's modules: walked once per folder)."""
        bases = self._bases.get(folder)
        if bases is None:
            bases = []
            current = folder
            while True:
                bases.append(current)
                parent = os.path.dirname(current) or "."
                if current == self.root or current == parent or not _under(current, self.root):
                    break
                current = parent
            self._bases[folder] = bases
        return bases


_SCRIPT_NAMES = re.compile(r"(?i)^(?:.*\.(?:sh|bash|ps1|mk)|makefile|justfile|procfile|tiltfile)$")
_DAPR_RUN = re.compile(r"\bdapr(?:\.exe)?\s+run\s+(.*)")
_CONTINUED = re.compile(r"[ \t]*(?:\\|`)\r?\n[ \t]*")
_SERVERS = frozenset({"uvicorn", "hypercorn", "gunicorn", "granian"})


def _dapr_runs(folder: str, root: str) -> list[tuple[str, str]]:
    """(entry module, app ID) of every `dapr run` in the run scripts of one folder (not below it): the module its
    command starts, resolved from the script's folder and `--app-dir`. Read as text, never run; an ID or path
    holding a shell variable is left out."""
    found: list[tuple[str, str]] = []
    try:
        names = sorted(entry.name for entry in os.scandir(folder) if _SCRIPT_NAMES.match(entry.name))
    except OSError:
        return found
    for name in names[:50]:
        try:
            text = reading.read_text(os.path.join(folder, name), 512 * 1024, head=True, within=root)
        except OSError:
            continue
        for line in _CONTINUED.sub(" ", text).splitlines():
            if line.lstrip().startswith(("#", "REM ", "::")):
                continue
            match = _DAPR_RUN.search(line)
            if match is None:
                continue
            words = match.group(1).replace('"', " ").replace("'", " ").split()
            app_id, app_dir, command = _run_words(words)
            if app_id is None or "$" in app_id or "$" in app_dir:
                continue
            entry = _started_module(command, os.path.normpath(os.path.join(folder, app_dir)))
            if entry is not None:
                found.append((entry, app_id))
    return found


def _run_words(words: list[str]) -> tuple[Optional[str], str, list[str]]:
    """`--app-id`, `--app-dir` and the command of `dapr run`'s arguments."""
    app_id: Optional[str] = None
    app_dir = "."
    index = 0
    while index < len(words):
        word = words[index]
        if word == "--":
            return app_id, app_dir, words[index + 1 :]
        key, _, inline = word.partition("=")
        if key in ("--app-id", "-a", "--app-dir", "-d"):
            value = inline or (words[index + 1] if index + 1 < len(words) else "")
            index += 1 if inline else 2
            if key in ("--app-id", "-a"):
                app_id = value
            else:
                app_dir = value
            continue
        if not word.startswith("-") and index > 0 and not words[index - 1].startswith("-"):
            return app_id, app_dir, words[index:]  # the command, without `--`
        index += 1
    return app_id, app_dir, []


def _started_module(command: list[str], base: str) -> Optional[str]:
    """The Python module a command starts (`python3 app.py`, `python -m pkg.app`, `uvicorn pkg.main:app`)."""
    for index, word in enumerate(command):
        if word in (">", "&", "|", ";", "&&", "2>&1") or word.startswith((">", "2>")):
            return None
        if word.endswith(".py") and "$" not in word:
            return os.path.normpath(os.path.join(base, word))
        if word == "-m" and index + 1 < len(command) and command[index + 1] not in _SERVERS:
            return os.path.normpath(os.path.join(base, *command[index + 1].split("."))) + ".py"
        if ":" in word and not word.startswith("-") and any(os.path.basename(w) in _SERVERS for w in command[:index]):
            module = word.split(":", 1)[0]
            if re.fullmatch(r"[A-Za-z_][\w.]*", module):
                return os.path.normpath(os.path.join(base, *module.split("."))) + ".py"
    return None
