"""Configuration: schema (decoded by yaml.v3 in self-hosted mode) and rule DPR513."""

from __future__ import annotations

from typing import Iterator, Optional

from yaml.nodes import Node

from dapr_lint.diagnostics import Finding
from dapr_lint.registry import Reporter, RuleSpec, check, invalid, page, register, valid
from dapr_lint.resources.findings import Judge, ResourceDocument, judged
from dapr_lint.resources.kinds.common import ResourceFacts, resource_schema
from dapr_lint.resources.nodes import MappingView, sequence_items, string_value, text
from dapr_lint.resources.schema import Field, Schema

_ALLOW_DENY = ("allow", "deny")
_OPEN = Schema((), unknown_keys="allow")

_API_RULE = Field("", "object", fields=Schema((Field("name", "str"), Field("version", "str"), Field("protocol", "str"))))

CONFIGURATION_SPEC = Schema(
    (
        Field(
            "tracing",
            "object",
            fields=Schema(
                (
                    Field("samplingRate", "str"),
                    Field("stdout", "bool"),
                    Field(
                        "otel",
                        "object",
                        fields=Schema(
                            (
                                Field("endpointAddress", "str"),
                                Field("protocol", "str"),
                                Field("isSecure", "bool"),
                                Field("headers", "any"),
                                Field("timeout", "any"),
                            )
                        ),
                    ),
                    Field("zipkin", "object", fields=Schema((Field("endpointAddress", "str"),))),
                )
            ),
        ),
        Field("metric", "object", fields=_OPEN),
        Field("metrics", "object", fields=_OPEN),
        Field("features", "list", items=Field("", "object", fields=Schema((Field("name", "str"), Field("enabled", "bool"))))),
        Field("api", "object", fields=Schema((Field("allowed", "list", items=_API_RULE), Field("denied", "list", items=_API_RULE)))),
        Field(
            "accessControl",
            "object",
            fields=Schema(
                (
                    Field("defaultAction", "str", allowed=_ALLOW_DENY, allowed_ignore_case=True, kind_rule=True),
                    Field("trustDomain", "str"),
                    Field(
                        "policies",
                        "list",
                        items=Field(
                            "",
                            "object",
                            fields=Schema(
                                (
                                    Field("appId", "str", required=True),
                                    Field("defaultAction", "str", allowed=_ALLOW_DENY, allowed_ignore_case=True, kind_rule=True),
                                    Field("trustDomain", "str"),
                                    Field("namespace", "str"),
                                    Field(
                                        "operations",
                                        "list",
                                        items=Field(
                                            "",
                                            "object",
                                            fields=Schema(
                                                (
                                                    Field("name", "str", required=True),
                                                    Field("httpVerb", "list"),
                                                    Field("action", "str", allowed=_ALLOW_DENY, allowed_ignore_case=True, kind_rule=True),
                                                )
                                            ),
                                        ),
                                    ),
                                )
                            ),
                        ),
                    ),
                )
            ),
        ),
        Field("httpPipeline", "object", fields=Schema((Field("handlers", "list"),))),
        Field("appHttpPipeline", "object", fields=Schema((Field("handlers", "list"),))),
        Field(
            "secrets",
            "object",
            fields=Schema(
                (
                    Field(
                        "scopes",
                        "list",
                        items=Field(
                            "",
                            "object",
                            fields=Schema(
                                (
                                    Field("storeName", "str", required=True),
                                    Field(
                                        "defaultAccess",
                                        "str",
                                        allowed=_ALLOW_DENY,
                                        allowed_ignore_case=True,
                                        kind_rule=True,
                                        consequence="daprd fails to start",
                                    ),
                                    Field("allowedSecrets", "list", items=Field("", "str")),
                                    Field("deniedSecrets", "list", items=Field("", "str")),
                                )
                            ),
                        ),
                    ),
                )
            ),
        ),
        Field("nameResolution", "object", fields=Schema((Field("component", "str"), Field("version", "str"), Field("configuration", "any")))),
        Field("components", "object", fields=_OPEN),
        Field("mtls", "object", fields=_OPEN),
        Field("logging", "object", fields=_OPEN),
        Field("wasm", "object", fields=_OPEN),
        Field("workflow", "object", fields=_OPEN),
    ),
    unknown_keys="suggest",  # newer Dapr versions add spec sections
)

