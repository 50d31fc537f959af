"""The per-file summaries: what one file tells the project stage, as frozen dataclasses.

They are the contract between the per-file stage (which may run in a worker process, or be skipped when a
cache holds the answer) and the project stage, which never looks at a tree again. Everything here is made of
`str`, `int`, `bool`, `None`, tuples, dicts with `str`/`int` keys and other classes of this module, so a
summary is picklable as it is, and `to_json` / `from_json` turn it into plain JSON data and back (for a
cache on disk).

A *string value* (`StrValue`) is a `str`, `None` (not known statically) or an `ImportedName` (a name imported
from another module: the project stage resolves it against that module's `constants`). An *object reference*
(`ObjectRef`) is a `LocalObject` (an app, router or blueprint created in this module), an `ImportedName`
(imported from another module, maybe of the project) or `None` (unknown receiver).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Union

SUMMARY_VERSION = 4


@dataclass(frozen=True)
class ImportedName:
    """A dotted import path (`pkg.settings.STORE`, `.routes.router`) the project stage resolves."""

    path: str


@dataclass(frozen=True)
class LocalObject:
    """An app, router or blueprint created in the module itself: its key in `ModuleSummary.objects`."""

    key: str


StrValue = Union[str, None, ImportedName]
ObjectRef = Union[LocalObject, ImportedName, None]


@dataclass(frozen=True)
class Span:
    """1-based line and column range."""

    line: int = 1
    column: int = 1
    end_line: int = 1
    end_column: int = 1


@dataclass(frozen=True)
class RouteOwner:
    """A FastAPI/Flask app, an `APIRouter` or a Flask `Blueprint` the module creates.

    `opaque`: the object leaves what the summary can follow (passed to an unknown callable, returned, given
    `routes=`), so rules must assume it may serve anything. `actor`: `DaprActor(app)` registers /healthz."""

    kind: str  # "app" | "router"
    framework: str  # "fastapi" | "flask"
    name: Optional[str]
    prefix: StrValue
    opaque: bool
    actor: bool
    span: Span


@dataclass(frozen=True)
class Route:
    owner: ObjectRef
    path: StrValue
    line: int
    # HTTP methods when the registration names them (`@app.post`, `methods=[...]`); empty: unknown
    methods: tuple[str, ...] = ()
    # the qualified name of the function that serves it, when known
    function: Optional[str] = None


@dataclass(frozen=True)
class Include:
    """`include_router` / `register_blueprint` / `mount`. `replace`: Flask's `url_prefix=` replaces the
    blueprint's own prefix."""

    parent: ObjectRef
    child: ObjectRef
    prefix: StrValue
    replace: bool
    line: int


@dataclass(frozen=True)
class HandlerFact:
    """A function a framework calls (route, subscription, gRPC handler, workflow, activity)."""

    kind: str
    framework: str
    function: str
    path: Optional[str]
    pubsub: StrValue
    topic: StrValue
    resolved: bool
    line: int
    span: Span  # the handler function's lines
    binding: StrValue = None  # gRPC-extension `@app.binding(name)`


@dataclass(frozen=True)
class ComponentUse:
    """A Dapr client call naming a component (or an app ID) by its first parameter."""

    method: str
    param: str  # store_name | pubsub_name | binding_name | app_id | ...
    name: StrValue
    topic: StrValue
    span: Span
    # the name came from `os.getenv(NAME, default)`: the environment variable's name
    env: Optional[str] = None
    # keywords given in the call (for rules about features: ttl metadata, http_verb, ...)
    keywords: tuple[str, ...] = ()
    # invoke_method: the method name and verb when known
    method_name: StrValue = None
    http_verb: StrValue = None
    has_body: bool = False


