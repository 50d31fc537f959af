"""DPR403-DPR412: the service surface - the pub/sub delivery contract, FastAPI and gRPC-extension traps.
The health and readiness routes (DPR401/DPR402) are in health_routes.py."""

from __future__ import annotations

from functools import partial
from typing import Iterator, Optional, Sequence, Union

import libcst as cst

from dapr_lint.diagnostics import EditBuilder, Finding, Fix, with_article
from dapr_lint.python import edits, known
from dapr_lint.python.model import (
    ClassInfo,
    ClassRef,
    Const,
    FunctionInfo,
    FunctionRef,
    Handler,
    Kind,
    ModuleModel,
    Scope,
    all_params,
    argument,
    constant_string,
    is_none_literal,
)
from dapr_lint.python.rules.pages import service as pages
from dapr_lint.registry import Reporter, RuleSpec, invalid, rule, valid

# ------------------------------------------------------------------------------------------------
# Per-file service rules (DPR403-DPR412)
# ------------------------------------------------------------------------------------------------

_HTTP_SUBSCRIPTION_FRAMEWORKS = frozenset({"dapr-fastapi", "dapr-flask"})
# What Dapr does with an event whose delivery failed (a non-2xx answer, an unknown status, RETRY): the runtime
# counts it as a retriable error; how often it comes back is the component's and the resiliency policy's business.
# The detail of a failed delivery (the messages say "a failed delivery" and leave this to the detail).
FAILED_DELIVERY = (
    "retried as far as the component's retry settings and resiliency policy allow, then sent to the dead-letter "
    "topic if one is set (without one, the broker decides whether it comes back)"
)
# Routes a module's own `GET /dapr/subscribe` lists: the same HTTP delivery contract as DaprApp.subscribe.
_PROGRAMMATIC = frozenset({"programmatic-fastapi", "programmatic-flask"})
_VALID_STATUSES = frozenset({"SUCCESS", "RETRY", "DROP", ""})
_JSON_RESPONSES = frozenset(
    {
        "fastapi.responses.JSONResponse",
        "starlette.responses.JSONResponse",
        "fastapi.responses.ORJSONResponse",
        "fastapi.responses.UJSONResponse",
        "flask.jsonify",
        "flask.json.jsonify",
        "flask.make_response",
    }
)


def _http_subscribers(model: ModuleModel) -> list[tuple[FunctionInfo, Handler]]:
    found: dict[int, tuple[FunctionInfo, Handler]] = {}
    for handler in model.handlers:
        if handler.kind == "subscription" and handler.framework in _HTTP_SUBSCRIPTION_FRAMEWORKS | _PROGRAMMATIC:
            found.setdefault(id(handler.function), (handler.function, handler))
    return list(found.values())


