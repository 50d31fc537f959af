"""The workflow family in the first pass (python/gate.py): the `dapr.ext.workflow` shapes the walk reads itself.

- The workflow context class (`DaprWorkflowContext`, `model/workflow_facts.py` WORKFLOW_CONTEXTS) is compared
  by the model in one place only: the annotation of a parameter (`context_method`: `ctx.call_activity(...)` and
  the other context methods the DPR7xx rules read). It is in no member table, so the model types no instance of
  it: a construction (`DaprWorkflowContext(ctx, options)`) is a value it knows nothing of. The class passes here
  only as the callee of a call; anything else (an annotation, a string annotation, an alias, an argument, a
  member) opens.
- A registration (`<x>.register_workflow(fn, name=...)`, `register_activity`, `register_versioned_workflow`) is
  read by the workflow facet on any receiver (`_Builder._registration_call`) and by the handlers
  (`_handler_from_registration`, a WorkflowRuntime's only). It passes here only where the model records no
  registration and no handler and marks the module's registrations not known (`opaque`): the module imports
  `dapr.ext.workflow` (else the receiver's resolution decides), no star argument, the function registered a
  name bound only as parameters (never a local function or an import path: no handler, no function name), and
  `name=` absent, `None` or such a name too (never a string or an import path: no registered name). The SDK's
  own WorkflowRuntime registering a caller's function is that shape.
- A workflow client (`DaprWorkflowClient`, sync or aio) passes only where the model types nothing it reads by
  it (`read_clients`): built with no argument as the fallback of `or` whose value is stored in an attribute
  (`self._client = client or DaprWorkflowClient()`: the model has no value for `or`, so the attribute holds no
  client and nothing called on it is a client call), and named in the annotation of a parameter read only as an
  operand of `or` (or in a return annotation, or a subscript typing nothing: python/gate_held.py). The
  construction is all the model reads there (`constructed_client`): no rule reports a workflow client's
  construction outside a handler or a workflow (none in a closed file) or in an `async def` (DPR101 reads only
  the Dapr clients' constructions), and the summary gives the def or method building a sync one its blocking
  entry (python/summary_blocking.py `_blocking`, when nothing may call it: gate_clients.py `_check_not_called`).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from dapr_lint.python import known
from dapr_lint.python.gate_held import Key, definition, types_nothing
from dapr_lint.python.model.workflow_facts import WORKFLOW_CONTEXTS

if TYPE_CHECKING:
    from dapr_lint.python.gate import _Binding, _Scope, _WalkFacts

# The workflow context classes (canonical paths): read here where they are called.
CONTEXT_CLASSES = WORKFLOW_CONTEXTS
# The workflow client classes (canonical paths; the Dapr clients are python/gate_clients.py's).
CLIENT_CLASSES = frozenset(path for path, kind in known.CLIENTS.items() if kind.family == "workflow")
# typing's wrappers `type_from_annotation` reads a parameter's annotation through (to a client instance)
_WRAPPERS = frozenset({"typing.Optional", "typing.Union", "typing_extensions.Optional", "typing.Annotated", "typing_extensions.Annotated"})


class Open(Exception):
    """The model may read a workflow name where the first pass does not: the file goes the full way."""


def check_context(walk: "_WalkFacts", expr: ast.expr, parents: dict[int, ast.AST]) -> None:
    """A context class named where the model compares nothing with it: the callee of a call, or the annotation
    of a parameter that is never the receiver of a call (`context_method` reads the annotation only for such a
    call; a name in a string annotation has no parent here, and opens)."""
    up = parents.get(id(expr))
    if isinstance(up, ast.Call) and up.func is expr:
        return
    if not (isinstance(up, ast.arg) and up.annotation is expr):
        raise Open  # an alias, an argument, a checked type, a wrapped annotation
    function = parents.get(id(parents.get(id(up))))
    info = next((f for f in walk.functions if f.node is function), None)
    bindings = info.inner.bindings.get(up.arg, []) if info is not None and info.inner is not None else []
    if len(bindings) != 1 or bindings[0].kind != "param":
        raise Open
    for chain, scope in walk.chains:
        if type(chain) is ast.Attribute and type(chain.value) is ast.Name:  # type: ignore[attr-defined]
            call = parents.get(id(chain))
            if isinstance(call, ast.Call) and call.func is chain and bindings[0] in (walk.lookup(chain.value.id, scope) or ()):  # type: ignore[attr-defined]
                raise Open  # `ctx.call_activity(...)`: the context methods the DPR7xx rules read


def opaque_registrations(walk: "_WalkFacts", calls: list[tuple[ast.Call, "_Scope"]]) -> bool:
    """Whether the registration calls at `calls` make the module's registrations not known, as the workflow facet
    reads them (always, for the shapes read here); opens on any other shape."""
    if not walk.imports_module("dapr.ext.workflow"):
        raise Open  # `_registration_call` then reads the receiver: a resolved WorkflowRuntime counts
    for call, scope in calls:
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            raise Open
        target = next((k.value for k in call.keywords if k.arg == "fn"), call.args[0] if call.args else None)
        if target is None or not only_parameters(walk, target, scope):
            raise Open  # a local function (a handler, its name), an import path, `self.method`
        name = next((k.value for k in call.keywords if k.arg == "name"), None)
        if name is not None and not (isinstance(name, ast.Constant) and name.value is None) and not only_parameters(walk, name, scope):
            raise Open  # a string or an import path: a registered name
    return True


def only_parameters(walk: "_WalkFacts", expr: ast.expr, scope: "_Scope") -> bool:
    """A name bound only as parameters (the model's value: unknown, or what an annotation types, never a
    function, a string or an import path)."""
    if not isinstance(expr, ast.Name):
        return False
    bindings = walk.lookup(expr.id, scope) or []
    return bool(bindings) and all(binding.kind == "param" for binding in bindings)


def read_clients(walk: "_WalkFacts", tree: ast.Module, uses: list[tuple[ast.expr, "_Scope"]]) -> dict[Key, ast.expr]:
    """The workflow client classes named at `uses`, read as the module docstring says: the callee of the first
    sync construction of each def or method holding one (its blocking entry), by where the summary keys it."""
    parents = walk.index(tree)[1]
    typed: list["_Binding"] = []  # the parameters annotated as a client
    first: dict[Key, tuple[tuple[int, int], ast.expr]] = {}
    for expr, scope in uses:
        up = parents.get(id(expr))
        if not (isinstance(up, ast.Call) and up.func is expr):
            if not types_nothing(walk, expr, scope, parents):
                typed.append(_annotated_parameter(walk, expr, scope, parents))
            continue
        if up.args or up.keywords or not _stored_fallback(up, parents):
            raise Open  # DPR108 (the constructor's keywords by the pin), a client the model may type
        function = _owner(up, parents)
        key = definition(walk, function, parents, tree)
        if key is None or known.CLIENTS[walk.value(expr, scope)[1]].is_async:
            continue  # module-level code, an aio client: no blocking entry
        if not isinstance(function, ast.FunctionDef) or function.decorator_list or _is_generator(function):
            raise Open  # DPR101 in a coroutine's helpers, a cached factory or a generator (`blocking_use`)
        at = (up.lineno, up.col_offset)
        if key not in first or at < first[key][0]:
            first[key] = (at, expr)
    for expr, scope in walk.chains:
        root = expr
        while type(root) is ast.Attribute:
            root = root.value  # type: ignore[attr-defined]
        if type(root) is ast.Name and any(b in typed for b in walk.lookup(root.id, scope) or ()):  # type: ignore[attr-defined]
            up = parents.get(id(expr))
            if expr is not root or not (isinstance(up, ast.BoolOp) and isinstance(up.op, ast.Or)):
                raise Open  # a client read: a call on it, returned, entered, handed on
    for key in first:
        _check_not_called(walk, key[1])
    return {key: callee for key, (_at, callee) in first.items()}


def _stored_fallback(call: ast.Call, parents: dict[int, ast.AST]) -> bool:
    """`<name>.<attr> = <x> or C()`: the construction the last operand of an `or` that one plain assignment
    stores in an attribute (the model's value of `or` is unknown, so the attribute holds no client)."""
    up = parents.get(id(call))
    if not (isinstance(up, ast.BoolOp) and isinstance(up.op, ast.Or) and up.values[-1] is call):
        return False
    statement = parents.get(id(up))
    return (
        isinstance(statement, ast.Assign) and statement.value is up and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Attribute) and isinstance(statement.targets[0].value, ast.Name)
    )