@dataclass(frozen=True)
class Definition:
    """A module-level function or a method: async or not, and the sync client use (a snippet) that makes a
    plain one block its caller."""

    is_async: bool
    blocking: Optional[str]
    # the canonical path of the sync Dapr client class a property, method or instance attribute hands out
    # (`return self._client`), for calls made on what it returns
    returns: Optional[str] = None
    kind: str = "method"  # "method" | "property" | "attribute" (an instance attribute holding a client)


@dataclass(frozen=True)
class UnguardedCall:
    """A Dapr client call in an HTTP route handler with no `try` around it that catches Dapr errors (DPR301: the
    project stage reports it unless an app-level error handler of its app catches them)."""

    method: str
    function: str
    span: Span


@dataclass(frozen=True)
class AsyncCall:
    """A call on the event loop to a function, or a method of an instance of a class, imported from a module
    that may be the project's own."""

    target: str
    method: Optional[str]
    function: str
    span: Span
    # the call is `<receiver>.<attribute>.<method>(...)` (or `<receiver>.<attribute>().<method>(...)` when
    # `called`): a client handed out by a property, method or attribute of the receiver's class
    attribute: Optional[str] = None
    called: bool = False
    # `target` names a module-level instance (`manager = Manager()` imported from another module), not a class
    instance: bool = False
    # the receiver is a handler parameter FastAPI fills with `Depends(target)`: `target` names the provider function
    # (an import path, or a plain name for a function of the same module); `method` is called on what it returns
    provided: bool = False


@dataclass(frozen=True)
class PracticeEntry:
    """Where an app starts (DPR413-DPR416): a FastAPI/Flask/gRPC-extension app built at module level or
    under `__main__`, or a WorkflowRuntime's `start()`. `kind`: "FastAPI" | "Flask" | "gRPC App" |
    "WorkflowRuntime"; `name`: the variable."""

    kind: str
    name: str
    span: Span


@dataclass(frozen=True)
class OpenedResource:
    """Something opened for the life of the process that must be closed at shutdown (DPR416). `kind`:
    "workflow-runtime" | "subscription" | "async-client"; `name`: the name it is held under ("" when the
    result is discarded)."""

    kind: str
    name: str
    span: Span
    # DPR416's fix: the statement that closes it at the end of the module's lifespan ("" when none applies)
    fix: str = ""


@dataclass(frozen=True)
class OutgoingCall:
    """A Dapr call in a request or event handler whose trace another service continues, carrying no trace
    context of its own (DPR413). `protocol`: "http" | "grpc", the path the SDK sends it on."""

    method: str
    protocol: str
    handler: str
    span: Span
    # DPR413's fix applies: an HTTP call on a client built in the module that imports OpenTelemetry
    fixable: bool = False


@dataclass(frozen=True)
class PracticeFacts:
    """What a module sets up, opens and closes, for the practice rules (dapr_lint.python.practices)."""

    imports: tuple[str, ...] = ()  # every module imported (`from a import b`: "a" and "a.b")
    logging: bool = False  # configures logging, or calls a helper named for it
    tracing: bool = False  # sets a tracer up, or calls a helper named for it
    forward_http: bool = False  # forwards trace context on the HTTP path (headers_callback, aiohttp instrumentation)
    forward_grpc: bool = False  # ... on the gRPC path (interceptors, gRPC instrumentation)
    outgoing: tuple[OutgoingCall, ...] = ()
    opened: tuple[OpenedResource, ...] = ()
    closed: tuple[str, ...] = ()  # names whose close/shutdown is reached or handed on
    entries: tuple[PracticeEntry, ...] = ()


@dataclass(frozen=True)
class ActorMethodFact:
    """A method of a class that is (or may be) an actor or an actor interface. `dispatch`: the name the runtime
    dispatches it by (`@actormethod(name=...)`, else the Python name; None for `@actormethod()`)."""

    name: str
    dispatch: Optional[str]
    is_async: bool
    decorated: bool
    span: Span


