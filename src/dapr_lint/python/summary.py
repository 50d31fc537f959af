"""Builds the per-file summary of a Python module (`dapr_lint.summaries.ModuleSummary`) from its
ModuleModel, with no second walk. The builder collects drafts and the nodes whose positions it needs; the
Python stage (engine/python_stage.py) positions them in the one pass it makes for the findings, then `PendingSummary.finish` freezes the
summary. The engine adds where the file lives and which findings its `# noqa` / `per-file-ignores`
silence."""

from __future__ import annotations

import builtins
import sys
from typing import Any, Optional, Union

import libcst as cst

from dapr_lint.python import known, practices
from dapr_lint.python.model import (
    UNKNOWN,
    Const,
    Instance,
    ModuleModel,
    Ref,
    Scope,
    all_params,
    argument,
    constant_string,
    is_blocking_method,
    is_none_literal,
)
from dapr_lint.python.model import streams
from dapr_lint.python.model.actors import actor_summary_draft, freeze_actor_summary
from dapr_lint.python.sdk_table import MEMBERS
from dapr_lint.summaries import (
    AsyncCall,
    ComponentUse,
    Definition,
    HandlerFact,
    ImportedName,
    Include,
    LocalObject,
    ModuleSummary,
    PracticeFacts,
    Route,
    RouteOwner,
    Span,
    StrValue,
    UnguardedCall,
    WiringFacts,
    WorkflowEvent,
    WorkflowFacts,
    WorkflowRegistration,
    WorkflowRuntimeStart,
    WorkflowTarget,
)
from dapr_lint.python.model.workflow_facts import workflow_facts
from dapr_lint.python.model.exceptions import exception_facts

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
_DEPENDS = frozenset({"fastapi.Depends", "fastapi.params.Depends", "fastapi.param_functions.Depends"})
_HARMLESS = frozenset({known.FASTAPI_DAPR_APP, known.FLASK_DAPR_APP, "dapr.ext.grpc.App"})
_ACTORS = frozenset({known.FASTAPI_DAPR_ACTOR, known.FLASK_DAPR_ACTOR})
_STATIC_APPS = ("starlette.staticfiles.", "fastapi.staticfiles.")

# Calls that make a module the entry of an app.
_ENTRY_CALLS = frozenset(
    {known.FASTAPI_APP, known.FLASK_APP, known.STARLETTE_APP, known.GRPC_APP, known.WORKFLOW_RUNTIME, "uvicorn.run"}
)

# The first parameter of these names the component (or app) a Dapr client call uses.
_COMPONENT_PARAMS = frozenset({"store_name", "pubsub_name", "binding_name", "app_id"})

def build_summary(model: ModuleModel) -> "PendingSummary":
    """The summary of one module, waiting for the positions of `nodes` (one position pass for the whole
    file, shared with the findings)."""
    draft, pending = _Builder(model).build()
    return PendingSummary(draft, pending)


class PendingSummary:
    """Drafts of a module's summary items and the nodes whose positions they need."""

    def __init__(self, draft: dict, pending: list[tuple[dict, cst.CSTNode]]) -> None:
        self.draft = draft
        self.pending = pending

    @property
    def nodes(self) -> list[cst.CSTNode]:
        return [node for _item, node in self.pending]

    def finish(self, spans: dict[int, tuple[int, int, int, int]]) -> ModuleSummary:
        for item, node in self.pending:
            item["span"] = Span(*spans.get(id(node), (1, 1, 1, 1)))
        return _freeze(self.draft)


