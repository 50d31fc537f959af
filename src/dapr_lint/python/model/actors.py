"""The actor facet of a module's model: `Actor` subclasses and the `ActorInterface`s they
implement, the `@actormethod` names a proxy dispatches by, registrations with a runtime, proxies and the actor
coroutines (state manager, reminders, timers).

Built lazily from the ModuleModel's records (no second walk) and kept beside it: `actor_facts(model)`. A base
class imported from another module is recorded by its import path; the project stage resolves it through the
summaries (`dapr_lint.summaries.ActorClassFact`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator, Optional

import libcst as cst

from dapr_lint.python.hierarchy import breadth_first
from dapr_lint.python.model.builder import all_params
from dapr_lint.python.model.records import CallSite, ClassInfo, FunctionInfo, Scope
from dapr_lint.python.model.values import ClassRef, FunctionRef, Instance, Ref

if TYPE_CHECKING:
    from dapr_lint.python.model import ModuleModel

ACTOR_CLASSES = frozenset({"dapr.actor.Actor", "dapr.actor.runtime.actor.Actor"})
INTERFACE_CLASSES = frozenset({"dapr.actor.ActorInterface", "dapr.actor.actor_interface.ActorInterface"})
REMINDABLE_CLASSES = frozenset({"dapr.actor.Remindable", "dapr.actor.runtime.remindable.Remindable"})
ACTORMETHOD = frozenset({"dapr.actor.actormethod", "dapr.actor.actor_interface.actormethod"})
ACTOR_ID = frozenset({"dapr.actor.ActorId", "dapr.actor.id.ActorId"})
PROXY_CREATE = frozenset(
    {"dapr.actor.ActorProxy.create", "dapr.actor.client.ActorProxy.create", "dapr.actor.client.proxy.ActorProxy.create"}
)
RUNTIME_REGISTER = frozenset(
    {"dapr.actor.ActorRuntime.register_actor", "dapr.actor.runtime.runtime.ActorRuntime.register_actor"}
)
# Hosts whose `register_actor` is a coroutine (the Flask extension's runs its own event loop).
ASYNC_HOSTS = frozenset(
    {
        "dapr.ext.fastapi.DaprActor",
        "dapr.actor.ActorGrpcHost",
        "dapr.actor.runtime.grpc_host.ActorGrpcHost",
    }
)
SYNC_HOSTS = frozenset({"dapr.ext.flask.DaprActor"})

# The hooks the SDK awaits on every actor (actor/runtime/actor.py, manager.py): a plain `def` fails there too.
AWAITED_HOOKS = frozenset({"_on_activate", "_on_deactivate", "_on_pre_actor_method", "_on_post_actor_method", "receive_reminder"})

# Coroutines of `Actor` (actor/runtime/actor.py) and of its state manager (actor/runtime/state_manager.py).
ACTOR_COROUTINES = frozenset({"register_timer", "unregister_timer", "register_reminder", "unregister_reminder"})
STATE_MANAGER_COROUTINES = frozenset(
    {
        "add_state",
        "try_add_state",
        "get_state",
        "try_get_state",
        "set_state",
        "set_state_ttl",
        "remove_state",
        "try_remove_state",
        "contains_state",
        "get_or_add_state",
        "add_or_update_state",
        "get_state_names",
        "clear_cache",
        "save_state",
    }
)
# Members of ActorProxy that are not dispatched actor methods (actor/client/proxy.py).
PROXY_MEMBERS = frozenset({"invoke_method", "actor_id", "actor_type", "create"})

# What a base class of a local class is: an SDK actor class, a local class, an import path, or unknown.
BaseKind = str  # "actor" | "interface" | "remindable" | "local" | "import" | "other" | "unknown"


@dataclass
class BaseRef:
    kind: BaseKind
    node: cst.BaseExpression
    local: Optional[ClassInfo] = None
    path: Optional[str] = None


@dataclass
class ActorMethod:
    """A method of an interface: its Python name, the name the runtime dispatches it by, and its decorator."""

    info: FunctionInfo
    dispatch: Optional[str]
    decorator: Optional[cst.Decorator] = None
    # `@actormethod()` without a name, or `@actormethod` without parentheses
    unnamed: bool = False
    bare: bool = False

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def required(self) -> int:
        """Parameters beyond `self` with no default (what the dispatcher cannot fill from one body)."""
        return required_params(self.info)


@dataclass
class Registration:
    """`register_actor(Cls, ...)` on a runtime, a FastAPI/Flask `DaprActor` or an `ActorGrpcHost`."""

    site: CallSite
    actor: Optional[cst.BaseExpression]
    is_async: bool  # the call returns a coroutine
    serializer: bool  # a `message_serializer` is given


@dataclass
class Proxy:
    """`ActorProxy.create(type, id, Interface)` bound to a name."""

    site: CallSite
    interface: Optional[cst.BaseExpression]
    name: Optional[str] = None


@dataclass
class ActorFacts:
    interfaces: list[ClassInfo] = field(default_factory=list)
    actors: list[ClassInfo] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    proxies: list[Proxy] = field(default_factory=list)


def actor_facts(model: "ModuleModel") -> "ActorModel":
    """The actor facet of a module's model (built on first use, once per model, and kept on the model: it lives
    and dies with it)."""
    found = getattr(model, "_actor_facet", None)
    if found is None:
        found = ActorModel(model)
        model._actor_facet = found  # type: ignore[attr-defined]
    return found


def required_params(info: FunctionInfo) -> int:
    node = info.node
    if not isinstance(node, cst.FunctionDef):
        return 0
    params = [*node.params.posonly_params, *node.params.params]
    return sum(1 for p in params[1:] if p.default is None)


def has_star_params(info: FunctionInfo) -> bool:
    node = info.node
    return isinstance(node, cst.FunctionDef) and (
        isinstance(node.params.star_arg, cst.Param) or node.params.star_kwarg is not None
    )


class ActorModel:
    """What one module says about actors, and the questions the actor rules ask."""

    def __init__(self, model: "ModuleModel") -> None:
        self.m = model
        self._bases: dict[int, list[BaseRef]] = {}
        self._role: dict[int, Optional[str]] = {}
        self.relevant = model.imports_module("dapr.actor") or model.imports_module("dapr.ext")
        self.facts = ActorFacts()
        if not self.relevant:
            return
        for klass in model.classes:
            role = self.role(klass)
            if role == "actor":
                self.facts.actors.append(klass)
            elif role == "interface":
                self.facts.interfaces.append(klass)
        self._find_calls()

    # -- classes -------------------------------------------------------------------------------------

    def bases(self, klass: ClassInfo) -> list[BaseRef]:
        found = self._bases.get(id(klass))
        if found is None:
            found = []
            for base in klass.bases:
                value = self.m.value_of(base, klass.outer_scope)
                if isinstance(value, ClassRef):
                    found.append(BaseRef("local", base, local=value.info))
                elif isinstance(value, Ref):
                    path = value.path
                    if path in ACTOR_CLASSES:
                        found.append(BaseRef("actor", base, path=path))
                    elif path in INTERFACE_CLASSES:
                        found.append(BaseRef("interface", base, path=path))
                    elif path in REMINDABLE_CLASSES:
                        found.append(BaseRef("remindable", base, path=path))
                    elif path.split(".", 1)[0] in _LIBRARIES:
                        found.append(BaseRef("other", base, path=path))
                    else:
                        found.append(BaseRef("import", base, path=path))
                elif isinstance(base, cst.Name) and base.value == "object":
                    found.append(BaseRef("other", base))
                else:
                    found.append(BaseRef("unknown", base))
            self._bases[id(klass)] = found
        return found

    def chain(self, klass: ClassInfo) -> Iterator[tuple[ClassInfo, list[BaseRef]]]:
        """The local classes of `klass`'s hierarchy (itself first), each with its bases."""
        for current in breadth_first(klass, lambda c: [b.local for b in self.bases(c) if b.local is not None]):
            yield current, self.bases(current)

    def role(self, klass: ClassInfo) -> Optional[str]:
        """"actor" (derives from `Actor`), "interface" (from `ActorInterface`, not `Actor`), or None (neither, as
        far as this module tells)."""
        if id(klass) in self._role:
            return self._role[id(klass)]
        kinds = {b.kind for _c, bases in self.chain(klass) for b in bases}
        role = "actor" if "actor" in kinds else "interface" if "interface" in kinds else None
        self._role[id(klass)] = role
        return role

    def complete(self, klass: ClassInfo) -> bool:
        """Whether every class of the hierarchy is known here (no imported project class, no unknown base)."""
        return all(b.kind not in ("import", "unknown") for _c, bases in self.chain(klass) for b in bases)

    def dispatch_interfaces(self, klass: ClassInfo) -> list[ClassInfo]:
        """The local classes of the hierarchy the runtime dispatches from: those with `ActorInterface` as a
        direct base (`_type_utils.get_actor_interfaces`)."""
        return [c for c, bases in self.chain(klass) if any(b.kind == "interface" for b in bases)]

    def methods(self, interface: ClassInfo) -> list[ActorMethod]:
        """The dispatchable methods an interface class defines itself (public names, as the SDK lists them)."""
        found = []
        for name, info in interface.methods.items():
            if name.startswith("_") or info.is_lambda:
                continue
            found.append(self.actor_method(info))
        return found

    def actor_method(self, info: FunctionInfo) -> ActorMethod:
        for decorator in info.decorators:
            expr = decorator.decorator
            call = expr if isinstance(expr, cst.Call) else None
            target = call.func if call is not None else expr
            if self.m.qualified_name(target, info.outer_scope) not in ACTORMETHOD:
                continue
            if call is None:
                return ActorMethod(info, info.name, decorator, unnamed=True, bare=True)
            name_arg = next((a for a in call.args if a.keyword is None or a.keyword.value == "name"), None)
            if name_arg is None:
                return ActorMethod(info, None, decorator, unnamed=True)
            value = self.m.string_of(name_arg.value, info.outer_scope)
            return ActorMethod(info, value if value is not None else "?", decorator)
        return ActorMethod(info, info.name)

    def method_on(self, klass: ClassInfo, name: str) -> Optional[FunctionInfo]:
        """The method `name` of a class, looked up through its local hierarchy (None: not found here)."""
        for current, _bases in self.chain(klass):
            found = current.methods.get(name)
            if found is not None:
                return found
        return None

    def actor_class_of(self, scope: Scope) -> Optional[ClassInfo]:
        """The actor class whose method a scope lies in (`self` there is the actor)."""
        function = scope.function
        while function is not None and function.klass is None:
            function = function.parent_function
        if function is None or function.klass is None:
            return None
        return function.klass if self.role(function.klass) == "actor" else None

    def is_self(self, expr: cst.BaseExpression, scope: Scope) -> bool:
        if not isinstance(expr, cst.Name):
            return False
        bindings = self.m.lookup(expr.value, scope) or []
        return bool(bindings) and all(b.kind == "self" for b in bindings)

    def state_manager_call(self, site: CallSite) -> Optional[str]:
        """The state manager method `self._state_manager.<method>(...)` calls in an actor's method."""
        func = site.node.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in STATE_MANAGER_COROUTINES:
            return None
        holder = func.value
        if not (isinstance(holder, cst.Attribute) and holder.attr.value == "_state_manager"):
            return None
        if not self.is_self(holder.value, site.scope) or self.actor_class_of(site.scope) is None:
            return None
        return func.attr.value

    def actor_call(self, site: CallSite) -> Optional[str]:
        """The `Actor` coroutine `self.<method>(...)` calls in an actor's method (timers, reminders), unless
        the class overrides it."""
        func = site.node.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in ACTOR_COROUTINES:
            return None
        if not self.is_self(func.value, site.scope):
            return None
        klass = self.actor_class_of(site.scope)
        if klass is None or self.method_on(klass, func.attr.value) is not None:
            return None
        return func.attr.value

    def coroutine_call(self, site: CallSite) -> Optional[tuple[str, str]]:
        """(method, owner) when a call returns an actor coroutine: the state manager's methods, the actor's timer
        and reminder methods, a `register_actor` that is a coroutine, a call through a proxy."""
        if not self.relevant:
            return None
        method = self.state_manager_call(site)
        if method is not None:
            return method, "ActorStateManager"
        method = self.actor_call(site)
        if method is not None:
            return method, "Actor"
        func = site.node.func
        if not isinstance(func, cst.Attribute):
            return None
        if func.attr.value == "register_actor":
            registration = next((r for r in self.facts.registrations if r.site is site), None)
            if registration is not None and registration.is_async:
                owner = "ActorRuntime" if self.m.callee_path(site.node, site.scope) in RUNTIME_REGISTER else None
                if owner is not None or self._built_as(func.value, site.scope, ASYNC_HOSTS - {"dapr.ext.fastapi.DaprActor"}):
                    return "register_actor", owner or "ActorGrpcHost"
            return None  # the FastAPI DaprActor's is in the SDK table
        if func.attr.value in ("actor_id", "actor_type", "create"):
            return None
        if self.proxy_of(func.value, site.scope) is not None:
            return func.attr.value, "ActorProxy"
        return None

    # -- registrations and proxies --------------------------------------------------------------------

    def _find_calls(self) -> None:
        m = self.m
        for site in m.calls:
            func = site.node.func
            if not isinstance(func, cst.Attribute):
                continue
            attr = func.attr.value
            if attr == "register_actor":
                registration = self._registration(site)
                if registration is not None:
                    self.facts.registrations.append(registration)
            elif attr == "create" and m.callee_path(site.node, site.scope) in PROXY_CREATE:
                interface = _argument(site.node, 2, "actor_interface")
                name = site.target[1] if site.context == "assign" and site.target and site.target[0] == "name" else None
                self.facts.proxies.append(Proxy(site, interface, name))

    def _registration(self, site: CallSite) -> Optional[Registration]:
        m = self.m
        call = site.node
        actor = _argument(call, 0, "actor")
        serializer = any(a.keyword is not None and a.keyword.value == "message_serializer" for a in call.args) or (
            len([a for a in call.args if a.keyword is None]) > 1
        )
        if m.callee_path(call, site.scope) in RUNTIME_REGISTER:
            return Registration(site, actor, True, serializer)
        assert isinstance(call.func, cst.Attribute)
        receiver = m.value_of(call.func.value, site.scope)
        path = receiver.path if isinstance(receiver, Instance) and receiver.local is None else None
        if path in ASYNC_HOSTS or self._built_as(call.func.value, site.scope, ASYNC_HOSTS):
            return Registration(site, actor, True, serializer)
        if path in SYNC_HOSTS:
            return Registration(site, actor, False, serializer)
        return None

    def _built_as(self, expr: cst.BaseExpression, scope: Scope, paths: frozenset[str]) -> bool:
        """A name bound only to constructions of one of `paths` (`host = ActorGrpcHost()`)."""
        if not isinstance(expr, cst.Name):
            return False
        bindings = self.m.lookup(expr.value, scope) or []
        if not bindings:
            return False
        for binding in bindings:
            if binding.kind != "assign" or not isinstance(binding.value, cst.Call):
                return False
            if self.m.callee_path(binding.value, binding.scope) not in paths:
                return False
        return True

    def registered_class(self, registration: Registration) -> Optional[ClassInfo]:
        if registration.actor is None:
            return None
        value = self.m.value_of(registration.actor, registration.site.scope)
        return value.info if isinstance(value, ClassRef) else None

    def proxy_of(self, expr: cst.BaseExpression, scope: Scope) -> Optional[Proxy]:
        """The proxy a name holds when every binding of it is one `ActorProxy.create(...)` of this module."""
        if isinstance(expr, cst.Call):
            return next((p for p in self.facts.proxies if p.site.node is expr), None)
        if not isinstance(expr, cst.Name):
            return None
        bindings = self.m.lookup(expr.value, scope)
        if not bindings or len(bindings) != 1 or bindings[0].kind != "assign":
            return None
        return next((p for p in self.facts.proxies if p.site.node is bindings[0].value), None)

    def interface_of(self, proxy: Proxy) -> Optional[ClassInfo]:
        if proxy.interface is None:
            return None
        value = self.m.value_of(proxy.interface, proxy.site.scope)
        if isinstance(value, ClassRef) and self.role(value.info) == "interface" and self.complete(value.info):
            return value.info
        return None

    def function_value(self, expr: cst.BaseExpression, scope: Scope) -> Optional[FunctionInfo]:
        value = self.m.value_of(expr, scope)
        return value.info if isinstance(value, FunctionRef) else None


