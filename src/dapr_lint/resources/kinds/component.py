"""Component: schema and rules DPR506, DPR509, DPR514, DPR516."""

from __future__ import annotations

import re
from typing import Optional

from yaml.nodes import Node

from dapr_lint.registry import RuleSpec, invalid, register, valid
from dapr_lint.resources import component_tables as tables
from dapr_lint.resources.findings import FindingSink
from dapr_lint.resources.kinds.common import (
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


def check_component(sink: FindingSink, root: MappingView) -> ResourceFacts:
    spec = root.view("spec", nocase=True)
    type_node = spec.get_nocase("type")
    component_type = string_value(type_node)
    items = [MetadataItem(n) for n in sequence_items(spec.get_nocase("metadata")) if MappingView(n)]
    has_store = root.view("auth", nocase=True).get_nocase("secretStore") is not None
    refs = [item for item in items if item.secret_key_ref_key is not None]
    if refs and not has_store and not meant_for_kubernetes(root, sink):
        sink.report(
            "DPR509",
            refs[0].secret_key_ref_key,
            "`secretKeyRef` without `auth.secretStore`: outside Kubernetes the secret is not resolved and the "
            f"component starts with an empty value ({len(refs)} reference(s) in this component)",
        )
    actor_node = None
    local = _local_service(items)
    for item in items:
        if item.name is None or sink.is_placeholder(item.value_node):
            continue
        _check_item_value(sink, component_type, item, local)
        if item.name.lower() == "actorstatestore" and (item.literal or "").strip().lower() in tables.TRUTHY_VALUES:
            if _check_actor_state_store(sink, component_type, item):
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


def _check_item_value(sink: FindingSink, component_type: Optional[str], item: MetadataItem, local: bool = False) -> None:
    value = item.literal
    if value is None or item.value_node is None or string_value(item.value_node) is None:
        return
    reason = unexpanded_variable(value, COMPONENT_TEMPLATES)
    if reason:
        sink.report("DPR514", item.value_node, f"metadata `{item.name}`: {reason}; use `envRef` or `secretKeyRef`")
        return
    if component_type is None or item.name is None:
        return
    name = item.name.lower()
    if name not in tables.sensitive_fields(component_type):
        return
    if name in tables.CREDENTIAL_CARRIER_FIELDS:
        if not (_URL_CREDENTIALS.search(value) or _CONNECTION_STRING_SECRET.search(value)):
            return
        secrets = _embedded_secrets(value)
        message = f"metadata `{item.name}` embeds credentials in plain text: use `secretKeyRef`"
    else:
        if value.strip().lower() in _NOT_A_SECRET:
            return  # a stand-in that keyless local endpoints expect, not a credential
        secrets = [value.strip()]
        message = f"metadata `{item.name}` is a secret written in plain text: use `secretKeyRef` (or `envRef`)"
    if local and secrets and all(_THROWAWAY.fullmatch(secret) for secret in secrets):
        # `redisPassword: foo`, `amqp://guest:guest@localhost`, `password=postgres` for a container on this machine:
        # a stand-in the sample's local service was started with, not a credential that protects anything
        sink.placeholder_nodes.add(id(item.value_node))
        sink.report("DPR517", item.value_node, f"throwaway `{item.name}` for a local service: a real one belongs in `secretKeyRef`")
        return
    sink.report("DPR506", item.value_node, message)


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


def _check_actor_state_store(sink: FindingSink, component_type: Optional[str], item: MetadataItem) -> bool:
    """Report a store that cannot hold actor state; True if it can (or may, for a pluggable type)."""
    if component_type is None or item.value_node is None:
        return False
    lowered = component_type.lower()
    if not lowered.startswith("state."):
        sink.report(
            "DPR516",
            item.value_node,
            f"`actorStateStore` on a `{component_type}` component: only a state store can hold actor state",
        )
        return False
    if lowered in tables.BUILTIN_TYPES and lowered not in tables.ACTOR_CAPABLE_STATE_STORES:
        sink.report(
            "DPR516",
            item.value_node,
            f"`{component_type}` cannot be the actor state store: it lacks ETag and transaction support, so every "
            "actor state call fails",
        )
        return False
    return True


# -- the rules this module checks (spec and the examples its page shows) ------------------------------

DPR506 = register(
    RuleSpec(
        code="DPR506",
        name="plaintext-secret",
        category="bug",
        summary="A sensitive component field or header with a literal secret value.",
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
