"""DPR109: deprecated Dapr SDK APIs: renamed Jobs methods, `flask_dapr`, arguments the SDK warns about."""

from __future__ import annotations

from functools import partial
from typing import Iterator, Optional

import libcst as cst

from dapr_lint.diagnostics import EditBuilder, Finding, Fix
from dapr_lint.python import edits, known
from dapr_lint.python.sdk_releases import at_least, first_release_with
from dapr_lint.python.model import (
    CallSite,
    Const,
    Kind,
    ModuleModel,
    Ref,
    argument,
)
from dapr_lint.python.model.clients import client_facts
from dapr_lint.python.rules.pages import deprecations as pages
from dapr_lint.registry import Reporter, RuleSpec, invalid, rule, valid


# ------------------------------------------------------------------------------------------------
# DPR109
# ------------------------------------------------------------------------------------------------

_JOB_RENAMES = known.CLIENT_JOB_RENAMES
# `invoke_method` is not here: DaprClient (sync and aio) sends it over HTTP unless
# DAPR_API_METHOD_INVOCATION_PROTOCOL says grpc (dapr/conf/global_settings.py), and the HTTP path turns
# `metadata` into headers without a warning; only the gRPC path warns.
_GRPC_METADATA_METHODS = frozenset(
    {
        "invoke_binding",
        "publish_event",
        "get_state",
        "get_bulk_state",
        "save_state",
        "save_bulk_state",
        "execute_state_transaction",
        "delete_state",
        "get_secret",
        "get_bulk_secret",
    }
)