@dataclass(frozen=True)
class ActorClassFact:
    """A module-level class deriving from an actor class, an actor interface or a class of another module.
    `bases`: "sdk:actor" | "sdk:interface" | "sdk:remindable" | "local:<Name>" | "import:<dotted path>" |
    "other" | "unknown", in order."""

    name: str
    bases: tuple[str, ...]
    methods: tuple[ActorMethodFact, ...]
    span: Span


@dataclass(frozen=True)
class ActorRegistrationFact:
    """`register_actor(Cls)`: the class as "local:<Name>" or "import:<dotted path>", None when not resolved."""

    actor: Optional[str]
    serializer: bool
    span: Span


@dataclass(frozen=True)
class ActorProxyCallFact:
    """`proxy.<method>(...)` on a proxy whose interface is imported from another module."""

    interface: str
    method: str
    positional: int
    keywords: bool
    span: Span


@dataclass(frozen=True)
class ActorSummary:
    """What a module says about actors: classes, registrations, proxies, and where it hosts
    actors (a `DaprActor(app)`, an `ActorGrpcHost()`, `ActorRuntime` registrations) or builds a
    `WorkflowRuntime` (workflows are actors inside daprd)."""

    classes: Mapping[str, ActorClassFact] = field(default_factory=dict)
    registrations: tuple[ActorRegistrationFact, ...] = ()
    proxy_calls: tuple[ActorProxyCallFact, ...] = ()
    hosts: tuple[Span, ...] = ()
    workflow_runtimes: tuple[Span, ...] = ()


@dataclass(frozen=True)
class WorkflowRegistration:
    """A workflow or activity registered with a WorkflowRuntime. `name`: the registered name;
    `function`: the registered function's own name (`__name__`), which `call_activity(fn)` also reaches."""

    kind: str  # "workflow" | "activity"
    name: StrValue
    function: Optional[str]
    span: Span


@dataclass(frozen=True)
class WorkflowTarget:
    """`ctx.call_activity` / `ctx.call_child_workflow` / `client.schedule_new_workflow`: what it starts, by name
    (a string, or the registered name of a function of this module) or by function (its own name)."""

    method: str
    kind: str  # "workflow" | "activity"
    name: StrValue
    function: Optional[str]
    remote: bool  # `app_id=`: another app's workflow
    span: Span


@dataclass(frozen=True)
class WorkflowEvent:
    """An external event raised (`raise_workflow_event`) or waited for (`wait_for_external_event`); `remote`: raised
    with `app_id=`, to another app's instance."""

    name: StrValue
    span: Span
    remote: bool = False


@dataclass(frozen=True)
class WorkflowRuntimeStart:
    """A WorkflowRuntime the module starts (`kind` "WorkflowRuntime", `key` the name it is held under,
    `imported` its import path when the module starts one imported from another module), or a dapr-agents
    DurableAgent started with a runtime of its own (`kind` "DurableAgent")."""

    kind: str
    key: str
    imported: Optional[str]
    span: Span
    script: bool = False  # under `if __name__ == "__main__":`


@dataclass(frozen=True)
class WorkflowFacts:
    """What a module registers, calls, raises, awaits and starts (dapr_lint.python.model.workflow_facts).
    `opaque`: it registers something under a name the summary cannot tell (a loop, a helper, an agent
    framework, a runtime handed to other code)."""

    registrations: tuple[WorkflowRegistration, ...] = ()
    targets: tuple[WorkflowTarget, ...] = ()
    raised: tuple[WorkflowEvent, ...] = ()
    awaited: tuple[WorkflowEvent, ...] = ()
    started: tuple[WorkflowRuntimeStart, ...] = ()
    opaque: bool = False
    agents: bool = False  # it uses an agent framework that runs workflows and waits for events of its own
    handed: tuple[str, ...] = ()  # import paths of functions a runtime is handed to (registration helpers)


@dataclass(frozen=True)
class ScheduledJob:
    """A `schedule_job` of a `Job(...)` whose name the summary can tell (a literal, a constant, an imported one)."""

    name: StrValue
    span: Span


