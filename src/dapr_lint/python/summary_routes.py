"""The apps, routers and blueprints of a module's summary, the routes they serve and the includes and mounts
between them (the route graph of the project stage, DPR6xx), and whether the module is an app's entry."""

from __future__ import annotations

import builtins
from typing import Optional, Union

import libcst as cst

from dapr_lint.python import known
from dapr_lint.python.model import UNKNOWN, Instance, ModuleModel, Ref, Scope, argument
from dapr_lint.python.model.listings import summary_string
from dapr_lint.summaries import ImportedName, LocalObject, StrValue

# Classes whose instances serve routes: (kind, framework).
_ROUTE_OWNERS = {
    known.FASTAPI_APP: ("app", "fastapi"),
    known.FASTAPI_ROUTER: ("router", "fastapi"),
    known.FLASK_APP: ("app", "flask"),
    known.FLASK_BLUEPRINT: ("router", "flask"),
}
_PREFIX_KEYWORD = {"fastapi": "prefix", "flask": "url_prefix"}
_ROUTE_DECORATORS = known.HTTP_ROUTE_METHODS | {"websocket"}
_ROUTE_CALLS = {"add_api_route": 0, "add_route": 0, "add_url_rule": 0, "add_websocket_route": 0, "add_api_websocket_route": 0}
_INCLUDE_CALLS = {"include_router": ("prefix", False), "register_blueprint": ("url_prefix", True)}

# Callables an app may be handed to without gaining routes the summary cannot see.
_HARMLESS_PREFIXES = (
    "uvicorn.",
    "hypercorn.",
    "gunicorn.",
    "waitress.",
    "fastapi.testclient.",
    "starlette.testclient.",
    "starlette.middleware.",
    "fastapi.middleware.",
    "opentelemetry.",
    "flask_cors.",
    "logging.",
    "asyncio.",
)
_HARMLESS = frozenset({known.FASTAPI_DAPR_APP, known.FLASK_DAPR_APP, "dapr.ext.grpc.App"})
_ACTORS = frozenset({known.FASTAPI_DAPR_ACTOR, known.FLASK_DAPR_ACTOR})
_STATIC_APPS = ("starlette.staticfiles.", "fastapi.staticfiles.")

# Calls that make a module the entry of an app.
_ENTRY_CALLS = frozenset(
    {known.FASTAPI_APP, known.FLASK_APP, known.STARLETTE_APP, known.GRPC_APP, known.WORKFLOW_RUNTIME, "uvicorn.run"}
)


