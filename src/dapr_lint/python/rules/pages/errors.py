"""The written sections of the errors rules' pages: each spec in python/rules/errors.py names its own,
`prose=pages.DPRxxx`, and scripts/gen_rule_docs.py generates the whole page from the spec."""

from dapr_lint.examples import page


DPR301 = page(
    (
        "What it does",
        """
        Reports a Dapr client call (any method that talks to the sidecar, on the sync or aio `DaprClient` or a
        `DaprWorkflowClient`) made directly in an HTTP route handler (FastAPI, Starlette or Flask) that is not inside a
        `try` whose except clauses catch Dapr errors: `DaprInternalError`, `DaprHttpError`, `DaprGrpcError`,
        `grpc.RpcError`, `Exception`, `BaseException`, a bare `except:`, or a class the tool cannot resolve (an
        imported tuple of exceptions, say).

        A call in an except clause or a `finally` is not protected by that `try`. Exception classes defined in the
        module do not count: no SDK error derives from them.

        It does not report:

        - subscription, input-binding, gRPC-extension, workflow and activity handlers: raising there tells Dapr to
          retry, which is usually what you want. A route counts as a subscription handler when it is registered with
          `DaprApp.subscribe`, when the module's own `GET /dapr/subscribe` lists it (programmatic subscriptions), or
          when a declarative `Subscription` resource in the checked folders delivers to it (`spec.route`,
          `spec.routes.default` or a rule's `path`);
        - helper functions that are not handlers (the route that calls them is not reported either: the tool does not
          follow calls for this rule);
        - same-named methods of other objects (a repository's `get_state`);
        - routes of an app with an app-level error handler that catches Dapr errors (one of the classes above, or status
          500): FastAPI/Starlette `@app.exception_handler(...)`, `app.add_exception_handler(...)` or
          `FastAPI(exception_handlers={...})`; Flask `@app.errorhandler(...)`, `app.register_error_handler(...)` or a
          blueprint's `@bp.app_errorhandler(...)`. A handler registered in any module of the same Dapr app counts (the app
          object, its routers and its handlers often live in different modules); the tool does not check which app object
          of that Dapr app the handler is registered on.

        This is a project rule: it runs after every file has been read (in `dapr-lint check`, the flake8 plugin and the
        editor alike), since the routes, the app and its handlers may sit in different modules.
        """,
    ),
    (
        "Why is this bad?",
        """
        An unhandled Dapr error in a route is logged by Flask or uvicorn, but the caller gets a generic 500: it cannot tell
        a sidecar or component outage from a bug, and gets no status it can act on (a 503 to retry later, a 409 on an etag
        conflict). Sidecar restarts, component outages and etag conflicts are ordinary events in a Dapr system: the
        service should log them with context and answer with a deliberate status (503, 409, ...).
        """,
    ),
    (
        "References",
        """
        - The exceptions the SDK's methods raise (dapr 1.19.0, `dapr/clients/exceptions.py`, `dapr/clients/grpc/client.py`).
        - Dapr Python SDK error handling: https://docs.dapr.io/developing-applications/sdks/python/python-client/
        """,
    ),
)


DPR302 = page(
    (
        "What it does",
        """
        Reports a `try` whose only Dapr-related except clause catches `DaprInternalError` (or `DaprHttpError`) while
        its body calls gRPC-based Dapr client methods: `get_state`, `save_state` (sync), `delete_state`,
        `publish_event`, `get_secret`, `invoke_binding`, `get_configuration`, `try_lock`, and the rest. The finding
        points at `DaprInternalError` in the except clause.

        It does not report:

        - a `try` that also catches `grpc.RpcError`, `DaprGrpcError`, `Exception`, `BaseException`, a bare
          `except:`, or a class the tool cannot resolve;
        - bodies whose Dapr calls are only `invoke_method` (HTTP invocation raises `DaprHttpError`, a
          `DaprInternalError`) or the aio `save_state` (which converts its errors to `DaprInternalError`);
        - calls already covered by an inner `try` that catches `grpc.RpcError`.
        """,
    ),
    (
        "Why is this bad?",
        """
        `DaprInternalError` looks like the SDK's base error, but it is not. On the sync client, `get_state`,
        `save_state`, `delete_state` and `publish_event` raise `DaprGrpcError`, which derives from `grpc.RpcError` and
        **not** from `DaprInternalError`; `get_secret`, `invoke_binding`, `get_configuration` and `try_lock` raise a raw
        `grpc.RpcError`. The aio client behaves the same, except `save_state`. A handler that catches only
        `DaprInternalError` lets every sidecar or component failure escape.
        """,
    ),
    (
        "Fix safety",
        """
        The fix catches `(DaprInternalError, grpc.RpcError)` and adds `import grpc`. It is unsafe: errors that used to
        propagate are now handled by the clause, which changes behaviour (for example a retry loop or an error page
        further up no longer sees them).
        """,
    ),
    (
        "References",
        """
        - The exceptions the SDK's methods raise (dapr 1.19.0, `dapr/clients/exceptions.py` and `dapr/clients/grpc/client.py`): gRPC failures surface as `DaprGrpcError` or a raw `grpc.RpcError`, neither a `DaprInternalError`.
        """,
    ),
)


