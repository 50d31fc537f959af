"""Component: schema and rules DPR506, DPR509, DPR514, DPR516."""

from __future__ import annotations

import re
from typing import Any, Iterator, Optional

from yaml.nodes import Node

from dapr_lint.diagnostics import Finding
from dapr_lint.registry import Reporter, RuleSpec, check, invalid, page, register, valid
from dapr_lint.resources import component_tables as tables
from dapr_lint.resources.findings import ResourceDocument, is_example_file
from dapr_lint.resources.kinds.common import (
    DPR514,
    DPR517,
    scopes_overlap,
    AUTH,
    COMPONENT_TEMPLATES,
    NAME_VALUE_ITEM,
    SCOPES,
    meant_for_kubernetes,
    ResourceFacts,
    resource_schema,
    scopes_of,
    unexpanded_variable,
)
from dapr_lint.resources.kinds.httpendpoint import (
    httpendpoint_plain_secrets,
    httpendpoint_secret_store,
    httpendpoint_unexpanded,
)
from dapr_lint.resources.nodes import MappingView, is_scalar, sequence_items, string_value, text
from dapr_lint.resources.schema import Field, Schema

COMPONENT_SPEC = Schema(
    (
        Field("type", "str", required=True),
        # The CRD requires it (kubectl apply rejects a Component without it), but self-hosted daprd reads a
        # missing version as v1, and self-hosted projects (the SDK's own examples among them) omit it: not
        # reported, for precision. A version that is present is still checked (DPR507).
        Field("version", "str"),
        Field("metadata", "list", items=NAME_VALUE_ITEM),
        Field(
            "initTimeout",
            "duration",
            consequence="daprd silently falls back to the default 5s",
        ),
        Field("ignoreErrors", "bool"),
    )
)

COMPONENT_SCHEMA = resource_schema(COMPONENT_SPEC, extra=(AUTH, SCOPES))

_URL_CREDENTIALS = re.compile(r"://[^/\s@:]*:[^/\s@]+@")
_CONNECTION_STRING_SECRET = re.compile(
    r"(?:^|[;\s])(?:password|pwd|accountkey|sharedaccesskey|access_key|secret)\s*=\s*[^;\s]", re.IGNORECASE
)


class MetadataItem:
    """One `spec.metadata` entry: its name, and its value, secretKeyRef and envRef nodes."""

    def __init__(self, node: Node) -> None:
        view = MappingView(node)
        self.node = node
        self.name_node = view.get("name")
        self.name = text(self.name_node)
        self.value_node = view.get_nocase("value")
        self.secret_key_ref_key = view.key_nocase("secretKeyRef")
        self.env_ref = view.get_nocase("envRef")

    @property
    def literal(self) -> Optional[str]:
        """The value as daprd stringifies it, if the item has a non-empty scalar value."""
        value = text(self.value_node) if is_scalar(self.value_node) else None
        return value if value else None


def component_facts(document: ResourceDocument) -> ResourceFacts:
    """What a Component says for the checks across the file, and the verdict on each metadata value (kept for the
    one rule it breaks, DPR514, DPR517 or DPR506, by that rule's judge); a throwaway credential of a local service
    is a placeholder from here on (no rule reports it but DPR517)."""
    sink, root = document.sink, document.root
    component_type = _component_type(root)
    items = _metadata_items(root)
    actor_node = None
    local = _local_service(items)
    for item in items:
        if item.name is None or sink.is_placeholder(item.value_node):
            continue
        verdict = _item_verdict(component_type, item, local)
        if verdict is not None:
            rule, node, message, detail = verdict
            document.judge(rule)(node, message, detail=detail)
            if rule is DPR517:
                sink.placeholder_nodes.add(id(item.value_node))
        if item.name.lower() == "actorstatestore" and (item.literal or "").strip().lower() in tables.TRUTHY_VALUES:
            if _actor_state_store_problem(component_type, item) is None and item.value_node is not None:
                actor_node = item.value_node
    name_node = root.view("metadata").get("name")
    return ResourceFacts(
        kind="Component",
        name=text(name_node),
        name_node=name_node,
        namespace=text(root.view("metadata").get("namespace")),
        scopes=scopes_of(root),
        component_type=component_type,
        actor_state_store_node=actor_node,
    )


