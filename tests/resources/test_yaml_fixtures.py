"""Each fixture under tests/fixtures/yaml declares its expected findings as `# error: DPRxxx` comments on the
line where each finding starts; the checker must report exactly those (line, code) pairs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dapr_lint.resources import analyze_yaml
from dapr_lint.resources.catalog import RESOURCE_CODES
from dapr_lint.settings import Settings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "yaml"
ALL_CODES = Settings(enabled=frozenset(RESOURCE_CODES + ("DPR001",)))
_EXPECTED = re.compile(r"#\s*error:\s*(DPR\d{3}(?:\s*,\s*DPR\d{3})*)\s*$")


def expected_findings(source: str) -> set[tuple[int, str]]:
    expected: set[tuple[int, str]] = set()
    for number, line in enumerate(source.splitlines(), start=1):
        match = _EXPECTED.search(line)
        if match:
            expected.update((number, code.strip()) for code in match.group(1).split(","))
    return expected


def fixture_paths() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".yaml", ".yml"))


def test_fixtures_exist() -> None:
    assert len(fixture_paths()) >= 17


@pytest.mark.parametrize("path", fixture_paths(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture(path: Path) -> None:
    data = path.read_bytes()
    found = {(d.line, d.code) for d in analyze_yaml(str(path), data, ALL_CODES)}
    expected = expected_findings(data.decode("utf-8"))
    missing = sorted(expected - found)
    unexpected = sorted(found - expected)
    assert not missing and not unexpected, f"missing: {missing}; unexpected: {unexpected}"


def test_every_rule_has_a_positive_fixture() -> None:
    declared: set[str] = set()
    for path in fixture_paths():
        declared.update(code for _, code in expected_findings(path.read_text("utf-8")))
    assert set(RESOURCE_CODES) <= declared, sorted(set(RESOURCE_CODES) - declared)
