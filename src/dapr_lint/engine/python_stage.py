"""The per-file stage for Python: text test, one parse, one model, the enabled rules, positions."""

from __future__ import annotations

import ast
import dataclasses
import re
import traceback
from typing import Optional

import libcst as cst

from dapr_lint import catalog, registry  # noqa: F401  (catalog: registers every rule before the first file)
from dapr_lint.diagnostics import Diagnostic, FileResult, Finding, InternalError, Related
from dapr_lint.python import bounds, gate, parsing, source, verify
from dapr_lint.python.model import ModuleModel
from dapr_lint.python.positions import positions
from dapr_lint.python.sdk_releases import unpinned
from dapr_lint.python.summary import PendingSummary, build_summary, text_summary
from dapr_lint.engine.demand import wants_summary
from dapr_lint.settings import Settings
from dapr_lint.summaries import ModuleSummary

# A module that mentions none of these cannot hold a Dapr client, handler or route: it is only checked
# for syntax (cheaply), never modelled.
_RELEVANT_MARKERS = (b"dapr", b"fastapi", b"flask", b"starlette")


def is_relevant(data: bytes) -> bool:
    return any(marker in data for marker in _RELEVANT_MARKERS)


# A module that adds routes to an app imported from another module need not import a framework itself;
# the project stage still wants its routes.
# A settings module holding component names (`STORE_NAME = os.getenv("STORE_NAME", "statestore")`) need not
# mention Dapr: the project stage resolves the names other modules import from it.
_CONSTANT_HINT = re.compile(rb"^[A-Z][A-Z0-9_]*\s*(?::\s*str\s*)?=\s*(?:os\.getenv\(|os\.environ\.get\(|[\"'])", re.M)
# A module with `async def` code may call a manager or helper of another module that blocks (DPR101 across
# modules) without naming Dapr itself.
_ASYNC_HINT = re.compile(rb"^[ \t]*async[ \t]+def[ \t]", re.M)
_ROUTE_HINT = re.compile(rb"@\w+\.(?:get|post|put|delete|patch|head|options|route|api_route)\(|\.add_api_route\(|\.add_url_rule\(|\.include_router\(|\.register_blueprint\(")


def analyze_python(
    path: str, data: bytes, settings: Settings, subscribers: tuple[str, ...] = (), defer: bool = False
) -> FileResult:
    """DPR001 exactly when CPython refuses the file (for the file's own grammar), else the rules' findings.

    In order: bytes CPython cannot decode; a tree too deep to analyse (bounds.py, before any parse); then
    CPython's `compile()` and LibCST's parse together (verify.py)."""
    result = FileResult(path)
    problem = source.problem_of(data)
    if problem is not None:
        if verify.compile_problem(data) is not None:
            result.diagnostics.append(_dpr001(path, problem.message, problem.line, problem.column))
            return result
        # compile() (and so `import`) accepts undecodable bytes inside comments; so do we
        data = source.lenient(data)
    relevant = is_relevant(data) or (
        wants_summary(settings) and (
            _ROUTE_HINT.search(data) is not None
            or _CONSTANT_HINT.search(data) is not None
            or _ASYNC_HINT.search(data) is not None
        )
    )
    if not relevant:
        compiled = verify.compile_problem(data)
        if compiled is None:
            if wants_summary(settings):
                # no Dapr or web code, but it can still set logging and tracing up for its app
                result.summary = text_summary(data)
            return result  # valid, and nothing in it for the rules
    text = data.decode("utf-8-sig", "replace")
    too_deep, depth = bounds.screen(text)
    if too_deep is not None:
        result.diagnostics.append(_dpr001(path, too_deep.message(), too_deep.line, too_deep.column))
        return result
    # `depth` may be the cheap bound, at least the scan's: enough recursion, never less
    with bounds.recursion_for(depth):
        parsed: Optional[ast.Module] = None  # CPython's tree of the file, if the gate made it
        if relevant and gate.enabled():
            # the first pass (python/gate.py): a file where no rule can fire and whose summary is simple is
            # never parsed with LibCST
            closed, parsed = gate.first_pass(
                data, subscribers, defer and wants_summary(settings), settings.sdk_at(path) or unpinned()
            )
            if closed is not None:
                result.summary = closed if wants_summary(settings) else None
                return result
        try:
            module = parsing.parse_module(data)
        except cst.ParserSyntaxError as exc:
            compiled = verify.compile_problem(data)
            if compiled is None:
                # CPython accepts what LibCST cannot parse: no DPR001 (the file is valid), but it is not analysed
                result.warnings.append(f"not analysed: LibCST cannot parse this valid file ({_libcst_message(exc)})")
            else:
                result.diagnostics.append(_dpr001(path, f"syntax error: {compiled.message}", compiled.line, compiled.column))
            return result
        except (RecursionError, MemoryError):
            scan = bounds.scan(text)  # where the deepest point is (the screen may have bounded it only)
            result.diagnostics.append(_dpr001(path, f"too deeply nested to analyse: depth {scan.depth} at line {scan.line}", scan.line, scan.column))
            return result
        # one CPython parse: the DPR001 verdict, and the statement lines positions are placed from
        tree = verify.compiled_tree(data, parsed)
        try:
            refused = verify.syntax_problem(data, module) if tree is None else None
        except (RecursionError, MemoryError):
            refused = None
        if refused is not None:
            result.diagnostics.append(_dpr001(path, f"syntax error: {refused.message}", refused.line, refused.column))
        if not relevant:
            return result
        findings, errors, summary = lint_module(module, path, settings, subscribers, text, tree)
    result.errors.extend(errors)
    result.diagnostics.extend(diagnostic for _, diagnostic in findings)
    result.summary = summary
    return result


