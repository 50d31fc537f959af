"""The shared analysis model of one Python module: built in one walk, queried by every rule.

The walk (ModelBuilder) only records facts: scopes and their bindings, functions and classes, call sites
with the syntactic context they sit in, `with` items, awaits, attribute reads, imports. Everything a rule
asks afterwards - what does this name resolve to, is this value a sync client, is this function a route -
is answered lazily from those records (ModuleModel), memoised, and never by walking the tree again.

Names resolve through an import table per scope (what flake8-async does), not LibCST's
QualifiedNameProvider: the same answers for the imports Dapr code uses, at a fraction of the cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Optional, Sequence, Union

import libcst as cst

from dapr_lint.python import known
from dapr_lint.python.sdk_table import MEMBERS
from dapr_lint.python.walk import semantic_fields

# --------------------------------------------------------------------------------------------------
# Values: what the model knows an expression evaluates to.
# --------------------------------------------------------------------------------------------------


class Value:
    """Base of the small value lattice; UNKNOWN is the top."""

    __slots__ = ()


class _Unknown(Value):
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Value = _Unknown()


@dataclass(frozen=True)
class Ref(Value):
    """A reference to an imported, fully qualified name (a module, class or function elsewhere)."""

    path: str


@dataclass(frozen=True, eq=False)
class ClassRef(Value):
    """A class defined in this module."""

    info: "ClassInfo"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ClassRef) and other.info is self.info

    def __hash__(self) -> int:
        return id(self.info)


@dataclass(frozen=True, eq=False)
class FunctionRef(Value):
    """A function defined in this module (or a method reached through an instance of a local class)."""

    info: "FunctionInfo"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FunctionRef) and other.info is self.info

    def __hash__(self) -> int:
        return id(self.info)


@dataclass(frozen=True)
class Instance(Value):
    """An instance of a class: an SDK or framework class by path, or a local class (`local` set)."""

    path: str
    local: Optional["ClassInfo"] = field(default=None, compare=False)


@dataclass(frozen=True)
class SdkMethod(Value):
    """A bound method of an SDK class from the generated member table."""

    owner: str
    name: str


@dataclass(frozen=True)
class Coroutine(Value):
    """The un-awaited result of calling a coroutine function."""

    result: Value


@dataclass(frozen=True)
class ContextManager(Value):
    """The result of calling a @contextmanager / @asynccontextmanager helper; entering yields `result`."""

    result: Value


@dataclass(frozen=True)
class Const(Value):
    """A literal str, bytes, int, float, bool or None (module and class constants resolve to these)."""

    value: Any


@dataclass(frozen=True)
class Kind(Value):
    """A value whose Python type is known but not its content: "dict", "list", "tuple", "set", "str",
    "bytes".

    `origin` says where it came from when that matters to a rule ("literal", "json.dumps",
    "model_dump", "model_dump_json", "pydantic.dict", "call"); it takes no part in equality, so joins
    of the same kind from different sources stay that kind."""

    kind: str
    origin: Optional[str] = field(default=None, compare=False)


# --------------------------------------------------------------------------------------------------
# Records the walk produces.
# --------------------------------------------------------------------------------------------------


class Binding:
    """One way a name gets a value in a scope."""

    __slots__ = ("kind", "value", "scope", "annotation", "target")

    def __init__(
        self,
        kind: str,
        value: Optional[cst.CSTNode],
        scope: "Scope",
        annotation: Optional[cst.CSTNode] = None,
        target: Any = None,
    ) -> None:
        # kind: assign | with | async_with | param | self | import | def | class | annotation | unknown
        self.kind = kind
        self.value = value
        self.scope = scope
        self.annotation = annotation
        self.target = target  # import path, FunctionInfo, ClassInfo, depending on kind


class Scope:
    __slots__ = (
        "kind",
        "parent",
        "bindings",
        "global_names",
        "nonlocal_names",
        "function",
        "klass",
        "children",
        "name_uses",
        "test_names",
    )

    def __init__(
        self,
        kind: str,
        parent: Optional["Scope"],
        function: Optional["FunctionInfo"] = None,
        klass: Optional["ClassInfo"] = None,
    ) -> None:
        self.kind = kind  # module | class | function | comprehension
        self.parent = parent
        self.bindings: dict[str, list[Binding]] = {}
        self.global_names: set[str] = set()
        self.nonlocal_names: set[str] = set()
        self.function = function
        self.klass = klass
        self.children: list[Scope] = []
        # name -> [(context, detail)] for every read of the name in this scope
        self.name_uses: dict[str, list[tuple[str, Any]]] = {}
        # names read inside a condition (`if`/`while`/`assert` tests, conditional expressions, the operands
        # of `and`/`or`): the guards a rule may ask about
        self.test_names: set[str] = set()
        if parent is not None:
            parent.children.append(self)

    def bind(self, name: str, binding: Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)


class FunctionInfo:
    """A `def`, `async def` or `lambda`, with what the walk saw directly in its body."""

    __slots__ = (
        "node",
        "name",
        "qualname",
        "is_async",
        "is_lambda",
        "scope",
        "outer_scope",
        "klass",
        "parent_function",
        "decorators",
        "returns",
        "yields",
        "calls",
        "is_script_entry",
        "handlers",
        "_memo",
        "calls_before_yield",
        "startup",
    )

    def __init__(
        self,
        node: Union[cst.FunctionDef, cst.Lambda],
        name: str,
        qualname: str,
        is_async: bool,
        outer_scope: Scope,
        klass: Optional["ClassInfo"],
        parent_function: Optional["FunctionInfo"],
    ) -> None:
        self.node = node
        self.name = name
        self.qualname = qualname
        self.is_async = is_async
        self.is_lambda = isinstance(node, cst.Lambda)
        self.outer_scope = outer_scope
        self.scope = Scope("function", outer_scope, function=self)
        self.klass = klass
        self.parent_function = parent_function
        self.decorators: Sequence[cst.Decorator] = (
            node.decorators if isinstance(node, cst.FunctionDef) else ()
        )
        self.returns: list[cst.BaseExpression] = []
        self.yields: list[cst.BaseExpression] = []
        self.calls: list[CallSite] = []
        self.is_script_entry = False
        self.handlers: list[Handler] = []
        self._memo: dict[str, Any] = {}
        # how many of `calls` the walk had seen when it met the first `yield` (None: no yield yet)
        self.calls_before_yield: Optional[int] = None
        # runs once before the app serves: "whole" (@app.on_event("startup")), "before_yield" (a lifespan)
        self.startup: Optional[str] = None

    @property
    def is_generator(self) -> bool:
        return bool(self.yields)

    @property
    def is_module_level_or_method(self) -> bool:
        return self.parent_function is None and not self.is_lambda

    @property
    def name_node(self) -> cst.CSTNode:
        return self.node.name if isinstance(self.node, cst.FunctionDef) else self.node

    def __repr__(self) -> str:
        return f"<FunctionInfo {self.qualname}>"


class ClassInfo:
    __slots__ = ("node", "name", "qualname", "scope", "bases", "methods", "attributes", "outer_scope")

    def __init__(self, node: cst.ClassDef, qualname: str, outer_scope: Scope) -> None:
        self.node = node
        self.name = node.name.value
        self.qualname = qualname
        self.outer_scope = outer_scope
        self.scope = Scope("class", outer_scope, klass=self)
        self.bases: list[cst.BaseExpression] = [arg.value for arg in node.bases if not arg.keyword]
        self.methods: dict[str, FunctionInfo] = {}
        # `self.x = ...` in any method and `x = ...` in the class body
        self.attributes: dict[str, list[Binding]] = {}

    def __repr__(self) -> str:
        return f"<ClassInfo {self.qualname}>"


@dataclass(eq=False)
class CallSite:
    node: cst.Call
    scope: Scope
    function: Optional[FunctionInfo]
    # The syntactic place of the call: stmt | await | return | yield | arg | assign | attr | with |
    # async_with | other.
    context: str
    # For context "assign": ("name", name) | ("attribute", dotted) | ("other", None).
    target: Optional[tuple[str, Optional[str]]] = None
    # Inside the arguments of a thread offload (asyncio.to_thread, run_in_executor, ...).
    offloaded: bool = False
    in_main_guard: bool = False
    # For context "arg": the call whose argument this call is.
    parent_call: Optional[cst.Call] = None
    # The simple statement line the call stands in (None inside compound-statement headers).
    statement: Optional[cst.SimpleStatementLine] = None
    # The `try` statements (same function) whose body holds the call, outermost first.
    tries: tuple["TryInfo", ...] = ()
    # The innermost except clause (same function) whose body holds the call.
    in_except: Optional["ExceptInfo"] = None


@dataclass(eq=False)
class TryInfo:
    """A `try` statement: its except clauses and the calls in its body (nested bodies included)."""

    node: Union[cst.Try, cst.TryStar]
    scope: Scope
    function: Optional[FunctionInfo]
    # the `try` whose body holds this one, in the same function
    parent: Optional["TryInfo"] = None
    handlers: list["ExceptInfo"] = field(default_factory=list)
    calls: list[CallSite] = field(default_factory=list)


@dataclass(eq=False)
class ExceptInfo:
    """One except clause and what its body does directly (nested blocks included, nested defs not)."""

    node: Union[cst.ExceptHandler, cst.ExceptStarHandler]
    try_info: TryInfo
    scope: Scope
    function: Optional[FunctionInfo]
    returns: list[cst.Return] = field(default_factory=list)
    raises: list[cst.Raise] = field(default_factory=list)
    calls: list[CallSite] = field(default_factory=list)


@dataclass(eq=False)
class RaiseSite:
    node: cst.Raise
    scope: Scope
    function: Optional[FunctionInfo]


@dataclass(eq=False)
class WithItemSite:
    node: cst.WithItem
    is_async: bool
    scope: Scope
    function: Optional[FunctionInfo]
    statement: Optional[cst.With] = None


@dataclass(eq=False)
class AwaitSite:
    node: cst.Await
    scope: Scope
    function: Optional[FunctionInfo]


@dataclass(eq=False)
class AttributeSite:
    node: cst.Attribute
    scope: Scope
    function: Optional[FunctionInfo]
    is_store: bool


@dataclass(eq=False)
class SubscriptSite:
    node: cst.Subscript
    scope: Scope
    function: Optional[FunctionInfo]
    is_store: bool


@dataclass(eq=False)
class ImportSite:
    """One imported module path: `import a.b` / `from a.b import c` (module "a.b"), with its node."""

    node: Union[cst.Import, cst.ImportFrom]
    module: str
    # the node to report at (the dotted module name)
    anchor: cst.CSTNode
    names: tuple[str, ...] = ()


@dataclass(eq=False)
class Handler:
    """A function the framework calls: a route, a Dapr subscription, a gRPC-extension handler, a
    workflow or an activity."""

    kind: str  # route | subscription | grpc_method | grpc_subscription | grpc_binding | grpc_job | workflow | activity
    framework: str  # fastapi | starlette | flask | dapr-fastapi | dapr-flask | dapr-grpc | workflow | unknown
    function: FunctionInfo
    node: cst.CSTNode  # the decorator or registration call
    path: Optional[str] = None
    # The receiver's type was resolved (False: recognised by shape in a module importing the framework).
    resolved: bool = True
    call: Optional[cst.Call] = None


# --------------------------------------------------------------------------------------------------
# The walk.
# --------------------------------------------------------------------------------------------------

_TRANSPARENT_DECORATORS = frozenset(
    {
        "staticmethod",
        "classmethod",
        "functools.cache",
        "functools.lru_cache",
        "functools.wraps",
        "contextlib.contextmanager",
        "contextlib.asynccontextmanager",
        "property",
        "functools.cached_property",
    }
)
_CACHE_DECORATORS = frozenset({"functools.cache", "functools.lru_cache", "functools.cached_property"})


def dotted_name(node: cst.CSTNode) -> Optional[str]:
    """`a.b.c` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def _module_name(node: Union[cst.Attribute, cst.Name, None]) -> str:
    return dotted_name(node) if node is not None else ""  # type: ignore[return-value]


