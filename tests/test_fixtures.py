"""Every fixture file is linted and its findings compared, both ways, with its `# error:` comments."""

from __future__ import annotations

from collections import Counter

import pytest

from conftest import FIXTURES, fixture_codes, lint, long_messages
from markers import expected_findings, mismatched_details, parse_markers
from snapshots import check_snapshot, stale_snapshots

FIXTURE_FILES = sorted(
    p
    for p in FIXTURES.rglob("*")
    if p.suffix in (".py", ".yaml", ".yml") and p.is_file() and "projects" not in p.relative_to(FIXTURES).parts
)


def test_there_are_fixtures_for_every_python_rule():
    from dapr_lint import registry

    covered = set()
    for path in FIXTURE_FILES:
        covered |= fixture_codes(path, path.read_text(encoding="utf-8"))
    # rules over several files and resources (DPR6xx) have their fixtures as mini-repositories (test_apps.py)
    for path in (FIXTURES / "projects").rglob("*"):
        if path.suffix in (".py", ".yaml", ".yml"):
            covered |= {code for _line, code in expected_findings(path.read_text(encoding="utf-8"))}
    python_rules = {r.code for r in registry.all_rules() if r.target in ("python", "project")}
    assert python_rules <= covered, f"rules without fixtures: {sorted(python_rules - covered)}"


def test_every_snapshot_has_its_fixture():
    stale = stale_snapshots(p.relative_to(FIXTURES) for p in FIXTURE_FILES)
    assert not stale, f"snapshots of fixtures that are gone (delete them): {stale}"


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture(path, request):
    text = path.read_text(encoding="utf-8")
    codes = fixture_codes(path, text)
    result = lint(path, codes)
    assert not result.errors, [f"{e.where}: {e.message}\n{e.traceback}" for e in result.errors]
    got = Counter((d.line, d.code) for d in result.diagnostics if d.code in codes)
    expected = Counter({key: n for key, n in expected_findings(text).items() if key[1] in codes})
    missing = sorted((expected - got).elements())
    unexpected = sorted((got - expected).elements())
    messages = {(d.line, d.code): d.message for d in result.diagnostics}
    assert not missing and not unexpected, (
        f"\nmissing (expected, not reported): {missing}"
        f"\nunexpected (reported, not expected): {[(k, messages.get(k)) for k in unexpected]}"
    )
    assert not long_messages(result.diagnostics), long_messages(result.diagnostics)
    pinned = [m for m in parse_markers(text) if m.code in codes]
    assert not mismatched_details(pinned, result.diagnostics), mismatched_details(pinned, result.diagnostics)
    # what users read, every finding: `line:col code message` (tests/snapshots.py)
    update = request.config.getoption("--snapshot-update")
    problem = check_snapshot(path.relative_to(FIXTURES), result.diagnostics, update=update)
    assert problem is None, problem
