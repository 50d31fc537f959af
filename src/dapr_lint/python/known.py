"""The outside names the model knows: Dapr clients, web frameworks, thread offloads, script runners.

Every entry is a fully qualified import path. `CANONICAL` folds the other public paths a class is reachable
by onto the one the SDK documents, so that rules compare one name.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClientKind:
    """What kind of Dapr client a class is."""

    path: str
    is_async: bool
    family: str  # "dapr" (DaprClient) or "workflow" (DaprWorkflowClient)
    display: str

    @property
    def has_context_manager(self) -> bool:
        # Neither workflow client defines __enter__/__aenter__.
        return self.family == "dapr"


SYNC_DAPR_CLIENT = "dapr.clients.DaprClient"
AIO_DAPR_CLIENT = "dapr.aio.clients.DaprClient"
SYNC_WORKFLOW_CLIENT = "dapr.ext.workflow.DaprWorkflowClient"
AIO_WORKFLOW_CLIENT = "dapr.ext.workflow.aio.DaprWorkflowClient"

CLIENTS: dict[str, ClientKind] = {
    SYNC_DAPR_CLIENT: ClientKind(SYNC_DAPR_CLIENT, False, "dapr", "sync DaprClient"),
    AIO_DAPR_CLIENT: ClientKind(AIO_DAPR_CLIENT, True, "dapr", "async DaprClient"),
    SYNC_WORKFLOW_CLIENT: ClientKind(SYNC_WORKFLOW_CLIENT, False, "workflow", "sync DaprWorkflowClient"),
    AIO_WORKFLOW_CLIENT: ClientKind(AIO_WORKFLOW_CLIENT, True, "workflow", "async DaprWorkflowClient"),
}

FASTAPI_APP = "fastapi.FastAPI"
FASTAPI_ROUTER = "fastapi.APIRouter"
STARLETTE_APP = "starlette.applications.Starlette"
FLASK_APP = "flask.Flask"
FLASK_BLUEPRINT = "flask.Blueprint"
FASTAPI_DAPR_APP = "dapr.ext.fastapi.DaprApp"
FASTAPI_DAPR_ACTOR = "dapr.ext.fastapi.DaprActor"
FLASK_DAPR_APP = "dapr.ext.flask.DaprApp"
FLASK_DAPR_ACTOR = "dapr.ext.flask.DaprActor"
GRPC_APP = "dapr.ext.grpc.App"
WORKFLOW_RUNTIME = "dapr.ext.workflow.WorkflowRuntime"
DAPR_HEALTH = "dapr.clients.health.DaprHealth"

CANONICAL: dict[str, str] = {
    "dapr.clients.grpc.client.DaprGrpcClient": SYNC_DAPR_CLIENT,
    "dapr.aio.clients.grpc.client.DaprGrpcClientAsync": AIO_DAPR_CLIENT,
    "dapr.ext.workflow.dapr_workflow_client.DaprWorkflowClient": SYNC_WORKFLOW_CLIENT,
    "dapr.ext.workflow.aio.dapr_workflow_client.DaprWorkflowClient": AIO_WORKFLOW_CLIENT,
    "fastapi.applications.FastAPI": FASTAPI_APP,
    "fastapi.routing.APIRouter": FASTAPI_ROUTER,
    "starlette.Starlette": STARLETTE_APP,
    "flask.app.Flask": FLASK_APP,
    "flask.blueprints.Blueprint": FLASK_BLUEPRINT,
    "dapr.ext.fastapi.app.DaprApp": FASTAPI_DAPR_APP,
    "dapr.ext.fastapi.actor.DaprActor": FASTAPI_DAPR_ACTOR,
    "dapr.ext.flask.app.DaprApp": FLASK_DAPR_APP,
    "dapr.ext.flask.actor.DaprActor": FLASK_DAPR_ACTOR,
    # flask_dapr is the deprecated name of dapr.ext.flask (same classes; DPR109 reports the import).
    "flask_dapr.DaprApp": FLASK_DAPR_APP,
    "flask_dapr.DaprActor": FLASK_DAPR_ACTOR,
    "flask_dapr.app.DaprApp": FLASK_DAPR_APP,
    "flask_dapr.actor.DaprActor": FLASK_DAPR_ACTOR,
    "dapr.ext.grpc.app.App": GRPC_APP,
    "dapr.ext.workflow.workflow_runtime.WorkflowRuntime": WORKFLOW_RUNTIME,
    "dapr.clients.health.DaprHealth": DAPR_HEALTH,
    "fastapi.concurrency.run_in_threadpool": "starlette.concurrency.run_in_threadpool",
    "asyncio.threads.to_thread": "asyncio.to_thread",
    "dapr.clients.BulkPublishEntry": "dapr.clients.grpc._request.BulkPublishEntry",
}

# Classes whose instances the model tracks (apps, routers, Dapr apps, runtimes) besides clients.
FRAMEWORK_CLASSES = frozenset(
    {
        FASTAPI_APP,
        FASTAPI_ROUTER,
        STARLETTE_APP,
        FLASK_APP,
        FLASK_BLUEPRINT,
        FASTAPI_DAPR_APP,
        FASTAPI_DAPR_ACTOR,
        FLASK_DAPR_APP,
        FLASK_DAPR_ACTOR,
        GRPC_APP,
        WORKFLOW_RUNTIME,
    }
)

# Functions that run their callable argument in a worker thread: calls inside their arguments do not run
# on the event loop.
THREAD_OFFLOAD_FUNCTIONS = frozenset(
    {
        "asyncio.to_thread",
        "anyio.to_thread.run_sync",
        "starlette.concurrency.run_in_threadpool",
    }
)
# Methods that offload whatever their receiver is (an event loop, an executor).
THREAD_OFFLOAD_METHODS = frozenset({"run_in_executor"})

# Functions that run a coroutine on a fresh event loop: the coroutine is a script entry.
SCRIPT_RUNNERS = frozenset({"asyncio.run", "uvloop.run", "anyio.run", "trio.run"})
SCRIPT_RUNNER_METHODS = frozenset({"run_until_complete"})

# Handler frameworks (model.Handler.framework) served by Flask: plain routes, DaprApp subscriptions, and
# routes listed by the module's own GET /dapr/subscribe. Flask answers None with a 500.
FLASK_SUBSCRIPTION_FRAMEWORKS = frozenset({"dapr-flask", "programmatic-flask"})
FLASK_FRAMEWORKS = FLASK_SUBSCRIPTION_FRAMEWORKS | {"flask"}

HTTP_ROUTE_METHODS = frozenset(
    {"get", "post", "put", "delete", "patch", "options", "head", "trace", "api_route", "route"}
)


# pydantic's model base classes (a local class deriving from one is a pydantic model).
PYDANTIC_MODELS = frozenset({"pydantic.BaseModel", "pydantic.main.BaseModel", "pydantic.v1.BaseModel"})


# SDK payload classes whose constructors validate their data and metadata, with their
# parameters in order (they are not in the generated member table).
STATE_ITEM = "dapr.clients.grpc._state.StateItem"
TRANSACTIONAL_OPERATION = "dapr.clients.grpc._request.TransactionalStateOperation"
BULK_PUBLISH_ENTRY = "dapr.clients.grpc._request.BulkPublishEntry"
PAYLOAD_CLASSES: dict[str, tuple[str, ...]] = {
    STATE_ITEM: ("key", "value", "etag", "options", "metadata"),
    TRANSACTIONAL_OPERATION: ("key", "data", "etag", "operation_type", "metadata"),
    BULK_PUBLISH_ENTRY: ("event", "metadata", "content_type", "entry_id"),
}

STATE_RESPONSE = "dapr.clients.grpc._response.StateResponse"

# Exceptions. Each public path folds onto the module that defines the class.
DAPR_INTERNAL_ERROR = "dapr.clients.exceptions.DaprInternalError"
DAPR_HTTP_ERROR = "dapr.clients.exceptions.DaprHttpError"
DAPR_GRPC_ERROR = "dapr.clients.exceptions.DaprGrpcError"
GRPC_RPC_ERROR = "grpc.RpcError"
_EXCEPTION_CANONICAL = {
    "dapr.clients.DaprInternalError": DAPR_INTERNAL_ERROR,
    "dapr.aio.clients.DaprInternalError": DAPR_INTERNAL_ERROR,
    "dapr.clients.http.client.DaprHttpError": DAPR_HTTP_ERROR,
    "grpc.aio.AioRpcError": "grpc.aio.AioRpcError",
    "grpc._channel._InactiveRpcError": "grpc._channel._InactiveRpcError",
    "json.decoder.JSONDecodeError": "json.JSONDecodeError",
    "simplejson.JSONDecodeError": "json.JSONDecodeError",
    "builtins.Exception": "Exception",
    "builtins.BaseException": "BaseException",
    "builtins.ValueError": "ValueError",
}
BROAD_EXCEPTIONS = frozenset({"Exception", "BaseException"})
DAPR_INTERNAL_ERROR_CLASSES = frozenset({DAPR_INTERNAL_ERROR, DAPR_HTTP_ERROR})
GRPC_ERROR_CLASSES = frozenset({GRPC_RPC_ERROR, DAPR_GRPC_ERROR, "grpc.aio.AioRpcError", "grpc._channel._InactiveRpcError"})
DAPR_ERROR_CLASSES = DAPR_INTERNAL_ERROR_CLASSES | GRPC_ERROR_CLASSES
JSON_ERROR_CLASSES = frozenset({"json.JSONDecodeError", "ValueError"})


def canonical_exception(path: str) -> str:
    return _EXCEPTION_CANONICAL.get(path, path)


def canonical(path: str) -> str:
    return CANONICAL.get(path, path)


# Code that expects a failure (tests): calls inside these get no finding of a rule predicting that failure.
EXPECT_RAISES_METHODS = frozenset({"assertRaises", "assertRaisesRegex", "assertRaisesRegexp"})
EXPECT_WARNS_METHODS = frozenset({"assertWarns", "assertWarnsRegex"})
EXPECT_RAISES_FUNCTIONS = frozenset({"pytest.raises"})
EXPECT_WARNS_FUNCTIONS = frozenset({"pytest.warns", "pytest.deprecated_call"})

# Classes whose `lifespan=` function runs once before the app serves (its part before `yield`).
LIFESPAN_OWNERS = frozenset({"fastapi.FastAPI", "fastapi.applications.FastAPI", "starlette.applications.Starlette", "fastapi.APIRouter"})

# Client methods whose result, with the async client, has coroutine methods the sync one's result does not
# (dapr/aio/clients/grpc/_response.py: CryptoResponse.read; aio/clients/grpc/subscription.py: Subscription).
AIO_RESULT_COROUTINE_METHODS: dict[str, frozenset[str]] = {
    "encrypt": frozenset({"read"}),
    "decrypt": frozenset({"read"}),
    "subscribe": frozenset({"next_message", "respond", "respond_success", "respond_retry", "respond_drop", "close"}),
}


# typing's wrappers an annotation is read through to the type it names (python/model `type_from_annotation`): the
# unions give each member's type, `Annotated` its first argument's
ANNOTATION_UNIONS = frozenset({"typing.Optional", "typing.Union", "typing_extensions.Optional"})
ANNOTATION_ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})
ANNOTATION_WRAPPERS = ANNOTATION_UNIONS | ANNOTATION_ANNOTATED

# The Dapr client's job methods renamed when they left alpha, and every member DPR109 reports when read on a Dapr
# client (rules/deprecations.py; the first pass's reading of a module's own client class, python/gate_defines.py)
CLIENT_JOB_RENAMES = {
    "schedule_job_alpha1": "schedule_job",
    "get_job_alpha1": "get_job",
    "delete_job_alpha1": "delete_job",
}
DEPRECATED_CLIENT_MEMBERS = frozenset({"wait", "invoke_method_async", *CLIENT_JOB_RENAMES})
