"""The fix tests generated from the rules' examples: an invalid example that carries its `fixed=` text becomes
exactly that text under `--fix --unsafe-fixes` with only its rule on, the fix is idempotent, and the fixed text
no longer produces the rule."""

from __future__ import annotations

import pytest

from dapr_lint import catalog, registry  # noqa: F401  (catalog: every rule registered)
from dapr_lint.config import OPTIONS
from dapr_lint.engine.fixes import fix_python
from dapr_lint.engine.python_stage import analyze_python
from dapr_lint.settings import Settings

FIXED = [
    (rule, index, example)
    for rule in registry.all_rules()
    for index, example in enumerate(rule.examples)
    if example.fixed is not None
]


def _settings(code: str, fix_mode=None) -> Settings:
    options = {key: option.default for key, option in OPTIONS.items()}
    return Settings(enabled=frozenset({code}), options=options, unsafe_fixes=True, fix_mode=fix_mode)


@pytest.mark.parametrize("rule, index, example", FIXED, ids=[f"{r.code}-{i}" for r, i, _ in FIXED])
def test_an_example_s_fix_gives_its_fixed_text(rule, index, example):
    assert not example.valid and rule.fix_safety is not None and example.language == "python" and not example.files
    name = example.filename or "example.py"
    outcome = fix_python(name, example.source.encode(), _settings(rule.code, "fix"))
    assert not outcome.problems and not outcome.refused
    assert outcome.data.decode() == example.fixed
    assert fix_python(name, outcome.data, _settings(rule.code, "fix")).data == outcome.data  # idempotent
    left = analyze_python(name, outcome.data, _settings(rule.code)).diagnostics
    assert [d.code for d in left if d.code == rule.code] == []


def test_some_examples_carry_their_fixed_text():
    assert FIXED, "no example has `fixed=`: the generated fix tests test nothing"
