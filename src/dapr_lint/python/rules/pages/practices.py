"""The written sections of the practices rules' pages: each spec in python/rules/practices.py names its own,
`prose=pages.DPRxxx`, and scripts/gen_rule_docs.py generates the whole page from the spec."""

from dapr_lint.examples import page


DPR413 = page(
    (
        "What it does",
        """
        Reports a call to `invoke_method`, `publish_event`, `publish_events` or `invoke_binding` made directly in a
        handler that receives a request or an event (an HTTP route, a Dapr subscription, a gRPC-extension method, topic or
        binding handler) when nothing in the handler's **app** forwards the incoming W3C trace context (`traceparent`,
        `tracestate`) on the path the call takes:

        - the HTTP path (`invoke_method`, by default): a Dapr client built with `headers_callback=`, OpenTelemetry's
          aiohttp-client instrumentation, or an instrumentation agent;
        - the gRPC path (`publish_event`, `publish_events`, `invoke_binding`): a Dapr client built with `interceptors=`,
          OpenTelemetry's gRPC client instrumentation (or `opentelemetry-instrumentation-grpc` named in the app's
          requirements: the workflow extension switches it on when it is imported), or an instrumentation agent;
        - on the call itself: any `metadata=` (HTTP headers on the HTTP path, gRPC call metadata on the gRPC path), or a
          `publish_metadata`/`binding_metadata` that is not a literal or names a trace field (`cloudevent.traceparent`).

        The app is the entry module (the one that builds the FastAPI/Flask/gRPC-extension app or starts the
        WorkflowRuntime), the modules of the run it imports, and the modules that import it. A means found in any of them,
        or an agent (`opentelemetry-instrument`, `ddtrace-run`, ...) named in a Dockerfile, Procfile, `dapr.yaml`, compose
        file, Makefile or script in the app's folder or above it, counts for the whole app.

        Not reported: state, secret and configuration calls (no other service continues their trace); calls in helpers
        (one level down from the handler), workflows and activities (the workflow runtime carries the trace itself, from
        `parentTraceContext`); handlers whose module belongs to no app the run can see.
        """,
    ),
    (
        "Why is this bad?",
        """
        The sidecar continues a trace only from the context the app sends with each call. The app receives `traceparent`
        on the request or event, but the Python SDK does not forward it by itself: every call without it starts a new
        trace, and the trace of the request that caused it stops at this service. What the SDK 1.19 offers (verified in
        its source):

        | means | path it covers | evidence |
        |---|---|---|
        | `DaprClient(headers_callback=...)` | HTTP service invocation only: the callback is called for every HTTP request and its dict merged into the headers | `dapr/clients/__init__.py:93-102` (passed only to `DaprInvocationHttpClient`, only when `DAPR_API_METHOD_INVOCATION_PROTOCOL` is `http`, the default in `dapr/conf/global_settings.py:35`); `dapr/clients/http/client.py:77-79` |
        | `DaprClient(interceptors=[...])` | every gRPC call (state, pub/sub, bindings, ...) | `dapr/clients/grpc/client.py:204-207` (`grpc.intercept_channel`); async client through `create_aio_channel`, `dapr/aio/clients/grpc/client.py:150-155`. `DaprClientInterceptor` (`dapr/clients/grpc/interceptors.py:67-117`) adds a *fixed* list, so forwarding the current trace needs an interceptor that reads it per call |
        | `metadata=` on the call | HTTP headers for `invoke_method` over HTTP (`dapr/clients/http/dapr_invocation_http_client.py:87-89`); gRPC call metadata otherwise (deprecated with a warning, still sent: `dapr/clients/grpc/client.py:462-468` and `:493-495` for `publish_event`) | |
        | OpenTelemetry instrumentation | aiohttp-client for the HTTP path (the SDK sends with `aiohttp.ClientSession`, `dapr/clients/http/client.py:87`); grpc client for the gRPC path. `dapr.ext.workflow` calls `GrpcInstrumentorClient().instrument()` on import when the package is installed (`dapr/ext/workflow/_durabletask/client.py:39-45`) | |

        The sidecar reads `grpc-trace-bin`, and when it is absent `traceparent`/`tracestate`, from the incoming gRPC
        metadata (`SpanContextFromIncomingGRPCMetadata` in dapr/dapr `pkg/diagnostics/grpc_tracing.go`), and the
        `traceparent` header on HTTP.

        The rule is an opinion (off by default): it matters only when tracing is on, and the finding is a broken trace, not
        a broken program. Most Dapr samples do not forward trace context; a maintainer would not want every sample flagged.
        Enable it with `--extend-select DPR413` when your services are traced.
        """,
    ),
    (
        "Fix safety",
        """
        Unsafe (`--unsafe-fixes`), and offered only for `invoke_method` (the HTTP path, the only one a `headers_callback`
        reaches) on a client built in the same module (`with DaprClient() as client`, or one assignment) without a
        `headers_callback`, in a module that already imports OpenTelemetry (so the import the fix adds works). The fix adds
        `from opentelemetry import propagate`, a `_dapr_trace_headers()` function that injects the current context into a
        dict, and `headers_callback=_dapr_trace_headers` on the client. It is unsafe because it changes the headers every
        invocation sends, and because it forwards something only when the incoming trace is in the OpenTelemetry context
        (the web framework instrumented, or an agent). `publish_event`/`invoke_binding` get no fix: they need a gRPC
        interceptor or the gRPC instrumentation, a decision about the app's tracing set-up.
        """,
    ),
    (
        "References",
        """
        - W3C Trace Context: https://www.w3.org/TR/trace-context/
        - Dapr distributed tracing (trace context propagation): https://docs.dapr.io/operations/observability/tracing/tracing-overview/
        """,
    ),
)