CONFIGURATION_SCHEMA = Schema(
    resource_schema(CONFIGURATION_SPEC, spec_required=False).fields,
    hints={"scopes": "`scopes` is ignored on a Configuration: it applies to every app that loads it"},
)

# Keys of the gRPC API allow/deny list (`name.version`).
GRPC_API_KEYS: frozenset[str] = frozenset(
    """
invoke.v1 state.v1 state.v1alpha1 publish.v1 publish.v1alpha1 bindings.v1 secrets.v1 actors.v1 actors.v1alpha1
metadata.v1 configuration.v1alpha1 configuration.v1 lock.v1alpha1 unlock.v1alpha1 subtlecrypto.v1alpha1
crypto.v1alpha1 workflows.v1alpha1 workflows.v1beta1 jobs.v1alpha1 jobs.v1 shutdown.v1 subscribe.v1alpha1
conversation.v1alpha1 conversation.v1alpha2
""".split()
)


def check_configuration(judge: Judge, root: MappingView) -> ResourceFacts:
    """What the Configuration's own rule says of its sections (`judge`; all skipped when it is off); its facts."""
    if judge:
        _check_sections(judge, root.view("spec"))
    name_node = root.view("metadata").get("name")
    return ResourceFacts("Configuration", text(name_node), name_node, None, frozenset())


def _check_sections(judge: Judge, spec: MappingView) -> None:
    _check_tracing(judge, spec.view("tracing"))
    _check_api(judge, spec.view("api"))
    _check_secrets(judge, spec.view("secrets"))
    _check_access_control(judge, spec.view("accessControl"))
    for pipeline in ("httpPipeline", "appHttpPipeline"):
        for handler_node in sequence_items(spec.view(pipeline).get("handlers")):
            type_node = MappingView(handler_node).get("type")
            handler_type = string_value(type_node)
            if type_node is not None and handler_type and not handler_type.startswith("middleware.http."):
                judge(
                    type_node,
                    f"pipeline handler type `{handler_type}` must be a `middleware.http.*` type",
                )


def _check_tracing(judge: Judge, tracing: MappingView) -> None:
    rate_node = tracing.get("samplingRate")
    rate = text(rate_node)
    if rate_node is not None and rate is not None:
        try:
            float(rate)
        except ValueError:
            judge(rate_node, f"samplingRate `{rate}` is not a number: Dapr silently samples 1 in 10000")
    otel = tracing.view("otel")
    protocol_node = otel.get("protocol")
    protocol = text(protocol_node)
    if protocol_node is not None and protocol is not None and protocol not in ("http", "grpc"):
        judge(protocol_node, f"otel protocol `{protocol}` must be exactly `http` or `grpc`: daprd fails to start")
    endpoint_key = otel.key("endpointAddress")
    if endpoint_key is not None and text(otel.get("endpointAddress")) and protocol is None:
        judge(endpoint_key, "otel `endpointAddress` without `protocol`: no exporter is registered, traces go nowhere")


def _rule_protocol(rule: MappingView) -> Optional[str]:
    protocol = text(rule.get("protocol"))
    return protocol


def _check_api(judge: Judge, api: MappingView) -> None:
    for section in ("allowed", "denied"):
        rules = [MappingView(n) for n in sequence_items(api.get(section))]
        protocols: set[str] = set()
        for rule in rules:
            protocol = _rule_protocol(rule)
            anchor = rule.key("protocol") or rule.key("name") or rule.node
            if protocol is None:
                judge(
                    anchor,
                    f"api.{section} rule without `protocol` (`http` or `grpc`) matches no API",
                )
                continue
            if protocol.lower() == "http" or protocol == "grpc":
                protocols.add(protocol.lower())
            else:
                judge(rule.get("protocol"), f"protocol `{protocol}` is not `http` or `grpc`: the rule matches nothing")
                continue
            name, version = text(rule.get("name")), text(rule.get("version"))
            if protocol == "grpc" and name and version and f"{name}.{version}" not in GRPC_API_KEYS:
                judge(rule.get("name"), f"`{name}` `{version}` is not a gRPC API Dapr can allow or deny")
        if section == "allowed" and len(protocols) == 1:
            only = next(iter(protocols))
            other = "gRPC" if only == "http" else "HTTP"
            judge(
                api.key("allowed"),
                f"api.allowed lists only {only} rules: the {other} API stays fully open; add {other} rules too",
            )


