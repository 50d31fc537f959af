"""The shared analysis model of one Python module: built in one walk, queried by every rule.

The walk (ModelBuilder) only records facts: scopes and their bindings, functions and classes, call sites
with the syntactic context they sit in, `with` items, awaits, attribute reads, imports. Everything a rule
asks afterwards - what does this name resolve to, is this value a sync client, is this function a route -
is answered lazily from those records (ModuleModel), memoised, and never by walking the tree again.

Names resolve through an import table per scope (what flake8-async does), not LibCST's
QualifiedNameProvider: the same answers for the imports Dapr code uses, at a fraction of the cost.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, Optional, TypeVar

import libcst as cst

from dapr_lint.python import known
from dapr_lint.python.hierarchy import breadth_first
from dapr_lint.python.model.builder import (
    _CACHE_DECORATORS,
    _TRANSPARENT_DECORATORS,
    ModelBuilder,
    _has_decorator,
    all_params,
    dotted_name,
)
from dapr_lint.python.model.clients import client_facts, is_blocking_method
from dapr_lint.python.model.handlers import find_handlers
from dapr_lint.python.model.payloads import payload_facts
from dapr_lint.python.model.records import (
    Binding,
    CallSite,
    ClassInfo,
    ExceptInfo,
    FunctionInfo,
    Handler,
    ModuleRecords,
    Scope,
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


_Facet = TypeVar("_Facet")
_UNSET: Any = object()

class ModuleModel(ModuleRecords):
    """Facts about one module: the records of its walk and the questions rules ask of them (what a name or an
    expression resolves to, here; clients, handlers, exceptions, payloads in the facet modules). Build with
    `ModuleModel.build(module)`."""

    def __init__(self, module: cst.Module, options: Optional[dict] = None) -> None:
        super().__init__(module)
        self.options = options or {}
        # The SDK releases the project admits: a rule that says "X does not exist yet" judges by `sdk.low`,
        # one that says "X was removed" by `sdk.high` (python/sdk_releases.py).
        self.sdk: SdkPin = unpinned()
        self.subscriber_functions: frozenset[str] = frozenset()
        self._value_memo: dict[tuple[int, int], Value] = {}
        # callee_path's answers (most facets and rules ask it of every call), kept once the callee's value is
        self._callee_memo: dict[tuple[int, int], Any] = {}
        self._in_progress: set[tuple[int, int]] = set()
        # facet modules (python/model/<facet>.py) keep what they build from the records here, once per model
        self.facets: dict[str, Any] = {}

    def facet(self, name: str, build: Callable[["ModuleModel"], "_Facet"]) -> "_Facet":
        """The facet `name` of this module, built by `build(model)` on first use and kept in `facets`."""
        found = self.facets.get(name)
        if found is None:
            found = self.facets[name] = build(self)
        return found

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
        model._callee_memo.clear()
        model.facets.clear()
        for site in model.calls:
            if site.context == "arg" and site.parent_call is None:
                site.parent_call = model.parent_calls.get(id(site.node))
        find_handlers(model)
        return model

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
        key = (id(call), id(scope))
        path = self._callee_memo.get(key, _UNSET)
        if path is not _UNSET:
            return path
        func = call.func
        if type(func) is cst.Name or type(func) is cst.Attribute:
            path = self.qualified_name(func, scope)
            if (id(func), id(scope)) not in self._value_memo:
                return path  # asked inside an evaluation of the same expression: not settled, not kept
        else:
            path = None
        self._callee_memo[key] = path
        return path

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
        # `type(expr) is`: LibCST's concrete node classes have no subclasses, and an isinstance miss on one goes
        # through ABCMeta (this runs for every expression a rule asks about)
        if type(expr) is cst.Name:
            name = expr.value
            if name in ("True", "False", "None"):
                return Const({"True": True, "False": False, "None": None}[name])
            bindings = self.lookup(name, scope)
            if not bindings:
                return UNKNOWN
            return self._join(self._binding_value(b, depth) for b in bindings)
        if type(expr) is cst.Attribute:
            return self._attribute_value(expr, scope, depth)
        if type(expr) is cst.Call:
            return self._call_value(expr, scope, depth)
        if type(expr) is cst.Await:
            inner = self.value_of(expr.expression, scope, depth)
            if isinstance(inner, Coroutine):
                return inner.result
            return inner
        if type(expr) is cst.SimpleString or type(expr) is cst.ConcatenatedString:
            try:
                return Const(expr.evaluated_value)
            except Exception:
                return Kind("str")
        if type(expr) is cst.Integer or type(expr) is cst.Float:
            return Const(expr.evaluated_value)
        if type(expr) is cst.FormattedString:
            return Kind("str", "literal")
        literal_kind = _LITERAL_KINDS.get(type(expr))
        if literal_kind is not None:
            return Kind(literal_kind, "literal")
        if type(expr) is cst.Lambda:
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
            if origin in known.ANNOTATION_UNIONS:
                parts = [el.slice.value for el in annotation.slice if isinstance(el.slice, cst.Index)]
                return self._join(
                    self.type_from_annotation(p, scope) if not is_none_literal(p) else Const(None) for p in parts
                )
            if origin in known.ANNOTATION_ANNOTATED and annotation.slice:
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
                if client_facts(self).dual_use(klass, owner, attr, bindings, value):
                    return UNKNOWN
                return value
        return UNKNOWN

    def class_chain(self, klass: ClassInfo) -> Iterator[ClassInfo]:
        """`klass` and its local base classes, breadth first, each once."""
        return breadth_first(klass, self._local_bases)

    def _local_bases(self, klass: ClassInfo) -> list[ClassInfo]:
        values = (self.value_of(base, klass.outer_scope) for base in klass.bases)
        return [value.info for value in values if isinstance(value, ClassRef)]

    def _call_value(self, expr: cst.Call, scope: Scope, depth: int) -> Value:
        func = self.value_of(expr.func, scope, depth)
        if isinstance(func, Ref):
            produced = _PRODUCING_FUNCTIONS.get(known.canonical(func.path))
            if produced is not None:
                return produced
            return self._instantiate(func)
        if func is UNKNOWN:
            produced = payload_facts(self).produced_kind(expr, scope, depth)
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

    # -- calls ---------------------------------------------------------------------------------------

    def called_function(self, site: CallSite) -> Optional[FunctionInfo]:
        """The local function or method a call invokes, when the model can tell."""
        value = self.value_of(site.node.func, site.scope)
        if isinstance(value, FunctionRef):
            return value.info
        return None



_LITERAL_KINDS: dict[type, str] = {
    cst.Dict: "dict",
    cst.DictComp: "dict",
    cst.List: "list",
    cst.ListComp: "list",
    cst.Tuple: "tuple",
    cst.Set: "set",
    cst.SetComp: "set",
}
# Functions whose result kind is known whatever their arguments.
_PRODUCING_FUNCTIONS: dict[str, Kind] = {
    "json.dumps": Kind("str", "json.dumps"),
    "orjson.dumps": Kind("bytes", "json.dumps"),
    "pickle.dumps": Kind("bytes", "call"),
}
