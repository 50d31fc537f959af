"""Resiliency: schema, reserved policy names and rules DPR502-DPR504, DPR508."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator, Optional

from yaml.nodes import Node

from dapr_lint.diagnostics import Finding
from dapr_lint.registry import Reporter, RuleSpec, check, invalid, page, register, valid
from dapr_lint.resources.findings import Judge, Judges, ResourceDocument, judged
from dapr_lint.resources.kinds.common import SCOPES, ResourceFacts, resource_schema, scopes_of
from dapr_lint.resources.nodes import MappingView, int_value, string_value, text
from dapr_lint.resources.schema import Field, Schema, did_you_mean

POLICY_KINDS: tuple[tuple[str, str], ...] = (
    ("timeouts", "Timeout"),
    ("retries", "Retry"),
    ("circuitBreakers", "CircuitBreaker"),
)
_SECTION_OF_KIND = {kind: section for section, kind in POLICY_KINDS}
_REFERENCE_KEYS = {"timeout": "timeouts", "retry": "retries", "circuitBreaker": "circuitBreakers"}

_COMPONENT_TYPES = ("Binding", "Configuration", "Lock", "Pubsub", "Crypto", "Conversation", "Secretstore", "Statestore")
# daprd looks inbound component policies up only for these types.
_INBOUND_TYPES = ("Binding", "Pubsub", "Configuration")


def _reserved_names() -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """(names daprd looks up -> policy kind, names that look reserved but are never looked up -> (why, detail))."""
    live: dict[str, str] = {}
    dead: dict[str, tuple[str, str]] = {}
    for _, k in POLICY_KINDS:
        for level in ("", "App", "Actor", "Component", "ComponentInbound", "ComponentOutbound"):
            live[f"Default{level}{k}Policy"] = k
        for t in _COMPONENT_TYPES:
            live[f"Default{t}ComponentOutbound{k}Policy"] = k
            dead[f"Default{t}Component{k}Policy"] = (
                "daprd never looks this name up",
                f"A `<Type>Component` name without `Inbound`/`Outbound` is never looked up. Use "
                f"`Default{t}ComponentOutbound{k}Policy`.",
            )
            if t in _INBOUND_TYPES:
                live[f"Default{t}ComponentInbound{k}Policy"] = k
            else:
                dead[f"Default{t}ComponentInbound{k}Policy"] = (
                    f"{t.lower()} components have no inbound policies",
                    f"daprd never looks up inbound policies for {t.lower()} components.",
                )
    return live, dead


RESERVED_DEFAULT_POLICIES, DEAD_DEFAULT_POLICIES = _reserved_names()
# Built-in retry policies a Resiliency may override (retries only).
BUILTIN_RETRY_POLICIES: frozenset[str] = frozenset(
    {
        "DaprBuiltInServiceRetries",
        "DaprBuiltInActorRetries",
        "DaprBuiltInActorReminderRetries",
        "DaprBuiltInInitializationRetries",
        "DaprBuiltInActorNotFoundRetries",
    }
)
PROTECTED_BUILTIN_RETRY_POLICIES: frozenset[str] = frozenset({"DaprBuiltInActorNotFoundRetries"})

_FAILS = "the whole resiliency resource fails to load"

RETRY_POLICY = Schema(
    (
        Field(
            "policy",
            "str",
            allowed=("constant", "exponential"),
            allowed_ignore_case=True,
            consequence=_FAILS,
            kind_rule=True,
        ),
        Field("duration", "duration", durations="go-or-ms", consequence=_FAILS),
        Field("maxInterval", "duration", durations="go-or-ms", consequence=_FAILS),
        Field("maxRetries", "int"),
        Field(
            "matching",
            "object",
            fields=Schema((Field("httpStatusCodes", "str"), Field("gRPCStatusCodes", "str"))),
        ),
    ),
    hints={
        name: f"`{name}` cannot be set in a Resiliency: Dapr ignores it (retries start at 500ms, ×1.5, stop at 15m)"
        for name in ("initialInterval", "multiplier", "maxElapsedTime", "randomizationFactor")
    },
)

CIRCUIT_BREAKER_POLICY = Schema(
    (
        Field("maxRequests", "int"),
        Field("interval", "duration", durations="go-or-ms", consequence=_FAILS),
        Field("timeout", "duration", durations="go-or-ms", consequence=_FAILS),
        Field("trip", "str"),
    )
)

_POLICY_NAMES = (Field("timeout", "str"), Field("retry", "str"), Field("circuitBreaker", "str"))

RESILIENCY_SPEC = Schema(
    (
        Field(
            "policies",
            "object",
            fields=Schema(
                (
                    Field("timeouts", "map", values=Field("", "duration", durations="go-or-ms", consequence=_FAILS)),
                    Field("retries", "map", values=Field("", "object", fields=RETRY_POLICY)),
                    Field("circuitBreakers", "map", values=Field("", "object", fields=CIRCUIT_BREAKER_POLICY)),
                )
            ),
        ),
        Field(
            "targets",
            "object",
            fields=Schema(
                (
                    Field(
                        "apps",
                        "map",
                        values=Field("", "object", fields=Schema(_POLICY_NAMES + (Field("circuitBreakerCacheSize", "int"),))),
                    ),
                    Field(
                        "actors",
                        "map",
                        values=Field(
                            "",
                            "object",
                            fields=Schema(
                                _POLICY_NAMES
                                + (
                                    Field(
                                        "circuitBreakerScope",
                                        "str",
                                        allowed=("id", "type", "both"),
                                        allowed_ignore_case=True,
                                        consequence=_FAILS,
                                        kind_rule=True,
                                    ),
                                    Field("circuitBreakerCacheSize", "int"),
                                )
                            ),
                        ),
                    ),
                    Field(
                        "components",
                        "map",
                        values=Field(
                            "",
                            "object",
                            fields=Schema(
                                (
                                    Field("inbound", "object", fields=Schema(_POLICY_NAMES)),
                                    Field("outbound", "object", fields=Schema(_POLICY_NAMES)),
                                ),
                                handled_keys=("timeout", "retry", "circuitBreaker"),
                            ),
                        ),
                    ),
                )
            ),
        ),
    )
)

RESILIENCY_SCHEMA = resource_schema(RESILIENCY_SPEC, extra=(SCOPES,))


@dataclass
class PolicyReference:
    section: str  # timeouts / retries / circuitBreakers
    name: str
    node: Node
    target: str  # "apps", "actors", "components"


@dataclass
class ResiliencyPolicies:
    """Named policies and target references of one file's Resiliency resources (they merge at runtime)."""

    defined: dict[str, dict[str, Node]] = field(default_factory=lambda: {s: {} for s, _ in POLICY_KINDS})
    references: list[PolicyReference] = field(default_factory=list)