def _component_type(root: MappingView) -> Optional[str]:
    return string_value(root.view("spec", nocase=True).get_nocase("type"))


def _metadata_items(root: MappingView) -> list[MetadataItem]:
    spec = root.view("spec", nocase=True)
    return [MetadataItem(n) for n in sequence_items(spec.get_nocase("metadata")) if MappingView(n)]


def _item_verdict(
    component_type: Optional[str], item: MetadataItem, local: bool = False
) -> Optional[tuple[RuleSpec, Node, str, Optional[str]]]:
    """(rule, node, message, detail) of the one rule a metadata value breaks, if any."""
    value = item.literal
    if value is None or item.value_node is None or string_value(item.value_node) is None:
        return None
    reason = unexpanded_variable(value, COMPONENT_TEMPLATES)
    if reason:
        return DPR514, item.value_node, f"metadata `{item.name}`: {reason}", "Use `envRef` or `secretKeyRef`."
    if component_type is None or item.name is None:
        return None
    name = item.name.lower()
    if name not in tables.sensitive_fields(component_type):
        return None
    if name in tables.CREDENTIAL_CARRIER_FIELDS:
        if not (_URL_CREDENTIALS.search(value) or _CONNECTION_STRING_SECRET.search(value)):
            return None
        secrets = _embedded_secrets(value)
        message, detail = f"metadata `{item.name}` embeds credentials in plain text", "Use `secretKeyRef`."
    else:
        if value.strip().lower() in _NOT_A_SECRET:
            return None  # a stand-in that keyless local endpoints expect, not a credential
        secrets = [value.strip()]
        message, detail = f"metadata `{item.name}` is a secret written in plain text", "Use `secretKeyRef` (or `envRef`)."
    if local and secrets and all(_THROWAWAY.fullmatch(secret) for secret in secrets):
        # `redisPassword: foo`, `amqp://guest:guest@localhost`, `password=postgres` for a container on this machine:
        # a stand-in the sample's local service was started with, not a credential that protects anything
        return DPR517, item.value_node, f"throwaway `{item.name}` for a local service: a real one belongs in `secretKeyRef`", None
    return DPR506, item.value_node, message, detail


# What local samples fill credential fields with (read from the components of public Dapr repositories: `foo`,
# `guest`, `postgres`, `example`, `mysecretpassword`, `thisispassword`, `password123`): one lower-case word, maybe
# numbered, or a short PIN. A generated key (`JHUnmUSvF-xa0w...`, `s3cr3t-passw0rd`) is not one.
_THROWAWAY = re.compile(r"[a-z]{2,24}[0-9]{0,4}|[0-9]{1,8}")
_EMBEDDED_SECRET = re.compile(r"://[^/\s@:]*:([^/\s@]+)@|(?:^|[;\s])(?:password|pwd)\s*=\s*([^;\s]+)", re.IGNORECASE)
# Where a component's service is: host-like metadata values (`redisHost`, `url`, `connectionString`, `brokers`).
_HOST_FIELD = re.compile(r"host|url|uri|endpoint|server|broker|address|connectionstring|dsn", re.IGNORECASE)
_HOST_IN = (
    re.compile(r"://(?:[^/\s@]*@)?(\[[0-9a-f:]+\]|[^/\s:?;,]+)", re.IGNORECASE),  # a URL's authority
    re.compile(r"@(?:tcp|unix)\(([^):]+)", re.IGNORECASE),  # a MySQL DSN
    re.compile(r"(?:^|[;\s])(?:host|server|data source|hostname)\s*=\s*([^;\s,:]+)", re.IGNORECASE),  # key=value pairs
    re.compile(r"^([A-Za-z0-9_.\-]+)(?::\d+)?$"),  # `localhost:6379`, `redis`
)
_LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "host.docker.internal", "[::1]"})


