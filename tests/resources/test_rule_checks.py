"""YAML rules with a check of their own (resources/rules/): found without any listing, run on every document
of a file with their rule's bound report, and their findings go through the same sink as the kind walks' (a
placeholder value is DPR517's alone)."""

from __future__ import annotations

import pkgutil
from pathlib import Path

import pytest

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


YAML_FIXTURES = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "yaml").rglob("*.y*ml"))


def _found(path: Path, enabled: frozenset[str]) -> list[tuple]:
    found = analyze_yaml(str(path), path.read_bytes(), Settings(enabled=enabled))
    return [(d.code, d.line, d.column, d.message, d.detail, d.severity) for d in found]


@pytest.mark.slow
def test_turning_a_yaml_rule_off_removes_exactly_its_findings():
    # a rule that is off has a muted judge in the shared walks: the other rules' findings stay as they were
    every = frozenset(registry.codes())
    yaml_codes = sorted(spec.code for spec in registry.all_rules() if spec.target == "yaml")
    for path in YAML_FIXTURES:
        found = _found(path, every)
        for code in yaml_codes:
            kept = [f for f in found if f[0] != code]
            if code == "DPR506" and ".example." in path.name:
                # an example file's secrets are DPR517's findings only while DPR506 is on (its check says so)
                kept = [f for f in kept if not f[3].startswith("example file, value to replace")]
            assert _found(path, every - {code}) == kept, (path.name, code)


SUBSCRIPTION = b"""\
apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata:
  name: orders
spec:
  topic: orders
  pubsubname: pubsub
  routes:
    rules:
      - match: event.type ==
        path: /orders
    default: /other
"""
CONFIGURATION = b"""\
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: config
spec:
  tracing:
    samplingRate: often
"""


def test_a_rule_that_is_off_costs_its_part_of_the_shared_walk_nothing(monkeypatch):
    from dapr_lint import resources
    from dapr_lint.resources.kinds import configuration, subscription

    calls: list[str] = []
    parse_cel, check_mapping = subscription.parse_cel, resources.check_mapping
    monkeypatch.setattr(subscription, "parse_cel", lambda *a: calls.append("cel") or parse_cel(*a))
    monkeypatch.setattr(resources, "check_mapping", lambda *a: calls.append("schema") or check_mapping(*a))
    monkeypatch.setattr(configuration, "_check_tracing", lambda *a: calls.append("tracing"))

    every = frozenset(registry.codes())
    assert [d.code for d in analyze_yaml("subscription.yaml", SUBSCRIPTION, Settings(enabled=every))] == ["DPR511"]
    analyze_yaml("configuration.yaml", CONFIGURATION, Settings(enabled=every))
    assert calls == ["schema", "cel", "schema", "tracing"]
    calls.clear()
    # DPR511 off: no match expression is parsed; the schema rules off too: no schema walk
    off = every - {"DPR511"}
    assert analyze_yaml("subscription.yaml", SUBSCRIPTION, Settings(enabled=off)) == []
    assert calls == ["schema"]
    calls.clear()
    analyze_yaml("subscription.yaml", SUBSCRIPTION, Settings(enabled=off - {"DPR501", "DPR502"}))
    analyze_yaml("configuration.yaml", CONFIGURATION, Settings(enabled=every - {"DPR513", "DPR501", "DPR502"}))
    assert calls == []
