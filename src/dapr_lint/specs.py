"""Every rule's spec, for code that selects, lists or reports rules (the configuration, the CLI, the reporters,
the codemods).

In a run the result cache serves, they are the specs an earlier run of the same code saved (`registry.preload`),
so that such a run imports no rule module, nor LibCST. Otherwise they come from the code: importing
dapr_lint.catalog imports every rule module, which registers its rules.
"""

from __future__ import annotations

from typing import Optional

from dapr_lint import registry
from dapr_lint.registry import RuleSpec


def _complete() -> None:
    if not registry.preloaded():
        from dapr_lint import catalog  # noqa: F401  (here, not at the top: a cached run does without it)


def all_rules() -> list[RuleSpec]:
    _complete()
    return registry.all_rules()


def get(code: str) -> RuleSpec:
    _complete()
    return registry.get(code)


def codes() -> list[str]:
    _complete()
    return registry.codes()


def by_name(name: str) -> Optional[RuleSpec]:
    _complete()
    return registry.by_name(name)