def _embedded_secrets(value: str) -> list[str]:
    return [match.group(1) or match.group(2) for match in _EMBEDDED_SECRET.finditer(value)]


def _local_service(items: list[MetadataItem]) -> bool:
    """Whether every host the component names is on this machine or in its compose/cluster network
    (`localhost`, `redis:6379`, `orders-db.default.svc.cluster.local`), and it names at least one."""
    hosts = []
    for item in items:
        value = item.literal
        if item.name is None or value is None or not _HOST_FIELD.search(item.name):
            continue
        for part in value.split(","):  # `brokers: kafka-1:9092,kafka-2:9092`
            match = next((m for m in (pattern.search(part.strip()) for pattern in _HOST_IN) if m), None)
            if match is None:
                return False  # a host we cannot read: not known to be local
            hosts.append(match.group(1).lower())
    return bool(hosts) and all(_local_host(host) for host in hosts)


def _local_host(host: str) -> bool:
    return host in _LOCAL_NAMES or "." not in host or host.endswith((".svc", ".svc.cluster.local", ".local"))


# Values that fill a required key field for keyless services (a local Ollama behind the OpenAI API, an emulator):
# they protect nothing.
_NOT_A_SECRET = frozenset(
    {"ollama", "dummy", "none", "null", "unused", "not-used", "not-needed", "notneeded", "no-key", "nokey", "empty", "-"}
)


def _actor_state_store_problem(component_type: Optional[str], item: MetadataItem) -> Optional[tuple[str, Optional[str]]]:
    """(message, detail) when a store cannot hold actor state; None if it can (or may, for a pluggable type)."""
    if component_type is None or item.value_node is None:
        return ("", None)  # nothing to say, and no actor state store either
    lowered = component_type.lower()
    if not lowered.startswith("state."):
        return f"`actorStateStore` on a `{component_type}` component: only a state store can hold actor state", None
    if lowered in tables.BUILTIN_TYPES and lowered not in tables.ACTOR_CAPABLE_STATE_STORES:
        return f"`{component_type}` cannot be the actor state store: every actor state call fails", "It lacks ETag and transaction support."
    return None


# -- the rules this module checks (spec and the examples its page shows) ------------------------------

DPR506 = register(
    RuleSpec(
        code="DPR506",
        name="plaintext-secret",
        category="bug",
        summary="A sensitive component field or header with a literal secret value.",
        target="yaml",
        prose=page(
            (
                "What it does",
                """
                Flags a literal value in a component metadata field that components-contrib marks as sensitive for that component type (passwords, keys, tokens, client secrets), and `host`/`url`/`connectionString` values that embed credentials (`user:pass@`, `password=`, `AccountKey=`). For HTTPEndpoint: credential headers (`Authorization`, API-key headers) and an inline TLS private key.

                Stand-in values that keyless local endpoints expect in a required key field (`ollama`, `dummy`, `none`, `not-needed`, ...)
                are not reported. Values written to be replaced by hand are placeholders, reported by DPR517 instead: `YOUR_…`,
                `REPLACE…`, `MY_…_PASSWORD`, `<…>` anywhere in the value, `changeme`, `username:password@` in a URL, `{NAME}` tokens,
                a credential field's value that only repeats the field's name (`clientSecret: client-secret`), and every value of a
                `*.example.*` file.

                A throwaway value for a local service is a placeholder too (DPR517): when every host the component names is on this
                machine or in its compose or cluster network (`localhost`, `redis:6379`, `orders-db.default.svc.cluster.local`) and
                the secret is one lower-case word, maybe numbered, or a short PIN (`foo`, `guest`, `postgres`, `example`,
                `mysecretpassword`, `password123`). That is what the components of public Dapr samples hold: the value the sample's
                container was started with, protecting nothing. The same value for a remote host (`*.redis.cache.windows.net`), or
                a generated key for a local one, is still reported.
                """,
            ),
            (
                "Why is this bad?",
                """
                A secret in a resource file ends up in source control, in `kubectl get` output and in logs. Dapr can read it from a secret store instead.
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
                - [Reference secrets in components](https://docs.dapr.io/operations/components/component-secrets/)
                - [Secret store components](https://docs.dapr.io/reference/components-reference/supported-secret-stores/)
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
                  - name: redisPassword
                    value: s3cr3t
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
                  - name: redisPassword
                    secretKeyRef:
                      name: redis
                      key: password
                auth:
                  secretStore: my-secret-store
                """,
                "yaml",
            ),
        ),
    )
)