def _check_secrets(judge: Judge, secrets: MappingView) -> None:
    seen: dict[str, Node] = {}
    for scope_node in sequence_items(secrets.get("scopes")):
        scope = MappingView(scope_node)
        store_node = scope.get("storeName")
        store = text(store_node)
        if store_node is not None and store is not None:
            if store in seen:
                judge(store_node, f"storeName `{store}` is repeated in secrets scopes: daprd fails to start")
            seen[store] = store_node
        allowed = sequence_items(scope.get("allowedSecrets"))
        if allowed and scope.key("deniedSecrets") is not None and sequence_items(scope.get("deniedSecrets")):
            judge(
                scope.key("deniedSecrets"),
                "`deniedSecrets` is ignored when `allowedSecrets` is set: only the allowed list decides",
            )


def _check_access_control(judge: Judge, acl: MappingView) -> None:
    for policy_node in sequence_items(acl.get("policies")):
        policy = MappingView(policy_node)
        missing = [k for k in ("trustDomain", "namespace") if not text(policy.get(k))]
        if missing and policy.key("appId") is not None:
            judge(
                policy.key("appId"),
                "access-control policy without " + " and ".join(f"`{m}`" for m in missing) + ": daprd fails to start",
            )


# -- the rules this module checks (spec and the examples its page shows) ------------------------------

DPR513 = register(
    RuleSpec(
        code="DPR513",
        name="invalid-configuration",
        category="bug",
        summary=(
            "A Configuration setting Dapr rejects or silently ignores (tracing, API allow-lists, secrets, "
            "ACL, pipelines)."
        ),
        target="yaml",
        prose=page(
            (
                "What it does",
                """
                Flags Configuration settings that fail or do nothing: an otel `protocol` other than exactly `http`/`grpc`, an otel endpoint without protocol, an unparsable `samplingRate`, API allow-list rules without protocol or naming an unknown gRPC API, an allow-list covering only one protocol, repeated or invalid secret scopes, access-control policies without `trustDomain`/`namespace`, invalid actions, and pipeline handlers that are not `middleware.http.*`.
                """,
            ),
            (
                "Why is this bad?",
                """
                Several of these stop daprd at startup; the others silently disable tracing, leave an API open or ignore a rule.
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
                - [Configuration spec](https://docs.dapr.io/reference/resource-specs/configuration-schema/)
                - [API allowlist](https://docs.dapr.io/operations/configuration/api-allowlist/)
                - [Secret scoping](https://docs.dapr.io/operations/configuration/secret-scope/)
                """,
            ),
        ),
        examples=(
            invalid(
                """
                apiVersion: dapr.io/v1alpha1
                kind: Configuration
                metadata:
                  name: tracing
                spec:
                  tracing:
                    samplingRate: "1"
                    otel:
                      endpointAddress: localhost:4317
                      protocol: GRPC
                """,
                "yaml",
            ),
            valid(
                """
                apiVersion: dapr.io/v1alpha1
                kind: Configuration
                metadata:
                  name: tracing
                spec:
                  tracing:
                    samplingRate: "1"
                    otel:
                      endpointAddress: localhost:4317
                      protocol: grpc
                      isSecure: false
                """,
                "yaml",
            ),
        ),
    )
)


# -- the check: what the walks over a document found for this rule, through its bound report -----------------


@check(DPR513.code, "yaml")
def check_dpr513(document: ResourceDocument, report: Reporter) -> Iterator[Finding]:
    """Configuration errors, as the Configuration walk and its schema found them."""
    yield from judged(document, report)
