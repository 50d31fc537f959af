"""DPR7xx: workflow determinism and shape (sdk-facts H).

A workflow is a function registered with a WorkflowRuntime (`@wfr.workflow`, `wfr.register_workflow(fn)`,
`register_versioned_workflow`), methods included; an activity likewise. Functions that merely take a
`ctx` parameter are not workflows: only registration decides.
"""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from dapr_lint.diagnostics import Finding, Fix
from dapr_lint.python import edits
from dapr_lint.python.model import CallSite, FunctionInfo, FunctionRef, ModuleModel, Ref, has_keyword
from dapr_lint.registry import Reporter, RuleSpec, invalid, rule, valid

_WORKFLOW_CONTEXTS = frozenset(
    {
        "dapr.ext.workflow.DaprWorkflowContext",
        "dapr.ext.workflow.dapr_workflow_context.DaprWorkflowContext",
    }
)
_TASK_METHODS = frozenset({"call_activity", "call_child_workflow", "create_timer", "wait_for_external_event"})
_INPUT_METHODS = frozenset({"call_activity", "call_child_workflow"})
# Calls that collect tasks for a later `yield` (when_all/when_any, list building).
_COLLECTORS = frozenset({"when_all", "when_any", "append", "extend", "insert", "add", "list", "tuple"})


def workflows(model: ModuleModel) -> list[FunctionInfo]:
    return _registered(model, "workflow")


def activities(model: ModuleModel) -> list[FunctionInfo]:
    return _registered(model, "activity")


def _registered(model: ModuleModel, kind: str) -> list[FunctionInfo]:
    seen: dict[int, FunctionInfo] = {}
    for handler in model.handlers:
        if handler.kind == kind and not handler.function.is_lambda:
            seen.setdefault(id(handler.function), handler.function)
    return list(seen.values())


def _params(info: FunctionInfo) -> list[cst.Param]:
    node = info.node
    assert isinstance(node, cst.FunctionDef)
    params = list(node.params.posonly_params) + list(node.params.params)
    if info.klass is not None and params:
        binding = info.scope.bindings.get(params[0].name.value, [None])[0]
        if binding is not None and binding.kind in ("self", "cls"):
            params = params[1:]
    return params


def context_name(info: FunctionInfo) -> Optional[str]:
    """The name of a workflow's context parameter: its first parameter after self."""
    params = _params(info)
    return params[0].name.value if params else None


def _context_call(model: ModuleModel, site: CallSite, contexts: dict[int, tuple[FunctionInfo, str]]) -> Optional[str]:
    """The method name when `site` is `ctx.<method>(...)` on a workflow context parameter."""
    func = site.node.func
    if not isinstance(func, cst.Attribute) or not isinstance(func.value, cst.Name):
        return None
    name = func.value.value
    bindings = model.lookup(name, site.scope)
    if not bindings or len(bindings) != 1 or bindings[0].kind != "param":
        return None
    owner = bindings[0].scope.function
    if owner is None:
        return None
    entry = contexts.get(id(owner))
    if entry is not None and entry[1] == name:
        return func.attr.value
    annotation = bindings[0].annotation
    if annotation is not None and model.qualified_name(annotation, owner.outer_scope) in _WORKFLOW_CONTEXTS:
        return func.attr.value
    return None


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
                fix = Fix(f"Replace with `{ctx}.current_utc_datetime`.", edits.replace_dotted(site.node, f"{ctx}.current_utc_datetime"))
            elif path == "datetime.datetime.now" and _is_utc(model, site):
                # `current_utc_datetime` is naive (UTC); `now(utc)` is aware: keep it aware, with the same tz
                # object, or comparisons and arithmetic with other aware datetimes raise TypeError
                fix = Fix(f"Replace with `{ctx}.current_utc_datetime.replace(tzinfo=...)`.", _aware_now(site.node, ctx))
            replacement = replacement.replace("ctx.", f"{ctx}.")
            yield report(
                site.node,
                f"`{path}()` in workflow `{info.name}` differs on replay: NonDeterminismError or a silent other path",
                fix,
                detail=f"It returns a different value when the workflow replays. Use {replacement}.",
            )


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
            constructed = model.constructed_client(site)
            if constructed is not None:
                yield report(
                    site.node,
                    f"{constructed.display} constructed in workflow `{info.name}`: its I/O runs again on every replay",
                    detail="A workflow replays from the start many times and must do no I/O. Move the Dapr call into an activity.",
                )
                continue
            method = model.client_method_call(site)
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
    contexts = _contexts(model)
    for info in workflows(model):
        ends_after = _statements_followed_by_completion(info)
        for site in _calls_in(info):
            method = _context_call(model, site, contexts)
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
                    Fix("Yield the task.", edits.Edit(site.node, lambda node: cst.Yield(value=node))),  # type: ignore[arg-type]
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
    contexts = _contexts(model)
    for site in model.calls:
        method = _context_call(model, site, contexts)
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


def _as_input_keyword(call: cst.Call, positional: list[cst.Arg]) -> Optional[edits.Edit]:
    if len(positional) != 2 or has_keyword(call, "input"):
        return None
    no_space = cst.SimpleWhitespace("")
    return edits.Edit(
        positional[1],
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
