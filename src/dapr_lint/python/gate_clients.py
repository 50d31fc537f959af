"""The first pass's reading of Dapr clients (python/gate.py): the shapes of client construction and calls it
reads itself instead of opening the file, and the summary facts those shapes give.

The shape read here (anything else opens the file):
- `with DaprClient(...) as c:` (sync, in a plain `def` or at module level) or `async with DaprClient(...) as c:`
  (the aio client, in an `async def`), the def a module-level one or a method of a module-level class
  (python/gate_held.py `definition`), or a sync client built in such a plain `def` to be handed on (returned,
  given to a call: gate_held.py `handed_on`, DPR106 silent), the constructor given at
  most an `address` that is a string not written `http://`/`https://` (DPR102, DPR105-DPR107, DPR109, and the
  practices' trace-forwarding facts, which read `headers_callback`/`interceptors`);
- `c` bound only by such blocks of one client class in one function (the model joins equal values), read only
  as the receiver of a call in that function (no alias, no argument, no return: python/summary_blocking.py
  `_returned_client`, `_held_client`);
- each call one of `_METHODS`, awaited exactly when the client is the aio one (DPR103, DPR104), its result an
  instance of the method's class that python/gate_values.py reads where it stands and wherever a name bound to it
  is read (DPR108 by the pin, DPR205; DPR418 and DPR419 read other methods' results),
  in no `try` DPR302 or DPR303 may report (a Dapr error class caught, a clause that may swallow the failure), every argument a string (a literal or a
  name the model reads as one), a bytes literal, a bulk read's keys as a list of strings, an invocation's body made
  by `json.dumps`, Dapr metadata as a dict of string literals (DPR201-DPR208), no gRPC `metadata=` (DPR204,
  DPR109), no body sent as GET to what looks like an HTTP route (DPR206), and every member and keyword one the
  pinned releases have (DPR108);
- a sync client's `def` is not decorated nor a generator, and is named only where gate_held.py `propagated`
  reads it: called at module level, or called by defs and methods whose entries it gives their blocking one
  (by no coroutine: DPR101); nothing names a def handing a client on (what it returns would be typed where it
  is called), not even at module level;
- the class named elsewhere only where the model types nothing by it (gate_held.py `types_nothing`).

What it gives the summary: each call's `components` entry (python/summary.py `_components`), the blocking
entry of each def or method holding a sync client (python/summary_blocking.py `_blocking`: its first
construction, no call on a client written before it), and the `returns` entry of each def handing one on."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Optional

from dapr_lint.python import known
from dapr_lint.python.gate_defines import defined_client
from dapr_lint.python.gate_held import (
    Key, Open, all_params, chain_roots, check_handed_read, definition, handed_on, is_generator, propagated, returned_client, types_nothing,
)
from dapr_lint.python.gate_values import ValueTypes
from dapr_lint.python.sdk_releases import SdkPin, keyword_absence, member_absence, unpinned
from dapr_lint.python.sdk_table import MEMBERS
from dapr_lint.python.summary_blocking import maybe_project
from dapr_lint.summaries import ImportedName, StrValue

if TYPE_CHECKING:
    from dapr_lint.python.gate import _Gate, _Scope, _WalkFacts

# The Dapr client classes read here (canonical paths; the workflow clients are another family's).
CLIENT_CLASSES = frozenset(path for path, kind in known.CLIENTS.items() if kind.family == "dapr")

# Client methods whose call this pass reads: no stream, lock, job, bulk or transaction facts, no deprecation.
_METHODS = frozenset(
    {
        "get_state", "save_state", "delete_state", "get_secret", "get_bulk_secret", "invoke_binding", "publish_event",
        "get_metadata", "set_metadata", "invoke_method", "get_bulk_state", "get_configuration", "query_state", "unlock",
    }
)
# Methods read only in the shapes of `_check_more` (python/model/streams.py's facts key on them).
_MORE_METHODS = frozenset({"try_lock"})
# The conversation methods: no payload rule reads their arguments (rules/payloads.py keys on the payload and
# metadata parameters of other methods; their `metadata` is Dapr metadata, no gRPC one: DPR109, DPR204), no summary
# fact either (their first parameter names no component), and the model types their result as nothing (its class
# is not in the member table: python/model `_call_value`). Read with any argument, their result kept anywhere.
_OPAQUE_METHODS = frozenset({"converse_alpha1", "converse_alpha2"})
# python/summary.py `_COMPONENT_PARAMS`
_COMPONENT_PARAMS = frozenset({"store_name", "pubsub_name", "binding_name", "app_id"})


class ClientFacts:
    """What the clients of a module give its summary: each `components` entry's fields with the call whose span
    it takes (python/gate.py places it), in the model's order; the callee of the first sync client construction
    of each module-level `def` holding one, by the def's name (its blocking entry is that callee's text + "()")."""

    def __init__(self) -> None:
        self.components: list[tuple[ast.Call, dict]] = []
        self.blocking: dict[Key, tuple[ast.expr, str]] = {}  # the callee of each def's use, and "()" or "(...)"
        # the sync client class each def building a client to hand on returns (None: not every time)
        self.returns: dict[Key, Optional[str]] = {}
        # each call's result (the call, or its `await`) by id: the SDK class the model types it as
        self.results: dict[int, str] = {}
        # the first call on a client in each def, by the def's id: its position, its callee
        self.calls_at: dict[int, tuple[tuple[int, int], ast.expr]] = {}


def read_clients(walk: "_Gate", tree: ast.Module, uses: list[tuple[ast.expr, "_Scope"]]) -> ClientFacts:
    """The facts of the clients constructed at `uses` (names or chains resolving to a class of CLIENT_CLASSES);
    raises `_Open` (python/gate.py) wherever the model or a rule could read more than this."""
    parents = walk.index(tree)[1]
    sdk = walk.sdk or unpinned()  # the model's default (ModuleModel.build)
    facts = ClientFacts()
    with_names: dict[int, tuple[known.ClientKind, Optional[ast.AST]]] = {}  # id of the `with` binding
    handed: set[int] = set()  # ids of the bindings of names a client built to hand on is bound to
    reads: dict[int, ast.expr] = {}  # each read of such a name, by id: the construction it holds
    returned: dict[int, tuple[ast.FunctionDef, dict[int, str]]] = {}  # id of a def: it, its clients built to hand on
    first: dict[Key, tuple[tuple[int, int], ast.expr, str]] = {}  # each def's first use: its callee, its suffix
    keys: dict[int, Key] = {}  # each def holding a sync client, by id: its key
    for expr, scope in uses:
        path = walk.value(expr, scope)[1]  # (the name benchmarks/ceiling.py reports where the walk stops)
        kind = known.CLIENTS[path]
        call = parents.get(id(expr))
        if not kind.is_async and _held_for_both(walk, tree, expr, parents):
            continue  # a parameter's annotation the model types nothing by in the end (`dual_use`)
        if defined_client(walk, expr, parents):
            continue  # the base of a client class of the module's own, whose instances nothing reads as a client
        if not (isinstance(call, ast.Call) and call.func is expr):
            if types_nothing(walk, expr, scope, parents):
                continue
            param = _annotated_param(walk, expr, kind, parents, tree)
            if param is None:
                raise Open  # named, not constructed (an alias, an argument, another annotation)
            binding, function, key = param
            with_names[id(binding)] = (kind, function)
            keys[id(function)] = key
            continue
        _check_constructor(walk, call, scope, kind, sdk)
        function = _owner(call, parents)
        key = definition(walk, function, parents, tree)
        item = parents.get(id(call))
        if isinstance(item, ast.withitem) and item.context_expr is call and isinstance(item.optional_vars, ast.Name):
            statement = parents.get(id(item))
            if not isinstance(statement, ast.AsyncWith if kind.is_async else ast.With):
                raise Open  # DPR102
            if kind.is_async != isinstance(function, ast.AsyncFunctionDef):
                raise Open  # a sync client in a coroutine (DPR101)
            _check_tries(walk, statement, function, scope, parents)
            entered = [b for b in walk.lookup(item.optional_vars.id, scope) or () if b.kind == "with" and b.value is call]
            if len(entered) != 1:
                raise Open
            with_names[id(entered[0])] = (kind, function)
        else:
            if kind.is_async or not isinstance(function, ast.FunctionDef) or key is None:
                raise Open  # DPR105, DPR106 (a client built outside `with` and not handed on), DPR101
            handed_on(walk, call, scope, handed, parents)
            returned.setdefault(id(function), (function, {}))[1][id(call)] = kind.path
        if isinstance(function, ast.FunctionDef) and key is not None:
            if function.decorator_list or is_generator(function):
                raise Open  # a cached factory, a generator, a property: the model's blocking entry differs
            at = (call.lineno, call.col_offset)
            keys[id(function)] = key
            if key not in first or at < first[key][0]:
                first[key] = (at, expr, "()")
    for expr, scope, root, bindings in chain_roots(walk):
        if any(id(b) in handed for b in bindings):
            if len(bindings) != 1 or expr is not root:
                raise Open  # bound to anything else too, or a member read (a call on it: another use)
            check_handed_read(root, bindings[0].scope is scope, parents)
            reads[id(root)] = bindings[0].value
            continue
        held = [with_names[id(b)] for b in bindings if id(b) in with_names]
        if not held:
            continue
        if len(held) != len(bindings) or any(h != held[0] for h in held):
            raise Open  # bound to anything else too (the model joins the values), or to another client
        kind, function = held[0]
        _read_call(walk, facts, expr, root, scope, kind, function, parents, sdk)
    if len({id(value) for value in reads.values()}) != len(handed):
        raise Open  # a name bound to a client and never read: DPR106
    for function_id, (at, callee) in facts.calls_at.items():
        key = keys.get(function_id)  # (a sync client's def: the first of its constructions and calls is its use)
        if key is not None and (key not in first or at < first[key][0]):
            first[key] = (at, callee, "(...)")
    returning = {definition(walk, function, parents, tree) for function, _built in returned.values()}
    held = {key: (callee, suffix) for key, (_at, callee, suffix) in first.items()}
    facts.blocking = propagated(walk, tree, parents, held, returning)  # type: ignore[arg-type]
    for function, built in returned.values():
        facts.returns[definition(walk, function, parents, tree)] = returned_client(function, built, reads)  # type: ignore[index]
    if facts.results:
        # read where each result stands, and each name bound to one where it is read (python/gate_values.py)
        results = facts.results
        ValueTypes(walk, tree, walk.sdk, results=lambda expr, _scope: results.get(id(expr))).check([], walk.chains)
    facts.components.sort(key=lambda entry: (entry[0].lineno, entry[0].col_offset))
    return facts


def _annotated_param(
    walk: "_Gate", expr: ast.expr, kind: known.ClientKind, parents: dict, tree: ast.Module,
) -> Optional[tuple[Any, ast.FunctionDef, Key]]:
    """A parameter the model types as a sync client by its annotation (`client: DaprClient`, the class alone),
    of a plain def the summary keys (gate_held.py `definition`; not the first parameter of a method, the model's
    `self`), undecorated and no generator, bound nowhere else in it: its binding (its reads are then read as a
    `with` name's), the def and its key. None for any other annotation."""
    arg = parents.get(id(expr))
    function = parents.get(id(parents.get(id(arg))))
    if kind.is_async or not (isinstance(arg, ast.arg) and arg.annotation is expr and isinstance(function, ast.FunctionDef)):
        return None
    args = function.args
    if not any(arg is a for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)):
        return None  # `*clients: DaprClient`
    key = definition(walk, function, parents, tree)
    if key is None or function.decorator_list or is_generator(function):
        return None
    if key[0] is not None and arg is (*args.posonlyargs, *args.args, None)[0]:
        return None
    info = walk.function_of(function)
    if info is None:
        raise Open  # (never: `definition` found it)
    bindings = info.inner.bindings.get(arg.arg, []) if info.inner is not None else []
    if len(bindings) != 1 or bindings[0].kind != "param":
        return None
    return bindings[0], function, key


