"""The written sections of the clients rules' pages: each spec in python/rules/clients.py names its own,
`prose=pages.DPRxxx`, and scripts/gen_rule_docs.py generates the whole page from the spec."""

from dapr_lint.examples import page


DPR101 = page(
    (
        "What it does",
        """
        Reports blocking Dapr clients used inside an `async def`:

        - constructing the sync `dapr.clients.DaprClient` (its constructor waits for the sidecar's health endpoint). The
          sync `dapr.ext.workflow.DaprWorkflowClient` is not reported where it is constructed: it only opens a channel;
          its calls are reported;
        - every method call on a sync client, except `close()`;
        - a call to a plain `def` in the same module that itself constructs or calls a sync client (a "fake async"
          wrapper). The tool follows one level of such calls.

        Names are resolved through imports, so `from dapr.clients import DaprClient as Dapr` is still the sync client.
        A client stored on `self` (`self.client = DaprClient()`) or passed in as an annotated parameter counts as well.

        The rule does **not** report:

        - sync clients in a plain `def`. This is the normal, correct case: Flask views, FastAPI `def` routes (FastAPI runs
          them in its thread pool), workflow activities and scripts;
        - a `def` or `lambda` nested inside the `async def`: the tool cannot tell where it will run, and it is often handed
          to a thread;
        - calls handed to a thread: `asyncio.to_thread(...)`, `loop.run_in_executor(...)`, `anyio.to_thread.run_sync(...)`,
          `starlette.concurrency.run_in_threadpool(...)` and `fastapi.concurrency.run_in_threadpool(...)`, plus any function
          named in the [`thread-offloads`](#options) option;
        - the `async def` that a script passes to `asyncio.run(...)` (or `anyio.run`, `trio.run`, `uvloop.run`,
          `loop.run_until_complete`) from plain code, for example `asyncio.run(main())` under `if __name__ == "__main__":`.
          Nothing else runs on that loop, so blocking it harms nobody;
        - an `async def` Flask view, except for `invoke_method`. Flask runs each async view on an event loop of its own, per
          request, so blocking that loop delays no other request; the sync `invoke_method` still fails there, because the loop
          is running;
        - start-up code: a FastAPI or Starlette `lifespan` function (`FastAPI(lifespan=...)`) before its `yield`, and an
          `@app.on_event("startup")` handler. They run once, before the app serves any request, like an `asyncio.run`
          entry; a client built there is the pattern this page recommends. (Code after the lifespan's `yield`, and
          `on_event("shutdown")`, are still reported);
        - a helper decorated with `functools.cache` or `functools.lru_cache` that only constructs a client: it builds the
          client once, not on every call;
        - wrappers more than one call deep. (Wrappers in another module of the checked folders are followed: a plain
          function, or a method of an imported class's instance, that uses a sync client is reported where an
          `async def` calls it, when every module the import can mean agrees; a same-named module beside the caller
          wins over others in the run.) An `async def` method that wraps a sync
          client is reported where the client is used, inside that method, not where the method is awaited.
        """,
    ),
    (
        "Why is this bad?",
        """
        An `async def` runs on the event loop, and the loop runs one thing at a time. A sync client call holds the loop until
        the sidecar answers, so every other request, event and health probe in the process waits too. Under load, one slow
        state store turns into a stalled service.

        Some uses fail outright:

        - Constructing `dapr.clients.DaprClient` runs a synchronous health check. It polls the sidecar's
          `/v1.0/healthz/outbound` endpoint about once a second until it answers, for up to `DAPR_HEALTH_TIMEOUT` seconds
          (60 by default), and then raises `TimeoutError`. While the sidecar is starting or restarting, the whole server
          freezes for that time.
        - The sync `invoke_method` cannot run inside a coroutine at all. With the default HTTP invocation protocol it tries
          to drive the already running loop and raises `RuntimeError: This event loop is already running` (plus a warning
          that a coroutine was never awaited).
        - Sync `DaprWorkflowClient` methods such as `wait_for_workflow_completion` can block for as long as the workflow
          runs.
        """,
    ),
    (
        "Fix safety",
        """
        The fix switches to the async client (`dapr.aio.clients.DaprClient`), turns `with` into `async with` and adds
        `await` to each call. It removes the calls' blocking, not the constructor's health check: moving the client to
        start-up (above) is yours to do. It is unsafe: the two clients share no base class, so code that passes the client to plain
        `def` helpers breaks, and some errors change type (the async `save_state` raises `DaprInternalError` where the sync
        one raises `DaprGrpcError`), so existing `except` clauses may stop matching.

        The fix is offered for a `with DaprClient() as client:` block (or the `async with` DPR102 reports) inside an
        `async def` whose client is used only to call methods the async client also has; it reuses an existing import of
        the async client, or adds `from dapr.aio.clients import DaprClient as AsyncDaprClient`. Clients stored on `self`,
        passed around or built elsewhere are left to you.

        A call to a blocking wrapper has no automatic fix: either make the wrapper async or hand it to `asyncio.to_thread`.
        """,
    ),
    (
        "Options",
        """
        `thread-offloads` in `[tool.dapr-lint]`: extra functions, by dotted name, that run their argument in a thread.
        Calls passed to them are treated like `asyncio.to_thread`.

        ```toml
        [tool.dapr-lint]
        thread-offloads = ["mypkg.utils.run_blocking"]
        ```

        ```python
        from mypkg.orders import load_order
        from mypkg.utils import run_blocking


        async def get_order(order_id: str) -> bytes:
            return await run_blocking(load_order, order_id)  # not reported
        ```
        """,
    ),
    (
        "References",
        """
        - Dapr Python SDK client: https://docs.dapr.io/developing-applications/sdks/python/python-client/
        - Python SDK source (`dapr/clients`, `dapr/aio/clients`): https://github.com/dapr/python-sdk
        - Running blocking code from asyncio: https://docs.python.org/3/library/asyncio-dev.html
        - FastAPI on `async def` and `def` routes: https://fastapi.tiangolo.com/async/
        """,
    ),
)