def check_resiliency(judges: Judges, root: MappingView, policies: ResiliencyPolicies) -> ResourceFacts:
    """Collects the file's policies and references (DPR503, DPR504 judge them with the whole file); what the
    Resiliency's own rule says (`judges.kind`, skipped when it is off); its facts."""
    judge = judges.kind
    spec = root.view("spec", nocase=True)
    policy_view = spec.view("policies", nocase=True)
    for section, _ in POLICY_KINDS:
        for name, key_node, value_node in policy_view.view(section, nocase=True):
            policies.defined[section].setdefault(name, key_node)
            if section == "retries" and judge:
                _check_retry(judge, judges, name, key_node, value_node)
    targets = spec.view("targets", nocase=True)
    for target in ("apps", "actors"):
        for _, _, entry_node in targets.view(target, nocase=True):
            entry = MappingView(entry_node)
            for key, section in _REFERENCE_KEYS.items():
                _collect_reference(policies, entry.get_nocase(key), section, target)
            if target == "actors" and judge:
                _check_actor_scope(judge, entry)
    for component, _, entry_node in targets.view("components", nocase=True):
        entry = MappingView(entry_node)
        for key, key_node, _ in entry:
            if key in _REFERENCE_KEYS:
                judge(
                    key_node,
                    f"component target `{component}`: `{key}` outside `inbound:`/`outbound:` is dropped",
                    detail=(
                        f"`{key}` must sit under `inbound:` or `outbound:`; here Dapr drops it, and the empty target "
                        "still turns the default policies off for this component."
                    ),
                )
        for direction in ("inbound", "outbound"):
            names = entry.view(direction, nocase=True)
            for key, section in _REFERENCE_KEYS.items():
                _collect_reference(policies, names.get_nocase(key), section, "components")
    name_node = root.view("metadata").get("name")
    return ResourceFacts("Resiliency", text(name_node), name_node, None, scopes_of(root))


