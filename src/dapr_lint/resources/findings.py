"""Collects the diagnostics of one file, at node positions, honouring enabled codes and placeholders."""

from __future__ import annotations

from typing import Optional

from yaml.nodes import Node, ScalarNode

from dapr_lint.diagnostics import Diagnostic, Severity
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

    def report(
        self,
        code: str,
        node: Optional[Node],
        message: str,
        *,
        severity: Optional[Severity] = None,
    ) -> None:
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
            )
        )
