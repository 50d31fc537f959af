"""The Dapr resource-file checker (DPR501-DPR517): `analyze_yaml` is its one entry point.

A file is checked if one of its documents has `apiVersion: dapr.io/...` or has the shape of a `dapr run -f`
template; every other YAML file (Kubernetes manifests, Helm templates, CI files, docker-compose) yields nothing.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass
from typing import Callable, Optional

from yaml.nodes import Node

from dapr_lint.diagnostics import Diagnostic
from dapr_lint import registry
from dapr_lint.registry import RuleSpec, invalid, register, valid
from dapr_lint.resources.findings import RUN_TEMPLATE, FindingSink, ResourceDocument
from dapr_lint.resources.kinds.common import (
    ResourceFacts,
    check_resource_name,
    mark_placeholders,
    scopes_overlap,
)
from dapr_lint.resources.kinds.component import COMPONENT_SCHEMA, check_component
from dapr_lint.resources.kinds.configuration import CONFIGURATION_SCHEMA, check_configuration
from dapr_lint.resources.kinds.httpendpoint import HTTPENDPOINT_SCHEMA, check_httpendpoint
from dapr_lint.resources.kinds.resiliency import (
    RESILIENCY_SCHEMA,
    ResiliencyPolicies,
    check_policy_usage,
    check_resiliency,
)
from dapr_lint.resources.kinds.runfile import RUN_TEMPLATE_SCHEMA, check_run_template, is_run_template
from dapr_lint.resources.kinds.subscription import SUBSCRIPTION_SCHEMAS, check_subscription
from dapr_lint.resources.loader import DocumentsOnce, ResourceParseError, as_utf8, decode_text
from dapr_lint.resources.nodes import MappingView, text
from dapr_lint.resources.templates import has_template
from dapr_lint.resources.schema import Decoder, Schema, Validation, check_mapping, did_you_mean
from dapr_lint.settings import Settings
from dapr_lint.resources import rules as _rules

# The YAML rules with a check of their own (one module each in resources/rules/): importing this package
# registers them, so analyze_yaml always runs every rule, whoever imported it.
for _module in pkgutil.iter_modules(_rules.__path__, _rules.__name__ + "."):
    importlib.import_module(_module.name)

__all__ = ["analyze_yaml"]


@dataclass(frozen=True)
class ResourceKind:
    """A dapr.io kind: the apiVersions daprd accepts for it, how it is decoded, and its schema."""

    name: str
    api_versions: tuple[str, ...]
    decoder: Decoder = "json"
    schema: Optional[Schema] = None


KINDS: dict[str, ResourceKind] = {
    k.name: k
    for k in (
        ResourceKind("Component", ("dapr.io/v1alpha1",), schema=COMPONENT_SCHEMA),
        ResourceKind("Resiliency", ("dapr.io/v1alpha1",), schema=RESILIENCY_SCHEMA),
        ResourceKind("Subscription", ("dapr.io/v1alpha1", "dapr.io/v2alpha1")),
        ResourceKind("Configuration", ("dapr.io/v1alpha1",), decoder="yaml.v3", schema=CONFIGURATION_SCHEMA),
        ResourceKind("HTTPEndpoint", ("dapr.io/v1alpha1",), schema=HTTPENDPOINT_SCHEMA),
        # New in Dapr 1.18; known, not yet modelled.
        ResourceKind("MCPServer", ("dapr.io/v1alpha1",)),
        ResourceKind("WorkflowAccessPolicy", ("dapr.io/v1alpha1",)),
    )
}

# Kinds the disk loader rejects duplicates of (same kind and name, overlapping scopes).
_UNIQUE_KINDS = ("Component", "Subscription", "HTTPEndpoint")

_DAPR_API_VERSION = re.compile(r"^[ \t]*[\"']?apiVersion[\"']?[ \t]*:[ \t]*[\"']?dapr\.io(?:/|[\"']?[ \t]*(?:#|$))", re.MULTILINE)
_RUN_TEMPLATE_APPS = re.compile(r"^apps[ \t]*:", re.MULTILINE)
_RUN_TEMPLATE_MARKER = re.compile(r"^version[ \t]*:|^[ \t-]+appDirPath[ \t]*:", re.MULTILINE)


def looks_like_dapr_yaml(text_: str) -> bool:
    """Cheap text test: a dapr.io apiVersion, or a run template's `apps:` with `version:`/`appDirPath:`."""
    if _DAPR_API_VERSION.search(text_):
        return True
    return bool(_RUN_TEMPLATE_APPS.search(text_) and _RUN_TEMPLATE_MARKER.search(text_))


