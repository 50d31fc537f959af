"""What every rule must have, stated once: a spec with its identity and properties (every property a field of
its RuleSpec, never a list elsewhere), a check in the stage the spec names, examples of both kinds, its page's
prose (the page is generated whole from the spec: tests/test_rule_pages.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dapr_lint import catalog, registry  # noqa: F401  (catalog: every rule registered)
from dapr_lint.registry import RuleSpec

PAGES = Path(__file__).resolve().parents[1] / "docs" / "rules"
RULES = registry.all_rules()


@pytest.mark.parametrize("spec", RULES, ids=[spec.code for spec in RULES])
def test_every_rule_has_what_a_rule_must_have(spec: RuleSpec):
    assert re.fullmatch(r"DPR\d{3}", spec.code)  # flake8 accepts `[A-Z]{1,3}[0-9]{0,3}`
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", spec.name)
    assert spec.category in ("bug", "practice", "opinion", "tool")
    assert spec.summary.strip() and len(spec.summary) <= 200
    # a check in the stage it names, which reports through the rule's bound report (DPR001 is reported by every
    # stage's parser)
    if spec.target in ("python", "project", "yaml"):
        assert spec.code in registry.checks(spec.target), f"{spec.code} has no {spec.target} check"  # type: ignore[arg-type]
    # a check in the project stage reads summaries, and so does the spec say
    if spec.code in registry.checks("project"):
        assert spec.needs_summaries
    if spec.reads_subscribers:
        assert spec.target == "python"
    if spec.across_modules:
        assert spec.target in ("python", "yaml")
    if spec.reads_async_calls:
        assert spec.across_modules
    if spec.reads_run_files:
        assert spec.target == "project"
    # a fix is described, its safety declared
    assert bool(spec.fix_safety) == bool(spec.fix_description.strip())
    # examples of what it flags and of what it leaves alone, and a page: its written sections, what it does and
    # why that is bad first (Example and Use instead are generated from the examples after them)
    kinds = {example.valid for example in spec.examples}
    assert kinds == {False, True}, f"{spec.code} needs an invalid and a valid example"
    titles = [title for title, _text in spec.prose]
    assert titles[:2] == ["What it does", "Why is this bad?"], f"{spec.code} needs its page's prose in its spec"
    assert len(set(titles)) == len(titles) and not {"Example", "Use instead"} & set(titles)
    assert all(text.strip() for _title, text in spec.prose)
    assert (PAGES / f"{spec.code}.md").is_file()


def test_no_two_rules_share_a_name():
    names = [spec.name for spec in RULES]
    assert len(names) == len(set(names))


def test_a_project_check_on_a_rule_that_reads_no_summaries_is_refused():
    spec = registry.register(RuleSpec("DPR998", "contract-probe", "bug", "A probe.", "python"))
    try:
        with pytest.raises(ValueError, match="across_modules"):
            registry.check(spec.code, "project")
    finally:
        registry._RULES.pop(spec.code, None)


YAML_FIXTURES = sorted((Path(__file__).resolve().parent / "fixtures" / "yaml").rglob("*.y*ml"))


def test_every_yaml_finding_is_reported_by_its_own_rule_s_check(monkeypatch):
    # without a rule's registered check, exactly that rule's findings go, on every YAML fixture
    from dapr_lint.resources import analyze_yaml
    from dapr_lint.settings import Settings

    settings = Settings(enabled=frozenset(registry.codes()))
    checks = registry.checks("yaml")
    seen: set[str] = set()
    for path in YAML_FIXTURES:
        data = path.read_bytes()
        found = analyze_yaml(str(path), data, settings)
        for code in sorted({d.code for d in found} - {"DPR001"}):
            seen.add(code)
            with monkeypatch.context() as patch:
                patch.delitem(checks, code)
                without = analyze_yaml(str(path), data, settings)
            assert without == [d for d in found if d.code != code], (path.name, code)
    assert {spec.code for spec in RULES if spec.target == "yaml"} <= seen | {"DPR505", "DPR507", "DPR515"} and len(seen) >= 14


def test_no_module_of_the_resource_checker_names_a_rule_code_to_report():
    # a YAML rule reports through its bound report, and a walk shared by several rules through the judges it is
    # handed (resources.findings.Judges): a rule code is written as a string only as its RuleSpec's `code`
    import ast

    import dapr_lint.resources

    allowed = {("__init__.py", "DPR001")}  # the parser's code for invalid YAML, reported by every stage's parser
    written: list[str] = []
    root = Path(dapr_lint.resources.__file__).parent
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        spec_codes = {
            id(keyword.value)
            for call in ast.walk(tree)
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "RuleSpec"
            for keyword in call.keywords
            if keyword.arg == "code"
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and re.fullmatch(r"DPR\d{3}", node.value)
                and id(node) not in spec_codes
                and (path.name, node.value) not in allowed
            ):
                written.append(f"{path.relative_to(root)}:{node.lineno}: {node.value}")
    assert written == []
