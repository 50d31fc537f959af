"""The first pass's reading of a module that defines a Dapr client class of its own (python/gate_clients.py reads
every client class named; this is the shape where one is named as a base): `class DaprClient(DaprGrpcClient)`,
the SDK's own `dapr/clients/__init__.py`.

The model makes an instance of a local class whose chain of bases holds a client class a client of that kind
(python/model/clients.py `client_kind`): its `self` in every method, a construction or an annotation of the class.
What the rules and the summary then read of such a value goes through `client_of` on an expression that holds it:
the receiver of a call (`self.get_state(...)`, `client_method_call`), a `with` item, a value returned, a parameter,
or the receiver of a deprecated member read (rules/deprecations.py: `self.wait`, `self.invoke_method_async`, the
jobs' alpha names). A member read through it (`self.attr`) is the local class's member (`_local_member`), whose
value comes from what is bound to it, each checked where it is written; DPR108 judges no local instance.

So the class closes where no value the model types as its instance is read but as the receiver of a member that
is not called and not one of those deprecated names: the class is named nowhere else (no construction, alias,
annotation, subclass), and the first parameter of each of its methods (`self`, or `cls` when decorated: both
counted) is read only as `self.attr`."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Optional

from dapr_lint.python import known
from dapr_lint.python.gate_held import all_params

if TYPE_CHECKING:
    from dapr_lint.python.gate import _Gate

# The members rules/deprecations.py reports when read on a Dapr client.
DEPRECATED_MEMBERS = known.DEPRECATED_CLIENT_MEMBERS


def defined_client(walk: "_Gate", base: ast.expr, parents: dict) -> bool:
    """Whether `base` (a chain naming a client class) is a base of a class of the module read as the module
    docstring says: its instances are read nowhere the model reads a client."""
    node = parents.get(id(base))
    if not (isinstance(node, ast.ClassDef) and any(base is b for b in node.bases)):
        return False
    klass = next((c for c in walk.classes if c.node is node), None)
    if klass is None:
        return False
    for expr, scope in walk.chains:
        if type(expr) is ast.Name and expr.id == klass.name:  # type: ignore[attr-defined]
            if any(b.target is klass for b in walk.lookup(expr.id, scope) or ()):  # type: ignore[attr-defined]
                return False  # built, aliased, annotated or subclassed: an instance the model reads elsewhere
    typed: set[int] = set()
    for info in walk.functions:
        if info.klass is not klass or info.inner is None or not isinstance(info.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        first = next(iter(all_params(info.node.args)), None)
        if first is not None:
            typed.add(id(info.inner.bindings[first.arg][0]))  # (bound first)
    for expr, scope in walk.chains:
        root: Any = expr
        member: Optional[ast.Attribute] = None
        while type(root) is ast.Attribute:
            member, root = root, root.value  # type: ignore[attr-defined]
        if type(root) is not ast.Name:
            continue
        if not any(id(b) in typed for b in walk.lookup(root.id, scope) or ()):
            continue
        if member is None or member.attr in DEPRECATED_MEMBERS:
            return False  # the instance itself (returned, passed, entered, compared) or a deprecated member
        call = parents.get(id(member))
        if isinstance(call, ast.Call) and call.func is member:
            return False  # a method called on the client (`self.get_state(...)`, any of its own)
    return True
