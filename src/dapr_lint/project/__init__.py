"""The project stage: rules over every file's summary, run once in the main process after the per-file
stage (never over trees). A project rule yields Diagnostics in the files it names; the stage applies the
suppressions each file's summary carries (`# noqa` on the reported line, `per-file-ignores`)."""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass
from pathlib import PurePath
from typing import Callable, Iterable, Iterator, Optional

from dapr_lint.diagnostics import Diagnostic, FileResult, InternalError
from dapr_lint.registry import RuleSpec, register
from dapr_lint.settings import Settings
from dapr_lint.summaries import ImportedName, LocalObject, ModuleSummary, ObjectRef, ResourceSummary, RouteOwner, StrValue
from dapr_lint.suppress import ALL, is_suppressed

ProjectCheck = Callable[["Project", Settings], Iterable[Diagnostic]]

PROJECT_RULES: dict[str, ProjectCheck] = {}
# Project-stage parts of per-file rules (DPR101 across modules): run when their code is enabled; their
# spec is the per-file rule's.
PROJECT_EXTENSIONS: dict[str, ProjectCheck] = {}


def project_rule(spec: RuleSpec) -> Callable[[ProjectCheck], ProjectCheck]:
    register(spec)

    def decorate(func: ProjectCheck) -> ProjectCheck:
        PROJECT_RULES[spec.code] = func
        return func

    return decorate


def project_check(code: str) -> Callable[[ProjectCheck], ProjectCheck]:
    """Register the project-stage part of an existing rule."""

    def decorate(func: ProjectCheck) -> ProjectCheck:
        PROJECT_EXTENSIONS[code] = func
        return func

    return decorate


def project_inputs_fingerprint(files: list[str], settings: Settings) -> str:
    """A fingerprint of the files project rules read besides the run's own (run files: Dockerfile, Procfile,
    scripts), so that a cached project result is reused only when those did not change either."""
    from dapr_lint.project.run_files import RULES_READING_RUN_FILES, run_files_fingerprint

    if not any(settings.is_enabled(code) for code in RULES_READING_RUN_FILES):
        return ""
    return run_files_fingerprint(files)


def wants_summary(settings: Settings) -> bool:
    """Whether the per-file stage must build summaries: some project rule is enabled."""
    from dapr_lint import catalog  # noqa: F401  (registers the project rules)

    return any(settings.is_enabled(code) for code in (*PROJECT_RULES, *PROJECT_EXTENSIONS, *REFINED_BY_SUBSCRIPTIONS))


# Per-file findings that do not apply inside a route Dapr delivers events to: raising there means "retry"
# (DPR301), and the body is a CloudEvent, not a request model (DPR411). A route can be a subscription by a
# declarative Subscription resource of the run, which only the project stage sees.
REFINED_BY_SUBSCRIPTIONS = frozenset({"DPR301", "DPR411"})


def _drop_findings_in_declared_subscribers(results: list[FileResult]) -> None:
    declared = {
        route.rstrip("/") or "/"
        for r in results
        if isinstance(r.summary, ResourceSummary)
        for route in r.summary.subscription_routes
    }
    if not declared:
        return
    for result in results:
        summary = result.summary
        if not isinstance(summary, ModuleSummary) or not result.diagnostics:
            continue
        spans = []
        for handler in summary.handlers:
            path = handler.path
            if handler.kind != "route" or not isinstance(path, str) or path in ("", "/"):
                continue
            path = path.rstrip("/")
            # the route's router prefix may be unknown here: a declared route ending with the path counts
            if any(route == path or route.endswith(path) for route in declared):
                spans.append((handler.span.line, handler.span.end_line))
        if spans:
            result.diagnostics = [
                d
                for d in result.diagnostics
                if not (d.code in REFINED_BY_SUBSCRIPTIONS and any(start <= d.line <= end for start, end in spans))
            ]


def run_project_stage(results: list[FileResult], settings: Settings) -> None:
    """Run the enabled project rules and add their findings to the results of the files they name."""
    from dapr_lint import catalog  # noqa: F401

    _drop_findings_in_declared_subscribers(results)
    checks = [
        (code, check)
        for code, check in (*PROJECT_RULES.items(), *PROJECT_EXTENSIONS.items())
        if settings.is_enabled(code)
    ]
    if not checks:
        return
    summaries = [r.summary for r in results if isinstance(r.summary, ModuleSummary)]
    if not summaries:
        return
    project = Project(summaries)
    by_path = {r.path: r for r in results}
    for code, check in checks:
        try:
            found = list(check(project, settings))
        except Exception as exc:  # a bug of ours: report it, keep everything else
            results[0].errors.append(
                InternalError("<project>", f"project rule {code}", f"{type(exc).__name__}: {exc}", traceback.format_exc())
            )
            continue
        for diagnostic in found:
            result = by_path.get(diagnostic.path)
            summary = project.by_display.get(diagnostic.path)
            if result is None or summary is None or _suppressed(diagnostic, summary):
                continue
            if diagnostic not in result.diagnostics:
                result.diagnostics.append(diagnostic)