@dataclass(frozen=True)
class ServedPort:
    """A literal port the module's code serves on: `uvicorn.run(app, port=8000)`, a Flask `app.run(port=5000)`,
    a gRPC-extension `App().run(50051)`. `protocol`: "http" | "grpc"."""

    port: int
    protocol: str
    span: Span


@dataclass(frozen=True)
class StreamingHandler:
    """`subscribe_with_handler(..., handler_fn)` whose handler is a function imported from another module."""

    handler: str  # the dotted import path
    client_async: bool
    span: Span


@dataclass(frozen=True)
class ListedSubscription:
    """An entry a `GET /dapr/subscribe` handler lists: its `pubsubname`, `topic` and routes (`route`, v2's
    `routes.default` and `rules[].path`, as written); `span`: the entry's dict."""

    pubsub: StrValue
    topic: StrValue
    routes: tuple[str, ...]
    span: Span


@dataclass(frozen=True)
class WiringFacts:
    """Jobs, job handlers, served ports and bulk subscriptions of a module (DPR611-DPR613)."""

    jobs: tuple[ScheduledJob, ...] = ()
    # `@app.job_event(name)` names (None: a name the summary cannot tell)
    job_handlers: tuple[StrValue, ...] = ()
    ports: tuple[ServedPort, ...] = ()
    # the module builds a gRPC-extension App (it serves Dapr over gRPC)
    grpc_app: bool = False
    # routes its `GET /dapr/subscribe` lists with `bulkSubscribe.enabled`
    bulk_routes: tuple[str, ...] = ()
    # route functions (qualified name -> the span of its name) whose every answer is known and none carries
    # per-entry `statuses`
    plain_answers: Mapping[str, Span] = field(default_factory=dict)
    # streaming-subscription handlers imported from other modules (DPR417 across modules)
    streaming: tuple[StreamingHandler, ...] = ()
    # the entries its `GET /dapr/subscribe` lists (programmatic subscriptions: the apps graph's subscribe edges)
    listed: tuple[ListedSubscription, ...] = ()


@dataclass(frozen=True)
class ModuleSummary:
    """What one Python module contributes to the project rules."""

    path: str = ""  # the display path
    file: str = ""  # the absolute path
    uses_dapr: bool = False
    objects: Mapping[str, RouteOwner] = field(default_factory=dict)
    routes: tuple[Route, ...] = ()
    includes: tuple[Include, ...] = ()
    constants: Mapping[str, str] = field(default_factory=dict)
    imports: Mapping[str, str] = field(default_factory=dict)
    handlers: tuple[HandlerFact, ...] = ()
    components: tuple[ComponentUse, ...] = ()
    defs: Mapping[str, Definition] = field(default_factory=dict)
    classes: Mapping[str, Mapping[str, Definition]] = field(default_factory=dict)
    async_calls: tuple[AsyncCall, ...] = ()
    # None: `async_calls` is complete. Else the first pass left them out (python/gate.py `first_pass`: no rule of
    # the file reads them) and these are the parts of the import paths it names that may be the project's; the
    # project stage has the file checked the full way when one of them may lead to a blocking definition of
    # another module (engine/project_stage.py `blocking_names`).
    async_calls_deferred: Optional[tuple[str, ...]] = None
    # module-level names bound once to an instance of a class: name -> the class (a class of this module by
    # its name, or an imported one by its dotted path)
    instances: Mapping[str, str] = field(default_factory=dict)
    # lines of `objects`, `async_calls` and `components` -> codes their noqa comment silences ("*": all)
    noqa: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    # codes `per-file-ignores` switches off for this file
    ignored: tuple[str, ...] = ()
    # the module runs a server or builds an app / workflow runtime (an entry module of an app)
    entry: bool = False
    # routes its own `GET /dapr/subscribe` lists (as written: with or without a leading slash)
    subscribed_routes: tuple[str, ...] = ()
    # constants whose value is the default of `os.getenv(VARIABLE, "default")`: name -> VARIABLE
    env_constants: Mapping[str, str] = field(default_factory=dict)
    # logging and tracing set-up, trace forwarding, what is opened and closed (DPR413-DPR416)
    practices: PracticeFacts = field(default_factory=PracticeFacts)
    # actor classes, registrations, proxies, actor hosts and workflow runtimes (DPR801-DPR810, DPR610)
    actors: ActorSummary = field(default_factory=ActorSummary)
    # workflow registrations, targets, events and runtimes (DPR707-DPR710)
    workflows: WorkflowFacts = field(default_factory=WorkflowFacts)
    # jobs, job handlers, served ports, bulk subscriptions (DPR611-DPR613)
    wiring: WiringFacts = field(default_factory=WiringFacts)
    version: int = SUMMARY_VERSION
    # Dapr calls of route handlers no `try` guards, and whether the module registers an app-level error handler
    # that catches Dapr errors (DPR301)
    unguarded_calls: tuple[UnguardedCall, ...] = ()
    catches_dapr_errors: bool = False