DPR414 = page(
    (
        "What it does",
        """
        Reports an app (its entry module: the FastAPI/Flask/gRPC-extension app, or the `start()` of a WorkflowRuntime when
        the module builds no app) when none of these is true:

        - a module of the app imports an OpenTelemetry SDK, exporter or instrumentation package (`opentelemetry.sdk`,
          `opentelemetry.instrumentation.*`, `opentelemetry.exporter.*`, `azure.monitor.opentelemetry`, `logfire`,
          `ddtrace`, `traceloop`, `openlit`, `sentry_sdk`, ...) or calls `trace.set_tracer_provider`;
        - a module of the app calls an imported helper whose name says it sets tracing up (`init_tracing()`,
          `setup_telemetry()`, `configure_observability()`): a shared bootstrap package the run cannot see;
        - an agent (`opentelemetry-instrument`, `ddtrace-run`, `newrelic-admin`, ...) is named in a Dockerfile, Procfile,
          `dapr.yaml`, compose file, Makefile or script of the app's folder or a folder above it (up to the repository
          root), or in the repository's `deploy/`, `k8s/`, `helm/`, `charts/`, ... folders;
        - a Dapr `Configuration` with `tracing` is among those files, or in a resources folder a `dapr.yaml` names, or a
          manifest or run template names a Configuration (`dapr.io/config`, `configFilePath`, `--config`): it may set
          tracing up where the rule cannot see.

        A bootstrap module that names no Dapr or web framework is read as text (its imports and its set-up calls), so a
        `telemetry.py` shared by the app counts.
        """,
    ),
    (
        "Why is this bad?",
        """
        Without a tracer provider in the app and without Dapr tracing, a request through the app leaves no spans: a slow or
        failing call between services cannot be followed.

        It is an opinion (off by default) because the statement "no traces at all" does not hold everywhere: in
        self-hosted mode, `dapr init` writes `~/.dapr/config.yaml` with Zipkin tracing at sampling rate 1, and `dapr run`
        uses it when no `--config` is given, so the sidecar traces the app's Dapr calls without any set-up in the
        repository. The rule cannot see a user's home folder or a cluster's Configuration applied from another repository.
        """,
    ),
    (
        "Fix safety",
        """
        No automatic fix: which exporter and which endpoint is the operator's choice.
        """,
    ),
    (
        "References",
        """
        - Dapr tracing overview: https://docs.dapr.io/operations/observability/tracing/tracing-overview/
        - OpenTelemetry Python: https://opentelemetry.io/docs/languages/python/
        """,
    ),
)


DPR415 = page(
    (
        "What it does",
        """
        Reports an app (its entry module: the FastAPI/Flask/gRPC-extension app, or the `start()` of a WorkflowRuntime when
        the module builds no app) in which no module configures logging. Any of these counts, in any module of the app (the
        entry, the modules of the run it imports, the modules that import it):

        - `logging.basicConfig`, `logging.config.dictConfig`/`fileConfig`, an `addHandler(...)` on any logger;
        - importing structlog, loguru, `python-json-logger`, `logging.config` or logfire (structlog's and loguru's defaults
          already print a level and a time);
        - `uvicorn.run(..., log_config=...)`;
        - `app.logger` on a Flask app (Flask gives that logger a handler with time, level and module when nothing else
          handles it);
        - a call to an imported helper whose name says it sets logging up (`setup_logging()`, `configure_logger()`,
          `init_observability()`): a shared bootstrap package the run cannot see;
        - `--log-config`, a `logging.conf`/`logging.yaml`, or `OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED` in a
          Dockerfile, Procfile, `dapr.yaml`, compose file, Makefile or script of the app's folder or above it.

        A bootstrap module that names no Dapr or web framework is read as text, so a shared `logging_setup.py` counts.
        """,
    ),
    (
        "Why is this bad?",
        """
        With no handler on the root logger, Python's last-resort handler prints WARNING and above only, as the bare
        message: `logger.info(...)` records are dropped, and nothing that is printed carries a level, a time, a logger name
        or a trace ID to correlate with the sidecar's logs. uvicorn's default configuration covers its own `uvicorn.*`
        loggers, not the app's; Flask's default handler is on `app.logger` only (which is why an app using `app.logger` is
        not reported). `print` output (DPR412) has none of these
        either.

        Measured on public Dapr code (quickstarts, samples, python-sdk examples): every app reported configured no
        logging; most print. It is a practice (on by default): the consequence is certain for every app that logs below
        WARNING, and the remedy is one line.
        """,
    ),
    (
        "Fix safety",
        """
        No automatic fix: the format and the level are the team's choice.
        """,
    ),
    (
        "References",
        """
        - Python logging HOWTO, "What happens if no configuration is provided": https://docs.python.org/3/howto/logging.html
        """,
    ),
)


