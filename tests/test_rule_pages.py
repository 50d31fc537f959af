"""Every rule page's header and code examples come from the rule (scripts/gen_rule_docs.py), and every example
does what its page says: an invalid one produces its rule (nothing else, and it parses), a valid one nothing."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from conftest import lint
from dapr_lint import registry

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("gen_rule_docs", ROOT / "scripts" / "gen_rule_docs.py")
assert _spec is not None and _spec.loader is not None
gen_rule_docs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen_rule_docs)

EXAMPLES = [(rule, index, example) for rule in registry.all_rules() for index, example in enumerate(rule.examples)]


def test_every_page_is_generated_from_its_rule():
    stale = gen_rule_docs.stale_pages()
    assert not stale, f"stale rule pages: {stale}; run python scripts/gen_rule_docs.py"


# Rules across code and resources: their examples need the resource files beside them (not modelled yet). This
# list may only shrink.
WITHOUT_EXAMPLES = frozenset(f"DPR6{n:02d}" for n in range(1, 10))


def test_every_rule_has_an_invalid_and_a_valid_example():
    missing = {
        rule.code
        for rule in registry.all_rules()
        if not any(not e.valid for e in rule.examples) or not any(e.valid for e in rule.examples)
    }
    assert missing <= WITHOUT_EXAMPLES, f"rules without an invalid and a valid example: {sorted(missing - WITHOUT_EXAMPLES)}"
    assert not (WITHOUT_EXAMPLES - missing - {c for c in WITHOUT_EXAMPLES if c not in registry.codes()}), (
        f"these rules have examples now: remove them from WITHOUT_EXAMPLES: {sorted(WITHOUT_EXAMPLES - missing)}"
    )


@pytest.mark.parametrize(
    "rule, index, example",
    EXAMPLES,
    ids=[f"{r.code}-{'valid' if e.valid else 'invalid'}-{i}" for r, i, e in EXAMPLES],
)
def test_example_does_what_its_page_says(rule, index, example, tmp_path):
    name = example.filename or ("example.py" if example.language == "python" else "resource.yaml")
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(example.source, encoding="utf-8")
    result = lint(path, frozenset({rule.code, "DPR001"}))
    assert not result.errors, [f"{e.where}: {e.message}" for e in result.errors]
    produced = sorted({d.code for d in result.diagnostics})
    if example.valid:
        assert produced == [], f"the valid example {index} of {rule.code} produces {produced}"
    else:
        assert produced == [rule.code], f"the invalid example {index} of {rule.code} produces {produced}"


def test_the_generator_keeps_prose_and_replaces_only_blocks():
    rule = registry.RuleSpec(
        code="DPR999",
        name="demo",
        category="practice",
        summary="",
        target="python",
        examples=(registry.invalid("x = 1\n"), registry.valid("y = 2\n"), registry.valid("z = 3\n")),
    )
    page = (
        "# DPR999: demo\n\nCategory: bug · Default: off · Fix: none\n\n## What it does\n\nProse.\n\n"
        "## Example\n\n```python\nold\n```\n\n## Use instead\n\nFirst:\n\n```python\nold\n```\n\nKept.\n\n"
        "## Fix safety\n\nNone.\n"
    )
    out = gen_rule_docs.render(rule, page)
    assert out == (
        "# DPR999: demo\n\nCategory: practice · Default: on · Fix: none\n\n## What it does\n\nProse.\n\n"
        "## Example\n\n```python\nx = 1\n```\n\n## Use instead\n\nFirst:\n\n```python\ny = 2\n```\n\nKept.\n\n"
        "```python\nz = 3\n```\n\n## Fix safety\n\nNone.\n"
    )
    assert gen_rule_docs.render(rule, out) == out
    with pytest.raises(gen_rule_docs.PageError):
        gen_rule_docs.render(rule, page.replace("## Example\n\n```python\nold\n```\n", "## Example\n\n```python\na\n```\n\n```python\nb\n```\n"))
