"""DPR515 (invalid-binding-direction): a binding Component's `direction` metadata names something other than
input/output or a direction its type does not have, or it sets `route` where no input binding reads it."""

from __future__ import annotations

from typing import Iterator, Optional

from dapr_lint.diagnostics import Finding
from dapr_lint.registry import Reporter, RuleSpec, invalid, page, rule, valid
from dapr_lint.resources import component_tables as tables
from dapr_lint.resources.findings import ResourceDocument
from dapr_lint.resources.kinds.component import MetadataItem
from dapr_lint.resources.nodes import MappingView, sequence_items, string_value, text


@rule(
    RuleSpec(
        code="DPR515",
        name="invalid-binding-direction",
        category="bug",
        summary=(
            "A binding direction outside input/output or unsupported by the type, or a route on an "
            "output-only binding."
        ),
        target="yaml",
        prose=page(
            (
                "What it does",
                """
                Flags a binding `direction` value that is not a comma list of `input`/`output`, a direction the binding type does not register, and a `route` on an output-only binding or on one whose direction excludes input.
                """,
            ),
            (
                "Why is this bad?",
                """
                daprd silently initialises nothing for an unsupported direction, and `route` only matters for input bindings.
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
                - [Bindings API](https://docs.dapr.io/reference/api/bindings_api/)
                - [Supported bindings](https://docs.dapr.io/reference/components-reference/supported-bindings/)
                """,
            ),
        ),
        examples=(
            invalid(
                """
                apiVersion: dapr.io/v1alpha1
                kind: Component
                metadata:
                  name: webhook
                spec:
                  type: bindings.http
                  version: v1
                  metadata:
                  - name: url
                    value: https://example.com/hook
                  - name: direction
                    value: input
                """,
                "yaml",
            ),
            valid(
                """
                apiVersion: dapr.io/v1alpha1
                kind: Component
                metadata:
                  name: webhook
                spec:
                  type: bindings.http
                  version: v1
                  metadata:
                  - name: url
                    value: https://example.com/hook
                  - name: direction
                    value: output
                """,
                "yaml",
            ),
        ),
    )
)
def invalid_binding_direction(document: ResourceDocument, report: Reporter) -> Iterator[Finding]:
    if document.kind != "Component":
        return
    spec = document.root.view("spec", nocase=True)
    component_type = string_value(spec.get_nocase("type"))
    if component_type is None or not component_type.startswith("bindings."):
        return
    items = [MetadataItem(n) for n in sequence_items(spec.get_nocase("metadata")) if MappingView(n)]
    yield from _check_direction(document, report, component_type, items)


def _check_direction(
    document: ResourceDocument, report: Reporter, component_type: str, items: list[MetadataItem]
) -> Iterator[Finding]:
    supported = tables.binding_directions(component_type)
    declared: Optional[set[str]] = None
    for item in items:
        if item.name is None or item.name.lower() != "direction" or item.value_node is None:
            continue
        value = text(item.value_node)
        if value is None or document.is_placeholder(item.value_node):
            continue
        declared = set()
        for part in value.split(","):
            direction = part.strip().lower()
            if direction not in ("input", "output"):
                yield report(
                    item.value_node,
                    f"direction `{part.strip()}` is not `input` or `output` (comma-separated)",
                )
                declared = None
                break
            declared.add(direction)
            if supported is not None and direction not in supported:
                yield report(
                    item.value_node,
                    f"`{component_type}` has no {direction} binding: daprd silently initialises nothing for it",
                )
    for item in items:
        if item.name != "route" or item.value_node is None or document.is_placeholder(item.value_node):
            continue
        if supported == frozenset({"output"}):
            yield report(
                item.value_node,
                f"`route` has no effect: `{component_type}` is an output-only binding",
            )
        elif declared is not None and "input" not in declared:
            yield report(item.value_node, "`route` has no effect: `direction` does not include input")