DPR509 = register(
    RuleSpec(
        code="DPR509",
        name="secretkeyref-without-store",
        category="practice",
        summary="A secretKeyRef with no auth.secretStore (not resolved outside Kubernetes).",
        target="yaml",
        prose=page(
            (
                "What it does",
                """
                Flags a Component or HTTPEndpoint that uses `secretKeyRef` but sets no `auth.secretStore` (reported once per resource).
                A resource meant for Kubernetes, where the reference works, is not reported: one with a `metadata.namespace`, or in a
                file that lives in a deployment folder (`k8s/`, `kubernetes/`, `manifests/`, `deploy/`, `charts/`, `helm/`, ...) or in
                the `templates/` folder of a Helm chart (a `Chart.yaml` beside it, whatever the chart folder is called), names a
                `*.svc.cluster.local` host or also holds Kubernetes workloads.
                """,
            ),
            (
                "Why is this bad?",
                """
                On Kubernetes the built-in `kubernetes` secret store resolves the reference; in self-hosted mode nothing does, and the component starts with an empty value.
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
                - [Reference secrets in components](https://docs.dapr.io/operations/components/component-secrets/)
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
                  - name: redisPassword
                    secretKeyRef:
                      name: redis
                      key: password
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
                  - name: redisPassword
                    secretKeyRef:
                      name: redis
                      key: password
                auth:
                  secretStore: local-secrets
                """,
                "yaml",
            ),
        ),
    )
)


