"""The walk: one pass over a module that fills a ModuleModel with records."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator, Optional, Union

import libcst as cst

from dapr_lint.python.model.records import (
    AttributeSite,
    AwaitSite,
    Binding,
    CallSite,
    ClassInfo,
    ExceptInfo,
    FunctionInfo,
    ImportSite,
    RaiseSite,
    Scope,
    SubscriptSite,
    TryInfo,
    WithItemSite,
)
from dapr_lint.python.model.clients import client_facts
from dapr_lint.python.walk import children
from dapr_lint.python.model.exceptions import exception_facts

if TYPE_CHECKING:
    from dapr_lint.python.model import ModuleModel

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


class _WalkState:
    """The walk's position (scope, function, class, the try/except and offload context around it), its dispatch,
    and how names get bound and read. The handlers that record definitions and sites are the subclasses'."""

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
        # node type -> its walking handler (filled by ModelBuilder)
        self.handlers: dict[type, Any] = {}

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
            stack.append(children(node))
            return
        steps = handler(node)
        if steps is not None:  # handlers with nothing to walk below are plain functions
            stack.append(steps)

    def mark(self, node: Optional[cst.CSTNode], context: Any) -> None:
        if node is not None:
            self.ctx[id(node)] = context

    # -- scopes and bindings -------------------------------------------------------------------------

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

    def _test(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        self.test_depth += 1
        yield node
        self.test_depth -= 1


class _DefinitionWalk(_WalkState):
    """Definitions and bindings: functions, lambdas, classes, assignments, loop and comprehension targets, except
    names, imports, global and nonlocal declarations."""

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


class ModelBuilder(_DefinitionWalk):
    """Walks a module once and fills a ModuleModel: the definitions (_DefinitionWalk), control flow (with, try,
    raise, tests, the `__main__` guard) and the sites rules ask about (calls, awaits, attributes, subscripts,
    returns, yields)."""

    def __init__(self, model: "ModuleModel") -> None:
        super().__init__(model)
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

    def visit_with(self, node: cst.With) -> Walk:
        is_async = node.asynchronous is not None
        for item in node.items:
            if isinstance(item.item, cst.Call):
                expected = exception_facts(self.m).expectation_kind(item.item, self.scope)
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
            expected = exception_facts(self.m).expectation_kind(node, self.scope)
            if expected is not None:
                # the callable form, `pytest.raises(E, func, *args)`: the arguments are expected to fail
                self.m.expectations.append((node, expected))
        offload = client_facts(self.m).is_thread_offload_syntax(func, self.scope)
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