DPR102 = page(
    (
        "What it does",
        """
        Reports a Dapr client used with the wrong kind of `with` statement:

        - `async with` on the sync client, `dapr.clients.DaprClient`;
        - `with` on the async client, `dapr.aio.clients.DaprClient`;
        - any `with` or `async with` on a workflow client, `dapr.ext.workflow.DaprWorkflowClient` or
          `dapr.ext.workflow.aio.DaprWorkflowClient`. Neither defines a context manager.

        Import aliases are resolved, so `from dapr.clients import DaprClient as Dapr` followed by `async with Dapr()` is
        reported.
        """,
    ),
    (
        "Why is this bad?",
        """
        The two `DaprClient` classes share no base class. The sync client has `__enter__`/`__exit__` and nothing else; the
        async client has `__aenter__`/`__aexit__` and nothing else. Using the other statement fails before the body runs:

        - `async with dapr.clients.DaprClient():` raises
          `TypeError: 'DaprClient' object does not support the asynchronous context manager protocol`;
        - `with dapr.aio.clients.DaprClient():` raises
          `TypeError: 'DaprClient' object does not support the context manager protocol`;
        - `with DaprWorkflowClient():` raises
          `TypeError: 'DaprWorkflowClient' object does not support the context manager protocol`.

        (Python 3.10 words it differently: `AttributeError: __aenter__` or `__enter__`.) The client has already been
        constructed by then, so for `DaprClient` the process has also waited on the sidecar health check for nothing.

        A common way to get here is copying the sync examples into an `async def` and adding `async`: the code looks async
        but fails on the first request.
        """,
    ),
    (
        "Fix safety",
        """
        The fix is safe in one case: `with` on the async `DaprClient` inside an `async def` becomes `async with`. That is the
        only behaviour the author could have meant, and the block is already written for the async client (its calls are
        awaited).

        `async with` on the sync client is fixed by [DPR101](DPR101.md)'s unsafe fix (switch to the async client and await the
        calls). `with` on a workflow client has no automatic fix: replace it with `try`/`finally: client.close()` as shown
        above.
        """,
    ),
    (
        "References",
        """
        - Dapr Python SDK client: https://docs.dapr.io/developing-applications/sdks/python/python-client/
        - Dapr Workflow Python extension: https://docs.dapr.io/developing-applications/sdks/python/python-sdk-extensions/python-workflow-ext/
        - Python SDK source: https://github.com/dapr/python-sdk
        """,
    ),
)


