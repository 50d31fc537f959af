"""The written sections of the service rules' pages: each spec in python/rules/service.py names its own,
`prose=pages.DPRxxx`, and scripts/gen_rule_docs.py generates the whole page from the spec."""

from dapr_lint.examples import page


DPR403 = page(
    (
        "What it does",
        """
        Reports a pub/sub subscription handler that answers a status Dapr does not know:

        - in an HTTP subscription handler (`DaprApp.subscribe` of `dapr.ext.fastapi` or `dapr.ext.flask`), a returned
          `{"status": X}` (a dict literal, a name bound to one, `JSONResponse(...)`, `jsonify(...)`, a Flask
          `(body, code)` tuple) whose `X` is a known string other than exactly `SUCCESS`, `RETRY` or `DROP`. Module
          constants resolve (`return {"status": PROCESSED}`);
        - anywhere, `TopicEventResponse(s)` with `s` a string that is not `success`, `retry` or `drop` in some case, or a
          non-string literal.

        A response with no `status` key, an empty status, or a status the tool cannot know is not reported.
        """,
    ),
    (
        "Why is this bad?",
        """
        The runtime reads the JSON answer of an HTTP subscriber case-sensitively. `SUCCESS` acknowledges the event,
        `RETRY` and `DROP` do what they say, a missing status counts as success, and **any other string is an error that
        is retried**: a handler answering `{"status": "processed"}` or `{"status": "success"}` processes the event, then
        receives it again. Dapr counts the delivery as failed: the event is retried as far as the component's retry settings and the resiliency policy allow, then sent to the dead-letter topic if one is set; without one, the broker decides whether it comes back (some redeliver it indefinitely, some drop it).

        `TopicEventResponse("fail")` raises `KeyError` (and `TopicEventResponse(1)` raises `ValueError`) before anything is
        returned, so the handler fails on the very path meant to report a failure.
        """,
    ),
    (
        "Fix safety",
        """
        Safe when the status is a case variant of a valid one (`"success"` becomes `"SUCCESS"`): that is the only answer
        the author can have meant. The fix rewrites a literal in the handler; a status taken from a constant is not
        rewritten, since the constant may serve other code. Other values, and `TopicEventResponse`, have no automatic fix.
        """,
    ),
    (
        "References",
        """
        - Dapr pub/sub API, expected HTTP response: https://docs.dapr.io/reference/api/pubsub_api/
        - Dapr FastAPI extension: https://docs.dapr.io/developing-applications/sdks/python/python-sdk-extensions/python-fastapi/
        """,
    ),
)


DPR404 = page(
    (
        "What it does",
        """
        Reports a Flask subscription handler (`DaprApp.subscribe` of `dapr.ext.flask` or `flask_dapr`) that can return
        `None`: a bare `return`, `return None`, or a path that reaches the end of the function. Branches that raise,
        call `abort(...)` or `sys.exit(...)`, and `while True` loops without `break`, do not fall through. A `match`
        statement is assumed not to fall through.
        """,
    ),
    (
        "Why is this bad?",
        """
        Flask turns a view that returns `None` into `500 Internal Server Error` ("The view function did not return a valid
        response"). For Dapr a 500 is a retriable failure, so an event the handler processed successfully is delivered
        again and again.
        """,
    ),
    (
        "Fix safety",
        """
        No automatic fix: what to answer on each path is the author's decision.
        """,
    ),
    (
        "References",
        """
        - Dapr Flask extension: https://docs.dapr.io/developing-applications/sdks/python/python-sdk-extensions/python-flask/
        - Dapr pub/sub API, expected HTTP response: https://docs.dapr.io/reference/api/pubsub_api/
        """,
    ),
)


