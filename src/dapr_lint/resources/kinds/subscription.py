"""Subscription (v1alpha1 and v2alpha1): schemas and rule DPR511."""

from __future__ import annotations

from typing import Iterator, Optional

from yaml.nodes import Node

from dapr_lint.diagnostics import Finding
from dapr_lint.registry import Reporter, RuleSpec, check, invalid, page, register, valid
from dapr_lint.resources.cel import CelSyntaxError, parse_cel, shown
from dapr_lint.resources.findings import Judge, Judges, ResourceDocument, judged
from dapr_lint.resources.kinds.common import SCOPES, ResourceFacts, resource_schema, scopes_of
from dapr_lint.resources.nodes import MappingView, sequence_items, string_value, text
from dapr_lint.resources.schema import Field, Schema

_BULK = Field(
    "bulkSubscribe",
    "object",
    kind_rule=True,
    fields=Schema(
        (Field("enabled", "bool", required=True), Field("maxMessagesCount", "int"), Field("maxAwaitDurationMs", "int"))
    ),
)
_COMMON = (
    Field("topic", "str", required=True),
    Field("pubsubname", "str", required=True),
    Field("deadLetterTopic", "str"),
    _BULK,
    Field("metadata", "map", values=Field("", "str")),
)

SUBSCRIPTION_V1_SPEC = Schema(_COMMON + (Field("route", "str"),), handled_keys=("routes",))
SUBSCRIPTION_V2_SPEC = Schema(
    _COMMON
    + (
        Field(
            "routes",
            "object",
            fields=Schema(
                (
                    Field(
                        "rules",
                        "list",
                        items=Field(
                            "", "object", fields=Schema((Field("match", "str"), Field("path", "str", required=True)))
                        ),
                    ),
                    Field("default", "str"),
                )
            ),
        ),
    ),
    handled_keys=("route",),
)

SUBSCRIPTION_SCHEMAS: dict[str, Schema] = {
    "dapr.io/v1alpha1": resource_schema(SUBSCRIPTION_V1_SPEC, extra=(SCOPES,)),
    "dapr.io/v2alpha1": resource_schema(SUBSCRIPTION_V2_SPEC, extra=(SCOPES,)),
}


def check_subscription(judges: Judges, root: MappingView, api_version: str) -> ResourceFacts:
    """The Subscription's routes (its own rule, `judges.kind`) and the route field it must have (`judges.schema`)."""
    spec = root.view("spec", nocase=True)
    spec_key = root.key_nocase("spec")
    if api_version == "dapr.io/v1alpha1":
        routes_key = spec.key_nocase("routes")
        if routes_key is not None:
            judges.kind(
                routes_key,
                "`routes` is a v2alpha1 field: under `dapr.io/v1alpha1` Dapr drops it",
                detail="Use `apiVersion: dapr.io/v2alpha1`" + (" or a single `route`." if spec.get_nocase("route") is None else "."),
            )
        elif spec.get_nocase("route") is None and spec_key is not None:
            judges.schema(spec_key, "`spec` is missing the required field `route`")
    else:
        route_key = spec.key_nocase("route")
        if route_key is not None:
            judges.kind(
                route_key,
                "`route` is a v1alpha1 field: under `dapr.io/v2alpha1` Dapr drops it; write `routes: {default: ...}`",
            )
        elif spec.get_nocase("routes") is None and spec_key is not None:
            judges.schema(spec_key, "`spec` is missing the required field `routes`")
        if judges.kind:  # the CEL of every match, for this rule only
            _check_routes(judges.kind, judges, spec)
    name_node = root.view("metadata").get("name")
    return ResourceFacts(
        "Subscription", text(name_node), name_node, text(root.view("metadata").get("namespace")), scopes_of(root)
    )


def _check_routes(judge: Judge, judges: Judges, spec: MappingView) -> None:
    routes_key = spec.key_nocase("routes")
    routes = spec.view("routes", nocase=True)
    if routes_key is None or not routes:
        return
    rules = sequence_items(routes.get_nocase("rules"))
    has_default = bool(text(routes.get_nocase("default")))
    if not rules and not has_default:
        judge(routes_key, "`routes` has no rules and no `default`: every event is dropped")
        return
    catch_all: Optional[Node] = None
    for rule_node in rules:
        rule = MappingView(rule_node)
        match_node = rule.get_nocase("match")
        match = text(match_node)
        if catch_all is not None:
            judge(
                rule_node,
                "this rule is never reached: an earlier rule has an empty `match`, which catches every event",
            )
            continue
        if not match:
            catch_all = rule_node
            continue
        if match_node is not None and string_value(match_node) is not None and not judges.is_placeholder(match_node):
            _check_match(judge, match_node, match)
    if rules and not has_default and catch_all is None:
        judge(
            routes_key,
            "`routes` has rules but no `default`: events no rule matches are dropped silently",
        )


def _check_match(judge: Judge, node: Node, expression: str) -> None:
    try:
        parsed = parse_cel(expression)
    except CelSyntaxError as exc:
        judge(node, f"match `{shown(expression)}` does not parse ({exc}): the subscription fails to load")
        return
    unknown = [v for v in parsed.free_variables if v != "event"]
    if unknown:
        judge(
            node,
            f"match reads `{unknown[0]}`, but the only variable is `event` (e.g. `event.{unknown[0]}`): the rule "
            "never matches",
        )
    elif parsed.result in ("number", "string"):
        judge(node, f"match `{shown(expression)}` is not a boolean expression: evaluation fails")


# -- the rules this module checks (spec and the examples its page shows) ------------------------------

DPR511 = register(
    RuleSpec(
        code="DPR511",
        name="invalid-subscription",
        category="bug",
        summary=(
            "Subscription v1/v2 field mix-ups, bulkSubscribe as a list, routing that drops events, invalid "
            "match rules."
        ),
        target="yaml",
        prose=page(
            (
                "What it does",
                """
                Flags Subscription mistakes: `routes` under v1alpha1 or `route` under v2alpha1, `bulkSubscribe` written as a list, routes with no rules and no default, rules without a default, rules after a catch-all rule, and `match` expressions that do not parse or read variables other than `event`.
                """,
            ),
            (
                "Why is this bad?",
                """
                Fields of the other version are dropped silently; events no rule matches are dropped (and acknowledged); a match on an unknown variable never matches.
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
                - [Subscription spec](https://docs.dapr.io/reference/resource-specs/subscription-schema/)
                - [Route messages to different handlers](https://docs.dapr.io/developing-applications/building-blocks/pubsub/howto-route-messages/)
                """,
            ),
        ),
        examples=(
            invalid(
                """
                apiVersion: dapr.io/v2alpha1
                kind: Subscription
                metadata:
                  name: orders
                spec:
                  topic: orders
                  pubsubname: pubsub
                  route: /orders
                """,
                "yaml",
            ),
            valid(
                """
                apiVersion: dapr.io/v2alpha1
                kind: Subscription
                metadata:
                  name: orders
                spec:
                  topic: orders
                  pubsubname: pubsub
                  routes:
                    default: /orders
                """,
                "yaml",
            ),
        ),
    )
)


# -- the check: what the walks over a document found for this rule, through its bound report -----------------


@check(DPR511.code, "yaml")
def check_dpr511(document: ResourceDocument, report: Reporter) -> Iterator[Finding]:
    """Subscription errors, as the Subscription walk and its schema found them."""
    yield from judged(document, report)
