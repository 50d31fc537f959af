"""DPR7xx: workflow determinism and shape.

A workflow is a function registered with a WorkflowRuntime (`@wfr.workflow`, `wfr.register_workflow(fn)`,
`register_versioned_workflow`), methods included; an activity likewise. Functions that merely take a
`ctx` parameter are not workflows: only registration decides.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from functools import partial
from typing import Iterable, Iterator, Optional

import libcst as cst

from dapr_lint.diagnostics import EditBuilder, Finding, Fix, Location
from dapr_lint.project import Project, is_test_file
from dapr_lint.python import edits
from dapr_lint.python.model import (
    CallSite,
    Const,
    FunctionInfo,
    FunctionRef,
    ModuleModel,
    Ref,
    argument,
    has_keyword,
    has_star_kwargs,
    keyword_arg,
)
from dapr_lint.python.model.clients import client_facts
from dapr_lint.python.sdk_releases import at_least, default_at
from dapr_lint.python.model.workflow_facts import context_method, context_param, registered_functions
from dapr_lint.python.rules.pages import workflows as pages
from dapr_lint.registry import Reporter, RuleSpec, invalid, rule, valid
from dapr_lint.settings import Settings
from dapr_lint.summaries import ImportedName, ModuleSummary, WorkflowRuntimeStart
from dapr_lint.python.model.exceptions import exception_facts

_TASK_METHODS = frozenset({"call_activity", "call_child_workflow", "create_timer", "wait_for_external_event"})
_INPUT_METHODS = frozenset({"call_activity", "call_child_workflow"})
# Calls that collect tasks for a later `yield` (when_all/when_any, list building).
_COLLECTORS = frozenset({"when_all", "when_any", "append", "extend", "insert", "add", "list", "tuple"})


def workflows(model: ModuleModel) -> list[FunctionInfo]:
    return registered_functions(model, "workflow")


def activities(model: ModuleModel) -> list[FunctionInfo]:
    return registered_functions(model, "activity")


def context_name(info: FunctionInfo) -> Optional[str]:
    """The name of a workflow's context parameter: its first parameter after self."""
    return context_param(info)


def _contexts(model: ModuleModel) -> dict[int, tuple[FunctionInfo, str]]:
    """Workflow id -> (workflow, name of its context parameter)."""
    found: dict[int, tuple[FunctionInfo, str]] = {}
    for info in workflows(model):
        name = context_name(info)
        if name is not None:
            found[id(info)] = (info, name)
    return found


def _calls_in(info: FunctionInfo) -> list[CallSite]:
    """Calls that run as part of the workflow body: its own calls (comprehensions included)."""
    return info.calls


# ------------------------------------------------------------------------------------------------
# DPR701
# ------------------------------------------------------------------------------------------------

_NOW = "`ctx.current_utc_datetime`"
_NON_DETERMINISTIC: dict[str, str] = {
    "datetime.datetime.now": _NOW,
    "datetime.datetime.utcnow": _NOW,
    "datetime.datetime.today": _NOW,
    "datetime.date.today": "`ctx.current_utc_datetime.date()`",
    "time.time": _NOW,
    "time.time_ns": _NOW,
    "time.monotonic": _NOW,
    "time.monotonic_ns": _NOW,
    "time.perf_counter": _NOW,
    "time.localtime": _NOW,
    "time.gmtime": _NOW,
    "uuid.uuid1": "`ctx.uuid4()`",
    "uuid.uuid4": "`ctx.uuid4()`",
    "os.urandom": "`ctx.random()` (or generate the bytes in an activity)",
}
_UTC = frozenset({"datetime.timezone.utc", "datetime.UTC"})


# Releases the workflow rules speak of (python/sdk_versions.py and the tags): the vendored durabletask's
# deterministic helpers (`ctx.uuid4()`, `ctx.random()`), and activities written as `async def` being awaited.
DETERMINISTIC_HELPERS = "1.18.0"
AWAITED_ACTIVITIES = "1.18.1"


def _non_deterministic(path: str) -> Optional[str]:
    if path in _NON_DETERMINISTIC:
        return _NON_DETERMINISTIC[path]
    if path.startswith("random."):
        return "`ctx.random()` (or `ctx.random_int(...)`)"
    if path.startswith("secrets."):
        return "a value made in an activity (or `ctx.uuid4()`)"
    return None


