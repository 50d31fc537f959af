"""The records the walk produces: bindings, scopes, functions, classes, sites, handlers, and the module's records
as a whole (ModuleRecords)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Sequence, Union

import libcst as cst

from dapr_lint.python.model.vocabulary import CallContext, Framework, HandlerKind

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
    # The syntactic place of the call.
    context: CallContext
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

    kind: HandlerKind
    framework: Framework
    function: FunctionInfo
    node: cst.CSTNode  # the decorator or registration call
    path: Optional[str] = None
    # The receiver's type was resolved (False: recognised by shape in a module importing the framework).
    resolved: bool = True
    call: Optional[cst.Call] = None


class ModuleRecords:
    """What the walk records about one module (model/builder.py fills it), and the questions the records answer
    without resolving a name: which modules it imports, where a name is read. ModuleModel adds resolution."""

    def __init__(self, module: cst.Module) -> None:
        self.module = module
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
        # routes a `GET /dapr/subscribe` handler of this module lists (model/handlers.py)
        self.programmatic_routes: frozenset[str] = frozenset()
        # every dotted prefix of every imported path (`a`, `a.b` for `from a import b`), with the number of
        # imports it was built from (the walk appends)
        self._import_prefixes: tuple[int, frozenset[str]] = (-1, frozenset())

    def imports_module(self, prefix: str) -> bool:
        """Whether any import in the module is of `prefix` or below it (`fastapi`, `dapr.ext.fastapi`)."""
        count, prefixes = self._import_prefixes
        if count != len(self.imports):
            found: set[str] = set()
            for site in self.imports:
                paths = [site.module, *(f"{site.module}.{name}" for name in site.names)]
                for path in paths:
                    # `path == prefix or path.startswith(prefix + ".")`, for every prefix at once
                    found.add(path)
                    found.update(path[:index] for index, char in enumerate(path) if char == ".")
            prefixes = frozenset(found)
            self._import_prefixes = (len(self.imports), prefixes)
        return prefix in prefixes

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
