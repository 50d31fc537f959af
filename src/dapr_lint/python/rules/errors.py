"""DPR3xx: error handling around Dapr calls.

The model records, during its single walk, the `try` statements around every call and what each except
clause does (its returns, raises and calls); these rules ask it which exception classes a clause catches,
resolved through the module's imports.
"""

from __future__ import annotations

import os
from functools import partial
from typing import Iterator, Optional

import libcst as cst

from dapr_lint.diagnostics import EditBuilder, Finding, Fix, Location
from dapr_lint.project import Project
from dapr_lint.python import edits, known
from dapr_lint.python.model import (
    is_none_literal,
    CallSite,
    Const,
    ExceptInfo,
    FunctionInfo,
    ModuleModel,
    Scope,
    TryInfo,
    is_blocking_method,
    keyword_arg,
)
from dapr_lint.python.model.clients import client_facts
from dapr_lint.python.walk import children
from dapr_lint.python.rules.pages import errors as pages
from dapr_lint.registry import Reporter, RuleSpec, invalid, rule, valid
from dapr_lint.settings import Settings
from dapr_lint.python.model.exceptions import exception_facts
from dapr_lint.python.model.payloads import payload_facts

_SUBSCRIPTION_KINDS = frozenset({"subscription", "grpc_subscription"})
_EVENT_HANDLER_KINDS = frozenset(
    {"route", "subscription", "grpc_method", "grpc_subscription", "grpc_binding", "grpc_job", "workflow", "activity"}
)


def _dapr_call(model: ModuleModel, site: CallSite) -> Optional[tuple[known.ClientKind, str]]:
    """(client kind, method) for a call of a Dapr client method that talks to the sidecar."""
    method = client_facts(model).client_method_call(site)
    if method is None or not is_blocking_method(method[0], method[1]):
        return None
    return method


