"""Coverage of the resource fixtures. tests/test_fixtures.py lints every fixture through the engine and compares
its findings with the `# error: DPRxxx` comments, both ways."""

from __future__ import annotations

from pathlib import Path

from dapr_lint import catalog, registry
from markers import expected_findings

assert catalog  # imported for every rule's registration
RESOURCE_CODES = tuple(r.code for r in registry.all_rules() if r.target == "yaml")

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "yaml"
def fixture_paths() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".yaml", ".yml"))


def test_fixtures_exist() -> None:
    assert len(fixture_paths()) >= 17


def test_every_rule_has_a_positive_fixture() -> None:
    declared: set[str] = set()
    for path in fixture_paths():
        declared.update(code for _, code in expected_findings(path.read_text("utf-8")))
    assert set(RESOURCE_CODES) <= declared, sorted(set(RESOURCE_CODES) - declared)
