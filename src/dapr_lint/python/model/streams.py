"""A facet of the module model: the newer building blocks' call sites.

Streaming-subscription handlers (`subscribe_with_handler`), bulk publishes (`publish_events`), lock responses
(`try_lock`), jobs (`Job(...)`, `schedule_job`) and the job handlers a module serves. Built once per module from
the records the walk already made (no second walk), kept in `model.facets["streams"]`; rules ask `facts(model)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Union

import libcst as cst

from dapr_lint.python import known
from dapr_lint.python.model import (
    CallSite,
    Const,
    FunctionInfo,
    FunctionRef,
    Instance,
    Kind,
    ModuleModel,
    Ref,
    Scope,
    WithItemSite,
    argument,
    call_argument,
    has_star_kwargs,
)
from dapr_lint.python.model.clients import client_facts
from dapr_lint.python.model.handlers import HandlerFinder, runs_at_startup
from dapr_lint.python.model.listings import listed_entries, listed_subscriptions, summary_string
from dapr_lint.python.model.values import Coroutine
from dapr_lint.python.model.payloads import payload_facts
from dapr_lint.python.walk import children
from dapr_lint.summaries import ListedSubscription, ScheduledJob, ServedPort, Span, StreamingHandler, WiringFacts

# The Job dataclass (dapr/clients/grpc/_jobs.py) and its fields, in order.
JOB_CLASSES = frozenset({"dapr.clients.Job", "dapr.aio.clients.Job", "dapr.clients.grpc._jobs.Job"})
JOB_FIELDS = ("name", "schedule", "repeats", "due_time", "ttl", "data", "failure_policy")
SCHEDULE_METHODS = frozenset({"schedule_job", "schedule_job_alpha1"})

Result = Union[str, None]


@dataclass(eq=False)
class JobBuild:
    """A `Job(...)` construction: the expression each field is given (None: not given), and the scope."""

    call: cst.Call
    scope: Scope
    fields: dict[str, Optional[cst.BaseExpression]]
    # a field may hide behind `*args` / `**kwargs`
    opaque: bool


@dataclass(eq=False)
class JobSchedule:
    """A `schedule_job(job, overwrite)` call on a Dapr client."""

    site: CallSite
    job: Optional[JobBuild]  # the Job the call schedules, when it resolves to one construction
    # the `overwrite` argument: None when not given
    overwrite: Optional[cst.BaseExpression]
    at_startup: bool


@dataclass(eq=False)
class LockUse:
    """A `try_lock(...)` whose response decides nothing: entered by `with` (the body never tests it) or
    discarded. `how`: "with" | "with-as" | "discarded"."""

    site: CallSite
    how: str
    name: Optional[str] = None


@dataclass(eq=False)
class StreamHandler:
    """A `subscribe_with_handler(..., handler_fn, ...)` call whose handler is a function of this module."""

    site: CallSite
    client_is_async: bool
    handler: FunctionInfo
    argument: cst.BaseExpression


@dataclass(eq=False)
class BulkPublish:
    """A `publish_events(...)` call: what becomes of its result ("discarded", "unread": bound to a name never
    read for `failed_entries`, "read": anything else) and its literal items that are not str/bytes."""

    site: CallSite
    result: str
    bad_items: list[cst.BaseExpression] = field(default_factory=list)


@dataclass(eq=False)
class StreamFacts:
    jobs: list[JobBuild] = field(default_factory=list)
    schedules: list[JobSchedule] = field(default_factory=list)
    locks: list[LockUse] = field(default_factory=list)
    handlers: list[StreamHandler] = field(default_factory=list)
    # handlers imported from another module: (call, client is async, import path, the handler argument)
    imported_handlers: list[tuple[CallSite, bool, str, cst.BaseExpression]] = field(default_factory=list)
    publishes: list[BulkPublish] = field(default_factory=list)


def facts(model: ModuleModel) -> StreamFacts:
    """The module's streaming, job, lock and bulk-publish facts (built on first use)."""
    found = model.facets.get("streams")
    if found is None:
        found = model.facets["streams"] = _build(model)
    assert isinstance(found, StreamFacts)
    return found