def _collect_reference(policies: ResiliencyPolicies, node: Optional[Node], section: str, target: str) -> None:
    name = text(node)
    if node is not None and name:
        policies.references.append(PolicyReference(section, name, node, target))


def _check_actor_scope(judge: Judge, entry: MappingView) -> None:
    breaker_key = entry.key_nocase("circuitBreaker")
    if breaker_key is None or not text(entry.get_nocase("circuitBreaker")):
        return
    if entry.get_nocase("circuitBreakerScope") is None:
        judge(
            breaker_key,
            "an actor circuit breaker without `circuitBreakerScope`: the resiliency resource fails to load",
            detail="Set `circuitBreakerScope` to `id`, `type` or `both`.",
        )


def _check_retry(judge: Judge, judges: Judges, name: str, key_node: Node, value_node: Node) -> None:
    retry = MappingView(value_node)
    if not retry:
        return
    policy = (string_value(retry.get_nocase("policy")) or "constant").lower()
    if policy == "constant" and retry.key_nocase("maxInterval") is not None:
        judge(retry.key_nocase("maxInterval"), "`maxInterval` has no effect on a constant retry policy")
    if policy == "exponential" and retry.key_nocase("duration") is not None:
        judge(
            retry.key_nocase("duration"),
            "`duration` has no effect on an exponential retry policy (it starts at 500ms; use `maxInterval` for the cap)",
        )
    max_retries_node = retry.get_nocase("maxRetries")
    max_retries = int_value(max_retries_node)
    if max_retries_node is not None and max_retries is not None and max_retries < -1:
        judge(max_retries_node, f"`maxRetries: {max_retries}` is invalid: use -1 (retry forever), 0 or more")
    if name in PROTECTED_BUILTIN_RETRY_POLICIES:
        judge(key_node, f"`{name}` is protected: Dapr ignores this override")
    elif name in BUILTIN_RETRY_POLICIES and max_retries is not None and 0 <= max_retries < 3:
        judge(
            max_retries_node if max_retries_node is not None else key_node,
            f"an override of `{name}` needs at least 3 retries: Dapr resets `maxRetries: {max_retries}` to 3",
        )
    matching = retry.view("matching", nocase=True)
    for key, low, high in (("httpStatusCodes", 100, 599), ("gRPCStatusCodes", 0, 16)):
        node = matching.get_nocase(key)
        value = string_value(node)
        if node is None or value is None or judges.is_placeholder(node):
            continue
        problem = status_code_problem(value, low, high)
        if problem:
            judge(node, f"`{key}`: {problem}; the resiliency resource fails to load")


def status_code_problem(value: str, low: int, high: int) -> Optional[str]:
    """Why a comma list of codes and `a-b` ranges is invalid for the range low..high, or None."""
    for raw in value.split(","):
        part = raw.strip()
        if not part:
            continue
        bounds = part.split("-")
        if len(bounds) > 2:
            return f"`{part}` has more than one `-`"
        try:
            numbers = [int(b.strip()) for b in bounds]
        except ValueError:
            return f"`{part}` is not a status code or a range"
        for n in numbers:
            if not low <= n <= high:
                return f"`{n}` is outside {low}-{high}"
        if len(numbers) == 2 and numbers[0] > numbers[1]:
            return f"range `{part}` starts after it ends"
    return None


