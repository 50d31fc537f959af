"""DPR507 (unknown-component-type): a Component `type` daprd cannot load (wrong category or its case, a retired
or unknown type) or a `version` the type does not register."""

from __future__ import annotations

from typing import Iterator, Optional

from yaml.nodes import Node

from dapr_lint.diagnostics import Finding
from dapr_lint.registry import Reporter, RuleSpec, invalid, page, rule, valid
from dapr_lint.resources import component_tables as tables
from dapr_lint.resources.findings import ResourceDocument
from dapr_lint.resources.nodes import string_value
from dapr_lint.resources.schema import did_you_mean


@rule(
    RuleSpec(
        code="DPR507",
        name="unknown-component-type",
        category="bug",
        summary=(
            "A component type outside the loadable categories, not a built-in type, or with an unsupported "
            "version."
        ),
        target="yaml",
        prose=page(
            (
                "What it does",
                """
                Flags a component `spec.type` outside the nine loadable categories (`bindings`, `configuration`, `crypto`, `lock`, `middleware`, `pubsub`, `secretstores`, `state`, `conversation`; case-sensitive) as an error, a type that is not a built-in daprd type as a warning (it may be a pluggable component), and a `version` the built-in type does not register (e.g. `state.redis` `v2`).
                """,
            ),
            (
                "Why is this bad?",
                """
                daprd fails to load a component with an incorrect type or an unregistered version. `nameresolution.*` is configured in a Configuration, not as a Component. Removed types such as `bindings.twitter` no longer exist.
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
                - [Supported components](https://docs.dapr.io/reference/components-reference/)
                - [Pluggable components](https://docs.dapr.io/developing-applications/develop-components/pluggable-components/pluggable-components-overview/)
                - [Component schema](https://docs.dapr.io/reference/resource-specs/component-schema/)
                """,
            ),
        ),
        examples=(
            invalid(
                """
                apiVersion: dapr.io/v1alpha1
                kind: Component
                metadata:
                  name: orders
                spec:
                  type: binding.kafka
                  version: v1
                """,
                "yaml",
            ),
            valid(
                """
                apiVersion: dapr.io/v1alpha1
                kind: Component
                metadata:
                  name: orders
                spec:
                  type: bindings.kafka
                  version: v1
                """,
                "yaml",
            ),
        ),
    )
)
def unknown_component_type(document: ResourceDocument, report: Reporter) -> Iterator[Finding]:
    if document.kind != "Component":
        return
    spec = document.root.view("spec", nocase=True)
    type_node = spec.get_nocase("type")
    component_type = string_value(type_node)
    if component_type is not None and type_node is not None:
        yield from _check_type(document, report, component_type, type_node, spec.get_nocase("version"))


def _check_type(
    document: ResourceDocument, report: Reporter, component_type: str, type_node: Node, version_node: Optional[Node]
) -> Iterator[Finding]:
    if document.is_placeholder(type_node):
        return
    category = component_type.split(".", 1)[0]
    if not any(component_type.startswith(c + ".") for c in tables.LOADABLE_CATEGORIES):
        if category == "nameresolution":
            message = f"`{component_type}` is not a loadable component type: name resolution is not a Component"
            detail = "Name resolution is configured in a Configuration's `spec.nameResolution`."
        elif category.lower() in tables.LOADABLE_CATEGORIES:
            message = f"type `{component_type}` fails to load: the category is case-sensitive, write `{category.lower()}`"
            detail = None
        else:
            guess = did_you_mean(category, tables.LOADABLE_CATEGORIES)
            message = f"type `{component_type}` fails to load: its category is not one daprd loads"
            if guess:
                message += f"; did you mean `{guess}.`?"
            detail = "It must start with one of " + ", ".join(f"`{c}.`" for c in tables.LOADABLE_CATEGORIES) + "."
        yield report(type_node, message, detail=detail)
        return
    lowered = component_type.lower()
    if lowered not in tables.BUILTIN_TYPES:
        if lowered in tables.RETIRED_TYPES:
            message = f"`{component_type}` is not a daprd component type: {tables.RETIRED_TYPES[lowered]}"
        else:
            message = f"`{component_type}` is not a built-in Dapr component type (fine if it is a pluggable component)"
            guess = did_you_mean(lowered, sorted(tables.BUILTIN_TYPES), cutoff=0.8)
            if guess:
                message += f"; did you mean `{guess}`?"
        yield report(type_node, message, severity="warning")
        return
    version = string_value(version_node)
    if version is None or version_node is None:
        return
    registered = tables.REGISTERED_VERSIONS.get(lowered, frozenset({"v1"}))
    if version.lower() not in tables.INITIAL_VERSIONS and version.lower() not in registered:
        yield report(
            version_node,
            f"`{component_type}` has no version `{version}` (registered: {', '.join(sorted(registered))}): "
            "daprd fails to create the component",
        )