def _suppressed(diagnostic: Diagnostic, summary: ModuleSummary) -> bool:
    if diagnostic.code in summary.ignored:
        return True
    noqa = {int(line): (ALL if tuple(codes) == ("*",) else frozenset(codes)) for line, codes in summary.noqa.items()}
    return is_suppressed(diagnostic.code, diagnostic.line, noqa)


# -- resolving names across the modules of the run ----------------------------------------------------


@dataclass(frozen=True)
class ObjectId:
    """An app, router or blueprint: the file that creates it and its key there."""

    file: str
    key: str


class Project:
    """Every summary of the run, indexed so that imported names resolve to the module that defines them."""

    def __init__(self, summaries: list[ModuleSummary]) -> None:
        self.summaries = summaries
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


# -- routes per app (DPR401/DPR402, and later the probe-path rule) -------------------------------------

UNKNOWN_PATH = None


@dataclass
class ServedRoutes:
    """The route paths that may reach one app. `complete` is False when some of its routes come from
    places the summaries cannot follow (an opaque object, an include of something outside the run)."""

    paths: list[Optional[list[Optional[str]]]]
    complete: bool


class RouteGraph:
    """Routes and includes of every file, attached to the apps and routers they belong to."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.routes: dict[ObjectId, list[Optional[str]]] = {}
        self.children: dict[ObjectId, list[tuple[Optional[list[ObjectId]], Optional[str], bool]]] = {}
        self.included: set[ObjectId] = set()
        # routes whose owner is unknown (or outside the run): they may belong to any app
        self.floating: list[list[Optional[str]]] = []
        for summary in project.summaries:
            for route in summary.routes:
                path = project.string(summary, route.path)
                owners = project.objects_of(summary, route.owner)
                if owners is None:
                    self.floating.append([None, path])
                else:
                    for oid in owners:
                        self.routes.setdefault(oid, []).append(path)
            for include in summary.includes:
                parents = project.objects_of(summary, include.parent)
                children = project.objects_of(summary, include.child)
                prefix = project.string(summary, include.prefix)
                if children is not None:
                    self.included.update(children)
                if parents is None:
                    # included into something we cannot name: its routes may serve any app
                    for child in children or ():
                        for segments in self._paths(child, [None], set(), replace=False, prefix=None):
                            self.floating.append(segments)
                    continue
                for parent in parents:
                    self.children.setdefault(parent, []).append((children, prefix, include.replace))
        # routers that nothing we can see includes: maybe included elsewhere, so they may serve any app
        for summary in project.summaries:
            for key, item in summary.objects.items():
                oid = ObjectId(summary.file, key)
                if item.kind == "router" and oid not in self.included:
                    for segments in self._paths(oid, [None], set(), replace=False, prefix=None):
                        self.floating.append(segments)

    def served(self, app: ObjectId) -> ServedRoutes:
        complete = [True]
        paths = self._paths(app, [], set(), replace=False, prefix="", complete=complete)
        return ServedRoutes(paths, complete[0])

    def _paths(
        self,
        oid: ObjectId,
        base: list[Optional[str]],
        seen: set[ObjectId],
        replace: bool,
        prefix: Optional[str],
        complete: Optional[list[bool]] = None,
    ) -> list[list[Optional[str]]]:
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
        result = [segments + [path] for path in self.routes.get(oid, ())]
        if item.actor:
            result.append(segments + ["/healthz"])
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
    full = _normalise("/".join(reversed(tail)))
    if known_unknown_prefix and full == "/":
        return True
    if _is_catch_all(full):
        return True
    for route in routes:
        wanted = _normalise(route)
        if full == wanted or full.endswith(wanted):
            return True
    return False


def _normalise(path: str) -> str:
    parts = [p for p in path.split("/") if p]
    return "/" + "/".join(parts)


def _is_catch_all(path: str) -> bool:
    parts = [p for p in path.split("/") if p]
    return len(parts) == 1 and (parts[0].startswith("{") or parts[0].startswith("<"))


def is_test_file(file: str) -> bool:
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
