"""DPR505 (invalid-trip-expression): a circuit breaker's `trip` expression that does not parse as CEL, reads
something other than the breaker's counters, or is not a boolean: the breaker never trips."""

from __future__ import annotations

from typing import Iterator, Optional

from yaml.nodes import Node

from dapr_lint.diagnostics import Finding
from dapr_lint.registry import Reporter, RuleSpec, invalid, page, rule, valid
from dapr_lint.resources.cel import CelSyntaxError, parse_cel, shown
from dapr_lint.resources.findings import ResourceDocument
from dapr_lint.resources.nodes import MappingView, string_value
from dapr_lint.resources.schema import did_you_mean

# Counters a circuit breaker's trip expression can read (int64).
TRIP_VARIABLES: frozenset[str] = frozenset(
    {"requests", "totalSuccesses", "totalFailures", "consecutiveSuccesses", "consecutiveFailures"}
)


@rule(
    RuleSpec(
        code="DPR505",
        name="invalid-trip-expression",
        category="bug",
        summary=(
            "A circuit-breaker trip expression that does not parse, reads an unknown variable or is not "
            "boolean."
        ),
        target="yaml",
        prose=page(
            (
                "What it does",
                """
                Parses each circuit breaker's `trip` expression (CEL) and flags syntax errors, variables other than `requests`, `totalSuccesses`, `totalFailures`, `consecutiveSuccesses`, `consecutiveFailures`, and expressions that cannot be boolean.
                """,
            ),
            (
                "Why is this bad?",
                """
                An unknown variable compiles but fails at evaluation, and on an evaluation error or a non-boolean result the breaker does not trip: the circuit breaker is silently inert.
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
                - [CEL specification](https://github.com/google/cel-spec)
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
                    circuitBreakers:
                      cb:
                        trip: consecutiveFailure > 5
                  targets:
                    apps:
                      orders:
                        circuitBreaker: cb
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
                    circuitBreakers:
                      cb:
                        trip: consecutiveFailures > 5
                  targets:
                    apps:
                      orders:
                        circuitBreaker: cb
                """,
                "yaml",
            ),
        ),
    )
)
def invalid_trip_expression(document: ResourceDocument, report: Reporter) -> Iterator[Finding]:
    if document.kind != "Resiliency":
        return
    breakers = document.root.view("spec", nocase=True).view("policies", nocase=True).view("circuitBreakers", nocase=True)
    for _name, _key_node, value_node in breakers:
        yield from _check_trip(document, report, MappingView(value_node).get_nocase("trip"))


def _check_trip(document: ResourceDocument, report: Reporter, node: Optional[Node]) -> Iterator[Finding]:
    expression = string_value(node)
    if node is None or expression is None or document.is_placeholder(node):
        return
    try:
        parsed = parse_cel(expression, TRIP_VARIABLES)
    except CelSyntaxError as exc:
        yield report(node, f"trip expression `{shown(expression)}` does not parse ({exc}): the breaker never trips")
        return
    unknown = [v for v in parsed.free_variables if v not in TRIP_VARIABLES]
    if unknown:
        guess = did_you_mean(unknown[0], sorted(TRIP_VARIABLES))
        message = f"trip expression reads `{unknown[0]}`, not a circuit-breaker counter: the breaker never trips"
        detail = f"Did you mean `{guess}`?" if guess else "Use " + ", ".join(f"`{v}`" for v in sorted(TRIP_VARIABLES)) + "."
        yield report(node, message, detail=f"Evaluation fails. {detail}")
    elif parsed.result in ("number", "string"):
        yield report(node, f"trip expression `{shown(expression)}` is not a boolean: the breaker never trips")