DPR405 = page(
    (
        "What it does",
        """
        Reports a parameter of a FastAPI route or of a `dapr.ext.fastapi` subscription handler annotated with
        `cloudevents.http.CloudEvent`.
        """,
    ),
    (
        "Why is this bad?",
        """
        `cloudevents.http.CloudEvent` is not a pydantic type. FastAPI inspects the parameter when the route is defined,
        that is when the module is imported, and raises `fastapi.exceptions.FastAPIError: Invalid args for response
        field!`: the service does not start. `cloudevents.pydantic.CloudEvent` is the same event as a pydantic model and
        works.
        """,
    ),
    (
        "Fix safety",
        """
        Safe: the fix points the annotation at `CloudEvent` from `cloudevents.pydantic`, which FastAPI accepts and which
        carries the same attributes. It reuses an existing import of it, or adds
        `from cloudevents.pydantic import CloudEvent as PydanticCloudEvent`, so other uses of the `cloudevents.http`
        CloudEvent in the module (building events to send, say) keep working.
        """,
    ),
    (
        "References",
        """
        - Dapr FastAPI extension: https://docs.dapr.io/developing-applications/sdks/python/python-sdk-extensions/python-fastapi/
        - CloudEvents Python SDK: https://github.com/cloudevents/sdk-python
        """,
    ),
)


DPR406 = page(
    (
        "What it does",
        """
        Reports a `dapr.ext.fastapi` subscription handler whose body parameter is a pydantic model of this module with no
        `data` field (a domain model such as `Order`). Parameters typed `dict`, `Request` or
        `cloudevents.pydantic.CloudEvent`, models that have a `data` field (an envelope model), parameters with a
        `Depends(...)`/`Header(...)`-style default, imported models the tool cannot inspect, and subscriptions whose
        metadata sets `rawPayload` (or is not a literal) are not reported.
        """,
    ),
    (
        "Why is this bad?",
        """
        Dapr posts the CloudEvent envelope (`specversion`, `id`, `type`, ..., `data`). The order is under `data`, so
        validating the whole body as `Order` fails: FastAPI answers 422, and Dapr retries every non-2xx answer except 404.
        Dapr counts the delivery as failed: the event is retried as far as the component's retry settings and the resiliency policy allow, then sent to the dead-letter topic if one is set; without one, the broker decides whether it comes back (some redeliver it indefinitely, some drop it). The handler never processes it.
        """,
    ),
    (
        "Fix safety",
        """
        No automatic fix: the handler's body has to read the payload from `data`.
        """,
    ),
    (
        "References",
        """
        - Dapr FastAPI extension: https://docs.dapr.io/developing-applications/sdks/python/python-sdk-extensions/python-fastapi/
        - Dapr pub/sub API, expected HTTP response: https://docs.dapr.io/reference/api/pubsub_api/
        """,
    ),
)


DPR407 = page(
    (
        "What it does",
        """
        Reports an `async def` registered with the gRPC extension's `App.subscribe`, `App.method`, `App.binding` or
        `App.job_event` (`dapr.ext.grpc`).
        """,
    ),
    (
        "Why is this bad?",
        """
        The gRPC extension calls handlers synchronously and never awaits them. An `async def` topic handler never runs:
        the call returns a coroutine, the reply is empty (which Dapr reads as SUCCESS) and the event is lost with only a
        `RuntimeWarning: coroutine ... was never awaited`. An `async def` method handler fails every call with
        `OUT_OF_RANGE` (a coroutine is not a valid return value).
        """,
    ),
    (
        "Fix safety",
        """
        No automatic fix: removing `async` requires removing the `await`s in the body.
        """,
    ),
    (
        "References",
        """
        - Dapr gRPC extension: https://docs.dapr.io/developing-applications/sdks/python/python-sdk-extensions/python-grpc/
        """,
    ),
)


DPR408 = page(
    (
        "What it does",
        """
        Reports, in handlers registered with the gRPC extension (`dapr.ext.grpc.App`):

        - a topic handler (`App.subscribe`) returning a string or a dict;
        - a method handler (`App.method`) returning a dict, list or set.
        """,
    ),
    (
        "Why is this bad?",
        """
        A topic handler's answer changes the delivery status only when it is a `TopicEventResponse`; a returned
        `"RETRY"` or `{"status": "DROP"}` is ignored and the event is acknowledged as SUCCESS. A method handler may return
        bytes, a string, a protobuf message or an `InvokeMethodResponse`; a dict makes the call fail with `OUT_OF_RANGE`
        (`<class 'dict'> is the invalid return type`).
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
        - Dapr gRPC extension: https://docs.dapr.io/developing-applications/sdks/python/python-sdk-extensions/python-grpc/
        """,
    ),
)