DPR303 = page(
    (
        "What it does",
        """
        Reports an except clause that catches Dapr errors (`DaprInternalError`, `DaprHttpError`, `DaprGrpcError`,
        `grpc.RpcError`, `Exception`, `BaseException` or a bare `except:`) around a `try` body that calls a Dapr client,
        when the clause's body only does any of:

        - `pass` or `...`;
        - `continue`;
        - `return` or `return None`;
        - `print(...)` of a message that does not include the caught exception, in a module that serves handlers.

        It does not report clauses that log (`logger.exception(...)`, `logging.error(...)`, `structlog`), re-raise, raise
        another exception, return a value (an error response), or do anything else; clauses for unrelated exceptions
        (`KeyError`); and `try` statements with no Dapr client call in their body. In a script (a module that serves no
        route, subscription or other handler), `print` is the program's output and counts as reporting.
        """,
    ),
    (
        "Why is this bad?",
        """
        A swallowed error leaves no trace: the state was not saved, the event was not published, and nothing in the
        logs says so.
        """,
    ),
    (
        "References",
        """
        - The exceptions the SDK's methods raise (dapr 1.19.0, `dapr/clients/exceptions.py`, `dapr/clients/grpc/client.py`).
        """,
    ),
)


DPR304 = page(
    (
        "What it does",
        """
        Reports an except clause in a pub/sub subscription handler (`DaprApp.subscribe` of `dapr.ext.fastapi` or
        `dapr.ext.flask`, `App.subscribe` of `dapr.ext.grpc`) that tells Dapr the event succeeded:

        - it returns `{"status": "SUCCESS"}` (also through `jsonify(...)`, `JSONResponse(...)`, or a `(body, 2xx)`
          tuple);
        - in a FastAPI or gRPC subscriber, it returns nothing (`return`, `return None`);
        - in a gRPC subscriber, it returns `TopicEventResponse("success")`, or a string or dict (which the extension
          ignores and answers SUCCESS);
        - it neither returns nor raises, and the handler then falls off its end (FastAPI, gRPC) or runs a `return` right
          after the `try` that answers success.

        It does not report clauses that return `RETRY` or `DROP`, re-raise or raise, or make a Dapr client call (an
        explicit dead-letter publish, a saved failure record); Flask subscribers that return `None` (Flask answers 500,
        a retry: DPR404 covers that); bodies with no `status` key such as `{"success": True}`
        (success for Dapr, but often meant as an error: too ambiguous to report); unknown statuses (DPR403); and
        subscribers without any `try`, since raising means retry.
        """,
    ),
    (
        "Why is this bad?",
        """
        Dapr decides redelivery from the subscriber's answer. A 2xx with `{"status": "SUCCESS"}`, an empty or `null`
        body, or a gRPC SUCCESS acknowledges the event, and it is gone. A handler that catches its own failure and
        answers success turns every transient error (a database timeout, a sidecar restart) into a lost event. Return
        `{"status": "RETRY"}` to have Dapr redeliver it (subject to the resiliency policy and dead-letter topic), return
        `{"status": "DROP"}` for a poison message on purpose, or let the exception propagate.
        """,
    ),
    (
        "References",
        """
        - The subscriber response contract (`{"status": "SUCCESS" | "RETRY" | "DROP"}`), as the Pub/sub API below describes it.
        - Pub/sub API, expected HTTP response: https://docs.dapr.io/reference/api/pubsub_api/
        """,
    ),
)


DPR305 = page(
    (
        "What it does",
        """
        Reports `sys.exit(...)`, `os._exit(...)`, the `exit()`/`quit()` builtins, and `raise SystemExit` written
        directly in a request or event handler: an HTTP route, a pub/sub subscription, a gRPC-extension method, binding
        or job handler, a workflow or an activity — or in a plain function or method of the same module that such a
        handler calls (directly or up to three calls deep, not handed to a thread: `validate()` → `fail()` →
        `sys.exit(1)`); the message names the handler. Names are resolved through imports (`from sys import exit as bail`).

        It does not report these calls in functions that no handler calls (a script's `main`), in a helper a handler
        only hands to `asyncio.to_thread` or an executor, under
        `if __name__ == "__main__":`, or in a nested function defined inside a handler.
        """,
    ),
    (
        "Why is this bad?",
        """
        A handler runs inside a server that serves other requests at the same time.

        - `os._exit` ends the process on the spot: every in-flight request and event is cut off, buffers are not
          flushed, and no shutdown hook runs.
        - `sys.exit` raises `SystemExit`, which is not an `Exception`. Depending on the server it escapes the
          framework's error handling and stops the worker, or is turned into a 500; either way it is not a deliberate
          answer. In a subscriber, the event's fate depends on what the server happens to do.

        To fail a request, raise an exception or return an error response; to stop a subscriber's event, return
        `RETRY` or `DROP`.
        """,
    ),
    (
        "References",
        """
        - Python `SystemExit`: https://docs.python.org/3/library/exceptions.html#SystemExit
        """,
    ),
)