def _held_for_both(walk: "_Gate", tree: ast.Module, expr: ast.expr, parents: dict) -> bool:
    """A sync client class annotating a parameter `p` of a method of class `C`, where the model ends up knowing
    nothing of the client (python/model/clients.py `dual_use`, the SDK's own TryLockResponse): `p` is read only
    as `self.a = p` in that method (the one store of a member `a` in the module, no name `a` bound anywhere:
    every `.a` the model follows to a class member is that one); `C` is never built in this module (named only as
    a base or in an annotation: no construction says which client `p` is given); and a method of `C` awaits a
    call on `self.a` (the class is used with the aio client too). Every read of `.a` is then unknown to the
    model, and `p` holds nothing else it reads."""
    arg = parents.get(id(expr))
    if not (isinstance(arg, ast.arg) and arg.annotation is expr):
        return False
    function = parents.get(id(parents.get(id(arg))))
    info = walk.function_of(function)
    if info is None or info.klass is None or info.inner is None or not isinstance(function, ast.FunctionDef):
        return False
    params = all_params(function.args)
    if params[0] is arg or function.decorator_list or walk.value(expr, info.inner) != walk.value(expr, info.scope):
        return False  # (the model types a parameter from its annotation in the function's own scope)
    inner, klass = info.inner, info.klass
    bound = inner.bindings.get(arg.arg, [])
    if len(bound) != 1 or len(inner.bindings.get(params[0].arg, [])) != 1:
        return False
    reads = [(e, s) for e, s in walk.chains if _root_name(e) == arg.arg and walk.lookup(arg.arg, s) is bound]
    if len(reads) != 1 or reads[0][1] is not inner or type(reads[0][0]) is not ast.Name:
        return False
    store = parents.get(id(reads[0][0]))
    if not (isinstance(store, ast.Assign) and store.value is reads[0][0] and len(store.targets) == 1):
        return False
    target = store.targets[0]
    if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == params[0].arg):
        return False
    member = target.attr
    nodes = walk.index(tree)[0]
    if any(
        (type(n) is ast.Attribute and n.attr == member and n is not target and not isinstance(n.ctx, ast.Load))  # type: ignore[attr-defined]
        or (type(n) is ast.Name and n.id == member and not isinstance(n.ctx, ast.Load))  # type: ignore[attr-defined]
        or (isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.name == member)
        or (type(n) is ast.alias and (n.asname or n.name) == member)  # type: ignore[attr-defined]
        or (type(n) is ast.ExceptHandler and n.name == member)  # type: ignore[attr-defined]
        for n in nodes
    ):
        return False
    for named, scope in walk.chains:
        if type(named) is ast.Name and named.id == klass.name and any(b.target is klass for b in walk.lookup(named.id, scope) or ()):  # type: ignore[attr-defined]
            if len(walk.lookup(named.id, scope) or ()) != 1 or not _names_no_value(named, parents):
                return False  # built (directly or through an alias): the model reads which client it is given
    return any(_awaits_member(walk, n, klass, member) for n in nodes if type(n) is ast.Await)


