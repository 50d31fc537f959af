"""HTTPEndpoint: schema and its rules (DPR501 base URL and TLS, DPR506 headers, DPR509, DPR514)."""

from __future__ import annotations

from typing import Iterator, Optional

from yaml.nodes import Node

from dapr_lint.diagnostics import Finding
from dapr_lint.registry import Reporter
from dapr_lint.resources.findings import Judges, ResourceDocument
from dapr_lint.resources.kinds.common import AUTH, NAME_VALUE_ITEM, SCOPES, ResourceFacts, resource_schema
from dapr_lint.resources.kinds.common import meant_for_kubernetes, scopes_of, unexpanded_variable
from dapr_lint.resources.nodes import MappingView, sequence_items, string_value, text
from dapr_lint.resources.schema import Field, Schema

_TLS_DOCUMENT = Field(
    "",
    "object",
    fields=Schema((Field("value", "str"), Field("secretKeyRef", "object", fields=Schema((Field("name", "str", required=True), Field("key", "str")))))),
)

HTTPENDPOINT_SPEC = Schema(
    (
        Field("baseUrl", "str", required=True),
        Field("headers", "list", items=NAME_VALUE_ITEM),
        Field(
            "clientTLS",
            "object",
            fields=Schema(
                (
                    Field("rootCA", "object", fields=_TLS_DOCUMENT.fields),
                    Field("certificate", "object", fields=_TLS_DOCUMENT.fields),
                    Field("privateKey", "object", fields=_TLS_DOCUMENT.fields),
                    Field("renegotiation", "str", allowed=("Never", "OnceAsClient", "FreelyAsClient")),
                )
            ),
        ),
    )
)
HTTPENDPOINT_SCHEMA = resource_schema(HTTPENDPOINT_SPEC, extra=(AUTH, SCOPES))

# Headers that carry credentials.
SECRET_HEADERS: frozenset[str] = frozenset(
    {"authorization", "proxy-authorization", "x-api-key", "api-key", "apikey", "x-auth-token", "ocp-apim-subscription-key"}
)


def check_httpendpoint(judges: Judges, root: MappingView) -> ResourceFacts:
    """The schema rule (`judges.schema`) on the base URL's scheme and a TLS key without its certificate; the
    resource's facts."""
    judge = judges.schema
    spec = root.view("spec", nocase=True)
    base_url_node = spec.get("baseUrl")
    base_url = string_value(base_url_node)
    if base_url_node is not None and base_url and not judges.is_placeholder(base_url_node):
        if not unexpanded_variable(base_url, ()) and not base_url.lower().startswith(("http://", "https://")):
            judge(base_url_node, f"baseUrl `{base_url}` must start with `http://` or `https://`")
    tls = spec.view("clientTLS", nocase=True)
    if tls.key_nocase("privateKey") is not None and tls.key_nocase("certificate") is None:
        judge(
            tls.key_nocase("privateKey"),
            "clientTLS `privateKey` without `certificate`: loading the client certificate fails",
        )
    name_node = root.view("metadata").get("name")
    return ResourceFacts(
        "HTTPEndpoint", text(name_node), name_node, text(root.view("metadata").get("namespace")), scopes_of(root)
    )


def _headers(document: ResourceDocument) -> Iterator[tuple[Optional[str], Optional[Node], MappingView]]:
    for header_node in sequence_items(document.root.view("spec", nocase=True).get_nocase("headers")):
        header = MappingView(header_node)
        yield text(header.get("name")), header.get_nocase("value"), header


def httpendpoint_unexpanded(document: ResourceDocument, report: Reporter) -> Iterator[Finding]:
    """DPR514 in the base URL and the header values."""
    base_url_node = document.root.view("spec", nocase=True).get("baseUrl")
    base_url = string_value(base_url_node)
    if base_url_node is not None and base_url and not document.is_placeholder(base_url_node):
        reason = unexpanded_variable(base_url, ())
        if reason:
            yield report(base_url_node, f"baseUrl: {reason}")
    for name, value_node, _ in _headers(document):
        value = string_value(value_node)
        if value_node is None or not value or document.is_placeholder(value_node):
            continue
        reason = unexpanded_variable(value, ())
        if reason:
            yield report(value_node, f"header `{name}`: {reason}", detail="Use `envRef` or `secretKeyRef`.")


def httpendpoint_plain_secrets(document: ResourceDocument, report: Reporter) -> Iterator[Finding]:
    """DPR506 on a credential header's value and a TLS private key written in the resource."""
    for name, value_node, _ in _headers(document):
        value = string_value(value_node)
        if value_node is None or not value or document.is_placeholder(value_node):
            continue
        if not unexpanded_variable(value, ()) and name and name.lower() in SECRET_HEADERS:
            yield report(value_node, f"header `{name}` holds a credential in plain text: use `secretKeyRef`")
    tls = document.root.view("spec", nocase=True).view("clientTLS", nocase=True)
    private_value = tls.view("privateKey", nocase=True).get_nocase("value")
    if private_value is not None and string_value(private_value) and not document.is_placeholder(private_value):
        yield report(private_value, "clientTLS private key written in plain text: use `secretKeyRef`")


def httpendpoint_secret_store(document: ResourceDocument, report: Reporter) -> Iterator[Finding]:
    """DPR509: a header or TLS part read from a secret with no `auth.secretStore`, outside Kubernetes."""
    refs = []
    for _, _, header in _headers(document):
        if header.key_nocase("secretKeyRef") is not None:
            refs.append(header.key_nocase("secretKeyRef"))
    tls = document.root.view("spec", nocase=True).view("clientTLS", nocase=True)
    for part in ("rootCA", "certificate", "privateKey"):
        if tls.view(part, nocase=True).key_nocase("secretKeyRef") is not None:
            refs.append(tls.view(part, nocase=True).key_nocase("secretKeyRef"))
    root = document.root
    if refs and root.view("auth", nocase=True).get_nocase("secretStore") is None and not meant_for_kubernetes(root, document.sink):
        yield report(refs[0], "`secretKeyRef` without `auth.secretStore`: outside Kubernetes the secret is not resolved")
