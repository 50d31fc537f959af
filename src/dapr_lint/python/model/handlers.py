"""Who calls a module's functions, found once when the model is built (no memo: it writes into the records): a
framework (handlers: HTTP routes, pub/sub subscriptions, gRPC methods and bindings, workflows and activities,
`Handler` on `model.handlers` and `FunctionInfo.handlers`), the app's start-up (`FunctionInfo.startup`: an
`on_event("startup")` handler, a lifespan function) and a script runner (`FunctionInfo.is_script_entry`:
`asyncio.run(main())`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, cast

import libcst as cst

from dapr_lint.python import known
from dapr_lint.python.model.records import CallSite, FunctionInfo, Handler, Scope
from dapr_lint.python.model.syntax import argument, has_keyword
from dapr_lint.python.model.values import ClassRef, Const, FunctionRef, Instance
from dapr_lint.python.model.vocabulary import Framework, HandlerKind

if TYPE_CHECKING:
    from dapr_lint.python.model import ModuleModel

_GRPC_HANDLER_KINDS: dict[str, HandlerKind] = {
    "subscribe": "grpc_subscription", "method": "grpc_method", "binding": "grpc_binding", "job_event": "grpc_job"
}


def _workflow_kind(attr: str) -> HandlerKind:
    return "activity" if attr == "activity" else "workflow"


def find_handlers(model: "ModuleModel") -> None:
    """Marks script entries, then handlers, then start-up functions (the order matters: a script entry's helper is
    judged before any handler is known)."""
    finder = HandlerFinder(model)
    finder.find_script_entries()
    finder.find_handlers()
    finder.find_startup_functions()


def runs_at_startup(site: CallSite) -> bool:
    """Whether a call runs once, before the app serves any request: in an `@app.on_event("startup")`
    handler, or in a lifespan function (`FastAPI(lifespan=...)`) before its `yield`."""
    info = site.function
    if info is None or info.startup is None:
        return False
    if info.startup == "whole":
        return True
    limit = info.calls_before_yield
    if limit is None:
        return False
    return any(s is site for s in info.calls[:limit])


class HandlerFinder:
    def __init__(self, model: "ModuleModel") -> None:
        self.m = model

    def find_script_entries(self) -> None:
        for site in self.m.calls:
            if site.function is not None and site.function.is_async:
                continue
            func = site.node.func
            is_runner = isinstance(func, cst.Attribute) and func.attr.value in known.SCRIPT_RUNNER_METHODS
            if not is_runner:
                is_runner = self.m.qualified_name(func, site.scope) in known.SCRIPT_RUNNERS
            if not is_runner or not site.node.args:
                continue
            target = site.node.args[0].value
            if isinstance(target, cst.Call):
                target = target.func
            value = self.m.value_of(target, site.scope)
            if isinstance(value, FunctionRef) and value.info.is_async:
                value.info.is_script_entry = True
        self._propagate_script_entries()

    def _propagate_script_entries(self) -> None:
        """A coroutine of this module that only script entries call runs on the script's loop too, where
        nothing else runs: it counts as part of the script (to a fixed point: entry -> helper -> helper)."""
        if not any(info.is_script_entry for info in self.m.functions):
            return
        callers: dict[int, list[CallSite]] = {}
        for site in self.m.calls:
            callee = self.m.called_function(site)
            if callee is not None and callee.is_async:
                callers.setdefault(id(callee), []).append(site)
        reads: dict[str, int] = {}
        stack = [self.m.module_scope]
        while stack:
            scope = stack.pop()
            for name, uses in scope.name_uses.items():
                reads[name] = reads.get(name, 0) + len(uses)
            stack.extend(scope.children)
        changed = True
        while changed:
            changed = False
            for info in self.m.functions:
                if info.is_script_entry or not info.is_async or info.decorators or info.handlers:
                    continue
                sites = callers.get(id(info), [])
                if not sites or reads.get(info.name, 0) != len(sites):
                    continue  # referenced in some other way (passed as a callback, exported, ...)
                if all(s.function is not None and s.function.is_script_entry for s in sites):
                    info.is_script_entry = True
                    changed = True

    def find_handlers(self) -> None:
        for info in self.m.functions:
            for decorator in info.decorators:
                handler = self._handler_from_decorator(decorator, info)
                if handler is not None:
                    info.handlers.append(handler)
                    self.m.handlers.append(handler)
        for site in self.m.calls:
            handler = self._handler_from_registration(site)
            if handler is not None:
                handler.function.handlers.append(handler)
                self.m.handlers.append(handler)
        self._find_programmatic_subscriptions()

    def _find_programmatic_subscriptions(self) -> None:
        """Routes a `GET /dapr/subscribe` handler of this module lists (`{"route": ...}`, or v2's
        `{"routes": {"default": ..., "rules": [{"path": ...}]}}`) receive events: they are subscription
        handlers too (framework "programmatic-flask" / "programmatic-fastapi")."""
        listings = [h for h in self.m.handlers if h.kind == "route" and h.path == "/dapr/subscribe"]
        routes: set[str] = set()
        for listing in listings:
            info = listing.function
            for returned in info.returns:
                for entry in self.listed_entries(returned, info.scope):
                    routes.update(self.entry_routes(entry, info.scope))
        self.m.programmatic_routes = frozenset(routes)
        # Dapr adds the leading slash a listed route lacks
        routes = {"/" + r.lstrip("/") for r in routes}
        # route functions the project stage found to receive events (another module's listing, a declarative
        # Subscription of the app, a router prefix)
        declared = self.m.subscriber_functions
        if not routes and not declared:
            return
        for handler in list(self.m.handlers):
            if handler.kind != "route":
                continue
            if (handler.path is not None and "/" + handler.path.lstrip("/") in routes) or handler.function.qualname in declared:
                subscription = Handler(
                    "subscription",
                    cast(Framework, f"programmatic-{handler.framework}"),
                    handler.function,
                    handler.node,
                    handler.path,
                    call=handler.call,
                )
                handler.function.handlers.append(subscription)
                self.m.handlers.append(subscription)

    def listed_entries(self, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> list[cst.Dict]:
        if depth > 2:
            return []
        if isinstance(expr, (cst.List, cst.Tuple)):
            return [e.value for e in expr.elements if isinstance(e.value, cst.Dict)]  # type: ignore[misc]
        if isinstance(expr, cst.Call) and expr.args and self.m.qualified_name(expr.func, scope) in (
            "flask.jsonify",
            "fastapi.responses.JSONResponse",
        ):
            return self.listed_entries(expr.args[0].value, scope, depth + 1)
        if isinstance(expr, cst.Name):
            bindings = self.m.lookup(expr.value, scope)
            if bindings and len(bindings) == 1 and bindings[0].kind == "assign" and bindings[0].value is not None:
                return self.listed_entries(bindings[0].value, bindings[0].scope, depth + 1)  # type: ignore[arg-type]
        return []

    def entry_routes(self, entry: cst.Dict, scope: Scope) -> set[str]:
        """The paths a `/dapr/subscribe` entry names: `route`, `routes.default`, each `routes.rules[].path`."""
        values: list[cst.BaseExpression] = []
        for key, value in self._keyed(entry, scope):
            if key == "route":
                values.append(value)
            elif key == "routes" and isinstance(value, cst.Dict):
                for inner_key, inner in self._keyed(value, scope):
                    if inner_key == "default":
                        values.append(inner)
                    elif inner_key == "rules" and isinstance(inner, cst.List):
                        for rule in inner.elements:
                            if isinstance(rule.value, cst.Dict):
                                values.extend(path for part, path in self._keyed(rule.value, scope) if part == "path")
        return {text for text in (self.m.string_of(value, scope) for value in values) if text is not None}

    def _keyed(self, mapping: cst.Dict, scope: Scope) -> list[tuple[object, cst.BaseExpression]]:
        """A dict literal's (key's constant value, value expression) pairs; `**x` entries are left out."""
        pairs: list[tuple[object, cst.BaseExpression]] = []
        for element in mapping.elements:
            if isinstance(element, cst.DictElement):
                key = self.m.value_of(element.key, scope)
                pairs.append((key.value if isinstance(key, Const) else None, element.value))
        return pairs

    def _receiver(self, expr: cst.BaseExpression, scope: Scope) -> Optional[str]:
        value = self.m.value_of(expr, scope)
        if isinstance(value, Instance) and value.local is None:
            return value.path
        return None

    def _handler_from_decorator(self, decorator: cst.Decorator, info: FunctionInfo) -> Optional[Handler]:
        expr = decorator.decorator
        call = expr if isinstance(expr, cst.Call) else None
        target = call.func if call is not None else expr
        if not isinstance(target, cst.Attribute):
            return None
        attr = target.attr.value
        scope = info.outer_scope
        receiver = self._receiver(target.value, scope)
        path = self.m.string_of(argument(call, 0, ("path", "rule", "route")), scope) if call is not None else None
        if receiver is None:
            return self._handler_by_shape(decorator, info, call, attr, path)
        if receiver in (known.FASTAPI_APP, known.FASTAPI_ROUTER, known.STARLETTE_APP):
            if attr in known.HTTP_ROUTE_METHODS or attr == "websocket":
                framework: Framework = "starlette" if receiver == known.STARLETTE_APP else "fastapi"
                return Handler("route", framework, info, decorator, path, call=call)
            return None
        if receiver in (known.FLASK_APP, known.FLASK_BLUEPRINT):
            if attr in known.HTTP_ROUTE_METHODS:
                return Handler("route", "flask", info, decorator, path, call=call)
            return None
        if receiver in (known.FASTAPI_DAPR_APP, known.FLASK_DAPR_APP) and attr == "subscribe":
            framework = "dapr-fastapi" if receiver == known.FASTAPI_DAPR_APP else "dapr-flask"
            route = self.m.string_of(argument(call, None, "route"), scope) if call is not None else None
            return Handler("subscription", framework, info, decorator, route, call=call)
        if receiver == known.GRPC_APP and attr in ("subscribe", "method", "binding", "job_event"):
            kind = _GRPC_HANDLER_KINDS[attr]
            return Handler(kind, "dapr-grpc", info, decorator, None, call=call)
        if receiver == known.WORKFLOW_RUNTIME and attr in ("workflow", "activity", "versioned_workflow"):
            kind = _workflow_kind(attr)
            return Handler(kind, "workflow", info, decorator, None, call=call)
        return None

    def _handler_by_shape(
        self, decorator: cst.Decorator, info: FunctionInfo, call: Optional[cst.Call], attr: str, path: Optional[str]
    ) -> Optional[Handler]:
        """A decorator on an app object imported from elsewhere: recognised by its shape only when the
        module imports the framework, and marked unresolved."""
        if attr in known.HTTP_ROUTE_METHODS and path is not None and path.startswith("/"):
            if self.m.imports_module("fastapi") or self.m.imports_module("starlette"):
                return Handler("route", "fastapi", info, decorator, path, resolved=False, call=call)
            if self.m.imports_module("flask"):
                return Handler("route", "flask", info, decorator, path, resolved=False, call=call)
        if attr == "subscribe" and call is not None and has_keyword(call, "topic"):
            if self.m.imports_module("dapr.ext.fastapi"):
                return Handler("subscription", "dapr-fastapi", info, decorator, None, resolved=False, call=call)
            if self.m.imports_module("dapr.ext.flask") or self.m.imports_module("flask_dapr"):
                return Handler("subscription", "dapr-flask", info, decorator, None, resolved=False, call=call)
        if attr in ("workflow", "activity") and self.m.imports_module("dapr.ext.workflow") and not self._is_local_object(decorator, info):
            kind = _workflow_kind(attr)
            return Handler(kind, "workflow", info, decorator, None, resolved=False, call=call)
        return None

    def _is_local_object(self, decorator: cst.Decorator, info: FunctionInfo) -> bool:
        """Whether a decorator's receiver is an object of this module's own making (an instance of a local class,
        a local class or function): its `.activity` / `.workflow` has the project's semantics, not the SDK's."""
        expr = decorator.decorator
        target = expr.func if isinstance(expr, cst.Call) else expr
        if not isinstance(target, cst.Attribute):
            return False
        value = self.m.value_of(target.value, info.outer_scope)
        return isinstance(value, (ClassRef, FunctionRef)) or (isinstance(value, Instance) and value.local is not None)

    def _handler_from_registration(self, site: CallSite) -> Optional[Handler]:
        func = site.node.func
        args = site.node.args
        if isinstance(func, cst.Attribute):
            attr = func.attr.value
            if attr not in ("add_api_route", "add_route", "add_url_rule", "register_workflow", "register_activity", "register_versioned_workflow"):
                return None
            receiver = self._receiver(func.value, site.scope)
            if receiver in (known.FASTAPI_APP, known.FASTAPI_ROUTER, known.STARLETTE_APP) and attr in ("add_api_route", "add_route"):
                endpoint = argument(site.node, 1, "endpoint")
                return self._registered(site, endpoint, "route", "fastapi", self.m.string_of(argument(site.node, 0, "path"), site.scope))
            if receiver in (known.FLASK_APP, known.FLASK_BLUEPRINT) and attr == "add_url_rule":
                endpoint = argument(site.node, 2, "view_func")
                return self._registered(site, endpoint, "route", "flask", self.m.string_of(argument(site.node, 0, "rule"), site.scope))
            if receiver == known.WORKFLOW_RUNTIME and attr.startswith("register_"):
                kind: HandlerKind = "activity" if attr == "register_activity" else "workflow"
                return self._registered(site, argument(site.node, 0, "fn"), kind, "workflow", None)
            return None
        if isinstance(func, cst.Name) or isinstance(func, cst.Attribute):
            path = self.m.qualified_name(func, site.scope)
            if path in ("starlette.routing.Route", "starlette.routing.WebSocketRoute") and args:
                return self._registered(site, argument(site.node, 1, "endpoint"), "route", "starlette", self.m.string_of(argument(site.node, 0, "path"), site.scope))
        return None

    def _registered(self, site: CallSite, endpoint: Optional[cst.BaseExpression], kind: HandlerKind, framework: Framework, path: Optional[str]) -> Optional[Handler]:
        if endpoint is None:
            return None
        value = self.m.value_of(endpoint, site.scope)
        if not isinstance(value, FunctionRef):
            return None
        return Handler(kind, framework, value.info, site.node, path, call=site.node)

    def find_startup_functions(self) -> None:
        for site in self.m.calls:
            path = self.m.callee_path(site.node, site.scope)
            if path not in known.LIFESPAN_OWNERS:
                continue
            lifespan = argument(site.node, None, "lifespan")
            if lifespan is None:
                continue
            value = self.m.value_of(lifespan, site.scope)
            if isinstance(value, FunctionRef) and value.info.startup is None:
                value.info.startup = "before_yield"
        for info in self.m.functions:
            for decorator in info.decorators:
                expr = decorator.decorator
                if not (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "on_event"):
                    continue
                receiver = self._receiver(expr.func.value, info.outer_scope)
                if receiver not in (known.FASTAPI_APP, known.FASTAPI_ROUTER, known.STARLETTE_APP) and not (
                    receiver is None and (self.m.imports_module("fastapi") or self.m.imports_module("starlette"))
                ):
                    continue
                if self.m.string_of(argument(expr, 0, "event_type"), info.outer_scope) == "startup":
                    info.startup = "whole"
