"""The entries a `GET /dapr/subscribe` handler lists (programmatic subscriptions): the pub/sub, the topic and the
routes of each, for the project stage (summaries.ListedSubscription; the apps graph draws them)."""

from __future__ import annotations

from typing import Any, Iterator, Optional

import libcst as cst

from dapr_lint.python.model import Const, ModuleModel, Ref, Scope, constant_string
from dapr_lint.python.model.handlers import HandlerFinder
from dapr_lint.summaries import StrValue, ImportedName


def listed_entries(model: ModuleModel) -> Iterator[tuple[cst.Dict, Scope]]:
    """Each entry (a dict) a `GET /dapr/subscribe` handler of the module returns, with the scope it is read in."""
    finder = HandlerFinder(model)
    for handler in model.handlers:
        if handler.kind != "route" or handler.path != "/dapr/subscribe":
            continue
        info = handler.function
        for returned in info.returns:
            for entry in finder.listed_entries(returned, info.scope):
                yield entry, info.scope


def listed_subscriptions(model: ModuleModel) -> tuple[list[dict[str, Any]], list[tuple[dict, cst.CSTNode]]]:
    """Drafts of the listed entries (`pubsubname`, `topic`, the routes) and the dict nodes whose spans they need."""
    drafts: list[dict[str, Any]] = []
    pending: list[tuple[dict, cst.CSTNode]] = []
    finder = HandlerFinder(model)
    for entry, scope in listed_entries(model):
        item = {
            "pubsub": _value(model, entry, "pubsubname", scope),
            "topic": _value(model, entry, "topic", scope),
            "routes": sorted(finder.entry_routes(entry, scope)),
        }
        drafts.append(item)
        pending.append((item, entry))
    return drafts, pending


def _value(model: ModuleModel, entry: cst.Dict, key: str, scope: Scope) -> StrValue:
    found: Optional[cst.BaseExpression] = None
    for element in entry.elements:
        if isinstance(element, cst.DictElement) and model.value_of(element.key, scope) == Const(key):
            found = element.value
    return summary_string(model, found, scope)


def summary_string(model: ModuleModel, expr: Optional[cst.BaseExpression], scope: Scope) -> StrValue:
    """A string value as a summary keeps it: text, an imported name the project stage resolves, or None."""
    if expr is None:
        return None
    value = model.value_of(expr, scope)
    if isinstance(value, Ref):
        return ImportedName(value.path)
    return constant_string(value)
