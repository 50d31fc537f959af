"""The client facet of a module's model: which values are Dapr clients (the SDK's classes or a local subclass),
which calls construct or call one, which functions block on a sync client, and which calls hand work to a
thread (where blocking is harmless).

Built on first use from the model's records and kept in `model.facets`: `client_facts(model)`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import libcst as cst

from dapr_lint.python import known
from dapr_lint.python.model.records import Binding, CallSite, ClassInfo, FunctionInfo, Scope
from dapr_lint.python.model.syntax import argument
from dapr_lint.python.model.values import ClassRef, Instance, Ref, Value
from dapr_lint.python.sdk_table import MEMBERS

if TYPE_CHECKING:
    from dapr_lint.python.model import ModuleModel

# Methods on a sync client that do no network I/O, so calling them on the event loop is harmless.
_NON_BLOCKING_METHODS = frozenset({"close", "get_credentials", "invoke_method_async"})


def is_blocking_method(kind: known.ClientKind, method: str) -> bool:
    if method in _NON_BLOCKING_METHODS or method.startswith("_"):
        return False
    return method in MEMBERS.get(kind.path, {})


def client_facts(model: "ModuleModel") -> "ClientFacts":
    """The client facet of a module (built once per model)."""
    return model.facet("clients", ClientFacts)


class ClientFacts:
    def __init__(self, model: "ModuleModel") -> None:
        self.m = model
        self._offload_paths = known.THREAD_OFFLOAD_FUNCTIONS | frozenset(model.options.get("thread-offloads", ()))
        self._awaited: Optional[set[tuple[int, str]]] = None
        # per call site (by id): what constructed_client and client_method_call answered (rules and facets
        # ask both of every call)
        self._constructed: dict[int, Optional[known.ClientKind]] = {}
        self._method_calls: dict[int, Optional[tuple[known.ClientKind, str]]] = {}

    def client_kind(self, value: Value) -> Optional[known.ClientKind]:
        """The Dapr client kind of a value: an instance of a client class or of a local subclass."""
        if not isinstance(value, Instance):
            return None
        if value.local is None:
            return known.CLIENTS.get(value.path)
        for owner in self.m.class_chain(value.local):
            for base in owner.bases:
                base_value = self.m.value_of(base, owner.outer_scope)
                if isinstance(base_value, Ref) and known.canonical(base_value.path) in known.CLIENTS:
                    return known.CLIENTS[known.canonical(base_value.path)]
        return None

    def client_of(self, expr: cst.CSTNode, scope: Scope) -> Optional[known.ClientKind]:
        return self.client_kind(self.m.value_of(expr, scope))

    def constructed_client(self, site: CallSite) -> Optional[known.ClientKind]:
        """The client class a call constructs directly (`DaprClient(...)`, `dc.DaprClient()`, a local
        subclass), or None."""
        key = id(site)
        if key in self._constructed:
            return self._constructed[key]
        found: Optional[known.ClientKind] = None
        func = self.m.value_of(site.node.func, site.scope)
        if isinstance(func, Ref):
            found = known.CLIENTS.get(known.canonical(func.path))
        elif isinstance(func, ClassRef):
            found = self.client_kind(Instance(func.info.qualname, func.info))
        self._constructed[key] = found
        return found

    def client_method_call(self, site: CallSite) -> Optional[tuple[known.ClientKind, str]]:
        """(client kind, method name) when the call is `<client>.<method>(...)`."""
        key = id(site)
        if key in self._method_calls:
            return self._method_calls[key]
        func = site.node.func
        found: Optional[tuple[known.ClientKind, str]] = None
        if type(func) is cst.Attribute:
            kind = self.client_of(func.value, site.scope)
            if kind is not None:
                found = kind, func.attr.value
        self._method_calls[key] = found
        return found

    def sync_client_uses(self, info: FunctionInfo) -> list[CallSite]:
        """Calls directly in `info` (not offloaded) that construct or call a sync Dapr client."""
        memo = info._memo.get("sync_client_uses")
        if memo is not None:
            return memo
        uses: list[CallSite] = []
        for site in info.calls:
            if site.offloaded:
                continue
            constructed = self.constructed_client(site)
            if constructed is not None:
                if not constructed.is_async:
                    uses.append(site)
                continue
            method = self.client_method_call(site)
            if method is not None and not method[0].is_async and is_blocking_method(method[0], method[1]):
                uses.append(site)
        info._memo["sync_client_uses"] = uses
        return uses

    def blocking_use(self, info: FunctionInfo) -> Optional[CallSite]:
        """For a plain `def` of this module (function or method): its first direct use of a sync client, when
        calling it blocks ("fake async" one level deep, DPR101); None otherwise."""
        if info.is_async or not info.is_module_level_or_method:
            return None
        if info.is_generator and not self.m.decorated_with(info, "contextlib.contextmanager"):
            return None  # a plain generator runs when iterated, not when called
        uses = self.sync_client_uses(info)
        if not uses:
            return None
        if self.m.is_cached(info) and all(self.constructed_client(u) is not None for u in uses):
            return None  # a cached factory constructs once; its callers do not block each time
        return uses[0]

    def runs_on_event_loop(self, info: FunctionInfo) -> bool:
        """Whether blocking inside `info` stalls a shared event loop: an `async def` that is not a script entry
        and not an async Flask view (Flask gives each its own loop in the request's thread)."""
        if not info.is_async or info.is_script_entry:
            return False
        return not any(h.framework in known.FLASK_FRAMEWORKS for h in info.handlers)

    def is_thread_offload_syntax(self, func: cst.BaseExpression, scope: Scope) -> bool:
        if isinstance(func, cst.Attribute) and func.attr.value in known.THREAD_OFFLOAD_METHODS:
            return True
        if not isinstance(func, (cst.Name, cst.Attribute)):
            return False
        # Resolution needs imports seen so far; imports precede use in real code.
        path = self.m.qualified_name(func, scope)
        return path is not None and path in self._offload_paths

    def dual_use(self, klass: ClassInfo, owner: ClassInfo, attr: str, bindings: list[Binding], value: Value) -> bool:
        """An attribute typed as a sync client by annotations only (`self._client = client`, `client: DaprClient`)
        while the class awaits calls on it or this module builds the class with an aio client for it: the class
        is used with both clients (the SDK's own TryLockResponse), so which one the attribute holds is not known.
        A construction (`self.client = DaprClient()`) is known and stays trusted."""
        kind = self.client_kind(value)
        if kind is None or kind.is_async:
            return False
        if any(isinstance(b.value, cst.Call) for b in bindings):
            return False
        built = {is_async for b in bindings for is_async in self._clients_built_with(owner, b)}
        if True in built:
            return True  # this module builds the class with an aio client
        if built == {False}:
            return False  # and only ever with the sync client: known
        awaited = self._awaited_attributes()
        return any((id(c), attr) in awaited for c in self.m.class_chain(klass))

    def _awaited_attributes(self) -> set[tuple[int, str]]:
        """(id of the class, attribute) for each `await self.<attribute>.<method>(...)` in a method."""
        found = self._awaited
        if found is None:
            found = set()
            for site in self.m.awaits:
                call = site.node.expression
                if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)):
                    continue
                holder = call.func.value
                if not (isinstance(holder, cst.Attribute) and isinstance(holder.value, cst.Name)):
                    continue
                for binding in self.m.lookup(holder.value.value, site.scope) or ():
                    function = binding.scope.function
                    if binding.kind == "self" and function is not None and function.klass is not None:
                        found.add((id(function.klass), holder.attr.value))
            self._awaited = found
        return found

    def _clients_built_with(self, owner: ClassInfo, binding: Binding) -> list[Optional[bool]]:
        """For `self.x = <parameter of __init__>`: where this module builds the class, whether the client passed
        for that parameter is an aio one (True), a sync one (False) or not known (None)."""
        if binding.kind != "assign" or not isinstance(binding.value, cst.Name):
            return []
        params = self.m.lookup(binding.value.value, binding.scope)
        function = binding.scope.function
        if not params or any(p.kind != "param" for p in params) or function is None:
            return []
        if not isinstance(function.node, cst.FunctionDef) or function.name != "__init__":
            return []
        name = binding.value.value
        positional = [p.name.value for p in (*function.node.params.posonly_params, *function.node.params.params)][1:]
        found: list[Optional[bool]] = []
        for site in self.m.calls:
            built = self.m.value_of(site.node.func, site.scope)
            if not (isinstance(built, ClassRef) and built.info is owner):
                continue
            arg = argument(site.node, positional.index(name) if name in positional else None, name)
            kind = self.client_of(arg, site.scope) if arg is not None else None
            found.append(kind.is_async if kind is not None else None)
        return found