DPR103 = page(
    (
        "What it does",
        """
        Reports `await` applied to a method call on a sync Dapr client (`dapr.clients.DaprClient`,
        `dapr.ext.workflow.DaprWorkflowClient`), for example `await client.get_state(...)` where `client` is the sync client.

        It does not report `await sync_client.invoke_method_async(...)`: that method really is a coroutine on the sync client,
        but it is deprecated, and [DPR109](DPR109.md) reports it.
        """,
    ),
    (
        "Why is this bad?",
        """
        The sync methods are plain functions. Python evaluates the call first, so the RPC runs to completion, blocking the
        event loop, and only then tries to await the result:

        - `await client.get_state(...)` raises `TypeError: object StateResponse can't be used in 'await' expression`;
        - `await client.save_state(...)` raises `TypeError: object DaprResponse can't be used in 'await' expression`;
        - `await client.invoke_method(...)` fails even earlier, with `RuntimeError: This event loop is already running`
          (see [DPR101](DPR101.md)).

        The worst part is that the side effect has already happened. A `save_state` or `publish_event` went through, yet the
        request fails with a 500, so the caller retries and the event may be published twice.

        The same line is also reported by [DPR101](DPR101.md), because the call blocks the loop whatever happens next.
        """,
    ),
    (
        "Fix safety",
        """
        There is no separate fix. [DPR101](DPR101.md)'s fix, which is unsafe, switches the client to the async one; after it
        the `await` is correct.
        """,
    ),
    (
        "References",
        """
        - Dapr Python SDK client: https://docs.dapr.io/developing-applications/sdks/python/python-client/
        - Python SDK source: https://github.com/dapr/python-sdk
        """,
    ),
)


DPR104 = page(
    (
        "What it does",
        """
        Reports a call to an async Dapr method that is never awaited. The async methods are those of:

        - `dapr.aio.clients.DaprClient` (every API method, `close()` included);
        - `dapr.ext.workflow.aio.DaprWorkflowClient`;
        - `DaprActor.register_actor` from `dapr.ext.fastapi` (the Flask `DaprActor.register_actor` is sync and is not
          reported), `ActorRuntime.register_actor` and `ActorGrpcHost.register_actor`;
        - the actor coroutines: in a method of an `Actor` subclass, `self._state_manager.<method>(...)` (`get_state`,
          `set_state`, `save_state`, `remove_state`, ...) and `self.register_timer(...)`, `register_reminder`,
          `unregister_timer`, `unregister_reminder`; a call through a proxy made by `ActorProxy.create(...)`
          (`proxy.GetData()`, `proxy.invoke_method(...)`).

        A call is reported when:

        - it stands alone as a statement: `client.save_state(...)`;
        - an attribute of its result is read straight away: `client.get_state(...).data`;
        - its result is assigned to a name that the function then only reads attributes from:
          `resp = client.get_state(...)` followed by `resp.data`.

        It does not report a coroutine that is awaited later, passed to `asyncio.gather(...)`, `asyncio.create_task(...)`,
        `TaskGroup.create_task(...)` or any other call, or returned from the function.
        """,
    ),
    (
        "Why is this bad?",
        """
        Calling an `async def` method only creates a coroutine object; nothing runs until it is awaited. Without `await`:

        - the state is not saved, the event is not published, the workflow is not started, and no error is raised. Python
          only prints `RuntimeWarning: coroutine '...' was never awaited` when the object is garbage collected;
        - reading the result fails: `client.get_state(...).data` raises
          `AttributeError: 'coroutine' object has no attribute 'data'`;
        - `actor.register_actor(OrderActor)` without `await` registers nothing, so Dapr finds no actor type in the app;
        - `self._state_manager.set_state(...)` without `await` changes no state, and a proxy call without `await` never
          reaches the actor;
        - `client.close()` without `await` does not close the channel.
        """,
    ),
    (
        "Fix safety",
        """
        Inside an `async def`, the fix adds `await` to a bare call, or to a call whose attribute is read straight away
        (`(await client.get_state(...)).data`). This is safe: it runs the operation the code already asks for. The assigned
        form has no automatic fix, and neither does code outside an `async def`, where `await` is not allowed.
        """,
    ),
    (
        "References",
        """
        - Dapr Python SDK client: https://docs.dapr.io/developing-applications/sdks/python/python-client/
        - Dapr FastAPI extension: https://docs.dapr.io/developing-applications/sdks/python/python-sdk-extensions/python-fastapi/
        - Coroutines and tasks: https://docs.python.org/3/library/asyncio-task.html
        """,
    ),
)