DPR409 = page(
    (
        "What it does",
        """
        Reports uses of a function decorated by a Dapr decorator that returns `None`: `DaprApp.subscribe`
        (`dapr.ext.fastapi`, `dapr.ext.flask`) and the gRPC extension's `App.subscribe`, `method`, `binding` and
        `job_event`. It flags:

        - another decorator stacked above the Dapr decorator (it receives `None`);
        - a later call of the decorated name in the same module.
        """,
    ),
    (
        "Why is this bad?",
        """
        These decorators register the function and return nothing, so after the definition the name is `None`. Calling
        it raises `TypeError: 'NoneType' object is not callable`; a decorator above it wraps `None` (and FastAPI or Flask
        route decorators above it fail at import).
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
        - Dapr FastAPI extension: https://docs.dapr.io/developing-applications/sdks/python/python-sdk-extensions/python-fastapi/
        - Dapr gRPC extension: https://docs.dapr.io/developing-applications/sdks/python/python-sdk-extensions/python-grpc/
        """,
    ),
)


DPR410 = page(
    (
        "What it does",
        """
        Reports a `DaprApp.subscribe` (FastAPI or Flask) whose route another subscription on the same `DaprApp` already
        uses. The route is the `route=` argument, or the default `/events/{pubsub}/{topic}` when the pub/sub and topic
        names are known. Only the routes of one app object are compared: a `DaprApp` built inside a function (a fresh app
        per test, or per factory call) or on `self` in a test method is another app each time.
        """,
    ),
    (
        "Why is this bad?",
        """
        With FastAPI both subscriptions are announced in `/dapr/subscribe`, but Starlette dispatches every request on the
        route to the first handler: the second handler never runs and its topic's events are handled by the wrong code.
        With Flask the endpoint name is the route, so the second registration raises `AssertionError: View function mapping
        is overwriting an existing endpoint function` at import.
        """,
    ),
    (
        "Fix safety",
        """
        No automatic fix: the new route is a choice of the author.
        """,
    ),
    (
        "References",
        """
        - Dapr FastAPI extension: https://docs.dapr.io/developing-applications/sdks/python/python-sdk-extensions/python-fastapi/
        - Dapr Flask extension: https://docs.dapr.io/developing-applications/sdks/python/python-sdk-extensions/python-flask/
        """,
    ),
)


DPR411 = page(
    (
        "What it does",
        """
        Reports `await request.json()` in a FastAPI route whose `request` parameter is typed `fastapi.Request`, where a
        pydantic model parameter would describe the body. Subscription handlers are not reported (their body is the
        CloudEvent envelope). That includes routes the module's own `GET /dapr/subscribe` lists and routes a declarative
        `Subscription` resource in the checked folders delivers to.
        """,
    ),
    (
        "Why is this bad?",
        """
        A typed body is validated by FastAPI before the handler runs (a clear 422 instead of a `KeyError` deep in the
        code) and appears in the OpenAPI schema. This is the "structured data" practice; many correct services read raw
        JSON on purpose, so the rule is off by default.
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
        - FastAPI request body: https://fastapi.tiangolo.com/tutorial/body/
        """,
    ),
)


DPR412 = page(
    (
        "What it does",
        """
        Reports `print(...)` in a module that serves Dapr handlers (subscriptions, gRPC-extension handlers, workflows,
        activities, or routes in a module that imports Dapr). Calls under `if __name__ == "__main__":` and in the script
        entry handed to `asyncio.run` are not reported; modules without handlers (scripts) are not checked.
        """,
    ),
    (
        "Why is this bad?",
        """
        `print` output has no level, no timestamp, no logger name and no trace context, so it cannot be filtered or
        correlated with the Dapr sidecar's logs. This is the "structured logging" practice; it is off by default.
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
        - Python logging HOWTO: https://docs.python.org/3/howto/logging.html
        """,
    ),
)
