"""The first pass's reading of Dapr clients held by a def or a method and handed on (python/gate_clients.py reads
every client; these are the shapes where the summary's `defs` and `classes` entries hold more than its own module
uses, and where a client class is named without being built):
- the def or method whose body holds a client (`definition`): a module-level def, or a method of a module-level
  class, each name bound once (python/summary_blocking.py `blocking_definitions` keys its entry by them);
- a sync client built outside `with` in such a plain def (`handed_on`): returned as built, or bound once to a
  name that is only returned or given to calls as an argument (`check_handed_read`), so that DPR106 never reports
  it (rules/clients.py `_unclosed_constructions`: a use handing it on) and no call is made on it; the def's
  `returns` entry (`returned_client`);
- a client class named where the model types nothing by it (`types_nothing`);
- the defs and methods calling a def holding a sync client, whose entries block on its use (`propagated`)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Iterator, Optional

from dapr_lint.python import known

if TYPE_CHECKING:
    from dapr_lint.python.gate import _Function, _Scope, _WalkFacts


class Open(Exception):
    """The model or a rule may read a client where the first pass does not: the file goes the full way."""


# where the summary holds a def's entry: (its class, None for a module-level def; its name)
Key = tuple[Optional[str], str]


def types_nothing(walk: "_WalkFacts", expr: ast.expr, scope: "_Scope", parents: dict) -> bool:
    """A client class named where the model types nothing by it: a def's return annotation (read by no rule nor
    fact), or inside a subscript other than typing's wrappers (`list[DaprClient]`, `Callable[[], DaprClient]`:
    `type_from_annotation` gives UNKNOWN, and so does the value of such a subscript)."""
    node: ast.AST = expr
    up = parents.get(id(node))
    if isinstance(up, (ast.FunctionDef, ast.AsyncFunctionDef)) and up.returns is node:
        return True
    while isinstance(up, (ast.Tuple, ast.List)):
        node, up = up, parents.get(id(up))
    return isinstance(up, ast.Subscript) and up.slice is node and walk.path_of(up.value, scope) not in known.ANNOTATION_WRAPPERS


def definition(walk: "_WalkFacts", function: Optional[ast.AST], parents: dict, tree: ast.Module) -> Optional[Key]:
    """Where the summary holds the entry of the def whose body holds a client (python/summary_blocking.py
    `blocking_definitions`): a module-level def under its name, a method of a module-level class under its
    class's; None for module-level code or a class body (no entry). Opens for a nested def, a lambda, and a
    name bound twice (which def's entry the summary keeps is the model's order)."""
    if function is None:
        return None
    up = parents.get(id(function))
    if isinstance(function, ast.ClassDef) and up is tree:
        return None
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        raise Open
    info = walk.function_of(function)
    if info is None or len(info.scope.bindings.get(function.name, ())) != 1:
        raise Open
    if up is tree:
        return (None, function.name)
    if isinstance(up, ast.ClassDef) and parents.get(id(up)) is tree and len(walk.module.bindings.get(up.name, ())) == 1:
        return (up.name, function.name)
    raise Open


def sole_binding(walk: "_WalkFacts", call: ast.Call, scope: "_Scope", up: Optional[ast.AST]) -> Any:
    """The binding of `name = <call>` (`up`: the call's parent) when that plain assignment is the name's only binding
    where it stands (unannotated, neither global nor nonlocal there): the model gives the name that value alone.
    None for anything else."""
    if isinstance(up, ast.Assign) and up.value is call and len(up.targets) == 1 and isinstance(up.targets[0], ast.Name):
        name = up.targets[0].id
        bindings = walk.lookup(name, scope) or []
        if (
            name not in scope.global_names and name not in scope.nonlocal_names and len(bindings) == 1
            and bindings[0].kind == "assign" and bindings[0].value is call and bindings[0].annotation is None
        ):
            return bindings[0]
    return None


def handed_on(walk: "_WalkFacts", call: ast.Call, scope: "_Scope", handed: set[int], parents: dict) -> None:
    """A sync client built outside `with` in a def, where DPR106 never reports it (rules/clients.py
    `_unclosed_constructions`: a use that hands it on): returned as built, or bound to a name (once, in the def's
    own scope, unannotated) that `check_handed_read` reads. The name's binding goes to `handed`."""
    up = parents.get(id(call))
    if isinstance(up, ast.Return) and up.value is call:
        return
    binding = sole_binding(walk, call, scope, up)
    if binding is not None:
        handed.add(id(binding))
        return
    raise Open  # DPR106 may report it (read by attribute, closed or not), or the model may type it elsewhere


def check_handed_read(root: ast.Name, same_scope: bool, parents: dict) -> None:
    """A read of a name a client built to hand on is bound to: in the def's own scope, returned or given to a
    call as an argument (`uses_of`: "return", "arg"; never read by attribute, so never a client call)."""
    up = parents.get(id(root))
    if same_scope:
        if isinstance(up, ast.Return) and up.value is root:
            return
        if isinstance(up, ast.Call) and any(a is root for a in up.args):
            return
        if isinstance(up, ast.keyword) and up.arg is not None and isinstance(parents.get(id(up)), ast.Call):
            return
    raise Open


def returned_client(function: ast.FunctionDef, built: dict[int, str], reads: dict[int, ast.expr]) -> Optional[str]:
    """python/summary_blocking.py `returned_client` of a def building clients to hand on (`built`: each
    construction's class by the call's id): the class when every `return` of its own body returns one of them
    (as built, or through the name it is bound to: `reads`), else None."""
    classes: set[str] = set()
    stack = list(ast.iter_child_nodes(function))
    returns = 0
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        stack.extend(ast.iter_child_nodes(node))
        if not isinstance(node, ast.Return) or node.value is None:
            continue  # (the model records the value of each `return` that has one)
        returns += 1
        value: Optional[ast.expr] = node.value
        if isinstance(value, ast.Name):
            value = reads.get(id(value))
        if value is None or id(value) not in built:
            return None
        classes.add(built[id(value)])
    return classes.pop() if returns and len(classes) == 1 else None


_PLAIN_METHOD_DECORATORS = frozenset({"staticmethod", "classmethod", "abstractmethod"})


def all_params(args: ast.arguments) -> list[ast.arg]:
    """A function's parameters in the model's order (python/model/builder.py `all_params`)."""
    return [*args.posonlyargs, *args.args, *filter(None, [args.vararg]), *args.kwonlyargs, *filter(None, [args.kwarg])]


def calls_own_method(call: ast.Call, function: "_Function") -> bool:
    """`self.<name>(...)` in a method, `<name>` a method of the method's own class (not a property): the model's
    `called_function` is that method, and the summary's async_calls skip a call of a local function
    (python/summary_blocking.py; what it returns is read where it is used)."""
    func, klass, node = call.func, function.klass, function.node
    if (
        klass is None or function.inner is None or not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        or not isinstance(func, ast.Attribute) or not isinstance(func.value, ast.Name)
    ):
        return False
    params = [*node.args.posonlyargs, *node.args.args]
    if not params or params[0].arg != func.value.id or len(function.inner.bindings.get(func.value.id, ())) != 1:
        return False  # not `self` (the model's "self" binding: the first parameter of a method, never rebound)
    if any(isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod") for d in node.decorator_list):
        return False
    method = klass.methods.get(func.attr)
    return method is not None and all(
        isinstance(d, ast.Name) and d.id in _PLAIN_METHOD_DECORATORS for d in method.decorators
    )


def propagated(
    walk: "_WalkFacts", tree: ast.Module, parents: dict, held: dict[Key, tuple[ast.expr, str]], returning: set[Key]
) -> dict[Key, tuple[ast.expr, str]]:
    """python/summary_blocking.py `_blocking` across calls: `held` (each def or method holding a sync client, by
    the callee of its first use) and the entries of the defs and methods that call one, directly or a few calls
    deep, by the same callee. Every read of the name of such a def must be a call the model resolves to it
    (`_resolve`), a statement of its own (no offloading, no order of evaluation to mirror), in the plain,
    non-generator body of a def the summary keys (`definition`); or a call at module level or as the body of a
    lambda (no entry: neither is a def the summary keys, nor a coroutine). A def in `returning` hands a client on: any read opens (what it returns is typed where
    it is called). Opens on a coroutine calling one (DPR101), a cycle, more than 3 calls deep (the model stops at
    4 and keeps what it found first), and a def whose calls reach different callees (which one the model meets
    first is its order of calls)."""
    owners = {id(f.inner): f for f in walk.functions if f.inner is not None}
    callees: dict[Key, set[Key]] = {}
    queue = list(held)
    seen = set(queue)
    while queue:
        key = queue.pop()
        name = key[1]
        for expr, scope in walk.chains:
            links = _links(expr)
            if any(node.attr == name for node in links[1:]):  # type: ignore[attr-defined]
                raise Open  # a member read past it (`self.save.cache_clear`)
            root = links[-1].value if links else expr  # type: ignore[attr-defined]
            if type(root) is ast.Name and root.id == name and links:  # type: ignore[attr-defined]
                raise Open  # a member of it read (`save.__wrapped__`)
            if not (links and links[0].attr == name) and not (type(expr) is ast.Name and expr.id == name):  # type: ignore[attr-defined]
                continue
            if scope is walk.module and key not in returning and getattr(parents.get(id(expr)), "func", None) is expr:
                continue  # called at module level: no def's entry (`g = main` would let a def call it through g)
            call = parents.get(id(expr))
            caller = owners.get(id(scope))
            if key in returning or not isinstance(call, ast.Call) or call.func is not expr:
                raise Open
            up = parents.get(id(call))
            if isinstance(up, ast.Lambda) and up.body is call:
                continue  # what a lambda calls: a lambda has no entry, and is never a coroutine (DPR101)
            if caller is None:
                raise Open
            statement = parents.get(id(call))
            if not isinstance(statement, (ast.Expr, ast.Assign, ast.AnnAssign, ast.Return)) or statement.value is not call:
                raise Open
            if _resolve(walk, call, scope, caller, tree, parents) != key:
                raise Open  # maybe another def's (the model may resolve it where this pass cannot)
            if not isinstance(caller.node, ast.FunctionDef) or is_generator(caller.node):
                raise Open  # DPR101 (a coroutine calling it), a generator (no entry of its own)
            caller_key = definition(walk, caller.node, parents, tree)
            if caller_key is None or caller_key == key or caller_key in held:
                continue  # (a def calling itself: skipped; one holding a client: its own use comes first)
            callees.setdefault(caller_key, set()).add(key)
            if caller_key not in seen:
                seen.add(caller_key)
                queue.append(caller_key)
    found = dict(held)
    depth: dict[Key, int] = {key: 0 for key in held}

    def settle(key: Key, path: tuple[Key, ...]) -> None:
        if key in found and key in depth:
            return
        if key in path or len(path) > 3:
            raise Open
        snippets = set()
        for callee in callees[key]:
            settle(callee, (*path, key))
            snippets.add((ast.unparse(found[callee][0]), found[callee][1]))
            depth[key] = max(depth.get(key, 0), depth[callee] + 1)
        if len(snippets) != 1 or depth[key] > 3:
            raise Open
        found[key] = found[next(iter(callees[key]))]

    for key in callees:
        settle(key, ())
    return found


def _links(expr: ast.expr) -> list[ast.Attribute]:
    """A chain and every attribute below it (`a.b.c`, `a.b`; not the root name)."""
    found: list[ast.Attribute] = []
    while isinstance(expr, ast.Attribute):
        found.append(expr)
        expr = expr.value
    return found


def _resolve(walk: "_WalkFacts", call: ast.Call, scope: "_Scope", caller: "_Function", tree: ast.Module, parents: dict) -> Optional[Key]:
    """The def or method the model's `called_function` gives for a call, where this pass can tell: a module-level
    def called by its name, a method of the caller's own module-level class called on `self` (`calls_own_method`),
    or an undecorated method of a module-level class called on a name bound once to a construction of it
    (`_local_member`: the class's own methods come first). None otherwise."""
    func = call.func
    if isinstance(func, ast.Name):
        bindings = walk.lookup(func.id, scope) or []
        if len(bindings) == 1 and bindings[0].kind == "def" and bindings[0].scope is walk.module:
            return (None, func.id)
        return None
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
        return None
    if calls_own_method(call, caller):
        klass = caller.klass
        if klass is not None and parents.get(id(klass.node)) is tree:
            return (klass.name, func.attr)
        return None
    bindings = walk.lookup(func.value.id, scope) or []
    if len(bindings) != 1 or bindings[0].kind != "assign" or bindings[0].annotation is not None:
        return None
    built = bindings[0].value
    if not (isinstance(built, ast.Call) and isinstance(built.func, ast.Name)):
        return None
    classes = walk.lookup(built.func.id, bindings[0].scope) or []
    if len(classes) != 1 or classes[0].kind != "class" or parents.get(id(classes[0].value)) is not tree:
        return None
    method = classes[0].target.methods.get(func.attr)
    if method is None or method.decorators:
        return None
    return (classes[0].target.name, func.attr)


def chain_roots(walk: "_WalkFacts") -> Iterator[tuple[ast.expr, "_Scope", ast.Name, list]]:
    """Each name or attribute chain the walk met (`c`, `c.get_state`) whose root is a name: the chain, its scope,
    the root and what the root is bound to there (as the model's lookup gives it)."""
    for expr, scope in walk.chains:
        root = expr
        while type(root) is ast.Attribute:
            root = root.value  # type: ignore[attr-defined]
        if type(root) is ast.Name:
            yield expr, scope, root, walk.lookup(root.id, scope) or []  # type: ignore[attr-defined]


def is_generator(function: ast.AST) -> bool:
    """A `yield` in the function's own body (not a nested function's)."""
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return True
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))
    return False