class RouteDrafts:
    """Drafts of a module's route owners (`objects`, by key), routes and includes; `pending` receives the nodes
    whose spans the drafts need."""

    def __init__(self, model: ModuleModel, pending: list[tuple[dict, cst.CSTNode]]) -> None:
        self.m = model
        self.pending = pending
        # id(constructor call) -> object key
        self.by_call: dict[int, str] = {}
        self.objects: dict[str, dict] = {}

    def objects_and_escapes(self) -> None:
        """The apps, routers and blueprints the module builds, and whether each escapes what the summary sees."""
        m = self.m
        for site in m.calls:
            path = m.callee_path(site.node, site.scope)
            shape = _ROUTE_OWNERS.get(path) if path is not None else None
            if shape is None:
                continue
            kind, framework = shape
            name = site.target[1] if site.context == "assign" and site.target and site.target[0] == "name" else None
            owner = site.scope.function
            if name is not None:
                key = name if owner is None else f"{owner.qualname}.{name}"
            else:
                key = f"<anonymous:{len(self.objects)}>"
            prefix_expr = argument(site.node, None, _PREFIX_KEYWORD[framework])
            item = {
                "kind": kind,
                "framework": framework,
                "name": name,
                "prefix": summary_string(self.m, prefix_expr, site.scope) if prefix_expr is not None else "",
                # Not bound to a plain name, or given its routes up front: we cannot follow it.
                "opaque": name is None or argument(site.node, None, "routes") is not None,
                "actor": False,
            }
            if key in self.objects:  # rebound: `app = FastAPI()` twice in one scope
                self.objects[key]["opaque"] = True
                continue
            self.objects[key] = item
            self.by_call[id(site.node)] = key
            self.pending.append((item, site.node))
            if name is not None:
                self._mark_escapes(key, item, name, site.scope)
        if not self.objects:
            return
        lifespans = self._lifespans()
        for site in m.calls:
            for arg in site.node.args:
                if not isinstance(arg.value, cst.Name):
                    continue
                key = self._local_key(arg.value, site.scope) or self._lifespan_app(arg.value, site.scope, lifespans)
                if key is None:
                    continue
                self._app_passed_to(site.node, key, site.scope)

    def _lifespans(self) -> dict[tuple[int, str], str]:
        """The functions an app runs at start-up with itself as first argument (`FastAPI(lifespan=fn)`,
        Starlette's too): (id of the function's scope, its first parameter) -> the app's key. What such a function
        does with its parameter (`DaprActor(app)` registering `/healthz`) it does to the app."""
        found: dict[tuple[int, str], str] = {}
        for key, item in self.objects.items():
            if item["kind"] != "app":
                continue
            call = next((site.node for site in self.m.calls if self.by_call.get(id(site.node)) == key), None)
            scope = next((site.scope for site in self.m.calls if self.by_call.get(id(site.node)) == key), None)
            value = argument(call, None, "lifespan") if call is not None else None
            if not isinstance(value, cst.Name) or scope is None:
                continue
            bindings = self.m.lookup(value.value, scope)
            if not bindings or len(bindings) != 1 or bindings[0].kind != "def":
                continue
            function = bindings[0].target
            node = getattr(function, "node", None)
            params = getattr(getattr(node, "params", None), "params", ())
            if params and getattr(function, "scope", None) is not None:
                found[(id(function.scope), params[0].name.value)] = key
        return found

    def _lifespan_app(self, expr: cst.Name, scope: Scope, lifespans: dict[tuple[int, str], str]) -> Optional[str]:
        if not lifespans:
            return None
        bindings = self.m.lookup(expr.value, scope)
        if not bindings or len(bindings) != 1 or bindings[0].kind != "param":
            return None
        return lifespans.get((id(bindings[0].scope), expr.value))

    def _mark_escapes(self, key: str, item: dict, name: str, scope: Scope) -> None:
        if name in scope.global_names:
            item["opaque"] = True
            return
        for context, _detail in self.m.uses_of(name, scope):
            if context in ("return", "yield", "assign", "other"):
                item["opaque"] = True
                return

    def _app_passed_to(self, call: cst.Call, key: str, scope: Scope) -> None:
        item = self.objects[key]
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value in ("include_router", "register_blueprint", "mount"):
            return  # an include edge, recorded separately
        if isinstance(func, cst.Name) and not self.m.lookup(func.value, scope) and hasattr(builtins, func.value):
            return  # a builtin (print, id, isinstance)
        path = self.m.callee_path(call, scope)
        if path in _ACTORS:
            item["actor"] = True
            return
        if path is not None and (path in _HARMLESS or path.startswith(_HARMLESS_PREFIXES)):
            return
        item["opaque"] = True

    def _local_key(self, expr: cst.BaseExpression, scope: Scope) -> Optional[str]:
        if not isinstance(expr, cst.Name):
            return None
        bindings = self.m.lookup(expr.value, scope)
        if not bindings:
            return None
        keys = {self.by_call.get(id(b.value)) for b in bindings if b.kind == "assign"}
        if len(keys) == 1 and len(bindings) == 1:
            return keys.pop()
        return None

    def _object_ref(self, expr: cst.BaseExpression, scope: Scope) -> Optional[Union[LocalObject, ImportedName]]:
        """Which app/router an expression is: one of ours, an imported name, or unknown (None)."""
        if isinstance(expr, cst.Attribute) and expr.attr.value == "router":
            inner = self._object_ref(expr.value, scope)  # FastAPI's `app.router` is the app's router
            if isinstance(inner, LocalObject) and self.objects[inner.key]["kind"] == "app":
                return inner
        if isinstance(expr, cst.Name):
            key = self._local_key(expr, scope)
            if key is not None:
                return LocalObject(key)
            bindings = self.m.lookup(expr.value, scope)
            if bindings and len(bindings) == 1 and bindings[0].kind == "import":
                return ImportedName(bindings[0].target)
            return None
        if isinstance(expr, cst.Attribute):
            value = self.m.value_of(expr, scope)
            if isinstance(value, Ref) and not value.path.startswith(("fastapi.", "flask.", "starlette.")):
                return ImportedName(value.path)
        return None

    def routes_and_includes(self, summary: dict) -> None:
        m = self.m
        shape_ok = m.imports_module("fastapi") or m.imports_module("flask") or m.imports_module("starlette")
        decorators: set[int] = set()
        for info in m.functions:
            for decorator in info.decorators:
                expr = decorator.decorator
                if not isinstance(expr, cst.Call) or not isinstance(expr.func, cst.Attribute):
                    continue
                if expr.func.attr.value not in _ROUTE_DECORATORS:
                    continue
                decorators.add(id(expr))
                self._route(summary, expr, expr.func.value, info.outer_scope, ("path", "rule"), shape_ok, info.qualname, expr.func.attr.value)
        for site in m.calls:
            func = site.node.func
            if not isinstance(func, cst.Attribute):
                continue
            attr = func.attr.value
            if attr in _ROUTE_DECORATORS and id(site.node) not in decorators:
                # the decorator called by hand: `app.get("/health")(health)`
                owner = self._object_ref(func.value, site.scope)
                if isinstance(owner, LocalObject):
                    self._route(summary, site.node, func.value, site.scope, ("path", "rule"), shape_ok)
            elif attr in _ROUTE_CALLS:
                self._route(summary, site.node, func.value, site.scope, ("path", "rule"), shape_ok)
            elif attr in _INCLUDE_CALLS or attr == "mount":
                self._include(summary, site.node, func.value, attr, site.scope)

    def _route(
        self,
        summary: dict,
        call: cst.Call,
        receiver: cst.BaseExpression,
        scope: Scope,
        keywords: tuple[str, ...],
        shape_ok: bool,
        function: Optional[str] = None,
        verb: Optional[str] = None,
    ) -> None:
        owner = self._object_ref(receiver, scope)
        if owner is None:
            value = self.m.value_of(receiver, scope)
            if isinstance(value, Instance) and value.local is None and value.path in _ROUTE_OWNERS:
                pass  # an app or router we cannot name (a parameter `app: FastAPI`): a route of no known owner
            elif value is not UNKNOWN:
                return  # a known object that is no app (a DaprApp, a requests session, a local class)
            elif not shape_ok:
                return
        path_expr = argument(call, 0, keywords)
        path = summary_string(self.m, path_expr, scope) if path_expr is not None else None
        if owner is None and not (isinstance(path, str) and path.startswith("/")):
            return
        item = {"owner": owner, "path": path, "function": function, "methods": self._methods(call, verb, scope)}
        summary["routes"].append(item)
        self.pending.append((item, call))

    def _include(self, summary: dict, call: cst.Call, receiver: cst.BaseExpression, attr: str, scope: Scope) -> None:
        parent = self._object_ref(receiver, scope)
        if parent is None:
            value = self.m.value_of(receiver, scope)
            owner_like = isinstance(value, Instance) and value.local is None and value.path in _ROUTE_OWNERS
            if value is not UNKNOWN and not owner_like:
                return
        if attr == "mount":
            child_expr = argument(call, 1, ("app",))
            prefix_expr = argument(call, 0, ("path",))
            if isinstance(child_expr, cst.Call):
                path = self.m.callee_path(child_expr, scope) or ""
                if path.startswith(_STATIC_APPS):
                    return  # static files serve no health route
            keyword, replace = "path", False
        else:
            keyword, replace = _INCLUDE_CALLS[attr]
            child_expr = argument(call, 0, ("router", "blueprint"))
            prefix_expr = argument(call, None, keyword)
        child = self._object_ref(child_expr, scope) if child_expr is not None else None
        prefix: StrValue = summary_string(self.m, prefix_expr, scope) if prefix_expr is not None else ""
        item = {
            "parent": parent,
            "child": child,
            "prefix": prefix,
            "replace": replace and prefix_expr is not None,
        }
        summary["includes"].append(item)
        self.pending.append((item, call))

    def is_entry(self) -> bool:
        """The module builds an app, a gRPC-extension App or a WorkflowRuntime, or runs a server."""
        if any(o["kind"] == "app" for o in self.objects.values()):
            return True
        for site in self.m.calls:
            if self.m.callee_path(site.node, site.scope) in _ENTRY_CALLS:
                return True
        return False

    def _methods(self, call: cst.Call, verb: Optional[str], scope: Scope) -> tuple[str, ...]:
        """The HTTP methods a route accepts, when the registration says: `@app.post`, `methods=[...]`;
        Flask's `route` and `add_url_rule` default to GET."""
        if verb in ("get", "post", "put", "delete", "patch", "head", "options"):
            return (verb.upper(),)
        methods = argument(call, None, "methods")
        if methods is None:
            return ("GET",) if verb == "route" else ()
        if isinstance(methods, (cst.List, cst.Tuple, cst.Set)):
            found = []
            for element in methods.elements:
                value = self.m.string_of(element.value, scope)
                if value is None:
                    return ()
                found.append(value.upper())
            return tuple(found)
        return ()