DPR105 = page(
    (
        "What it does",
        """
        Reports an async client, `dapr.aio.clients.DaprClient`, that is constructed inside a function and then:

        - is not used with `async with`,
        - is never closed (`await client.close()`), and
        - is not handed off: not returned or yielded, not stored on `self`, on app state (`app.state.dapr = client`), in a
          container or in a module global, not passed to another call, and not used by a nested function.

        A client built and used in one expression, `await DaprClient().get_state(...)`, is reported too.

        A client that is handed off belongs to someone else, who is expected to close it, for example a FastAPI lifespan or
        shutdown hook. The rule does not follow it there.

        A `close()` anywhere in the function counts, even one that an exception would skip. Prefer `async with` or
        `try`/`finally`, which close on every path.
        """,
    ),
    (
        "Why is this bad?",
        """
        The async client holds a gRPC channel to the sidecar, and unlike the sync client it has no `__del__`: the Dapr SDK
        never closes it for you. Whether and when the channel closes is then up to the garbage collector. On CPython the
        gRPC channel's own finaliser usually closes it, abruptly, once the last reference is gone; but any reference that
        lingers keeps the channel and its connection open: a traceback held by a logger or an error tracker, a pending task,
        a closure, a reference cycle. In a request path those add up. An explicit close makes the lifetime predictable and
        lets calls in flight finish first.

        Each construction also runs the sidecar health check, which blocks the event loop (see [DPR107](DPR107.md)), so a
        client per call is costly even when it is closed.
        """,
    ),
    (
        "Fix safety",
        """
        The fix wraps the client's uses in `async with DaprClient() as client:`. It is unsafe because it ends the client's life
        at the end of the block: code after the block that still uses the client, or a caller that expected it to stay open,
        would break.
        """,
    ),
    (
        "References",
        """
        - Dapr Python SDK client: https://docs.dapr.io/developing-applications/sdks/python/python-client/
        - FastAPI lifespan events: https://fastapi.tiangolo.com/advanced/events/
        - Python SDK source (`dapr/aio/clients/grpc/client.py`): https://github.com/dapr/python-sdk
        """,
    ),
)


DPR106 = page(
    (
        "What it does",
        """
        Reports a sync client, `dapr.clients.DaprClient`, that is constructed inside a function and then:

        - is not used with `with`,
        - is never closed (`client.close()`), and
        - is not handed off: not returned or yielded, not stored on `self`, on app state, in a container or in a module
          global, not passed to another call, and not used by a nested function.

        A client built and used in one expression, `DaprClient().save_state(...)`, is reported too. Clients created at module
        level, singletons kept on app state, and clients returned to the caller are not reported.
        A `close()` anywhere in the function counts, even one that an exception would skip.

        This is the "use context managers" practice that dapr-lint enforces. The async client has its own, stricter rule,
        [DPR105](DPR105.md).
        """,
    ),
    (
        "Why is this bad?",
        """
        The sync client opens a gRPC channel to the sidecar. It does have a `__del__` that closes the channel, so the channel
        is released once the garbage collector frees the client. When that happens is not under your control: a traceback
        kept by a logger, a closure or a reference cycle can keep the client, and its connection, alive long after the
        function returned. `with DaprClient() as client:` closes the channel at a known point, on every path, including
        errors.
        """,
    ),
    (
        "Fix safety",
        """
        The fix wraps the client's uses in `with DaprClient() as client:`. It is unsafe because it ends the client's life at
        the end of the block: code after the block, or a caller, that still uses the client would break.
        """,
    ),
    (
        "References",
        """
        - Dapr Python SDK client: https://docs.dapr.io/developing-applications/sdks/python/python-client/
        - Python SDK source (`dapr/clients/grpc/client.py`): https://github.com/dapr/python-sdk
        """,
    ),
)