def _build(model: ModuleModel) -> StreamFacts:
    result = StreamFacts()
    builds: dict[int, JobBuild] = {}
    for site in model.calls:
        if model.callee_path(site.node, site.scope) in JOB_CLASSES:
            build = _job_build(site.node, site.scope)
            builds[id(site.node)] = build
            result.jobs.append(build)
    entered = {id(_entered_call(w)): w for w in model.with_items if _entered_call(w) is not None}
    for site in model.calls:
        method = client_facts(model).client_method_call(site)
        if method is None or method[0].family != "dapr":
            continue
        kind, name = method
        if name in SCHEDULE_METHODS:
            params = ("job", "overwrite")
            job_arg = call_argument(site.node, params, "job")
            over = call_argument(site.node, params, "overwrite")
            job = _resolve_job(model, job_arg.value, site.scope, builds) if job_arg is not None else None
            result.schedules.append(
                JobSchedule(site, job, over.value if over is not None else None, _at_startup(model, site))
            )
        elif name == "try_lock":
            use = _lock_use(model, site, entered.get(id(site.node)))
            if use is not None:
                result.locks.append(use)
        elif name == "subscribe_with_handler":
            handler_arg = argument(site.node, 2, "handler_fn")
            if handler_arg is None:
                continue
            value = model.value_of(handler_arg, site.scope)
            if isinstance(value, FunctionRef):
                result.handlers.append(StreamHandler(site, kind.is_async, value.info, handler_arg))
            elif isinstance(value, Ref):
                result.imported_handlers.append((site, kind.is_async, value.path, handler_arg))
        elif name == "publish_events":
            publish = _bulk_publish(model, site)
            if publish.result != "read" and id(site.node) in _expected_calls(model):
                publish.result = "read"  # code written to fail (`pytest.raises`) has no result to read
            result.publishes.append(publish)
    return result


def _expected_calls(model: ModuleModel) -> set[int]:
    """The ids of the calls inside code that expects a failure (`with pytest.raises(...)`, `assertRaises`)."""
    found = model.facets.get("expected-calls")
    if found is None:
        found = set()
        stack: list[cst.CSTNode] = [node for node, _kind in model.expectations]
        while stack:
            current = stack.pop()
            if isinstance(current, cst.Call):
                found.add(id(current))
            stack.extend(children(current))
        model.facets["expected-calls"] = found
    return found


# -- jobs ----------------------------------------------------------------------------------------------------


def _job_build(call: cst.Call, scope: Scope) -> JobBuild:
    fields: dict[str, Optional[cst.BaseExpression]] = {}
    opaque = has_star_kwargs(call) or any(arg.star == "*" for arg in call.args)
    for name in JOB_FIELDS:
        arg = call_argument(call, JOB_FIELDS, name)
        fields[name] = arg.value if arg is not None else None
    return JobBuild(call, scope, fields, opaque)


def _resolve_job(model: ModuleModel, expr: cst.BaseExpression, scope: Scope, builds: dict[int, JobBuild]) -> Optional[JobBuild]:
    """The one `Job(...)` an argument is: the construction itself, or a name bound once to one."""
    if isinstance(expr, cst.Call):
        return builds.get(id(expr))
    if isinstance(expr, cst.Name):
        bindings = model.lookup(expr.value, scope)
        if bindings and len(bindings) == 1 and bindings[0].kind == "assign" and isinstance(bindings[0].value, cst.Call):
            return builds.get(id(bindings[0].value))
    return None