@rule(
    RuleSpec(
        code="DPR701",
        name="non-deterministic-workflow",
        category="bug",
        summary="A clock, random or UUID call inside a registered workflow: replay takes another path (NonDeterminismError).",
        target="python",
        predicts="exception",
        fix_safety="safe",
        fix_description=(
            "`datetime.utcnow()` becomes `ctx.current_utc_datetime`, "
            "`datetime.now(timezone.utc)` becomes `ctx.current_utc_datetime.replace(tzinfo=timezone.utc)`."
        ),
        fix_note="(UTC clock reads)",
        prose=pages.DPR701,
        examples=(
            invalid(
                """
                import uuid
                from datetime import datetime, timezone

                from dapr.ext.workflow import DaprWorkflowContext, WorkflowActivityContext, WorkflowRuntime

                wfr = WorkflowRuntime()


                @wfr.workflow
                def order_workflow(ctx: DaprWorkflowContext, order: dict):
                    order_id = str(uuid.uuid4())  # DPR701
                    started = datetime.now(timezone.utc)  # DPR701
                    yield ctx.call_activity(charge, input={"id": order_id, "at": started.isoformat()})


                @wfr.activity
                def charge(ctx: WorkflowActivityContext, payment: dict) -> None:
                    ...
                """,
            ),
            valid(
                """
                from dapr.ext.workflow import DaprWorkflowContext, WorkflowActivityContext, WorkflowRuntime

                wfr = WorkflowRuntime()


                @wfr.workflow
                def order_workflow(ctx: DaprWorkflowContext, order: dict):
                    order_id = str(ctx.uuid4())
                    started = ctx.current_utc_datetime
                    yield ctx.call_activity(charge, input={"id": order_id, "at": started.isoformat()})


                @wfr.activity
                def charge(ctx: WorkflowActivityContext, payment: dict) -> None:
                    ...
                """,
            ),
        ),
    )
)
def non_deterministic_workflow(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    contexts = _contexts(model)
    for info in workflows(model):
        ctx = contexts.get(id(info), (info, "ctx"))[1]
        for site in _calls_in(info):
            path = model.callee_path(site.node, site.scope)
            if path is None:
                continue
            replacement = _non_deterministic(path)
            if replacement is None:
                continue
            if path in ("random.Random", "random.seed") and site.node.args:
                continue  # a seeded generator is deterministic
            fix = None
            if path == "datetime.datetime.utcnow":
                fix = Fix(f"Replace with `{ctx}.current_utc_datetime`.", partial(edits.replace_dotted, site.node, f"{ctx}.current_utc_datetime"))
            elif path == "datetime.datetime.now" and _is_utc(model, site):
                # `current_utc_datetime` is naive (UTC); `now(utc)` is aware: keep it aware, with the same tz
                # object, or comparisons and arithmetic with other aware datetimes raise TypeError
                fix = Fix(f"Replace with `{ctx}.current_utc_datetime.replace(tzinfo=...)`.", partial(_aware_now, site.node, ctx))
            if not at_least(model.sdk.low, DETERMINISTIC_HELPERS) and ("ctx.uuid4" in replacement or "ctx.random" in replacement):
                replacement = "a value made in an activity"  # no `ctx.uuid4()`/`ctx.random()` in every admitted release
            replacement = replacement.replace("ctx.", f"{ctx}.")
            yield report(
                site.node,
                f"`{path}()` in workflow `{info.name}` differs on replay: NonDeterminismError or a silent other path",
                fix,
                detail=f"It returns a different value when the workflow replays. Use {replacement}.",
            )


def _yielded(node: cst.CSTNode) -> cst.CSTNode:
    return cst.Yield(value=node)  # type: ignore[arg-type]


def _aware_now(call: cst.Call, ctx: str) -> edits.Edit:
    """`datetime.now(tz)` -> `ctx.current_utc_datetime.replace(tzinfo=tz)` (tz as written)."""

    def replace(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Call)
        naive = cst.parse_expression(f"{ctx}.current_utc_datetime.replace")
        return cst.Call(func=naive, args=[cst.Arg(keyword=cst.Name("tzinfo"), value=node.args[0].value,
                                                  equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))])

    return edits.Edit(call, replace)


def _is_utc(model: ModuleModel, site: CallSite) -> bool:
    args = site.node.args
    if len(args) != 1 or (args[0].keyword is not None and args[0].keyword.value != "tz"):
        return False
    value = model.value_of(args[0].value, site.scope)
    return isinstance(value, Ref) and value.path in _UTC


# ------------------------------------------------------------------------------------------------
# DPR702
# ------------------------------------------------------------------------------------------------

_HTTP_PREFIXES = ("requests.", "httpx.", "aiohttp.", "urllib.request.", "urllib3.")
_SLEEPS = frozenset({"time.sleep", "asyncio.sleep"})


