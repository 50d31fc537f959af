"""Collects the diagnostics of one file, at node positions, honouring enabled codes and placeholders; and the
document a YAML rule's check reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from yaml.nodes import Node, ScalarNode

from dapr_lint.diagnostics import Diagnostic, Finding, Severity
from dapr_lint.resources.nodes import MappingView
from dapr_lint.settings import Settings

PLACEHOLDER_CODE = "DPR517"
SECRET_CODE = "DPR506"


def is_example_file(path: str) -> bool:
    """`secrets.example.yaml`, `components/statestore.example.yml`: a file that shows values to replace."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return ".example." in name or name.startswith("example.")


class FindingSink:
    """Where rules report; a finding on a placeholder value is dropped (DPR517 already covers it)."""

    def __init__(self, path: str, settings: Settings) -> None:
        self.path = path
        self.settings = settings
        self.diagnostics: list[Diagnostic] = []
        self.placeholder_nodes: set[int] = set()
        self._seen: set[tuple[str, int, int, str]] = set()
        # The file shows it is deployed to Kubernetes (set by analyze_yaml; see kinds.common.meant_for_kubernetes).
        self.kubernetes_file = False

    def enabled(self, code: str) -> bool:
        return self.settings.is_enabled(code)

    def is_placeholder(self, node: Optional[Node]) -> bool:
        return node is not None and id(node) in self.placeholder_nodes

    def add(self, finding: Finding) -> None:
        """A finding a rule's bound report made (its `at` is a YAML node)."""
        self.report(finding.code, finding.at, finding.message, severity=finding.severity, detail=finding.detail)

    def report(
        self,
        code: str,
        node: Optional[Node],
        message: str,
        *,
        severity: Optional[Severity] = None,
        detail: Optional[str] = None,
    ) -> None:
        """`detail`: the evidence and the remedy (Diagnostic.detail); the message stays one short line."""
        if node is None or not self.settings.is_enabled(code):  # no node: nothing to point at
            return
        if code != PLACEHOLDER_CODE and id(node) in self.placeholder_nodes:
            return
        if code == SECRET_CODE and is_example_file(self.path):
            # `components.example.yaml` shows the shape of a resource: its values are there to be replaced
            code = PLACEHOLDER_CODE
            message = f"example file, value to replace: {message}"
            if not self.settings.is_enabled(code):
                return
        start = node.start_mark
        if isinstance(node, ScalarNode):
            end_line, end_column = node.end_mark.line + 1, node.end_mark.column + 1
        else:  # a collection's end mark can sit lines below; point at where it starts
            end_line, end_column = start.line + 1, start.column + 2
        key = (code, start.line, start.column, message)
        if key in self._seen:
            return
        self._seen.add(key)
        self.diagnostics.append(
            Diagnostic(
                code=code,
                message=message,
                path=self.path,
                line=start.line + 1,
                column=start.column + 1,
                end_line=end_line,
                end_column=end_column,
                severity=severity,
                detail=detail,
            )
        )


RUN_TEMPLATE = "run template"


@dataclass(frozen=True)
class ResourceDocument:
    """One document of a file, as a YAML rule's check reads it: a dapr.io resource that passed the kind and
    apiVersion checks (`kind` is its kind) or a `dapr run -f` template (`kind` is RUN_TEMPLATE).

    A rule module registers `@rule(spec, stage="yaml")` on `def check(document, report) -> Iterator[Finding]`
    and yields `report(node, message)`; resources.FileCheck runs every enabled one on every document."""

    kind: str
    api_version: Optional[str]
    node: Node
    root: MappingView
    sink: FindingSink

    def is_placeholder(self, node: Optional[Node]) -> bool:
        """A placeholder value (`<your-key>`): DPR517 reports it, no other rule does."""
        return self.sink.is_placeholder(node)

    @property
    def kubernetes_file(self) -> bool:
        """The file shows it is deployed to Kubernetes (its folder, or cluster-only text)."""
        return self.sink.kubernetes_file