def _status_values(model: ModuleModel, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> Iterator[cst.BaseExpression]:
    """The expressions a returned value gives as its JSON `status` key."""
    if depth > 3:
        return
    if isinstance(expr, cst.Tuple) and expr.elements:
        yield from _status_values(model, expr.elements[0].value, scope, depth + 1)
    elif isinstance(expr, cst.Dict):
        for element in expr.elements:
            if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
                key = model.value_of(element.key, scope)
                if isinstance(key, Const) and key.value == "status":
                    yield element.value
    elif isinstance(expr, cst.Call) and isinstance(expr.func, (cst.Name, cst.Attribute)):
        path = model.qualified_name(expr.func, scope)
        if path not in _JSON_RESPONSES and path != "dict":
            if not (path is None and isinstance(expr.func, cst.Name) and expr.func.value == "dict" and not model.lookup("dict", scope)):
                return
        for arg in expr.args:
            if arg.keyword is not None and arg.keyword.value == "status" and path in ("flask.jsonify", "flask.json.jsonify", None):
                yield arg.value
            elif arg.keyword is None and not arg.star or (arg.keyword is not None and arg.keyword.value == "content"):
                yield from _status_values(model, arg.value, scope, depth + 1)
                break
    elif isinstance(expr, cst.Name):
        bindings = model.lookup(expr.value, scope)
        if bindings and len(bindings) == 1 and bindings[0].kind == "assign" and isinstance(bindings[0].value, cst.Dict):
            yield from _status_values(model, bindings[0].value, bindings[0].scope, depth + 1)


def _topic_event_responses(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for site in model.calls:
        path = model.callee_path(site.node, site.scope)
        if path is None or not path.startswith("dapr.") or not path.endswith(".TopicEventResponse"):
            continue
        if path.startswith("dapr.proto."):
            continue  # the protobuf message: its status is the enum's number (SUCCESS is 0), not the SDK's class
        arg = argument(site.node, 0, "status")
        if arg is None:
            continue
        value = model.value_of(arg, site.scope)
        if not isinstance(value, Const):
            continue
        if isinstance(value.value, str):
            if value.value.lower() in ("success", "retry", "drop"):
                continue
            problem = f"KeyError: {value.value!r} is not success, retry or drop"
        else:
            problem = f"ValueError: {value.value!r} is not a status"
        yield report(
            arg,
            f"`TopicEventResponse({value.value!r})` raises {problem}",
            detail="Any case of success, retry or drop is accepted.",
        )


@rule(
    RuleSpec(
        code="DPR403",
        name="invalid-subscriber-status",
        category="bug",
        summary="A subscriber answering a status other than exactly SUCCESS/RETRY/DROP: Dapr counts the delivery as failed.",
        target="python",
        reads_subscribers=True,
        predicts="exception",
        fix_safety="safe",
        fix_description="Upper-case a status that is a case variant of SUCCESS, RETRY or DROP.",
        fix_note="(case variants)",
        prose=pages.DPR403,
        examples=(
            invalid(
                """
                from dapr.ext.fastapi import DaprApp
                from fastapi import FastAPI

                app = FastAPI()
                dapr_app = DaprApp(app)


                @dapr_app.subscribe(pubsub="pubsub", topic="orders")
                def on_order(event: dict) -> dict:
                    handle(event["data"])
                    return {"status": "processed"}  # DPR403: a failed delivery, retried
                """,
            ),
            valid(
                """
                @dapr_app.subscribe(pubsub="pubsub", topic="orders")
                def on_order(event: dict) -> dict:
                    handle(event["data"])
                    return {"status": "SUCCESS"}
                """,
            ),
        ),
    )
)
def invalid_subscriber_status(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for info, _handler in _http_subscribers(model):
        for returned in info.returns:
            for status in _status_values(model, returned, info.scope):
                value = model.string_of(status, info.scope)
                if value is None or value in _VALID_STATUSES:
                    continue
                fix = None
                if value.upper() in _VALID_STATUSES:
                    if isinstance(status, cst.SimpleString):  # a literal here; a constant may serve others
                        fix = Fix(f'Use "{value.upper()}".', partial(edits.string_literal, status, value.upper()))
                    advice = f'Use "{value.upper()}" (the runtime compares case-sensitively).'
                else:
                    advice = 'Answer "SUCCESS", "RETRY" or "DROP", or return no status key (success).'
                yield report(
                    status,
                    f'handler `{info.name}` answers status "{value}": Dapr counts it a failed delivery',
                    fix,
                    detail=f"The event is {FAILED_DELIVERY}. {advice}",
                )
    yield from _topic_event_responses(model, report)


# -- DPR404 ----------------------------------------------------------------------------------------

_NORETURN = frozenset({"flask.abort", "werkzeug.exceptions.abort", "sys.exit", "os._exit"})


def _block_completes(
    model: ModuleModel, scope: Scope, body: Sequence[Union[cst.BaseStatement, cst.BaseSmallStatement]], none_returns: list
) -> bool:
    completes = True
    for statement in body:
        if not _statement_completes(model, scope, statement, none_returns):
            completes = False
            # keep scanning for `return None` further down? unreachable code is not our business
            break
    return completes


def _small_statements_complete(
    model: ModuleModel, scope: Scope, smalls: Sequence[cst.BaseSmallStatement], none_returns: list
) -> bool:
    for small in smalls:
        if isinstance(small, cst.Return):
            if small.value is None or is_none_literal(small.value):
                none_returns.append(small)
            return False
        if isinstance(small, cst.Raise):
            return False
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            if model.callee_path(small.value, scope) in _NORETURN:
                return False
    return True


def _statement_completes(
    model: ModuleModel, scope: Scope, statement: Union[cst.BaseStatement, cst.BaseSmallStatement], none_returns: list
) -> bool:
    # A one-line suite (`if x: return y`) holds small statements directly.
    if isinstance(statement, cst.BaseSmallStatement):
        return _small_statements_complete(model, scope, [statement], none_returns)
    if isinstance(statement, cst.SimpleStatementLine):
        return _small_statements_complete(model, scope, statement.body, none_returns)
    if isinstance(statement, cst.If):
        body = _block_completes(model, scope, statement.body.body, none_returns)
        orelse = statement.orelse
        if orelse is None:
            return True
        if isinstance(orelse, cst.If):
            other = _statement_completes(model, scope, orelse, none_returns)
        else:
            other = _block_completes(model, scope, orelse.body.body, none_returns)
        return body or other
    if isinstance(statement, (cst.With,)):
        return _block_completes(model, scope, statement.body.body, none_returns)
    if isinstance(statement, cst.Try):
        body = _block_completes(model, scope, statement.body.body, none_returns)
        if body and statement.orelse is not None:
            body = _block_completes(model, scope, statement.orelse.body.body, none_returns)
        handlers = [_block_completes(model, scope, h.body.body, none_returns) for h in statement.handlers]
        result = body or any(handlers)
        if statement.finalbody is not None and not _block_completes(model, scope, statement.finalbody.body.body, none_returns):
            return False
        return result
    if isinstance(statement, cst.While):
        _block_completes(model, scope, statement.body.body, none_returns)
        test = statement.test
        if isinstance(test, cst.Name) and test.value == "True":
            return _contains_break(statement.body.body)
        return True
    if isinstance(statement, cst.For):
        _block_completes(model, scope, statement.body.body, none_returns)
        return True
    if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
        return True
    # match statements and anything newer: assume it does not fall through (precision over recall)
    return False


def _contains_break(body: Sequence[Union[cst.BaseStatement, cst.BaseSmallStatement]]) -> bool:
    for statement in body:
        if isinstance(statement, cst.Break):
            return True
        if isinstance(statement, cst.SimpleStatementLine):
            if any(isinstance(small, cst.Break) for small in statement.body):
                return True
        elif isinstance(statement, (cst.If, cst.With, cst.Try)):
            blocks = [statement.body.body]
            orelse = getattr(statement, "orelse", None)
            while isinstance(orelse, cst.If):
                blocks.append(orelse.body.body)
                orelse = orelse.orelse
            if orelse is not None:
                blocks.append(orelse.body.body)
            if isinstance(statement, cst.Try):
                blocks.extend(h.body.body for h in statement.handlers)
            if any(_contains_break(block) for block in blocks):
                return True
    return False


@rule(
    RuleSpec(
        code="DPR404",
        name="flask-subscriber-returns-none",
        category="bug",
        summary="A Flask subscription handler with a path that returns nothing: Flask answers 500, a failed delivery.",
        target="python",
        reads_subscribers=True,
        predicts="exception",
        prose=pages.DPR404,
        examples=(
            invalid(
                """
                from flask import Flask, request
                from dapr.ext.flask import DaprApp

                app = Flask(__name__)
                dapr_app = DaprApp(app)


                @dapr_app.subscribe(pubsub="pubsub", topic="orders")
                def on_order():  # DPR404
                    save(request.json["data"])
                """,
            ),
            valid(
                """
                @dapr_app.subscribe(pubsub="pubsub", topic="orders")
                def on_order():
                    save(request.json["data"])
                    return {"status": "SUCCESS"}
                """,
            ),
        ),
    )
)
def flask_subscriber_returns_none(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for info, handler in _http_subscribers(model):
        if handler.framework not in known.FLASK_SUBSCRIPTION_FRAMEWORKS or not isinstance(info.node, cst.FunctionDef) or info.is_generator:
            continue
        none_returns: list[cst.Return] = []
        falls_through = _block_completes(model, info.scope, info.node.body.body, none_returns)
        for node in none_returns:
            yield report(
                node,
                f"Flask subscription handler `{info.name}` returns None here: Flask answers 500, a failed delivery",
                detail=f'The event is {FAILED_DELIVERY}. Return a response (`return "", 200` or `{{"status": "SUCCESS"}}`).',
            )
        if falls_through:
            yield report(
                info.name_node,
                f"Flask subscription handler `{info.name}` can end without returning: Flask answers 500",
                detail=f'The event is {FAILED_DELIVERY}. End it with `return {{"status": "SUCCESS"}}`.',
            )


# -- DPR405 / DPR406 -------------------------------------------------------------------------------

_FASTAPI_FRAMEWORKS = frozenset({"fastapi", "dapr-fastapi"})
_HTTP_CLOUDEVENT = frozenset({"cloudevents.http.CloudEvent", "cloudevents.http.event.CloudEvent"})
_PYDANTIC_MODELS = frozenset({"pydantic.BaseModel", "pydantic.main.BaseModel"})


def _fastapi_handlers(model: ModuleModel) -> list[FunctionInfo]:
    found: dict[int, FunctionInfo] = {}
    for handler in model.handlers:
        if handler.framework in _FASTAPI_FRAMEWORKS and handler.kind in ("route", "subscription"):
            if isinstance(handler.function.node, cst.FunctionDef):
                found.setdefault(id(handler.function), handler.function)
    return list(found.values())



@rule(
    RuleSpec(
        code="DPR405",
        name="cloudevent-http-annotation",
        category="bug",
        summary="A FastAPI handler parameter typed `cloudevents.http.CloudEvent`: FastAPIError when the route is defined.",
        target="python",
        fix_safety="safe",
        fix_description="Import CloudEvent from `cloudevents.pydantic`.",
        prose=pages.DPR405,
        examples=(
            invalid(
                """
                from cloudevents.http import CloudEvent
                from dapr.ext.fastapi import DaprApp
                from fastapi import FastAPI

                app = FastAPI()
                dapr_app = DaprApp(app)


                @dapr_app.subscribe(pubsub="pubsub", topic="orders")
                def on_order(event: CloudEvent):  # DPR405: FastAPIError at import
                    ...
                """,
                fixed="""
                from cloudevents.pydantic import CloudEvent as PydanticCloudEvent
                from dapr.ext.fastapi import DaprApp
                from fastapi import FastAPI

                app = FastAPI()
                dapr_app = DaprApp(app)


                @dapr_app.subscribe(pubsub="pubsub", topic="orders")
                def on_order(event: PydanticCloudEvent):  # DPR405: FastAPIError at import
                    ...
                """,
            ),
            valid(
                """
                from cloudevents.pydantic import CloudEvent
                from dapr.ext.fastapi import DaprApp
                from fastapi import FastAPI

                app = FastAPI()
                dapr_app = DaprApp(app)


                @dapr_app.subscribe(pubsub="pubsub", topic="orders")
                def on_order(event: CloudEvent):
                    order = event.data
                    ...
                """,
            ),
        ),
    )
)
def cloudevent_http_annotation(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for info in _fastapi_handlers(model):
        for param in all_params(info.node.params):  # type: ignore[arg-type]
            if param.annotation is None:
                continue
            annotation = param.annotation.annotation
            if not isinstance(annotation, (cst.Name, cst.Attribute)):
                continue
            if model.qualified_name(annotation, info.outer_scope) in _HTTP_CLOUDEVENT:
                yield report(
                    annotation,
                    f"`{param.name.value}: cloudevents.http.CloudEvent` is not pydantic: FastAPIError at import",
                    Fix("Import CloudEvent from `cloudevents.pydantic`.", _pydantic_cloudevent(model, annotation)),
                    detail="FastAPI raises FastAPIError when the route is defined. Use `from cloudevents.pydantic import CloudEvent`.",
                )


_PYDANTIC_CLOUDEVENT = "cloudevents.pydantic.CloudEvent"


def _pydantic_cloudevent(model: ModuleModel, annotation: cst.BaseExpression) -> Optional[EditBuilder]:
    """Point the annotation at the pydantic CloudEvent: the module's own import of it when there is one, else
    `from cloudevents.pydantic import CloudEvent as PydanticCloudEvent` (other uses of the http CloudEvent,
    such as building events to send, keep working)."""
    for local, bindings in model.module_scope.bindings.items():
        if len(bindings) == 1 and bindings[0].kind == "import" and bindings[0].target == _PYDANTIC_CLOUDEVENT:
            return partial(edits.replace_dotted, annotation, local)
    if "PydanticCloudEvent" in model.module_scope.bindings:
        return None
    return partial(_imported_pydantic_cloudevent, annotation)


def _imported_pydantic_cloudevent(annotation: cst.BaseExpression) -> edits.Edit:
    edit = edits.replace_dotted(annotation, "PydanticCloudEvent")
    return edits.Edit(
        edit.target, edit.replace, (edits.ImportSpec("cloudevents.pydantic", "CloudEvent", "PydanticCloudEvent"),)
    )


def _pydantic_model(model: ModuleModel, annotation: cst.BaseExpression, scope: Scope) -> Optional[ClassInfo]:
    value = model.value_of(annotation, scope)
    if not isinstance(value, ClassRef):
        return None
    chain = list(model.class_chain(value.info))
    for klass in chain:
        for base in klass.bases:
            if isinstance(base, (cst.Name, cst.Attribute)) and model.qualified_name(base, klass.outer_scope) in _PYDANTIC_MODELS:
                return value.info
    return None


def _has_field(model: ModuleModel, klass: ClassInfo, name: str) -> bool:
    return any(name in owner.scope.bindings for owner in model.class_chain(klass))


def _raw_payload(model: ModuleModel, handler: Handler, scope: Scope) -> bool:
    """Whether the subscription may ask for raw payloads (then the body is the payload itself)."""
    call = handler.call
    if call is None:
        return True
    metadata = argument(call, 2, "metadata")
    if metadata is None:
        return False
    if not isinstance(metadata, cst.Dict):
        return True  # not a literal: we cannot tell
    return any(
        not isinstance(el, cst.DictElement)
        or not isinstance(model.value_of(el.key, scope), Const)
        or model.value_of(el.key, scope).value == "rawPayload"  # type: ignore[attr-defined]
        for el in metadata.elements
    )


@rule(
    RuleSpec(
        code="DPR406",
        name="subscriber-domain-model",
        category="bug",
        summary="A FastAPI subscription handler whose body is a domain model: the payload is under `data`, so 422, a failed delivery.",
        target="python",
        reads_subscribers=True,
        off_in_test_code=True,
        prose=pages.DPR406,
        examples=(
            invalid(
                """
                from pydantic import BaseModel
                from dapr.ext.fastapi import DaprApp
                from fastapi import FastAPI

                app = FastAPI()
                dapr_app = DaprApp(app)


                class Order(BaseModel):
                    order_id: str


                @dapr_app.subscribe(pubsub="pubsub", topic="orders")
                def on_order(order: Order):  # DPR406: 422 on every delivery
                    ...
                """,
            ),
            valid(
                """
                from pydantic import BaseModel
                from dapr.ext.fastapi import DaprApp
                from fastapi import FastAPI

                app = FastAPI()
                dapr_app = DaprApp(app)


                class Order(BaseModel):
                    order_id: str


                @dapr_app.subscribe(pubsub="pubsub", topic="orders")
                def on_order(event: dict):
                    order = Order.model_validate(event["data"])
                    ...
                """,
            ),
        ),
    )
)
def subscriber_domain_model(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for info, handler in _http_subscribers(model):
        if handler.framework != "dapr-fastapi" or not isinstance(info.node, cst.FunctionDef):
            continue
        if _raw_payload(model, handler, info.outer_scope):
            continue
        for param in all_params(info.node.params):
            if param.annotation is None:
                continue
            default = param.default
            if default is not None and not _is_body_default(model, default, info.outer_scope):
                continue
            klass = _pydantic_model(model, param.annotation.annotation, info.outer_scope)
            if klass is None or _has_field(model, klass, "data"):
                continue
            yield report(
                param.annotation.annotation,
                f"subscription handler `{info.name}` reads the body as `{klass.name}`: FastAPI answers 422 to every event",
                detail=(
                    f"Dapr posts a CloudEvent envelope with the payload under `data`; the event is {FAILED_DELIVERY}, "
                    "never handled. Take `event: dict` (or `cloudevents.pydantic.CloudEvent`) and validate "
                    f"`{klass.name}.model_validate(event['data'])`."
                ),
            )


def _is_body_default(model: ModuleModel, default: cst.BaseExpression, scope: Scope) -> bool:
    return isinstance(default, cst.Call) and model.callee_path(default, scope) in ("fastapi.Body", "fastapi.params.Body")


# -- DPR407 / DPR408 -------------------------------------------------------------------------------

_GRPC_KINDS = {
    "grpc_subscription": "subscribe",
    "grpc_method": "method",
    "grpc_binding": "binding",
    "grpc_job": "job_event",
}


def _grpc_handlers(model: ModuleModel) -> list[Handler]:
    return [h for h in model.handlers if h.kind in _GRPC_KINDS]


@rule(
    RuleSpec(
        code="DPR407",
        name="async-grpc-handler",
        category="bug",
        summary="An `async def` registered with the gRPC extension (`App.subscribe/method/binding`): it is never awaited.",
        target="python",
        prose=pages.DPR407,
        examples=(
            invalid(
                """
                from dapr.ext.grpc import App, SubscriptionMessage, TopicEventResponse

                app = App()


                @app.subscribe(pubsub_name="pubsub", topic="orders")
                async def on_order(event: SubscriptionMessage) -> TopicEventResponse:  # DPR407: never runs
                    return TopicEventResponse("success")
                """,
            ),
            valid(
                """
                @app.subscribe(pubsub_name="pubsub", topic="orders")
                def on_order(event: SubscriptionMessage) -> TopicEventResponse:
                    return TopicEventResponse("success")
                """,
            ),
        ),
    )
)
def async_grpc_handler(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for handler in _grpc_handlers(model):
        info = handler.function
        if not info.is_async:
            continue
        what = {
            "grpc_subscription": "never runs, and the event counts as SUCCESS",
            "grpc_method": "fails every call with OUT_OF_RANGE",
        }.get(handler.kind, "never runs")
        yield report(
            info.name_node,
            f"`async def {info.name}` registered with `App.{_GRPC_KINDS[handler.kind]}` {what}",
            detail=(
                "The gRPC extension calls handlers synchronously: the coroutine is never awaited (a coroutine is not "
                "a valid return value). Make it a plain `def`."
            ),
        )


@rule(
    RuleSpec(
        code="DPR408",
        name="grpc-handler-return",
        category="bug",
        summary="A gRPC-extension topic handler returning a str/dict (ignored: always SUCCESS), or a method handler returning a dict (OUT_OF_RANGE).",
        target="python",
        reads_subscribers=True,
        predicts="exception",
        prose=pages.DPR408,
        examples=(
            invalid(
                """
                import json

                from dapr.ext.grpc import App, InvokeMethodRequest, SubscriptionMessage, TopicEventResponse

                app = App()


                @app.subscribe(pubsub_name="pubsub", topic="orders")
                def on_order(event: SubscriptionMessage):
                    return "RETRY"  # DPR408: acknowledged as SUCCESS


                @app.method(name="lookup")
                def lookup(request: InvokeMethodRequest):
                    return {"id": 1}  # DPR408: OUT_OF_RANGE
                """,
            ),
            valid(
                """
                import json

                from dapr.ext.grpc import App, InvokeMethodRequest, SubscriptionMessage, TopicEventResponse

                app = App()


                @app.subscribe(pubsub_name="pubsub", topic="orders")
                def on_order(event: SubscriptionMessage) -> TopicEventResponse:
                    return TopicEventResponse("retry")


                @app.method(name="lookup")
                def lookup(request: InvokeMethodRequest) -> str:
                    return json.dumps({"id": 1})
                """,
            ),
        ),
    )
)
def grpc_handler_return(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for handler in _grpc_handlers(model):
        info = handler.function
        if handler.kind not in ("grpc_subscription", "grpc_method") or info.is_async:
            continue
        for returned in info.returns:
            value = model.value_of(returned, info.scope)
            kind = None
            if isinstance(value, Kind) and value.kind in ("dict", "list", "set"):
                kind = value.kind
            elif handler.kind == "grpc_subscription" and constant_string(value) is not None:
                kind = "str"
            elif handler.kind == "grpc_subscription" and isinstance(value, Kind) and value.kind == "str":
                kind = "str"
            if kind is None:
                continue
            if handler.kind == "grpc_subscription":
                message = f"topic handler `{info.name}` returns {with_article(kind)}: the event counts as SUCCESS whatever it says"
                detail = (
                    "The gRPC extension ignores anything but a TopicEventResponse. Return "
                    '`TopicEventResponse("retry")` (or "success"/"drop").'
                )
            else:
                message = f"method handler `{info.name}` returns {with_article(kind)}: the call fails with OUT_OF_RANGE"
                detail = (
                    "The gRPC extension accepts bytes, str, a protobuf message or InvokeMethodResponse. Return "
                    "`json.dumps(...)`."
                )
            yield report(returned, message, detail=detail)


# -- DPR409 / DPR410 -------------------------------------------------------------------------------


def _decorated_by_dapr(model: ModuleModel) -> list[tuple[FunctionInfo, Handler, int]]:
    """(function, handler, index of the Dapr decorator) for decorators that return None."""
    found = []
    for handler in model.handlers:
        if handler.kind != "subscription" and handler.kind not in _GRPC_KINDS:
            continue
        if not isinstance(handler.node, cst.Decorator):
            continue
        info = handler.function
        for index, decorator in enumerate(info.decorators):
            if decorator is handler.node:
                found.append((info, handler, index))
    return found


@rule(
    RuleSpec(
        code="DPR409",
        name="subscribe-decorator-returns-none",
        category="bug",
        summary="A function decorated by a Dapr `subscribe`/`method`/`binding` decorator is then called or decorated again: the name is None.",
        target="python",
        predicts="exception",
        prose=pages.DPR409,
        examples=(
            invalid(
                """
                import functools

                from dapr.ext.fastapi import DaprApp
                from fastapi import FastAPI

                app = FastAPI()
                dapr_app = DaprApp(app)


                def traced(func):
                    @functools.wraps(func)
                    def wrapper(*args, **kwargs):
                        return func(*args, **kwargs)

                    return wrapper


                @traced  # DPR409: receives None
                @dapr_app.subscribe(pubsub="pubsub", topic="orders")
                def on_order(event: dict):
                    ...


                def replay(event: dict):
                    return on_order(event)  # DPR409: on_order is None
                """,
            ),
            valid(
                """
                import functools

                from dapr.ext.fastapi import DaprApp
                from fastapi import FastAPI

                app = FastAPI()
                dapr_app = DaprApp(app)


                def traced(func):
                    @functools.wraps(func)
                    def wrapper(*args, **kwargs):
                        return func(*args, **kwargs)

                    return wrapper


                def handle_order(event: dict) -> dict:
                    ...


                @dapr_app.subscribe(pubsub="pubsub", topic="orders")
                @traced
                def on_order(event: dict):
                    return handle_order(event)


                def replay(event: dict):
                    return handle_order(event)
                """,
            ),
        ),
    )
)
def subscribe_decorator_returns_none(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    decorated = _decorated_by_dapr(model)
    if not decorated:
        return
    by_function = {id(info): info for info, _h, _i in decorated}
    for info, _handler, index in decorated:
        if index > 0:
            above = info.decorators[index - 1]
            yield report(
                above.decorator,
                f"this decorator receives None: the Dapr decorator below it returns None, not `{info.name}`",
                detail="Put the Dapr decorator on top (outermost).",
            )
    for site in model.calls:
        value = model.value_of(site.node.func, site.scope)
        if isinstance(value, FunctionRef) and id(value.info) in by_function:
            yield report(
                site.node,
                f"`{value.info.name}` is None here (its Dapr decorator returns None): calling it raises TypeError",
                detail="The Dapr decorator registers the function and returns None. Call an undecorated helper instead.",
            )


def _subscription_route(model: ModuleModel, handler: Handler, scope: Scope) -> Optional[str]:
    if handler.path is not None:
        return handler.path
    call = handler.call
    if call is None:
        return None
    route = argument(call, 3, "route")
    if route is not None:
        return model.string_of(route, scope)
    pubsub = model.string_of(argument(call, 0, "pubsub"), scope)
    topic = model.string_of(argument(call, 1, "topic"), scope)
    if pubsub is not None and topic is not None:
        return f"/events/{pubsub}/{topic}"
    return None


@rule(
    RuleSpec(
        code="DPR410",
        name="duplicate-subscription-route",
        category="bug",
        summary="Two subscriptions on one route: FastAPI never runs the second, Flask raises AssertionError.",
        target="python",
        off_in_test_code=True,
        predicts="exception",
        prose=pages.DPR410,
        examples=(
            invalid(
                """
                from dapr.ext.fastapi import DaprApp
                from fastapi import FastAPI

                app = FastAPI()
                dapr_app = DaprApp(app)


                @dapr_app.subscribe(pubsub="pubsub", topic="orders", route="/orders")
                def on_order(event: dict): ...


                @dapr_app.subscribe(pubsub="other", topic="orders", route="/orders")  # DPR410
                def on_other_order(event: dict): ...
                """,
            ),
            valid(
                """
                from dapr.ext.fastapi import DaprApp
                from fastapi import FastAPI

                app = FastAPI()
                dapr_app = DaprApp(app)


                @dapr_app.subscribe(pubsub="pubsub", topic="orders", route="/orders")
                def on_order(event: dict): ...


                @dapr_app.subscribe(pubsub="other", topic="orders", route="/other-orders")
                def on_other_order(event: dict): ...
                """,
            ),
        ),
    )
)
def duplicate_subscription_route(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    seen: dict[tuple[tuple, str], FunctionInfo] = {}
    for handler in model.handlers:
        if handler.kind != "subscription" or handler.framework not in _HTTP_SUBSCRIPTION_FRAMEWORKS:
            continue
        call = handler.call
        if call is None or not isinstance(call.func, cst.Attribute):
            continue
        scope = handler.function.outer_scope
        route = _subscription_route(model, handler, scope)
        if route is None:
            continue
        # one app object's routes only: a fresh app per test method (or per factory call) is another app
        key = (model.object_key(call.func.value, scope), route)
        first = seen.get(key)
        if first is None:
            seen[key] = handler.function
            continue
        consequence = (
            "Flask raises AssertionError (the endpoint name is the route)"
            if handler.framework == "dapr-flask"
            else "this handler never receives an event"
        )
        yield report(
            handler.node,
            f"subscription route `{route}` already used by `{first.name}`: {consequence}",
            detail="Give each subscription its own `route=`.",
        )


# -- DPR411 / DPR412 (opinion) ---------------------------------------------------------------------

_REQUESTS = frozenset({"fastapi.Request", "starlette.requests.Request", "fastapi.requests.Request"})


@rule(
    RuleSpec(
        code="DPR411",
        name="untyped-request-body",
        category="opinion",
        summary="A FastAPI route reading `await request.json()` instead of declaring a pydantic model.",
        target="python",
        reads_subscribers=True,
        prose=pages.DPR411,
        examples=(
            invalid(
                """
                from dapr.ext.fastapi import DaprApp
                from fastapi import FastAPI, Request
                from pydantic import BaseModel

                app = FastAPI()
                dapr_app = DaprApp(app)


                @app.post("/orders")
                async def create(request: Request):
                    body = await request.json()  # DPR411
                    return {"id": body["order_id"]}
                """,
            ),
            valid(
                """
                from dapr.ext.fastapi import DaprApp
                from fastapi import FastAPI, Request
                from pydantic import BaseModel

                app = FastAPI()
                dapr_app = DaprApp(app)


                class Order(BaseModel):
                    order_id: str


                @app.post("/orders")
                async def create(order: Order):
                    return {"id": order.order_id}
                """,
            ),
        ),
    )
)
def untyped_request_body(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for info in _fastapi_handlers(model):
        if any(h.kind == "subscription" for h in info.handlers):
            continue
        for site in info.calls:
            func = site.node.func
            if site.context != "await" or not isinstance(func, cst.Attribute) or func.attr.value != "json":
                continue
            if not isinstance(func.value, cst.Name):
                continue
            bindings = model.lookup(func.value.value, site.scope)
            if not bindings or len(bindings) != 1 or bindings[0].kind != "param" or bindings[0].annotation is None:
                continue
            annotation = bindings[0].annotation
            if isinstance(annotation, (cst.Name, cst.Attribute)) and model.qualified_name(annotation, info.outer_scope) in _REQUESTS:
                yield report(
                    site.node,
                    f"route `{info.name}` reads an untyped JSON body: FastAPI neither validates nor documents it",
                    detail="Declare a pydantic model parameter so FastAPI validates the request and documents it.",
                )


_DAPR_HANDLER_KINDS = frozenset(
    {"subscription", "grpc_method", "grpc_subscription", "grpc_binding", "grpc_job", "workflow", "activity"}
)


@rule(
    RuleSpec(
        code="DPR412",
        name="print-logging",
        category="opinion",
        summary="`print()` in a module that serves Dapr handlers: use structured logging.",
        target="python",
        off_in_test_code=True,
        prose=pages.DPR412,
        examples=(
            invalid(
                """
                import logging

                from dapr.ext.grpc import App, SubscriptionMessage, TopicEventResponse

                app = App()


                @app.subscribe(pubsub_name="pubsub", topic="orders")
                def on_order(event: SubscriptionMessage) -> TopicEventResponse:
                    print("received", event.data())  # DPR412
                    return TopicEventResponse("success")
                """,
            ),
            valid(
                """
                import logging

                from dapr.ext.grpc import App, SubscriptionMessage, TopicEventResponse

                app = App()

                logger = logging.getLogger(__name__)


                @app.subscribe(pubsub_name="pubsub", topic="orders")
                def on_order(event: SubscriptionMessage) -> TopicEventResponse:
                    logger.info("received %s", event.id())
                    return TopicEventResponse("success")
                """,
            ),
        ),
    )
)
def print_logging(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    serves = any(h.kind in _DAPR_HANDLER_KINDS for h in model.handlers) or (
        model.handlers and model.imports_module("dapr")
    )
    if not serves:
        return
    for site in model.calls:
        func = site.node.func
        if not isinstance(func, cst.Name) or func.value != "print" or model.lookup("print", site.scope):
            continue
        if site.in_main_guard or (site.function is not None and site.function.is_script_entry):
            continue
        yield report(
            site.node,
            "`print()` in a service: its output has no level, timestamp or trace context",
            detail="Use `logging` (`logger = logging.getLogger(__name__)`).",
        )