@rule(
    RuleSpec(
        code="DPR702",
        name="io-in-workflow",
        category="bug",
        summary="I/O (Dapr clients, HTTP, files, sleep) inside a registered workflow: it runs again on every replay.",
        target="python",
        predicts="exception",
        prose=pages.DPR702,
        examples=(
            invalid(
                """
                import time

                import requests
                from dapr.ext.workflow import DaprWorkflowContext, WorkflowActivityContext, WorkflowRuntime

                wfr = WorkflowRuntime()


                @wfr.workflow
                def shipping(ctx: DaprWorkflowContext, order: dict):
                    requests.post("https://carrier.example/ship", json=order)  # DPR702
                    time.sleep(5)  # DPR702
                """,
            ),
            valid(
                """
                from datetime import timedelta

                import requests
                from dapr.ext.workflow import DaprWorkflowContext, WorkflowActivityContext, WorkflowRuntime

                wfr = WorkflowRuntime()


                @wfr.workflow
                def shipping(ctx: DaprWorkflowContext, order: dict):
                    yield ctx.call_activity(ship, input=order)
                    yield ctx.create_timer(timedelta(seconds=5))


                @wfr.activity
                def ship(ctx: WorkflowActivityContext, order: dict) -> None:
                    requests.post("https://carrier.example/ship", json=order)
                """,
            ),
        ),
    )
)
def io_in_workflow(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    contexts = _contexts(model)
    for info in workflows(model):
        ctx = contexts.get(id(info), (info, "ctx"))[1]
        for site in _calls_in(info):
            func = site.node.func
            constructed = client_facts(model).constructed_client(site)
            if constructed is not None:
                yield report(
                    site.node,
                    f"{constructed.display} constructed in workflow `{info.name}`: its I/O runs again on every replay",
                    detail="A workflow replays from the start many times and must do no I/O. Move the Dapr call into an activity.",
                )
                continue
            method = client_facts(model).client_method_call(site)
            if method is not None:
                yield report(
                    site.node,
                    f"`{method[1]}` on a {method[0].display} in workflow `{info.name}` runs again on every replay",
                    detail="Move it into an activity and `yield ctx.call_activity(...)`.",
                )
                continue
            if isinstance(func, cst.Name) and func.value == "open" and not model.lookup("open", site.scope):
                yield report(
                    site.node,
                    f"`open()` in workflow `{info.name}`: file I/O runs again on every replay and may see other data",
                    detail="Move it into an activity.",
                )
                continue
            path = model.callee_path(site.node, site.scope)
            if path is None:
                continue
            if path in _SLEEPS:
                yield report(
                    site.node,
                    f"`{path}()` in workflow `{info.name}` blocks the workflow worker and is not durable",
                    detail=f"Use `yield {ctx}.create_timer(timedelta(...))`.",
                )
            elif path.startswith(_HTTP_PREFIXES):
                yield report(
                    site.node,
                    f"`{path}()` in workflow `{info.name}`: network I/O runs again on every replay",
                    detail="Move it into an activity.",
                )


# ------------------------------------------------------------------------------------------------
# DPR703
# ------------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR703",
        name="task-not-yielded",
        category="bug",
        summary="A workflow task (`call_activity`, `create_timer`, ...) that is never yielded: it is never scheduled.",
        target="python",
        predicts="exception",
        fix_safety="safe",
        fix_description="A bare expression statement becomes `yield <task>`.",
        fix_note="(bare statements)",
        prose=pages.DPR703,
        examples=(
            invalid(
                """
                from dapr.ext.workflow import DaprWorkflowContext, WorkflowActivityContext, WorkflowRuntime

                wfr = WorkflowRuntime()


                @wfr.workflow
                def notify(ctx: DaprWorkflowContext, order):
                    ctx.call_activity(send_email, input=order)  # DPR703: never scheduled
                    return "done"


                @wfr.activity
                def send_email(ctx: WorkflowActivityContext, order: dict) -> None:
                    ...
                """,
            ),
            valid(
                """
                from dapr.ext.workflow import DaprWorkflowContext, WorkflowActivityContext, WorkflowRuntime

                wfr = WorkflowRuntime()


                @wfr.workflow
                def notify(ctx: DaprWorkflowContext, order):
                    yield ctx.call_activity(send_email, input=order)
                    return "done"


                @wfr.activity
                def send_email(ctx: WorkflowActivityContext, order: dict) -> None:
                    ...
                """,
            ),
        ),
    )
)
def task_not_yielded(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for info in workflows(model):
        ends_after = _statements_followed_by_completion(info)
        for site in _calls_in(info):
            method = context_method(model, site)
            if method not in _TASK_METHODS:
                continue
            target = site.target or ("", None)
            stored = site.context == "assign" and target[0] == "name"
            if site.context != "stmt" and not (stored and target[1] and not model.uses_of(target[1], site.scope)):
                continue
            # A task that is not yielded is still sent with the next yield (fire-and-forget works); it is lost
            # when the workflow completes first: it never yields at all, or it returns right after.
            if info.is_generator and id(site.node) not in ends_after:
                continue
            why = "the workflow never yields, the task is cancelled" if not info.is_generator else "it is cancelled"
            evidence = (
                "The workflow never yields, so it completes at once and the task is cancelled."
                if not info.is_generator
                else "The workflow completes right after, which cancels the pending task."
            )
            if site.context == "stmt":
                yield report(
                    site.node,
                    f"`{method}` creates a task that is never yielded: {why}",
                    Fix("Yield the task.", partial(edits.Edit, site.node, _yielded)),
                    detail=f"{evidence} Write `yield` before it.",
                )
            else:
                yield report(
                    site.node,
                    f"the task from `{method}` in `{target[1]}` is never yielded or collected: {why}",
                    detail=f"{evidence} Yield it, or collect it into `when_all`/`when_any`.",
                )


def _statements_followed_by_completion(info: FunctionInfo) -> set[int]:
    """ids of the calls in top-level statements of `info` that the workflow's completion follows directly
    (the last statement, or one before `return` / `ctx.continue_as_new(...)`). Only the top-level
    statement list is read: no walk."""
    node = info.node
    if not isinstance(node, cst.FunctionDef) or not isinstance(node.body, cst.IndentedBlock):
        return set()
    body = node.body.body
    found: set[int] = set()
    for index, statement in enumerate(body):
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            continue
        small = statement.body[0]
        call = None
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            call = small.value
        elif isinstance(small, cst.Assign) and isinstance(small.value, cst.Call):
            call = small.value
        if call is None:
            continue
        following = body[index + 1] if index + 1 < len(body) else None
        if following is None or _completes_workflow(following):
            found.add(id(call))
    return found


def _completes_workflow(statement: cst.BaseStatement) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine) or not statement.body:
        return False
    first = statement.body[0]
    if isinstance(first, cst.Return):
        return not isinstance(first.value, cst.Yield)
    if isinstance(first, cst.Expr) and isinstance(first.value, cst.Call):
        func = first.value.func
        return isinstance(func, cst.Attribute) and func.attr.value == "continue_as_new"
    return False