DPR107 = page(
    (
        "What it does",
        """
        Reports a Dapr client constructed inside a request or event handler:

        - FastAPI and Starlette routes (`@app.get`, `@router.post`, `app.add_api_route`);
        - Flask routes (`@app.route`, `@bp.post`);
        - Dapr subscriptions (`DaprApp.subscribe` from `dapr.ext.fastapi` or `dapr.ext.flask`);
        - `dapr.ext.grpc` handlers (`@app.subscribe`, `@app.method`, `@app.binding`, `@app.job_event`).

        Both the sync and the async client are reported, with or without `with`. The rule also follows one level of helper:
        a call from the handler to a function of the same module that constructs a client is reported at the call. Helpers
        cached with `functools.cache` or `functools.lru_cache` build their client once and are not reported. Workflow
        activities, clients created at start-up and helpers in other modules are not reported.

        The rule is off by default because many correct programs, and the SDK's own examples, open a client per request.
        Enable it with `--extend-select DPR107` or in the configuration. It is also off in test code (`test-paths`).

        ### Why it stays an opinion (decision, reconsidered)

        The async client is no way out of the construction cost: `dapr.aio.clients.DaprClient()` runs the same synchronous
        `DaprHealth.wait_for_sidecar()` as the sync one (urllib and `time.sleep`, SDK 1.19 `aio/clients/grpc/client.py`).
        So a client built inside a request handler blocks on every request. We looked again at the category with that fact:

        - in an `async def` handler the construction blocks the event loop, and every other request with it: that is a
          defect, and [DPR101](DPR101.md) (a bug rule, on by default) already reports it there for the sync client;
        - in a plain `def` handler (Flask, FastAPI `def` routes) the construction blocks only the worker thread serving that
          request: it costs a health-check round trip and a new channel per request, and up to `DAPR_HEALTH_TIMEOUT` when the
          sidecar is down. That is a cost, not a wrong result, and it is the pattern of the Dapr quickstarts.

        So DPR107 stays `opinion` (off by default) and its message states the cost; the blocking case is DPR101's, and
        DPR101's advice is the same start-up client this page recommends.
        """,
    ),
    (
        "Why is this bad?",
        """
        Building a `DaprClient` is not cheap:

        - the constructor runs a synchronous health check against the sidecar (`GET /v1.0/healthz/outbound`), and with the
          default HTTP invocation protocol it runs a second one. The async client's constructor runs the same blocking check,
          so it stalls the event loop too;
        - it opens a new gRPC channel, with its own connection to the sidecar.

        A `DaprWorkflowClient` runs no health check, but each one still opens its own channel; the message says which.

        Doing this on every request adds latency to each one. If the sidecar stops answering, each request hangs for up to
        `DAPR_HEALTH_TIMEOUT` seconds (60 by default) before failing with `TimeoutError`.
        """,
    ),
    (
        "Fix safety",
        """
        There is no automatic fix: moving a client to start-up changes the application's structure.
        """,
    ),
    (
        "References",
        """
        - Dapr Python SDK client (health check on start-up): https://docs.dapr.io/developing-applications/sdks/python/python-client/
        - FastAPI lifespan events: https://fastapi.tiangolo.com/advanced/events/
        - Python SDK source: https://github.com/dapr/python-sdk
        """,
    ),
)