def _annotated_parameter(walk: "_WalkFacts", expr: ast.expr, scope: "_Scope", parents: dict[int, ast.AST]) -> "_Binding":
    """The parameter whose annotation names a client class (`C`, `Optional[C]`, `C | None`, `Union[C, None]`):
    its binding, whose reads `read_clients` checks. Opens for any other place (a string annotation among them)."""
    node: ast.AST = expr
    up = parents.get(id(node))
    while True:
        if isinstance(up, ast.Subscript) and up.slice is node and walk.path_of(up.value, scope) in _WRAPPERS:
            node, up = up, parents.get(id(up))
        elif isinstance(up, ast.Tuple) and isinstance(parents.get(id(up)), ast.Subscript):
            node, up = up, parents.get(id(up))
        elif isinstance(up, ast.BinOp) and isinstance(up.op, ast.BitOr):
            node, up = up, parents.get(id(up))
        else:
            break
    if not (isinstance(up, ast.arg) and up.annotation is node):
        raise Open  # an alias, an argument, a checked type, a variable's annotation
    function = parents.get(id(parents.get(id(up))))
    info = next((f for f in walk.functions if f.node is function), None)
    found = [b for b in (info.inner.bindings.get(up.arg, ()) if info is not None and info.inner is not None else ())]
    if len(found) != 1 or found[0].kind != "param":
        raise Open
    return found[0]


def _owner(node: ast.AST, parents: dict[int, ast.AST]) -> Optional[ast.AST]:
    """The `def`, `async def`, lambda or class whose body holds `node` (None: the module's)."""
    up = parents.get(id(node))
    while up is not None:
        if isinstance(up, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return up
        up = parents.get(id(up))
    return None


def _is_generator(function: ast.AST) -> bool:
    """A `yield` in the function's own body (not a nested function's)."""
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return True
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))
    return False


def _check_not_called(walk: "_WalkFacts", name: str) -> None:
    """Opens when a function may call the def or method `name` (its blocking entry would reach the caller's:
    summary_blocking `_blocking` follows `called_function`): the name read anywhere but at module level, or as a
    member anywhere but of `super()` (whose members the model does not resolve)."""
    for expr, scope in walk.chains:
        link: ast.expr = expr
        while type(link) is ast.Attribute:
            if link.attr == name and not _of_super(walk, link.value, scope):  # type: ignore[attr-defined]
                raise Open
            link = link.value  # type: ignore[attr-defined]
        if type(link) is ast.Name and link.id == name and scope is not walk.module:  # type: ignore[attr-defined]
            raise Open


def _of_super(walk: "_WalkFacts", expr: ast.expr, scope: "_Scope") -> bool:
    """`super()` (the builtin: no binding of the name)."""
    return (
        isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "super"
        and not walk.lookup("super", scope)
    )
