"""The first pass's reading of Dapr clients held by a def or a method and handed on (python/gate_clients.py reads
every client; these are the shapes where the summary's `defs` and `classes` entries hold more than its own module
uses, and where a client class is named without being built):
- the def or method whose body holds a client (`definition`): a module-level def, or a method of a module-level
  class, each name bound once (python/summary_blocking.py `blocking_definitions` keys its entry by them);
- a sync client built outside `with` in such a plain def (`handed_on`): returned as built, or bound once to a
  name that is only returned or given to calls as an argument (`check_handed_read`), so that DPR106 never reports
  it (rules/clients.py `_unclosed_constructions`: a use handing it on) and no call is made on it; the def's
  `returns` entry (`returned_client`);
- a client class named where the model types nothing by it (`types_nothing`)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from dapr_lint.python.gate import _Scope, _WalkFacts


class Open(Exception):
    """The model or a rule may read a client where the first pass does not: the file goes the full way."""


# typing's wrappers the model reads an annotation through (python/model `type_from_annotation`)
_WRAPPERS = frozenset({"typing.Optional", "typing.Union", "typing_extensions.Optional", "typing.Annotated", "typing_extensions.Annotated"})
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
    return isinstance(up, ast.Subscript) and up.slice is node and walk.path_of(up.value, scope) not in _WRAPPERS


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
    info = next((f for f in walk.functions if f.node is function), None)
    if info is None or len(info.scope.bindings.get(function.name, ())) != 1:
        raise Open
    if up is tree:
        return (None, function.name)
    if isinstance(up, ast.ClassDef) and parents.get(id(up)) is tree and len(walk.module.bindings.get(up.name, ())) == 1:
        return (up.name, function.name)
    raise Open


def handed_on(walk: "_WalkFacts", call: ast.Call, scope: "_Scope", handed: set[int], parents: dict) -> None:
    """A sync client built outside `with` in a def, where DPR106 never reports it (rules/clients.py
    `_unclosed_constructions`: a use that hands it on): returned as built, or bound to a name (once, in the def's
    own scope, unannotated) that `check_handed_read` reads. The name's binding goes to `handed`."""
    up = parents.get(id(call))
    if isinstance(up, ast.Return) and up.value is call:
        return
    if isinstance(up, ast.Assign) and up.value is call and len(up.targets) == 1 and isinstance(up.targets[0], ast.Name):
        name = up.targets[0].id
        bindings = walk.lookup(name, scope) or []
        if (
            name not in scope.global_names and name not in scope.nonlocal_names and len(bindings) == 1
            and bindings[0].kind == "assign" and bindings[0].value is call and bindings[0].annotation is None
        ):
            handed.add(id(bindings[0]))
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