@rule(
    RuleSpec(
        code="DPR109",
        name="deprecated-api",
        category="bug",
        summary="A deprecated Dapr SDK API (warns today, removed later).",
        target="python",
        predicts="warning",
        fix_safety="safe",
        fix_description="Rename (`schedule_job_alpha1`→`schedule_job`, `flask_dapr`→`dapr.ext.flask`, `wait_until_ready`→`wait_for_sidecar`).",
        fix_note="for renames (see below)",
        prose=pages.DPR109,
        examples=(
            invalid(
                """
                from dapr.clients import DaprClient, Job
                from dapr.ext.workflow import DaprWorkflowClient
                from dapr.ext.workflow._durabletask.client import (
                    OrchestrationIdReuseAction,
                    OrchestrationStatus,
                    WorkflowIdReusePolicy,
                )
                from flask_dapr import DaprApp  # DPR109

                client = DaprClient(address="http://localhost:50001")  # DPR109
                client.wait(10)  # DPR109

                client.schedule_job_alpha1(Job(name="nightly-report", schedule="@daily"))  # DPR109
                client.save_state(
                    "statestore", "report-status", "scheduled", metadata=(("x-request-id", "42"),)  # DPR109
                )

                replace_finished = WorkflowIdReusePolicy(
                    action=OrchestrationIdReuseAction.TERMINATE,
                    operation_status=[OrchestrationStatus.COMPLETED, OrchestrationStatus.FAILED],
                )
                workflows = DaprWorkflowClient()
                workflows.schedule_new_workflow(
                    "order_fulfilment", input={"id": "42"}, instance_id="order-42",
                    reuse_id_policy=replace_finished,  # DPR109: has no effect
                )
                """,
            ),
            valid(
                """
                from dapr.clients import DaprClient, Job
                from dapr.ext.flask import DaprApp
                from dapr.ext.workflow import DaprWorkflowClient

                client = DaprClient(address="localhost:50001?tls=false")

                client.schedule_job(Job(name="nightly-report", schedule="@daily"))
                client.save_state("statestore", "report-status", "scheduled")

                # An instance ID can be reused once the earlier instance has finished.
                workflows = DaprWorkflowClient()
                workflows.schedule_new_workflow("order_fulfilment", input={"id": "42"}, instance_id="order-42")
                """,
            ),
        ),
    )
)
def deprecated_api(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for site in model.imports:
        if site.module == "flask_dapr" or site.module.startswith("flask_dapr."):
            if not _replacement_exists(model, FLASK_EXTENSION_IN_DAPR):
                continue  # before 1.19 `flask_dapr` is the Flask extension: nothing to move to yet
            yield report(
                site.anchor,
                "`flask_dapr` is deprecated: FutureWarning since SDK 1.19",
                Fix("Import from `dapr.ext.flask`.", _flask_dapr_edit(site)),
                detail="Import from `dapr.ext.flask`.",
            )

    for site in model.attributes:
        if site.is_store:
            continue
        attr = site.node.attr.value
        value = model.value_of(site.node, site.scope)
        if isinstance(value, Ref) and value.path == known.DAPR_HEALTH + ".wait_until_ready":
            if not _replacement_exists(model, first_release_with(known.DAPR_HEALTH, "wait_for_sidecar")):
                continue
            yield report(
                site.node.attr,
                "`DaprHealth.wait_until_ready` is deprecated: use `DaprHealth.wait_for_sidecar`",
                Fix("Rename to `wait_for_sidecar`.", partial(edits.rename_name, site.node.attr, "wait_for_sidecar")),
            )
            continue
        if attr not in known.DEPRECATED_CLIENT_MEMBERS:
            continue
        kind = client_facts(model).client_of(site.node.value, site.scope)
        if kind is None or kind.family != "dapr":
            continue
        if attr == "wait":
            yield report(
                site.node.attr,
                "`DaprClient.wait()` is deprecated: the client already waits for the sidecar when it is constructed",
            )
        elif attr == "invoke_method_async" and not kind.is_async:
            yield report(
                site.node.attr,
                "`invoke_method_async` on the sync DaprClient is deprecated: NotImplementedError over gRPC",
                detail="Use `await dapr.aio.clients.DaprClient().invoke_method(...)`.",
                # DeprecationWarning on the HTTP path, NotImplementedError on the gRPC one (clients/__init__.py)
                predicts=("warning", "exception"),
            )
        elif attr in _JOB_RENAMES:
            new = _JOB_RENAMES[attr]
            if not _replacement_exists(model, first_release_with(kind.path, new)):
                continue  # the stable Jobs API is not in every release the project admits
            yield report(
                site.node.attr,
                f"`{attr}` is deprecated (the Jobs API is stable): use `{new}`",
                Fix(f"Rename to `{new}`.", partial(edits.rename_name, site.node.attr, new)),
            )

    for site in model.calls:
        yield from _deprecated_arguments(model, site, report)


# The releases that brought the replacements and deprecations the rule names (python/sdk_versions.py, the tags).
FLASK_EXTENSION_IN_DAPR = "1.19.0"  # `dapr.ext.flask` inside the `dapr` wheel; `flask_dapr` a warning shim
REUSE_ID_POLICY_DEPRECATED = "1.18.3"  # `schedule_new_workflow(reuse_id_policy=)` warns and has no effect


def _replacement_exists(model: ModuleModel, since) -> bool:
    """A deprecation is worth moving off only when what replaces it exists in every release the project admits
    (from its lowest): `flask_dapr` is the Flask extension before 1.19, the `*_alpha1` jobs calls the only ones
    before 1.18."""
    return since is not None and at_least(model.sdk.low, since)


def _flask_dapr_edit(site) -> Optional[EditBuilder]:
    new_module = "dapr.ext.flask" + site.module[len("flask_dapr"):]
    if isinstance(site.node, cst.ImportFrom):
        return partial(edits.replace_dotted, site.anchor, new_module)
    for alias in site.node.names:
        if alias.name is site.anchor and site.module == "flask_dapr":
            # `import flask_dapr` keeps its name for the code that uses it: `import dapr.ext.flask as flask_dapr`
            return partial(edits.Edit, alias, _flask_dapr_alias)
    return None


def _flask_dapr_alias(node: cst.CSTNode) -> cst.CSTNode:
    assert isinstance(node, cst.ImportAlias)
    asname = node.asname or cst.AsName(name=cst.Name("flask_dapr"))
    return node.with_changes(name=cst.parse_expression("dapr.ext.flask"), asname=asname)


def _deprecated_arguments(model: ModuleModel, site: CallSite, report: Reporter) -> Iterator[Finding]:
    constructed = client_facts(model).constructed_client(site)
    if constructed is not None and constructed.family == "dapr":
        address = argument(site.node, 0, "address")
        if address is not None:
            value = model.string_of(address, site.scope)
            if value is not None and value.lower().startswith(("http://", "https://")):
                yield report(
                    address,
                    "an `http://`/`https://` gRPC address is deprecated",
                    detail="Use `host:port?tls=false` (or `?tls=true`) or `dns:///host:port`.",
                )
        return
    method = client_facts(model).client_method_call(site)
    if method is None:
        return
    kind, name = method
    for arg in site.node.args:
        if arg.keyword is None:
            continue
        keyword = arg.keyword.value
        if keyword == "reuse_id_policy" and kind.family == "workflow" and name == "schedule_new_workflow":
            if model.value_of(arg.value, site.scope) == Const(None):
                continue  # the SDK warns only for a value
            if not at_least(model.sdk.high, REUSE_ID_POLICY_DEPRECATED):
                continue  # it still works in every release the project admits
            yield report(arg.keyword, "`reuse_id_policy` is deprecated and has no effect", detail="Remove it.")
        elif keyword == "metadata" and kind.family == "dapr" and name in _GRPC_METADATA_METHODS:
            value = model.value_of(arg.value, site.scope)
            if (isinstance(value, Const) and value.value is None) or value == Kind("dict"):
                continue
            yield report(
                arg.keyword,
                f"the gRPC `metadata=` argument of `{name}` is deprecated: Dapr already sends the API token",
                detail="Drop it, and pass Dapr metadata through the `*_metadata` keyword.",
            )