def _freeze(draft: dict) -> ModuleSummary:
    def span(item: dict) -> Span:
        return item.get("span", Span())

    return ModuleSummary(
        uses_dapr=draft["uses_dapr"],
        entry=draft.get("entry", False),
        subscribed_routes=tuple(draft.get("subscribed_routes", ())),
        env_constants=draft.get("env_constants", {}),
        objects={
            key: RouteOwner(o["kind"], o["framework"], o["name"], o["prefix"], o["opaque"], o["actor"], span(o))
            for key, o in draft["objects"].items()
        },
        routes=tuple(Route(r["owner"], r["path"], span(r).line, tuple(r.get("methods", ())), r.get("function")) for r in draft["routes"]),
        includes=tuple(Include(i["parent"], i["child"], i["prefix"], i["replace"], span(i).line) for i in draft["includes"]),
        constants=draft["constants"],
        imports=draft["imports"],
        handlers=tuple(
            HandlerFact(
                h["kind"], h["framework"], h["function"], h["path"], h["pubsub"], h["topic"], h["resolved"],
                span(h).line, span(h["body"]), h.get("binding"),
            )
            for h in draft["handlers"]
        ),
        components=tuple(
            ComponentUse(
                c["method"], c["param"], c["name"], c["topic"], span(c), c.get("env"), tuple(c.get("keywords", ())),
                c.get("method_name"), c.get("http_verb"), c.get("has_body", False),
            )
            for c in draft["components"]
        ),
        defs=draft.get("defs", {}),
        classes=draft.get("classes", {}),
        async_calls=tuple(
            AsyncCall(
                a["target"], a["method"], a["function"], span(a), a.get("attribute"), a.get("called", False),
                a.get("instance", False), a.get("provided", False),
            )
            for a in draft.get("async_calls", ())
        ),
        instances=draft.get("instances", {}),
        practices=practices.freeze(draft["practices"]) if "practices" in draft else PracticeFacts(),
        actors=freeze_actor_summary(draft.get("actors")),
        unguarded_calls=tuple(UnguardedCall(u["method"], u["function"], span(u)) for u in draft.get("unguarded_calls", ())),
        catches_dapr_errors=draft.get("catches_dapr_errors", False),
        workflows=_freeze_workflows(draft["workflows"]) if "workflows" in draft else WorkflowFacts(),
        wiring=streams.freeze_wiring(draft["wiring"]) if "wiring" in draft else WiringFacts(),
    )


def _freeze_workflows(draft: dict) -> WorkflowFacts:
    def span(item: dict) -> Span:
        return item.get("span", Span())

    return WorkflowFacts(
        registrations=tuple(WorkflowRegistration(r["kind"], r["name"], r["function"], span(r)) for r in draft["registrations"]),
        targets=tuple(
            WorkflowTarget(t["method"], t["kind"], t["name"], t["function"], t["remote"], span(t)) for t in draft["targets"]
        ),
        raised=tuple(WorkflowEvent(e["name"], span(e), e["remote"]) for e in draft["raised"]),
        awaited=tuple(WorkflowEvent(e["name"], span(e)) for e in draft["awaited"]),
        started=tuple(
            WorkflowRuntimeStart(r["kind"], r["key"], r["imported"], span(r), r["script"]) for r in draft["started"]
        ),
        opaque=draft["opaque"],
        agents=draft["agents"],
        handed=tuple(draft["handed"]),
    )


def text_summary(data: bytes) -> ModuleSummary:
    """The summary of a module that is not modelled (it names no Dapr or web framework): only what its text
    says about logging and tracing set-up and the modules it imports (a shared bootstrap module)."""
    return ModuleSummary(practices=practices.text_facts(data))