DPR108 = page(
    (
        "What it does",
        """
        Reports attributes, methods and keyword arguments that do not exist on a Dapr SDK object. The check uses a table
        generated from the installed Dapr Python SDK 1.19, covering the clients and the response objects they return. It
        knows which object it is looking at, so a keyword that is valid on one method (`content_type=` on `invoke_method`) is
        not reported there, only where it is wrong (`publish_event`).

        The mistakes found most often in real code:

        | written | what exists instead |
        |---|---|
        | `client.invoke_service(...)` | `client.invoke_method(app_id, method_name, ...)` |
        | `DaprClient` workflow methods: `start_workflow`, `get_workflow`, `raise_workflow_event`, `terminate_workflow`, `pause_workflow`, `resume_workflow`, `purge_workflow` (removed in SDK 1.18) | `dapr.ext.workflow.DaprWorkflowClient`: `schedule_new_workflow`, `get_workflow_state`, and the same names for the rest |
        | `client.get_state(..., timeout=5)` | no per-call timeout on state, pub/sub or secret calls; set `DAPR_API_TIMEOUT_SECONDS` |
        | `client.publish_event(..., content_type=...)` | `data_content_type=...` |
        | `DaprClient(max_message_length=...)` | `max_grpc_message_length=...` |
        | `resp.value` on a `StateResponse` (from `get_state`) | `resp.data` (bytes), `resp.text()`, `resp.json()` |
        | `resp.content` on an `InvokeMethodResponse` | `resp.data`, `resp.text()`, `resp.json()` |
        | `resp.status` or `resp.ok` on an `InvokeMethodResponse` | `resp.status_code`; a non-2xx reply raises `DaprHttpError` instead of returning |
        | `resp["password"]` on a `GetSecretResponse` | `resp.secret["password"]` (`resp.secrets[...]` for `get_bulk_secret`) |
        | `save_state(..., ttl_in_seconds=60)` | `state_metadata={"ttlInSeconds": "60"}` |

        Any other unknown name or keyword is reported too, with the closest existing one as a suggestion.

        Because the check follows the object's type, `.value` on the items of a `query_state` result (`QueryResponseItem`
        really has one) is not reported.

        It does not report attributes it cannot resolve: objects whose type the tool does not know (a response returned from
        a helper in another module, a value read through `getattr`), and attributes set dynamically.
        """,
    ),
    (
        "Why is this bad?",
        """
        Each of these fails when the line runs, usually on a path that tests do not cover:

        - `AttributeError: 'DaprClient' object has no attribute 'invoke_service'` (or `'terminate_workflow'`, and so on);
        - `TypeError: DaprGrpcClient.get_state() got an unexpected keyword argument 'timeout'`;
        - `TypeError: DaprGrpcClient.publish_event() got an unexpected keyword argument 'content_type'`;
        - `TypeError: DaprClient.__init__() got an unexpected keyword argument 'max_message_length'`. The SDK's own class
          docstring shows this keyword, so it is easy to copy;
        - `AttributeError: 'StateResponse' object has no attribute 'value'`;
        - `AttributeError: 'InvokeMethodResponse' object has no attribute 'content'`. The SDK's `invoke_method` docstring
          mentions `resp.content`, which does not exist;
        - `TypeError: 'GetSecretResponse' object is not subscriptable`.

        The workflow methods are a migration trap: code written for older SDKs called them on `DaprClient`, and since 1.18
        they exist only on `DaprWorkflowClient`.
        """,
    ),
    (
        "Fix safety",
        """
        Where the replacement is a plain rename, the fix is safe: `publish_event(content_type=...)` becomes
        `data_content_type=...`, `DaprClient(max_message_length=...)` becomes `max_grpc_message_length=...`, and `resp[key]`
        becomes `resp.secret[key]` on a `GetSecretResponse` (`resp.secrets[key]` on a `GetBulkSecretResponse`). The old form
        could only raise, so the rename cannot break working code. The other cases have no automatic fix; the message names the
        replacement.
        """,
    ),
    (
        "References",
        """
        - Dapr Python SDK client: https://docs.dapr.io/developing-applications/sdks/python/python-client/
        - Dapr Workflow Python extension: https://docs.dapr.io/developing-applications/sdks/python/python-sdk-extensions/python-workflow-ext/
        - Python SDK source (`dapr/clients/grpc/_response.py`): https://github.com/dapr/python-sdk
        """,
    ),
)