def _argument(call: cst.Call, position: Optional[int], keyword: str) -> Optional[cst.BaseExpression]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    if position is None:
        return None
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    if any(arg.star for arg in call.args):
        return None
    return positional[position].value if len(positional) > position else None


# Top-level packages whose classes are never actors or actor interfaces of the project.
_LIBRARIES = frozenset({"abc", "typing", "typing_extensions", "pydantic", "enum", "dataclasses", "collections", "dapr", "fastapi", "flask"})

__all__ = [
    "ACTOR_ID",
    "AWAITED_HOOKS",
    "ActorMethod",
    "ActorModel",
    "BaseRef",
    "Proxy",
    "Registration",
    "actor_facts",
    "all_params",
    "has_star_params",
    "required_params",
]


# -- the per-file summary's part (dapr_lint.summaries.ActorSummary) ---------------------------------------------

_HOST_CLASSES = frozenset({"dapr.ext.fastapi.DaprActor", "dapr.ext.flask.DaprActor", "dapr.actor.ActorGrpcHost", "dapr.actor.runtime.grpc_host.ActorGrpcHost"})
_WORKFLOW_RUNTIMES = frozenset({"dapr.ext.workflow.WorkflowRuntime", "dapr.ext.workflow.workflow_runtime.WorkflowRuntime"})


