"""Every resource rule has a docs page with the standard sections, and the catalog matches RULES names."""

from __future__ import annotations

from pathlib import Path

import pytest

from dapr_lint import catalog, registry

assert catalog  # imported for every rule's registration
RESOURCE_RULES = [r for r in registry.all_rules() if r.target == "yaml"]

DOCS = Path(__file__).resolve().parent.parent.parent / "docs" / "rules"
SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety", "## References")


@pytest.mark.parametrize("rule", RESOURCE_RULES, ids=lambda r: r.code)
def test_rule_doc(rule) -> None:
    text = (DOCS / f"{rule.code}.md").read_text("utf-8")
    assert text.startswith(f"# {rule.code}: {rule.name}\n")
    positions = [text.index(section) for section in SECTIONS]
    assert positions == sorted(positions)
    assert "```yaml" in text


def test_catalog_codes_and_targets() -> None:
    codes = [r.code for r in RESOURCE_RULES]
    assert codes == sorted(codes) and all(code.startswith("DPR5") for code in codes)
    assert all(r.target == "yaml" and r.fix_safety is None for r in RESOURCE_RULES)
