"""The complete list of rules.

`load()` imports every module that registers rules, once: the Python rule families of python/rules/ (found by
listing the package, so a new family module needs no line here), the resource-file rules (resources/catalog.py)
and the rules across code and resources (DPR6xx, in the project package). Code that runs rules calls it (the
analyzer, the project stage).

`all_rules()`, `get()`, `codes()`, `by_name()`: every rule's spec, for code that selects, lists or reports rules
(the configuration, the CLI, the reporters). In a run the result cache serves, they are the specs an earlier run
of the same code saved (`registry.preload`), so that such a run imports no rule module (nor LibCST); otherwise
`load()` registers them.

registry.py only holds what is registered and imports no rule module: the rule modules import it.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Optional

from dapr_lint import registry
from dapr_lint.registry import RuleSpec


def load() -> None:
    """Import every module that registers rules (once); the registry is complete afterwards."""
    if registry.fully_loaded():
        return
    # Imported here, not at the top: reading the specs of a cached run does not need them (start-up time).
    from dapr_lint import project  # noqa: F401  (registers DPR601-DPR609)
    from dapr_lint.python import rules
    from dapr_lint.resources import catalog  # noqa: F401  (registers DPR5xx)

    for module in pkgutil.iter_modules(rules.__path__, rules.__name__ + "."):
        importlib.import_module(module.name)
    registry.mark_complete()


def _specs() -> None:
    if not registry.preloaded():
        load()


def all_rules() -> list[RuleSpec]:
    _specs()
    return registry.all_rules()


def get(code: str) -> RuleSpec:
    _specs()
    return registry.get(code)


def codes() -> list[str]:
    _specs()
    return registry.codes()


def by_name(name: str) -> Optional[RuleSpec]:
    _specs()
    return registry.by_name(name)