# ------------------------------------------------------------------------------------------------
# DPR704
# ------------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR704",
        name="async-workflow",
        category="bug",
        summary="A workflow defined with `async def`: the runtime expects a generator, and the instance never completes.",
        target="python",
        predicts="exception",
        prose=pages.DPR704,
        examples=(
            invalid(
                """
                from dapr.ext.workflow import DaprWorkflowContext, WorkflowActivityContext, WorkflowRuntime

                wfr = WorkflowRuntime()


                @wfr.workflow
                async def order_workflow(ctx: DaprWorkflowContext, order: dict):  # DPR704
                    return await ctx.call_activity(charge, input=order)


                @wfr.activity
                def charge(ctx: WorkflowActivityContext, order: dict) -> dict:
                    ...
                """,
            ),
            valid(
                """
                from dapr.ext.workflow import DaprWorkflowContext, WorkflowActivityContext, WorkflowRuntime

                wfr = WorkflowRuntime()


                @wfr.workflow
                def order_workflow(ctx: DaprWorkflowContext, order: dict):
                    return (yield ctx.call_activity(charge, input=order))


                @wfr.activity
                def charge(ctx: WorkflowActivityContext, order: dict) -> dict:
                    ...
                """,
            ),
        ),
    )
)
def async_workflow(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    if not at_least(model.sdk.low, AWAITED_ACTIVITIES):
        # before 1.18.1 the worker called an `async def` activity and returned its coroutine un-run
        for info in activities(model):
            if info.is_async:
                yield report(
                    info.name_node,
                    f"activity `{info.name}` is an `async def`: before SDK {AWAITED_ACTIVITIES} (the project admits "
                    f"{model.sdk.low}) it never runs",
                )
    for info in workflows(model):
        if info.is_async:
            yield report(
                info.name_node,
                f"workflow `{info.name}` is an `async def`: the runtime never awaits it, the instance never completes",
                detail="The instance produces no actions. Write a generator (`def` with `yield ctx....`).",
            )


# ------------------------------------------------------------------------------------------------
# DPR705
# ------------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR705",
        name="positional-activity-input",
        category="bug",
        summary="`call_activity`/`call_child_workflow` given its input positionally: `input` is keyword-only (TypeError).",
        target="python",
        predicts="exception",
        fix_safety="safe",
        fix_description="Pass the input as `input=`.",
        prose=pages.DPR705,
        examples=(
            invalid(
                """
                from dapr.ext.workflow import DaprWorkflowContext, WorkflowActivityContext, WorkflowRuntime

                wfr = WorkflowRuntime()


                @wfr.workflow
                def order_workflow(ctx: DaprWorkflowContext, order: dict):
                    result = yield ctx.call_activity(charge, order)  # DPR705
                    return result


                @wfr.activity
                def charge(ctx: WorkflowActivityContext, order: dict) -> dict:
                    ...
                """,
            ),
            valid(
                """
                from dapr.ext.workflow import DaprWorkflowContext, WorkflowActivityContext, WorkflowRuntime

                wfr = WorkflowRuntime()


                @wfr.workflow
                def order_workflow(ctx: DaprWorkflowContext, order: dict):
                    result = yield ctx.call_activity(charge, input=order)
                    return result


                @wfr.activity
                def charge(ctx: WorkflowActivityContext, order: dict) -> dict:
                    ...
                """,
            ),
        ),
    )
)
def positional_activity_input(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for site in model.calls:
        method = context_method(model, site)
        if method not in _INPUT_METHODS:
            continue
        positional = [arg for arg in site.node.args if arg.keyword is None and not arg.star]
        if len(positional) < 2:
            continue
        yield report(
            positional[1].value,
            f"`{method}` takes its input as the keyword `input=` only: TypeError, the workflow fails",
            Fix("Pass it as `input=`.", _as_input_keyword(site.node, positional)),
            detail="Pass `input=...`.",
        )


def _as_input_keyword(call: cst.Call, positional: list[cst.Arg]) -> Optional[EditBuilder]:
    if len(positional) != 2 or has_keyword(call, "input"):
        return None
    return partial(_input_keyword, positional[1])


def _input_keyword(arg: cst.Arg) -> edits.Edit:
    no_space = cst.SimpleWhitespace("")
    return edits.Edit(
        arg,
        lambda node: node.with_changes(  # type: ignore[union-attr]
            keyword=cst.Name("input"), equal=cst.AssignEqual(whitespace_before=no_space, whitespace_after=no_space)
        ),
    )


# ------------------------------------------------------------------------------------------------
# DPR706
# ------------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR706",
        name="direct-activity-call",
        category="bug",
        summary="A registered activity called directly inside a workflow instead of `yield ctx.call_activity(...)`.",
        target="python",
        predicts="exception",
        prose=pages.DPR706,
        examples=(
            invalid(
                """
                from dapr.ext.workflow import DaprWorkflowContext, WorkflowActivityContext, WorkflowRuntime

                wfr = WorkflowRuntime()


                @wfr.workflow
                def checkout(ctx: DaprWorkflowContext, order):
                    receipt = charge(ctx, order)  # DPR706
                    return receipt


                @wfr.activity
                def charge(ctx: WorkflowActivityContext, order: dict) -> dict:
                    ...
                """,
            ),
            valid(
                """
                from dapr.ext.workflow import DaprWorkflowContext, WorkflowActivityContext, WorkflowRuntime

                wfr = WorkflowRuntime()


                @wfr.workflow
                def checkout(ctx: DaprWorkflowContext, order):
                    receipt = yield ctx.call_activity(charge, input=order)
                    return receipt


                @wfr.activity
                def charge(ctx: WorkflowActivityContext, order: dict) -> dict:
                    ...
                """,
            ),
        ),
    )
)
def direct_activity_call(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    registered = {id(info): info for info in activities(model)}
    if not registered:
        return
    contexts = _contexts(model)
    for info in workflows(model):
        ctx = contexts.get(id(info), (info, "ctx"))[1]
        for site in _calls_in(info):
            value = model.value_of(site.node.func, site.scope)
            if not isinstance(value, FunctionRef) or id(value.info) not in registered:
                continue
            activity = value.info
            decorated = any(
                h.kind == "activity" and isinstance(h.node, cst.Decorator) for h in activity.handlers
            )
            consequence = (
                "TypeError, its decorator replaced it"
                if decorated
                else "it runs inline on every replay, without retries"
            )
            yield report(
                site.node,
                f"activity `{activity.name}` called directly in workflow `{info.name}`: {consequence}",
                detail=f"Use `yield {ctx}.call_activity({activity.name}, input=...)`.",
            )


# ------------------------------------------------------------------------------------------------
# DPR709
# ------------------------------------------------------------------------------------------------

_WAITS = frozenset({"wait_for_workflow_completion", "wait_for_workflow_start"})
# Handlers that serve a request or an event: waiting there pins the worker (and the caller) for the workflow's life.
_SERVING_HANDLERS = frozenset(
    {"route", "subscription", "grpc_method", "grpc_subscription", "grpc_binding", "grpc_job"}
)


@rule(
    RuleSpec(
        code="DPR709",
        name="unbounded-workflow-wait",
        category="bug",
        summary="`wait_for_workflow_completion`/`wait_for_workflow_start` with no timeout in a request or event handler: "
        "it waits forever (SDK ≥ 1.15).",
        target="python",
        prose=pages.DPR709,
        examples=(
            invalid(
                """
                from dapr.ext.workflow import DaprWorkflowClient
                from fastapi import FastAPI

                app = FastAPI()
                wf_client = DaprWorkflowClient()


                @app.post("/orders")
                def start_order(order: dict):
                    instance_id = wf_client.schedule_new_workflow("order_workflow", input=order)
                    state = wf_client.wait_for_workflow_completion(instance_id)  # DPR709
                    return {"status": state.runtime_status.name}
                """,
            ),
            valid(
                """
                from dapr.ext.workflow import DaprWorkflowClient
                from fastapi import FastAPI

                app = FastAPI()
                wf_client = DaprWorkflowClient()


                @app.post("/orders")
                def start_order(order: dict):
                    instance_id = wf_client.schedule_new_workflow("order_workflow", input=order)
                    state = wf_client.wait_for_workflow_completion(instance_id, timeout_in_seconds=30)
                    return {"status": state.runtime_status.name if state else "UNKNOWN"}
                """,
            ),
        ),
    )
)
def unbounded_workflow_wait(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for site in model.calls:
        info = site.function
        if info is None or not any(h.kind in _SERVING_HANDLERS for h in info.handlers):
            continue
        method = client_facts(model).client_method_call(site)
        if method is None or method[0].family != "workflow" or method[1] not in _WAITS:
            continue
        if has_star_kwargs(site.node):
            continue
        timeout = keyword_arg(site.node, "timeout_in_seconds")
        # the default is 0 (no timeout) since SDK 1.15, 60 s with a TimeoutError before (M3): the newest release
        # the project admits decides
        default = default_at(_SYNC_WORKFLOW_CLIENT, method[1], "timeout_in_seconds", model.sdk.high)
        if timeout is None and default == 60:
            if _catches_timeout(model, site):
                continue
            yield report(
                site.node,
                f"`{method[1]}` in handler `{info.name}` raises TimeoutError after 60 s (SDK < 1.15), and nothing catches it",
            )
            continue
        if timeout is None:
            how = "with no timeout"
        else:
            value = model.value_of(timeout.value, site.scope)
            if value not in (Const(0), Const(None)) or default == 60:
                continue
            how = "with a timeout of 0"
        yield report(
            site.node,
            f"`{method[1]}` {how} in handler `{info.name}` waits forever (SDK ≥ 1.15) and holds the request",
        )


_SYNC_WORKFLOW_CLIENT = "dapr.ext.workflow.DaprWorkflowClient"


def _catches_timeout(model: ModuleModel, site: CallSite) -> bool:
    for info in site.tries:
        for clause in info.handlers:
            types = exception_facts(model).caught_types(clause)
            if exception_facts(model).catches(clause, "any") or any(t.rsplit(".", 1)[-1] in ("TimeoutError", "OSError") for t in types):
                return True
    return False


# ------------------------------------------------------------------------------------------------
# DPR711
# ------------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR711",
        name="timer-needs-datetime",
        category="bug",
        summary="`ctx.create_timer(<number>)`: a timer takes a `datetime` or a `timedelta` (TypeError fails the workflow).",
        target="python",
        predicts="exception",
        fix_safety="safe",
        fix_description="The number becomes `timedelta(seconds=N)` (`from datetime import timedelta` added when missing).",
        prose=pages.DPR711,
        examples=(
            invalid(
                """
                from dapr.ext.workflow import DaprWorkflowContext, WorkflowRuntime

                wfr = WorkflowRuntime()


                @wfr.workflow
                def reminder(ctx: DaprWorkflowContext, delay: int):
                    yield ctx.create_timer(30)  # DPR711
                    return "done"
                """,
            ),
            valid(
                """
                from datetime import timedelta

                from dapr.ext.workflow import DaprWorkflowContext, WorkflowRuntime

                wfr = WorkflowRuntime()


                @wfr.workflow
                def reminder(ctx: DaprWorkflowContext, delay: int):
                    yield ctx.create_timer(timedelta(seconds=30))
                    return "done"
                """,
            ),
        ),
    )
)
def timer_needs_datetime(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for site in model.calls:
        if context_method(model, site) != "create_timer":
            continue
        fire_at = argument(site.node, 0, "fire_at")
        if fire_at is None or not _is_number(model, fire_at, site.scope):
            continue
        text = model.module.code_for_node(fire_at)
        shown = f"`create_timer({text})`" if len(text) <= 30 else "`create_timer(<number>)`"
        reference = _timedelta_reference(model, site.scope)
        fix = None
        if reference is not None:
            name, imports = reference
            fix = Fix(
                f"Wrap it as `{name}(seconds={text})`.",
                partial(edits.Edit, fire_at, partial(_seconds, name), imports),
            )
        yield report(
            fire_at,
            f"{shown}: a timer takes a datetime or a timedelta, not a number (TypeError fails the workflow)",
            fix,
        )


def _is_number(model: ModuleModel, expr: cst.BaseExpression, scope) -> bool:
    if isinstance(expr, (cst.Integer, cst.Float)):
        return True
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, (cst.Minus, cst.Plus)):
        return _is_number(model, expr.expression, scope)
    if isinstance(expr, cst.BinaryOperation) and isinstance(
        expr.operator, (cst.Add, cst.Subtract, cst.Multiply, cst.Divide, cst.FloorDivide)
    ):
        return _is_number(model, expr.left, scope) and _is_number(model, expr.right, scope)
    if isinstance(expr, cst.Name):
        value = model.value_of(expr, scope)
        return isinstance(value, Const) and type(value.value) in (int, float)
    return False


