"""The shared analysis model of one Python module: built in one walk, queried by every rule.

The walk (ModelBuilder) only records facts: scopes and their bindings, functions and classes, call sites
with the syntactic context they sit in, `with` items, awaits, attribute reads, imports. Everything a rule
asks afterwards - what does this name resolve to, is this value a sync client, is this function a route -
is answered lazily from those records (ModuleModel), memoised, and never by walking the tree again.

Names resolve through an import table per scope (what flake8-async does), not LibCST's
QualifiedNameProvider: the same answers for the imports Dapr code uses, at a fraction of the cost.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Optional, cast

import libcst as cst

from dapr_lint.python import known
from dapr_lint.python.model.builder import (
    _CACHE_DECORATORS,
    _TRANSPARENT_DECORATORS,
    ModelBuilder,
    _has_decorator,
    all_params,
    dotted_name,
)
from dapr_lint.python.model.records import (
    AttributeSite,
    AwaitSite,
    Binding,
    CallSite,
    ClassInfo,
    ExceptInfo,
    FunctionInfo,
    Handler,
    ImportSite,
    RaiseSite,
    Scope,
    SubscriptSite,
    TryInfo,
    WithItemSite,
)
from dapr_lint.python.model.syntax import (
    argument,
    call_argument,
    has_keyword,
    has_star_kwargs,
    is_none_literal,
    keyword_arg,
)
from dapr_lint.python.model.values import (
    UNKNOWN,
    ClassRef,
    Const,
    ContextManager,
    Coroutine,
    FunctionRef,
    Instance,
    Kind,
    Ref,
    SdkMethod,
    Value,
    constant_string,
)
from dapr_lint.python.model.vocabulary import Framework, HandlerKind
from dapr_lint.python.sdk_releases import SdkPin, unpinned
from dapr_lint.python.sdk_table import MEMBERS

# The public API rules use (the submodules are its parts).
__all__ = [
    "CallSite",
    "ClassInfo",
    "ClassRef",
    "Const",
    "ExceptInfo",
    "FunctionInfo",
    "FunctionRef",
    "Handler",
    "Instance",
    "Kind",
    "ModuleModel",
    "Ref",
    "Scope",
    "SdkMethod",
    "TryInfo",
    "UNKNOWN",
    "Value",
    "WithItemSite",
    "all_params",
    "argument",
    "call_argument",
    "constant_string",
    "dotted_name",
    "has_keyword",
    "has_star_kwargs",
    "is_blocking_method",
    "is_none_literal",
    "keyword_arg",
]

# --------------------------------------------------------------------------------------------------
# The model: records plus the questions rules ask.
# --------------------------------------------------------------------------------------------------

_MAX_CALL_DEPTH = 3
# Evaluations in progress at once (each a few Python frames): `a.b.c...` or `f()()...` thousands long is
# never a client or a handler; past this it is unknown rather than a RecursionError.
_MAX_VALUE_NESTING = 100


_GRPC_HANDLER_KINDS: dict[str, HandlerKind] = {
    "subscribe": "grpc_subscription", "method": "grpc_method", "binding": "grpc_binding", "job_event": "grpc_job"
}


def _workflow_kind(attr: str) -> HandlerKind:
    return "activity" if attr == "activity" else "workflow"


class ModuleModel:
    """Facts about one module. Build with `ModuleModel.build(module)`."""

    def __init__(self, module: cst.Module, options: Optional[dict] = None) -> None:
        self.module = module
        self.options = options or {}
        # The SDK releases the project admits: a rule that says "X does not exist yet" judges by `sdk.low`,
        # one that says "X was removed" by `sdk.high` (python/sdk_releases.py).
        self.sdk: SdkPin = unpinned()
        self.subscriber_functions: frozenset[str] = frozenset()
        self.module_scope = Scope("module", None)
        self.functions: list[FunctionInfo] = []
        self.classes: list[ClassInfo] = []
        self.calls: list[CallSite] = []
        self.module_calls: list[CallSite] = []
        self.with_items: list[WithItemSite] = []
        self.awaits: list[AwaitSite] = []
        self.attributes: list[AttributeSite] = []
        self.subscripts: list[SubscriptSite] = []
        self.imports: list[ImportSite] = []
        self.handlers: list[Handler] = []
        self.tries: list[TryInfo] = []
        self.raises: list[RaiseSite] = []
        self.attribute_bindings: dict[str, list[Binding]] = {}
        # code that expects a failure: (node whose span is the region, "raises" | "warns")
        self.expectations: list[tuple[cst.CSTNode, str]] = []
        self.parent_calls: dict[int, cst.Call] = {}
        self._value_memo: dict[tuple[int, int], Value] = {}
        self._in_progress: set[tuple[int, int]] = set()
        self._offload_paths = known.THREAD_OFFLOAD_FUNCTIONS | frozenset(self.options.get("thread-offloads", ()))
        self._awaited_memo: Optional[set[tuple[int, str]]] = None
        # facet modules (python/model/<facet>.py) keep what they build from the records here, once per model
        self.facets: dict[str, Any] = {}

    @classmethod
    def build(
        cls, module: cst.Module, options: Optional[dict] = None, sdk: Optional[SdkPin] = None, subscribers: Iterable[str] = ()
    ) -> "ModuleModel":
        """`subscribers`: the route functions the project stage found to receive events (another module's listing,
        a declarative Subscription of the app, a router prefix), by qualified name."""
        model = cls(module, options)
        model.sdk = sdk or unpinned()
        model.subscriber_functions = frozenset(subscribers)
        builder = ModelBuilder(model)
        builder.visit(module)
        # Values asked for during the walk (thread offloads, expected failures) saw a partial picture: forget
        # them, and the facets that memoised answers from them.
        model._value_memo.clear()
        model._awaited_memo = None
        model.facets.clear()
        for site in model.calls:
            if site.context == "arg" and site.parent_call is None:
                site.parent_call = model.parent_calls.get(id(site.node))
        model._find_script_entries()
        model._find_handlers()
        model._find_startup_functions()
        return model

    # -- imports -------------------------------------------------------------------------------------

    def imports_module(self, prefix: str) -> bool:
        """Whether any import in the module is of `prefix` or below it (`fastapi`, `dapr.ext.fastapi`)."""
        return any(site.module == prefix or site.module.startswith(prefix + ".") for site in self.imports) or any(
            f"{site.module}.{name}" == prefix or f"{site.module}.{name}".startswith(prefix + ".")
            for site in self.imports
            for name in site.names
        )

    # -- object identity -----------------------------------------------------------------------------

    def object_key(self, expr: cst.BaseExpression, scope: Scope) -> tuple:
        """A key that is equal for two expressions only when they denote the same object as far as the model
        can tell: a module-level name is one object; a name or `self.x` bound inside a function is a new object
        per call (a fresh app per test method), keyed by that function."""
        root = expr
        while isinstance(root, cst.Attribute):
            root = root.value
        text = self.module.code_for_node(expr)
        if isinstance(root, cst.Name):
            bindings = self.lookup(root.value, scope)
            if bindings and all(b.scope is self.module_scope for b in bindings) and bindings[0].kind != "self":
                return ("module", text)
            if bindings:
                home = bindings[0].scope
                if bindings[0].kind in ("self", "cls"):
                    return ("instance", id(home), text)
                return ("local", id(home), text)
        return ("unknown", id(scope), text)

    # -- start-up code ---------------------------------------------------------------------------------

    def runs_at_startup(self, site: CallSite) -> bool:
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

    def _find_startup_functions(self) -> None:
        for site in self.calls:
            path = self.callee_path(site.node, site.scope)
            if path not in known.LIFESPAN_OWNERS:
                continue
            lifespan = argument(site.node, None, "lifespan")
            if lifespan is None:
                continue
            value = self.value_of(lifespan, site.scope)
            if isinstance(value, FunctionRef) and value.info.startup is None:
                value.info.startup = "before_yield"
        for info in self.functions:
            for decorator in info.decorators:
                expr = decorator.decorator
                if not (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "on_event"):
                    continue
                receiver = self._receiver(expr.func.value, info.outer_scope)
                if receiver not in (known.FASTAPI_APP, known.FASTAPI_ROUTER, known.STARLETTE_APP) and not (
                    receiver is None and (self.imports_module("fastapi") or self.imports_module("starlette"))
                ):
                    continue
                if self.string_of(argument(expr, 0, "event_type"), info.outer_scope) == "startup":
                    info.startup = "whole"

    # -- name resolution -----------------------------------------------------------------------------

    def lookup(self, name: str, scope: Scope) -> Optional[list[Binding]]:
        """The bindings a read of `name` in `scope` sees (Python's LEGB, class scopes skipped)."""
        start = scope
        current: Optional[Scope] = scope
        while current is not None:
            if name in current.global_names:
                return self.module_scope.bindings.get(name)
            if current.kind == "class" and current is not start:
                current = current.parent
                continue
            bindings = current.bindings.get(name)
            if bindings:
                return bindings
            current = current.parent
        return None

    def qualified_name(self, expr: cst.CSTNode, scope: Scope) -> Optional[str]:
        """The import path a Name/Attribute chain refers to (`DC` -> `dapr.clients.DaprClient`)."""
        value = self.value_of(expr, scope)
        if isinstance(value, Ref):
            return known.canonical(value.path)
        return None

    def callee_path(self, call: cst.Call, scope: Scope) -> Optional[str]:
        """The import path a call's callee names when the callee is a Name/Attribute chain (`DaprClient(...)`,
        `json.dumps(...)`); None for any other callee (`f()()`, `handlers[0]()`)."""
        func = call.func
        return self.qualified_name(func, scope) if isinstance(func, (cst.Name, cst.Attribute)) else None

    # -- values --------------------------------------------------------------------------------------

    def value_of(self, expr: Optional[cst.CSTNode], scope: Scope, depth: int = 0) -> Value:
        if expr is None:
            return UNKNOWN
        key = (id(expr), id(scope))
        memo = self._value_memo.get(key)
        if memo is not None:
            return memo
        if key in self._in_progress or depth > _MAX_CALL_DEPTH or len(self._in_progress) >= _MAX_VALUE_NESTING:
            return UNKNOWN  # a cycle, too many calls deep, or an expression chain too long to be a real value
        self._in_progress.add(key)
        try:
            value = self._evaluate(expr, scope, depth)
        finally:
            self._in_progress.discard(key)
        if depth == 0:
            self._value_memo[key] = value
        return value

    def string_of(self, expr: Optional[cst.CSTNode], scope: Scope) -> Optional[str]:
        """The str an expression is known to evaluate to (a literal, or a name bound to one), else None."""
        return constant_string(self.value_of(expr, scope))

    def _evaluate(self, expr: cst.CSTNode, scope: Scope, depth: int) -> Value:
        if isinstance(expr, cst.Name):
            name = expr.value
            if name in ("True", "False", "None"):
                return Const({"True": True, "False": False, "None": None}[name])
            bindings = self.lookup(name, scope)
            if not bindings:
                return UNKNOWN
            return self._join(self._binding_value(b, depth) for b in bindings)
        if isinstance(expr, cst.Attribute):
            return self._attribute_value(expr, scope, depth)
        if isinstance(expr, cst.Call):
            return self._call_value(expr, scope, depth)
        if isinstance(expr, cst.Await):
            inner = self.value_of(expr.expression, scope, depth)
            if isinstance(inner, Coroutine):
                return inner.result
            return inner
        if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
            try:
                return Const(expr.evaluated_value)
            except Exception:
                return Kind("str")
        if isinstance(expr, cst.Integer):
            return Const(expr.evaluated_value)
        if isinstance(expr, cst.Float):
            return Const(expr.evaluated_value)
        if isinstance(expr, cst.FormattedString):
            return Kind("str", "literal")
        literal_kind = _LITERAL_KINDS.get(type(expr))
        if literal_kind is not None:
            return Kind(literal_kind, "literal")
        if isinstance(expr, cst.Lambda):
            for info in self.functions:
                if info.node is expr:
                    return FunctionRef(info)
        return UNKNOWN

    @staticmethod
    def _join(values: Iterable[Value]) -> Value:
        result: Optional[Value] = None
        for value in values:
            if isinstance(value, Const) and value.value is None:
                continue  # `x = None` then `x = Client()` is lazy initialisation, not a second type
            if value is UNKNOWN:
                return UNKNOWN
            if result is None:
                result = value
            elif result != value:
                return UNKNOWN
        return result if result is not None else UNKNOWN

    def _binding_value(self, binding: Binding, depth: int) -> Value:
        kind = binding.kind
        if kind == "assign":
            if binding.annotation is not None:
                # what the value is built as beats what it is annotated as (`c: DaprClient = AioClient()`)
                if isinstance(binding.value, cst.Call):
                    built = self.value_of(binding.value, binding.scope, depth)
                    if isinstance(built, Instance):
                        return built
                typed = self.type_from_annotation(binding.annotation, binding.scope)
                if typed is not UNKNOWN:
                    return typed
            return self.value_of(binding.value, binding.scope, depth)
        if kind in ("with", "async_with"):
            entered = self.value_of(binding.value, binding.scope, depth)
            if isinstance(entered, ContextManager):
                return entered.result
            if isinstance(entered, Instance):
                return entered
            return UNKNOWN
        if kind in ("param", "annotation"):
            if binding.annotation is None:
                return UNKNOWN
            return self.type_from_annotation(binding.annotation, binding.scope)
        if kind == "self":
            function = binding.scope.function
            klass = function.klass if function is not None else None
            return Instance(klass.qualname, klass) if klass is not None else UNKNOWN
        if kind == "import":
            return Ref(known.canonical(binding.target))
        if kind == "def":
            return FunctionRef(binding.target)
        if kind == "class":
            return ClassRef(binding.target)
        return UNKNOWN

    def type_from_annotation(self, annotation: cst.CSTNode, scope: Scope) -> Value:
        """The instance type an annotation names: `DaprClient`, `Optional[DaprClient]`, `"DaprClient"`,
        `DaprClient | None`; UNKNOWN for anything else."""
        if isinstance(annotation, cst.SimpleString):
            try:
                text = annotation.evaluated_value
                parsed = cst.parse_expression(text if isinstance(text, str) else "")
            except Exception:
                return UNKNOWN
            return self.type_from_annotation(parsed, scope)
        if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
            parts = [annotation.left, annotation.right]
            return self._join(self.type_from_annotation(p, scope) if not is_none_literal(p) else Const(None) for p in parts)
        if isinstance(annotation, cst.Subscript):
            origin = self.qualified_name(annotation.value, scope)
            if origin in ("typing.Optional", "typing.Union", "typing_extensions.Optional"):
                parts = [el.slice.value for el in annotation.slice if isinstance(el.slice, cst.Index)]
                return self._join(
                    self.type_from_annotation(p, scope) if not is_none_literal(p) else Const(None) for p in parts
                )
            if origin in ("typing.Annotated", "typing_extensions.Annotated") and annotation.slice:
                first = annotation.slice[0].slice
                if isinstance(first, cst.Index):
                    return self.type_from_annotation(first.value, scope)
            return UNKNOWN
        value = self.value_of(annotation, scope)
        return self._instantiate(value)

    def _instantiate(self, cls_value: Value) -> Value:
        if isinstance(cls_value, Ref):
            path = known.canonical(cls_value.path)
            if path in known.CLIENTS or path in known.FRAMEWORK_CLASSES or path in MEMBERS:
                return Instance(path)
            return UNKNOWN
        if isinstance(cls_value, ClassRef):
            return Instance(cls_value.info.qualname, cls_value.info)
        return UNKNOWN

    def _attribute_value(self, expr: cst.Attribute, scope: Scope, depth: int) -> Value:
        attr = expr.attr.value
        base = self.value_of(expr.value, scope, depth)
        if isinstance(base, Ref):
            return Ref(known.canonical(f"{base.path}.{attr}"))
        if isinstance(base, Instance):
            if base.local is not None:
                return self._local_member(base.local, attr, depth)
            members = MEMBERS.get(base.path)
            if members is not None and members.get(attr, {}).get("kind") == "method":
                return SdkMethod(base.path, attr)
            return UNKNOWN
        if isinstance(base, ClassRef):
            return self._local_member(base.info, attr, depth, through_class=True)
        # app.state.client = ... recorded against the dotted path of a module-level name
        dotted = dotted_name(expr)
        if dotted is not None:
            bindings = self.attribute_bindings.get(dotted)
            if bindings:
                root = dotted.split(".", 1)[0]
                root_bindings = self.lookup(root, scope)
                if root_bindings and all(b.scope is self.module_scope for b in root_bindings):
                    return self._join(self._binding_value(b, depth) for b in bindings)
        return UNKNOWN

    def _local_member(self, klass: ClassInfo, attr: str, depth: int, through_class: bool = False) -> Value:
        for owner in self.class_chain(klass):
            method = owner.methods.get(attr)
            if method is not None:
                if _has_decorator(method.node, "property") or self.decorated_with(method, "functools.cached_property"):
                    if through_class:
                        return UNKNOWN
                    return self._returned_value(method, depth + 1)
                return FunctionRef(method)
            bindings = owner.attributes.get(attr)
            if bindings:
                value = self._join(self._binding_value(b, depth) for b in bindings)
                if self._dual_use_client(klass, owner, attr, bindings, value):
                    return UNKNOWN
                return value
        return UNKNOWN

    def _dual_use_client(self, klass: ClassInfo, owner: ClassInfo, attr: str, bindings: list[Binding], value: Value) -> bool:
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
        return any((id(c), attr) in awaited for c in self.class_chain(klass))

    def _awaited_attributes(self) -> set[tuple[int, str]]:
        """(id of the class, attribute) for each `await self.<attribute>.<method>(...)` in a method."""
        found = self._awaited_memo
        if found is None:
            found = set()
            for site in self.awaits:
                call = site.node.expression
                if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)):
                    continue
                holder = call.func.value
                if not (isinstance(holder, cst.Attribute) and isinstance(holder.value, cst.Name)):
                    continue
                for binding in self.lookup(holder.value.value, site.scope) or ():
                    function = binding.scope.function
                    if binding.kind == "self" and function is not None and function.klass is not None:
                        found.add((id(function.klass), holder.attr.value))
            self._awaited_memo = found
        return found

    def _clients_built_with(self, owner: ClassInfo, binding: Binding) -> list[Optional[bool]]:
        """For `self.x = <parameter of __init__>`: where this module builds the class, whether the client passed
        for that parameter is an aio one (True), a sync one (False) or not known (None)."""
        if binding.kind != "assign" or not isinstance(binding.value, cst.Name):
            return []
        params = self.lookup(binding.value.value, binding.scope)
        function = binding.scope.function
        if not params or any(p.kind != "param" for p in params) or function is None:
            return []
        if not isinstance(function.node, cst.FunctionDef) or function.name != "__init__":
            return []
        name = binding.value.value
        positional = [p.name.value for p in (*function.node.params.posonly_params, *function.node.params.params)][1:]
        found: list[Optional[bool]] = []
        for site in self.calls:
            built = self.value_of(site.node.func, site.scope)
            if not (isinstance(built, ClassRef) and built.info is owner):
                continue
            arg = argument(site.node, positional.index(name) if name in positional else None, name)
            kind = self.client_of(arg, site.scope) if arg is not None else None
            found.append(kind.is_async if kind is not None else None)
        return found

    def class_chain(self, klass: ClassInfo) -> Iterator[ClassInfo]:
        seen: set[int] = set()
        stack = [klass]
        while stack:
            current = stack.pop(0)
            if id(current) in seen:
                continue
            seen.add(id(current))
            yield current
            for base in current.bases:
                value = self.value_of(base, current.outer_scope)
                if isinstance(value, ClassRef):
                    stack.append(value.info)

    def _call_value(self, expr: cst.Call, scope: Scope, depth: int) -> Value:
        func = self.value_of(expr.func, scope, depth)
        if isinstance(func, Ref):
            produced = _PRODUCING_FUNCTIONS.get(known.canonical(func.path))
            if produced is not None:
                return produced
            return self._instantiate(func)
        if func is UNKNOWN:
            produced = self._produced_kind(expr, scope, depth)
            if produced is not None:
                return produced
        if isinstance(func, ClassRef):
            return Instance(func.info.qualname, func.info)
        if isinstance(func, FunctionRef):
            return self._returned_value(func.info, depth + 1)
        if isinstance(func, SdkMethod):
            member = MEMBERS.get(func.owner, {}).get(func.name, {})
            returns = member.get("returns")
            result: Value = Instance(returns) if returns in MEMBERS else UNKNOWN
            if member.get("is_async"):
                return Coroutine(result)
            return result
        return UNKNOWN

    def _produced_kind(self, expr: cst.Call, scope: Scope, depth: int) -> Optional[Kind]:
        """The kind a builtin constructor or a pydantic serialiser returns, when the callee is not a
        local function that the model resolved otherwise."""
        func = expr.func
        if isinstance(func, cst.Name):
            kind = _BUILTIN_CONSTRUCTORS.get(func.value)
            if kind is not None and not self.lookup(func.value, scope):
                return Kind(kind, "call")
            return None
        if not isinstance(func, cst.Attribute):
            return None
        attr = func.attr.value
        if attr == "model_dump_json":
            return Kind("str", "model_dump_json")
        if attr == "model_dump":
            return Kind("dict", "model_dump")
        if attr in ("dict", "json") and not expr.args:
            # pydantic v1 names: only on an instance of a local pydantic model
            base = self.value_of(func.value, scope, depth)
            if isinstance(base, Instance) and base.local is not None and self.is_pydantic_model(base.local):
                return Kind("dict", "pydantic.dict") if attr == "dict" else Kind("str", "pydantic.json")
        return None

    def is_pydantic_model(self, klass: ClassInfo) -> bool:
        """Whether a local class derives (through local classes) from pydantic's BaseModel."""
        for owner in self.class_chain(klass):
            for base in owner.bases:
                value = self.value_of(base, owner.outer_scope)
                if isinstance(value, Ref) and value.path in known.PYDANTIC_MODELS:
                    return True
        return False

    def _returned_value(self, info: FunctionInfo, depth: int) -> Value:
        """What calling a local function gives: its returns, a context manager over its yields, or a
        coroutine; UNKNOWN when a decorator we do not know may change that."""
        for decorator in info.decorators:
            if self.decorator_path(decorator, info) not in _TRANSPARENT_DECORATORS:
                return UNKNOWN
        if depth > _MAX_CALL_DEPTH:
            return UNKNOWN
        if info.is_generator:
            if self.decorated_with(info, "contextlib.contextmanager") or self.decorated_with(
                info, "contextlib.asynccontextmanager"
            ):
                yielded = self._join(
                    self.value_of(v, info.scope, depth) if not isinstance(v, cst.Yield) else Const(None)
                    for v in info.yields
                )
                return ContextManager(yielded)
            return UNKNOWN
        if not info.returns:
            return UNKNOWN
        result = self._join(self.value_of(v, info.scope, depth) for v in info.returns)
        return Coroutine(result) if info.is_async else result

    def decorator_path(self, decorator: cst.Decorator, info: FunctionInfo) -> Optional[str]:
        expr = decorator.decorator
        if isinstance(expr, cst.Call):
            expr = expr.func
        if isinstance(expr, cst.Name) and expr.value in ("staticmethod", "classmethod", "property"):
            if not self.lookup(expr.value, info.outer_scope):
                return expr.value
        return self.qualified_name(expr, info.outer_scope)

    def decorated_with(self, info: FunctionInfo, path: str) -> bool:
        return any(self.decorator_path(d, info) == path for d in info.decorators)

    def is_cached(self, info: FunctionInfo) -> bool:
        return any(self.decorator_path(d, info) in _CACHE_DECORATORS for d in info.decorators)

    # -- clients -------------------------------------------------------------------------------------

    def client_kind(self, value: Value) -> Optional[known.ClientKind]:
        """The Dapr client kind of a value: an instance of a client class or of a local subclass."""
        if not isinstance(value, Instance):
            return None
        if value.local is None:
            return known.CLIENTS.get(value.path)
        for owner in self.class_chain(value.local):
            for base in owner.bases:
                base_value = self.value_of(base, owner.outer_scope)
                if isinstance(base_value, Ref) and known.canonical(base_value.path) in known.CLIENTS:
                    return known.CLIENTS[known.canonical(base_value.path)]
        return None

    def client_of(self, expr: cst.CSTNode, scope: Scope) -> Optional[known.ClientKind]:
        return self.client_kind(self.value_of(expr, scope))

    def constructed_client(self, site: CallSite) -> Optional[known.ClientKind]:
        """The client class a call constructs directly (`DaprClient(...)`, `dc.DaprClient()`, a local
        subclass), or None."""
        func = self.value_of(site.node.func, site.scope)
        if isinstance(func, Ref):
            return known.CLIENTS.get(known.canonical(func.path))
        if isinstance(func, ClassRef):
            return self.client_kind(Instance(func.info.qualname, func.info))
        return None

    def client_method_call(self, site: CallSite) -> Optional[tuple[known.ClientKind, str]]:
        """(client kind, method name) when the call is `<client>.<method>(...)`."""
        func = site.node.func
        if not isinstance(func, cst.Attribute):
            return None
        kind = self.client_of(func.value, site.scope)
        if kind is None:
            return None
        return kind, func.attr.value

    def called_function(self, site: CallSite) -> Optional[FunctionInfo]:
        """The local function or method a call invokes, when the model can tell."""
        value = self.value_of(site.node.func, site.scope)
        if isinstance(value, FunctionRef):
            return value.info
        return None

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
        if info.is_generator and not self.decorated_with(info, "contextlib.contextmanager"):
            return None  # a plain generator runs when iterated, not when called
        uses = self.sync_client_uses(info)
        if not uses:
            return None
        if self.is_cached(info) and all(self.constructed_client(u) is not None for u in uses):
            return None  # a cached factory constructs once; its callers do not block each time
        return uses[0]

    def runs_on_event_loop(self, info: FunctionInfo) -> bool:
        """Whether blocking inside `info` stalls a shared event loop: an `async def` that is not a script entry
        and not an async Flask view (Flask gives each its own loop in the request's thread)."""
        if not info.is_async or info.is_script_entry:
            return False
        return not any(h.framework in known.FLASK_FRAMEWORKS for h in info.handlers)

    # -- thread offloads and script entries ----------------------------------------------------------

    def is_thread_offload_syntax(self, func: cst.BaseExpression, scope: Scope) -> bool:
        if isinstance(func, cst.Attribute) and func.attr.value in known.THREAD_OFFLOAD_METHODS:
            return True
        if not isinstance(func, (cst.Name, cst.Attribute)):
            return False
        # Resolution needs imports seen so far; imports precede use in real code.
        path = self.qualified_name(func, scope)
        return path is not None and path in self._offload_paths

    def _find_script_entries(self) -> None:
        for site in self.calls:
            if site.function is not None and site.function.is_async:
                continue
            func = site.node.func
            is_runner = isinstance(func, cst.Attribute) and func.attr.value in known.SCRIPT_RUNNER_METHODS
            if not is_runner:
                is_runner = self.qualified_name(func, site.scope) in known.SCRIPT_RUNNERS
            if not is_runner or not site.node.args:
                continue
            target = site.node.args[0].value
            if isinstance(target, cst.Call):
                target = target.func
            value = self.value_of(target, site.scope)
            if isinstance(value, FunctionRef) and value.info.is_async:
                value.info.is_script_entry = True
        self._propagate_script_entries()

    def _propagate_script_entries(self) -> None:
        """A coroutine of this module that only script entries call runs on the script's loop too, where
        nothing else runs: it counts as part of the script (to a fixed point: entry -> helper -> helper)."""
        if not any(info.is_script_entry for info in self.functions):
            return
        callers: dict[int, list[CallSite]] = {}
        for site in self.calls:
            callee = self.called_function(site)
            if callee is not None and callee.is_async:
                callers.setdefault(id(callee), []).append(site)
        reads: dict[str, int] = {}
        stack = [self.module_scope]
        while stack:
            scope = stack.pop()
            for name, uses in scope.name_uses.items():
                reads[name] = reads.get(name, 0) + len(uses)
            stack.extend(scope.children)
        changed = True
        while changed:
            changed = False
            for info in self.functions:
                if info.is_script_entry or not info.is_async or info.decorators or info.handlers:
                    continue
                sites = callers.get(id(info), [])
                if not sites or reads.get(info.name, 0) != len(sites):
                    continue  # referenced in some other way (passed as a callback, exported, ...)
                if all(s.function is not None and s.function.is_script_entry for s in sites):
                    info.is_script_entry = True
                    changed = True

    # -- handlers ------------------------------------------------------------------------------------

    def _find_handlers(self) -> None:
        for info in self.functions:
            for decorator in info.decorators:
                handler = self._handler_from_decorator(decorator, info)
                if handler is not None:
                    info.handlers.append(handler)
                    self.handlers.append(handler)
        for site in self.calls:
            handler = self._handler_from_registration(site)
            if handler is not None:
                handler.function.handlers.append(handler)
                self.handlers.append(handler)
        self._find_programmatic_subscriptions()

    def _find_programmatic_subscriptions(self) -> None:
        """Routes a `GET /dapr/subscribe` handler of this module lists (`{"route": ...}`, or v2's
        `{"routes": {"default": ..., "rules": [{"path": ...}]}}`) receive events: they are subscription
        handlers too (framework "programmatic-flask" / "programmatic-fastapi")."""
        listings = [h for h in self.handlers if h.kind == "route" and h.path == "/dapr/subscribe"]
        routes: set[str] = set()
        for listing in listings:
            info = listing.function
            for returned in info.returns:
                for entry in self._listed_entries(returned, info.scope):
                    routes.update(self._entry_routes(entry, info.scope))
        self.programmatic_routes = frozenset(routes)
        # Dapr adds the leading slash a listed route lacks
        routes = {"/" + r.lstrip("/") for r in routes}
        # route functions the project stage found to receive events (another module's listing, a declarative
        # Subscription of the app, a router prefix)
        declared = self.subscriber_functions
        if not routes and not declared:
            return
        for handler in list(self.handlers):
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
                self.handlers.append(subscription)

    def _listed_entries(self, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> list[cst.Dict]:
        if depth > 2:
            return []
        if isinstance(expr, (cst.List, cst.Tuple)):
            return [e.value for e in expr.elements if isinstance(e.value, cst.Dict)]  # type: ignore[misc]
        if isinstance(expr, cst.Call) and expr.args and self.qualified_name(expr.func, scope) in (
            "flask.jsonify",
            "fastapi.responses.JSONResponse",
        ):
            return self._listed_entries(expr.args[0].value, scope, depth + 1)
        if isinstance(expr, cst.Name):
            bindings = self.lookup(expr.value, scope)
            if bindings and len(bindings) == 1 and bindings[0].kind == "assign" and bindings[0].value is not None:
                return self._listed_entries(bindings[0].value, bindings[0].scope, depth + 1)  # type: ignore[arg-type]
        return []

    def _entry_routes(self, entry: cst.Dict, scope: Scope) -> set[str]:
        found: set[str] = set()
        for element in entry.elements:
            if not isinstance(element, cst.DictElement):
                continue
            key = self.value_of(element.key, scope)
            if key == Const("route"):
                text = self.string_of(element.value, scope)
                if text is not None:
                    found.add(text)
            elif key == Const("routes") and isinstance(element.value, cst.Dict):
                for inner in element.value.elements:
                    if not isinstance(inner, cst.DictElement):
                        continue
                    inner_key = self.value_of(inner.key, scope)
                    if inner_key == Const("default"):
                        text = self.string_of(inner.value, scope)
                        if text is not None:
                            found.add(text)
                    elif inner_key == Const("rules") and isinstance(inner.value, cst.List):
                        for rule in inner.value.elements:
                            if isinstance(rule.value, cst.Dict):
                                for part in rule.value.elements:
                                    if isinstance(part, cst.DictElement) and self.value_of(part.key, scope) == Const("path"):
                                        text = self.string_of(part.value, scope)
                                        if text is not None:
                                            found.add(text)
        return found

    def _receiver(self, expr: cst.BaseExpression, scope: Scope) -> Optional[str]:
        value = self.value_of(expr, scope)
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
        path = self.string_of(argument(call, 0, ("path", "rule", "route")), scope) if call is not None else None
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
            route = self.string_of(argument(call, None, "route"), scope) if call is not None else None
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
            if self.imports_module("fastapi") or self.imports_module("starlette"):
                return Handler("route", "fastapi", info, decorator, path, resolved=False, call=call)
            if self.imports_module("flask"):
                return Handler("route", "flask", info, decorator, path, resolved=False, call=call)
        if attr == "subscribe" and call is not None and has_keyword(call, "topic"):
            if self.imports_module("dapr.ext.fastapi"):
                return Handler("subscription", "dapr-fastapi", info, decorator, None, resolved=False, call=call)
            if self.imports_module("dapr.ext.flask") or self.imports_module("flask_dapr"):
                return Handler("subscription", "dapr-flask", info, decorator, None, resolved=False, call=call)
        if attr in ("workflow", "activity") and self.imports_module("dapr.ext.workflow") and not self._is_local_object(decorator, info):
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
        value = self.value_of(target.value, info.outer_scope)
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
                return self._registered(site, endpoint, "route", "fastapi", self.string_of(argument(site.node, 0, "path"), site.scope))
            if receiver in (known.FLASK_APP, known.FLASK_BLUEPRINT) and attr == "add_url_rule":
                endpoint = argument(site.node, 2, "view_func")
                return self._registered(site, endpoint, "route", "flask", self.string_of(argument(site.node, 0, "rule"), site.scope))
            if receiver == known.WORKFLOW_RUNTIME and attr.startswith("register_"):
                kind: HandlerKind = "activity" if attr == "register_activity" else "workflow"
                return self._registered(site, argument(site.node, 0, "fn"), kind, "workflow", None)
            return None
        if isinstance(func, cst.Name) or isinstance(func, cst.Attribute):
            path = self.qualified_name(func, site.scope)
            if path in ("starlette.routing.Route", "starlette.routing.WebSocketRoute") and args:
                return self._registered(site, argument(site.node, 1, "endpoint"), "route", "starlette", self.string_of(argument(site.node, 0, "path"), site.scope))
        return None

    def _registered(self, site: CallSite, endpoint: Optional[cst.BaseExpression], kind: HandlerKind, framework: Framework, path: Optional[str]) -> Optional[Handler]:
        if endpoint is None:
            return None
        value = self.value_of(endpoint, site.scope)
        if not isinstance(value, FunctionRef):
            return None
        return Handler(kind, framework, value.info, site.node, path, call=site.node)

    # -- name uses -----------------------------------------------------------------------------------

    def uses_of(self, name: str, scope: Scope) -> list[tuple[str, Any]]:
        """Every read of `name` in `scope`; reads from nested scopes count as ("nested", None)."""
        uses = list(scope.name_uses.get(name, ()))
        stack = list(scope.children)
        while stack:
            child = stack.pop()
            if name in child.bindings and child.kind != "comprehension":
                continue
            if name in child.name_uses:
                if child.kind == "comprehension":
                    uses.extend(child.name_uses[name])
                else:
                    uses.append(("nested", None))
            stack.extend(child.children)
        return uses


_LITERAL_KINDS: dict[type, str] = {
    cst.Dict: "dict",
    cst.DictComp: "dict",
    cst.List: "list",
    cst.ListComp: "list",
    cst.Tuple: "tuple",
    cst.Set: "set",
    cst.SetComp: "set",
}
_BUILTIN_CONSTRUCTORS = {"dict": "dict", "list": "list", "tuple": "tuple", "set": "set", "str": "str", "bytes": "bytes"}
# Functions whose result kind is known whatever their arguments.
_PRODUCING_FUNCTIONS: dict[str, Kind] = {
    "json.dumps": Kind("str", "json.dumps"),
    "orjson.dumps": Kind("bytes", "json.dumps"),
    "pickle.dumps": Kind("bytes", "call"),
}


# Methods on a sync client that do no network I/O, so calling them on the event loop is harmless.
_NON_BLOCKING_METHODS = frozenset({"close", "get_credentials", "invoke_method_async"})


def is_blocking_method(kind: known.ClientKind, method: str) -> bool:
    if method in _NON_BLOCKING_METHODS or method.startswith("_"):
        return False
    return method in MEMBERS.get(kind.path, {})
