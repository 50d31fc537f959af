"""The Dapr resource-file checker (DPR501-DPR517): `analyze_yaml` is its one entry point.

A file is checked if one of its documents has `apiVersion: dapr.io/...` or has the shape of a `dapr run -f`
template; every other YAML file (Kubernetes manifests, Helm templates, CI files, docker-compose) yields nothing.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass
from typing import Callable, Iterator, Optional

from yaml.nodes import Node

from dapr_lint.diagnostics import Diagnostic, Finding
from dapr_lint import registry
from dapr_lint.registry import Reporter, RuleSpec, check, invalid, page, register, valid
from dapr_lint.resources.findings import (
    MUTED,
    RUN_TEMPLATE,
    UNCHECKED,
    FindingSink,
    Judge,
    Judges,
    ResourceDocument,
    ResourceFile,
)
from dapr_lint.resources.kinds.common import (
    DPR517,
    ResourceFacts,
    check_resource_name,
    mark_placeholders,
    scopes_overlap,
)
from dapr_lint.resources.kinds.component import COMPONENT_SCHEMA, component_facts
from dapr_lint.resources.kinds.configuration import CONFIGURATION_SCHEMA, DPR513, check_configuration
from dapr_lint.resources.kinds.httpendpoint import HTTPENDPOINT_SCHEMA, check_httpendpoint
from dapr_lint.resources.kinds.resiliency import (
    DPR508,
    RESILIENCY_SCHEMA,
    ResiliencyPolicies,
    check_resiliency,
)
from dapr_lint.resources.kinds.runfile import DPR512, RUN_TEMPLATE_SCHEMA, check_run_template, is_run_template
from dapr_lint.resources.kinds.subscription import DPR511, SUBSCRIPTION_SCHEMAS, check_subscription
from dapr_lint.resources.loader import DocumentsOnce, ResourceParseError, as_utf8, decode_text
from dapr_lint.resources.nodes import MappingView, text
from dapr_lint.resources.templates import has_template
from dapr_lint.resources.schema import DPR501, DPR502, Decoder, Schema, Validation, check_mapping, did_you_mean
from dapr_lint.settings import Settings
from dapr_lint.resources import rules as _rules

# The YAML rules with a check of their own (one module each in resources/rules/): importing this package
# registers them, so analyze_yaml always runs every rule, whoever imported it.
for _module in pkgutil.iter_modules(_rules.__path__, _rules.__name__ + "."):
    importlib.import_module(_module.name)

__all__ = ["analyze_yaml"]


@dataclass(frozen=True)
class ResourceKind:
    """A dapr.io kind: the apiVersions daprd accepts for it, how it is decoded, its schema, and its own rule (what
    its walk decides beyond the schema: `Judges.kind`)."""

    name: str
    api_versions: tuple[str, ...]
    decoder: Decoder = "json"
    schema: Optional[Schema] = None
    rule: Optional[RuleSpec] = None


KINDS: dict[str, ResourceKind] = {
    k.name: k
    for k in (
        ResourceKind("Component", ("dapr.io/v1alpha1",), schema=COMPONENT_SCHEMA),
        ResourceKind("Resiliency", ("dapr.io/v1alpha1",), schema=RESILIENCY_SCHEMA, rule=DPR508),
        ResourceKind("Subscription", ("dapr.io/v1alpha1", "dapr.io/v2alpha1"), rule=DPR511),
        ResourceKind(
            "Configuration", ("dapr.io/v1alpha1",), decoder="yaml.v3", schema=CONFIGURATION_SCHEMA, rule=DPR513
        ),
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
    sink = FindingSink(path, settings, placeholder_rule=DPR517.code)
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
    """Reads every document of one file (its placeholders, schema, kind), then runs every YAML rule's check on
    each, once the whole file is known (`ResourceDocument.file`). The walks over a document are shared by the
    rules they decide for: each walk is handed those rules' judges (`Judges`), and a rule's check reports what
    its judge kept."""

    def __init__(self, sink: FindingSink) -> None:
        self.sink = sink
        self.file = ResourceFile()
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
            self.file.policies = self.policies
        for document in self.file.documents:
            self.run_rules(document)

    def add(self, kind: str, api_version: Optional[str], node: Node, root: MappingView) -> ResourceDocument:
        document = ResourceDocument(kind, api_version, node, root, self.sink, self.file, len(self.file.documents))
        self.file.documents.append(document)
        return document

    def check_run_template(self, document: Node, root: MappingView) -> None:
        self.file.placeholders[len(self.file.documents)] = mark_placeholders(self.sink, document)
        checked = self.add(RUN_TEMPLATE, None, document, root)
        own = checked.judge(DPR512)  # the run template's schema is its own rule's
        judges = Judges(checked, schema=own, durations=checked.judge(DPR502), kind=own)
        if judges:
            validation = Validation(judges, "yaml.v2", "the run template")
            check_mapping(validation, document, RUN_TEMPLATE_SCHEMA, None, "the run template")
        check_run_template(judges, root)

    def check_resource(self, document: Node, root: MappingView, api_version: str) -> None:
        self.file.placeholders[len(self.file.documents)] = mark_placeholders(self.sink, document)
        kind_node = root.get("kind")
        kind_name = text(kind_node)
        kind = KINDS.get(kind_name or "")
        schema = None
        if kind is not None and api_version in kind.api_versions:
            schema = SUBSCRIPTION_SCHEMAS[api_version] if kind.name == "Subscription" else kind.schema
        checked = self.add(kind.name if kind is not None and schema is not None else UNCHECKED, api_version, document, root)
        schema_judge = checked.judge(DPR501)
        if kind is None:
            self.report_unknown_kind(schema_judge, root, kind_node, kind_name)
            return
        if api_version not in kind.api_versions:
            schema_judge(
                root.get("apiVersion"),
                f"a {kind.name} needs apiVersion " + " or ".join(f"`{v}`" for v in kind.api_versions)
                + ": daprd silently skips this document",
            )
            return
        if schema is None:
            return
        judges = Judges(
            checked, schema_judge, checked.judge(DPR502), checked.judge(kind.rule) if kind.rule is not None else MUTED
        )
        if judges:  # the schema walk reports only: skipped when every rule it decides for is off
            validation = Validation(judges, kind.decoder, f"the whole {kind.name}")
            check_mapping(validation, document, schema, None, f"this {kind.name}")
        if schema_judge:
            check_resource_name(schema_judge, root)
        checker: dict[str, Callable[[], Optional[ResourceFacts]]] = {
            "Component": lambda: component_facts(checked),
            "Resiliency": lambda: check_resiliency(judges, root, self.policies),
            "Subscription": lambda: check_subscription(judges, root, api_version),
            "Configuration": lambda: check_configuration(judges.kind, root),
            "HTTPEndpoint": lambda: check_httpendpoint(judges, root),
        }
        if kind.name == "Resiliency":
            self.saw_resiliency = True
        facts = checker[kind.name]()
        if facts is not None:
            self.file.facts[checked.index] = facts

    def run_rules(self, document: ResourceDocument) -> None:
        """The YAML rules' checks, each with its bound report."""
        for code, rule_check in registry.checks("yaml").items():
            if self.sink.enabled(code):
                for finding in rule_check(document, registry.reporter(code)):
                    self.sink.add(finding)

    def report_unknown_kind(
        self, judge: Judge, root: MappingView, kind_node: Optional[Node], kind_name: Optional[str]
    ) -> None:
        if kind_node is None or kind_name is None:
            anchor = root.key("apiVersion")
            if anchor is not None:
                judge(anchor, "a dapr.io resource without `kind`: daprd silently skips it")
            return
        same_case = [k for k in KINDS if k.lower() == kind_name.lower()]
        if same_case:
            message = f"kind `{kind_name}` must be spelled `{same_case[0]}` (case-sensitive): daprd silently skips this document"
        else:
            message = f"`{kind_name}` is not a Dapr resource kind: daprd silently skips this document"
            guess = did_you_mean(kind_name, list(KINDS))
            if guess:
                message += f"; did you mean `{guess}`?"
        judge(kind_node, message)