# Folder names that say "these files are applied to a cluster".
_KUBERNETES_FOLDERS = frozenset(
    {"k8s", "kubernetes", "kube", "manifests", "deploy", "deployment", "deployments", "charts", "helm", "kustomize", "overlays"}
)
_KUBERNETES_TEXT = re.compile(r"\.svc\.cluster\.local\b|^kind:[ \t]*(?:Deployment|StatefulSet|Service|Namespace)[ \t]*$", re.M)


def _deployed_to_kubernetes(path: str, source: str, chart_template: bool = False) -> bool:
    """`chart_template`: the file is in a Helm chart's `templates/` folder (roots.in_helm_chart)."""
    if chart_template:
        return True
    # folder names count by their words too: `04-multi-agent-k8s`, `deploy_prod`
    words = {word for part in re.split(r"[\\/]", path.lower())[:-1] for word in re.split(r"[-_.]", part)}
    return bool(words & _KUBERNETES_FOLDERS) or bool(_KUBERNETES_TEXT.search(source))


def analyze_yaml(
    path: str, data: bytes, settings: Settings, chart_template: bool = False, load: Optional[DocumentsOnce] = None
) -> list[Diagnostic]:
    """Findings (enabled codes only) for one YAML file; [] for YAML that is not a Dapr resource or run template.
    `chart_template`: the file is in a Helm chart's `templates/` folder (roots.in_helm_chart), so meant for Kubernetes.
    `load`: the file's one load, shared with its summary (resources.summary)."""
    data = as_utf8(data)
    if b"dapr.io" not in data and b"apps" not in data:
        return []
    sink = FindingSink(path, settings)
    try:
        source = decode_text(data)
    except ResourceParseError as exc:
        if looks_like_dapr_yaml(data.decode("utf-8", "replace")):
            _parse_error(sink, exc)
        return sink.diagnostics
    if not looks_like_dapr_yaml(source) or has_template(source):
        return []  # not Dapr, or a Helm/Go template whose YAML only exists after rendering
    try:
        documents = (load or DocumentsOnce())(source)
    except ResourceParseError as exc:
        _parse_error(sink, exc)
        return sink.diagnostics
    sink.kubernetes_file = _deployed_to_kubernetes(path, source, chart_template)
    FileCheck(sink).run(documents)
    return sorted(sink.diagnostics, key=Diagnostic.sort_key)


def _parse_error(sink: FindingSink, exc: ResourceParseError) -> None:
    if sink.enabled("DPR001"):
        sink.diagnostics.append(
            Diagnostic(
                code="DPR001",
                message=f"invalid YAML: {exc.message}",
                path=sink.path,
                line=exc.line,
                column=exc.column,
                end_line=exc.line,
                end_column=exc.column + 1,
            )
        )