@dataclass(frozen=True)
class Located:
    """A string read from a resource file, and where."""

    value: str
    span: Span


@dataclass(frozen=True)
class ComponentFact:
    """A `Component`: `type` is lower-cased; `metadata` keeps only the items the project rules read
    (`route`, `direction`, `actorStateStore`), names lower-cased."""

    name: str
    type: str
    scopes: tuple[str, ...]
    namespace: Optional[str]
    span: Span  # metadata.name
    metadata: Mapping[str, str] = field(default_factory=dict)
    secret_store: Optional[Located] = None  # auth.secretStore


@dataclass(frozen=True)
class SubscriptionFact:
    """A declarative `Subscription` (v1alpha1 `route`, v2alpha1 `routes.default` / `routes.rules[].path`)."""

    name: str
    pubsub: Optional[Located]
    topic: Optional[str]
    routes: tuple[Located, ...]
    scopes: tuple[str, ...]
    span: Span
    # `bulkSubscribe.enabled: true`: the route receives batches and answers per-entry statuses (DPR613)
    bulk: bool = False


@dataclass(frozen=True)
class ResiliencyFact:
    """A `Resiliency` resource: the app IDs and component names its targets name."""

    name: str
    scopes: tuple[str, ...]
    apps: tuple[Located, ...]
    components: tuple[Located, ...]


@dataclass(frozen=True)
class RunApp:
    """One app of a `dapr.yaml` multi-app run template; paths are absolute."""

    app_id: str  # explicit, else the basename of appDirPath (as the CLI does)
    app_dir: str
    resources_paths: tuple[str, ...]
    health_path: Optional[Located]
    port: Optional[int]
    span: Span
    # the Python module its `command` runs (`python app.py`, `python -m pkg.app`, `uvicorn app:app`), absolute
    entry: Optional[str] = None
    # whether `command` runs Python (False: Node, .NET, Java, Go, a binary; None: no command or a script)
    python: Optional[bool] = None
    # the appPort key is present (its value may not be a literal) and where; appProtocol as written
    port_given: bool = False
    port_span: Optional[Span] = None
    protocol: Optional[Located] = None
    # the port its `command` gives its server (`uvicorn app:app --port 8001`, `flask run -p 5001`, `-b :8000`)
    command_port: Optional[int] = None
    # its appPort repeats an earlier app's of the template (that app's app ID and folder, and how the finding
    # names it): a defect only when both apps run a server (DPR512, judged on the app model)
    shares_app_port: Optional[tuple[str, str, str]] = None