def _root_name(expr: ast.expr) -> Optional[str]:
    while type(expr) is ast.Attribute:
        expr = expr.value  # type: ignore[attr-defined]
    return expr.id if type(expr) is ast.Name else None  # type: ignore[attr-defined]


def _names_no_value(named: ast.expr, parents: dict) -> bool:
    """A class named in a string annotation, as a class's base, or as an annotation of its own."""
    up = parents.get(id(named))
    return (
        up is None
        or (isinstance(up, ast.ClassDef) and any(named is base for base in up.bases))
        or (isinstance(up, ast.arg) and up.annotation is named)
        or (isinstance(up, (ast.FunctionDef, ast.AsyncFunctionDef)) and up.returns is named)
    )


def _awaits_member(walk: "_Gate", node: ast.Await, klass: Any, member: str) -> bool:
    """`await self.<member>.<method>(...)`, `self` the first parameter of an undecorated method of `klass`
    (python/model/clients.py `_awaited_attributes`)."""
    call = node.value
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
        return False
    holder = call.func.value
    if not (isinstance(holder, ast.Attribute) and holder.attr == member and isinstance(holder.value, ast.Name)):
        return False
    for method in klass.methods.values():
        if method.inner is None or method.decorators or not isinstance(method.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        params = all_params(method.node.args)  # type: ignore[arg-type]
        if params and params[0].arg == holder.value.id:
            first = method.inner.bindings[params[0].arg][0]
            if any(b is first for scope in _scopes_of(walk, holder.value) for b in walk.lookup(holder.value.id, scope) or ()):
                return True
    return False


def _scopes_of(walk: "_Gate", name: ast.Name) -> list[Any]:
    """The scopes the walk read `name` in (its chain's)."""
    return [scope for expr, scope in walk.chains if _root_name(expr) == name.id and _chain_holds(expr, name)]


def _chain_holds(chain: ast.expr, name: ast.Name) -> bool:
    while type(chain) is ast.Attribute:
        chain = chain.value  # type: ignore[attr-defined]
    return chain is name


def _check_constructor(walk: "_WalkFacts", call: ast.Call, scope: "_Scope", kind: known.ClientKind, sdk: SdkPin) -> None:
    keywords = [k.arg or "**" for k in call.keywords]
    if len(call.args) + len(keywords) > 1 or any(k not in ("address",) for k in keywords):
        raise Open  # headers_callback, interceptors (practices), a star argument, any other setting
    if any(isinstance(a, ast.Starred) for a in call.args):
        raise Open
    for keyword in keywords:
        _check_keyword(kind.path, "__init__", keyword, sdk)
    address = call.args[0] if call.args else (call.keywords[0].value if call.keywords else None)
    if address is not None:
        text = _string(walk, address, scope)
        if text is not None and text.lower().startswith(("http://", "https://")):
            raise Open  # DPR109


def _read_call(
    walk: "_WalkFacts", facts: ClientFacts, expr: ast.expr, root: ast.Name, scope: "_Scope", kind: known.ClientKind,
    function: Optional[ast.AST], parents: dict, sdk: SdkPin,
) -> None:
    """One read of a client's name: it must be the receiver of a call of `_METHODS` read as the module
    docstring says; that call's component entry."""
    call = parents.get(id(expr))
    if not (
        type(expr) is ast.Attribute and expr.value is root and isinstance(call, ast.Call) and call.func is expr
    ):
        raise Open  # the client handed on, or a member read without a call
    method = expr.attr
    if method not in _METHODS | _MORE_METHODS | _OPAQUE_METHODS or _owner(call, parents) is not function:
        raise Open
    at = (call.lineno, call.col_offset)
    if id(function) not in facts.calls_at or at < facts.calls_at[id(function)][0]:
        facts.calls_at[id(function)] = (at, call.func)
    entered = method in _MORE_METHODS and _check_more(walk, method, call, scope, kind, parents, sdk)
    _check_tries(walk, call, function, scope, parents)
    members = MEMBERS.get(kind.path, {})
    if not _member_known(kind.path, method, members, sdk):
        raise Open  # DPR108
    params: tuple[str, ...] = members[method].get("params") or ()
    result: ast.expr = call
    statement = parents.get(id(call))
    if kind.is_async:
        if not isinstance(statement, ast.Await):
            raise Open  # DPR104
        result, statement = statement, parents.get(id(statement))
    returns = members[method].get("returns")
    if entered:
        pass  # read by `_check_more` where it is entered
    elif returns in MEMBERS:
        facts.results[id(result)] = returns  # an instance the model types: read where it stands (gate_values)
    elif method in _OPAQUE_METHODS:
        if isinstance(statement, ast.Await):
            raise Open  # DPR103 (the aio client's `await` is read above)
    elif not isinstance(statement, ast.Expr):
        raise Open  # a result the model types otherwise (or awaited where it must not be: DPR103)
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        raise Open
    if len(call.args) > len(params):
        raise Open
    given = [params[i] for i in range(len(call.args))] + [k.arg or "**" for k in call.keywords]
    if "metadata" in given and method not in _OPAQUE_METHODS:
        raise Open  # DPR204, DPR109 (the gRPC `metadata=`; the conversation methods' is Dapr metadata no rule reads)
    for keyword in call.keywords:
        _check_keyword(kind.path, method, keyword.arg or "**", sdk)
    for param, value in zip(given, [*call.args, *(k.value for k in call.keywords)]):
        if method not in _OPAQUE_METHODS:
            _check_value(walk, method, param, value, scope)
    data, verb = _argument(call, 2, "data"), _argument(call, 5, "http_verb")
    if method == "publish_event" and isinstance(data, ast.Call) and _argument(call, 5, "data_content_type") is None:
        raise Open  # DPR202: JSON published as text
    if method == "invoke_method" and data is not None and verb is None:
        target = _argument(call, 1, "method_name")
        text = _string(walk, target, scope) if target is not None else None
        if _argument(call, 6, "http_querystring") is not None or (text is not None and "/" in text):
            raise Open  # DPR206: a body sent as GET to what looks like an HTTP route (a gRPC callee ignores the verb)
    if not params or params[0] not in _COMPONENT_PARAMS:
        return
    topic = len(params) > 1 and params[1] in ("topic_name", "topic")
    use: dict[str, Any] = {
        "method": method,
        "param": params[0],
        "name": _summary_string(walk, _argument(call, 0, params[0]), scope),
        "topic": _summary_string(walk, _argument(call, 1, params[1]), scope) if topic else None,
        "keywords": tuple(sorted(set(given))),
    }
    ttl = _argument(call, None, "state_metadata")
    if isinstance(ttl, ast.Dict) and any(isinstance(k, ast.Constant) and k.value == "ttlInSeconds" for k in ttl.keys):
        use["keywords"] = tuple(sorted({*use["keywords"], "ttlInSeconds"}))
    if method == "invoke_method":
        use["method_name"] = _summary_string(walk, _argument(call, 1, "method_name"), scope)
        use["http_verb"] = _summary_string(walk, verb, scope) if verb is not None else None
        use["has_body"] = data is not None and not (isinstance(data, ast.Constant) and data.value is None)
    facts.components.append((call, use))


def _check_more(
    walk: "_WalkFacts", method: str, call: ast.Call, scope: "_Scope", kind: known.ClientKind, parents: dict, sdk: SdkPin,
) -> bool:
    """Opens on the shapes of `_MORE_METHODS` the model's stream facts (python/model/streams.py) record; True when
    the call is entered by a `with` read here (its result goes nowhere else).
    `try_lock`: its result dropped (`_lock_use`: DPR419) opens. Entered by a sync `with ... as name`, it is read
    only where every read of `name` is `name.success` in the same function, at least one (`_decides`: the outcome
    read, no DPR419), `success` a member at the pin (DPR108: the model types `name` as the response). Any other
    place (bound to a name, read, handed on) records no lock use: its result goes to gate_values."""
    result: ast.AST = call
    if kind.is_async and isinstance(parents.get(id(call)), ast.Await):
        result = parents[id(call)]
    if isinstance(parents.get(id(result)), ast.Expr):
        raise Open  # DPR419 (`_discarded`)
    item = parents.get(id(call))
    if not isinstance(item, ast.withitem):
        if isinstance(parents.get(id(result)), ast.withitem):
            raise Open  # `async with await ...` (DPR419 when its name is not tested)
        return False
    statement = parents.get(id(item))
    if kind.is_async or item.context_expr is not call or not isinstance(item.optional_vars, ast.Name):
        raise Open  # DPR419 (no name to test), DPR102
    if not isinstance(statement, ast.With) or len(statement.items) != 1:
        raise Open
    name = item.optional_vars.id
    bindings = walk.lookup(name, scope) or []
    if len(bindings) != 1 or bindings[0].kind != "with" or bindings[0].value is not call:
        raise Open
    response = MEMBERS.get(kind.path, {}).get(method, {}).get("returns")
    if response not in MEMBERS or not _member_known(response, "success", MEMBERS[response], sdk):
        raise Open  # DPR108
    reads = 0
    for expr, where in walk.chains:
        root = expr
        while type(root) is ast.Attribute:
            root = root.value  # type: ignore[attr-defined]
        if type(root) is not ast.Name or root.id != name:  # type: ignore[attr-defined]
            continue
        if where is not scope or not any(b is bindings[0] for b in walk.lookup(name, where) or ()):
            raise Open  # read in a nested scope, or another binding of the name
        if not (type(expr) is ast.Attribute and expr.value is root and expr.attr == "success"):  # type: ignore[attr-defined]
            raise Open
        if not isinstance(expr.ctx, ast.Load) or getattr(parents.get(id(expr)), "func", None) is expr:  # type: ignore[attr-defined]
            raise Open
        reads += 1
    if not reads:
        raise Open  # DPR419: the response never tested
    return True


def _member_known(path: str, method: str, members: dict, sdk: SdkPin) -> bool:
    """rules/clients.py `unknown_sdk_member` finds nothing to say of `<client>.method`."""
    if sdk.older_than_newest:
        absence = member_absence(path, method, sdk)
        if absence is None:
            return True
        if absence.kind != "unknown":
            return False
    return method in members


def _check_keyword(path: str, member: str, keyword: str, sdk: SdkPin) -> None:
    """rules/clients.py `unknown_sdk_member` finds nothing to say of the keyword."""
    if sdk.older_than_newest:
        absence = keyword_absence(path, member, keyword, sdk)
        if absence is None:
            return
        if absence.kind != "unknown":
            raise Open
    if keyword not in (MEMBERS.get(path, {}).get(member, {}).get("params") or ()):
        raise Open


def _check_value(walk: "_WalkFacts", method: str, param: str, value: ast.expr, scope: "_Scope") -> None:
    """Opens unless an argument is what the payload rules accept whatever the call (DPR201-DPR208): a string (a
    literal or a name the model reads as one), a bytes literal, the keys of a bulk read as a list or tuple of
    string literals, or the body of an invocation made by `json.dumps(...)` (DPR202, DPR207 and DPR208 read
    `json.dumps` for publishing and bindings only)."""
    if isinstance(value, ast.Constant) and isinstance(value.value, bytes):
        return
    if method == "try_lock" and param == "expiry_in_seconds" and _int(walk, value, scope):
        return  # a lock's lifetime: no payload rule reads it
    if param.endswith("_metadata") and isinstance(value, ast.Dict):
        if all(_is_str(k) and _untyped_or_str(walk, v, scope) for k, v in zip(value.keys, value.values)):
            return  # Dapr metadata of strings (DPR203 reads the values' types)
    if param == "keys" and isinstance(value, (ast.List, ast.Tuple)):
        if all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts):
            return
    if param == "data" and isinstance(value, ast.Call) and walk.path_of(value.func, scope) == "json.dumps":
        if method == "invoke_method":
            return
        if method == "publish_event" and not _may_have_keys(walk, value, scope, {"specversion"}):
            return  # (DPR202 is read by the caller: `data_content_type` given)
        if method == "invoke_binding" and not _may_have_keys(walk, value, scope, {"data", "metadata"}):
            return
    _string(walk, value, scope)


