"""DPR2xx: payloads, metadata and state.

Every call is typed through the model: `payload_facts(model).sdk_call(site)` answers only for methods of a resolved Dapr
client and for the SDK's payload classes, so a wrapper's own `publish_event(topic, data)` is never looked at.
"""

from __future__ import annotations

from functools import partial
from typing import Iterator, Optional

import libcst as cst

from dapr_lint.diagnostics import Finding, Fix, with_article
from dapr_lint.python import edits, known
from dapr_lint.python.model import (
    CallSite,
    Const,
    Kind,
    ModuleModel,
    Scope,
    Value,
    call_argument,
    has_keyword,
    has_star_kwargs,
    keyword_arg,
)
from dapr_lint.python.rules.pages import payloads as pages
from dapr_lint.registry import Reporter, RuleSpec, invalid, rule, valid
from dapr_lint.python.model.exceptions import exception_facts
from dapr_lint.python.model.payloads import payload_facts

_CLIENTS = (known.SYNC_DAPR_CLIENT, known.AIO_DAPR_CLIENT)

# The payload parameter of each call the SDK validates (or, for invoke_method, mangles).
_PAYLOAD_PARAMS: dict[str, str] = {
    "save_state": "value",
    "publish_event": "data",
    "invoke_binding": "data",
    "invoke_method": "data",
}
_CONSTRUCTOR_PAYLOADS: dict[str, str] = {
    known.STATE_ITEM: "value",
    known.TRANSACTIONAL_OPERATION: "data",
}
_CONTAINER_KINDS = frozenset({"dict", "list", "tuple", "set"})


def _label(owner: str, name: str) -> str:
    if name == "__init__":
        return owner.rsplit(".", 1)[-1] + "()"
    return name


def _calls(model: ModuleModel) -> Iterator[tuple[CallSite, str, str, tuple[str, ...]]]:
    for site, (owner, name, params) in payload_facts(model).sdk_calls():
        if name != "__init__" and owner not in _CLIENTS:
            continue
        yield site, owner, name, params


# ------------------------------------------------------------------------------------------------
# DPR201
# ------------------------------------------------------------------------------------------------


def _non_json_payload(value: Value) -> Optional[str]:
    """What is wrong with a payload value, or None when it is fine or unknown."""
    if isinstance(value, Kind) and value.kind in _CONTAINER_KINDS:
        return "a pydantic model dumped to a dict" if value.origin in ("model_dump", "pydantic.dict") else with_article(value.kind)
    if isinstance(value, Const) and isinstance(value.value, (bool, int, float)):
        return with_article(type(value.value).__name__)
    return None


def _payload_fix(model: ModuleModel, expr: cst.BaseExpression, value: Value, scope: Scope) -> Optional[Fix]:
    if not isinstance(value, (Kind, Const)):
        return None
    if isinstance(value, Kind) and value.origin == "model_dump":
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "model_dump":
            if not has_keyword(expr, "mode"):
                return Fix(
                    "Use `.model_dump_json()` instead of `.model_dump()`.",
                    partial(edits.rename_name, expr.func.attr, "model_dump_json"),
                )
        return None
    literal = isinstance(value, Const) or value.origin == "literal"
    if not literal or (isinstance(value, Kind) and value.kind == "set"):
        return None  # json.dumps cannot serialise a set
    reference = edits.module_reference(model, scope, "json")
    if reference is None:
        return None  # `json` means something else here
    name, imports = reference
    return Fix("Serialise with `json.dumps(...)` (and `import json`).", partial(edits.wrap_in_call, expr, f"{name}.dumps", imports))


