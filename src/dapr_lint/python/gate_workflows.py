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
- A sync workflow client built in a plain def or method (given only keywords the pin's constructor has: DPR108),
  its value dropped or bound once to a name read only in that def as the receiver of calls (`_read_call`): of
  members the pin has with keywords it has (DPR108), never awaited (DPR103), in no `try` DPR302 or DPR303 may
  report, `reuse_id_policy` given a value only in the body of a `with` that expects the warning (DPR109's finding
  is dropped there), each after the construction (the blocking entry is the construction's). Its
  `schedule_new_workflow` calls give the summary's targets (a string, an import path, a local def or `self`'s
  method by name), its `raise_workflow_event` calls the raised events. A def with a decorator this pass cannot
  name, or a cache's, opens (`blocking_use` reads `is_cached`). The aio client likewise, built anywhere with its
  value dropped, or bound in a coroutine where each call on it is awaited (DPR104): no blocking entry, and its
  calls block nothing (DPR101 reads the sync clients). A sync client bound in a coroutine run as the script
  (`asyncio.run(main())`, python/gate.py `on_loop`) likewise: DPR101 reads no call in a script entry.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from dapr_lint.python import known
from dapr_lint.python.gate_clients import _argument, _check_keyword, _check_tries, _member_known, _owner
from dapr_lint.python.gate_held import Key, chain_roots, definition, is_generator, sole_binding, types_nothing
from dapr_lint.python.model.workflow_facts import WORKFLOW_CONTEXTS
from dapr_lint.python.sdk_releases import SdkPin, unpinned
from dapr_lint.python.sdk_table import MEMBERS
from dapr_lint.summaries import ImportedName, StrValue

if TYPE_CHECKING:
    from dapr_lint.python.gate import _Binding, _Scope, _WalkFacts

# The workflow context classes (canonical paths): read here where they are called.
CONTEXT_CLASSES = WORKFLOW_CONTEXTS
# The workflow client classes (canonical paths; the Dapr clients are python/gate_clients.py's).
CLIENT_CLASSES = frozenset(path for path, kind in known.CLIENTS.items() if kind.family == "workflow")


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
    info = walk.function_of(function)
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


class ClientUses:
    """What the workflow clients of a module give its summary: the callee of the first sync construction of each
    def or method holding one (its blocking entry), by where the summary keys it; the workflows their calls start
    (`schedule_new_workflow`: method, name, function, remote, and the argument whose span it takes) and the events
    they raise (`raise_workflow_event`: name, remote, and the call), in the model's order."""

    def __init__(self) -> None:
        self.blocking: dict[Key, ast.expr] = {}
        self.targets: list[tuple[ast.Call, str, StrValue, Optional[str], bool, ast.expr]] = []
        self.raised: list[tuple[ast.Call, StrValue, bool]] = []
        self.calls: list[tuple[ast.Call, bool]] = []  # every call on a client bound to a name, whether it blocks nothing


def read_clients(walk: "_WalkFacts", tree: ast.Module, uses: list[tuple[ast.expr, "_Scope"]], sdk: Optional[SdkPin] = None) -> ClientUses:
    """The workflow client classes named at `uses`, read as the module docstring says."""
    parents = walk.index(tree)[1]
    pin = sdk or unpinned()  # the model's default (ModuleModel.build)
    typed: list["_Binding"] = []  # the parameters annotated as a client
    # id of a name's binding: the client, its def, whether its calls follow the def's blocking entry
    held: dict[int, tuple[known.ClientKind, Optional[ast.AST], bool]] = {}
    first: dict[Key, tuple[tuple[int, int], ast.expr]] = {}
    facts = ClientUses()
    for expr, scope in uses:
        up = parents.get(id(expr))
        if not (isinstance(up, ast.Call) and up.func is expr):
            if not types_nothing(walk, expr, scope, parents):
                typed.append(_annotated_parameter(walk, expr, scope, parents))
            continue
        kind = known.CLIENTS[walk.value(expr, scope)[1]]
        if up.args or any(k.arg is None for k in up.keywords):
            raise Open
        for keyword in up.keywords:
            _check_keyword(kind.path, "__init__", keyword.arg or "**", pin)  # DPR108
        function = _owner(up, parents)
        entry = isinstance(function, ast.AsyncFunctionDef) and _script_entry(walk, function)
        if not _stored_fallback(up, parents):
            binding = _held_by(walk, up, scope, parents)
            if kind.is_async and binding is not None and not isinstance(function, ast.AsyncFunctionDef):
                raise Open  # an aio client's calls outside a coroutine (DPR104)
            if not kind.is_async and not isinstance(function, ast.FunctionDef) and not entry:
                raise Open  # a sync client's calls on the event loop (DPR101), or at module level
            if binding is not None:
                held[id(binding)] = (kind, function, not kind.is_async and not entry)
        key = definition(walk, function, parents, tree)
        if key is None or kind.is_async or entry:
            continue  # module-level code, an aio client, a coroutine (`blocking_use`): no blocking entry
        if not isinstance(function, ast.FunctionDef) or _may_cache(walk, function) or is_generator(function):
            raise Open  # a cached factory or a generator (`blocking_use`)
        at = (up.lineno, up.col_offset)
        if key not in first or at < first[key][0]:
            first[key] = (at, expr)
    for expr, scope, root, bindings in chain_roots(walk):
        if any(b in typed for b in bindings):
            up = parents.get(id(expr))
            if expr is not root or not (isinstance(up, ast.BoolOp) and isinstance(up.op, ast.Or)):
                raise Open  # a client read: a call on it, returned, entered, handed on
        found = [held[id(b)] for b in bindings if id(b) in held]
        if found:
            if len(found) != len(bindings) or len(bindings) != 1 or bindings[0].scope is not scope:
                raise Open  # bound otherwise too, read in a nested scope
            _read_call(walk, facts, expr, root, scope, found[0], parents, pin)
    for key, (_at, callee) in first.items():
        _check_not_called(walk, key[1])
        facts.blocking[key] = callee
    for call, is_async in facts.calls:
        _check_first(call, None if is_async else first, parents, tree, walk)
    facts.targets.sort(key=lambda t: (t[0].lineno, t[0].col_offset))
    facts.raised.sort(key=lambda r: (r[0].lineno, r[0].col_offset))
    return facts


# python/model `_CACHE_DECORATORS`: a def so decorated that only builds clients gives no blocking entry
_CACHES = frozenset({"functools.cache", "functools.lru_cache", "functools.cached_property"})


def _may_cache(walk: "_WalkFacts", function: ast.FunctionDef) -> bool:
    """A decorator whose path (`decorator_path`, in the def's enclosing scope) may be a cache: one this pass
    cannot name as an import path, or a cache's (`mock.patch.object(...)` is named, and no cache)."""
    info = walk.function_of(function)
    if info is None:
        return True
    for decorator in function.decorator_list:
        expr = decorator.func if isinstance(decorator, ast.Call) else decorator
        path = walk.path_of(expr, info.scope)
        if path is None or path in _CACHES:
            return True
    return False


def _script_entry(walk: "_WalkFacts", function: ast.AsyncFunctionDef) -> bool:
    """A coroutine function the walk finds run as a script (`asyncio.run(main())`: python/gate.py `on_loop`, which
    finds fewer than the model's `is_script_entry`): DPR101 reads no call in it, and it has no blocking entry."""
    on_loop = walk.on_loop()  # type: ignore[attr-defined]
    return not any(info.node is function for info in on_loop)


def _check_first(call: ast.Call, first: Optional[dict], parents: dict, tree: ast.Module, walk: "_WalkFacts") -> None:
    """A call on a sync client comes after the construction that gives its def the blocking entry (the model's
    first use: `first`), and a call on any client inside no other call (the model's order of its facts)."""
    if first is not None:
        key = definition(walk, _owner(call, parents), parents, tree)
        if key is None or key not in first or (call.lineno, call.col_offset) < first[key][0]:
            raise Open
    up = parents.get(id(call))
    while up is not None and not isinstance(up, ast.stmt):
        if isinstance(up, ast.Call):
            raise Open
        up = parents.get(id(up))


def _held_by(walk: "_WalkFacts", call: ast.Call, scope: "_Scope", parents: dict) -> "Optional[_Binding]":
    """A construction whose value is dropped (None), or bound by one plain assignment to a name bound once in the
    function (its binding, whose reads `_read_call` checks); opens for anything else."""
    up = parents.get(id(call))
    if isinstance(up, ast.Expr):
        return None
    binding = sole_binding(walk, call, scope, up)
    if binding is not None:
        return binding
    raise Open


def _read_call(
    walk: "_WalkFacts", facts: ClientUses, expr: ast.expr, root: ast.Name, scope: "_Scope",
    client: tuple[known.ClientKind, Optional[ast.AST], bool], parents: dict, sdk: SdkPin,
) -> None:
    """A read of a sync client's name: the receiver of a call of one of its methods the pin has, keywords it has
    (DPR108), not awaited (DPR103), in no `try` DPR302 or DPR303 may report, `reuse_id_policy` given a value
    only where a test expects the warning (DPR109); what it starts or raises (the workflow facts)."""
    kind, function, blocks = client
    call = parents.get(id(expr))
    if not (type(expr) is ast.Attribute and expr.value is root and isinstance(call, ast.Call) and call.func is expr):
        raise Open  # the client handed on, or a member read without a call
    method = expr.attr
    if not _member_known(kind.path, method, MEMBERS.get(kind.path, {}), sdk) or method.startswith("_"):
        raise Open  # DPR108
    if isinstance(parents.get(id(call)), ast.Await) != kind.is_async or any(isinstance(a, ast.Starred) for a in call.args):
        raise Open  # DPR103 (a sync client's call awaited), DPR104 (an aio client's not)
    for keyword in call.keywords:
        _check_keyword(kind.path, method, keyword.arg or "**", sdk)
        if keyword.arg == "reuse_id_policy" and not (isinstance(keyword.value, ast.Constant) and keyword.value.value is None):
            if method == "schedule_new_workflow" and not _warning_expected(walk, call, scope, parents):
                raise Open  # DPR109: deprecated, it warns
    _check_tries(walk, call, function, scope, parents)
    facts.calls.append((call, not blocks))
    remote = any(k.arg == "app_id" and not (isinstance(k.value, ast.Constant) and k.value.value is None) for k in call.keywords)
    if method == "schedule_new_workflow":
        target = _argument(call, 0, "workflow")
        if target is not None:
            name, own = _target(walk, target, scope, parents)
            facts.targets.append((call, method, name, own, remote, target))
    elif method == "raise_workflow_event":
        event = _argument(call, 1, "event_name")
        facts.raised.append((call, event_name(walk, event, scope) if event is not None else None, remote))


def _target(walk: "_WalkFacts", expr: ast.expr, scope: "_Scope", parents: dict) -> tuple[StrValue, Optional[str]]:
    """workflow_facts `_target`'s name and function of what `schedule_new_workflow` is given: a string, an import
    path, a function of this module (its own name; no registered name: a module registering it opens) or a
    method of the class by `self`; opens for anything else (the model may know what this pass does not)."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value, None
    if isinstance(expr, ast.Name):
        value = walk.value(expr, scope)
        if value[0] == "str":
            return value[1], None
        if value[0] == "ref":
            return ImportedName(value[1]), None
        bindings = walk.lookup(expr.id, scope) or []
        if len(bindings) == 1 and bindings[0].kind == "def":
            return None, expr.id
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
        method = _own_method(walk, expr.value, scope, expr.attr, parents)
        if method is not None:
            return None, method
    raise Open


def _own_method(walk: "_WalkFacts", receiver: ast.Name, scope: "_Scope", attr: str, parents: dict) -> Optional[str]:
    """`self.<attr>`, `self` the first parameter of an undecorated method (the model's "self" binding) and
    `<attr>` an undecorated method of its class: the model's value is that method."""
    bindings = walk.lookup(receiver.id, scope) or []
    if len(bindings) != 1 or bindings[0].kind != "param":
        return None
    for info in walk.functions:
        if info.inner is bindings[0].scope and info.klass is not None and not info.decorators:
            node = info.node
            params = [*node.args.posonlyargs, *node.args.args] if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else []
            method = info.klass.methods.get(attr)
            if params and params[0].arg == receiver.id and method is not None and not method.decorators:
                return attr
    return None


def _warning_expected(walk: "_WalkFacts", call: ast.Call, scope: "_Scope", parents: dict) -> bool:
    """The call in the body of a `with` a test expects a warning from (model/exceptions.py `expectation_kind`:
    `self.assertWarns(...)` on any receiver, `pytest.warns(...)`, `pytest.deprecated_call()`): the engine drops
    the finding that predicts it."""
    child: ast.AST = call
    up = parents.get(id(call))
    while up is not None:
        if isinstance(up, ast.With) and any(child is statement for statement in up.body):
            for item in up.items:
                expected = item.context_expr
                if isinstance(expected, ast.Call) and (
                    (isinstance(expected.func, ast.Attribute) and expected.func.attr in known.EXPECT_WARNS_METHODS)
                    or walk.path_of(expected.func, scope) in known.EXPECT_WARNS_FUNCTIONS
                ):
                    return True
        child, up = up, parents.get(id(up))
    return False


def event_name(walk: "_WalkFacts", expr: ast.expr, scope: "_Scope") -> StrValue:
    """workflow_facts `_name` of an event's name: a string, an import path, or None (`unnamed`); opens for a
    value the model may know otherwise."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, (ast.Name, ast.Attribute)):
        value = walk.value(expr, scope)
        if value[0] == "str":
            return value[1]
        if value[0] == "ref":
            return ImportedName(value[1])
    if unnamed(walk, expr, scope):
        return None
    raise Open


def unnamed(walk: "_WalkFacts", expr: ast.expr, scope: "_Scope") -> bool:
    """A value the model never reads as a string constant nor an import path: an f-string (`Kind("str")`), or a
    name bound only as parameters or by plain assignments of f-strings (the model joins those values)."""
    if isinstance(expr, ast.JoinedStr):
        return True
    if not isinstance(expr, ast.Name):
        return False
    bindings = walk.lookup(expr.id, scope) or []
    return bool(bindings) and all(
        b.kind == "param" or (b.kind == "assign" and b.annotation is None and isinstance(b.value, ast.JoinedStr))
        for b in bindings
    )


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
        if isinstance(up, ast.Subscript) and up.slice is node and walk.path_of(up.value, scope) in known.ANNOTATION_WRAPPERS:
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
    info = walk.function_of(function)
    found = [b for b in (info.inner.bindings.get(up.arg, ()) if info is not None and info.inner is not None else ())]
    if len(found) != 1 or found[0].kind != "param":
        raise Open
    return found[0]


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