class FileCheck:
    """Checks every document of one file, then what the documents say together."""

    def __init__(self, sink: FindingSink) -> None:
        self.sink = sink
        self.resources: list[ResourceFacts] = []
        self.policies = ResiliencyPolicies()
        self.saw_resiliency = False

    def run(self, documents: list[Optional[Node]]) -> None:
        for document in documents:
            root = MappingView(document) if document is not None else None
            if not root:
                continue
            api_version = text(root.get("apiVersion"))
            if api_version is not None and api_version.startswith("dapr.io"):
                self.check_resource(document, root, api_version)  # type: ignore[arg-type]
            elif is_run_template(root):
                self.check_run_template(document, root)  # type: ignore[arg-type]
        if self.saw_resiliency:
            check_policy_usage(self.sink, self.policies)
        self.check_duplicates()

    def check_run_template(self, document: Node, root: MappingView) -> None:
        mark_placeholders(self.sink, document)
        validation = Validation(self.sink, "yaml.v2", "DPR512", "the run template")
        check_mapping(validation, document, RUN_TEMPLATE_SCHEMA, None, "the run template")
        check_run_template(self.sink, root)
        self.run_rules(ResourceDocument(RUN_TEMPLATE, None, document, root, self.sink))

    def check_resource(self, document: Node, root: MappingView, api_version: str) -> None:
        sink = self.sink
        mark_placeholders(sink, document)
        kind_node = root.get("kind")
        kind_name = text(kind_node)
        kind = KINDS.get(kind_name or "")
        if kind is None:
            self.report_unknown_kind(root, kind_node, kind_name)
            return
        if api_version not in kind.api_versions:
            sink.report(
                "DPR501",
                root.get("apiVersion"),  # type: ignore[arg-type]
                f"a {kind.name} needs apiVersion " + " or ".join(f"`{v}`" for v in kind.api_versions)
                + ": daprd silently skips this document",
            )
            return
        schema = kind.schema
        if kind.name == "Subscription":
            schema = SUBSCRIPTION_SCHEMAS[api_version]
        if schema is None:
            return
        validation = Validation(sink, kind.decoder, "DPR501", f"the whole {kind.name}")
        check_mapping(validation, document, schema, None, f"this {kind.name}")
        check_resource_name(sink, root)
        checker: dict[str, Callable[[], Optional[ResourceFacts]]] = {
            "Component": lambda: check_component(sink, root),
            "Resiliency": lambda: check_resiliency(sink, root, self.policies),
            "Subscription": lambda: check_subscription(sink, root, api_version),
            "Configuration": lambda: check_configuration(sink, root),
            "HTTPEndpoint": lambda: check_httpendpoint(sink, root),
        }
        if kind.name == "Resiliency":
            self.saw_resiliency = True
        facts = checker[kind.name]()
        if facts is not None:
            self.resources.append(facts)
        self.run_rules(ResourceDocument(kind.name, api_version, document, root, sink))

    def run_rules(self, document: ResourceDocument) -> None:
        """The YAML rules registered as checks of their own (resources/rules/), each with its bound report."""
        for code, check in registry.checks("yaml").items():
            if self.sink.enabled(code):
                for finding in check(document, registry.reporter(code)):
                    self.sink.add(finding)

    def report_unknown_kind(self, root: MappingView, kind_node: Optional[Node], kind_name: Optional[str]) -> None:
        if kind_node is None or kind_name is None:
            anchor = root.key("apiVersion")
            if anchor is not None:
                self.sink.report("DPR501", anchor, "a dapr.io resource without `kind`: daprd silently skips it")
            return
        same_case = [k for k in KINDS if k.lower() == kind_name.lower()]
        if same_case:
            message = f"kind `{kind_name}` must be spelled `{same_case[0]}` (case-sensitive): daprd silently skips this document"
        else:
            message = f"`{kind_name}` is not a Dapr resource kind: daprd silently skips this document"
            guess = did_you_mean(kind_name, list(KINDS))
            if guess:
                message += f"; did you mean `{guess}`?"
        self.sink.report("DPR501", kind_node, message)

    def check_duplicates(self) -> None:
        """DPR510 for same-kind, same-name resources of this file that one app sees; DPR516 for two actor stores."""
        for i, later in enumerate(self.resources):
            if later.name_node is None or not later.name:
                continue
            for earlier in self.resources[:i]:
                if (
                    earlier.kind == later.kind
                    and later.kind in _UNIQUE_KINDS
                    and earlier.name == later.name
                    and earlier.namespace == later.namespace
                    and scopes_overlap(earlier.scopes, later.scopes)
                ):
                    line = earlier.name_node.start_mark.line + 1 if earlier.name_node is not None else 0
                    self.sink.report(
                        "DPR510",
                        later.name_node,
                        f"{later.kind} `{later.name}` is already defined on line {line} for the same apps: "
                        "daprd refuses the duplicate",
                    )
                    break
        stores = [r for r in self.resources if r.actor_state_store_node is not None]
        for i, later in enumerate(stores):
            for earlier in stores[:i]:
                if scopes_overlap(earlier.scopes, later.scopes):
                    self.sink.report(
                        "DPR516",
                        later.actor_state_store_node,  # type: ignore[arg-type]
                        f"a second actor state store for the same apps (`{earlier.name}` is one too): daprd fails to start",
                        detail='daprd fails with "detected duplicate actor state store".',
                    )
                    break


# -- the rules this module checks (spec and the examples its page shows) ------------------------------

DPR510 = register(
    RuleSpec(
        code="DPR510",
        name="duplicate-resource",
        category="bug",
        summary="Two resources of one kind and name visible to the same app.",
        target="yaml",
        examples=(
            invalid(
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
                ---
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
                ---
                apiVersion: dapr.io/v1alpha1
                kind: Component
                metadata:
                  name: cache
                spec:
                  type: state.redis
                  version: v1
                  metadata:
                  - name: redisHost
                    value: localhost:6379
                """,
                "yaml",
            ),
        ),
    )
)
