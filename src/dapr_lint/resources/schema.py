"""Per-kind schemas as data, and the one validator that walks a node against them.

A `Field` says what one key holds; a `Schema` lists the keys of one mapping. The `Decoder` of a kind decides
how Dapr reads it: resources go through sigs.k8s.io/yaml into encoding/json (keys case-insensitive, a number
in a string field rejects the document), the self-hosted Configuration through yaml.v3 and the run template
through yaml.v2 (keys case-sensitive, any scalar fits a string field).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Iterator, Literal, Optional

from yaml.nodes import Node

from dapr_lint.diagnostics import Finding
from dapr_lint.registry import Reporter, RuleSpec, check, invalid, page, register, valid
from dapr_lint.resources.durations import is_go_duration, is_resiliency_duration
from dapr_lint.resources.findings import Judge, Judges, ResourceDocument, judged
from dapr_lint.resources.nodes import MappingView, describe_type, is_mapping, is_null, is_scalar, is_sequence
from dapr_lint.resources.nodes import scalar_type, text

FieldType = Literal["str", "bool", "int", "duration", "list", "map", "object", "any"]
Decoder = Literal["json", "yaml.v3", "yaml.v2"]
# "flag": every unknown key; "suggest": only keys close to a known one (the schema may be incomplete).
UnknownKeys = Literal["flag", "suggest", "allow"]
DurationSyntax = Literal["go", "go-or-ms"]


@dataclass(frozen=True)
class Field:
    """One key of a mapping: its type, whether it is required and the values it allows."""

    name: str
    type: FieldType = "str"
    required: bool = False
    allowed: tuple[str, ...] = ()
    allowed_ignore_case: bool = False
    # What a wrong value does, appended to the message ("the component is dropped").
    consequence: str = ""
    fields: Optional["Schema"] = None  # type "object"
    items: Optional["Field"] = None  # type "list": the field every item must match
    values: Optional["Field"] = None  # type "map": the field every value must match
    durations: DurationSyntax = "go"  # type "duration"
    # A wrong type or value of this field breaks the kind's own rule (Judges.kind), not the schema rule.
    kind_rule: bool = False


@dataclass(frozen=True)
class Schema:
    """The keys of one mapping."""

    fields: tuple[Field, ...]
    unknown_keys: UnknownKeys = "flag"
    # Keys a rule handles itself (not reported as unknown here).
    handled_keys: tuple[str, ...] = ()
    # Specific advice for known wrong keys: key -> message.
    hints: dict[str, str] = field(default_factory=dict)
    # A name-value item (`- name: x` / `value: y`): an item without `name` is one finding.
    name_value_item: bool = False

    def get(self, name: str) -> Optional[Field]:
        for f in self.fields:
            if f.name == name:
                return f
        return None


@dataclass
class Validation:
    """What one validation run needs: the judges of the rules it decides for, the decoder."""

    judges: Judges
    decoder: Decoder
    subject: str = "the document"  # what a wrong type breaks, for messages


_TYPE_NAMES = {
    "str": "a string",
    "duration": "a duration string",
    "bool": "a boolean",
    "int": "an integer",
    "list": "a list",
    "map": "a mapping",
    "object": "a mapping",
}


def did_you_mean(name: str, candidates: list[str] | tuple[str, ...], cutoff: float = 0.6) -> Optional[str]:
    """The closest candidate to `name` (case-insensitive), or None."""
    lowered = {c.lower(): c for c in candidates}
    match = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=cutoff)
    return lowered[match[0]] if match else None


def check_mapping(v: Validation, node: Node, schema: Schema, owner: Optional[Node], where: str) -> None:
    """Validate the keys of mapping `node` against `schema`; `owner` is the key node that holds it."""
    view = MappingView(node)
    known = {f.name: f for f in schema.fields}
    by_lower = {f.name.lower(): f for f in schema.fields}
    present: set[str] = set()
    unknown: list[tuple[str, Node]] = []
    for key, key_node, value_node in view:
        if key in schema.handled_keys:
            continue
        spec = known.get(key)
        if spec is None and key in schema.hints:
            v.judges.schema(key_node, schema.hints[key])
            continue
        if spec is None:
            spec = by_lower.get(key.lower())
            if spec is None:
                unknown.append((key, key_node))
                continue
            if v.decoder == "json":
                v.judges.schema(
                    key_node,
                    f"`{key}` should be spelled `{spec.name}`: Kubernetes prunes the misspelled key",
                    detail=(
                        "Self-hosted daprd matches keys case-insensitively, but Kubernetes prunes the misspelled key, "
                        "so the setting is lost there."
                    ),
                )
            else:
                v.judges.schema(
                    key_node,
                    f"`{key}` is ignored: keys are case-sensitive here; did you mean `{spec.name}`?",
                )
                continue
        present.add(spec.name)
        check_value(v, value_node, spec, key_node)

    missing = [f for f in schema.fields if f.required and f.name not in present]
    if schema.name_value_item and "name" in {f.name for f in missing}:
        first = unknown[0] if unknown else None
        if first is not None:
            v.judges.schema(
                first[1],
                f"{where} has no `name`: `{first[0]}` is read as an unknown field and the setting is ignored",
                detail=f"Write `- name: {first[0]}` with `value:` below it.",
            )
        else:
            v.judges.schema(node, f"{where} has no `name`: Kubernetes rejects it, daprd ignores it")
        return
    anchor = owner if owner is not None else node
    for spec in missing:
        v.judges.schema(anchor, f"{where} is missing the required field `{spec.name}`")
    if schema.unknown_keys == "allow":
        return
    candidates = [f.name for f in schema.fields]
    for key, key_node in unknown:
        suggestion = did_you_mean(key, candidates)
        if suggestion is None and schema.unknown_keys == "suggest":
            continue
        message = f"unknown key `{key}` in {where} is ignored by Dapr"
        if suggestion:
            message += f"; did you mean `{suggestion}`?"
        v.judges.schema(key_node, message)


def check_value(
    v: Validation, node: Node, spec: Field, key_node: Optional[Node], label: Optional[str] = None
) -> None:
    """Validate one value against its field: type, allowed values, durations, nested schemas."""
    if is_null(node) or spec.type == "any":
        return
    if spec.name:
        label = f"`{spec.name}`"
    elif key_node is not None and is_scalar(key_node):
        label = f"`{key_node.value}`"
    label = label or "this value"
    if spec.type in ("object", "map"):
        if not is_mapping(node):
            _wrong_type(v, node, spec, label)
            return
        if spec.type == "object" and spec.fields is not None:
            check_mapping(v, node, spec.fields, key_node, label)
        elif spec.values is not None:
            for _, child_key, child in MappingView(node):
                check_value(v, child, spec.values, child_key)
        return
    if spec.type == "list":
        if not is_sequence(node):
            _wrong_type(v, node, spec, label)
            return
        if spec.items is not None:
            for item in node.value:
                check_value(v, item, spec.items, None, f"{label} item")
        return
    if not is_scalar(node):
        _wrong_type(v, node, spec, label)
        return
    found = scalar_type(node)
    if v.decoder == "json":
        expected = {"str": ("str",), "duration": ("str",), "bool": ("bool",), "int": ("int",)}[spec.type]
        if found not in expected:
            _wrong_type(v, node, spec, label)
            return
    value = text(node) or ""
    if spec.type == "duration":
        valid = is_resiliency_duration(value) if spec.durations == "go-or-ms" else is_go_duration(value)
        if not valid:
            hint = "A Go duration is such as `5s`, `500ms` or `1m30s` (units ns, us, ms, s, m, h)"
            if spec.durations == "go-or-ms":
                hint += "; an integer string of milliseconds is accepted too"
            message = f"{label} `{value}` is not a Go duration"
            if spec.consequence:
                message += f": {spec.consequence}"
            _judge(v, node, spec)(node, message, detail=hint + ".")
        return
    if spec.allowed:
        ok = value in spec.allowed or (
            spec.allowed_ignore_case and value.lower() in {a.lower() for a in spec.allowed}
        )
        if not ok:
            choices = ", ".join(f"`{a}`" for a in spec.allowed)
            message = f"{label} is `{value}`"
            if spec.consequence:
                message += f": {spec.consequence}"
            else:
                message += f"; allowed values are {choices}"
            _judge(v, node, spec)(node, message, detail=f"Allowed values are {choices}." if spec.consequence else None)


def _judge(v: Validation, node: Node, spec: Field) -> Judge:
    """The rule a wrong type or value of `spec` breaks: the kind's own, a duration's, or the schema's (chosen only
    when there is something to report)."""
    if spec.kind_rule:
        return v.judges.kind
    return v.judges.durations if spec.type == "duration" and is_scalar(node) else v.judges.schema


def _wrong_type(v: Validation, node: Node, spec: Field, label: str) -> None:
    found = describe_type(node)
    message = f"{label} must be {_TYPE_NAMES[spec.type]}, not {found}"
    detail = None
    if spec.type == "duration" and scalar_type(node) in ("int", "float"):
        message = f"{label} is the number `{node.value}`, not a duration string"
        message += f": Dapr rejects {v.subject}" if v.decoder == "json" else ""
        detail = f"Write it with a unit, such as `{node.value}s`" + (
            f"; Dapr decodes it as JSON and rejects {v.subject}." if v.decoder == "json" else "."
        )
    elif v.decoder == "json" and is_scalar(node) and spec.type == "str":
        message += f": quote it; Dapr decodes it as JSON and rejects {v.subject}"
    elif spec.type == "duration":
        pass
    elif v.decoder == "json":
        message += f": Dapr decodes it as JSON and rejects {v.subject}"
    else:
        message += f": {v.subject} fails to load"
    if spec.consequence and spec.type != "duration":
        message += f" ({spec.consequence})"
    _judge(v, node, spec)(node, message, detail=detail)


# -- the rules this module checks (spec and the examples its page shows) ------------------------------

DPR501 = register(
    RuleSpec(
        code="DPR501",
        name="invalid-resource-schema",
        category="bug",
        summary=(
            "A Dapr resource with a missing required field, a wrong type, an unknown or wrongly-cased key, a "
            "nameless metadata item, a section at the wrong level or an unknown kind."
        ),
        target="yaml",
        prose=page(
            (
                "What it does",
                """
                Checks every Dapr resource (Component, Resiliency, Subscription v1alpha1/v2alpha1, Configuration, HTTPEndpoint) against its schema: required fields, value types, unknown keys (with a did-you-mean), keys in the wrong case, nameless metadata items, sections at the wrong level, an unknown or lower-case `kind` and a wrong `apiVersion`. A Component without `spec.version` is not reported:
                the CRD requires it, but self-hosted daprd reads it as `v1` and self-hosted projects routinely omit it.
                """,
            ),
            (
                "Why is this bad?",
                """
                daprd skips a document whose `apiVersion` and `kind` do not match exactly (case-sensitive), without a message. Resources are decoded as JSON: unknown keys are dropped silently, and a number where a string is expected (`version: 1`) rejects the whole document. Self-hosted daprd matches keys case-insensitively, but Kubernetes prunes a miscased key such as `auth.secretstore`, so the same file behaves differently in each mode.
                """,
            ),
            (
                "Fix safety",
                """
                No automatic fix.
                """,
            ),
            (
                "References",
                """
                - [Component schema](https://docs.dapr.io/reference/resource-specs/component-schema/)
                - [Resiliency spec](https://docs.dapr.io/reference/resource-specs/resiliency-schema/)
                - [Subscription spec](https://docs.dapr.io/reference/resource-specs/subscription-schema/)
                - [Configuration spec](https://docs.dapr.io/reference/resource-specs/configuration-schema/)
                - [HTTPEndpoint spec](https://docs.dapr.io/reference/resource-specs/httpendpoints-schema/)
                """,
            ),
        ),
        examples=(
            invalid(
                """
                apiVersion: dapr.io/v1alpha1
                kind: component          # skipped: kinds are case-sensitive
                metadata:
                  name: statestore
                spec:
                  type: state.redis
                  version: 1             # a number: the document is rejected
                  metadata:
                  - redisHost: localhost:6379   # no `name`: ignored
                auth:
                  secretstore: vault     # pruned on Kubernetes
                """,
                "yaml",
            ),
            valid(
                """
                apiVersion: dapr.io/v1alpha1
                kind: Component
                metadata:
                  name: statestore
                spec:
                  type: state.redis
                  version: v1
                  metadata:
                  - name: redisHost
                    value: localhost:6379
                auth:
                  secretStore: vault
                """,
                "yaml",
            ),
        ),
    )
)


DPR502 = register(
    RuleSpec(
        code="DPR502",
        name="invalid-duration",
        category="bug",
        summary="A value that is not a Go duration where Dapr requires one.",
        target="yaml",
        prose=page(
            (
                "What it does",
                """
                Flags values that must be Go durations but are not: a component's `initTimeout`, and resiliency timeouts, retry `duration`/`maxInterval` and circuit-breaker `interval`/`timeout`. Resiliency also accepts an integer string (milliseconds).
                """,
            ),
            (
                "Why is this bad?",
                """
                Go durations need a unit (`ns`, `us`, `ms`, `s`, `m`, `h`); `30`, `1d` and `1 min` are invalid. An invalid `initTimeout` silently becomes 5s; an invalid resiliency duration makes the whole resiliency resource fail to load. A bare YAML number (`timeout: 30`) is rejected by the JSON decoding.
                """,
            ),
            (
                "Fix safety",
                """
                No automatic fix.
                """,
            ),
            (
                "References",
                """
                - [Resiliency policies](https://docs.dapr.io/operations/resiliency/policies/)
                - [Component schema](https://docs.dapr.io/reference/resource-specs/component-schema/)
                - [Go time.ParseDuration](https://pkg.go.dev/time#ParseDuration)
                """,
            ),
        ),
        examples=(
            invalid(
                """
                apiVersion: dapr.io/v1alpha1
                kind: Resiliency
                metadata:
                  name: resiliency
                spec:
                  policies:
                    timeouts:
                      general: 1 min
                  targets:
                    apps:
                      orders:
                        timeout: general
                """,
                "yaml",
            ),
            valid(
                """
                apiVersion: dapr.io/v1alpha1
                kind: Resiliency
                metadata:
                  name: resiliency
                spec:
                  policies:
                    timeouts:
                      general: 1m
                  targets:
                    apps:
                      orders:
                        timeout: general
                """,
                "yaml",
            ),
        ),
    )
)


# -- the check: what the walks over a document found for this rule, through its bound report -----------------


@check(DPR501.code, "yaml")
def check_dpr501(document: ResourceDocument, report: Reporter) -> Iterator[Finding]:
    """Schema, kind, apiVersion, name and per-kind field errors the document's walks found."""
    yield from judged(document, report)


@check(DPR502.code, "yaml")
def check_dpr502(document: ResourceDocument, report: Reporter) -> Iterator[Finding]:
    """Durations that are not Go durations, as the schema walk found them."""
    yield from judged(document, report)