def _timedelta_reference(model: ModuleModel, scope) -> Optional[tuple[str, tuple[edits.ImportSpec, ...]]]:
    """How code in `scope` names `datetime.timedelta`, with the import that makes it so (None: no clean way)."""
    bindings = model.lookup("timedelta", scope)
    if bindings and all(b.kind == "import" and b.target == "datetime.timedelta" for b in bindings):
        return "timedelta", ()
    module = model.lookup("datetime", scope)
    if module and all(b.kind == "import" and b.target == "datetime" for b in module):
        return "datetime.timedelta", ()
    if not bindings:
        return "timedelta", (edits.ImportSpec("datetime", "timedelta"),)
    return None


def _seconds(name: str, node: cst.CSTNode) -> cst.CSTNode:
    no_space = cst.SimpleWhitespace("")
    return cst.Call(
        func=cst.parse_expression(name),
        args=[cst.Arg(keyword=cst.Name("seconds"), value=node, equal=cst.AssignEqual(no_space, no_space))],  # type: ignore[arg-type]
    )


# ------------------------------------------------------------------------------------------------
# The project rules (DPR707, DPR708, DPR710): registrations, targets and events joined over an app's modules
# ------------------------------------------------------------------------------------------------


@dataclass
class _Registry:
    """What the runtimes of a group of modules register, per kind: registered names and the functions' own
    names. `complete` is False when some registration's name cannot be told."""

    names: dict[str, set[str]]
    functions: dict[str, set[str]]
    complete: bool

    def knows(self, kind: str, name: Optional[str], function: Optional[str]) -> bool:
        if function is not None and (function in self.functions[kind] or function in self.names[kind]):
            return True
        return name is not None and name in self.names[kind]


