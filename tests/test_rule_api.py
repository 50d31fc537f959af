"""The rule API: a check reports through its rule's bound `report`, whose fixes take their safety from the spec."""

from __future__ import annotations

import pickle

import pytest

from dapr_lint import catalog, registry  # noqa: F401  (catalog: every rule registered)
from dapr_lint.diagnostics import Fix, ProjectEdit
from dapr_lint.registry import Reporter, RuleSpec

EDIT = object()  # an edit is opaque to the reporter


def build():
    return EDIT


def spec(fix_safety=None) -> RuleSpec:
    return RuleSpec(code="DPR999", name="test-rule", category="bug", summary="", target="python", fix_safety=fix_safety)


def test_the_code_is_the_rule_s_and_safety_comes_from_the_spec():
    finding = Reporter(spec("unsafe"))("node", "message", Fix("Do it.", build))
    assert (finding.code, finding.at, finding.message) == ("DPR999", "node", "message")
    assert finding.fix is not None and finding.fix.safety == "unsafe" and finding.fix.edits() == (EDIT,)


def test_a_safe_rule_may_narrow_one_finding_to_unsafe():
    finding = Reporter(spec("safe"))("node", "message", Fix("Do it.", build, safety="unsafe"))
    assert finding.fix is not None and finding.fix.safety == "unsafe"


def test_a_wider_fix_or_a_fix_the_spec_does_not_declare_is_refused():
    with pytest.raises(ValueError, match="wider"):
        Reporter(spec("unsafe"))("node", "message", Fix("Do it.", build, safety="safe"))
    with pytest.raises(ValueError, match="declares no fix_safety"):
        Reporter(spec(None))("node", "message", Fix("Do it.", build))
    with pytest.raises(ValueError, match="what builds its edits"):
        Reporter(spec("safe"))("node", "message", Fix("Do it.", EDIT))


def test_a_fix_without_an_edit_builder_is_no_fix():
    assert Reporter(spec("safe"))("node", "message", Fix("Do it.", None)).fix is None


def test_the_reporter_never_builds_the_edits_and_a_fix_builds_them_once():
    calls = []

    def counted():
        calls.append(1)
        return [EDIT, None]

    finding = Reporter(spec("safe"))("node", "message", Fix("Do it.", counted))
    assert calls == [] and finding.fix is not None
    assert finding.fix.edits() == (EDIT,) and finding.fix.edits() == (EDIT,) and calls == [1]
    assert Fix("Do it.", lambda: None).edits() == ()


def test_a_reported_fix_keeps_title_and_safety_but_never_carries_edits_out_of_the_process():
    fix = Fix("Do it.", lambda: ProjectEdit(sorted, 3), safety="unsafe")
    assert fix.without_edits() == Fix("Do it.", safety="unsafe") and fix.without_edits().build is None
    assert pickle.loads(pickle.dumps(fix)) == Fix("Do it.", safety="unsafe")


def test_every_check_is_registered_with_its_rule():
    codes = set(registry.codes())
    for stage in ("python", "project", "yaml"):
        assert set(registry.checks(stage)) <= codes
    # DPR101 runs in both stages; DPR401 only in the project stage; DPR601 is a project rule too
    assert "DPR101" in registry.checks("python") and "DPR101" in registry.checks("project")
    assert "DPR401" in registry.checks("project") and "DPR401" not in registry.checks("python")
    assert "DPR601" in registry.checks("project")
    for code in registry.checks("python"):
        assert registry.get(code).target == "python"
    for code in registry.checks("yaml"):
        assert registry.get(code).target == "yaml"
    # a per-file rule's project-stage part: DPR101 across modules, DPR512 on two apps serving one appPort
    for code in registry.checks("project"):
        assert registry.get(code).target in ("project", "python", "yaml")


def test_a_check_registered_twice_for_one_stage_is_refused():
    with pytest.raises(ValueError, match="two python checks"):
        registry.check("DPR101", "python")(lambda model, report: iter(()))