def _at_startup(model: ModuleModel, site: CallSite) -> bool:
    """Start-up code: a lifespan before its `yield`, an `on_event("startup")` handler, or a plain function of
    this module that only such code calls."""
    if runs_at_startup(site):
        return True
    info = site.function
    if info is None or info.handlers or info.decorators or info.klass is not None:
        return False
    callers = [s for s in model.calls if model.called_function(s) is info]
    reads = sum(len(uses) for scope in _scopes(model) for uses in [scope.name_uses.get(info.name, [])])
    return bool(callers) and reads == len(callers) and all(runs_at_startup(s) for s in callers)


def _scopes(model: ModuleModel) -> list[Scope]:
    found = []
    stack = [model.module_scope]
    while stack:
        scope = stack.pop()
        found.append(scope)
        stack.extend(scope.children)
    return found


def cron_fields(text: str) -> Optional[int]:
    """How many fields a cron schedule has (None for `@every 1m`, `@daily` and other periods)."""
    stripped = text.strip()
    if not stripped or stripped.startswith("@"):
        return None
    return len(stripped.split())


def data_kind(model: ModuleModel, build: JobBuild) -> Optional[str]:
    """"dict", "str" or "bytes" when a Job's `data` is known to be one, not empty (an empty one is skipped by
    the SDK); None otherwise."""
    expr = build.fields.get("data")
    if expr is None:
        return None
    value = model.value_of(expr, build.scope)
    if isinstance(value, Const) and isinstance(value.value, (str, bytes)):
        if not value.value:
            return None
        return "str" if isinstance(value.value, str) else "bytes"
    if isinstance(value, Kind) and value.kind in ("dict", "str", "bytes"):
        if isinstance(expr, cst.Dict) and not expr.elements:
            return None
        return value.kind
    return None


# -- locks ---------------------------------------------------------------------------------------------------


def _entered_call(item: WithItemSite) -> Optional[cst.Call]:
    expr = item.node.item
    if isinstance(expr, cst.Await):
        expr = expr.expression
    return expr if isinstance(expr, cst.Call) else None


def _lock_use(model: ModuleModel, site: CallSite, item: Optional[WithItemSite]) -> Optional[LockUse]:
    if item is not None:
        asname = item.node.asname
        if asname is None:
            return LockUse(site, "with")
        if not isinstance(asname.name, cst.Name):
            return None
        name = asname.name.value
        return None if _decides(model, name, site.scope) else LockUse(site, "with-as", name)
    if _discarded(site):
        return LockUse(site, "discarded")
    return None


def _decides(model: ModuleModel, name: str, scope: Scope) -> bool:
    """Whether the response bound to `name` may decide something: tested in a condition (`if lock:`,
    `assert lock.success`), or handed on (returned, passed, stored) where the tool cannot follow it."""
    if payload_facts(model).is_tested(name, scope):
        return True
    if any(context == "attr" and detail == "success" for context, detail in model.uses_of(name, _home(scope))):
        return True  # its outcome is read (asserted, stored, logged)
    home = scope
    while home.kind == "comprehension" and home.parent is not None:
        home = home.parent
    if name in home.test_names:
        return True
    return any(context != "attr" for context, _detail in model.uses_of(name, home))


def _discarded(site: CallSite) -> bool:
    """The call (or `await` of it) is a statement of its own: its result is dropped."""
    statement = site.statement
    if statement is None:
        return False
    for small in statement.body:
        if isinstance(small, cst.Expr):
            value = small.value
            if isinstance(value, cst.Await):
                value = value.expression
            if value is site.node:
                return True
    return False


# -- bulk publish --------------------------------------------------------------------------------------------