# The SDK's and dapr-agents' own packages, when the linted repository is one of them: library code, not an app's.
_LIBRARY_PACKAGES = re.compile(r"(^|/)(dapr/ext|dapr/clients|dapr/actor|dapr_agents)/")


def _source_modules(project: Project, modules: Iterable[ModuleSummary]) -> list[ModuleSummary]:
    return [m for m in modules if not is_test_file(m.path) and not _LIBRARY_PACKAGES.search(m.path.replace(os.sep, "/"))]


def _app_modules(project: Project, summary: ModuleSummary) -> list[ModuleSummary]:
    """The modules that run in a process with `summary`: those of its apps, or, for a module of no app, those of
    its repository."""
    apps = project.apps_of(summary.file)
    files: set[str] = set()
    if apps:
        for app in apps:
            files.update(app.modules)
    else:
        model = project.model_of(summary.file)
        if model is not None:
            files.update(model.modules)
    found = [project.by_file.get(os.path.normcase(f)) for f in sorted(files)]
    return _source_modules(project, (m for m in found if m is not None))


def _registry(project: Project, modules: list[ModuleSummary]) -> _Registry:
    names: dict[str, set[str]] = {"workflow": set(), "activity": set()}
    functions: dict[str, set[str]] = {"workflow": set(), "activity": set()}
    complete = True
    pending = list(modules)
    seen = {id(m) for m in pending}
    index = 0
    while index < len(pending):
        summary = pending[index]
        index += 1
        facts = summary.workflows
        complete = complete and not facts.opaque
        for path in facts.handed:
            # a registration helper of another module: its own `register_*` calls count with the app's
            module = path.rpartition(".")[0]
            home = project.model_of(summary.file)
            helpers = [h for h in (project.modules(summary, module) if module else []) if project.model_of(h.file) is home]
            if not helpers:
                complete = False
            for helper in helpers:
                if id(helper) not in seen:
                    seen.add(id(helper))
                    pending.append(helper)
        for registration in facts.registrations:
            name = project.string(summary, registration.name)
            if name is None:
                complete = False
                continue
            names[registration.kind].add(name)
            if registration.function is not None:
                functions[registration.kind].add(registration.function)
    return _Registry(names, functions, complete)


def _target_name(project: Project, summary: ModuleSummary, target) -> tuple[Optional[str], Optional[str]]:
    """(name, function) a target sends: a constant resolved across modules; an imported name that is no
    constant is a function of another module, known by its own name (an UPPER_CASE one is left unknown)."""
    name = project.string(summary, target.name)
    function = target.function
    if name is None and isinstance(target.name, ImportedName):
        last = target.name.path.rsplit(".", 1)[-1]
        if last.isupper() or not last.isidentifier():
            return None, None
        function = last
    return name, function


def _closest(name: str, candidates: Iterable[str], fold: bool = False) -> Optional[str]:
    pool = sorted(candidates)
    if fold:
        by_fold = {c.casefold(): c for c in pool}
        match = difflib.get_close_matches(name.casefold(), list(by_fold), n=1, cutoff=0.6)
        return by_fold[match[0]] if match else None
    match = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    return match[0] if match else None


# ------------------------------------------------------------------------------------------------
# DPR707
# ------------------------------------------------------------------------------------------------

_UNREGISTERED_WORKFLOW = """
from dapr.ext.workflow import DaprWorkflowContext, WorkflowActivityContext, WorkflowRuntime

wfr = WorkflowRuntime()


@wfr.workflow(name="order_workflow")
def order_workflow(ctx: DaprWorkflowContext, order: dict):
    yield ctx.call_activity("reserve_stock", input=order)
    yield ctx.call_activity(charge_card, input=order){marker}
    return "done"


@wfr.activity(name="reserve_stock")
def reserve_stock(ctx: WorkflowActivityContext, order: dict) -> None:
    ...


{decorator}def charge_card(ctx: WorkflowActivityContext, order: dict) -> None:
    ...
"""