def unused_policies(policies: ResiliencyPolicies) -> Iterator[tuple[Node, str, Optional[str]]]:
    """(key node, message, detail) of the named policies of a file nothing applies (DPR503)."""
    referenced = {(ref.section, ref.name) for ref in policies.references}
    for section, kind in POLICY_KINDS:
        for name, key_node in policies.defined[section].items():
            if (section, name) in referenced:
                continue
            if RESERVED_DEFAULT_POLICIES.get(name) == kind:
                continue
            if section == "retries" and name in BUILTIN_RETRY_POLICIES:
                continue
            message, detail = _unused_message(section, kind, name)
            yield key_node, message, detail


def undefined_references(policies: ResiliencyPolicies) -> Iterator[tuple[Node, str, Optional[str]]]:
    """(node, message, detail) of the references of a file's targets to policies it does not define (DPR504)."""
    for ref in policies.references:
        defined = policies.defined[ref.section]
        if ref.name in defined or (ref.section == "retries" and ref.name in BUILTIN_RETRY_POLICIES):
            continue
        kind_label = {"timeouts": "timeout", "retries": "retry", "circuitBreakers": "circuit breaker"}[ref.section]
        message = f"`{ref.name}` is not defined under `policies.{ref.section}`: no {kind_label} policy applies"
        details = []
        if ref.section == "circuitBreakers" and ref.target == "components":
            details.append("For a component target daprd dereferences the missing breaker on the first call.")
        guess = did_you_mean(ref.name, list(defined))
        if guess:
            message += f"; did you mean `{guess}`?"
        yield ref.node, message, " ".join(details) or None


_DEFAULT_LIKE = re.compile(r"default[-_]?(policy|retry|retries|timeout|timeouts|circuit[-_]?breakers?|cb)?", re.IGNORECASE)


def _unused_message(section: str, kind: str, name: str) -> tuple[str, Optional[str]]:
    """(message, detail) of a policy nothing applies."""
    base = f"policy `{name}` is never applied"
    wanted = f"Default{kind}Policy"
    other_kind = RESERVED_DEFAULT_POLICIES.get(name)
    if other_kind is not None:
        return (
            f"{base}: it is a reserved {_SECTION_OF_KIND[other_kind]} name under `{section}`",
            f"daprd looks `{section}` up as `{name.replace(other_kind + 'Policy', kind + 'Policy')}`.",
        )
    if name in DEAD_DEFAULT_POLICIES:
        why, detail = DEAD_DEFAULT_POLICIES[name]
        return f"{base}: {why}", detail
    for reserved, reserved_kind in RESERVED_DEFAULT_POLICIES.items():
        if reserved_kind == kind and reserved.lower() == name.lower():
            return f"{base}: reserved names are case-sensitive; did you mean `{reserved}`?", None
    if _DEFAULT_LIKE.fullmatch(name):
        return (
            f"{base}: not a reserved default name, and no target references it",
            f"Did you mean `{wanted}`?",
        )
    return (
        f"{base}: no target references it",
        f"`{name}` is not a reserved default name such as `{wanted}`.",
    )


# -- the rules this module checks (spec and the examples its page shows) ------------------------------

DPR503 = register(
    RuleSpec(
        code="DPR503",
        name="unused-resiliency-policy",
        category="bug",
        summary=(
            "A named resiliency policy that no target references and whose name is not a reserved default."
        ),
        target="yaml",
        prose=page(
            (
                "What it does",
                """
                Flags a named resiliency policy that no target references and whose name is not a reserved default policy name for its section (`DefaultRetryPolicy`, `DefaultTimeoutPolicy`, `DefaultCircuitBreakerPolicy` and their `App`/`Actor`/`Component...` forms, case-sensitive), nor a `DaprBuiltIn*` retry override. Reserved-looking names that daprd never looks up (a `<Type>Component` name without `Inbound`/`Outbound`, inbound names for state stores) are flagged too. References are collected per file.
                """,
            ),
            (
                "Why is this bad?",
                """
                Named policies are reached only through `targets` or through the reserved default names. Anything else is never applied, and Dapr says nothing: a policy named `default` protects nothing.
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
                    retries:
                      default:
                        policy: exponential
                        maxRetries: 10
                  targets: {}
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
                    retries:
                      DefaultRetryPolicy:
                        policy: exponential
                        maxRetries: 10
                  targets: {}
                """,
                "yaml",
            ),
        ),
    )
)