def _dpr001(path: str, message: str, line: int, column: int) -> Diagnostic:
    return Diagnostic("DPR001", message, path, line, column, line, column)


def _libcst_message(exc: cst.ParserSyntaxError) -> str:
    message = exc.message.strip().splitlines()[0] if exc.message.strip() else "invalid syntax"
    return f"{message.removeprefix('parser error: ')} at line {max(exc.raw_line, 1)}"


def lint_module(
    module: cst.Module,
    path: str,
    settings: Settings,
    subscribers: tuple[str, ...] = (),
    source: Optional[str] = None,
    tree: Optional[ast.Module] = None,
) -> tuple[list[tuple[Finding, Diagnostic]], list[InternalError], Optional[ModuleSummary]]:
    """Model a parsed module once, run the enabled rules, build the project summary when a project rule
    wants it, and position what they report in one pass (`source`: the text parsed, which spares generating
    the module's code to place them: python/positions.py; `tree`: CPython's `ast` of it, if parsed already).

    A finding carries a fix only when its rule decided there is one (registry.Reporter drops a Fix without an
    edit builder): "fixable" in the output always means `--fix` (or `--unsafe-fixes`) can do it. The edits are
    not built here: the Diagnostic keeps the title and safety, the Finding the builder (Fix.edits)."""
    errors: list[InternalError] = []
    try:
        model = ModuleModel.build(module, settings.options, settings.sdk_at(path), subscribers)
    except Exception as exc:  # a bug of ours: report it, keep the other files' results
        return [], [_internal(path, "the analysis model", exc)], None

    reports: list[Finding] = []
    for code, check in registry.checks("python").items():
        if not settings.is_enabled(code):
            continue
        try:
            reports.extend(check(model, registry.reporter(code)))
        except Exception as exc:
            errors.append(_internal(path, f"rule {code}", exc))
    pending: Optional[PendingSummary] = None
    if wants_summary(settings):
        try:
            pending = build_summary(model)
        except Exception as exc:
            errors.append(_internal(path, "the project summary", exc))
    nodes = pending.nodes if pending is not None else []
    if not reports and not nodes:
        return [], errors, pending.finish({}) if pending is not None else None
    regions = model.expectations if reports else []
    try:
        # one position pass for the findings, the summary items and the code expecting a failure together
        related_nodes = [node for r in reports for node, _message in r.related]
        # the statement line the model saw each call in: most reported nodes are calls, their statement known
        statements = {id(site.node): site.statement for site in model.calls if site.statement is not None}
        spans = positions(
            module,
            [r.node for r in reports] + related_nodes + nodes + [node for node, _kind in regions],
            source,
            tree,
            statements=statements,
        )
    except Exception as exc:
        return [], [*errors, _internal(path, "positions", exc)], None
    summary = pending.finish(spans) if pending is not None else None
    if regions:
        reports = _expected_failures_removed(reports, regions, spans)
    findings: list[tuple[Finding, Diagnostic]] = []
    seen: set[tuple] = set()
    for report in reports:
        line, column, end_line, end_column = spans.get(id(report.node), (1, 1, 1, 1))
        key = (report.code, line, column, report.message)
        if key in seen:
            continue
        seen.add(key)
        fix = report.fix.without_edits() if report.fix is not None else None
        related = tuple(
            Related(path, *spans[id(node)], message) for node, message in report.related if id(node) in spans
        )
        diagnostic = Diagnostic(
            report.code, report.message, path, line, column, end_line, end_column, fix, report.severity, report.detail, related
        )
        findings.append((report, diagnostic))
    return findings, errors, summary


def _predictions(report: Finding) -> tuple[str, ...]:
    """What a finding predicts when the code runs: its own declaration, else its rule's (RuleSpec.predicts)."""
    if report.predicts is not None:
        return report.predicts
    found = _PREDICTS.get(report.code)
    if found is None:
        try:
            default = registry.get(report.code).predicts
        except KeyError:
            default = None
        found = _PREDICTS[report.code] = (default,) if default is not None else ()
    return found


_PREDICTS: dict[str, tuple[str, ...]] = {}
# the kind of expectation region (model.expectations) that tests each prediction
_EXPECTED_BY = {"raises": "exception", "warns": "warning"}


def _expected_failures_removed(reports: list[Finding], regions, spans) -> list[Finding]:
    """Drop the findings a test expects (what the finding predicts: Finding.predicts, else RuleSpec.predicts);
    any other finding inside such code keeps its message but loses its fix: code written to fail is never
    rewritten."""
    boxes = [(spans[id(node)], kind) for node, kind in regions if id(node) in spans]
    kept: list[Finding] = []
    for report in reports:
        span = spans.get(id(report.node))
        inside = [kind for box, kind in boxes if span is not None and _within(span, box)]
        if not inside:
            kept.append(report)
            continue
        predicted = _predictions(report)
        if any(_EXPECTED_BY.get(kind) in predicted for kind in inside):
            continue
        kept.append(dataclasses.replace(report, fix=None))
    return kept


def _within(span: tuple[int, int, int, int], box: tuple[int, int, int, int]) -> bool:
    return (box[0], box[1]) <= (span[0], span[1]) and (span[2], span[3]) <= (box[2], box[3])


def _internal(path: str, where: str, exc: BaseException) -> InternalError:
    return InternalError(path, where, f"{type(exc).__name__}: {exc}", traceback.format_exc())