DPR416 = page(
    (
        "What it does",
        """
        Reports what an app opens for its whole life and nothing in the app closes:

        - a `WorkflowRuntime` started with `start()` (anywhere: module level, a lifespan, a start-up hook, `main()`);
        - a streaming subscription: `client.subscribe(...)` or `client.subscribe_with_handler(...)` (sync or async)
          whose result is discarded, or kept under a name that nothing closes or calls;
        - an async `DaprClient` held for the process: assigned at module level, to a `global`, or to an attribute such as
          `app.state.dapr` (one built and dropped inside a function is DPR105's).

        Closed means: in any module of the app, `x.shutdown`/`x.close`/`x.aclose`/`x.stop` is called or handed on
        (`atexit.register(wfr.shutdown)`, a signal handler, a lifespan exit, a `finally`), the close function returned by
        `subscribe_with_handler` is called or handed on, `x` is used in a `with`/`async with`, or `x` is passed to
        something else (which may close it). The names are matched by their last part (`app.state.dapr` is closed by
        `request.app.state.dapr.close()`), which errs on the side of silence.

        Not reported: sync `DaprClient`s (they close their channel in `__del__`, `dapr/clients/grpc/client.py:222`), and
        the async `DaprWorkflowClient` (it has no public close method in SDK 1.19).
        """,
    ),
    (
        "Why is this bad?",
        """
        What the SDK 1.19 does with each, verified in its source:

        - **WorkflowRuntime**: `start()` (`dapr/ext/workflow/workflow_runtime.py:352`) starts the durabletask worker,
          whose run loop is a plain (non-daemon) `Thread` (`dapr/ext/workflow/_durabletask/worker.py:568`) that runs until
          `stop()` sets its shutdown event. `shutdown()` (`workflow_runtime.py:387`) calls `stop()`
          (`worker.py:1123-1160`), which lets results being sent go out, closes the channel and joins the thread. Without
          it, when uvicorn or gunicorn stops on SIGTERM, the interpreter waits for that thread forever: the process does not
          exit, and the orchestrator (Kubernetes, `dapr run`) kills it at the end of the grace period, in the middle of
          whatever activity was running. The runtime has no `__enter__`/`__exit__`, so `with` is not an option.
        - **Streaming subscriptions**: the sync `subscribe_with_handler` runs the handler loop on a non-daemon thread
          (`dapr/clients/grpc/client.py:675`) and returns the function that closes the stream and joins that thread for up
          to 5 seconds (`:665-673`); `Subscription.close()` cancels the stream (`dapr/clients/grpc/subscription.py:225-237`).
          Left open, the thread keeps the process alive, and the messages it is handling when the process is killed are
          never acknowledged (the broker redelivers them). The async version runs the loop as a task
          (`dapr/aio/clients/grpc/client.py:600`) that is destroyed with the loop.
        - **Async DaprClient**: it defines `close()`/`__aexit__` and no `__del__` (`dapr/aio/clients/grpc/client.py:165-174`):
          nothing closes its gRPC channel but the process exit, and calls still in flight are cut off.
        """,
    ),
    (
        "Fix safety",
        """
        Safe, and offered in one shape only: the finding's module builds one `FastAPI(lifespan=...)` whose lifespan is a
        module-level `@asynccontextmanager async def` with its `yield` as a statement of its own body (or of a top-level
        `try` that has a `finally`), and what was opened is a module-level runtime or client, or a client the lifespan put
        on its app's `state`. The fix appends the close at the very end of the lifespan (after any code that follows the
        `yield`, or at the end of the `finally`), last opened first closed: `wfr.shutdown()`,
        `await shared.close()`, `await application.state.dapr.close()`. Nothing runs after it in the app's life, so no
        code uses what it closed. Other shapes (an `on_event` hook, a `yield` inside `async with`, a subscription's close
        function) get no fix: FastAPI ignores `on_event` hooks once a lifespan is given, so adding one is not mechanical.
        """,
    ),
    (
        "References",
        """
        - FastAPI lifespan events: https://fastapi.tiangolo.com/advanced/events/
        - Python `threading` (non-daemon threads keep the interpreter alive): https://docs.python.org/3/library/threading.html#thread-objects
        """,
    ),
)
