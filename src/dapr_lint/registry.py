"""The one registry of rules: every code dapr-lint can report, with its spec (category, default, fix safety,
examples) and the checks that report it, per stage.

A rule registers where its check is (`@rule(spec)` on the check function); the check receives a `Reporter`
bound to its code, so it cannot report another rule's code, and whose fixes get their safety from the spec.
This module imports no rule module (the rule modules import it): `import dapr_lint.catalog` imports them all;
code that selects, lists or reports rules asks specs.py, which also takes the specs a cache saved (`preload`)
without importing them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Literal, Optional

from dapr_lint.diagnostics import Category, Finding, Fix, FixSafety, Prediction, Severity
from dapr_lint.examples import Example, invalid, page, valid  # noqa: F401  (rule modules take them from here)

_SEVERITY_BY_CATEGORY: dict[str, Severity] = {
    "bug": "error",
    "practice": "warning",
    "opinion": "info",
    "tool": "error",
}


@dataclass(frozen=True)
class RuleSpec:
    code: str
    name: str
    category: Category
    summary: str
    # "python", "yaml", "project" or "dependencies": which stage runs the rule.
    target: str
    # A finding predicts that the code raises ("exception") or warns ("warning") when it runs: code that expects
    # that failure (`pytest.raises`, `assertWarns`) is testing it, and gets no finding of this rule there. The
    # default of the rule's findings: a finding may say otherwise (Finding.predicts).
    predicts: Optional[Prediction] = None
    fix_safety: Optional[FixSafety] = None
    fix_description: str = ""
    # When the fix covers only some findings: which (the page's header says `Fix: safe <note>`).
    fix_note: str = ""
    # A lifecycle or hygiene rule: off in test code (`test-paths`: a client per test, no health route, print);
    # the bug rules stay on there.
    off_in_test_code: bool = False
    # A per-file rule whose findings change when a route turns out to receive events (a declarative Subscription
    # of the app, a `GET /dapr/subscribe` in another module, a router prefix): only the project stage sees those
    # facts, so it checks such a file again, telling the model which route functions are subscribers.
    reads_subscribers: bool = False
    # A per-file rule with a project-stage check too (DPR101 across modules, DPR512 on two apps serving one
    # appPort): it reads the run's summaries.
    across_modules: bool = False
    # Its project-stage check reads the summaries' async calls (DPR101): the first pass may leave those out of a
    # file's summary (ModuleSummary.async_calls_deferred), and the project stage then reads them where it may fire.
    reads_async_calls: bool = False
    # A project rule reading files beside the run's own (Dockerfile, Procfile, run scripts): a cached project
    # result is reused only when those did not change either.
    reads_run_files: bool = False
    # What the rule's page shows under Example (invalid) and Use instead (valid); not part of its identity.
    examples: tuple[Example, ...] = field(default=(), compare=False)
    # The page's written sections, (title, markdown) in order (`page(...)`), What it does and Why is this bad?
    # first: every rule's whole page is generated from its spec (scripts/gen_rule_docs.py), Example and Use
    # instead after "Why is this bad?". Not part of its identity either.
    prose: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @property
    def needs_summaries(self) -> bool:
        """Whether the per-file stage must build summaries (the project stage's input) for this rule."""
        return self.target == "project" or self.reads_subscribers or self.across_modules

    @property
    def default_enabled(self) -> bool:
        return self.category != "opinion"

    @property
    def severity(self) -> Severity:
        return _SEVERITY_BY_CATEGORY[self.category]

    @property
    def fix_label(self) -> str:
        return self.fix_safety or "none"


_RULES: dict[str, RuleSpec] = {}
# all_rules()'s answer, with the identities of the specs it was sorted from
_SORTED: Optional[tuple[list[int], list[RuleSpec]]] = None


def register(spec: RuleSpec) -> RuleSpec:
    if spec.code in _RULES and _RULES[spec.code] != spec:
        raise ValueError(f"rule code {spec.code} registered twice")
    _RULES[spec.code] = spec
    return spec


# -- checks: the code that reports a rule, per stage ---------------------------------------------------------

# "python": `check(model, report)` per parsed module (engine/python_stage.py); "project": `check(project, settings,
# report)` once per run over the summaries (dapr_lint.project); "yaml": resource files; "dependencies":
# `check(file, report)` per dependency file (dapr_lint.python.dependencies.DependencyFile), reporting at Locations.
Stage = Literal["python", "project", "yaml", "dependencies"]


class Reporter:
    """A rule's bound `report(at, message, fix=None, *, severity=None, predicts=None, detail=None, related=())
    -> Finding`: the code is the
    rule's, and a fix's safety is the spec's (`RuleSpec.fix_safety`), or narrower (`Fix(..., safety="unsafe")`
    where the spec says "safe": a rule mixing safe and unsafe fixes declares the most permissive). A fix on a rule
    whose spec has none, or wider than the spec, is a bug of the rule: ValueError. A Fix with no edit builder is
    dropped; the builder itself is never called here (Fix.edits(): only what applies a fix builds its edits)."""

    __slots__ = ("code", "spec")

    def __init__(self, spec: RuleSpec) -> None:
        self.code = spec.code
        self.spec = spec

    def __call__(
        self,
        at: Any,
        message: str,
        fix: Optional[Fix] = None,
        *,
        severity: Optional[Severity] = None,
        predicts: Optional[tuple[Prediction, ...]] = None,
        detail: Optional[str] = None,
        related: Iterable[tuple[Any, str]] = (),
    ) -> Finding:
        """`predicts`: what this finding predicts when it differs from the spec's `predicts` (Finding.predicts);
        `detail`: the evidence and the remedy (the message says what is wrong and what happens, ≤ 120
        characters); `related`: (at, message) of the other places of the same defect."""
        if fix is not None:
            fix = self._resolved(fix) if fix.build is not None else None
        return Finding(self.code, at, message, fix, severity, predicts, detail, tuple(related))

    def _resolved(self, fix: Fix) -> Fix:
        declared = self.spec.fix_safety
        if declared is None:
            raise ValueError(f"{self.code} reports a fix, but its RuleSpec declares no fix_safety")
        if not callable(fix.build):  # an edit passed where its builder belongs (the eager form of old)
            raise ValueError(f"{self.code}: a Fix takes what builds its edits (a callable), not {type(fix.build).__name__}")
        if fix.safety is None:
            return Fix(fix.title, fix.build, safety=declared)
        if fix.safety != declared and declared != "safe":
            raise ValueError(f"{self.code}: a {fix.safety} fix is wider than its RuleSpec's fix_safety ({declared})")
        return fix


_CHECKS: dict[str, dict[str, Callable[..., Iterable[Finding]]]] = {"python": {}, "project": {}, "yaml": {}, "dependencies": {}}
_REPORTERS: dict[str, Reporter] = {}


def rule(spec: RuleSpec, stage: Optional[Stage] = None) -> Callable[[Callable], Callable]:
    """Register a rule and its check (decorator): `stage` defaults to the spec's target."""
    register(spec)
    where = stage or spec.target

    def decorate(func: Callable) -> Callable:
        _add_check(spec.code, where, func)
        return func

    return decorate


def check(code: str, stage: Stage) -> Callable[[Callable], Callable]:
    """Register another check of a registered rule, in another stage (DPR101's project-stage part). The
    rule's spec must be registered first (by the module itself, before this decorator runs)."""

    if stage == "project" and not _RULES[code].needs_summaries:
        raise ValueError(f"{code}: a project-stage check needs `across_modules=True` on its RuleSpec")

    def decorate(func: Callable) -> Callable:
        _add_check(code, stage, func)
        return func

    return decorate


def _add_check(code: str, stage: str, func: Callable) -> None:
    if stage not in _CHECKS:
        raise ValueError(f"{code}: unknown stage {stage!r}")
    if code in _CHECKS[stage] and _CHECKS[stage][code] is not func:
        raise ValueError(f"{code}: two {stage} checks")
    _CHECKS[stage][code] = func


def checks(stage: Stage) -> dict[str, Callable[..., Iterable[Finding]]]:
    """code -> check of one stage, for the rule modules imported so far (import dapr_lint.catalog for all);
    the dict is live (tests may patch it)."""
    return _CHECKS[stage]


def reporter(code: str) -> Reporter:
    """The bound `report` of a registered rule (one per code, made once)."""
    found = _REPORTERS.get(code)
    if found is None or found.spec is not _RULES[code]:
        found = _REPORTERS[code] = Reporter(_RULES[code])
    return found


def get(code: str) -> RuleSpec:
    return _RULES[code]


def all_rules() -> list[RuleSpec]:
    """The specs registered so far (every rule once dapr_lint.catalog is imported or a saved catalog was preloaded),
    by code. (Kept sorted while the table is unchanged: the file stage asks for them several times a file.)"""
    global _SORTED
    identities = list(map(id, _RULES.values()))
    if _SORTED is None or _SORTED[0] != identities:
        _SORTED = (identities, sorted(_RULES.values(), key=lambda r: r.code))
    return list(_SORTED[1])


def codes() -> list[str]:
    return [r.code for r in all_rules()]


def by_name(name: str) -> Optional[RuleSpec]:
    for rule in all_rules():
        if rule.name == name:
            return rule
    return None


# Every rule module is imported (`import dapr_lint.catalog`).
_loaded = False
_preloaded = False


def preload(specs: Iterable[RuleSpec]) -> bool:
    """The catalog as an earlier run of the same code saved it (the result cache): the CLI can then select
    and report without importing the rule modules. Importing them later registers the same specs."""
    global _preloaded
    if _loaded:
        return False
    for spec in specs:
        _RULES.setdefault(spec.code, spec)
    _preloaded = True
    return True


def preloaded() -> bool:
    """Whether a saved catalog was preloaded (every spec is registered, the rule modules maybe not imported)."""
    return _preloaded



def fully_loaded() -> bool:
    """Whether every rule module is imported (the catalog is the code's, not a saved copy)."""
    return _loaded


def mark_complete() -> None:
    """Importing dapr_lint.catalog imported every rule module: every rule is registered from its code."""
    global _loaded
    _loaded = True


def matching(selector: str, universe: Iterable[str]) -> list[str]:
    """Codes a selector names: `ALL`, a full code, or a code prefix such as `DPR1`."""
    selector = selector.strip().upper()
    if selector == "ALL":
        return list(universe)
    return [c for c in universe if c.startswith(selector)]


DPR001 = register(
    RuleSpec(
        code="DPR001",
        name="parse-error",
        category="bug",
        summary="The file could not be parsed (Python syntax error, invalid YAML).",
        target="any",
        prose=page(
            (
                "What it does",
                r"""
                Reports a file that dapr-lint selected for checking but could not parse:

                - a Python file with a syntax error;
                - a Dapr resource file (component, resiliency, subscription, configuration, HTTP endpoint, or a `dapr.yaml` run
                  template) that is not valid YAML.

                The finding points at the line and column where parsing stopped and carries the parser's message. dapr-lint never
                crashes on a bad file: it reports DPR001 for it and goes on with the rest.

                YAML files that are not Dapr resources (Kubernetes manifests, Helm templates, CI files) are skipped without a report.

                ### When a Python file is reported

                Exactly when CPython's `compile()` refuses it, for the file's own syntax:

                - bytes Python cannot read: invalid UTF-8 (the message names the byte, the position is where decoding failed), an
                  unknown or contradictory coding cookie (`# -*- coding: utf-t -*-`, a UTF-8 byte-order mark with another
                  cookie), UTF-16 or UTF-32 text (with or without a byte-order mark), NUL bytes, a binary file named `.py`;
                - a syntax error, with CPython's message and position;
                - what `compile()` refuses after parsing: `return`, `yield` or `await` outside a function, `await` in a
                  non-async function or in a class body inside an `async def`, `yield` in a comprehension, `return` with a value
                  in an `async def` that also yields, `yield from` in an `async def`, `break`/`continue` outside a loop,
                  `nonlocal` at module level, invalid `\x`/`\N` escapes.

                dapr-lint may run on an older Python than the code it checks. Code using newer grammar (3.12 f-strings that reuse
                their quotes, `type` aliases and type parameters, 3.14 template strings) is not reported: LibCST parses it, and
                checks of the errors above on the LibCST tree stand in for `compile()`. Undecodable bytes inside comments are
                not reported either: `compile()` (and `import`) accepts them.

                ### Too deeply nested to analyse

                Before parsing, a linear scan of the text estimates how deep the syntax tree will be: 3 levels per open bracket,
                1 per operator, attribute dot, `not`, `lambda`, `await`, conditional `if`/`else` or implicitly concatenated
                string since the last comma at that bracket level, 2 per enclosing block and 1 per enclosing `elif`. A file over
                the bound gets one finding, `too deeply nested to analyse: depth N at line L`, and is never parsed:

                | bound | value | why |
                |---|---|---|
                | nested brackets | 200 | CPython's own limit (`too many nested parentheses`); LibCST's parse of 200 nested calls already takes 0.2 s and 112 MB, of 1,000 nested calls 9.6 s and 2.2 GB |
                | estimated tree depth | 1,000 | the deepest code in the 2,982 files of a virtual environment (pip, setuptools, pygments, pydantic, libcst...) reaches 66; at 1,000 levels LibCST parses the costliest shape (nested lambdas) in 0.23 s and 216 MB, `+`/`.`/`not`/`elif` chains in 0.1-0.4 s and under 90 MB, where 3,000 levels take 1-6 s and up to 1.7 GB; CPython's compiler itself fails on such chains near 3,000 |

                Measured with LibCST 1.9 on CPython 3.11 (`python -c` over generated shapes, time and `ru_maxrss`). The scan runs
                at about 7 MB/s, a few percent of a LibCST parse (it is a single regular-expression pass; the standard
                `tokenize` module ran at 2 MB/s). Most files never need it: an over-estimate of the same two figures, computed
                by a few passes over the whole text (about 45 MB/s), places them well within the bounds, and only a file it
                cannot place is scanned. Deep code within the bound is analysed in full: the model's walk is iterative, and
                LibCST's own recursive code (positions, fixes) gets a recursion limit sized from the estimated depth.

                ### YAML bounds

                At most 1,000,000 bytes per file (which bounds every scalar), 1,000 documents, 64 levels of nesting (counting
                the nesting an alias stands for), 100,000 nodes once every alias is expanded; a CEL expression (`trip`,
                `match`) may nest 50 levels (the CEL specification asks for at least 12). NUL and other control characters
                are reported at their line and column. YAML in UTF-16 or UTF-32 with a byte-order mark (which YAML allows) is
                read. A file holding Go template expressions (`{{ ... }}`, Helm) is skipped, found in linear time.
                """,
            ),
            (
                "Why is this bad?",
                """
                No other rule can look inside a file that does not parse, so a clean run says nothing about it. The file is usually
                broken at runtime too:

                - a Python module with a syntax error stops the service from starting, or fails the first import that reaches it;
                - daprd treats a resource file it cannot decode as a warning and starts without that resource. The component, policy
                  or subscription in it is simply missing, and the first call that needs it fails (a state store call, for example,
                  reports that the store is not found), far from the real cause.
                """,
            ),
            (
                "Fix safety",
                """
                There is no automatic fix. If the file is meant to be broken (a test fixture, for example), leave it out of the run
                with `extend-exclude`, turn the code off for it with `per-file-ignores`, or put `# dapr-lint: skip-file` in its first
                20 lines (the marker is read from the text, so it works in a file that does not parse); see
                [the configuration](../config.md).

                DPR001 stays on even when `select` names other rules only: a file that cannot be checked is always worth knowing
                about. Only ignoring it explicitly (`ignore = ["DPR001"]`, or the prefix `DPR0`) turns it off.
                """,
            ),
            (
                "References",
                """
                - YAML 1.2 specification: https://yaml.org/spec/1.2.2/
                - Dapr Python SDK: https://docs.dapr.io/developing-applications/sdks/python/
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
                   - name: actorStateStore   # DPR001: the list item is indented one space too far
                    value: "true"
                """,
                "yaml",
            ),
            invalid(
                """
                @app.get("/orders/{order_id}")
                async def get_order(order_id: str) -> dict
                    ...  # DPR001: the `def` line is missing its colon
                """,
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
                  - name: actorStateStore
                    value: "true"
                """,
                "yaml",
            ),
            valid(
                """
                @app.get("/orders/{order_id}")
                async def get_order(order_id: str) -> dict:
                    ...
                """,
            ),
        ),
    )
)