@rule(
    RuleSpec(
        code="DPR707",
        name="unregistered-workflow-target",
        category="bug",
        summary="`call_activity`/`call_child_workflow`/`schedule_new_workflow` naming a workflow or activity no runtime "
        "of the app registers: the instance fails (or hangs).",
        target="project",
        predicts="exception",
        prose=pages.DPR707,
        examples=(
            invalid(
                _UNREGISTERED_WORKFLOW.format(marker="  # DPR707: never registered", decorator=""),
                filename="app.py",
            ),
            valid(_UNREGISTERED_WORKFLOW.format(marker="", decorator="@wfr.activity\n"), filename="app.py"),
        ),
    )
)
def unregistered_workflow_target(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
    registries: dict[tuple[str, ...], _Registry] = {}
    for summary in _source_modules(project, project.summaries):
        targets = [t for t in summary.workflows.targets if not t.remote]
        if not targets:
            continue
        modules = _app_modules(project, summary)
        key = tuple(m.file for m in modules)
        registry = registries.get(key)
        if registry is None:
            registry = registries[key] = _registry(project, modules)
        if not registry.complete:
            continue
        for target in targets:
            if not registry.names[target.kind]:
                continue  # this app registers no workflow (activity): it may only be a client of another
            name, function = _target_name(project, summary, target)
            if name is None and function is None:
                continue
            if registry.knows(target.kind, name, function):
                continue
            shown = name if name is not None else function
            assert shown is not None
            other = "activity" if target.kind == "workflow" else "workflow"
            if registry.knows(other, name, function):
                article = "an" if other == "activity" else "a"
                what = f"`{shown}` is registered as {article} {other}, not {'an' if other == 'workflow' else 'a'} {target.kind}"
            else:
                closest = _closest(shown, registry.names[target.kind])
                what = f"{target.kind} `{shown}` is not registered"
                hinted = f"{what} (closest: `{closest}`)"
                if closest and len(hinted) + len(target.method) < 120 - 23:  # the message stays within 120
                    what = hinted
            yield report(Location(summary.path, target.span), f"{what}: `{target.method}` fails the instance")


# ------------------------------------------------------------------------------------------------
# DPR708
# ------------------------------------------------------------------------------------------------


def _import_closure(project: Project, entry: ModuleSummary, allowed: dict[str, ModuleSummary]) -> list[ModuleSummary]:
    """The modules of `allowed` (an app's) that `entry` imports, directly or through each other, entry first."""
    order = [entry]
    seen = {os.path.normcase(entry.file)}
    index = 0
    while index < len(order):
        current = order[index]
        index += 1
        for dotted in current.practices.imports:
            for found in project.modules(current, dotted):
                key = os.path.normcase(found.file)
                if key in allowed and key not in seen:
                    seen.add(key)
                    order.append(found)
    return order


def _runtime_identity(project: Project, summary: ModuleSummary, start) -> Optional[tuple[str, str, str]]:
    """What a started runtime is, across modules: (kind, file, name); None when an imported one cannot be
    followed."""
    if start.imported is None:
        return start.kind, summary.file, start.key
    module, _, name = start.imported.rpartition(".")
    found = project.modules(summary, module) if module else []
    if len(found) != 1:
        return None
    return start.kind, found[0].file, name


@rule(
    RuleSpec(
        code="DPR708",
        name="multiple-workflow-runtimes",
        category="bug",
        summary="Two WorkflowRuntimes (or one beside a dapr-agents DurableAgent with its own) started in one app: each "
        "holds part of the registrations, and instances fail at random.",
        target="project",
        predicts="exception",
        prose=pages.DPR708,
        examples=(
            invalid(
                """
                from dapr.ext.workflow import DaprWorkflowContext, WorkflowActivityContext, WorkflowRuntime

                orders = WorkflowRuntime()
                billing = WorkflowRuntime()


                @orders.workflow
                def order_workflow(ctx: DaprWorkflowContext, order: dict):
                    yield ctx.call_activity(charge, input=order)


                @billing.activity
                def charge(ctx: WorkflowActivityContext, order: dict) -> None:
                    ...


                if __name__ == "__main__":
                    orders.start()
                    billing.start()  # DPR708
                """,
                filename="app.py",
            ),
            valid(
                """
                from dapr.ext.workflow import DaprWorkflowContext, WorkflowActivityContext, WorkflowRuntime

                wfr = WorkflowRuntime()


                @wfr.workflow
                def order_workflow(ctx: DaprWorkflowContext, order: dict):
                    yield ctx.call_activity(charge, input=order)


                @wfr.activity
                def charge(ctx: WorkflowActivityContext, order: dict) -> None:
                    ...


                if __name__ == "__main__":
                    wfr.start()
                """,
                filename="app.py",
            ),
        ),
    )
)
def multiple_workflow_runtimes(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
    reported: set[tuple[str, int]] = set()
    for model in project.models:
        for app in model.apps:
            allowed = {
                os.path.normcase(f): m
                for f in app.modules
                if (m := project.by_file.get(os.path.normcase(f))) is not None and _source_modules(project, [m])
            }
            for entry_file in app.entries:
                entry = allowed.get(os.path.normcase(entry_file))
                if entry is None:
                    continue
                yield from _runtimes_of_process(project, entry, allowed, reported, report)


def _runtimes_of_process(
    project: Project, entry: ModuleSummary, allowed: dict[str, ModuleSummary], reported: set, report: Reporter
) -> Iterator[Finding]:
    started: list[tuple[tuple[str, str, str], ModuleSummary, WorkflowRuntimeStart]] = []
    for summary in _import_closure(project, entry, allowed):
        for start in summary.workflows.started:
            if start.script and summary is not entry:
                continue  # `if __name__ == "__main__":` of an imported module does not run
            identity = _runtime_identity(project, summary, start)
            if identity is None:
                return  # a runtime the summaries cannot follow: it may be one already counted
            if all(identity != seen for seen, _s, _x in started):
                started.append((identity, summary, start))
    runtimes = [s for s in started if s[0][0] == "WorkflowRuntime"]
    agents = [s for s in started if s[0][0] == "DurableAgent"]
    if not runtimes or len(runtimes) + len(agents) < 2:
        return
    (_first_id, first_summary, first), *rest = runtimes + agents
    for identity, summary, start in rest:
        span = start.span
        if (summary.path, span.line) in reported:
            continue
        reported.add((summary.path, span.line))
        where = "" if summary is first_summary else f" ({os.path.basename(first_summary.path)}:{first.span.line})"
        what = f"DurableAgent `{identity[2]}` starts its own WorkflowRuntime" if identity[0] == "DurableAgent" else (
            f"a second WorkflowRuntime `{identity[2]}` starts"
        )
        yield report(Location(summary.path, span), f"{what} beside `{first.key}`{where}: instances fail at random")


# ------------------------------------------------------------------------------------------------
# DPR710
# ------------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR710",
        name="unheard-external-event",
        category="practice",
        summary="`raise_workflow_event` with a name no workflow of the repository waits for: the instance never sees it.",
        target="project",
        prose=pages.DPR710,
        examples=(
            invalid(
                """
                from dapr.ext.workflow import DaprWorkflowClient, DaprWorkflowContext, WorkflowRuntime

                wfr = WorkflowRuntime()


                @wfr.workflow
                def approval_workflow(ctx: DaprWorkflowContext, order: dict):
                    approved = yield ctx.wait_for_external_event("approval_received")
                    return approved


                def approve(instance_id: str) -> None:
                    DaprWorkflowClient().raise_workflow_event(instance_id, "approved", data=True)  # DPR710
                """,
                filename="app.py",
            ),
            valid(
                """
                from dapr.ext.workflow import DaprWorkflowClient, DaprWorkflowContext, WorkflowRuntime

                wfr = WorkflowRuntime()


                @wfr.workflow
                def approval_workflow(ctx: DaprWorkflowContext, order: dict):
                    approved = yield ctx.wait_for_external_event("approval_received")
                    return approved


                def approve(instance_id: str) -> None:
                    DaprWorkflowClient().raise_workflow_event(instance_id, "Approval_Received", data=True)
                """,
                filename="app.py",
            ),
        ),
    )
)
def unheard_external_event(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
    for model in project.models:
        modules = _source_modules(project, (m for f in sorted(model.modules) if (m := project.by_file.get(os.path.normcase(f)))))
        raised = [(m, e) for m in modules for e in m.workflows.raised if not e.remote]
        if not raised:
            continue
        waited: dict[str, str] = {}
        known_waiters = True
        for summary in modules:
            for event in summary.workflows.awaited:
                name = project.string(summary, event.name)
                if name is None:
                    known_waiters = False
                else:
                    waited.setdefault(name.casefold(), name)
        has_workflow = bool(waited) or any(
            r.kind == "workflow" for m in modules for r in m.workflows.registrations
        )
        if not known_waiters or not has_workflow:
            continue
        for summary, event in raised:
            name = project.string(summary, event.name)
            if name is None or name.casefold() in waited:
                continue
            if any(m.workflows.agents for m in _app_modules(project, summary)):
                continue  # an agent framework of the app waits for events of its own, under names it makes
            closest = _closest(name, waited.values(), fold=True)
            hint = f" (closest waiter: `{closest}`)" if closest and len(name) + len(closest) < 60 else ""
            yield report(
                Location(summary.path, event.span),
                f"no workflow waits for event `{name}`{hint}: the instance never sees it",
            )


# ------------------------------------------------------------------------------------------------
# DPR712
# ------------------------------------------------------------------------------------------------

_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"})
_LOGGER_FACTORIES = frozenset({"logging.getLogger", "structlog.get_logger", "structlog.getLogger"})
_LOGGER_OBJECTS = frozenset({"loguru.logger", "logging.root"})


@rule(
    RuleSpec(
        code="DPR712",
        name="replay-unsafe-logging",
        category="opinion",
        summary="Logging or `print` in a registered workflow outside `if not ctx.is_replaying`: it repeats on every replay.",
        target="python",
        prose=pages.DPR712,
        examples=(
            invalid(
                """
                import logging

                from dapr.ext.workflow import DaprWorkflowContext, WorkflowActivityContext, WorkflowRuntime

                wfr = WorkflowRuntime()
                logger = logging.getLogger(__name__)


                @wfr.workflow
                def order_workflow(ctx: DaprWorkflowContext, order: dict):
                    logger.info("charging order %s", order["id"])  # DPR712
                    yield ctx.call_activity(charge, input=order)


                @wfr.activity
                def charge(ctx: WorkflowActivityContext, order: dict) -> None:
                    logger.info("charged %s", order["id"])
                """,
            ),
            valid(
                """
                import logging

                from dapr.ext.workflow import DaprWorkflowContext, WorkflowActivityContext, WorkflowRuntime

                wfr = WorkflowRuntime()
                logger = logging.getLogger(__name__)


                @wfr.workflow
                def order_workflow(ctx: DaprWorkflowContext, order: dict):
                    if not ctx.is_replaying:
                        logger.info("charging order %s", order["id"])
                    yield ctx.call_activity(charge, input=order)


                @wfr.activity
                def charge(ctx: WorkflowActivityContext, order: dict) -> None:
                    logger.info("charged %s", order["id"])
                """,
            ),
        ),
    )
)
def replay_unsafe_logging(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for info in workflows(model):
        if not isinstance(info.node, cst.FunctionDef):
            continue
        guarded = _replay_guarded_calls(info.node.body)
        for site in _calls_in(info):
            if id(site.node) in guarded:
                continue
            what = _log_call(model, site)
            if what is None:
                continue
            yield report(
                site.node,
                f"`{what}` in workflow `{info.name}` runs again each time the workflow replays: duplicate log lines",
            )


def _log_call(model: ModuleModel, site: CallSite) -> Optional[str]:
    """What a call logs with (`print`, `logging.info`, `logger.info`), or None."""
    func = site.node.func
    if isinstance(func, cst.Name):
        if func.value == "print" and not model.lookup("print", site.scope):
            return "print"
        return None
    if not isinstance(func, cst.Attribute) or func.attr.value not in _LOG_METHODS:
        return None
    path = model.callee_path(site.node, site.scope)
    if path is not None and path.startswith("logging."):
        return path
    receiver = func.value
    if isinstance(receiver, cst.Name):
        bindings = model.lookup(receiver.value, site.scope)
        if bindings and all(_is_logger_binding(model, b) for b in bindings):
            return f"{receiver.value}.{func.attr.value}"
    return None


def _is_logger_binding(model: ModuleModel, binding) -> bool:
    if binding.kind == "import":
        return binding.target in _LOGGER_OBJECTS
    if binding.kind == "assign" and isinstance(binding.value, cst.Call):
        return model.callee_path(binding.value, binding.scope) in _LOGGER_FACTORIES
    return False


def _replay_guarded_calls(body: cst.BaseSuite) -> set[int]:
    """ids of the calls under `if not <ctx>.is_replaying:` (or the `else:` of `if <ctx>.is_replaying:`)."""
    guarded: set[int] = set()

    class _Collect(cst.CSTVisitor):
        def __init__(self) -> None:
            self.depth = 0

        def visit_If(self, node: cst.If) -> Optional[bool]:
            test = node.test
            if _is_replaying(test, negated=True):
                guarded.update(_call_ids(node.body))
            elif _is_replaying(test, negated=False) and node.orelse is not None:
                guarded.update(_call_ids(node.orelse))
            return True

        def visit_FunctionDef(self, node: cst.FunctionDef) -> Optional[bool]:
            return False  # nested functions are not the workflow's own statements

    body.visit(_Collect())
    return guarded


def _is_replaying(test: cst.BaseExpression, negated: bool) -> bool:
    if negated:
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            return _is_replaying(test.expression, negated=False)
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            target = test.comparisons[0]
            right = target.comparator
            if isinstance(target.operator, (cst.Is, cst.Equal)) and isinstance(right, cst.Name) and right.value == "False":
                return _is_replaying(test.left, negated=False)
        return False
    return isinstance(test, cst.Attribute) and test.attr.value == "is_replaying"


def _call_ids(node: cst.CSTNode) -> set[int]:
    found: set[int] = set()

    class _Calls(cst.CSTVisitor):
        def visit_Call(self, call: cst.Call) -> None:
            found.add(id(call))

    node.visit(_Calls())
    return found