@rule(
    RuleSpec(
        code="DPR201",
        name="non-json-payload",
        category="bug",
        summary="A dict, list, number or bool passed as a state value or event/binding/invocation payload.",
        target="python",
        predicts="exception",
        fix_safety="safe",
        fix_description="Literals and names bound to literals: wrap in `json.dumps(...)`; `.model_dump()` becomes `.model_dump_json()`.",
        fix_note="(literals, and `.model_dump()`)",
        prose=pages.DPR201,
        examples=(
            invalid(
                """
                from dapr.clients import DaprClient


                def save_order(order_id: str, total: float) -> None:
                    order = {"id": order_id, "total": total}
                    with DaprClient() as client:
                        client.save_state("statestore", order_id, order)  # DPR201: ValueError
                        client.publish_event("pubsub", "orders", {"id": order_id})  # DPR201: ValueError
                """,
                fixed="""
                import json
                from dapr.clients import DaprClient


                def save_order(order_id: str, total: float) -> None:
                    order = {"id": order_id, "total": total}
                    with DaprClient() as client:
                        client.save_state("statestore", order_id, json.dumps(order))  # DPR201: ValueError
                        client.publish_event("pubsub", "orders", json.dumps({"id": order_id}))  # DPR201: ValueError
                """,
            ),
            valid(
                """
                import json

                from dapr.clients import DaprClient


                def save_order(order_id: str, total: float) -> None:
                    order = {"id": order_id, "total": total}
                    with DaprClient() as client:
                        client.save_state("statestore", order_id, json.dumps(order))
                        client.publish_event(
                            "pubsub", "orders", json.dumps({"id": order_id}), data_content_type="application/json"
                        )
                """,
                after="""
                With pydantic, serialise with `order.model_dump_json()` rather than `order.model_dump()`.
                """,
            ),
        ),
    )
)
def non_json_payload(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for site, owner, name, params in _calls(model):
        param = _CONSTRUCTOR_PAYLOADS.get(owner) if name == "__init__" else _PAYLOAD_PARAMS.get(name)
        if param is None:
            continue
        arg = call_argument(site.node, params, param)
        if arg is None:
            continue
        if owner == known.TRANSACTIONAL_OPERATION and _is_delete_operation(model, site, params):
            continue  # a delete carries no data
        value = model.value_of(arg.value, site.scope)
        what = _non_json_payload(value)
        if what is None:
            continue
        label = _label(owner, name)
        evidence = ""
        if name == "invoke_method":
            consequence = "sent form-encoded over HTTP, or ValueError over gRPC"
            evidence = (
                "With the default HTTP protocol the SDK hands it to aiohttp, which form-encodes a dict (`a=1`) "
                "under a JSON content type, silently; with the gRPC protocol it raises ValueError. "
            )
        elif name == "invoke_binding":
            consequence = "the SDK raises TypeError"
        else:
            consequence = "the SDK raises ValueError"
        yield report(
            arg.value,
            f"`{param}` of `{label}` is {what}, not bytes or str: {consequence}",
            _payload_fix(model, arg.value, value, site.scope),
            detail=f"{evidence}Serialise it with `json.dumps(...)` or a model's `.model_dump_json()`.",
        )


def _is_delete_operation(model: ModuleModel, site: CallSite, params: tuple[str, ...]) -> bool:
    """Whether an operation may be a delete (no data needed): any operation type but a visible `upsert`."""
    arg = call_argument(site.node, params, "operation_type")
    if arg is None:
        return False
    expr = arg.value
    return not (isinstance(expr, cst.Attribute) and expr.attr.value == "upsert")


# ------------------------------------------------------------------------------------------------
# DPR202
# ------------------------------------------------------------------------------------------------

_JSON_ORIGINS = frozenset({"json.dumps", "model_dump_json", "pydantic.json"})


@rule(
    RuleSpec(
        code="DPR202",
        name="json-without-content-type",
        category="opinion",
        summary="`publish_event` with JSON data and no `data_content_type`: subscribers get a string.",
        target="python",
        predicts="exception",
        fix_safety="unsafe",
        fix_description='Add `data_content_type="application/json"` (consumers that parse the string change).',
        prose=pages.DPR202,
        examples=(
            invalid(
                """
                import json

                from dapr.clients import DaprClient

                with DaprClient() as client:
                    client.publish_event("pubsub", "orders", json.dumps({"id": "42"}))  # DPR202
                """,
                fixed="""
                import json

                from dapr.clients import DaprClient

                with DaprClient() as client:
                    client.publish_event("pubsub", "orders", json.dumps({"id": "42"}), data_content_type="application/json")  # DPR202
                """,
            ),
            valid(
                """
                import json

                from dapr.clients import DaprClient

                with DaprClient() as client:
                    client.publish_event(
                        "pubsub", "orders", json.dumps({"id": "42"}), data_content_type="application/json"
                    )
                """,
            ),
        ),
    )
)
def json_without_content_type(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for site, _owner, name, params in _calls(model):
        if name != "publish_event" or has_star_kwargs(site.node):
            continue
        data = call_argument(site.node, params, "data")
        if data is None or call_argument(site.node, params, "data_content_type") is not None:
            continue
        value = model.value_of(data.value, site.scope)
        if not (isinstance(value, Kind) and value.kind == "str" and value.origin in _JSON_ORIGINS):
            continue
        if "specversion" in _payload_keys(model, data.value, site.scope):
            continue  # a CloudEvent: DPR207's, whose fix sets the cloudevents content type, not application/json
        yield report(
            data.value,
            "JSON published without `data_content_type`: delivered as text/plain, subscribers get a string",
            Fix('Add `data_content_type="application/json"`.', partial(edits.keyword_argument, site.node, "data_content_type", '"application/json"')),
            detail='Subscribers receive a string, not an object. Pass `data_content_type="application/json"`.',
        )


# ------------------------------------------------------------------------------------------------
# DPR203
# ------------------------------------------------------------------------------------------------

_METADATA_PARAMS = frozenset(
    {
        "state_metadata",
        "states_metadata",
        "publish_metadata",
        "binding_metadata",
        "secret_metadata",
        "config_metadata",
        "transactional_metadata",
    }
)
_CONSTRUCTOR_METADATA = frozenset({known.STATE_ITEM, known.BULK_PUBLISH_ENTRY})


def _metadata_params(owner: str, name: str, params: tuple[str, ...]) -> tuple[str, ...]:
    if name == "__init__":
        return ("metadata",) if owner in _CONSTRUCTOR_METADATA else ()
    return tuple(p for p in params if p in _METADATA_PARAMS)


def _non_string(value: Value) -> Optional[str]:
    # protobuf accepts bytes for a string field (decoded as UTF-8), so bytes are not reported
    if isinstance(value, Const) and not isinstance(value.value, (str, bytes)):
        return "None" if value.value is None else type(value.value).__name__
    if isinstance(value, Kind) and value.kind not in ("str", "bytes"):
        return value.kind
    return None


def _string_fix(expr: cst.BaseExpression) -> Optional[Fix]:
    if isinstance(expr, (cst.Integer, cst.Float)) and not expr.lpar:
        return Fix(f'Quote it: `"{expr.value}"`.', partial(edits.string_literal, expr, expr.value))
    if isinstance(expr, cst.Name) and expr.value in ("True", "False"):
        text = expr.value.lower()
        return Fix(f'Use `"{text}"`.', partial(edits.string_literal, expr, text))
    return None


@rule(
    RuleSpec(
        code="DPR203",
        name="non-string-metadata-value",
        category="bug",
        summary="A non-str value in a Dapr metadata dict (protobuf raises TypeError at call time).",
        target="python",
        predicts="exception",
        fix_safety="safe",
        fix_description='Quote the literal: `3600` becomes `"3600"`, `True` becomes `"true"`.',
        fix_note="(literals)",
        prose=pages.DPR203,
        examples=(
            invalid(
                """
                from dapr.clients import DaprClient

                with DaprClient() as client:
                    client.save_state("statestore", "k", "v", state_metadata={"ttlInSeconds": 3600})  # DPR203
                    client.publish_event("pubsub", "orders", "{}", publish_metadata={"rawPayload": True})  # DPR203
                """,
                fixed="""
                from dapr.clients import DaprClient

                with DaprClient() as client:
                    client.save_state("statestore", "k", "v", state_metadata={"ttlInSeconds": "3600"})  # DPR203
                    client.publish_event("pubsub", "orders", "{}", publish_metadata={"rawPayload": "true"})  # DPR203
                """,
            ),
            valid(
                """
                from dapr.clients import DaprClient

                with DaprClient() as client:
                    client.save_state("statestore", "k", "v", state_metadata={"ttlInSeconds": "3600"})
                    client.publish_event("pubsub", "orders", "{}", publish_metadata={"rawPayload": "true"})
                """,
            ),
        ),
    )
)
def non_string_metadata_value(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for site, owner, name, params in _calls(model):
        for param in _metadata_params(owner, name, params):
            arg = call_argument(site.node, params, param)
            if arg is None:
                continue
            found = payload_facts(model).dict_literal_of(arg.value, site.scope)
            if found is None:
                continue
            display, scope = found
            for element in display.elements:
                if not isinstance(element, cst.DictElement):
                    continue
                what = _non_string(model.value_of(element.value, scope))
                if what is None:
                    continue
                key = model.string_of(element.key, scope)
                key_text = f'"{key}"' if key is not None else "a key"
                yield report(
                    element.value,
                    f"`{param}` of `{_label(owner, name)}` maps {key_text} to {with_article(what)}: protobuf raises TypeError",
                    _string_fix(element.value),
                    detail="Dapr metadata values must be str (protobuf raises TypeError: bad argument type). Quote the value.",
                )


# ------------------------------------------------------------------------------------------------
# DPR204
# ------------------------------------------------------------------------------------------------


# Methods whose `metadata=` is the deprecated gRPC call metadata (a MetadataTuple) on both clients. The
# conversation methods' `metadata` is Dapr metadata (Dict[str, str]), and so is the aio `subscribe`'s.
_GRPC_METADATA_METHODS = frozenset(
    {
        "delete_state",
        "execute_state_transaction",
        "get_bulk_secret",
        "get_bulk_state",
        "get_secret",
        "get_state",
        "invoke_binding",
        "invoke_method",
        "publish_event",
        "save_bulk_state",
        "save_state",
    }
)


@rule(
    RuleSpec(
        code="DPR204",
        name="dict-as-grpc-metadata",
        category="bug",
        summary="A dict passed as `metadata=`, the deprecated gRPC call metadata, instead of Dapr metadata.",
        target="python",
        predicts="exception",
        fix_safety="safe",
        fix_description="Rename `metadata=` to the method's Dapr-metadata keyword (`state_metadata=`, `publish_metadata=`, ...).",
        fix_note="(where the method has one Dapr-metadata keyword)",
        prose=pages.DPR204,
        examples=(
            invalid(
                """
                from dapr.clients import DaprClient

                with DaprClient() as client:
                    client.save_state("statestore", "k", "v", metadata={"ttlInSeconds": "60"})  # DPR204
                """,
                fixed="""
                from dapr.clients import DaprClient

                with DaprClient() as client:
                    client.save_state("statestore", "k", "v", state_metadata={"ttlInSeconds": "60"})  # DPR204
                """,
            ),
            valid(
                """
                from dapr.clients import DaprClient

                with DaprClient() as client:
                    client.save_state("statestore", "k", "v", state_metadata={"ttlInSeconds": "60"})
                """,
            ),
        ),
    )
)
def dict_as_grpc_metadata(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for site, _owner, name, params in _calls(model):
        if name not in _GRPC_METADATA_METHODS:
            continue
        arg = keyword_arg(site.node, "metadata")
        if arg is None:
            continue
        value = model.value_of(arg.value, site.scope)
        if value != Kind("dict"):
            continue
        found = payload_facts(model).dict_literal_of(arg.value, site.scope)
        if found is not None and not found[0].elements:
            continue  # an empty dict unpacks to nothing: harmless
        if isinstance(arg.value, cst.Call) and not arg.value.args:
            continue  # `dict()`: empty as well
        targets = [p for p in params if p in _METADATA_PARAMS]
        fix = None
        if len(targets) == 1:
            target = targets[0]
            advice = f"Dapr metadata goes in `{target}=`"
            if call_argument(site.node, params, target) is None:
                fix = Fix(f"Rename `metadata=` to `{target}=`.", partial(edits.rename_name, arg.keyword, target))  # type: ignore[arg-type]
        else:
            advice = "pass gRPC metadata as a tuple of (key, value) pairs, or drop it"
        yield report(
            arg.keyword,  # type: ignore[arg-type]
            f"`metadata=` of `{name}` is gRPC call metadata (pairs): a dict raises ValueError or sends garbage",
            fix,
            detail=(
                "The deprecated `metadata=` is a tuple of (key, value) pairs: a dict raises ValueError (or, with "
                f"two-character keys, sends their letters as pairs). {advice[:1].upper() + advice[1:]}."
            ),
        )


# ------------------------------------------------------------------------------------------------
# DPR205
# ------------------------------------------------------------------------------------------------


def _state_json_target(model: ModuleModel, site: CallSite) -> Optional[cst.BaseExpression]:
    """The StateResponse expression a call decodes as JSON: `resp.json()`, `json.loads(resp.data)`,
    `json.loads(resp.text())`, `json.loads(resp.data.decode())`."""
    func = site.node.func
    if isinstance(func, cst.Attribute) and func.attr.value == "json" and not site.node.args:
        if payload_facts(model).is_state_response(func.value, site.scope):
            return func.value
        return None
    if not site.node.args or site.node.args[0].keyword is not None:
        return None
    callee = model.qualified_name(func, site.scope)
    if callee not in ("json.loads", "orjson.loads"):
        return None
    expr = site.node.args[0].value
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value in ("decode", "text"):
        if expr.func.attr.value == "text":
            return expr.func.value if payload_facts(model).is_state_response(expr.func.value, site.scope) else None
        expr = expr.func.value
    if isinstance(expr, cst.Attribute) and expr.attr.value == "data" and payload_facts(model).is_state_response(expr.value, site.scope):
        return expr.value
    return None


@rule(
    RuleSpec(
        code="DPR205",
        name="unguarded-state-json",
        category="bug",
        summary="`get_state(...).json()` with no check for a missing key (b'' raises JSONDecodeError).",
        target="python",
        predicts="exception",
        prose=pages.DPR205,
        examples=(
            invalid(
                """
                from dapr.clients import DaprClient


                def load_cart(user_id: str) -> dict:
                    with DaprClient() as client:
                        return client.get_state("statestore", f"cart-{user_id}").json()  # DPR205
                """,
            ),
            valid(
                """
                from dapr.clients import DaprClient


                def load_cart(user_id: str) -> dict:
                    with DaprClient() as client:
                        resp = client.get_state("statestore", f"cart-{user_id}")
                        return resp.json() if resp.data else {}
                """,
            ),
        ),
    )
)
def unguarded_state_json(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for site in model.calls:
        target = _state_json_target(model, site)
        if target is None:
            continue
        if isinstance(target, cst.Name) and payload_facts(model).is_tested(target.value, site.scope):
            continue
        if exception_facts(model).protected_by(site, "json"):
            continue
        yield report(
            site.node,
            "JSON decoded from a `get_state` result unchecked: a missing key gives b'' and JSONDecodeError",
            detail="A missing key returns empty data (b''). Check `if resp.data:` first.",
        )


# ------------------------------------------------------------------------------------------------
# DPR206
# ------------------------------------------------------------------------------------------------

_EMPTY = (Const(None), Const(""), Const(b""))


@rule(
    RuleSpec(
        code="DPR206",
        name="invoke-body-without-verb",
        category="bug",
        summary="`invoke_method` with a body and no `http_verb`: it is sent as a GET with a body.",
        target="python",
        predicts="exception",
        fix_safety="unsafe",
        fix_description='Add `http_verb="POST"`.',
        prose=pages.DPR206,
        examples=(
            invalid(
                """
                import json

                from dapr.clients import DaprClient
                from fastapi import FastAPI

                app = FastAPI()


                @app.post("/orders")
                def create_order(order: dict) -> dict:
                    with DaprClient() as client:
                        client.invoke_method("billing", "charge", data=json.dumps(order))  # DPR206: sent as GET
                    return order
                """,
                fixed="""
                import json

                from dapr.clients import DaprClient
                from fastapi import FastAPI

                app = FastAPI()


                @app.post("/orders")
                def create_order(order: dict) -> dict:
                    with DaprClient() as client:
                        client.invoke_method("billing", "charge", data=json.dumps(order), http_verb="POST")  # DPR206: sent as GET
                    return order
                """,
            ),
            valid(
                """
                client.invoke_method("billing", "charge", data=json.dumps(order), http_verb="POST")
                """,
            ),
        ),
    )
)
def invoke_body_without_verb(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    serves_http = any(h.kind == "route" for h in model.handlers)
    for site, _owner, name, params in _calls(model):
        if name != "invoke_method" or has_star_kwargs(site.node):
            continue
        data = call_argument(site.node, params, "data")
        if data is None or call_argument(site.node, params, "http_verb") is not None:
            continue
        if model.value_of(data.value, site.scope) in _EMPTY:
            continue
        if not (serves_http or _targets_http_route(model, site, params)):
            # A gRPC callee (dapr.ext.grpc `App.method`) ignores the verb; without a sign that the callee is an
            # HTTP app, the call may well be right.
            continue
        yield report(
            site.node,
            "`invoke_method` with a body and no `http_verb` sends a GET with a body",
            Fix('Add `http_verb="POST"`.', partial(edits.keyword_argument, site.node, "http_verb", '"POST"')),
            detail='The default verb is GET. Pass `http_verb="POST"` (or the verb the callee serves).',
        )


def _targets_http_route(model: ModuleModel, site: CallSite, params: tuple[str, ...]) -> bool:
    """Signs that the callee is an HTTP app: a query string, or a method name that is a path."""
    if call_argument(site.node, params, "http_querystring") is not None:
        return True
    method = call_argument(site.node, params, "method_name")
    if method is None:
        return False
    value = model.string_of(method.value, site.scope)
    return value is not None and "/" in value


# ------------------------------------------------------------------------------------------------
# DPR207 / DPR208
# ------------------------------------------------------------------------------------------------


def _literal_keys(model: ModuleModel, display: cst.Dict, scope: Scope) -> set[str]:
    keys = set()
    for element in display.elements:
        if isinstance(element, cst.DictElement):
            key = model.string_of(element.key, scope)
            if key is not None:
                keys.add(key)
    return keys


def _payload_keys(model: ModuleModel, expr: cst.BaseExpression, scope: Scope) -> set[str]:
    found = payload_facts(model).dict_literal_of(expr, scope) or payload_facts(model).json_dumped_dict(expr, scope)
    return _literal_keys(model, *found) if found is not None else set()


_CLOUDEVENTS_JSON = "application/cloudevents+json"


@rule(
    RuleSpec(
        code="DPR207",
        name="double-wrapped-cloudevent",
        category="bug",
        summary="A CloudEvent published without the cloudevents content type: Dapr wraps it in a second envelope.",
        target="python",
        predicts="exception",
        fix_safety="safe",
        fix_description=f'Set `data_content_type="{_CLOUDEVENTS_JSON}"`.',
        prose=pages.DPR207,
        examples=(
            invalid(
                """
                import json

                from dapr.clients import DaprClient

                event = {"specversion": "1.0", "type": "order.created", "source": "shop", "id": "42", "data": {}}
                with DaprClient() as client:
                    client.publish_event("pubsub", "orders", json.dumps(event))  # DPR207
                """,
                fixed="""
                import json

                from dapr.clients import DaprClient

                event = {"specversion": "1.0", "type": "order.created", "source": "shop", "id": "42", "data": {}}
                with DaprClient() as client:
                    client.publish_event("pubsub", "orders", json.dumps(event), data_content_type="application/cloudevents+json")  # DPR207
                """,
            ),
            valid(
                """
                with DaprClient() as client:
                    client.publish_event(
                        "pubsub", "orders", json.dumps(event), data_content_type="application/cloudevents+json"
                    )
                """,
            ),
        ),
    )
)
def double_wrapped_cloudevent(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for site, _owner, name, params in _calls(model):
        if name != "publish_event" or has_star_kwargs(site.node):
            continue
        data = call_argument(site.node, params, "data")
        if data is None or "specversion" not in _payload_keys(model, data.value, site.scope):
            continue
        content_type = call_argument(site.node, params, "data_content_type")
        if content_type is not None:
            value = model.value_of(content_type.value, site.scope)
            if not isinstance(value, Const) or value.value == _CLOUDEVENTS_JSON:
                continue
        yield report(
            data.value,
            "payload is already a CloudEvent: Dapr wraps it again and subscribers find it under `data.data`",
            Fix(f'Set `data_content_type="{_CLOUDEVENTS_JSON}"`.', partial(edits.set_keyword, site.node, "data_content_type", f'"{_CLOUDEVENTS_JSON}"')),
            detail=(
                f'It has `specversion`. Without `data_content_type="{_CLOUDEVENTS_JSON}"` Dapr wraps it in another '
                "envelope."
            ),
        )


@rule(
    RuleSpec(
        code="DPR208",
        name="binding-envelope-as-data",
        category="bug",
        summary="`invoke_binding` data shaped like the HTTP API envelope (`data` and `metadata` keys).",
        target="python",
        predicts="exception",
        prose=pages.DPR208,
        examples=(
            invalid(
                """
                import json

                from dapr.clients import DaprClient

                with DaprClient() as client:
                    body = {"data": {"id": "42"}, "metadata": {"ttlInSeconds": "60"}}
                    client.invoke_binding("queue", "create", json.dumps(body))  # DPR208
                """,
            ),
            valid(
                """
                with DaprClient() as client:
                    client.invoke_binding(
                        "queue", "create", json.dumps({"id": "42"}), binding_metadata={"ttlInSeconds": "60"}
                    )
                """,
            ),
        ),
    )
)
def binding_envelope_as_data(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for site, _owner, name, params in _calls(model):
        if name != "invoke_binding":
            continue
        data = call_argument(site.node, params, "data")
        if data is None:
            continue
        keys = _payload_keys(model, data.value, site.scope)
        if not {"data", "metadata"} <= keys:
            continue
        yield report(
            data.value,
            "`invoke_binding` data shaped like the HTTP API body: the binding never sees the metadata",
            detail=(
                "It has `data` and `metadata` keys: the SDK sends it all as the payload. Pass `data=` the payload and "
                "`binding_metadata=` the metadata."
            ),
        )