def _int(walk: "_WalkFacts", expr: ast.expr, scope: "_Scope") -> bool:
    """An int literal, or a name bound once (unannotated) to one."""
    if isinstance(expr, ast.Name):
        bindings = walk.lookup(expr.id, scope) or []
        if len(bindings) != 1 or bindings[0].kind != "assign" or bindings[0].annotation is not None:
            return False
        expr = bindings[0].value
    return isinstance(expr, ast.Constant) and type(expr.value) is int


def _untyped_or_str(walk: "_WalkFacts", expr: Optional[ast.expr], scope: "_Scope") -> bool:
    """A value the model types as a string or bytes or not at all (DPR203 reports only other types)."""
    if expr is None:
        return False
    try:
        _string(walk, expr, scope)
    except Open:
        return False
    return True


def _may_have_keys(walk: "_WalkFacts", dumped: ast.Call, scope: "_Scope", keys: set[str]) -> bool:
    """Whether DPR207 (`specversion`) or DPR208 (`data` and `metadata`) may find one of `keys` among the keys of
    what `json.dumps` is given (rules/payloads.py `_payload_keys`: a dict display, or a name bound to one): any
    key of such a display that is not a plain string or is one of them, or any other argument shape."""
    if len(dumped.args) != 1 or any(isinstance(a, ast.Starred) for a in dumped.args):
        return True
    given = dumped.args[0]
    displays: list[ast.expr] = [given]
    if isinstance(given, ast.Name):
        displays = [b.value for b in walk.lookup(given.id, scope) or () if b.kind == "assign"]
    elif not isinstance(given, ast.Dict):
        return True
    for display in displays:
        if isinstance(display, ast.Dict) and not all(_is_str(k) and k.value not in keys for k in display.keys):  # type: ignore[union-attr]
            return True
    return False