@dataclass(frozen=True)
class Workload:
    """A Kubernetes workload with `dapr.io/*` annotations: its app ID and the HTTP paths it probes."""

    app_id: str
    name: str
    probes: tuple[Located, ...]  # liveness/readiness/startup httpGet paths of the app container
    health_path: Optional[Located]  # dapr.io/app-health-check-path (with app health checks enabled)
    span: Span
    # dapr.io/app-port (None: absent or not a number) and dapr.io/app-protocol
    port: Optional[int] = None
    port_given: bool = False
    protocol: Optional[str] = None


@dataclass(frozen=True)
class Sidecar:
    """A docker-compose service running `daprd`: its app ID, the app's build folder and resources (host
    paths, absolute)."""

    app_id: str
    app_dir: Optional[str]
    resources_paths: tuple[str, ...]
    span: Span
    # daprd's -app-port (None: absent or not a number) and -app-protocol
    port: Optional[int] = None
    port_given: bool = False
    protocol: Optional[str] = None


@dataclass(frozen=True)
class ResourceSummary:
    """What one YAML file (Dapr resources, run templates, Kubernetes manifests, compose files) tells the
    project stage."""

    path: str = ""
    file: str = ""
    # routes its declarative Subscriptions deliver to
    subscription_routes: tuple[str, ...] = ()
    components: tuple[ComponentFact, ...] = ()
    subscriptions: tuple[SubscriptionFact, ...] = ()
    resiliencies: tuple[ResiliencyFact, ...] = ()
    run_apps: tuple[RunApp, ...] = ()
    workloads: tuple[Workload, ...] = ()
    sidecars: tuple[Sidecar, ...] = ()
    # the file is applied to a cluster (a deployment folder, Kubernetes kinds in it)
    kubernetes: bool = False
    noqa: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()
    version: int = SUMMARY_VERSION


Summary = Union[ModuleSummary, ResourceSummary]


# -- JSON form -----------------------------------------------------------------------------------------

_CLASSES = {
    cls.__name__: cls
    for cls in (
        ImportedName,
        LocalObject,
        Span,
        RouteOwner,
        Route,
        Include,
        HandlerFact,
        ComponentUse,
        Definition,
        AsyncCall,
        UnguardedCall,
        PracticeEntry,
        OpenedResource,
        OutgoingCall,
        PracticeFacts,
        WorkflowRegistration,
        WorkflowTarget,
        WorkflowEvent,
        WorkflowRuntimeStart,
        WorkflowFacts,
        ActorMethodFact,
        ActorClassFact,
        ActorRegistrationFact,
        ActorProxyCallFact,
        ActorSummary,
        ScheduledJob,
        ServedPort,
        StreamingHandler,
        ListedSubscription,
        WiringFacts,
        ModuleSummary,
        ResourceSummary,
        Located,
        ComponentFact,
        SubscriptionFact,
        ResiliencyFact,
        RunApp,
        Workload,
        Sidecar,
    )
}


def json_classes() -> Mapping[str, type]:
    """The table of classes a summary is made of, by name (what a cache entry may name: nothing else)."""
    return _CLASSES


def to_json(value: Any) -> Any:
    """Plain JSON data (dicts, lists, str, int, bool, None) for a summary or any part of it."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {"@": type(value).__name__}
        for item in dataclasses.fields(value):
            data[item.name] = to_json(getattr(value, item.name))
        return data
    if isinstance(value, (tuple, list)):
        return [to_json(v) for v in value]
    if isinstance(value, Mapping):
        return {"@map": [[k, to_json(v)] for k, v in value.items()]}
    return value


def from_json(data: Any) -> Any:
    """The inverse of `to_json`."""
    if isinstance(data, list):
        return tuple(from_json(v) for v in data)
    if isinstance(data, dict):
        if "@map" in data:
            return {(tuple(k) if isinstance(k, list) else k): from_json(v) for k, v in data["@map"]}
        cls = _CLASSES[data["@"]]
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: from_json(v) for k, v in data.items() if k in names})
    return data