def actor_summary_draft(model: "ModuleModel") -> tuple[dict, list[tuple[dict, cst.CSTNode]]]:
    """The actor part of a module's summary as drafts, with the nodes whose spans they need."""
    from dapr_lint.python import known

    actors = actor_facts(model)
    pending: list[tuple[dict, cst.CSTNode]] = []
    draft: dict = {"classes": {}, "registrations": [], "proxy_calls": [], "hosts": [], "workflow_runtimes": []}

    def spanned(item: dict, node: cst.CSTNode) -> dict:
        pending.append((item, node))
        return item

    hosting = model.imports_module("dapr.ext") or model.imports_module("dapr.actor")
    for site in model.calls if hosting else ():
        path = model.callee_path(site.node, site.scope)
        if path is None:
            continue
        path = known.canonical(path)
        if path in _HOST_CLASSES:
            draft["hosts"].append(spanned({}, site.node))
        elif path in _WORKFLOW_RUNTIMES:
            draft["workflow_runtimes"].append(spanned({}, site.node))
    if not actors.relevant:
        return draft, pending
    for klass in model.classes:
        if "." in klass.qualname:
            continue
        bases = []
        for base in actors.bases(klass):
            if base.kind in ("actor", "interface", "remindable"):
                bases.append(f"sdk:{base.kind}")
            elif base.kind == "local" and base.local is not None:
                bases.append(f"local:{base.local.qualname}")
            elif base.kind == "import" and base.path is not None:
                bases.append(f"import:{base.path}")
            else:
                bases.append(base.kind)
        methods = []
        for name, info in klass.methods.items():
            if info.is_lambda:
                continue
            method = actors.actor_method(info)
            methods.append(
                spanned({"name": name, "dispatch": method.dispatch, "is_async": info.is_async, "decorated": bool(info.decorators)}, info.name_node)
            )
        draft["classes"][klass.name] = spanned({"name": klass.name, "bases": bases, "methods": methods}, klass.node.name)
    for registration in actors.facts.registrations:
        for actor in _registered_refs(model, actors, registration):
            draft["registrations"].append(spanned({"actor": actor, "serializer": registration.serializer}, registration.site.node))
    if actors.facts.registrations and not draft["hosts"]:
        draft["hosts"].append(spanned({}, actors.facts.registrations[0].site.node))
    for site in model.calls:
        func = site.node.func
        if not isinstance(func, cst.Attribute) or func.attr.value in PROXY_MEMBERS:
            continue
        proxy = actors.proxy_of(func.value, site.scope)
        if proxy is None or proxy.interface is None:
            continue
        value = model.value_of(proxy.interface, proxy.site.scope)
        if not isinstance(value, Ref) or value.path.split(".", 1)[0] in _LIBRARIES:
            continue
        draft["proxy_calls"].append(
            spanned(
                {
                    "interface": value.path,
                    "method": func.attr.value,
                    "positional": len([a for a in site.node.args if a.keyword is None and not a.star]),
                    "keywords": any(a.keyword is not None or a.star == "**" for a in site.node.args),
                },
                func.attr,
            )
        )
    return draft, pending


