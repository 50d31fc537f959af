"""Python rules: small functions of the ModuleModel that yield Reports.

A rule knows nothing about files, output formats or configuration beyond `model.options`. Register one
with `@python_rule(spec)`; the engine runs the enabled ones once per module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Optional

import libcst as cst

from dapr_lint.diagnostics import FixInfo
from dapr_lint.python.edits import Edit
from dapr_lint.registry import Prediction, RuleSpec, register

if TYPE_CHECKING:
    from dapr_lint.python.model import ModuleModel


@dataclass(frozen=True)
class Report:
    """A finding at a CST node; the engine turns the node into a position only when it is reported."""

    code: str
    node: cst.CSTNode
    message: str
    fix: Optional[FixInfo] = None
    # How to fix it (with `fix` saying how safe that is); None when this finding has no fix.
    edit: Optional[Edit] = None
    # What this finding predicts when the code runs, when it differs from its rule's RuleSpec.predicts (e.g. a
    # call that warns on one protocol and raises on the other): code expecting any of these is testing it.
    predicts: Optional[tuple[Prediction, ...]] = None


CheckFunction = Callable[["ModuleModel"], Iterable[Report]]

PYTHON_RULES: dict[str, CheckFunction] = {}


def python_rule(spec: RuleSpec) -> Callable[[CheckFunction], CheckFunction]:
    register(spec)

    def decorate(func: CheckFunction) -> CheckFunction:
        PYTHON_RULES[spec.code] = func
        return func

    return decorate
