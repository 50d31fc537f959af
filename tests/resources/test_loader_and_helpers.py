"""Loader bounds, classification and the small parsers the rules rely on."""

from __future__ import annotations

import time

import pytest

from dapr_lint import catalog, registry
from dapr_lint.resources import analyze_yaml, looks_like_dapr_yaml
from dapr_lint.resources.cel import CelSyntaxError, parse_cel
from dapr_lint.resources.durations import is_go_duration, is_resiliency_duration
from dapr_lint.resources.kinds.common import is_placeholder, unexpanded_variable
from dapr_lint.resources.kinds.resiliency import RESERVED_DEFAULT_POLICIES, status_code_problem
from dapr_lint.resources.loader import LoadLimits, ResourceParseError, load_documents
from dapr_lint.resources.schema import did_you_mean
from dapr_lint.settings import Settings

assert catalog  # imported for every rule's registration
RESOURCE_CODES = tuple(r.code for r in registry.all_rules() if r.target == "yaml")

ALL = Settings(enabled=frozenset(RESOURCE_CODES + ("DPR001",)))

BILLION_LAUGHS = b"""apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: lol
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def codes(data: bytes, settings: Settings = ALL) -> list[tuple[int, str]]:
    return [(d.line, d.code) for d in analyze_yaml("f.yaml", data, settings)]


def test_billion_laughs_is_a_parse_error_not_a_hang() -> None:
    start = time.perf_counter()
    result = analyze_yaml("bomb.yaml", BILLION_LAUGHS, ALL)
    elapsed = time.perf_counter() - start
    assert [d.code for d in result] == ["DPR001"]
    assert "alias" in result[0].message
    assert elapsed < 2.0


def test_recursive_alias_is_rejected() -> None:
    with pytest.raises(ResourceParseError, match="recursive alias"):
        load_documents("a: &a [1, *a]\n")


def test_depth_limit() -> None:
    text = "apiVersion: dapr.io/v1alpha1\nx: " + "[" * 100 + "]" * 100 + "\n"
    with pytest.raises(ResourceParseError, match="nesting deeper"):
        load_documents(text)
    assert codes(text.encode()) == [(2, "DPR001")]


def test_size_limit() -> None:
    with pytest.raises(ResourceParseError, match="larger than"):
        load_documents("a: " + "x" * 200, LoadLimits(max_bytes=100))


def test_small_aliases_are_fine() -> None:
    docs = load_documents("base: &b {x: 1}\nother: *b\n")
    assert len(docs) == 1


def test_multi_document_split_keeps_positions() -> None:
    docs = load_documents("a: 1\n---\nb: 2\n")
    assert [d.start_mark.line for d in docs] == [0, 2]


def test_parse_error_position_is_the_parsers() -> None:
    data = b"apiVersion: dapr.io/v1alpha1\nkind: Component\nspec:\n  type: x\n   version: v1\n"
    (diagnostic,) = analyze_yaml("c.yaml", data, ALL)
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("DPR001", 5, 11)


def test_invalid_yaml_that_is_not_dapr_is_silent() -> None:
    assert codes(b"version: '3'\nservices:\n  a: [\n") == []


def test_helm_template_is_silent() -> None:
    data = b"apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: {{ .Values.name }}\n"
    assert codes(data) == []


def test_disabled_codes_are_not_reported() -> None:
    data = b"apiVersion: dapr.io/v1alpha1\nkind: component\n"
    assert codes(data) == [(2, "DPR501")]
    assert codes(data, Settings(enabled=frozenset({"DPR503"}))) == []


def test_non_utf8_dapr_file_is_a_parse_error() -> None:
    assert [c for _, c in codes(b"apiVersion: dapr.io/v1alpha1\nkind: \xff\n")] == ["DPR001"]


def test_text_classification() -> None:
    assert looks_like_dapr_yaml("apiVersion: dapr.io/v1alpha1\nkind: Component\n")
    assert looks_like_dapr_yaml("version: 1\napps:\n  - appDirPath: .\n")
    assert not looks_like_dapr_yaml("apiVersion: apps/v1\nmetadata:\n  annotations:\n    dapr.io/app-id: x\n")


def test_warning_severity_only_for_possibly_pluggable_types() -> None:
    data = b"apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\nspec:\n  type: state.custom\n  version: v1\n"
    (diagnostic,) = analyze_yaml("c.yaml", data, ALL)
    assert (diagnostic.code, diagnostic.severity) == ("DPR507", "warning")
    data = data.replace(b"state.custom", b"binding.custom")
    (diagnostic,) = analyze_yaml("c.yaml", data, ALL)
    assert (diagnostic.code, diagnostic.severity) == ("DPR507", None)


def test_positions_cover_the_offending_value() -> None:
    data = b"apiVersion: dapr.io/v1alpha1\nkind: Resiliency\nmetadata:\n  name: r\nspec:\n  policies:\n    timeouts:\n      unused: 5s\n"
    (d,) = analyze_yaml("r.yaml", data, ALL)
    assert (d.code, d.line, d.column, d.end_line, d.end_column) == ("DPR503", 8, 7, 8, 13)


@pytest.mark.parametrize("value", ["5s", "1h30m", "1.5s", "500ms", "0", "-1s", "10us", "10\u00b5s"])
def test_go_durations(value: str) -> None:
    assert is_go_duration(value)


@pytest.mark.parametrize("value", ["30", "1d", "1 min", "5sec", "", "s", "1.s.", "PT5S"])
def test_not_go_durations(value: str) -> None:
    assert not is_go_duration(value)


def test_resiliency_durations_accept_milliseconds() -> None:
    assert is_resiliency_duration("1500")
    assert not is_resiliency_duration("1500 ms")


def test_cel_free_variables_and_macros() -> None:
    parsed = parse_cel('event.data.items.exists(i, i.price > 2) && has(event.type)')
    assert parsed.free_variables == ["event"]
    assert parsed.result == "bool"
    assert parse_cel("consecutiveFailures", frozenset({"consecutiveFailures"})).result == "number"
    with pytest.raises(CelSyntaxError):
        parse_cel("a >")
    with pytest.raises(CelSyntaxError):
        parse_cel("a => 5")


def test_status_code_ranges() -> None:
    assert status_code_problem("429,500-599", 100, 599) is None
    assert status_code_problem("1-2-3", 0, 16) is not None
    assert status_code_problem("17", 0, 16) is not None
    assert status_code_problem("abc", 100, 599) is not None


def test_reserved_policy_names_follow_lookup_order() -> None:
    assert RESERVED_DEFAULT_POLICIES["DefaultRetryPolicy"] == "Retry"
    assert RESERVED_DEFAULT_POLICIES["DefaultPubsubComponentInboundTimeoutPolicy"] == "Timeout"
    assert RESERVED_DEFAULT_POLICIES["DefaultCryptoComponentOutboundCircuitBreakerPolicy"] == "CircuitBreaker"
    assert "DefaultStatestoreComponentInboundRetryPolicy" not in RESERVED_DEFAULT_POLICIES
    assert "DefaultSecretstoreComponentTimeoutPolicy" not in RESERVED_DEFAULT_POLICIES


def test_placeholders_and_variables() -> None:
    assert is_placeholder("<REPLACE-WITH-PASSWORD>")
    assert is_placeholder("host-<your-host>")
    assert not is_placeholder("a < b > c")
    assert unexpanded_variable("${X}", ()) is not None
    assert unexpanded_variable("{appID}", ("appID",)) is None
    assert unexpanded_variable("^[a-z]{3}$", ("appID",)) is None


def test_did_you_mean() -> None:
    assert did_you_mean("secretstore", ["secretStore", "name"]) == "secretStore"
    assert did_you_mean("zzz", ["secretStore"]) is None