def _bulk_publish(model: ModuleModel, site: CallSite) -> BulkPublish:
    params = ("pubsub_name", "topic_name", "data", "publish_metadata", "data_content_type")
    data = call_argument(site.node, params, "data")
    bad: list[cst.BaseExpression] = []
    if data is not None and isinstance(data.value, (cst.List, cst.Tuple)):
        for element in data.value.elements:
            if isinstance(element, cst.StarredElement):
                continue
            value = model.value_of(element.value, site.scope)
            if isinstance(value, Kind) and value.kind in ("dict", "list", "tuple", "set"):
                bad.append(element.value)
            elif isinstance(value, Const) and not isinstance(value.value, (str, bytes)):
                bad.append(element.value)
    if _discarded(site):
        return BulkPublish(site, "discarded", bad)
    if site.context in ("assign", "await") and _bound_name(site) is not None:
        name = _bound_name(site)
        assert name is not None
        uses = model.uses_of(name, _home(site.scope))
        if all(context == "attr" and detail != "failed_entries" for context, detail in uses):
            return BulkPublish(site, "unread", bad)
    return BulkPublish(site, "read", bad)


def bulk_item_kind(model: ModuleModel, site: CallSite, item: cst.BaseExpression) -> str:
    """The type name of a bulk-publish item `_bulk_publish` found not to be str/bytes."""
    value = model.value_of(item, site.scope)
    if isinstance(value, Kind):
        return value.kind
    if isinstance(value, Const):
        return "None" if value.value is None else type(value.value).__name__
    return "object"


def _bound_name(site: CallSite) -> Optional[str]:
    """The plain name a call's result (or its awaited result) is assigned to: `r = c.f()`, `r = await c.f()`."""
    statement = site.statement
    if statement is None or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target, value = small.targets[0].target, small.value
    elif isinstance(small, cst.AnnAssign) and small.value is not None:
        target, value = small.target, small.value
    else:
        return None
    if isinstance(value, cst.Await):
        value = value.expression
    if value is not site.node or not isinstance(target, cst.Name):
        return None
    return target.value


def _home(scope: Scope) -> Scope:
    while scope.kind == "comprehension" and scope.parent is not None:
        scope = scope.parent
    return scope


# -- streaming handlers --------------------------------------------------------------------------------------