class _Builder:
    def __init__(self, model: ModuleModel) -> None:
        self.m = model
        self.pending: list[tuple[dict, cst.CSTNode]] = []
        # id(constructor call) -> object key
        self.by_call: dict[int, str] = {}
        self.objects: dict[str, dict] = {}

    def build(self) -> tuple[dict, list[tuple[dict, cst.CSTNode]]]:
        m = self.m
        summary: dict[str, Any] = {
            "uses_dapr": m.imports_module("dapr") or m.imports_module("flask_dapr"),
            "objects": self.objects,
            "routes": [],
            "includes": [],
            "constants": self._constants(),
            "imports": self._imports(),
            "handlers": [],
            "components": [],
        }
        owners_possible = m.imports_module("fastapi") or m.imports_module("flask") or m.imports_module("starlette")
        if owners_possible:
            self._objects()
        summary["entry"] = self._is_entry()
        summary["env_constants"] = self.env_constants
        summary["subscribed_routes"] = sorted(getattr(m, "programmatic_routes", ()) or ())
        self._routes_and_includes(summary)
        self._handlers(summary)
        if summary["uses_dapr"]:
            self._components(summary)
        self._blocking_definitions(summary)
        self._async_calls(summary)
        summary["actors"], actor_pending = actor_summary_draft(m)
        self.pending.extend(actor_pending)
        self._unguarded_calls(summary)
        summary["practices"], practice_pending = practices.practice_facts(m)
        self.pending.extend(practice_pending)
        summary["workflows"] = self._workflows()
        summary["wiring"], wiring_pending = streams.wiring_draft(m)
        self.pending.extend(wiring_pending)
        return summary, self.pending

    # -- DPR301 ----------------------------------------------------------------------------------------

    def _unguarded_calls(self, summary: dict) -> None:
        """Dapr client calls in HTTP route handlers (not subscription routes, where raising means "retry") with
        no `try` around them that catches Dapr errors; and whether an app-level handler catches them."""
        m = self.m
        calls = []
        for info in m.functions:
            if not any(h.kind == "route" for h in info.handlers):
                continue
            if any(h.kind in ("subscription", "grpc_subscription") for h in info.handlers):
                continue
            for site in info.calls:
                method = m.client_method_call(site)
                if method is None or not is_blocking_method(*method) or exception_facts(m).protected_by(site, "dapr"):
                    continue
                item = {"method": method[1], "function": info.name}
                calls.append(item)
                self.pending.append((item, site.node))
        summary["unguarded_calls"] = calls
        summary["catches_dapr_errors"] = exception_facts(m).catches_dapr_errors_app_wide()

    # -- workflow registrations, targets, events, runtimes (DPR707-DPR710) ----------------------------

    def _workflows(self) -> dict:
        facts = workflow_facts(self.m)

        def name(value: object) -> StrValue:
            if isinstance(value, Ref):
                return ImportedName(value.path)
            return value if isinstance(value, str) else None

        def item(data: dict, node: cst.CSTNode) -> dict:
            self.pending.append((data, node))
            return data

        return {
            "registrations": [item({"kind": r.kind, "name": name(r.name), "function": r.function}, r.node) for r in facts.registrations],
            "targets": [
                item({"method": t.method, "kind": t.kind, "name": name(t.name), "function": t.function, "remote": t.remote}, t.argument)
                for t in facts.targets
            ],
            "raised": [item({"name": name(e.name), "remote": e.remote}, e.node) for e in facts.raised],
            "awaited": [item({"name": name(e.name)}, e.node) for e in facts.awaited],
            "started": [
                item({"kind": r.kind, "key": r.key, "imported": r.imported, "script": r.script}, r.node) for r in facts.started
            ],
            "opaque": facts.opaque,
            "agents": facts.agents,
            "handed": list(facts.handed),
        }

    # -- DPR101 across modules -------------------------------------------------------------------------

    def _blocking_definitions(self, summary: dict) -> None:
        """Module-level functions and classes' methods: async or not, and the sync client use that makes a
        plain one block its caller (directly or through plain functions and methods of this module, a few
        calls deep); what sync client a property, method or instance attribute hands out; and module-level
        names bound once to an instance of a class (a manager or service singleton)."""
        defs: dict[str, Definition] = {}
        classes: dict[str, dict[str, Definition]] = {}
        memo: dict[int, Optional[str]] = {}
        for info in self.m.functions:
            if info.parent_function is not None or info.is_lambda:
                continue
            entry = Definition(info.is_async, self._blocking(info, memo, 0), self._returned_client(info))
            if info.klass is None:
                defs[info.name] = entry
            elif "." not in info.klass.qualname:
                if self.m.decorated_with(info, "builtins.property") or any(
                    isinstance(d.decorator, cst.Name) and d.decorator.value == "property" for d in info.decorators
                ):
                    entry = Definition(entry.is_async, entry.blocking, entry.returns, "property")
                classes.setdefault(info.klass.name, {})[info.name] = entry
        for klass in self.m.classes:
            if "." in klass.qualname or klass.name not in classes and not klass.attributes:
                continue
            for attr, bindings in klass.attributes.items():
                if attr in classes.get(klass.name, {}):
                    continue
                client = self._held_client(bindings)
                if client is not None:
                    classes.setdefault(klass.name, {})[attr] = Definition(False, None, client, "attribute")
        summary["defs"] = defs
        summary["classes"] = classes
        summary["instances"] = self._instances(classes)

    def _blocking(self, info, memo: dict[int, Optional[str]], depth: int) -> Optional[str]:
        """The snippet of the sync client use a plain def reaches: its own, or that of a plain local function
        or method it calls (not offloaded), a few calls deep; a cycle ends at the function already open."""
        key = id(info)
        if key in memo:
            return memo[key]
        memo[key] = None  # open: a cycle back to it finds nothing
        use = self.m.blocking_use(info)
        found = self._use_snippet(use) if use is not None else None
        if found is None and depth < 4 and not info.is_async and info.is_module_level_or_method and not info.is_generator:
            for site in info.calls:
                if site.offloaded:
                    continue
                callee = self.m.called_function(site)
                if callee is None or callee is info or callee.is_async or not callee.is_module_level_or_method:
                    continue
                found = self._blocking(callee, memo, depth + 1)
                if found is not None:
                    break
        memo[key] = found
        return found

    def _returned_client(self, info) -> Optional[str]:
        """The sync client class a plain def returns every time it returns (`return self._client`)."""
        if info.is_async or info.is_generator or not info.returns:
            return None
        kinds = set()
        for expr in info.returns:
            value = expr.value if isinstance(expr, cst.Return) else expr
            if value is None:
                return None
            kind = self.m.client_of(value, info.scope)
            if kind is None or kind.is_async:
                return None
            kinds.add(kind.path)
        return kinds.pop() if len(kinds) == 1 else None

    def _held_client(self, bindings) -> Optional[str]:
        """The sync client class an instance attribute always holds (`self._client = DaprClient()`)."""
        real = [b for b in bindings if not (b.kind == "assign" and is_none_literal(b.value))]
        if len(real) != 1 or real[0].kind != "assign" or not isinstance(real[0].value, cst.Call):
            return None
        func = self.m.value_of(real[0].value.func, real[0].scope)
        kind = known.CLIENTS.get(known.canonical(func.path)) if isinstance(func, Ref) else None
        return kind.path if kind is not None and not kind.is_async else None

    def _instances(self, classes: dict[str, dict[str, Definition]]) -> dict[str, str]:
        """Module-level names bound once to `SomeClass(...)`: a class of this module (by name) or an imported
        class of (maybe) the project (by its dotted path)."""
        m = self.m
        found: dict[str, str] = {}
        for name, bindings in m.module_scope.bindings.items():
            if len(bindings) != 1 or bindings[0].kind != "assign" or not isinstance(bindings[0].value, cst.Call):
                continue
            func = bindings[0].value.func
            if isinstance(func, cst.Name) and func.value in classes and len(m.lookup(func.value, m.module_scope) or ()) == 1:
                found[name] = func.value
                continue
            path = m.callee_path(bindings[0].value, m.module_scope)
            if path is not None and _maybe_project(path):
                found[name] = path
        return found

    def _use_snippet(self, use) -> str:
        suffix = "()" if self.m.constructed_client(use) is not None else "(...)"
        return self.m.module.code_for_node(use.node.func) + suffix

    def _async_calls(self, summary: dict) -> None:
        """Calls on the event loop to functions or methods of classes imported from (maybe) the project, to
        methods of module-level instances imported from it, and to methods of the clients such instances
        hand out (`manager.client.save_state(...)`, `manager.get_client().save_state(...)`)."""
        calls: list[dict] = []
        m = self.m
        for info in m.functions:
            if not m.runs_on_event_loop(info):
                continue
            for site in info.calls:
                if site.offloaded or m.called_function(site) is not None or m.constructed_client(site) is not None:
                    continue
                func = site.node.func
                items: list[dict] = []
                if isinstance(func, cst.Attribute):
                    method = func.attr.value
                    provider = self._provider(func.value, site.scope, info)
                    if provider is not None:
                        items.append({"target": provider, "method": method, "instance": False, "provided": True})
                    owner = self._receiver(func.value, site.scope)
                    if owner is not None:
                        items.append({"target": owner[0], "method": method, "instance": owner[1]})
                    receiver = func.value
                    called = isinstance(receiver, cst.Call) and not receiver.args
                    if called:
                        assert isinstance(receiver, cst.Call)
                        receiver = receiver.func
                    if isinstance(receiver, cst.Attribute):
                        holder = self._receiver(receiver.value, site.scope)
                        if holder is not None:
                            items.append(
                                {
                                    "target": holder[0],
                                    "method": method,
                                    "instance": holder[1],
                                    "attribute": receiver.attr.value,
                                    "called": called,
                                }
                            )
                if not any(not i["instance"] and "attribute" not in i for i in items):
                    path = m.callee_path(site.node, site.scope)
                    if path is not None and _maybe_project(path):
                        items.append({"target": path, "method": None})
                for item in items:
                    item["function"] = info.name
                    calls.append(item)
                    self.pending.append((item, site.node))
        summary["async_calls"] = calls

    def _receiver(self, expr: cst.BaseExpression, scope: Scope) -> Optional[tuple[str, bool]]:
        """(class path, False) for an instance of an imported class; (import path, True) for a name imported
        from (maybe) the project that may be a module-level instance there, used directly or through the one
        instance attribute it is stored in (`self._dapr = dapr`)."""
        owner = self._external_class(expr, scope)
        if owner is not None:
            return owner, False
        if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value == "self":
            bindings = self._self_attribute(expr, scope)
            real = [b for b in bindings or () if not (b.kind == "assign" and is_none_literal(b.value))]
            if len(real) != 1 or real[0].kind != "assign" or not isinstance(real[0].value, cst.Name):
                return None
            expr, scope = real[0].value, real[0].scope
        if isinstance(expr, cst.Name):
            bindings = self.m.lookup(expr.value, scope)
            if bindings and len(bindings) == 1 and bindings[0].kind == "import":
                path = self.m.qualified_name(expr, scope)
                if path is not None and _maybe_project(path):
                    return path, True
        return None

    def _self_attribute(self, expr: cst.Attribute, scope: Scope) -> Optional[list]:
        """The bindings of `self.<attr>` in the class of the method `scope` is in."""
        function = scope.function
        while function is not None and function.klass is None:
            function = function.parent_function
        if function is None or function.klass is None:
            return None
        return function.klass.attributes.get(expr.attr.value)

    def _provider(self, expr: cst.BaseExpression, scope: Scope, info) -> Optional[str]:
        """The function FastAPI calls to fill a parameter of handler `info` (`client=Depends(get_client)`): its
        import path, or its name when it is a function of this module; None for anything else."""
        if not isinstance(expr, cst.Name) or scope is not info.scope or self.m.client_of(expr, scope) is not None:
            return None  # not a parameter, or one whose annotation already says it is a client (the file's own DPR101)
        bindings = self.m.lookup(expr.value, scope)
        if not bindings or len(bindings) != 1 or bindings[0].kind != "param":
            return None
        node = next((p for p in all_params(info.node.params) if p.name.value == expr.value), None)
        default = node.default if node is not None else None
        if not isinstance(default, cst.Call) or self.m.callee_path(default, info.outer_scope) not in _DEPENDS:
            return None
        target = argument(default, 0, ("dependency",))
        if not isinstance(target, cst.Name):
            return None
        found = self.m.lookup(target.value, info.outer_scope)
        if not found or len(found) != 1:
            return None
        if found[0].kind == "def" and self.m.module_scope.bindings.get(target.value) == found:
            return target.value
        if found[0].kind == "import":
            path = self.m.qualified_name(target, info.outer_scope)
            return path if path is not None and _maybe_project(path) else None
        return None

    def _external_class(self, expr: cst.BaseExpression, scope: Scope) -> Optional[str]:
        """The imported class a receiver is an instance of: a name or `self.x` assigned once from
        `SomeImportedClass(...)`, or a parameter annotated with one."""
        m = self.m
        bindings = None
        if isinstance(expr, cst.Name):
            bindings = m.lookup(expr.value, scope)
        elif isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value == "self":
            function = scope.function
            while function is not None and function.klass is None:
                function = function.parent_function
            if function is not None and function.klass is not None:
                bindings = function.klass.attributes.get(expr.attr.value)
        if not bindings:
            return None
        real = [b for b in bindings if not (b.kind == "assign" and is_none_literal(b.value))]
        if len(real) != 1:
            return None
        binding = real[0]
        if binding.kind == "assign" and isinstance(binding.value, cst.Call):
            path = m.qualified_name(binding.value.func, binding.scope)
        elif binding.kind in ("param", "annotation") and binding.annotation is not None:
            path = m.qualified_name(binding.annotation, binding.scope)
        else:
            return None
        return path if path is not None and _maybe_project(path) else None

    # -- module facts ------------------------------------------------------------------------------

    def _constants(self) -> dict[str, str]:
        constants: dict[str, str] = {}
        self.env_constants: dict[str, str] = {}
        for name, bindings in self.m.module_scope.bindings.items():
            if len(bindings) != 1 or bindings[0].kind != "assign":
                continue
            env = self._env_default(bindings[0].value, self.m.module_scope) if isinstance(bindings[0].value, cst.Call) else None
            if env is not None:
                constants[name] = env[1]
                self.env_constants[name] = env[0]
                continue
            if isinstance(bindings[0].value, (cst.SimpleString, cst.ConcatenatedString)):
                value = self.m.string_of(bindings[0].value, self.m.module_scope)
                if value is not None:
                    constants[name] = value
        return constants

    def _imports(self) -> dict[str, str]:
        return {
            name: bindings[0].target
            for name, bindings in self.m.module_scope.bindings.items()
            if len(bindings) == 1 and bindings[0].kind == "import"
        }

    # -- apps, routers, blueprints -----------------------------------------------------------------

    def _objects(self) -> None:
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
                "prefix": self._string(prefix_expr, site.scope) if prefix_expr is not None else "",
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

    def _routes_and_includes(self, summary: dict) -> None:
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
        path = self._string(path_expr, scope) if path_expr is not None else None
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
        prefix: StrValue = self._string(prefix_expr, scope) if prefix_expr is not None else ""
        item = {
            "parent": parent,
            "child": child,
            "prefix": prefix,
            "replace": replace and prefix_expr is not None,
        }
        summary["includes"].append(item)
        self.pending.append((item, call))

    def _is_entry(self) -> bool:
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

    def _env_default(self, expr: Optional[cst.BaseExpression], scope: Scope, depth: int = 0) -> Optional[tuple[str, str]]:
        """(variable, default) when a name comes from `os.getenv(NAME, default)` / `os.environ.get(...)`,
        directly or through a name bound once to it."""
        if expr is None or depth > 2:
            return None
        if isinstance(expr, cst.Name):
            bindings = self.m.lookup(expr.value, scope)
            if bindings and len(bindings) == 1 and bindings[0].kind == "assign" and bindings[0].value is not None:
                return self._env_default(bindings[0].value, bindings[0].scope, depth + 1)  # type: ignore[arg-type]
            return None
        if not isinstance(expr, cst.Call) or self.m.callee_path(expr, scope) not in ("os.getenv", "os.environ.get"):
            return None
        variable = self.m.string_of(argument(expr, 0, ("key",)), scope)
        default = self.m.string_of(argument(expr, 1, ("default",)), scope)
        if variable is not None and default is not None:
            return variable, default
        return None

    def _string(self, expr: Optional[cst.BaseExpression], scope: Scope) -> StrValue:
        if expr is None:
            return None
        value = self.m.value_of(expr, scope)
        if isinstance(value, Ref):
            return ImportedName(value.path)
        return constant_string(value)

    # -- handlers and component names --------------------------------------------------------------

    def _handlers(self, summary: dict) -> None:
        for handler in self.m.handlers:
            scope = handler.function.outer_scope
            pubsub = topic = None
            if handler.kind in ("subscription", "grpc_subscription") and handler.call is not None:
                pubsub = self._string(argument(handler.call, 0, ("pubsub", "pubsub_name")), scope)
                topic = self._string(argument(handler.call, 1, ("topic",)), scope)
            binding = None
            if handler.kind == "grpc_binding" and handler.call is not None:
                binding = self._string(argument(handler.call, 0, ("name",)), scope)
            item: dict[str, Any] = {
                "kind": handler.kind,
                "framework": handler.framework,
                "function": handler.function.qualname,
                "path": handler.path,
                "pubsub": pubsub,
                "topic": topic,
                "resolved": handler.resolved,
                "binding": binding,
            }
            summary["handlers"].append(item)
            self.pending.append((item, handler.node))
            # the handler function's lines, so the project stage can refine per-file findings inside it
            item["body"] = {}
            self.pending.append((item["body"], handler.function.node))

    def _components(self, summary: dict) -> None:
        m = self.m
        for site in m.calls:
            method = m.client_method_call(site)
            if method is None or method[0].family != "dapr":
                continue
            member = MEMBERS.get(method[0].path, {}).get(method[1], {})
            params = member.get("params") or ()
            if not params or params[0] not in _COMPONENT_PARAMS:
                continue
            name_expr = argument(site.node, 0, (params[0],))
            env = self._env_default(name_expr, site.scope)
            item = {
                "method": method[1],
                "param": params[0],
                "name": env[1] if env is not None else self._string(name_expr, site.scope),
                "env": env[0] if env is not None else None,
                "topic": None,
                "keywords": tuple(
                    sorted(
                        {arg.keyword.value for arg in site.node.args if arg.keyword is not None}
                        | {params[i] for i, arg in enumerate(site.node.args) if arg.keyword is None and not arg.star and i < len(params)}
                    )
                ),
            }
            metadata = argument(site.node, None, "state_metadata")
            if isinstance(metadata, cst.Dict) and any(
                isinstance(e, cst.DictElement) and self.m.value_of(e.key, site.scope) == Const("ttlInSeconds")
                for e in metadata.elements
            ):
                item["keywords"] = tuple(sorted({*item["keywords"], "ttlInSeconds"}))
            if len(params) > 1 and params[1] in ("topic_name", "topic"):
                item["topic"] = self._string(argument(site.node, 1, (params[1],)), site.scope)
            if method[1] in ("invoke_method", "invoke_method_async"):
                item["method_name"] = self._string(argument(site.node, 1, ("method_name",)), site.scope)
                verb = argument(site.node, 5, ("http_verb",))
                item["http_verb"] = self._string(verb, site.scope) if verb is not None else None
                data = argument(site.node, 2, ("data",))
                item["has_body"] = data is not None and not is_none_literal(data)
            summary["components"].append(item)
            self.pending.append((item, site.node))


# Top-level packages that are never the project's own code: calls into them are not "fake async" helpers.
_NOT_PROJECT = frozenset(sys.stdlib_module_names) | {
    "dapr",
    "flask_dapr",
    "fastapi",
    "flask",
    "starlette",
    "pydantic",
    "grpc",
    "requests",
    "httpx",
    "aiohttp",
    "uvicorn",
    "cloudevents",
    "google",
    "werkzeug",
    "anyio",
}


def _maybe_project(path: str) -> bool:
    """Whether an import path may name a module of the run (relative, or not a known library)."""
    if path.startswith("."):
        return True
    return path.split(".", 1)[0] not in _NOT_PROJECT and "." in path

