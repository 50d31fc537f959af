"""Pieces every resource kind shares: the top-level schema, name-value pairs, placeholders and
unexpanded variables."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from yaml.nodes import Node

from dapr_lint.registry import RuleSpec, invalid, page, register, valid
from dapr_lint.resources.findings import FindingSink, Judge
from dapr_lint.resources.nodes import MappingView, sequence_items, string_value, text, walk_fields
from dapr_lint.resources.schema import Field, Schema

OBJECT_META = Field(
    "metadata",
    "object",
    required=True,
    fields=Schema(
        (
            Field("name", "str", required=True),
            Field("namespace", "str"),
            Field("labels", "map", values=Field("", "str")),
            Field("annotations", "map", values=Field("", "str")),
        ),
        unknown_keys="allow",  # the rest of Kubernetes ObjectMeta
    ),
)

SECRET_KEY_REF = Schema((Field("name", "str", required=True), Field("key", "str")))

# A Dapr NameValuePair (`- name: x` / `value: ...` | `secretKeyRef:` | `envRef:`).
NAME_VALUE_ITEM = Field(
    "",
    "object",
    fields=Schema(
        (
            Field("name", "str", required=True),
            Field("value", "any"),
            Field("secretKeyRef", "object", fields=SECRET_KEY_REF),
            Field("envRef", "str"),
        ),
        name_value_item=True,
    ),
)

AUTH = Field("auth", "object", fields=Schema((Field("secretStore", "str"),)))
SCOPES = Field("scopes", "list", items=Field("", "str"))


def resource_schema(spec: Optional[Schema], extra: tuple[Field, ...] = (), spec_required: bool = True) -> Schema:
    """The top-level schema of a dapr.io resource with `spec` and any extra top-level fields."""
    fields: list[Field] = [Field("apiVersion", "str", required=True), Field("kind", "str", required=True), OBJECT_META]
    if spec is not None:
        fields.append(Field("spec", "object", required=spec_required, fields=_with_spec_hints(spec, extra)))
    fields.extend(extra)
    fields.append(Field("status", "any"))
    hints = {}
    if spec is not None:
        for f in spec.fields:
            if f.name not in {x.name for x in fields}:
                hints[f.name] = f"`{f.name}` belongs under `spec`; at the top level Dapr ignores it"
    return Schema(tuple(fields), hints=hints)


def _with_spec_hints(spec: Schema, top_level: tuple[Field, ...]) -> Schema:
    hints = dict(spec.hints)
    for f in top_level:
        if f.name not in {x.name for x in spec.fields}:
            hints[f.name] = f"`{f.name}` belongs at the top level (next to `spec`); under `spec` Dapr ignores it"
    return Schema(spec.fields, spec.unknown_keys, spec.handled_keys, hints, spec.name_value_item)


_INVALID_NAME = re.compile(r"[/%]")


def check_resource_name(judge: Judge, root: MappingView) -> None:
    """metadata.name must be a valid path segment (not `.`/`..`, no `/` or `%`), or daprd rejects the resource."""
    name_node = root.view("metadata").get("name")
    name = text(name_node)
    if name_node is None or name is None:
        return
    if name in (".", "..") or _INVALID_NAME.search(name):
        judge(name_node, f"metadata.name `{name}` is not a valid path segment (no `/`, `%`, `.` or `..`): "
              "daprd refuses to load the resource")


_PLACEHOLDER_ANYWHERE = re.compile(r"<\s*(?:REPLACE|YOUR)[-_ A-Z]", re.IGNORECASE)
_PLACEHOLDER_WHOLE = re.compile(r"<[A-Za-z][A-Za-z0-9_.\- ]*>")


# Values written to be replaced by hand: `YOUR_API_KEY`, `REPLACE_ME`, `MY_DB_PASSWORD`, `changeme`, a URL with
# `username:password@`, a `{PROJECT_ID}` token, `<...>` anywhere.
_PLACEHOLDER_ANGLE = re.compile(r"<[A-Za-z][A-Za-z0-9_.\- ]*>")
_PLACEHOLDER_WORDS = re.compile(r"^(?:your|replace)(?:[-_ .][A-Za-z0-9_.\- ]*|me|with[-_A-Za-z0-9]*)?$", re.IGNORECASE)
_PLACEHOLDER_MY = re.compile(r"^my[-_][A-Za-z0-9_\-]*(?:password|passwd|secret|key|token)$", re.IGNORECASE)
_PLACEHOLDER_CHANGEME = frozenset({"changeme", "change-me", "change_me", "changeit", "change-it"})
_PLACEHOLDER_CREDENTIALS = re.compile(r"(?:^|[/@:])(?:user(?:name)?|login):(?:pass(?:word)?|secret)@", re.IGNORECASE)
_PLACEHOLDER_TOKEN = re.compile(r"(?<![${])\{([A-Z][A-Z0-9_]+)\}(?!\})")


def is_placeholder(value: str) -> bool:
    """A value meant to be replaced by hand: `<REPLACE-WITH-PASSWORD>`, `<NAME>`, `YOUR_API_KEY`, `REPLACE_ME`,
    `MY_DB_PASSWORD`, `changeme`, `redis://username:password@host`, a `{PROJECT_ID}` token (not one of the templates
    Dapr substitutes, whatever its case)."""
    stripped = value.strip()
    if _PLACEHOLDER_ANYWHERE.search(stripped) or _PLACEHOLDER_WHOLE.fullmatch(stripped) or _PLACEHOLDER_ANGLE.search(stripped):
        return True
    if (
        _PLACEHOLDER_WORDS.fullmatch(stripped)
        or _PLACEHOLDER_MY.fullmatch(stripped)
        or stripped.lower() in _PLACEHOLDER_CHANGEME
        or _PLACEHOLDER_CREDENTIALS.search(stripped)
    ):
        return True
    templates = {t.lower() for t in COMPONENT_TEMPLATES}
    return any(match.group(1).lower() not in templates for match in _PLACEHOLDER_TOKEN.finditer(stripped))


# A field whose value is a credential: its value spelled like its name (`clientSecret: client-secret`) is a stand-in.
_CREDENTIAL_FIELD = re.compile(r"pass(?:word|wd)?|pwd|secret|token|key|credential", re.IGNORECASE)
_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_PLAIN_WORDS = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.\-]*")


def spelled_like_field(value: str, field: Optional[str]) -> bool:
    """`clientSecret: client-secret`, `apiKey: API_KEY`: a credential field's value that only repeats the field's
    name, in any case and with any separators: written to be replaced, not a secret."""
    if not field or not _CREDENTIAL_FIELD.search(field) or not _PLAIN_WORDS.fullmatch(value.strip()):
        return False  # `$REDIS_PASSWORD`, `${API_KEY}`: a variable meant to be expanded (DPR514's)
    spelled = _NOT_ALNUM.sub("", value.lower())
    return bool(spelled) and spelled == _NOT_ALNUM.sub("", field.lower())


def mark_placeholders(sink: FindingSink, document: Node) -> list[tuple[Node, str]]:
    """The placeholder values of a document (DPR517 reports them), each marked so no other rule reports it."""
    found: list[tuple[Node, str]] = []
    for scalar, field_name in walk_fields(document):
        value = string_value(scalar)
        if value is not None and (is_placeholder(value) or spelled_like_field(value, field_name)):
            sink.placeholder_nodes.add(id(scalar))
            found.append((scalar, value))
    return found


# `{uuid}`, `{podName}`, `{namespace}`, `{appID}`: the only templates Dapr substitutes, in Component metadata only.
COMPONENT_TEMPLATES: tuple[str, ...] = ("uuid", "podName", "namespace", "appID")
_BRACED_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:[:?+-][^}]*)?\}")
_WHOLE_DOLLAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_BRACE_NAME = re.compile(r"(?<![{$])\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})")


def unexpanded_variable(value: str, templates: tuple[str, ...]) -> Optional[str]:
    """Why `value` holds a variable Dapr never expands, or None. `templates` are the `{name}`s Dapr substitutes
    here (only Component metadata has any; an HTTPEndpoint's `{uuid}` is sent literally)."""
    match = _BRACED_ENV.search(value)
    if match:
        return f"`{match.group(0)}` is not expanded: Dapr sends it literally"
    match = _WHOLE_DOLLAR.fullmatch(value.strip())
    if match and match.group(1).isupper():
        return f"`{match.group(0)}` is not expanded: Dapr sends it literally"
    for match in _BRACE_NAME.finditer(value):
        name = match.group(1)
        if name in templates:
            continue
        near = [t for t in templates if t.lower() == name.lower()]
        if not templates and name.lower() in {t.lower() for t in COMPONENT_TEMPLATES}:
            return f"`{{{name}}}` is not substituted: only Component metadata gets `{{{name}}}` templating"
        if near:
            return f"`{{{name}}}` is not substituted (templates are case-sensitive); did you mean `{{{near[0]}}}`?"
        if len(name) >= 2 and name.isupper():
            if not templates:
                return f"`{{{name}}}` is not substituted: Dapr sends it literally"
            return f"`{{{name}}}` is not substituted: Dapr only replaces " + ", ".join(f"`{{{t}}}`" for t in templates)
    return None


@dataclass
class ResourceFacts:
    """What cross-document checks need to know about one resource of a file."""

    kind: str
    name: Optional[str]
    name_node: Optional[Node]
    namespace: Optional[str]
    scopes: frozenset[str]  # empty = every app
    component_type: Optional[str] = None
    actor_state_store_node: Optional[Node] = None
    extra: dict = field(default_factory=dict)


def scopes_of(root: MappingView) -> frozenset[str]:
    values = [text(item) for item in sequence_items(root.get("scopes"))]
    return frozenset(v for v in values if v)


def scopes_overlap(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two resources are visible to a common app if either is unscoped or their scopes intersect."""
    return not a or not b or bool(a & b)


def meant_for_kubernetes(root: MappingView, sink: FindingSink) -> bool:
    """Whether a resource is meant for Kubernetes, where `secretKeyRef` without a store reads the namespace's
    Kubernetes secrets (DPR509 stays quiet): it sets `metadata.namespace`, or its file is in a deployment
    folder (`k8s/`, `manifests/`, `deploy/`, `charts/`, ...), names a `*.svc.cluster.local` host or holds
    Kubernetes workloads."""
    return root.view("metadata").get("namespace") is not None or sink.kubernetes_file


# -- the rules this module checks (spec and the examples its page shows) ------------------------------

DPR514 = register(
    RuleSpec(
        code="DPR514",
        name="unexpanded-variable",
        category="bug",
        summary="${VAR}/$VAR/{VAR} in component or HTTPEndpoint values, which Dapr never expands.",
        target="yaml",
        prose=page(
            (
                "What it does",
                """
                Flags `${VAR}` and a whole-value `$VAR` in Component metadata values and HTTPEndpoint base URLs and headers, and miscased templates such as `{appId}`. An upper-case `{NAME}` token (`{OPENAI_API_KEY}`, `Bearer {TOKEN}`) is meant to be replaced by hand: it is a placeholder, reported by DPR517.
                """,
            ),
            (
                "Why is this bad?",
                """
                Dapr never expands environment variables in these values; only Component metadata gets the `{uuid}`, `{podName}`, `{namespace}` and `{appID}` templates. The literal text is sent instead.
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
                    value: ${REDIS_PASSWORD}
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
                    envRef: REDIS_PASSWORD
                """,
                "yaml",
            ),
        ),
    )
)


DPR517 = register(
    RuleSpec(
        code="DPR517",
        name="placeholder-value",
        category="practice",
        summary="A <REPLACE-...>-style placeholder left in a resource.",
        target="yaml",
        prose=page(
            (
                "What it does",
                """
                Flags placeholder values such as `<REPLACE-WITH-PASSWORD>`, `<YOUR-HOST>` or `<NAME>` left in a resource. A credential field whose value only repeats the field's name (`clientSecret: client-secret`) holds a placeholder too, and so does a throwaway credential of a local service (`redisPassword: foo` beside `redisHost: localhost:6379`; see DPR506 for the exact shape). Each placeholder is reported once and no other rule reports that value.
                """,
            ),
            (
                "Why is this bad?",
                """
                Dapr uses the placeholder literally: the component connects to a host named `<REPLACE-WITH-HOSTNAME>`.
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
                    value: <REPLACE-WITH-HOSTNAME>
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
                    value: redis-master:6379
                """,
                "yaml",
            ),
        ),
    )
)

