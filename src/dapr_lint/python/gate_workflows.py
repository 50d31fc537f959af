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
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from dapr_lint.python.model.workflow_facts import WORKFLOW_CONTEXTS

if TYPE_CHECKING:
    from dapr_lint.python.gate import _Scope, _WalkFacts

# The workflow context classes (canonical paths): read here where they are called.
CONTEXT_CLASSES = WORKFLOW_CONTEXTS


class Open(Exception):
    """The model may read a workflow name where the first pass does not: the file goes the full way."""


def check_context(expr: ast.expr, parents: dict[int, ast.AST]) -> None:
    """A context class named where the model compares nothing with it: the callee of a call (a name in a string
    annotation has no parent here, and opens)."""
    up = parents.get(id(expr))
    if not (isinstance(up, ast.Call) and up.func is expr):
        raise Open  # an annotation (`context_method`), an alias, an argument, a checked type


def opaque_registrations(walk: "_WalkFacts", calls: list[tuple[ast.Call, "_Scope"]]) -> bool:
    """Whether the registration calls at `calls` make the module's registrations not known, as the workflow facet
    reads them (always, for the shapes read here); opens on any other shape."""
    if not walk.imports_module("dapr.ext.workflow"):
        raise Open  # `_registration_call` then reads the receiver: a resolved WorkflowRuntime counts
    for call, scope in calls:
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            raise Open
        target = next((k.value for k in call.keywords if k.arg == "fn"), call.args[0] if call.args else None)
        if target is None or not _parameter(walk, target, scope):
            raise Open  # a local function (a handler, its name), an import path, `self.method`
        name = next((k.value for k in call.keywords if k.arg == "name"), None)
        if name is not None and not (isinstance(name, ast.Constant) and name.value is None) and not _parameter(walk, name, scope):
            raise Open  # a string or an import path: a registered name
    return True


def _parameter(walk: "_WalkFacts", expr: ast.expr, scope: "_Scope") -> bool:
    """A name bound only as parameters (the model's value: unknown, or what an annotation types, never a
    function, a string or an import path)."""
    if not isinstance(expr, ast.Name):
        return False
    bindings = walk.lookup(expr.id, scope) or []
    return bool(bindings) and all(binding.kind == "param" for binding in bindings)