DPR516 = register(
    RuleSpec(
        code="DPR516",
        name="invalid-actor-state-store",
        category="bug",
        summary=(
            "actorStateStore on a non-state component or a store without ETag and transactions, or two actor "
            "stores."
        ),
        target="yaml",
        prose=page(
            (
                "What it does",
                """
                Flags `actorStateStore` set to a truthy value on a non-state component or on a built-in state store without ETag and transaction support, and two actor state stores in one file visible to the same app.
                """,
            ),
            (
                "Why is this bad?",
                """
                Actor state calls fail on a store without ETag and transactions, and daprd refuses two actor state stores.
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
                - [Supported state stores](https://docs.dapr.io/reference/components-reference/supported-state-stores/)
                """,
            ),
        ),
        examples=(
            invalid(
                """
                apiVersion: dapr.io/v1alpha1
                kind: Component
                metadata:
                  name: actorstore
                spec:
                  type: state.cassandra
                  version: v1
                  metadata:
                  - name: hosts
                    value: cassandra:9042
                  - name: actorStateStore
                    value: "true"
                """,
                "yaml",
            ),
            valid(
                """
                apiVersion: dapr.io/v1alpha1
                kind: Component
                metadata:
                  name: actorstore
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
        ),
    )
)


# -- the checks of these rules (each reports its own rule only) ------------------------------------------------


@check(DPR509.code, "yaml")
def check_secret_store(document: ResourceDocument, report: Reporter) -> Iterator[Finding]:
    """A Component or HTTPEndpoint using `secretKeyRef` with no `auth.secretStore`, outside Kubernetes."""
    if document.kind == "Component":
        refs = [item.secret_key_ref_key for item in _metadata_items(document.root) if item.secret_key_ref_key is not None]
        has_store = document.root.view("auth", nocase=True).get_nocase("secretStore") is not None
        if refs and not has_store and not meant_for_kubernetes(document.root, document.sink):
            yield report(
                refs[0],
                "`secretKeyRef` without `auth.secretStore`: outside Kubernetes the value stays empty",
                detail=f"The secret is not resolved and the component starts with an empty value ({len(refs)} reference(s) in this component).",
            )
    elif document.kind == "HTTPEndpoint":
        yield from httpendpoint_secret_store(document, report)


@check(DPR516.code, "yaml")
def check_actor_state_store(document: ResourceDocument, report: Reporter) -> Iterator[Finding]:
    """A store that cannot hold actor state marked `actorStateStore`; a second actor state store for the same apps."""
    if document.kind == "Component":
        component_type = _component_type(document.root)
        for item in _metadata_items(document.root):
            if item.name is None or document.is_placeholder(item.value_node):
                continue
            if item.name.lower() == "actorstatestore" and (item.literal or "").strip().lower() in tables.TRUTHY_VALUES:
                problem = _actor_state_store_problem(component_type, item)
                if problem is not None and problem[0]:
                    yield report(item.value_node, problem[0], detail=problem[1])
    later = document.facts
    if later is None or later.actor_state_store_node is None:
        return
    for earlier in document.file.earlier_facts(document):
        if earlier.actor_state_store_node is not None and scopes_overlap(earlier.scopes, later.scopes):
            yield report(
                later.actor_state_store_node,
                f"a second actor state store for the same apps (`{earlier.name}` is one too): daprd fails to start",
                detail='daprd fails with "detected duplicate actor state store".',
            )
            break


@check(DPR506.code, "yaml")
def check_plain_secret(document: ResourceDocument, report: Reporter) -> Iterator[Finding]:
    """A secret written in plain text in a Component's metadata or an HTTPEndpoint's headers and TLS key; not in an
    example file (`components.example.yaml`), whose values are there to be replaced (DPR517 says so)."""
    if not is_example_file(document.sink.path):
        yield from _plain_secrets(document, report)


def _plain_secrets(document: ResourceDocument, report: Reporter) -> Iterator[Finding]:
    for node, message, detail in document.verdicts(DPR506.code):
        yield report(node, message, detail=detail)
    if document.kind == "HTTPEndpoint":
        yield from httpendpoint_plain_secrets(document, report)


@check(DPR517.code, "yaml")
def check_placeholders(document: ResourceDocument, report: Reporter) -> Iterator[Finding]:
    """Placeholder values left in a document, a local service's throwaway credentials, and the secrets of an
    example file (values to replace)."""
    for node, value in document.file.placeholders.get(document.index, ()):
        yield report(node, f"placeholder `{value}` left in the resource: Dapr uses it literally")
    for node, message, detail in document.verdicts(DPR517.code):
        yield report(node, message, detail=detail)
    if is_example_file(document.sink.path) and document.sink.enabled(DPR506.code):
        # what DPR506 says elsewhere: here the values are there to be replaced

        def to_replace(node: Node, message: str, **details: Any) -> Finding:
            return report(node, f"example file, value to replace: {message}", **details)

        for finding in _plain_secrets(document, to_replace):  # type: ignore[arg-type]
            if not document.is_placeholder(finding.at):
                yield finding


@check(DPR514.code, "yaml")
def check_unexpanded_variable(document: ResourceDocument, report: Reporter) -> Iterator[Finding]:
    """A `${VAR}`-style value Dapr does not expand, in a Component's metadata or an HTTPEndpoint."""
    for node, message, detail in document.verdicts(DPR514.code):
        yield report(node, message, detail=detail)
    if document.kind == "HTTPEndpoint":
        yield from httpendpoint_unexpanded(document, report)