def _class_ref(model: "ModuleModel", expr: Optional[cst.BaseExpression], scope: Scope) -> Optional[str]:
    if expr is None:
        return None
    value = model.value_of(expr, scope)
    if isinstance(value, ClassRef) and "." not in value.info.qualname:
        return f"local:{value.info.qualname}"
    if isinstance(value, Ref) and isinstance(expr, (cst.Name, cst.Attribute)):
        return f"import:{value.path}"
    return None


def _registered_refs(model: "ModuleModel", actors: ActorModel, registration: Registration) -> list[Optional[str]]:
    """The classes a registration registers: its argument, or, when that is a parameter of a module-level function
    of this module, what each call of that function passes (a registration helper)."""
    site = registration.site
    ref = _class_ref(model, registration.actor, site.scope)
    if ref is not None or not isinstance(registration.actor, cst.Name):
        return [ref]
    bindings = model.lookup(registration.actor.value, site.scope) or []
    helper = site.function
    if len(bindings) != 1 or bindings[0].kind != "param" or helper is None or not helper.is_module_level_or_method:
        return [None]
    node = helper.node
    assert isinstance(node, cst.FunctionDef)
    names = [p.name.value for p in (*node.params.posonly_params, *node.params.params)]
    if registration.actor.value not in names:
        return [None]
    position = names.index(registration.actor.value) - (1 if helper.klass is not None else 0)
    found: list[Optional[str]] = []
    for call in model.calls:
        if actors.function_value(call.node.func, call.scope) is not helper:
            continue
        found.append(_class_ref(model, _argument(call.node, position, registration.actor.value), call.scope))
    return found or [None]


def freeze_actor_summary(draft: Optional[dict]):  # -> ActorSummary
    from dapr_lint.summaries import ActorClassFact, ActorMethodFact, ActorProxyCallFact, ActorRegistrationFact, ActorSummary, Span

    if not draft:
        return ActorSummary()

    def span(item: dict) -> Span:
        return item.get("span", Span())

    return ActorSummary(
        classes={
            name: ActorClassFact(
                c["name"],
                tuple(c["bases"]),
                tuple(ActorMethodFact(m["name"], m["dispatch"], m["is_async"], m["decorated"], span(m)) for m in c["methods"]),
                span(c),
            )
            for name, c in draft["classes"].items()
        },
        registrations=tuple(ActorRegistrationFact(r["actor"], r["serializer"], span(r)) for r in draft["registrations"]),
        proxy_calls=tuple(
            ActorProxyCallFact(p["interface"], p["method"], p["positional"], p["keywords"], span(p)) for p in draft["proxy_calls"]
        ),
        hosts=tuple(span(h) for h in draft["hosts"]),
        workflow_runtimes=tuple(span(w) for w in draft["workflow_runtimes"]),
    )