# ------------------------------------------------------------------------------------------------
# DPR301
# ------------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR301",
        name="unhandled-dapr-error",
        category="practice",
        summary="A Dapr client call in an HTTP route handler with no `try` (and no app-level error handler) that catches Dapr errors.",
        target="project",
        off_in_test_code=True,
        prose=pages.DPR301,
        examples=(
            invalid(
                """
                from dapr.clients import DaprClient
                from fastapi import FastAPI

                app = FastAPI()


                @app.get("/orders/{order_id}")
                def get_order(order_id: str) -> dict:
                    with DaprClient() as client:
                        state = client.get_state("statestore", order_id)  # DPR301
                    return {"order": state.text()}
                """,
            ),
            valid(
                """
                import logging

                import grpc
                from dapr.clients import DaprClient
                from dapr.clients.exceptions import DaprInternalError
                from fastapi import FastAPI, HTTPException

                logger = logging.getLogger(__name__)
                app = FastAPI()


                @app.get("/orders/{order_id}")
                def get_order(order_id: str) -> dict:
                    try:
                        with DaprClient() as client:
                            state = client.get_state("statestore", order_id)
                    except (DaprInternalError, grpc.RpcError):
                        logger.exception("reading order %s failed", order_id)
                        raise HTTPException(status_code=503, detail="state store unavailable")
                    return {"order": state.text()}
                """,
            ),
        ),
    )
)
def unhandled_dapr_error(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
    """The route handlers' unguarded calls each module's summary lists (python/summary.py), unless an app-level
    error handler catching Dapr errors is registered in the module or in any module of the same Dapr app (the
    app object may live in another module than its routes or its handlers)."""
    for summary in project.summaries:
        if not summary.unguarded_calls or summary.catches_dapr_errors:
            continue
        apps = project.apps_of(summary.file)
        if any(
            project.by_file.get(os.path.normcase(module)) is not None
            and project.by_file[os.path.normcase(module)].catches_dapr_errors
            for app in apps
            for module in app.modules
        ):
            continue
        # one finding per route (the defect is the route's missing error handling): its first unguarded call,
        # with the others as related locations
        # a route a declarative Subscription (or another module's /dapr/subscribe) delivers events to: raising
        # there tells Dapr to retry, which the subscriber rules judge
        subscribers = project.subscriber_functions(summary)
        by_route: dict[str, list] = {}
        for call in summary.unguarded_calls:
            if call.function not in subscribers:
                by_route.setdefault(call.function, []).append(call)
        for function, calls in by_route.items():
            call = calls[0]
            others = [(Location(summary.path, c.span), f"`{c.method}` is not guarded either") for c in calls[1:]]
            yield report(
                Location(summary.path, call.span),
                f"`{call.method}` in route `{function}` catches no Dapr error: a sidecar failure becomes a generic 500",
                related=others,
                detail=(
                    "A sidecar or component failure escapes as a 500 that tells the caller nothing it can act on (a "
                    "503 to retry later, a 409 on an etag conflict). Catch `(DaprInternalError, grpc.RpcError)`, log "
                    "it with context and return a deliberate status (or register an app-level exception handler)."
                ),
            )


# ------------------------------------------------------------------------------------------------
# DPR302
# ------------------------------------------------------------------------------------------------


def _grpc_calls(model: ModuleModel, info: TryInfo) -> list[tuple[CallSite, str]]:
    """Calls in a try's body whose failures surface as grpc.RpcError, not covered by a
    try nested inside it that already catches them."""
    found = []
    for site in info.calls:
        method = _dapr_call(model, site)
        if method is None:
            continue
        kind, name = method
        if kind.family != "dapr" or name == "invoke_method":
            continue  # invoke_method over HTTP raises DaprHttpError / aiohttp errors
        if kind.is_async and name == "save_state":
            continue  # the aio save_state converts to DaprInternalError (C1)
        inner = site.tries[site.tries.index(info) + 1 :]
        if any(exception_facts(model).catches(clause, "grpc") for t in inner for clause in t.handlers):
            continue
        found.append((site, name))
    return found


def _internal_error_node(model: ModuleModel, clause: ExceptInfo) -> cst.CSTNode:
    node = clause.node.type
    if isinstance(node, (cst.Tuple, cst.List)):
        for element in node.elements:
            path = exception_facts(model).exception_path(element.value, clause.scope)
            if path in known.DAPR_INTERNAL_ERROR_CLASSES:
                return element.value
    return node if node is not None else clause.node


@rule(
    RuleSpec(
        code="DPR302",
        name="incomplete-dapr-except",
        category="bug",
        summary="A `try` around gRPC Dapr calls that catches only `DaprInternalError` (misses grpc.RpcError).",
        target="python",
        fix_safety="unsafe",
        fix_description="Catch `(DaprInternalError, grpc.RpcError)`.",
        prose=pages.DPR302,
        examples=(
            invalid(
                """
                from dapr.clients import DaprClient
                from dapr.clients.exceptions import DaprInternalError

                with DaprClient() as client:
                    try:
                        state = client.get_state("statestore", "order-1")
                    except DaprInternalError:  # DPR302: DaprGrpcError is not caught
                        state = None
                """,
                fixed="""
                from dapr.clients import DaprClient
                from dapr.clients.exceptions import DaprInternalError
                import grpc

                with DaprClient() as client:
                    try:
                        state = client.get_state("statestore", "order-1")
                    except (DaprInternalError, grpc.RpcError):  # DPR302: DaprGrpcError is not caught
                        state = None
                """,
            ),
            valid(
                """
                import grpc
                from dapr.clients import DaprClient
                from dapr.clients.exceptions import DaprInternalError

                with DaprClient() as client:
                    try:
                        state = client.get_state("statestore", "order-1")
                    except (DaprInternalError, grpc.RpcError):
                        state = None
                """,
                after="""
                `invoke_method` over HTTP can also raise `aiohttp.ClientError` (an `OSError`) when the sidecar is down.
                """,
            ),
        ),
    )
)
def incomplete_dapr_except(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for info in model.tries:
        internal = [c for c in info.handlers if exception_facts(model).catches(c, "internal")]
        if not internal:
            continue
        if any(exception_facts(model).catches(c, "grpc") or "?" in exception_facts(model).caught_types(c) for c in info.handlers):
            continue
        calls = _grpc_calls(model, info)
        if not calls:
            continue
        names = ", ".join(dict.fromkeys(f"`{name}`" for _, name in calls))
        yield report(
            _internal_error_node(model, internal[0]),
            f"only `DaprInternalError` is caught around {names}: gRPC failures escape this handler",
            Fix("Catch `(DaprInternalError, grpc.RpcError)`.", _catch_grpc_too(model, internal[0])),
            detail=(
                "gRPC failures raise DaprGrpcError or a raw grpc.RpcError, which are not DaprInternalError. Catch "
                "`(DaprInternalError, grpc.RpcError)`."
            ),
        )


def _catch_grpc_too(model: ModuleModel, clause: ExceptInfo) -> Optional[EditBuilder]:
    """`except DaprInternalError` -> `except (DaprInternalError, grpc.RpcError)`; a tuple gains the element.
    Decided here (how the module can name grpc); the edit is built when the fix is applied."""
    caught = clause.node.type
    if caught is None or isinstance(caught, cst.List):
        return None
    reference = edits.module_reference(model, clause.scope, "grpc")
    if reference is None:
        return None
    name, imports = reference
    return partial(_catching_rpc_error, caught, name, imports)


def _catching_rpc_error(caught: cst.BaseExpression, name: str, imports: tuple[edits.ImportSpec, ...]) -> edits.Edit:
    rpc_error = cst.parse_expression(f"{name}.RpcError")

    def replace(node: cst.CSTNode) -> cst.CSTNode:
        if isinstance(node, cst.Tuple):
            elements = list(node.elements)
            if elements and elements[-1].comma is cst.MaybeSentinel.DEFAULT:
                elements[-1] = elements[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            return node.with_changes(elements=[*elements, cst.Element(value=rpc_error)])
        return cst.Tuple(
            elements=[
                cst.Element(value=node, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),  # type: ignore[arg-type]
                cst.Element(value=rpc_error),
            ],
            lpar=[cst.LeftParen()],
            rpar=[cst.RightParen()],
        )

    return edits.Edit(caught, replace, imports)


# ------------------------------------------------------------------------------------------------
# DPR303
# ------------------------------------------------------------------------------------------------


def _small_statements(body: cst.BaseSuite) -> Optional[list[cst.BaseSmallStatement]]:
    """The simple statements of a block, or None when it holds a compound statement."""
    if isinstance(body, cst.SimpleStatementSuite):
        return list(body.body)
    statements: list[cst.BaseSmallStatement] = []
    for line in body.body:  # type: ignore[attr-defined]
        if not isinstance(line, cst.SimpleStatementLine):
            return None
        statements.extend(line.body)
    return statements


def _swallows(model: ModuleModel, clause: ExceptInfo) -> bool:
    """An except body that only passes, continues, returns nothing or prints. A `print` counts as reporting
    the failure in a script (a module that serves no handler: print is its output) and wherever it prints
    the caught exception itself."""
    print_swallows = bool(model.handlers)
    caught_name = clause.node.name.name.value if clause.node.name is not None and isinstance(clause.node.name.name, cst.Name) else None
    statements = _small_statements(clause.node.body)
    if not statements:
        return False
    for statement in statements:
        if isinstance(statement, (cst.Pass, cst.Continue)):
            continue
        if isinstance(statement, cst.Return) and (statement.value is None or is_none_literal(statement.value)):
            continue
        if isinstance(statement, cst.Expr):
            value = statement.value
            if isinstance(value, (cst.Ellipsis, cst.SimpleString, cst.ConcatenatedString)):
                continue
            if (
                print_swallows
                and isinstance(value, cst.Call)
                and isinstance(value.func, cst.Name)
                and value.func.value == "print"
                and not model.lookup("print", clause.scope)
                and not (caught_name is not None and _mentions(value, caught_name))
            ):
                continue
        return False
    return True


def _mentions(node: cst.CSTNode, name: str) -> bool:
    """Whether a (small) expression reads `name`."""
    if isinstance(node, cst.Name):
        return node.value == name
    return any(_mentions(child, name) for child in children(node))


def _clause_anchor(clause: ExceptInfo) -> cst.CSTNode:
    """Where to report an except clause: its exception type, or for a bare `except:` its body, which starts
    right after the colon (the clause node itself starts at the blank lines and comments above it)."""
    if clause.node.type is not None:
        return clause.node.type
    return clause.node.body


@rule(
    RuleSpec(
        code="DPR303",
        name="swallowed-dapr-error",
        category="practice",
        summary="An except clause around Dapr calls that neither logs, re-raises nor returns an error.",
        target="python",
        prose=pages.DPR303,
        examples=(
            invalid(
                """
                from dapr.clients import DaprClient

                with DaprClient() as client:
                    try:
                        client.publish_event("pubsub", "orders", "{}")
                    except Exception:  # DPR303
                        pass
                """,
            ),
            valid(
                """
                import logging

                from dapr.clients import DaprClient

                logger = logging.getLogger(__name__)

                with DaprClient() as client:
                    try:
                        client.publish_event("pubsub", "orders", "{}")
                    except Exception:
                        logger.exception("publishing the order event failed")
                        raise
                """,
            ),
        ),
    )
)
def swallowed_dapr_error(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for info in model.tries:
        calls = [m for m in (_dapr_call(model, s) for s in info.calls) if m is not None]
        if not calls:
            continue
        for clause in info.handlers:
            types = exception_facts(model).caught_types(clause)
            if not any(t in known.BROAD_EXCEPTIONS or t in known.DAPR_ERROR_CLASSES for t in types):
                continue
            if not _swallows(model, clause):
                continue
            names = ", ".join(dict.fromkeys(f"`{name}`" for _, name in calls))
            yield report(
                _clause_anchor(clause),
                f"a failure of {names} is swallowed here: it leaves no trace",
                detail=(
                    "The clause neither logs, re-raises nor returns an error. Log it (`logger.exception(...)`) and "
                    "re-raise or return an error."
                ),
            )


# ------------------------------------------------------------------------------------------------
# DPR304
# ------------------------------------------------------------------------------------------------

_TOPIC_EVENT_RESPONSE = "dapr.clients.grpc._response.TopicEventResponse"
_TOPIC_EVENT_RESPONSE_PATHS = frozenset(
    {_TOPIC_EVENT_RESPONSE, "dapr.ext.grpc.TopicEventResponse", "dapr.clients.grpc._response.TopicEventResponse"}
)


def _is_2xx(model: ModuleModel, expr: cst.BaseExpression, scope: Scope) -> Optional[bool]:
    value = model.value_of(expr, scope)
    if isinstance(value, Const) and isinstance(value.value, int) and not isinstance(value.value, bool):
        return 200 <= value.value < 300
    return None


def _acks(model: ModuleModel, expr: Optional[cst.BaseExpression], scope: Scope, framework: str) -> bool:
    """Whether returning `expr` from a subscription handler tells Dapr the event succeeded."""
    if expr is None or is_none_literal(expr):
        # FastAPI answers 200 `null` (success); gRPC answers SUCCESS; Flask answers 500 (retry, DPR404)
        return framework not in known.FLASK_SUBSCRIPTION_FRAMEWORKS
    if framework == "dapr-grpc":
        if isinstance(expr, cst.Call):
            callee = model.qualified_name(expr.func, scope)
            if callee not in _TOPIC_EVENT_RESPONSE_PATHS or not expr.args:
                return False
            status = expr.args[0].value
            if isinstance(status, cst.Attribute):
                return status.attr.value == "success"
            text = model.string_of(status, scope)
            return text is not None and text.lower() == "success"
        # the gRPC extension ignores anything but a TopicEventResponse and answers SUCCESS
        return model.string_of(expr, scope) is not None or isinstance(expr, cst.Dict)
    if isinstance(expr, cst.Tuple) and len(expr.elements) >= 2:
        ok = _is_2xx(model, expr.elements[1].value, scope)
        return bool(ok) and _acks(model, expr.elements[0].value, scope, framework)
    if isinstance(expr, cst.Call) and expr.args and expr.args[0].keyword is None:
        callee = model.qualified_name(expr.func, scope)
        if callee in ("flask.jsonify", "fastapi.responses.JSONResponse", "starlette.responses.JSONResponse"):
            status_code = keyword_arg(expr, "status_code")
            if status_code is not None and not _is_2xx(model, status_code.value, scope):
                return False
            return _acks(model, expr.args[0].value, scope, framework)
        return False
    found = payload_facts(model).dict_literal_of(expr, scope)
    if found is None:
        return False
    display, dict_scope = found
    for element in display.elements:
        if isinstance(element, cst.DictElement):
            key = model.value_of(element.key, dict_scope)
            if key == Const("status"):
                return model.value_of(element.value, dict_scope) == Const("SUCCESS")
    # no `status` key is success for Dapr, but such bodies are often meant as errors: not reported
    return False


def _statement_after(info: FunctionInfo, node: cst.CSTNode) -> tuple[bool, Optional[cst.BaseStatement]]:
    """(found, next statement) for a statement at the top level of a function's body."""
    body = info.node.body
    if not isinstance(body, cst.IndentedBlock):
        return False, None
    statements = list(body.body)
    for index, statement in enumerate(statements):
        if statement is node:
            return True, statements[index + 1] if index + 1 < len(statements) else None
    return False, None


def _handles_failure(model: ModuleModel, clause: ExceptInfo) -> bool:
    if clause.raises:
        return True
    # a Dapr call in the clause (a dead-letter publish, a saved failure record) is explicit handling
    return any(_dapr_call(model, site) is not None for site in clause.calls)


@rule(
    RuleSpec(
        code="DPR304",
        name="subscriber-acks-failure",
        category="practice",
        summary="An except clause in a subscription handler that returns success: the failed event is lost.",
        target="python",
        reads_subscribers=True,
        prose=pages.DPR304,
        examples=(
            invalid(
                """
                import logging

                from dapr.ext.fastapi import DaprApp
                from fastapi import FastAPI

                logger = logging.getLogger(__name__)
                app = FastAPI()
                dapr_app = DaprApp(app)


                @dapr_app.subscribe(pubsub="pubsub", topic="orders")
                def on_order(event: dict) -> dict:
                    try:
                        process(event["data"])
                    except Exception:
                        logger.exception("processing failed")
                        return {"status": "SUCCESS"}  # DPR304: the event is lost
                    return {"status": "SUCCESS"}
                """,
            ),
            valid(
                """
                @dapr_app.subscribe(pubsub="pubsub", topic="orders")
                def on_order(event: dict) -> dict:
                    try:
                        process(event["data"])
                    except ValueError:
                        logger.exception("malformed order event, dropping it")
                        return {"status": "DROP"}
                    except Exception:
                        logger.exception("processing failed, asking for redelivery")
                        return {"status": "RETRY"}
                    return {"status": "SUCCESS"}
                """,
            ),
        ),
    )
)
def subscriber_acks_failure(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for info in model.functions:
        handler = next((h for h in info.handlers if h.kind in _SUBSCRIPTION_KINDS), None)
        if handler is None:
            continue
        framework = "dapr-grpc" if handler.kind == "grpc_subscription" else handler.framework
        for try_info in model.tries:
            if try_info.function is not info:
                continue
            for clause in try_info.handlers:
                if _handles_failure(model, clause):
                    continue
                message = f"subscription handler `{info.name}` acknowledges a failed event: Dapr never redelivers it"
                if clause.returns:
                    for ret in clause.returns:
                        if _acks(model, ret.value, clause.scope, framework):
                            yield report(ret, message, detail=_ACK_DETAIL)
                    continue
                found, after = _statement_after(info, try_info.node)
                if not found:
                    continue
                if after is None:
                    if framework not in known.FLASK_SUBSCRIPTION_FRAMEWORKS:  # falling off the end returns None
                        yield report(_clause_anchor(clause), message, detail=_ACK_DETAIL)
                    continue
                if isinstance(after, cst.SimpleStatementLine) and isinstance(after.body[0], cst.Return):
                    ret = after.body[0]
                    if _acks(model, ret.value, info.scope, framework):
                        yield report(_clause_anchor(clause), message, detail=_ACK_DETAIL)


# ------------------------------------------------------------------------------------------------
# DPR305
# ------------------------------------------------------------------------------------------------

_EXIT_FUNCTIONS = frozenset({"sys.exit", "os._exit", "builtins.exit", "builtins.quit"})


@rule(
    RuleSpec(
        code="DPR305",
        name="exit-in-handler",
        category="bug",
        summary="`sys.exit`, `os._exit` or `raise SystemExit` inside a request or event handler.",
        target="python",
        prose=pages.DPR305,
        examples=(
            invalid(
                """
                import sys

                from fastapi import FastAPI

                app = FastAPI()


                @app.post("/orders")
                def create_order(order: dict) -> dict:
                    if "id" not in order:
                        sys.exit(1)  # DPR305
                    return order
                """,
            ),
            valid(
                """
                from fastapi import FastAPI, HTTPException

                app = FastAPI()


                @app.post("/orders")
                def create_order(order: dict) -> dict:
                    if "id" not in order:
                        raise HTTPException(status_code=422, detail="missing id")
                    return order
                """,
            ),
        ),
    )
)
def exit_in_handler(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    handlers = {id(h.function): h for h in model.handlers if h.kind in _EVENT_HANDLER_KINDS}
    if not handlers:
        return
    helpers = _helpers_of_handlers(model, handlers)
    for site in model.calls:
        if site.function is not None and id(site.function) in helpers:
            name = _exit_name(model, site)
            if name is not None:
                handler, kind = helpers[id(site.function)]
                yield report(site.node, _helper_exit_message(name, site.function, handler, kind), detail=_exit_detail(name))
            continue
        if site.function is None or id(site.function) not in handlers:
            continue
        func = site.node.func
        if isinstance(func, cst.Name) and func.value in ("exit", "quit") and not model.lookup(func.value, site.scope):
            name = func.value
        else:
            path = model.qualified_name(func, site.scope)
            if path not in _EXIT_FUNCTIONS:
                continue
            name = path
        yield report(site.node, _exit_message(name, site.function, handlers[id(site.function)].kind), detail=_exit_detail(name))
    for raise_site in model.raises:
        if raise_site.function is not None and id(raise_site.function) in helpers:
            if exception_facts(model).exception_raised(raise_site.node, raise_site.scope) == "SystemExit":
                handler, kind = helpers[id(raise_site.function)]
                yield report(
                    raise_site.node,
                    _helper_exit_message("raise SystemExit", raise_site.function, handler, kind),
                    detail=_exit_detail("raise SystemExit"),
                )
            continue
        if raise_site.function is None or id(raise_site.function) not in handlers:
            continue
        if exception_facts(model).exception_raised(raise_site.node, raise_site.scope) == "SystemExit":
            yield report(
                raise_site.node,
                _exit_message("raise SystemExit", raise_site.function, handlers[id(raise_site.function)].kind),
                detail=_exit_detail("raise SystemExit"),
            )


def _exit_name(model: ModuleModel, site) -> Optional[str]:
    func = site.node.func
    if isinstance(func, cst.Name) and func.value in ("exit", "quit") and not model.lookup(func.value, site.scope):
        return func.value
    path = model.qualified_name(func, site.scope)
    return path if path in _EXIT_FUNCTIONS else None


def _helpers_of_handlers(model: ModuleModel, handlers: dict) -> dict[int, tuple[FunctionInfo, str]]:
    """Plain functions and methods of this module that a handler calls (not offloaded), up to three calls
    deep, each with the first handler that reaches it; a cycle ends at a function already reached.
    Handlers themselves are left to the direct check."""
    reached: dict[int, tuple[FunctionInfo, str]] = {}
    for handler in handlers.values():
        frontier = [handler.function]
        for _depth in range(3):
            following = []
            for info in frontier:
                for site in info.calls:
                    if site.offloaded:
                        continue
                    callee = model.called_function(site)
                    if (
                        callee is None
                        or id(callee) in handlers
                        or id(callee) in reached
                        or not callee.is_module_level_or_method
                        or callee.is_generator
                    ):
                        continue
                    reached[id(callee)] = (handler.function, handler.kind)
                    following.append(callee)
            frontier = following
    return reached


def _helper_exit_message(what: str, helper: FunctionInfo, handler: FunctionInfo, kind: str) -> str:
    label = _KIND_LABELS.get(kind, kind)
    base = _exit_message(what, helper, kind)
    return base.replace(f"in {label} `{helper.name}`", f"in `{helper.name}`, which {label} `{handler.name}` calls,", 1)


_ACK_DETAIL = "Dapr marks the event delivered. Return RETRY (or DROP on purpose), or re-raise."


def _exit_message(what: str, info: FunctionInfo, kind: str) -> str:
    effect = "kills the process and its in-flight requests" if what == "os._exit" else "can kill the worker process"
    label = _KIND_LABELS.get(kind, kind)
    return f"`{what}` in {label} `{info.name}` {effect}"


def _exit_detail(what: str) -> str:
    if what == "os._exit":
        effect = "os._exit kills the whole process at once, without cleanup, and every in-flight request with it."
    else:
        effect = (
            "SystemExit, depending on the server, kills the worker and every in-flight request, or escapes error "
            "handling as a non-Exception."
        )
    return f"{effect} Raise an exception or return an error response."


_KIND_LABELS = {
    "route": "route handler",
    "subscription": "subscription handler",
    "grpc_method": "gRPC method handler",
    "grpc_subscription": "gRPC subscription handler",
    "grpc_binding": "gRPC binding handler",
    "grpc_job": "gRPC job handler",
    "workflow": "workflow",
    "activity": "activity",
}