def bare_returns(info: FunctionInfo) -> list[cst.Return]:
    """The `return` statements without a value in a function's own body (nested functions and classes apart)."""
    found: list[cst.Return] = []
    node = info.node
    if not isinstance(node, cst.FunctionDef):
        return found
    stack: list[cst.CSTNode] = [node.body]
    while stack:
        current = stack.pop()
        if isinstance(current, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(current, cst.Return) and current.value is None:
            found.append(current)
        stack.extend(children(current))
    return found


def can_fall_off(info: FunctionInfo) -> bool:
    """Whether a function's body can end without `return` or `raise` (so it returns None). When unsure (a
    `while True`, a `match`), it cannot."""
    node = info.node
    return isinstance(node, cst.FunctionDef) and not _block_ends(node.body)


def _block_ends(block: cst.BaseSuite) -> bool:
    if isinstance(block, cst.SimpleStatementSuite):
        return any(isinstance(s, (cst.Return, cst.Raise)) for s in block.body)
    return any(_statement_ends(s) for s in block.body)  # type: ignore[attr-defined]


def _statement_ends(statement: cst.CSTNode) -> bool:
    if isinstance(statement, cst.SimpleStatementLine):
        return any(isinstance(s, (cst.Return, cst.Raise)) for s in statement.body)
    if isinstance(statement, cst.If):
        orelse = statement.orelse
        if orelse is None:
            return False
        other = _statement_ends(orelse) if isinstance(orelse, cst.If) else _block_ends(orelse.body)
        return _block_ends(statement.body) and other
    if isinstance(statement, (cst.With,)):
        return _block_ends(statement.body)
    if isinstance(statement, (cst.Try, cst.TryStar)):
        if statement.finalbody is not None and _block_ends(statement.finalbody.body):
            return True
        body = _block_ends(statement.body) or (statement.orelse is not None and _block_ends(statement.orelse.body))
        return body and all(_block_ends(h.body) for h in statement.handlers)
    if isinstance(statement, cst.While):
        test = statement.test
        return isinstance(test, cst.Name) and test.value == "True" and not _breaks(statement.body)
    if isinstance(statement, cst.Match):
        return True  # not followed: unsure counts as ending
    return False


def _breaks(block: cst.CSTNode) -> bool:
    """Whether a loop body holds a `break` of that loop (nested loops and functions apart)."""
    stack = list(children(block))
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Break):
            return True
        if isinstance(current, (cst.For, cst.While, cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            if isinstance(current, (cst.For, cst.While)) and current.orelse is not None:
                stack.extend(children(current.orelse))
            continue
        stack.extend(children(current))
    return False


def returned_response(model: ModuleModel, info: FunctionInfo, expr: cst.BaseExpression) -> Result:
    """The type a handler's return value is known to have when it is not a TopicEventResponse ("None", "str",
    "dict", ...); None when it is one, or may be."""
    if isinstance(expr, cst.Name) and expr.value == "None":
        return "None"
    value = model.value_of(expr, info.scope)
    if isinstance(value, Const):
        return "None" if value.value is None else type(value.value).__name__
    if isinstance(value, Kind) and value.origin in ("literal", "json.dumps", "model_dump", "model_dump_json", "call"):
        return value.kind
    return None


def returns_coroutine(model: ModuleModel, info: FunctionInfo) -> bool:
    """Whether a plain function (or lambda) hands back what calling a coroutine function gives."""
    return any(isinstance(model.value_of(v, info.scope), Coroutine) for v in info.returns)


# -- what the project stage needs (DPR611-DPR613) -------------------------------------------------------------

# Where a server takes its port: (callee path or receiver class, method), the port's position and keyword.
_UVICORN_RUN = "uvicorn.run"


def wiring_draft(model: ModuleModel) -> tuple[dict, list[tuple[dict, cst.CSTNode]]]:
    """The draft of a module's WiringFacts and the nodes whose spans it needs (dapr_lint.python.summary)."""
    pending: list[tuple[dict, cst.CSTNode]] = []
    draft: dict[str, Any] = {"jobs": [], "job_handlers": [], "ports": [], "grpc_app": False}
    for schedule in facts(model).schedules:
        if schedule.job is None or schedule.job.opaque:
            continue
        name = summary_string(model, schedule.job.fields.get("name"), schedule.job.scope)
        if name is None:
            continue
        job: dict[str, Any] = {"name": name}
        draft["jobs"].append(job)
        pending.append((job, schedule.site.node))
    for handler in model.handlers:
        if handler.kind == "grpc_job":
            expr = argument(handler.call, 0, "name") if handler.call is not None else None
            draft["job_handlers"].append(summary_string(model, expr, handler.function.outer_scope))
    for site in model.calls:
        path = model.callee_path(site.node, site.scope)
        if path == known.GRPC_APP:
            draft["grpc_app"] = True
        served = _served_port(model, site, path)
        if served is not None:
            port: dict[str, Any] = {"port": served[0], "protocol": served[1]}
            draft["ports"].append(port)
            pending.append((port, site.node))
    draft["streaming"] = []
    for _site, client_async, path, handler_arg in facts(model).imported_handlers:
        stream: dict[str, Any] = {"handler": path, "client_async": client_async}
        draft["streaming"].append(stream)
        pending.append((stream, handler_arg))
    draft["bulk_routes"] = sorted(_bulk_routes(model))
    draft["listed"], listed_pending = listed_subscriptions(model)
    pending.extend(listed_pending)
    draft["plain_answers"] = {}
    for info in _plain_answers(model):
        answer: dict[str, Any] = {}
        draft["plain_answers"][info.qualname] = answer
        pending.append((answer, info.name_node))
    return draft, pending


def freeze_wiring(draft: dict) -> WiringFacts:
    def span(item: dict) -> Span:
        return item.get("span", Span())

    return WiringFacts(
        jobs=tuple(ScheduledJob(j["name"], span(j)) for j in draft["jobs"]),
        job_handlers=tuple(draft["job_handlers"]),
        ports=tuple(ServedPort(p["port"], p["protocol"], span(p)) for p in draft["ports"]),
        grpc_app=draft["grpc_app"],
        bulk_routes=tuple(draft["bulk_routes"]),
        plain_answers={name: span(item) for name, item in draft["plain_answers"].items()},
        streaming=tuple(StreamingHandler(h["handler"], h["client_async"], span(h)) for h in draft.get("streaming", ())),
        listed=tuple(
            ListedSubscription(e["pubsub"], e["topic"], tuple(e["routes"]), span(e)) for e in draft.get("listed", ())
        ),
    )


def _served_port(model: ModuleModel, site: CallSite, path: Optional[str]) -> Optional[tuple[int, str]]:
    """(port, protocol) when a call starts a server on a literal port."""
    call = site.node
    if path == _UVICORN_RUN:
        expr, protocol = argument(call, None, "port"), "http"
    elif isinstance(call.func, cst.Attribute) and call.func.attr.value == "run":
        receiver = model.value_of(call.func.value, site.scope)
        if not (isinstance(receiver, Instance) and receiver.local is None):
            return None
        if receiver.path == known.FLASK_APP:
            expr, protocol = argument(call, 1, "port"), "http"
        elif receiver.path == known.GRPC_APP:
            expr, protocol = argument(call, 0, "app_port"), "grpc"
        else:
            return None
    else:
        return None
    value = model.value_of(expr, site.scope) if expr is not None else None
    if isinstance(value, Const) and isinstance(value.value, int) and not isinstance(value.value, bool):
        return value.value, protocol
    return None


def _bulk_routes(model: ModuleModel) -> set[str]:
    """Routes a `GET /dapr/subscribe` of this module lists with `"bulkSubscribe": {"enabled": True}`."""
    found: set[str] = set()
    finder = HandlerFinder(model)
    for entry, scope in listed_entries(model):
        if _bulk_enabled(model, entry, scope):
            found.update(finder.entry_routes(entry, scope))
    return found


def _bulk_enabled(model: ModuleModel, entry: cst.Dict, scope: Scope) -> bool:
    for element in entry.elements:
        if not isinstance(element, cst.DictElement) or model.value_of(element.key, scope) != Const("bulkSubscribe"):
            continue
        if not isinstance(element.value, cst.Dict):
            return False
        for inner in element.value.elements:
            if isinstance(inner, cst.DictElement) and model.value_of(inner.key, scope) == Const("enabled"):
                return model.value_of(inner.value, scope) in (Const(True), Const("true"))
    return False


def _plain_answers(model: ModuleModel) -> list[FunctionInfo]:
    """Route functions whose every answer is known and carries no per-entry `statuses` (a plain dict, a
    string, a status tuple, None)."""
    found: list[FunctionInfo] = []
    for handler in model.handlers:
        if handler.kind != "route" or handler.function.is_lambda:
            continue
        info = handler.function
        if info.is_generator or _mentions_statuses(info.node):
            continue
        if all(_plain(model, info, value) for value in info.returns) and info not in found:
            found.append(info)
    return found


def _mentions_statuses(node: cst.CSTNode) -> bool:
    """Whether a function's code holds a string naming `statuses` (an answer built with it, somewhere)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.SimpleString) and "statuses" in current.value:
            return True
        stack.extend(children(current))
    return False


def _plain(model: ModuleModel, info: FunctionInfo, expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.Tuple):
        return bool(expr.elements) and _plain(model, info, expr.elements[0].value)
    if isinstance(expr, cst.Call):
        path = model.callee_path(expr, info.scope)
        if path in ("flask.jsonify", "fastapi.responses.JSONResponse", "starlette.responses.JSONResponse", "json.dumps"):
            inner = argument(expr, 0, "content")
            return inner is not None and _plain(model, info, inner)
        return False
    value = model.value_of(expr, info.scope)
    if isinstance(value, Const):
        return value.value is None or isinstance(value.value, str)
    return isinstance(expr, cst.Dict)