def _is_str(expr: Optional[ast.expr]) -> bool:
    return isinstance(expr, ast.Constant) and isinstance(expr.value, str)


def _string(walk: "_WalkFacts", expr: ast.expr, scope: "_Scope") -> Optional[str]:
    """The text of an argument the model reads as a string (a literal, or a name bound to one); None for one
    whose text the model does not know and which no payload rule reports: an f-string (`Kind("str")`), a name
    bound once to a bytes literal, a parameter the model types as nothing (`_untyped_param`), what a function of
    (maybe) the project returns (python/model `_call_value`:
    UNKNOWN) or the builtin `str(...)` makes (`Kind("str")`: model/payloads.py `produced_kind`), directly or
    through a name bound once to it. Opens on anything else."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ast.JoinedStr):
        return None
    if isinstance(expr, ast.Name):
        value = walk.value(expr, scope)
        if value[0] == "str":
            return value[1]
        bindings = walk.lookup(expr.id, scope) or []
        if len(bindings) == 1 and bindings[0].kind == "param" and _untyped_param(walk, expr.id, bindings[0]):
            return None
        if len(bindings) != 1 or bindings[0].kind != "assign" or bindings[0].annotation is not None:
            raise Open
        expr, scope = bindings[0].value, bindings[0].scope
        if isinstance(expr, ast.Constant) and isinstance(expr.value, bytes):
            return None
    if isinstance(expr, ast.Call):
        if isinstance(expr.func, ast.Name) and expr.func.id == "str" and not walk.lookup("str", scope):
            return None
        path = walk.path_of(expr.func, scope)
        if path is not None and maybe_project(path):
            return None
    raise Open


def _untyped_param(walk: "_WalkFacts", name: str, binding: Any) -> bool:
    """A parameter the model types as nothing (python/model `_binding_value`: UNKNOWN): no annotation, or a name
    bound nowhere (a builtin such as `str`, which `type_from_annotation` does not instantiate); not the first
    parameter of a method (the model's `self` or `cls`, an instance of the class)."""
    annotation = binding.annotation
    if annotation is not None and not (isinstance(annotation, ast.Name) and walk.lookup(annotation.id, binding.scope) is None):
        return False
    owner = next((f for f in walk.functions if f.inner is binding.scope), None)
    if owner is not None and owner.klass is not None and isinstance(owner.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        positional = [*owner.node.args.posonlyargs, *owner.node.args.args]
        return not positional or positional[0].arg != name
    return True


def _summary_string(walk: "_WalkFacts", expr: Optional[ast.expr], scope: "_Scope") -> StrValue:
    """python/model/listings.py `summary_string` of an argument `_string` accepted."""
    if expr is None:
        return None
    value = walk.value(expr, scope)
    if value[0] == "ref":
        return ImportedName(value[1])
    return _string(walk, expr, scope)


def _owner(node: ast.AST, parents: dict) -> Optional[ast.AST]:
    """The `def`, `async def`, lambda or class whose body holds `node` (None: the module's)."""
    up = parents.get(id(node))
    while up is not None:
        if isinstance(up, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return up
        up = parents.get(id(up))
    return None


def _check_tries(walk: "_WalkFacts", node: ast.AST, function: Optional[ast.AST], scope: "_Scope", parents: dict) -> None:
    """Opens where a `try` of the same function (or the module) around `node` may be what DPR302 or DPR303
    reports (rules/errors.py): an `except*`, a clause naming a Dapr error class (DPR302 reads those), or a clause
    that may swallow the failure (`_swallows`, whatever it catches). A `try` is read nowhere else in a module
    with no handler, workflow or actor (the summary's unguarded calls are route handlers')."""
    up = parents.get(id(node))
    while up is not None and up is not function:
        if type(up).__name__ == "TryStar":
            raise Open
        if isinstance(up, ast.Try):
            for handler in up.handlers:
                if handler.type is not None:
                    for part in ast.walk(handler.type):
                        if isinstance(part, (ast.Name, ast.Attribute)):
                            value = walk.value(part, scope)
                            if value[0] == "ref" and (value[1] == "dapr" or value[1].startswith("dapr.")):
                                raise Open  # DPR302
                if _may_swallow(handler, bool(walk.routes)):
                    raise Open  # DPR303
        up = parents.get(id(up))


def _may_swallow(handler: ast.ExceptHandler, prints: bool) -> bool:
    """What rules/errors.py `_swallows` lets an except body hold and still swallow the failure: `pass`,
    `continue`, `return` (of nothing or None), a string or `...` alone; a `print` too in a module serving handlers
    (`prints`: here, any route decorator the walk met: every other handler shape opens the file first)."""
    for statement in handler.body:
        if isinstance(statement, (ast.Pass, ast.Continue)):
            continue
        if isinstance(statement, ast.Return) and (
            statement.value is None or (isinstance(statement.value, ast.Constant) and statement.value.value is None)
        ):
            continue
        if isinstance(statement, ast.Expr):
            value = statement.value
            if isinstance(value, ast.Constant) and (value.value is Ellipsis or isinstance(value.value, str)):
                continue
            if prints and isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "print":
                continue
        return False
    return True


def _argument(call: ast.Call, index: Optional[int], keyword: str) -> Optional[ast.expr]:
    """python/model's `argument(call, index, keyword)` for a call without star arguments (those open)."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        raise Open
    for k in call.keywords:
        if k.arg == keyword:
            return k.value
    if index is None:
        return None
    return call.args[index] if index < len(call.args) else None
