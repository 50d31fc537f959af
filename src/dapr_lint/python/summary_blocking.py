"""The facts of a module's summary that DPR101 reads across modules: whether each module-level function and
method blocks on a sync client (directly or a few plain calls deep), what sync client a property, method or
attribute hands out, module-level instances, and the calls an `async def` makes into other modules of the
project."""

from __future__ import annotations

import sys
from typing import Optional

import libcst as cst

from dapr_lint.python import known
from dapr_lint.python.model import ModuleModel, Ref, Scope, all_params, argument, is_none_literal
from dapr_lint.python.model.clients import client_facts
from dapr_lint.summaries import Definition

_DEPENDS = frozenset({"fastapi.Depends", "fastapi.params.Depends", "fastapi.param_functions.Depends"})

# Top-level packages that are never the project's own code: calls into them are not "fake async" helpers.
NOT_PROJECT = frozenset(sys.stdlib_module_names) | {
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


def maybe_project(path: str) -> bool:
    """Whether an import path may name a module of the run (relative, or not a known library)."""
    if path.startswith("."):
        return True
    return path.split(".", 1)[0] not in NOT_PROJECT and "." in path


class BlockingDrafts:
    """Drafts of `defs`, `classes`, `instances` and `async_calls`; `pending` receives the nodes whose spans the
    drafts need."""

    def __init__(self, model: ModuleModel, pending: list[tuple[dict, cst.CSTNode]]) -> None:
        self.m = model
        self.pending = pending

    def blocking_definitions(self, summary: dict) -> None:
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
        use = client_facts(self.m).blocking_use(info)
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
            kind = client_facts(self.m).client_of(value, info.scope)
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
            if path is not None and maybe_project(path):
                found[name] = path
        return found

    def _use_snippet(self, use) -> str:
        suffix = "()" if client_facts(self.m).constructed_client(use) is not None else "(...)"
        return self.m.module.code_for_node(use.node.func) + suffix

    def async_calls(self, summary: dict) -> None:
        """Calls on the event loop to functions or methods of classes imported from (maybe) the project, to
        methods of module-level instances imported from it, and to methods of the clients such instances
        hand out (`manager.client.save_state(...)`, `manager.get_client().save_state(...)`)."""
        calls: list[dict] = []
        m = self.m
        for info in m.functions:
            if not client_facts(m).runs_on_event_loop(info):
                continue
            for site in info.calls:
                if site.offloaded or m.called_function(site) is not None or client_facts(m).constructed_client(site) is not None:
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
                    if path is not None and maybe_project(path):
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
                if path is not None and maybe_project(path):
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
        if not isinstance(expr, cst.Name) or scope is not info.scope or client_facts(self.m).client_of(expr, scope) is not None:
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
            return path if path is not None and maybe_project(path) else None
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
        return path if path is not None and maybe_project(path) else None