DPR504 = register(
    RuleSpec(
        code="DPR504",
        name="undefined-policy-reference",
        category="bug",
        summary="A resiliency target naming a policy that is not defined.",
        target="yaml",
        prose=page(
            (
                "What it does",
                """
                Flags a resiliency target (`apps`, `actors`, `components.*.inbound/outbound`) that names a timeout, retry or circuit breaker not defined under `policies` in the same file (built-in retry names count as defined).
                """,
            ),
            (
                "Why is this bad?",
                """
                daprd does not report the missing name: no timeout, retry or breaker applies to that target, and because the target exists the default policies are not used either. For a component target, a missing circuit breaker is dereferenced on the first call.
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
                - [Resiliency spec](https://docs.dapr.io/reference/resource-specs/resiliency-schema/)
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
                    timeouts:
                      general: 5s
                  targets:
                    apps:
                      orders:
                        timeout: genral
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
                    timeouts:
                      general: 5s
                  targets:
                    apps:
                      orders:
                        timeout: general
                """,
                "yaml",
            ),
        ),
    )
)


DPR508 = register(
    RuleSpec(
        code="DPR508",
        name="invalid-resiliency-policy",
        category="bug",
        summary=(
            "Resiliency settings Dapr ignores or rejects: retry fields the policy ignores, invalid "
            "maxRetries or status codes, actor breakers without scope, component targets without "
            "inbound/outbound."
        ),
        target="yaml",
        prose=page(
            (
                "What it does",
                """
                Flags resiliency settings that Dapr ignores or rejects: `maxInterval` on a constant retry, `duration` on an exponential retry, a retry `policy` other than constant/exponential, `maxRetries` below -1, status-code `matching` outside 100-599 (HTTP) or 0-16 (gRPC), built-in retry overrides below 3 retries or of the protected `DaprBuiltInActorNotFoundRetries`, an actor circuit breaker without a valid `circuitBreakerScope`, and component targets with `timeout`/`retry`/`circuitBreaker` outside `inbound`/`outbound`.
                """,
            ),
            (
                "Why is this bad?",
                """
                Some of these make the whole resiliency resource fail to load; the others are dropped without a message, so the policy does less than it says.
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
                - [Resiliency spec](https://docs.dapr.io/reference/resource-specs/resiliency-schema/)
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
                    retries:
                      fastRetries:
                        policy: constant
                        duration: 1s
                        maxRetries: 3
                  targets:
                    components:
                      statestore:
                        retry: fastRetries
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
                    retries:
                      fastRetries:
                        policy: constant
                        duration: 1s
                        maxRetries: 3
                  targets:
                    components:
                      statestore:
                        outbound:
                          retry: fastRetries
                """,
                "yaml",
            ),
        ),
    )
)


# A file's Resiliency documents merge at runtime: their policies and references are judged together, once, with
# the last of them.


@check(DPR503.code, "yaml")
def check_unused_policies(document: ResourceDocument, report: Reporter) -> Iterator[Finding]:
    if document.file.policies is not None and document is document.file.last_of("Resiliency"):
        for node, message, detail in unused_policies(document.file.policies):
            yield report(node, message, detail=detail)


@check(DPR504.code, "yaml")
def check_undefined_policies(document: ResourceDocument, report: Reporter) -> Iterator[Finding]:
    if document.file.policies is not None and document is document.file.last_of("Resiliency"):
        for node, message, detail in undefined_references(document.file.policies):
            yield report(node, message, detail=detail)


# -- the check: what the walks over a document found for this rule, through its bound report -----------------


@check(DPR508.code, "yaml")
def check_dpr508(document: ResourceDocument, report: Reporter) -> Iterator[Finding]:
    """Resiliency policy errors, as the Resiliency walk and its schema found them."""
    yield from judged(document, report)