# What a walking handler yields: the child nodes to walk next (see ModelBuilder.visit).
Walk = Iterator[Optional[cst.CSTNode]]


class ModelBuilder:
    """Walks a module once and fills a ModuleModel."""

    def __init__(self, model: "ModuleModel") -> None:
        self.m = model
        self.scope: Scope = model.module_scope
        self.function: Optional[FunctionInfo] = None
        self.klass: Optional[ClassInfo] = None
        self.offload_depth = 0
        self.main_guard_depth = 0
        self.statement: Optional[cst.SimpleStatementLine] = None
        self.test_depth = 0
        self.try_stack: list[TryInfo] = []
        self.except_stack: list[ExceptInfo] = []
        self.ctx: dict[int, Any] = {}
        self.handlers = {
            cst.FunctionDef: self.visit_function,
            cst.Lambda: self.visit_lambda,
            cst.ClassDef: self.visit_class,
            cst.Assign: self.visit_assign,
            cst.AnnAssign: self.visit_annassign,
            cst.AugAssign: self.visit_augassign,
            cst.NamedExpr: self.visit_namedexpr,
            cst.Call: self.visit_call,
            cst.Await: self.visit_await,
            cst.Return: self.visit_return,
            cst.Yield: self.visit_yield,
            cst.Expr: self.visit_expr,
            cst.SimpleStatementLine: self.visit_statement_line,
            cst.Attribute: self.visit_attribute,
            cst.Subscript: self.visit_subscript,
            cst.Name: self.visit_name,
            cst.With: self.visit_with,
            cst.For: self.visit_for,
            cst.If: self.visit_if,
            cst.While: self.visit_while,
            cst.IfExp: self.visit_ifexp,
            cst.Assert: self.visit_assert,
            cst.BooleanOperation: self.visit_boolop,
            cst.Try: self.visit_try,
            cst.TryStar: self.visit_try,
            cst.Raise: self.visit_raise,
            cst.Import: self.visit_import,
            cst.ImportFrom: self.visit_importfrom,
            cst.Global: self.visit_global,
            cst.Nonlocal: self.visit_nonlocal,
            cst.ExceptHandler: self.visit_except,
            cst.CompFor: self.visit_compfor,
            cst.ListComp: self.visit_comprehension,
            cst.SetComp: self.visit_comprehension,
            cst.GeneratorExp: self.visit_comprehension,
            cst.DictComp: self.visit_comprehension,
            # Literal leaves: nothing inside matters.
            cst.SimpleString: _ignore,
            cst.Integer: _ignore,
            cst.Float: _ignore,
            cst.Imaginary: _ignore,
            cst.Ellipsis: _ignore,
            cst.Pass: _ignore,
            cst.Break: _ignore,
            cst.Continue: _ignore,
        }

    # -- dispatch ------------------------------------------------------------------------------------
    # The walk is iterative: a handler is a generator that yields the child nodes to walk, in order, and is
    # resumed once each child's whole subtree is done (so state it sets around a `yield` holds for that
    # subtree). Chains thousands of nodes deep (`a + b + ...`, `elif` ladders, implicit string concatenation)
    # use an explicit stack, never Python recursion.

    def visit(self, node: cst.CSTNode) -> None:
        stack: list[Iterator[Optional[cst.CSTNode]]] = []
        self._push(node, stack)
        while stack:
            child: Any = next(stack[-1], _DONE)
            if child is _DONE:
                stack.pop()
            elif child is not None:
                self._push(child, stack)

    def _push(self, node: cst.CSTNode, stack: list) -> None:
        handler: Any = self.handlers.get(type(node))
        if handler is None:
            stack.append(_children(node))
            return
        steps = handler(node)
        if steps is not None:  # handlers with nothing to walk below are plain functions
            stack.append(steps)

    def visit_children(self, node: cst.CSTNode) -> None:
        for child in _children(node):
            self.visit(child)

    def visit_many(self, nodes: Iterable[Optional[cst.CSTNode]]) -> None:
        for node in nodes:
            if node is not None:
                self.visit(node)

    def _drain(self, steps: Optional[Iterator[Optional[cst.CSTNode]]]) -> None:
        """Run a generator step (bind_target, a function body...) to the end, outside the main walk."""
        if steps is None:
            return
        for child in steps:
            if child is not None:
                self.visit(child)

    def mark(self, node: Optional[cst.CSTNode], context: Any) -> None:
        if node is not None:
            self.ctx[id(node)] = context

    # -- scopes and bindings -------------------------------------------------------------------------

    def bind_target(self, target: cst.BaseExpression, kind: str, value: Optional[cst.CSTNode], annotation=None) -> None:
        self._drain(self._bind(target, kind, value, annotation))

    def in_function(self, info: FunctionInfo, body: cst.CSTNode) -> None:
        self._drain(self._in_function(info, body))

    def visit_test(self, node: cst.CSTNode) -> None:
        self._drain(self._test(node))

    def _bind(self, target: cst.BaseExpression, kind: str, value: Optional[cst.CSTNode], annotation=None) -> Walk:
        """Record a binding for an assignment target, then visit the target's sub-expressions."""
        if isinstance(target, cst.Name):
            self.binding_scope(target.value).bind(target.value, Binding(kind, value, self.scope, annotation))
            return
        if isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                inner = element.value
                if isinstance(inner, cst.StarredElement):
                    inner = inner.value
                yield from self._bind(inner, "unknown", None)
            return
        if isinstance(target, cst.StarredElement):
            yield from self._bind(target.value, "unknown", None)
            return
        if isinstance(target, cst.Attribute):
            self.bind_attribute(target, kind, value, annotation)
            self.mark(target, "store")
            yield target
            return
        if isinstance(target, cst.Subscript):
            self.mark(target, "store")
        yield target

    def bind_attribute(self, target: cst.Attribute, kind: str, value, annotation) -> None:
        base = target.value
        # self.x = ... inside a method: an attribute of the method's class
        if (
            isinstance(base, cst.Name)
            and self.function is not None
            and self.function.klass is not None
            and self.function.scope.bindings.get(base.value, [None])[0] is not None
            and self.function.scope.bindings[base.value][0].kind == "self"
        ):
            klass = self.function.klass
            klass.attributes.setdefault(target.attr.value, []).append(
                Binding(kind, value, self.scope, annotation)
            )
            return
        dotted = dotted_name(target)
        if dotted is not None:
            self.m.attribute_bindings.setdefault(dotted, []).append(Binding(kind, value, self.scope, annotation))

    def binding_scope(self, name: str) -> Scope:
        scope = self.scope
        if name in scope.global_names:
            return self.m.module_scope
        if name in scope.nonlocal_names:
            parent = scope.parent
            while parent is not None:
                if parent.kind == "function" and name in parent.bindings:
                    return parent
                parent = parent.parent
        if scope.kind == "comprehension":
            # walrus targets bind in the enclosing function (PEP 572)
            while scope.kind == "comprehension" and scope.parent is not None:
                scope = scope.parent
        return scope

    def use(self, name: str, context: str, detail: Any = None) -> None:
        self.scope.name_uses.setdefault(name, []).append((context, detail))

    # -- definitions ---------------------------------------------------------------------------------

    def visit_function(self, node: cst.FunctionDef) -> Walk:
        for decorator in node.decorators:
            yield decorator.decorator
        params = node.params
        for param in all_params(params):
            if param.default is not None:
                yield param.default
            if param.annotation is not None:
                yield param.annotation.annotation
        if node.returns is not None:
            yield node.returns.annotation

        name = node.name.value
        klass = self.klass if self.scope.kind == "class" else None
        prefix = f"{self.function.qualname}.<locals>." if self.function else (f"{klass.qualname}." if klass else "")
        info = FunctionInfo(
            node,
            name,
            prefix + name,
            node.asynchronous is not None,
            self.scope,
            klass,
            self.function,
        )
        self.scope.bind(name, Binding("def", node, self.scope, target=info))
        self.m.functions.append(info)
        if klass is not None:
            klass.methods[name] = info

        first = True
        for param in all_params(params):
            kind = "param"
            if first and klass is not None and not _has_decorator(node, "staticmethod"):
                kind = "self" if not _has_decorator(node, "classmethod") else "cls"
            first = False
            info.scope.bind(
                param.name.value,
                Binding(kind, None, info.scope, param.annotation.annotation if param.annotation else None),
            )
        yield from self._in_function(info, node.body)

    def visit_lambda(self, node: cst.Lambda) -> Walk:
        for param in all_params(node.params):
            if param.default is not None:
                yield param.default
        info = FunctionInfo(node, "<lambda>", "<lambda>", False, self.scope, None, self.function)
        for param in all_params(node.params):
            info.scope.bind(param.name.value, Binding("param", None, info.scope))
        self.m.functions.append(info)
        self.mark(node.body, "return")
        info.returns.append(node.body)
        yield from self._in_function(info, node.body)

    def _in_function(self, info: FunctionInfo, body: cst.CSTNode) -> Walk:
        saved = (
            self.scope,
            self.function,
            self.klass,
            self.offload_depth,
            self.main_guard_depth,
            self.test_depth,
            self.try_stack,
            self.except_stack,
            self.statement,
        )
        self.scope, self.function = info.scope, info
        self.statement = None
        # A nested def runs when it is called, not where it is written: an offload, a try or a condition
        # around its definition says nothing about its body.
        self.offload_depth = 0
        self.main_guard_depth = 0
        self.test_depth = 0
        self.try_stack = []
        self.except_stack = []
        yield body
        (
            self.scope,
            self.function,
            self.klass,
            self.offload_depth,
            self.main_guard_depth,
            self.test_depth,
            self.try_stack,
            self.except_stack,
            self.statement,
        ) = saved

    def visit_class(self, node: cst.ClassDef) -> Walk:
        for decorator in node.decorators:
            yield decorator.decorator
        for arg in node.bases:
            yield arg.value
        for arg in node.keywords:
            yield arg.value
        prefix = f"{self.klass.qualname}." if self.klass and self.scope.kind == "class" else ""
        info = ClassInfo(node, prefix + node.name.value, self.scope)
        self.scope.bind(node.name.value, Binding("class", node, self.scope, target=info))
        self.m.classes.append(info)
        saved = (self.scope, self.klass)
        self.scope, self.klass = info.scope, info
        yield node.body
        self.scope, self.klass = saved
        for name, bindings in info.scope.bindings.items():
            info.attributes.setdefault(name, []).extend(bindings)

    # -- assignments ---------------------------------------------------------------------------------

    def _assign_context(self, target: cst.BaseExpression) -> tuple[str, Optional[str]]:
        if isinstance(target, cst.Name):
            return ("name", target.value)
        if isinstance(target, cst.Attribute):
            return ("attribute", dotted_name(target))
        return ("other", None)

    def visit_assign(self, node: cst.Assign) -> Walk:
        targets = [t.target for t in node.targets]
        if isinstance(node.value, cst.Call):
            self.mark(node.value, ("assign", self._assign_context(targets[0]) if len(targets) == 1 else ("other", None)))
        elif isinstance(node.value, cst.Name):
            self.mark(node.value, "assign")
        yield node.value
        for target in targets:
            yield from self._bind(target, "assign", node.value)

    def visit_annassign(self, node: cst.AnnAssign) -> Walk:
        yield node.annotation.annotation
        if node.value is not None:
            if isinstance(node.value, cst.Call):
                self.mark(node.value, ("assign", self._assign_context(node.target)))
            yield node.value
            yield from self._bind(node.target, "assign", node.value, node.annotation.annotation)
        else:
            yield from self._bind(node.target, "annotation", None, node.annotation.annotation)

    def visit_augassign(self, node: cst.AugAssign) -> Walk:
        yield node.value
        yield from self._bind(node.target, "unknown", None)

    def visit_namedexpr(self, node: cst.NamedExpr) -> Walk:
        if isinstance(node.value, cst.Call):
            self.mark(node.value, ("assign", self._assign_context(node.target)))
        yield node.value
        yield from self._bind(node.target, "assign", node.value)

    def visit_for(self, node: cst.For) -> Walk:
        yield node.iter
        yield from self._bind(node.target, "unknown", None)
        yield node.body
        if node.orelse is not None:
            yield node.orelse

    def visit_except(self, node: Union[cst.ExceptHandler, cst.ExceptStarHandler]) -> Walk:
        if node.type is not None:
            yield node.type
        if node.name is not None and isinstance(node.name.name, cst.Name):
            self.scope.bind(node.name.name.value, Binding("unknown", None, self.scope))
        yield node.body

    def visit_comprehension(self, node: cst.CSTNode) -> Walk:
        saved = self.scope
        self.scope = Scope("comprehension", saved, function=saved.function, klass=None)
        yield node.for_in  # type: ignore[attr-defined]
        for name in ("elt", "key", "value"):
            child = getattr(node, name, None)
            if child is not None:
                yield child
        self.scope = saved

    def visit_compfor(self, node: cst.CompFor) -> Walk:
        yield node.iter
        yield from self._bind(node.target, "unknown", None)
        for condition in node.ifs:
            yield condition.test
        if node.inner_for_in is not None:
            yield node.inner_for_in

    def visit_with(self, node: cst.With) -> Walk:
        is_async = node.asynchronous is not None
        for item in node.items:
            if isinstance(item.item, cst.Call):
                expected = self.m.expectation_kind(item.item, self.scope)
                if expected is not None:
                    # `with pytest.raises(...)`: the body is expected to fail
                    self.m.expectations.append((node.body, expected))
        for item in node.items:
            expr = item.item
            if isinstance(expr, cst.Call):
                self.mark(expr, "async_with" if is_async else "with")
            elif isinstance(expr, cst.Name):
                self.mark(expr, "async_with" if is_async else "with")
            self.m.with_items.append(WithItemSite(item, is_async, self.scope, self.function, node))
            yield expr
            if item.asname is not None:
                yield from self._bind(item.asname.name, "async_with" if is_async else "with", expr)
        yield node.body

    def _test(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        self.test_depth += 1
        yield node
        self.test_depth -= 1

    def visit_while(self, node: cst.While) -> Walk:
        yield from self._test(node.test)
        yield node.body
        if node.orelse is not None:
            yield node.orelse

    def visit_ifexp(self, node: cst.IfExp) -> Walk:
        yield from self._test(node.test)
        yield node.body
        yield node.orelse

    def visit_assert(self, node: cst.Assert) -> Walk:
        yield from self._test(node.test)
        if node.msg is not None:
            yield node.msg

    def visit_boolop(self, node: cst.BooleanOperation) -> Walk:
        # `resp.data or b"{}"`: each operand is tested for truth
        yield from self._test(node.left)
        yield from self._test(node.right)

    def visit_try(self, node: Union[cst.Try, cst.TryStar]) -> Walk:
        info = TryInfo(node, self.scope, self.function, self.try_stack[-1] if self.try_stack else None)
        self.m.tries.append(info)
        self.try_stack.append(info)
        yield node.body
        self.try_stack.pop()
        for handler in node.handlers:
            clause = ExceptInfo(handler, info, self.scope, self.function)
            info.handlers.append(clause)
            self.except_stack.append(clause)
            yield from self.visit_except(handler)
            self.except_stack.pop()
        if node.orelse is not None:
            yield node.orelse
        if node.finalbody is not None:
            yield node.finalbody

    def visit_raise(self, node: cst.Raise) -> Walk:
        self.m.raises.append(RaiseSite(node, self.scope, self.function))
        for clause in self.except_stack:
            clause.raises.append(node)
        if node.exc is not None:
            yield node.exc
        if node.cause is not None:
            yield node.cause.item

    def visit_if(self, node: cst.If) -> Walk:
        yield from self._test(node.test)
        guard = _is_main_guard(node.test)
        if guard:
            self.main_guard_depth += 1
        yield node.body
        if guard:
            self.main_guard_depth -= 1
        if node.orelse is not None:
            yield node.orelse

    # -- imports -------------------------------------------------------------------------------------

    def visit_import(self, node: cst.Import) -> None:
        for alias in node.names:
            module = _module_name(alias.name)
            self.m.imports.append(ImportSite(node, module, alias.name))
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
                self.scope.bind(local, Binding("import", None, self.scope, target=module))
            else:
                root = module.split(".", 1)[0]
                self.scope.bind(root, Binding("import", None, self.scope, target=root))

    def visit_importfrom(self, node: cst.ImportFrom) -> None:
        module = _module_name(node.module) if node.module is not None else ""
        if node.relative:
            module = "." * len(node.relative) + module
        anchor = node.module if node.module is not None else node
        names: list[str] = []
        if not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                name = _module_name(alias.name)
                names.append(name)
                local = (
                    alias.asname.name.value
                    if alias.asname is not None and isinstance(alias.asname.name, cst.Name)
                    else name
                )
                target = f"{module}{name}" if module.endswith(".") else f"{module}.{name}"
                self.scope.bind(local, Binding("import", None, self.scope, target=target))
        self.m.imports.append(ImportSite(node, module, anchor, tuple(names)))

    def visit_global(self, node: cst.Global) -> None:
        for item in node.names:
            self.scope.global_names.add(item.name.value)

    def visit_nonlocal(self, node: cst.Nonlocal) -> None:
        for item in node.names:
            self.scope.nonlocal_names.add(item.name.value)

    # -- expressions ---------------------------------------------------------------------------------

    def visit_statement_line(self, node: cst.SimpleStatementLine) -> Walk:
        saved = self.statement
        self.statement = node
        for small in node.body:
            yield small
        self.statement = saved

    def visit_expr(self, node: cst.Expr) -> Walk:
        if isinstance(node.value, cst.Call):
            self.mark(node.value, "stmt")
        yield node.value

    def visit_return(self, node: cst.Return) -> Walk:
        for clause in self.except_stack:
            clause.returns.append(node)
        if node.value is not None:
            self.mark(node.value, "return")
            if self.function is not None:
                self.function.returns.append(node.value)
            yield node.value

    def visit_yield(self, node: cst.Yield) -> Walk:
        value = node.value
        if self.function is not None and self.function.calls_before_yield is None:
            self.function.calls_before_yield = len(self.function.calls)
        if self.function is not None and not isinstance(value, cst.From):
            # `yield` with no value still makes a generator
            self.function.yields.append(value if value is not None else node)
        if value is not None:
            if isinstance(value, cst.From):
                yield value.item
            else:
                self.mark(value, "yield")
                yield value

    def visit_await(self, node: cst.Await) -> Walk:
        self.m.awaits.append(AwaitSite(node, self.scope, self.function))
        self.mark(node.expression, "await")
        yield node.expression

    def visit_name(self, node: cst.Name) -> None:
        context = self.ctx.pop(id(node), "other")
        if isinstance(context, tuple):
            context = context[0]
        self.use(node.value, context)
        if self.test_depth:
            self.scope.test_names.add(node.value)

    def visit_attribute(self, node: cst.Attribute) -> Walk:
        context = self.ctx.pop(id(node), None)
        self.m.attributes.append(AttributeSite(node, self.scope, self.function, context == "store"))
        value = node.value
        if isinstance(value, cst.Name):
            self.use(value.value, "attr", node.attr.value)
            if self.test_depth:
                self.scope.test_names.add(value.value)
            return
        if isinstance(value, cst.Call):
            self.mark(value, "attr")
        yield value

    def visit_subscript(self, node: cst.Subscript) -> Walk:
        context = self.ctx.pop(id(node), None)
        self.m.subscripts.append(SubscriptSite(node, self.scope, self.function, context == "store"))
        if isinstance(node.value, cst.Name):
            self.use(node.value.value, "subscript")
            if self.test_depth:
                self.scope.test_names.add(node.value.value)
        else:
            yield node.value
        for element in node.slice:
            yield element

    def visit_call(self, node: cst.Call) -> Walk:
        context = self.ctx.pop(id(node), "other")
        target = None
        if isinstance(context, tuple):
            context, target = context
        site = CallSite(
            node,
            self.scope,
            self.function,
            context,
            target,
            offloaded=self.offload_depth > 0,
            in_main_guard=self.main_guard_depth > 0,
            statement=self.statement,
        )
        if self.try_stack:
            site.tries = tuple(self.try_stack)
            for info in self.try_stack:
                info.calls.append(site)
        if self.except_stack:
            site.in_except = self.except_stack[-1]
            for clause in self.except_stack:
                clause.calls.append(site)
        self.m.calls.append(site)
        if self.function is not None:
            self.function.calls.append(site)
        else:
            self.m.module_calls.append(site)

        func = node.func
        if isinstance(func, cst.Name):
            self.use(func.value, "call")
        else:
            yield func
        if len(node.args) > 1:
            expected = self.m.expectation_kind(node, self.scope)
            if expected is not None:
                # the callable form, `pytest.raises(E, func, *args)`: the arguments are expected to fail
                self.m.expectations.append((node, expected))
        offload = self.m.is_thread_offload_syntax(func, self.scope)
        if offload:
            self.offload_depth += 1
        for arg in node.args:
            value = arg.value
            if isinstance(value, cst.Call):
                self.ctx[id(value)] = "arg"
                self.m.parent_calls[id(value)] = node
            elif isinstance(value, cst.Name):
                self.ctx[id(value)] = "arg"
            yield value
        if offload:
            self.offload_depth -= 1


_DONE = object()


def _children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    for name in semantic_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            yield value
        elif type(value) is tuple or type(value) is list:
            for item in value:
                if isinstance(item, cst.CSTNode):
                    yield item


def _ignore(node: cst.CSTNode) -> None:
    return None


def all_params(params: cst.Parameters) -> Iterator[cst.Param]:
    yield from params.posonly_params
    yield from params.params
    if isinstance(params.star_arg, cst.Param):
        yield params.star_arg
    yield from params.kwonly_params
    if params.star_kwarg is not None:
        yield params.star_kwarg


def _has_decorator(node: Union[cst.FunctionDef, cst.Lambda], name: str) -> bool:
    if not isinstance(node, cst.FunctionDef):
        return False
    for decorator in node.decorators:
        expr = decorator.decorator
        if isinstance(expr, cst.Name) and expr.value == name:
            return True
    return False


def _is_main_guard(test: cst.BaseExpression) -> bool:
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    left, right = test.left, test.comparisons[0].comparator
    if not isinstance(test.comparisons[0].operator, cst.Equal):
        return False
    names = {getattr(left, "value", None), getattr(right, "value", None)}
    return "__name__" in names and ('"__main__"' in names or "'__main__'" in names)


# --------------------------------------------------------------------------------------------------
# The model: records plus the questions rules ask.
# --------------------------------------------------------------------------------------------------

_MAX_CALL_DEPTH = 3
# Evaluations in progress at once (each a few Python frames): `a.b.c...` or `f()()...` thousands long is
# never a client or a handler; past this it is unknown rather than a RecursionError.
_MAX_VALUE_NESTING = 100


class ModuleModel:
    """Facts about one module. Build with `ModuleModel.build(module)`."""

    def __init__(self, module: cst.Module, options: Optional[dict] = None) -> None:
        self.module = module
        self.options = options or {}
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
        self._imported_roots: Optional[set[str]] = None
        self._caught_memo: dict[int, tuple[str, ...]] = {}

    @classmethod
    def build(cls, module: cst.Module, options: Optional[dict] = None) -> "ModuleModel":
        model = cls(module, options)
        builder = ModelBuilder(model)
        builder.visit(module)
        # Values asked for during the walk (thread offloads) saw a partial picture: forget them.
        model._value_memo.clear()
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

    # -- code that expects a failure -----------------------------------------------------------------

    def expectation_kind(self, call: cst.Call, scope: Scope) -> Optional[str]:
        """"raises" for `pytest.raises(...)` / `self.assertRaises(...)` / `assertRaisesRegex`, "warns" for
        `pytest.warns(...)` / `pytest.deprecated_call()` / `self.assertWarns(...)` / `assertWarnsRegex`;
        None for any other call. The unittest methods count on any receiver (`self`, a TestCase helper)."""
        func = call.func
        if isinstance(func, cst.Attribute):
            attr = func.attr.value
            if attr in known.EXPECT_RAISES_METHODS:
                return "raises"
            if attr in known.EXPECT_WARNS_METHODS:
                return "warns"
        path = self.qualified_name(func, scope) if isinstance(func, (cst.Name, cst.Attribute)) else None
        if path in known.EXPECT_RAISES_FUNCTIONS:
            return "raises"
        if path in known.EXPECT_WARNS_FUNCTIONS:
            return "warns"
        return None

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
            path = self.qualified_name(site.node.func, site.scope) if isinstance(site.node.func, (cst.Name, cst.Attribute)) else None
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
                if _first_string_arg(self, expr, info.outer_scope, ("event_type",)) == "startup":
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
        for owner in self._class_chain(klass):
            method = owner.methods.get(attr)
            if method is not None:
                if _has_decorator(method.node, "property") or self.decorated_with(method, "functools.cached_property"):
                    if through_class:
                        return UNKNOWN
                    return self._returned_value(method, depth + 1)
                return FunctionRef(method)
            bindings = owner.attributes.get(attr)
            if bindings:
                return self._join(self._binding_value(b, depth) for b in bindings)
        return UNKNOWN

    def _class_chain(self, klass: ClassInfo) -> Iterator[ClassInfo]:
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
        for owner in self._class_chain(klass):
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
        for owner in self._class_chain(value.local):
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
        # Subscription of the app, a router prefix): "subscriber-functions" holds their qualified names
        declared = frozenset(self.options.get("subscriber-functions", ()) or ())
        if not routes and not declared:
            return
        for handler in list(self.handlers):
            if handler.kind != "route":
                continue
            if (handler.path is not None and "/" + handler.path.lstrip("/") in routes) or handler.function.qualname in declared:
                subscription = Handler(
                    "subscription",
                    f"programmatic-{handler.framework}",
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
                value = self.value_of(element.value, scope)
                if isinstance(value, Const) and isinstance(value.value, str):
                    found.add(value.value)
            elif key == Const("routes") and isinstance(element.value, cst.Dict):
                for inner in element.value.elements:
                    if not isinstance(inner, cst.DictElement):
                        continue
                    inner_key = self.value_of(inner.key, scope)
                    if inner_key == Const("default"):
                        value = self.value_of(inner.value, scope)
                        if isinstance(value, Const) and isinstance(value.value, str):
                            found.add(value.value)
                    elif inner_key == Const("rules") and isinstance(inner.value, cst.List):
                        for rule in inner.value.elements:
                            if isinstance(rule.value, cst.Dict):
                                for part in rule.value.elements:
                                    if isinstance(part, cst.DictElement) and self.value_of(part.key, scope) == Const("path"):
                                        value = self.value_of(part.value, scope)
                                        if isinstance(value, Const) and isinstance(value.value, str):
                                            found.add(value.value)
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
        path = _first_string_arg(self, call, scope, ("path", "rule", "route")) if call is not None else None
        if receiver is None:
            return self._handler_by_shape(decorator, info, call, attr, path)
        if receiver in (known.FASTAPI_APP, known.FASTAPI_ROUTER, known.STARLETTE_APP):
            if attr in known.HTTP_ROUTE_METHODS or attr == "websocket":
                framework = "starlette" if receiver == known.STARLETTE_APP else "fastapi"
                return Handler("route", framework, info, decorator, path, call=call)
            return None
        if receiver in (known.FLASK_APP, known.FLASK_BLUEPRINT):
            if attr in known.HTTP_ROUTE_METHODS:
                return Handler("route", "flask", info, decorator, path, call=call)
            return None
        if receiver in (known.FASTAPI_DAPR_APP, known.FLASK_DAPR_APP) and attr == "subscribe":
            framework = "dapr-fastapi" if receiver == known.FASTAPI_DAPR_APP else "dapr-flask"
            route = _keyword_string(self, call, scope, "route") if call is not None else None
            return Handler("subscription", framework, info, decorator, route, call=call)
        if receiver == known.GRPC_APP and attr in ("subscribe", "method", "binding", "job_event"):
            kind = {"subscribe": "grpc_subscription", "method": "grpc_method", "binding": "grpc_binding", "job_event": "grpc_job"}[attr]
            return Handler(kind, "dapr-grpc", info, decorator, None, call=call)
        if receiver == known.WORKFLOW_RUNTIME and attr in ("workflow", "activity", "versioned_workflow"):
            kind = "activity" if attr == "activity" else "workflow"
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
        if attr == "subscribe" and call is not None and _has_keyword(call, "topic"):
            if self.imports_module("dapr.ext.fastapi"):
                return Handler("subscription", "dapr-fastapi", info, decorator, None, resolved=False, call=call)
            if self.imports_module("dapr.ext.flask") or self.imports_module("flask_dapr"):
                return Handler("subscription", "dapr-flask", info, decorator, None, resolved=False, call=call)
        if attr in ("workflow", "activity") and self.imports_module("dapr.ext.workflow") and not self._is_local_object(decorator, info):
            kind = "activity" if attr == "activity" else "workflow"
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
                return self._registered(site, endpoint, "route", "fastapi", _first_string_arg(self, site.node, site.scope, ("path",)))
            if receiver in (known.FLASK_APP, known.FLASK_BLUEPRINT) and attr == "add_url_rule":
                endpoint = argument(site.node, 2, "view_func")
                return self._registered(site, endpoint, "route", "flask", _first_string_arg(self, site.node, site.scope, ("rule",)))
            if receiver == known.WORKFLOW_RUNTIME and attr.startswith("register_"):
                kind = "activity" if attr == "register_activity" else "workflow"
                return self._registered(site, argument(site.node, 0, "fn"), kind, "workflow", None)
            return None
        if isinstance(func, cst.Name) or isinstance(func, cst.Attribute):
            path = self.qualified_name(func, site.scope)
            if path in ("starlette.routing.Route", "starlette.routing.WebSocketRoute") and args:
                return self._registered(site, argument(site.node, 1, "endpoint"), "route", "starlette", _first_string_arg(self, site.node, site.scope, ("path",)))
        return None

    def _registered(self, site: CallSite, endpoint: Optional[cst.BaseExpression], kind: str, framework: str, path: Optional[str]) -> Optional[Handler]:
        if endpoint is None:
            return None
        value = self.value_of(endpoint, site.scope)
        if not isinstance(value, FunctionRef):
            return None
        return Handler(kind, framework, value.info, site.node, path, call=site.node)

    # -- literal payloads ----------------------------------------------------------------------------

    def dict_literal_of(self, expr: Optional[cst.CSTNode], scope: Scope) -> Optional[tuple[cst.Dict, Scope]]:
        """The dict display an expression is, with the scope its entries are evaluated in: the display
        itself, or a name bound once, to a display, and never changed afterwards through a subscript or
        a mutating method."""
        if isinstance(expr, cst.Dict):
            return expr, scope
        if not isinstance(expr, cst.Name):
            return None
        binding = self._single_assignment(expr.value, scope)
        if binding is None or not isinstance(binding.value, cst.Dict):
            return None
        return binding.value, binding.scope

    def json_dumped_dict(self, expr: Optional[cst.CSTNode], scope: Scope) -> Optional[tuple[cst.Dict, Scope]]:
        """The dict display serialised by `json.dumps(<display>)`, directly or through a name bound once."""
        if isinstance(expr, cst.Name):
            binding = self._single_assignment(expr.value, scope)
            if binding is None:
                return None
            expr, scope = binding.value, binding.scope
        if not isinstance(expr, cst.Call) or not expr.args or expr.args[0].keyword is not None:
            return None
        func = self.value_of(expr.func, scope)
        if not isinstance(func, Ref) or known.canonical(func.path) != "json.dumps":
            return None
        return self.dict_literal_of(expr.args[0].value, scope)

    def sdk_call(self, site: CallSite) -> Optional[tuple[str, str, tuple[str, ...]]]:
        """(owner class path, method name or "__init__", parameter names) when a call is a method of a
        Dapr client (or a local subclass) or constructs one of the SDK's payload classes (StateItem,
        TransactionalStateOperation, BulkPublishEntry)."""
        func = site.node.func
        if isinstance(func, cst.Attribute):
            kind = self.client_of(func.value, site.scope)
            if kind is not None:
                member = MEMBERS.get(kind.path, {}).get(func.attr.value)
                if member is None or member.get("kind") != "method" or member.get("params") is None:
                    return None
                return kind.path, func.attr.value, member["params"]
        if isinstance(func, (cst.Name, cst.Attribute)):
            value = self.value_of(func, site.scope)
            if isinstance(value, Ref):
                path = known.canonical(value.path)
                params = known.PAYLOAD_CLASSES.get(path)
                if params is not None:
                    return path, "__init__", params
        return None

    def _single_assignment(self, name: str, scope: Scope) -> Optional[Binding]:
        bindings = self.lookup(name, scope)
        if not bindings or len(bindings) != 1 or bindings[0].kind != "assign" or bindings[0].value is None:
            return None
        binding = bindings[0]
        home = binding.scope
        for context, detail in self.uses_of(name, home):
            if context == "subscript" or context == "nested" or (context == "attr" and detail in _MUTATORS):
                return None
        return binding

    # -- state responses -----------------------------------------------------------------------------

    def is_state_response(self, expr: cst.CSTNode, scope: Scope) -> bool:
        """Whether an expression is a StateResponse that may hold no data (what `get_state` returns for a missing
        key). One built here from a non-empty literal (`StateResponse(data=b'{"a": 1}')`, a test double) cannot
        be empty."""
        value = self.value_of(expr, scope)
        if not (isinstance(value, Instance) and value.local is None and value.path == known.STATE_RESPONSE):
            return False
        built: Optional[cst.CSTNode] = expr
        if isinstance(expr, cst.Name):
            binding = self._single_assignment(expr.value, scope)
            built = binding.value if binding is not None else None
        if isinstance(built, cst.Call) and self.qualified_name(built.func, scope) == known.STATE_RESPONSE:
            data = argument(built, 0, "data")
            literal = self.value_of(data, scope) if data is not None else None
            if isinstance(literal, Const) and isinstance(literal.value, (str, bytes)) and literal.value:
                return False
        return True

    def is_tested(self, name: str, scope: Scope) -> bool:
        """Whether `name` is read in a condition in `scope` or an enclosing scope of the same function
        (`if resp.data:`, `resp.data or b"{}"`, `assert resp.etag`)."""
        current: Optional[Scope] = scope
        while current is not None:
            if name in current.test_names:
                return True
            if current.kind != "comprehension":
                return False
            current = current.parent
        return False

    # -- exceptions ----------------------------------------------------------------------------------

    def caught_types(self, clause: ExceptInfo) -> tuple[str, ...]:
        """The exception classes an except clause catches, as canonical paths (`grpc.RpcError`) or builtin
        names (`Exception`); "BaseException" for a bare `except:`, "?" for a class the model cannot
        resolve."""
        memo_key = id(clause.node)
        memo = self._caught_memo.get(memo_key)
        if memo is not None:
            return memo
        node = clause.node.type
        if node is None:
            result: tuple[str, ...] = ("BaseException",)
        else:
            elements = [e.value for e in node.elements] if isinstance(node, (cst.Tuple, cst.List)) else [node]
            result = tuple(self._exception_path(e, clause.scope) for e in elements)
        self._caught_memo[memo_key] = result
        return result

    def _exception_path(self, expr: cst.CSTNode, scope: Scope) -> str:
        if isinstance(expr, cst.Name) and not self.lookup(expr.value, scope):
            return expr.value  # a builtin
        value = self.value_of(expr, scope)
        if isinstance(value, Ref):
            return known.canonical_exception(value.path)
        if isinstance(value, ClassRef):
            # a local exception class: what it derives from decides what it catches
            return "local:" + value.info.qualname
        return "?"

    def catches(self, clause: ExceptInfo, family: str) -> bool:
        """Whether an except clause catches errors of a family: "dapr" (any error a Dapr client call
        raises, with unknown classes counted as catching), "grpc" (grpc.RpcError and DaprGrpcError),
        "internal" (DaprInternalError), "json" (JSONDecodeError), "any" (Exception, BaseException, bare)."""
        types = self.caught_types(clause)
        broad = any(t in known.BROAD_EXCEPTIONS for t in types)
        if family == "any":
            return broad
        if family == "dapr":
            # A class of this module is not in the MRO of any SDK error, so it catches none of them.
            return broad or any(t in known.DAPR_ERROR_CLASSES or t == "?" for t in types)
        if family == "grpc":
            return broad or any(t in known.GRPC_ERROR_CLASSES for t in types)
        if family == "internal":
            return any(t in known.DAPR_INTERNAL_ERROR_CLASSES for t in types)
        if family == "json":
            return broad or any(t in known.JSON_ERROR_CLASSES for t in types)
        raise ValueError(family)

    def protected_by(self, site: CallSite, family: str) -> bool:
        """Whether a call sits in the body of a `try` (same function) with a clause catching `family`."""
        return any(self.catches(clause, family) for info in site.tries for clause in info.handlers)

    def exception_raised(self, node: cst.Raise, scope: Scope) -> Optional[str]:
        """The class a `raise` statement raises (`raise SystemExit(1)`, `raise SystemExit`), or None."""
        exc = node.exc
        if exc is None:
            return None
        if isinstance(exc, cst.Call):
            exc = exc.func
        if isinstance(exc, (cst.Name, cst.Attribute)):
            path = self._exception_path(exc, scope)
            return None if path == "?" else path
        return None

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


# Methods that change a dict in place.
_MUTATORS = frozenset({"update", "setdefault", "pop", "popitem", "clear", "__setitem__", "__delitem__"})

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


def is_none_literal(node: Optional[cst.CSTNode]) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _has_keyword(call: cst.Call, name: str) -> bool:
    return any(arg.keyword is not None and arg.keyword.value == name for arg in call.args)


def call_argument(call: cst.Call, params: tuple[str, ...], name: str) -> Optional[cst.Arg]:
    """The argument a call passes for parameter `name` of a signature (keyword, or positional by the
    parameter's place); None when absent or hidden behind `*args`/`**kwargs`."""
    position = params.index(name) if name in params else None
    index = 0
    for arg in call.args:
        if arg.keyword is not None:
            if arg.keyword.value == name:
                return arg
            continue
        if arg.star:
            return None  # positions after *args are unknown
        if index == position:
            return arg
        index += 1
    return None


def has_star_kwargs(call: cst.Call) -> bool:
    return any(arg.star == "**" for arg in call.args)


def argument(
    call: cst.Call, position: Optional[int], keyword: Union[str, tuple[str, ...]]
) -> Optional[cst.BaseExpression]:
    """The value passed as `keyword=` (or any of several names), else the `position`-th positional
    argument (None: keyword only)."""
    keywords = (keyword,) if isinstance(keyword, str) else keyword
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in keywords:
            return arg.value
    if position is None:
        return None
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    return positional[position].value if len(positional) > position else None


def _first_string_arg(model: ModuleModel, call: Optional[cst.Call], scope: Scope, keywords: tuple[str, ...]) -> Optional[str]:
    if call is None:
        return None
    expr = None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in keywords:
            expr = arg.value
            break
    if expr is None:
        positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
        expr = positional[0].value if positional else None
    if expr is None:
        return None
    value = model.value_of(expr, scope)
    return value.value if isinstance(value, Const) and isinstance(value.value, str) else None


def _keyword_string(model: ModuleModel, call: Optional[cst.Call], scope: Scope, keyword: str) -> Optional[str]:
    if call is None:
        return None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            value = model.value_of(arg.value, scope)
            if isinstance(value, Const) and isinstance(value.value, str):
                return value.value
    return None


# Methods on a sync client that do no network I/O, so calling them on the event loop is harmless.
_NON_BLOCKING_METHODS = frozenset({"close", "get_credentials", "invoke_method_async"})


def is_blocking_method(kind: known.ClientKind, method: str) -> bool:
    if method in _NON_BLOCKING_METHODS or method.startswith("_"):
        return False
    return method in MEMBERS.get(kind.path, {})
