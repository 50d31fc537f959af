"""Collects the diagnostics of one file, at node positions, honouring enabled codes and placeholders; and the
document a YAML rule's check reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

from yaml.nodes import Node, ScalarNode

from dapr_lint.diagnostics import Diagnostic, Finding, Severity
from dapr_lint.registry import Reporter, RuleSpec
from dapr_lint.resources.nodes import MappingView
from dapr_lint.settings import Settings

def is_example_file(path: str) -> bool:
    """`secrets.example.yaml`, `components/statestore.example.yml`: a file that shows values to replace."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return ".example." in name or name.startswith("example.")


class FindingSink:
    """Where the YAML rules' findings of one file gather (`add`); a finding on a placeholder value is dropped
    unless it is `placeholder_rule`'s (DPR517 already covers it)."""

    def __init__(self, path: str, settings: Settings, *, placeholder_rule: str) -> None:
        self.path = path
        self.settings = settings
        self.placeholder_rule = placeholder_rule
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
        """A finding a rule's bound report made (its `at` is a YAML node): the only way in, so a check reports its
        own rule's code only."""
        self._record(finding.code, finding.at, finding.message, severity=finding.severity, detail=finding.detail)

    def _record(
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
        if code != self.placeholder_rule and id(node) in self.placeholder_nodes:
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


# What a walk found about a document for one rule: (node, message, detail), turned into a finding by that rule's
# check through its bound report (`judged`).
Verdict = tuple[Any, str, Optional[str]]


class Judge:
    """One rule as the walks over a document see it (`ResourceDocument.judge`): `judge(node, message, detail=...)`
    keeps a verdict for that rule, which its check reports through its bound report. The walk never names a rule
    code: it is handed the judges of the rules it decides for. The judge of a rule that is off for the file is
    muted: false, and keeps nothing, so a walk can skip what only that rule would read."""

    __slots__ = ("kept",)

    def __init__(self, kept: Optional[list[Verdict]]) -> None:
        self.kept = kept

    def __bool__(self) -> bool:
        return self.kept is not None

    def __call__(self, node: Optional[Node], message: str, *, detail: Optional[str] = None) -> None:
        if self.kept is not None and node is not None:
            self.kept.append((node, message, detail))


MUTED = Judge(None)


class Judges:
    """The judges of the shared walks over one document (its schema, its kind's own checks): `schema` (the schema
    rule: DPR501, DPR512 for a run template), `durations` (DPR502) and `kind`, the kind's own rule (DPR508,
    DPR511, DPR513, DPR512; MUTED for a kind with none); placeholders and where the file is deployed come from
    the document."""

    __slots__ = ("document", "schema", "durations", "kind")

    def __init__(
        self, document: "ResourceDocument", schema: Judge, durations: Judge = MUTED, kind: Judge = MUTED
    ) -> None:
        self.document = document
        self.schema = schema
        self.durations = durations
        self.kind = kind

    def __bool__(self) -> bool:
        """Whether any of the judges listens: a walk that only reports may be skipped when none does."""
        return self.schema.kept is not None or self.durations.kept is not None or self.kind.kept is not None

    def is_placeholder(self, node: Optional[Node]) -> bool:
        return self.document.is_placeholder(node)

    @property
    def kubernetes_file(self) -> bool:
        return self.document.kubernetes_file


RUN_TEMPLATE = "run template"
# The kind of a dapr.io document daprd skips (an unknown kind, a wrong apiVersion) or that has no schema yet:
# only what holds for any document (a placeholder) is reported on it.
UNCHECKED = ""


@dataclass
class ResourceFile:
    """The documents of one file, for the checks that read them together (two resources of one name, a policy
    of one Resiliency applied by another), and what each document's walk found about it, by document index:
    `facts` (kinds.common.ResourceFacts), `verdicts` (what the walks kept for each rule, by (index, code): the
    rule a value breaks, when a walk decides between rules), `placeholders` (placeholder values: (node, value))."""

    documents: list["ResourceDocument"] = field(default_factory=list)
    facts: dict[int, Any] = field(default_factory=dict)
    verdicts: dict[tuple[int, str], list[Verdict]] = field(default_factory=dict)
    placeholders: dict[int, list[tuple[Any, str]]] = field(default_factory=dict)
    policies: Any = None  # kinds.resiliency.ResiliencyPolicies of the file's Resiliency documents

    def earlier_facts(self, document: "ResourceDocument") -> list[Any]:
        """The facts of the resources before `document` in the file, in order."""
        return [self.facts[i] for i in range(document.index) if i in self.facts]

    def last_of(self, kind: str) -> Optional["ResourceDocument"]:
        return next((d for d in reversed(self.documents) if d.kind == kind), None)


@dataclass(frozen=True)
class ResourceDocument:
    """One document of a file, as a YAML rule's check reads it: a dapr.io resource that passed the kind and
    apiVersion checks (`kind` is its kind), a `dapr run -f` template (`kind` is RUN_TEMPLATE), or another dapr.io
    document (`kind` is UNCHECKED).

    A rule module registers `@rule(spec, stage="yaml")` on `def check(document, report) -> Iterator[Finding]`
    and yields `report(node, message)`; resources.FileCheck runs every enabled one on every document, once
    every document of the file was read (`file`)."""

    kind: str
    api_version: Optional[str]
    node: Node
    root: MappingView
    sink: FindingSink
    file: ResourceFile = field(default_factory=ResourceFile, compare=False)
    index: int = 0  # its place in `file.documents`

    def is_placeholder(self, node: Optional[Node]) -> bool:
        """A placeholder value (`<your-key>`): DPR517 reports it, no other rule does."""
        return self.sink.is_placeholder(node)

    @property
    def kubernetes_file(self) -> bool:
        """The file shows it is deployed to Kubernetes (its folder, or cluster-only text)."""
        return self.sink.kubernetes_file

    @property
    def facts(self) -> Any:
        """kinds.common.ResourceFacts of a resource its kind's walk describes (None: not one)."""
        return self.file.facts.get(self.index)

    def verdicts(self, code: str) -> list[Verdict]:
        """(node, message, detail) of what the walks over this document kept for rule `code` (and no other rule)."""
        return self.file.verdicts.get((self.index, code), [])

    def judge(self, spec: RuleSpec) -> Judge:
        """The judge of rule `spec` for a walk over this document; MUTED when the rule is off for the file."""
        if not self.sink.enabled(spec.code):
            return MUTED
        return Judge(self.file.verdicts.setdefault((self.index, spec.code), []))


def judged(document: ResourceDocument, report: Reporter) -> Iterator[Finding]:
    """The check of a rule whose findings a walk over the document made (its schema, its kind's own checks): each
    reported through the rule's bound `report`."""
    for node, message, detail in document.verdicts(report.code):
        yield report(node, message, detail=detail)