# -- the rules this module checks (spec and the examples its page shows) ------------------------------

DPR510 = register(
    RuleSpec(
        code="DPR510",
        name="duplicate-resource",
        category="bug",
        summary="Two resources of one kind and name visible to the same app.",
        target="yaml",
        prose=page(
            (
                "What it does",
                """
                Flags a Component, Subscription or HTTPEndpoint whose kind, name and namespace repeat an earlier one in the same file when their `scopes` overlap (no scopes means every app).
                """,
            ),
            (
                "Why is this bad?",
                """
                daprd refuses a second resource of the same kind and name for one app.
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
                """,
            ),
        ),
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


@check(DPR510.code, "yaml")
def check_duplicate(document: ResourceDocument, report: Reporter) -> Iterator[Finding]:
    """A resource of the same kind and name as an earlier one of the file, visible to the same apps."""
    later = document.facts
    if later is None or later.name_node is None or not later.name:
        return
    for earlier in document.file.earlier_facts(document):
        if (
            earlier.kind == later.kind
            and later.kind in _UNIQUE_KINDS
            and earlier.name == later.name
            and earlier.namespace == later.namespace
            and scopes_overlap(earlier.scopes, later.scopes)
        ):
            line = earlier.name_node.start_mark.line + 1 if earlier.name_node is not None else 0
            yield report(
                later.name_node,
                f"{later.kind} `{later.name}` is already defined on line {line} for the same apps: "
                "daprd refuses the duplicate",
            )
            break
