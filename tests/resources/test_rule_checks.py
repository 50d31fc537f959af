"""YAML rules with a check of their own (resources/rules/): found without any listing, run on every document
of a file with their rule's bound report, and their findings go through the same sink as the kind walks' (a
placeholder value is DPR517's alone)."""

from __future__ import annotations

import pkgutil

from dapr_lint import registry
from dapr_lint.resources import analyze_yaml
from dapr_lint.resources import rules as resource_rules
from dapr_lint.resources.nodes import MappingView, sequence_items, text
from dapr_lint.settings import Settings

COMPONENT = b"""\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: webhook
spec:
  type: bindings.http
  version: v1
  metadata:
  - name: url
    value: <your-url>
  - name: direction
    value: output
"""
RUN_TEMPLATE = b"""\
version: 1
apps:
  - appID: orders
    appDirPath: ./orders
"""


def test_every_module_of_resources_rules_registers_a_yaml_check():
    names = {m.name.rsplit(".", 1)[-1] for m in pkgutil.iter_modules(resource_rules.__path__)}
    owners = {check.__module__.rsplit(".", 1)[-1] for check in registry.checks("yaml").values()}
    assert names and names <= owners


def test_a_yaml_check_gets_each_document_and_reports_through_its_rule(monkeypatch):
    seen = []

    def check(document, report):
        seen.append((document.kind, document.api_version))
        spec = document.root.view("spec", nocase=True)
        for item in sequence_items(spec.get_nocase("metadata")):
            value = MappingView(item).get_nocase("value")
            yield report(value, f"seen {text(value)}", severity="warning")
        if document.kind == "run template":
            yield report(document.root.get("version"), "a run template")

    monkeypatch.setitem(registry.checks("yaml"), "DPR515", check)
    settings = Settings(enabled=frozenset({"DPR515"}))
    found = analyze_yaml("components/webhook.yaml", COMPONENT, settings)
    # the placeholder `<your-url>` is DPR517's (not enabled here): the check's finding on it is dropped
    assert [(d.code, d.line, d.column, d.message, d.severity) for d in found] == [
        ("DPR515", 12, 12, "seen output", "warning")
    ]
    found = analyze_yaml("dapr.yaml", RUN_TEMPLATE, settings)
    assert [(d.code, d.line, d.message) for d in found] == [("DPR515", 1, "a run template")]
    assert seen == [("Component", "dapr.io/v1alpha1"), ("run template", None)]
    # not enabled: not called
    analyze_yaml("components/webhook.yaml", COMPONENT, Settings(enabled=frozenset({"DPR507"})))
    assert len(seen) == 2
