"""Rule specs of the resource-file checker (DPR501-DPR517), registered with the main catalog."""

from __future__ import annotations

from dapr_lint.registry import RuleSpec, register

_RULES: tuple[tuple[str, str, str, str], ...] = (
    ("DPR501", "invalid-resource-schema", "bug",
     "A Dapr resource with a missing required field, a wrong type, an unknown or wrongly-cased key, a nameless "
     "metadata item, a section at the wrong level or an unknown kind."),
    ("DPR502", "invalid-duration", "bug", "A value that is not a Go duration where Dapr requires one."),
    ("DPR503", "unused-resiliency-policy", "bug",
     "A named resiliency policy that no target references and whose name is not a reserved default."),
    ("DPR504", "undefined-policy-reference", "bug", "A resiliency target naming a policy that is not defined."),
    ("DPR505", "invalid-trip-expression", "bug",
     "A circuit-breaker trip expression that does not parse, reads an unknown variable or is not boolean."),
    ("DPR506", "plaintext-secret", "bug", "A sensitive component field or header with a literal secret value."),
    ("DPR507", "unknown-component-type", "bug",
     "A component type outside the loadable categories, not a built-in type, or with an unsupported version."),
    ("DPR508", "invalid-resiliency-policy", "bug",
     "Resiliency settings Dapr ignores or rejects: retry fields the policy ignores, invalid maxRetries or "
     "status codes, actor breakers without scope, component targets without inbound/outbound."),
    ("DPR509", "secretkeyref-without-store", "practice",
     "A secretKeyRef with no auth.secretStore (not resolved outside Kubernetes)."),
    ("DPR510", "duplicate-resource", "bug", "Two resources of one kind and name visible to the same app."),
    ("DPR511", "invalid-subscription", "bug",
     "Subscription v1/v2 field mix-ups, bulkSubscribe as a list, routing that drops events, invalid match rules."),
    ("DPR512", "invalid-run-template", "bug",
     "A dapr.yaml run template with missing or mistyped fields, unknown keys, or duplicate app IDs or ports."),
    ("DPR513", "invalid-configuration", "bug",
     "A Configuration setting Dapr rejects or silently ignores (tracing, API allow-lists, secrets, ACL, pipelines)."),
    ("DPR514", "unexpanded-variable", "bug",
     "${VAR}/$VAR/{VAR} in component or HTTPEndpoint values, which Dapr never expands."),
    ("DPR515", "invalid-binding-direction", "bug",
     "A binding direction outside input/output or unsupported by the type, or a route on an output-only binding."),
    ("DPR516", "invalid-actor-state-store", "bug",
     "actorStateStore on a non-state component or a store without ETag and transactions, or two actor stores."),
    ("DPR517", "placeholder-value", "practice", "A <REPLACE-...>-style placeholder left in a resource."),
)

RESOURCE_RULES: tuple[RuleSpec, ...] = tuple(
    register(RuleSpec(code=code, name=name, category=category, summary=summary, target="yaml"))  # type: ignore[arg-type]
    for code, name, category, summary in _RULES
)

RESOURCE_CODES: tuple[str, ...] = tuple(spec.code for spec in RESOURCE_RULES)
