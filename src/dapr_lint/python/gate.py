"""The first pass over a Python file, with CPython's `ast`: whether LibCST, the model and the rules must run.

A file where no per-file rule can fire and whose module summary holds only what is simple to read from the
`ast` (imports, string constants, module-level definitions, instances, what its imports and calls say about
logging, tracing and closing) is *closed*: the engine takes its summary from here and never parses it with
LibCST. Everything else is *open* and goes the full way. When unsure, the gate opens.

What opens it:
- any `async` construct (blocking calls on the event loop, calls into other modules, DPR101 across modules);
- a name the model, the summary builder or a rule compares against (`gate_names.NAMES`: every dotted name
  written in python/, the SDK table, the known tables), resolved through the file's imports as the model
  resolves it, and related to it either way (a module above it, a member below it); an import of a web
  framework, Dapr extension or agent framework (`ANCHOR_ROOTS`);
- a shape the model or the summary reads without resolving its receiver (a route or Dapr decorator on any
  object, `include_router`, `mount`, ...: `OPENING_DECORATORS`, `OPENING_CALLS`; a `wait_for_external_event`
  written where the model may meet it in another order or read its name otherwise);
- anything this pass does not model as the LibCST model does (a `match` statement, an environment default
  read through names, a file CPython refuses: DPR001 comes from the full path).

Names a rule writes that only matter next to an anchor (`time.sleep` in a workflow, `json.loads` on an event)
are listed in `CONTEXT`; the summary facts they feed (`os.getenv` defaults, logging set-up calls, closers,
the workflow events waited for) are computed here the way python/summary.py and python/practices.py compute them. tests/test_gate.py fails
when a dotted name written in python/ is in neither list, and proves the gated run equal to the full one.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import replace
from typing import Any, Callable, Optional, Union

from dapr_lint.python import gate_actors, gate_workflows, known
from dapr_lint.python.gate_clients import CLIENT_CLASSES, ClientFacts, read_clients
from dapr_lint.python.gate_clients import Open as _ClientOpen
from dapr_lint.python.gate_held import all_params, calls_own_method
from dapr_lint.python.gate_names import NAMES
from dapr_lint.python.gate_values import Open as _ValueOpen
from dapr_lint.python.gate_values import ValueTypes, value_class_named
from dapr_lint.python.model.actors import _LIBRARIES as _ACTOR_BASE_LIBRARIES
from dapr_lint.python.model.actors import ACTOR_CLASSES, ACTOR_ID, INTERFACE_CLASSES, REMINDABLE_CLASSES
from dapr_lint.python.model.workflow_facts import _REGISTER_METHODS, _RUNNER_METHODS, AGENT_RUNNERS, DURABLE_AGENTS
from dapr_lint.python.practices import (
    _CLOSER_METHODS,
    _CLOSERS,
    _LOGGING_HELPER,
    _SETUP_VERB,
    _TRACING_HELPER,
    CLOSE_METHODS,
    GRPC_FORWARDING_LIBRARIES,
    HTTP_FORWARDING_LIBRARIES,
    LOGGING_LIBRARIES,
    LOGGING_SETUP_CALLS,
    TRACING_LIBRARIES,
    TRACING_SETUP_CALLS,
)
from dapr_lint.python.sdk_releases import SdkPin, agent_export_absence
from dapr_lint.python.summary_blocking import NOT_PROJECT, maybe_project
from dapr_lint.python.verify import quietly
from dapr_lint.summaries import (
    ActorClassFact,
    ActorMethodFact,
    ActorSummary,
    ComponentUse,
    Definition,
    ImportedName,
    ModuleSummary,
    PracticeFacts,
    Route,
    Span,
    StrValue,
    WorkflowEvent,
    WorkflowFacts,
    WorkflowRuntimeStart,
    WorkflowTarget,
)

# Set to "0" to run every file the full way (the differential test compares both).
ENVIRONMENT = "DAPR_LINT_PREPASS"


def enabled() -> bool:
    return os.environ.get(ENVIRONMENT, "1") != "0"


# Top-level packages whose mere import opens the gate: web frameworks, Dapr's extensions' old names, agent
# frameworks, servers. The model keys several facts on `imports_module(<one of these>)` plus a shape. (Not
# `cloudevents`: nothing asks whether it is imported, and its names the rules compare, the CloudEvent classes
# DPR405 reads, are names of NAMES.)
ANCHOR_ROOTS = frozenset(
    {
        "fastapi", "flask", "starlette", "flask_dapr", "diagrid", "uvicorn", "hypercorn", "gunicorn",
        "werkzeug", "durabletask",
    }
)
# The Dapr modules the actor and workflow facets key on by `imports_module`: with one of them imported, the model
# records every module-level class in the summary's actor facts (computed here, `_actor_classes`) and counts any
# `register_workflow`-like call as a registration (`_REGISTERING_CALLS`, read by python/gate_workflows.py).
ACTOR_MODULES = ("dapr.actor", "dapr.ext")

# Dotted names written in python/ that matter only next to an anchor (inside a handler, a workflow, a Dapr call,
# an `async def`), or that the summary facts computed here account for. Never a reason to open the gate alone.
CONTEXT = frozenset(
    {
        "builtins.BaseException", "builtins.Exception", "builtins.NoneType", "builtins.ValueError", "builtins.bool",
        "builtins.bytes", "builtins.exit", "builtins.property", "builtins.quit", "builtins.str",
        "logging.basicConfig", "logging.config", "logging.config.dictConfig", "logging.config.fileConfig",
        "logging.config.listen", "logging.getLogger", "logging.root",
        "structlog.configure", "structlog.configure_once", "structlog.getLogger", "structlog.get_logger",
        "coloredlogs.install", "logfire.configure", "google.cloud.logging.Client", "ecs_logging.StdlibFormatter",
        "loguru.logger", "azure.monitor.opentelemetry", "phoenix.otel", "openinference.instrumentation",
        # OpenTelemetry: what its imports and set-up calls say (the summary's tracing and forwarding facts) is
        # computed here (`practices`); DPR413's fix reads `propagate` and an app handed to an instrumentor is
        # harmless (summary_routes.py), each next to a Dapr client or an app of the module, which open it
        "opentelemetry.sdk", "opentelemetry.instrumentation", "opentelemetry.exporter", "opentelemetry.distro",
        "opentelemetry.trace.set_tracer_provider", "opentelemetry.instrumentation.aiohttp_client",
        "opentelemetry.instrumentation.auto_instrumentation", "opentelemetry.instrumentation.grpc",
        "opentelemetry.propagate",
        "atexit.register", "contextlib.aclosing", "contextlib.asynccontextmanager", "contextlib.closing",
        "contextlib.contextmanager", "weakref.finalize",
        "os._exit", "os.environ.get", "os.getenv", "os.urandom", "sys.exit",
        "asyncio.run", "asyncio.sleep", "asyncio.threads.to_thread", "asyncio.to_thread", "anyio.run",
        "anyio.to_thread.run_sync", "uvloop.run", "trio.run",
        "json.JSONDecodeError", "json.decoder.JSONDecodeError", "json.dumps", "json.loads", "simplejson.JSONDecodeError",
        "orjson.dumps", "orjson.loads", "pickle.dumps",
        "pytest.deprecated_call", "pytest.raises", "pytest.warns",
        "typing.Annotated", "typing.Optional", "typing.Union", "typing_extensions.Annotated",
        "typing_extensions.Optional",
        "functools.cache", "functools.cached_property", "functools.lru_cache", "functools.wraps",
        "dataclasses.dataclass",
        # pydantic's bases qualify a payload, a handler's body or an actor's state type: each of those is anchored
        # by a Dapr call, handler or actor of its own (payloads.is_pydantic_model, service._pydantic_model)
        "pydantic.BaseModel", "pydantic.main.BaseModel", "pydantic.v1.BaseModel", "pydantic.dataclasses.dataclass",
        # the errors a Dapr call raises: what an `except` clause catches (model/exceptions.py) is read only for a
        # `try` around a Dapr client call (DPR301/302/303, the summary's unguarded calls), in a workflow or an actor,
        # or for an app-level handler (opened by its decorator or call shape)
        "dapr.clients.exceptions.DaprInternalError", "dapr.clients.exceptions.DaprGrpcError",
        "dapr.clients.exceptions.DaprHttpError", "dapr.clients.DaprInternalError", "dapr.aio.clients.DaprInternalError",
        "dapr.clients.http.client.DaprHttpError", "grpc.RpcError", "grpc.aio.AioRpcError", "grpc._channel._InactiveRpcError",
        "datetime.UTC", "datetime.date.today", "datetime.datetime.now", "datetime.datetime.today",
        "datetime.datetime.utcnow", "datetime.timedelta", "datetime.timezone.utc",
        "time.gmtime", "time.localtime", "time.monotonic", "time.monotonic_ns", "time.perf_counter", "time.sleep",
        "time.time", "time.time_ns", "uuid.uuid1", "uuid.uuid4", "random.Random", "random.seed", "urllib.request.",
        "ctx.random", "ctx.uuid4",
        # DPR403 leaves the protobuf messages alone (their status is the enum's number): a name it reads to fire less
        "dapr.proto.",
    }
)
# Dotted strings written in python/ that name files or settings, not Python objects.
NOT_NAMES = frozenset(
    {
        "app.py", "__init__.py", "uv.lock", "poetry.lock", "Pipfile.lock", "pyproject.toml", "setup.cfg",
        "requirements.txt", "options.extras_require", "tool.poetry.dependencies", "tool.poetry.group.",
        # modules the model asks `imports_module` about (ACTOR_MODULES; the handler shapes, which open by their
        # decorator) or a fix imports from: never compared with a name
        "dapr.ext", "dapr.actor", "dapr.ext.workflow", "dapr.ext.workflow.aio", "dapr.ext.fastapi", "dapr.ext.flask",
        "dapr.aio.clients", "dapr.actor.",  # the owner an actor rule names an Actor coroutine by (rules/clients.py)
        "pydantic.dict", "pydantic.json",  # where a payload kind comes from (model/values.py Kind.origin)
        # a return type the release tables describe (python/sdk_versions.py `create_timer`, `wait_for_external_event`):
        # not a class of the member tables (sdk_table.MEMBERS), so no value the model gives is ever this path
        "dapr.ext.workflow._durabletask.task.Task",
    }
)

# Decorator attributes the model reads by shape, whatever the receiver (routes, Dapr subscriptions, gRPC
# handlers, workflows and activities, start-up events, actor methods).
OPENING_DECORATORS = known.HTTP_ROUTE_METHODS | {
    "websocket", "subscribe", "workflow", "activity", "versioned_workflow", "method", "binding", "job_event",
    "on_event", "actormethod", "exception_handler", "errorhandler", "app_errorhandler", "middleware",
}
# Call attributes the summary or the model records by shape, whatever the receiver.
OPENING_CALLS = frozenset(
    {
        "add_api_route", "add_route", "add_url_rule", "add_websocket_route", "add_api_websocket_route",
        "include_router", "register_blueprint", "mount", "add_exception_handler",
        "register_error_handler",
    }
)


# Text that makes the gate open in practice (an import of an anchor package, a Dapr gRPC client class built, a
# workflow runtime named, a registration on another object than `self`; not `DaprClient`, whose shapes
# python/gate_clients.py reads, nor the workflow clients and context, which python/gate_workflows.py reads):
# such a file is sent the full way without the first pass, which would only cost time there. Opening is
# always safe, so this needs no proof; a file it sends the full way by a word in a comment loses nothing but time.
_SURELY_OPEN = re.compile(
    rb"^[ \t]*(?:from|import)[ \t]+(?:fastapi|flask|starlette|flask_dapr|uvicorn"
    rb")\b|\bDaprGrpcClient(?:Async)?\s*\(|\bWorkflowRuntime\b"
    rb"|(?<!self)\.(?:register_workflow|register_activity)\s*\(|\bDapr(?:Actor|App)\s*\(",
    re.M,
)
# Around a name, what says it is prose (a docstring's ``DaprClient``, a sentence's end, a patch target's
# 'pkg.DaprClient', a comment) or the file's own definition (`class DaprWorkflowClient:`), not a use: such a
# match alone does not count.
_QUOTES = frozenset(b"`'\"")
_QUOTES_AFTER = frozenset((b"`", b"'", b'"'))
_SENTENCE_ENDS = frozenset((b". ", b".\n", b".\r", b'."', b".'", b".`"))


# Where a match of `_SURELY_OPEN` can start, found by plain byte search (a scan of the pattern itself costs ~40 ns a
# byte: it has no literal prefix). Every match holds one of these words: a name starting with `Dapr`, `WorkflowRuntime`
# or `.register_` starts at it; an import of a web framework at the start of its line. (The actor classes, `actormethod`,
# `ActorProxy` and the mock actor are read by the first pass itself: python/gate_actors.py.)
_AT_WORD = (b"Dapr", b"WorkflowRuntime", b".register_")
_IMPORTED = (b"fastapi", b"flask", b"starlette", b"uvicorn")  # `flask` starts `flask_dapr`
_SPACE = frozenset(b" \t\n\r\x0b\x0c")  # what `\s` matches in a bytes pattern


def _starts(data: bytes) -> list[int]:
    """Every position where `_SURELY_OPEN` may match, and more, in order."""
    found: set[int] = set()

    def occurrences(word: bytes) -> list[int]:
        positions = []
        at = data.find(word)
        while at != -1:
            positions.append(at)
            at = data.find(word, at + 1)
        return positions

    for word in _AT_WORD:
        found.update(occurrences(word))
    for word in _IMPORTED:
        for at in occurrences(word):
            found.add(data.rfind(b"\n", 0, at) + 1)
    return sorted(found)


def _surely_open(data: bytes) -> bool:
    """A match of `_SURELY_OPEN` in code. A match skipped here only sends the file through the first pass.

    The matches are those `_SURELY_OPEN.finditer` gives: at each possible start in order, not inside the match
    before (at most one branch of the pattern matches at a position: their first characters differ)."""
    position = doubles = singles = last = 0
    for start in _starts(data):
        if start < last:
            continue
        match = _SURELY_OPEN.match(data, start)
        if match is None:
            continue
        end = last = match.end()
        doubles += data.count(b'"""', position, start)
        singles += data.count(b"'''", position, start)
        position = start
        if doubles % 2 or singles % 2:
            continue  # inside a triple-quoted string: a docstring's example
        if not data[start:start + 1].isalpha() or data.startswith((b"from", b"import"), start):
            return True  # an import line, a call, a decorator, a base: code
        line = data[data.rfind(b"\n", 0, start) + 1:start]
        if (
            (start and data[start - 1] in _QUOTES) or data[end:end + 1] in _QUOTES_AFTER
            or data[end:end + 2] in _SENTENCE_ENDS or b"#" in line or line.endswith(b"class ")
        ):
            continue
        return True
    return False


# Calls the actor and workflow facets record by their attribute alone, on any receiver (`_find_calls`,
# `_registration_call`): a registration the summary would hold.
_REGISTERING_CALLS = frozenset(_REGISTER_METHODS)  # (`register_actor`: python/gate_actors.py reads it)


class _Open(Exception):
    """The gate opens: the file goes the full way."""


_UNKNOWN = ("unknown",)
_NONE = ("none",)
Value = tuple


class _Binding:
    __slots__ = ("kind", "value", "scope", "annotation", "target")

    def __init__(self, kind: str, value: Any, scope: "_Scope", annotation: Any = None, target: Any = None) -> None:
        self.kind, self.value, self.scope, self.annotation, self.target = kind, value, scope, annotation, target


class _Scope:
    __slots__ = ("kind", "parent", "bindings", "global_names", "nonlocal_names")

    def __init__(self, kind: str, parent: Optional["_Scope"]) -> None:
        self.kind, self.parent = kind, parent
        self.bindings: dict[str, list[_Binding]] = {}
        self.global_names: set[str] = set()
        self.nonlocal_names: set[str] = set()

    def bind(self, name: str, binding: _Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)


class _Function:
    __slots__ = ("name", "qualname", "is_async", "klass", "nested", "decorators", "scope", "node", "inner")

    def __init__(
        self, name: str, qualname: str, klass: Optional["_Class"], nested: bool, decorators: list, scope: _Scope
    ) -> None:
        self.name, self.qualname, self.klass, self.nested, self.decorators, self.scope = name, qualname, klass, nested, decorators, scope
        self.is_async = False
        self.node: Optional[ast.AST] = None
        self.inner: Optional[_Scope] = None  # the scope of its body


class _Class:
    __slots__ = ("name", "qualname", "node", "scope", "methods")

    def __init__(self, name: str, qualname: str, node: ast.ClassDef, scope: _Scope) -> None:
        self.name, self.qualname, self.node, self.scope = name, qualname, node, scope
        self.methods: dict[str, _Function] = {}


def closed_summary(data: bytes, subscribers: tuple[str, ...] = ()) -> Optional[ModuleSummary]:
    """The module summary of a closed file (what the full path's builder gives, before the engine annotates
    where the file lives), or None when the gate opens (or CPython refuses the file: DPR001 is the full
    path's)."""
    return first_pass(data, subscribers)[0]


def first_pass(
    data: bytes, subscribers: tuple[str, ...] = (), defer: bool = False, sdk: Optional[SdkPin] = None
) -> tuple[Optional[ModuleSummary], Optional[ast.Module]]:
    """`closed_summary`, and CPython's `ast` of the file when the gate parsed it and opened: the full path
    needs that same tree (`ast.parse(data)`) for the DPR001 verdict and the positions, and need not parse the
    file with CPython a second time. The walk only reads the tree.

    `defer`: a file the gate would open only for its `async_calls` (coroutines calling into modules that may be
    the project's) closes all the same, its summary saying so (`ModuleSummary.async_calls_deferred`): no rule of
    the file reads those calls, and the project stage has the file checked the full way only when another module
    of the run could make one of them a finding (engine/project_stage.py `_complete`).

    `sdk`: the releases the file is judged against (`Settings.sdk_at`); None when not known, which opens every
    file importing from `dapr_agents` (DPR108 judges those imports by the dapr-agents releases pinned)."""
    if subscribers or _surely_open(data):
        return None, None
    tree = quietly(ast.parse, data)
    if tree is None:
        return None, None
    try:
        gate = _Gate(data)
        gate.defer, gate.sdk = defer, sdk
        summary = gate.run(tree)
    except (_Open, RecursionError):
        return None, tree
    # what only the compiler refuses (`return` outside a function, ...): compiled once the file would close
    if quietly(compile, tree, "<dapr-lint>", "exec", dont_inherit=True) is None:
        return None, None
    return summary, None


class _WalkFacts:
    """What the walk collects, how a name resolves in it (as ModuleModel.value_of does), and the summary made of
    it (what python/summary.py gives a module with no anchor)."""

    def __init__(self, data: bytes = b"") -> None:
        self.data = data
        self.module = _Scope("module", None)
        self.imports: list[tuple[str, tuple[str, ...]]] = []
        self.imported_heads: set[str] = set()  # imports_module's index of `imports`, made when first asked
        self.imported_count = 0
        self.functions: list[_Function] = []
        self.calls: list[tuple[ast.Call, _Scope]] = []
        self.attributes: list[ast.Attribute] = []
        self.chains: list[tuple[ast.expr, _Scope]] = []
        self.with_items: list[ast.expr] = []
        self.memo: dict[tuple[int, int], Value] = {}
        self.busy: set[tuple[int, int]] = set()
        self.has_async = False
        self.classes: list[_Class] = []
        # names bound by an import of a module that may be the project's (relative, or not a known library)
        self.project_names: set[str] = set()
        # calls outside any `async def` that may run a coroutine as a script (`asyncio.run(main())`)
        self.runners: list[tuple[ast.Call, _Scope]] = []
        # function decorators with a route verb (`@mock.patch("...")`): the summary records them as routes
        self.routes: list[tuple[ast.Call, _Function]] = []
        # `<any receiver>.wait_for_external_event(...)` calls: the summary's awaited events
        self.waits: list[tuple[ast.Call, _Scope]] = []
        # `<any receiver>.register_workflow(...)` and the like: python/gate_workflows.py reads them
        self.registering: list[tuple[ast.Call, _Scope]] = []
        self.opaque = False  # the module's workflow registrations are not known (`opaque_registrations`)
        self.awaited: tuple[WorkflowEvent, ...] = ()
        self.started: tuple[WorkflowRuntimeStart, ...] = ()  # DurableAgents started (`_started_agents`)
        self.indexed: Optional[tuple[list[ast.AST], dict[int, ast.AST]]] = None
        # the names `match` patterns capture (`case Point(x=px)`, `*rest`, `**rest`): the model binds none of them
        # (LibCST's builder sees a capture as a read of the name), and neither does the walk (`_captures_bound`)
        self.captures: set[str] = set()
        self.actors: Optional[gate_actors.ActorWalk] = None  # the actor facts' walk (`_Gate.run`)
        self._text: Optional[tuple[list[str], list[int]]] = None
        self._by_node: dict[int, _Function] = {}  # `function_of`'s index of `functions`

    def function_of(self, node: Optional[ast.AST]) -> Optional[_Function]:
        """The walk's record of a `def` or `async def` node (None for any other node), by an index of `functions`
        made once the walk is done."""
        if len(self._by_node) != len(self.functions):
            self._by_node = {id(f.node): f for f in self.functions}
        return self._by_node.get(id(node))

    def text(self) -> tuple[list[str], list[int]]:
        """The file's lines as LibCST counts them (`_source_lines`, which opens on what it cannot count) and the
        byte offset each starts at (`_line_starts`), made once for every span the summary needs."""
        if self._text is None:
            lines = _source_lines(self.data)
            self._text = (lines, _line_starts(lines))
        return self._text

    def call_span(self, call: ast.Call, before: Optional[Callable[[bytes], bytes]] = None) -> Span:
        """`_call_span` of a call of the file; `before`, if given, reads the file's bytes up to the call first."""
        lines, starts = self.text()
        head = self.data[: starts[call.lineno - 1] + call.col_offset]
        return _call_span(head if before is None else before(head), lines, call)

    def index(self, tree: ast.Module) -> tuple[list[ast.AST], dict[int, ast.AST]]:
        """The module's nodes (`_nodes`) and each one's parent by `id`, made once."""
        if self.indexed is None:
            parents: dict[int, ast.AST] = {}
            self.indexed = (_nodes(tree, parents), parents)
        return self.indexed

    # -- resolution (mirrors ModuleModel.lookup / value_of, for what can name an import path) --------------

    def lookup(self, name: str, scope: _Scope) -> Optional[list[_Binding]]:
        start: Optional[_Scope] = scope
        current = scope
        while current is not None:
            if name in current.global_names:
                return self.module.bindings.get(name)
            if current.kind == "class" and current is not start:
                current = current.parent  # type: ignore[assignment]
                continue
            bindings = current.bindings.get(name)
            if bindings:
                return bindings
            current = current.parent  # type: ignore[assignment]
        return None

    def value(self, expr: Any, scope: _Scope) -> Value:
        """("ref", path) for an import path, ("none",) for None, ("local", id) for a local def or class, ("other",
        id) for any other known value, ("unknown",) when the model would not know either."""
        key = (id(expr), id(scope))
        found = self.memo.get(key)
        if found is not None:
            return found
        if key in self.busy or len(self.busy) > 40:
            return _UNKNOWN
        self.busy.add(key)
        try:
            found = self._evaluate(expr, scope)
        finally:
            self.busy.discard(key)
        self.memo[key] = found
        return found

    def _evaluate(self, expr: Any, scope: _Scope) -> Value:
        kind = type(expr)
        if kind is _NAME:
            bindings = self.lookup(expr.id, scope)
            if not bindings:
                return _UNKNOWN
            result: Optional[Value] = None
            for binding in bindings:
                value = self._binding_value(binding)
                if value == _NONE:
                    continue
                if value == _UNKNOWN:
                    return _UNKNOWN
                if result is None:
                    result = value
                elif result != value:
                    return _UNKNOWN
            return result if result is not None else _UNKNOWN
        if kind is _ATTRIBUTE:
            base = self.value(expr.value, scope)
            if base[0] == "ref":
                return ("ref", known.canonical(f"{base[1]}.{expr.attr}"))
            # a member of a local class or instance: the model follows it to a method or a class attribute, which
            # names an import path only through a chain this pass checks where it is written
            return _UNKNOWN
        if kind is _CONSTANT:
            if isinstance(expr.value, str):
                return ("str", expr.value)
            return _NONE if expr.value is None else ("other", repr(expr.value))
        # what a call gives is never an import path in the model (an instance, a kind, a local function's return,
        # which names one only through a chain this pass checks where it is written); nor does any other expression
        return ("other", id(expr))

    def _binding_value(self, binding: _Binding) -> Value:
        kind = binding.kind
        if kind == "assign":
            if binding.annotation is not None and not isinstance(binding.value, (ast.Name, ast.Attribute)):
                # typed from its annotation or built by a call: an instance or a kind, never an import path
                return ("other", id(binding))
            return self.value(binding.value, binding.scope)
        if kind == "import":
            return ("ref", known.canonical(binding.target))
        if kind in ("def", "class"):
            return ("local", id(binding.value))
        if kind in ("param", "annotation", "with") and (binding.annotation is not None or kind == "with"):
            # an instance typed from its annotation or entered: never an import path
            return ("other", id(binding))
        return _UNKNOWN

    def path_of(self, expr: Any, scope: _Scope) -> Optional[str]:
        """ModuleModel.qualified_name / callee_path."""
        if not isinstance(expr, (ast.Name, ast.Attribute)):
            return None
        value = self.value(expr, scope)
        return known.canonical(value[1]) if value[0] == "ref" else None

    # -- the summary (what python/summary.py gives a module with no anchor) -------------------------------

    def summary(self) -> ModuleSummary:
        module = self.module
        defs: dict[str, Definition] = {}
        classes: dict[str, dict[str, Definition]] = {}
        for info in self.functions:
            if info.nested:
                continue
            entry = Definition(info.is_async, None, None)
            if info.klass is None:
                defs[info.name] = entry
            elif "." not in info.klass.qualname:
                if any(self._is_property(d, info.scope) for d in info.decorators):
                    entry = Definition(entry.is_async, None, None, "property")
                classes.setdefault(info.klass.name, {})[info.name] = entry
        constants: dict[str, str] = {}
        env_constants: dict[str, str] = {}
        imports: dict[str, str] = {}
        instances: dict[str, str] = {}
        for name, bindings in module.bindings.items():
            if len(bindings) != 1:
                continue
            binding = bindings[0]
            if binding.kind == "import":
                imports[name] = binding.target
                continue
            if binding.kind != "assign":
                continue
            value = binding.value
            if isinstance(value, ast.Call):
                env = self._env_default(value, module)
                if env is not None:
                    constants[name] = env[1]
                    env_constants[name] = env[0]
                func = value.func
                if isinstance(func, ast.Name) and func.id in classes and len(self.lookup(func.id, module) or ()) == 1:
                    instances[name] = func.id
                    continue
                path = self.path_of(func, module)
                if path is not None and maybe_project(path):
                    instances[name] = path
                continue
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                constants[name] = value.value
        return ModuleSummary(
            uses_dapr=self.imports_module("dapr") or self.imports_module("flask_dapr"),
            routes=tuple(self._routes()),
            env_constants=env_constants,
            constants=constants,
            imports=imports,
            defs=defs,
            classes=classes,
            instances=instances,
            practices=self.practices(),
            # an agent framework registers and waits under names of its own (python/model/workflow_facts.py): with
            # no workflow name of NAMES in the file (those open it), that is all its workflow facts say
            workflows=WorkflowFacts(awaited=self.awaited, started=self.started, opaque=True, agents=True)
            if self.imports_module("dapr_agents") else WorkflowFacts(awaited=self.awaited, opaque=self.opaque),
            actors=_actor_summary(self) if any(self.imports_module(m) for m in ACTOR_MODULES) else ActorSummary(),
        )

    def _routes(self) -> list[Route]:
        """python/summary.py `_routes_and_includes` for decorators, in a module with no app of its own: a route
        whenever the receiver is a name imported once or an imported path (`@mock.patch("pkg.f")` is one)."""
        found = []
        for call, info in self.routes:
            receiver = call.func.value  # type: ignore[attr-defined]
            owner: Optional[ImportedName] = None
            if isinstance(receiver, ast.Name):
                bindings = self.lookup(receiver.id, info.scope)
                if bindings and len(bindings) == 1 and bindings[0].kind == "import":
                    owner = ImportedName(bindings[0].target)
            elif isinstance(receiver, ast.Attribute):
                value = self.value(receiver, info.scope)
                if value[0] == "ref" and not value[1].startswith(("fastapi.", "flask.", "starlette.")):
                    owner = ImportedName(value[1])
            if owner is None:
                continue  # no app the summary can name, and no framework imported: no route
            verb = call.func.attr  # type: ignore[attr-defined]
            if _argument(call, None, "methods") is not None:
                raise _Open
            found.append(Route(owner, self._string(_argument(call, 0, ("path", "rule")), info.scope), call.lineno, _ROUTE_VERBS[verb], info.qualname))
        return found

    def _string(self, expr: Optional[ast.expr], scope: _Scope) -> StrValue:
        """python/summary.py `_string`."""
        if expr is None:
            return None
        value = self.value(expr, scope)
        if value[0] == "ref":
            return ImportedName(value[1])
        return value[1] if value[0] == "str" else None

    def _is_property(self, decorator: ast.expr, scope: _Scope) -> bool:
        if isinstance(decorator, ast.Name) and decorator.id == "property":
            return True
        expr = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(expr, ast.Name) and expr.id in ("staticmethod", "classmethod", "property") and not self.lookup(expr.id, scope):
            return expr.id == "property"
        return self.path_of(expr, scope) == "builtins.property"

    def _env_default(self, call: ast.Call, scope: _Scope) -> Optional[tuple[str, str]]:
        if self.path_of(call.func, scope) not in ("os.getenv", "os.environ.get"):
            return None
        variable, default = _argument(call, 0, "key"), _argument(call, 1, "default")
        if not (_is_str(variable) and _is_str(default)):
            if variable is None or default is None or _is_literal(variable) and _is_literal(default):
                return None
            raise _Open  # names to follow: the model's string_of
        return variable.value, default.value  # type: ignore[union-attr]

    def imports_module(self, prefix: str) -> bool:
        """Whether an import's module or one of its `module.name` paths is `prefix` or below it."""
        if self.imported_count != len(self.imports):
            # every such path and each of its dotted heads (`a.b.c` gives `a.b.c`, `a.b`, `a`): `prefix` is one of
            # them exactly when a path equals it or starts with `prefix + "."`
            heads: set[str] = set()
            for module, names in self.imports:
                for path in (module, *(f"{module}.{n}" for n in names)):
                    heads.add(path)
                    dot = path.find(".")
                    while dot != -1:
                        heads.add(path[:dot])
                        dot = path.find(".", dot + 1)
            self.imported_heads, self.imported_count = heads, len(self.imports)
        return prefix in self.imported_heads

    def practices(self) -> PracticeFacts:
        found: set[str] = set()
        for module, names in self.imports:
            found.add(module)
            for name in names:
                found.add(f"{module}.{name}" if not module.endswith(".") else f"{module}{name}")
        logging = any(self.imports_module(lib) for lib in LOGGING_LIBRARIES)
        tracing = any(self.imports_module(lib) for lib in TRACING_LIBRARIES)
        forward_http = any(self.imports_module(lib) for lib in HTTP_FORWARDING_LIBRARIES)
        forward_grpc = any(self.imports_module(lib) for lib in GRPC_FORWARDING_LIBRARIES)
        closed: set[str] = set()
        for node in self.attributes:
            if node.attr in CLOSE_METHODS:
                name = _last_name(node.value)
                if name is not None:
                    closed.add(name)
        for call, scope in self.calls:
            func = call.func
            path = self.path_of(func, scope)
            if path is not None:
                if path in LOGGING_SETUP_CALLS:
                    logging = True
                if path in TRACING_SETUP_CALLS:
                    tracing = True
                if not path.startswith(("logging.", "builtins.")):
                    last = path.rsplit(".", 1)[-1]
                    if _SETUP_VERB.search(last):
                        if _LOGGING_HELPER.search(last):
                            logging = True
                        if _TRACING_HELPER.search(last):
                            tracing = True
            if isinstance(func, ast.Attribute) and func.attr == "addHandler":
                logging = True
            if isinstance(func, ast.Name):
                closed.add(func.id)
            if path in _CLOSERS or (isinstance(func, ast.Attribute) and func.attr in _CLOSER_METHODS):
                for value in _argument_values(call):
                    name = _last_name(value)
                    if name is not None:
                        closed.add(name)
            for value in _argument_values(call):
                name = _name_of(value)
                if name is not None:
                    closed.add(name)
                elif isinstance(value, (ast.List, ast.Tuple)):
                    for element in value.elts:
                        name = _name_of(element.value if isinstance(element, ast.Starred) else element)
                        if name is not None:
                            closed.add(name)
        for item in self.with_items:
            name = _last_name(item)
            if name is not None:
                closed.add(name)
        return PracticeFacts(
            imports=tuple(sorted(found)),
            logging=logging,
            tracing=tracing,
            forward_http=forward_http,
            forward_grpc=forward_grpc,
            closed=tuple(sorted(closed)),
        )


_NAME, _ATTRIBUTE, _CONSTANT, _CALL, _MATCH = ast.Name, ast.Attribute, ast.Constant, ast.Call, ast.Match
# Every kind's fields that hold nodes, and those that hold none with children (names, flags, contexts, operators),
# as CPython 3.10 and 3.11 define them: `_nodes` walks a tree by them. A kind with a field in neither (a newer
# Python's) is walked by `ast.iter_child_nodes`.
_KINDS = {
    "Module": ("body", "type_ignores"), "FunctionDef": ("args body decorator_list returns", "name type_comment"),
    "AsyncFunctionDef": ("args body decorator_list returns", "name type_comment"),
    "ClassDef": ("bases keywords body decorator_list", "name"), "Return": ("value", ""), "Delete": ("targets", ""),
    "Assign": ("targets value", "type_comment"), "AugAssign": ("target value", "op"),
    "AnnAssign": ("target annotation value", "simple"), "For": ("target iter body orelse", "type_comment"),
    "AsyncFor": ("target iter body orelse", "type_comment"), "While": ("test body orelse", ""),
    "If": ("test body orelse", ""), "With": ("items body", "type_comment"), "AsyncWith": ("items body", "type_comment"),
    "Raise": ("exc cause", ""), "Try": ("body handlers orelse finalbody", ""),
    "TryStar": ("body handlers orelse finalbody", ""), "Assert": ("test msg", ""), "Import": ("names", ""),
    "ImportFrom": ("names", "module level"), "Global": ("", "names"), "Nonlocal": ("", "names"), "Expr": ("value", ""),
    "Pass": ("", ""), "Break": ("", ""), "Continue": ("", ""), "BoolOp": ("values", "op"),
    "NamedExpr": ("target value", ""), "BinOp": ("left right", "op"), "UnaryOp": ("operand", "op"),
    "Lambda": ("args body", ""), "IfExp": ("test body orelse", ""), "Dict": ("keys values", ""), "Set": ("elts", ""),
    "ListComp": ("elt generators", ""), "SetComp": ("elt generators", ""), "DictComp": ("key value generators", ""),
    "GeneratorExp": ("elt generators", ""), "Await": ("value", ""), "Yield": ("value", ""), "YieldFrom": ("value", ""),
    "Compare": ("left comparators", "ops"), "Call": ("func args keywords", ""),
    "FormattedValue": ("value format_spec", "conversion"), "JoinedStr": ("values", ""), "Constant": ("", "value kind"),
    "Attribute": ("value", "attr ctx"), "Subscript": ("value slice", "ctx"), "Starred": ("value", "ctx"),
    "Name": ("", "id ctx"), "List": ("elts", "ctx"), "Tuple": ("elts", "ctx"), "Slice": ("lower upper step", ""),
    "comprehension": ("target iter ifs", "is_async"), "ExceptHandler": ("type body", "name"),
    "arguments": ("posonlyargs args vararg kwonlyargs kw_defaults kwarg defaults", ""),
    "arg": ("annotation", "arg type_comment"), "keyword": ("value", "arg"), "alias": ("", "name asname"),
    "withitem": ("context_expr optional_vars", ""),
}
_NODE_FIELDS: dict[type, tuple[str, ...]] = {}
for _name, (_nodes_in, _others) in _KINDS.items():
    _kind = getattr(ast, _name, None)
    if _kind is not None and set(_kind._fields) == {*_nodes_in.split(), *_others.split()}:
        _NODE_FIELDS[_kind] = tuple(f for f in _kind._fields if f in _nodes_in.split())

# The kinds the walk (`_Gate.visit`) only descends through, having no binding of their own, with their fields from
# `_NODE_FIELDS`: a kind whose fields a newer Python changed is descended by `ast.iter_child_nodes` instead.
_DESCENDED = (
    "Expr", "Return", "Delete", "If", "While", "Raise", "Assert", "Try", "TryStar", "Pass", "Break", "Continue",
    "BoolOp", "BinOp", "UnaryOp", "IfExp", "Dict", "Set", "Await", "Yield", "YieldFrom", "Compare", "FormattedValue",
    "JoinedStr", "Subscript", "Starred", "List", "Tuple", "Slice", "keyword",
)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {
    kind: _NODE_FIELDS[kind] for kind in (getattr(ast, name, None) for name in _DESCENDED) if kind in _NODE_FIELDS
}
_CALL_FIELDS: Optional[tuple[str, ...]] = _NODE_FIELDS.get(ast.Call)


def _nodes(root: ast.AST, parents: Optional[dict[int, ast.AST]] = None) -> list[ast.AST]:
    """What `ast.walk(root)` gives, in its order, less the contexts and operators (and `type_ignores`); with
    `parents`, each node's parent is recorded there by `id`."""
    found = [root]
    for node in found:
        fields = _NODE_FIELDS.get(type(node))
        if fields is None:
            children = [c for c in ast.iter_child_nodes(node) if not isinstance(c, _CHILDLESS)]
        else:
            children = []
            for field in fields:
                value = getattr(node, field)
                if type(value) is list:
                    children.extend([item for item in value if item is not None])
                elif value is not None:
                    children.append(value)
        found.extend(children)
        if parents is not None:
            for child in children:
                parents[id(child)] = node
    return found


def _captured(node: ast.AST) -> list[str]:
    """The names the patterns of a `match` statement capture."""
    found: list[str] = []
    for child in ast.walk(node):
        if isinstance(child, (ast.MatchAs, ast.MatchStar)) and child.name is not None:
            found.append(child.name)
        elif isinstance(child, ast.MatchMapping) and child.rest is not None:
            found.append(child.rest)
    return found


def _captures_bound(tree: ast.Module, captures: set[str]) -> bool:
    """Whether a captured name is also bound anywhere in the file (assigned, defined, imported, a parameter, an
    except or global name). The model counts a capture as a read of the name where a rule or the summary may count
    the reads of a bound name (a client, a result, an async function called only once): such a file opens. A name
    bound nowhere else is read by nothing that counts reads."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            name: Optional[str] = node.id
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            name = node.name
        elif isinstance(node, ast.arg):
            name = node.arg
        elif isinstance(node, ast.alias):
            name = node.asname or node.name.split(".", 1)[0]
        elif isinstance(node, ast.ExceptHandler):
            name = node.name
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            if captures.intersection(node.names):
                return True
            continue
        else:
            continue
        if name in captures:
            return True
    return False


_CHILDLESS = (ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop, ast.type_ignore)


class _Gate(_WalkFacts):
    """The walk (mirrors python/model/builder.py: which scope binds what); it raises _Open wherever LibCST must
    run."""
    # -- the walk (mirrors python/model/builder.py: which scope binds what) -------------------------------

    # set by `first_pass`: leave the summary's async_calls to the project stage rather than open for them; the
    # SDK releases the file is judged against (None: not known)
    defer = False
    sdk: Optional[SdkPin] = None

    def run(self, tree: ast.Module) -> ModuleSummary:
        deferred = False
        self.visit_body(tree.body, self.module, None, None)
        if self.captures and _captures_bound(tree, self.captures):
            raise _Open
        for module, names in self.imports:
            if module == "dapr_agents" and names and self.agent_import_may_fail(names):
                raise _Open  # what the admitted dapr-agents releases export (rules/clients.py `_agent_imports`)
            for path in [module, *(f"{module}{n}" if module.endswith(".") else f"{module}.{n}" for n in names)]:
                if _anchored_import(path):
                    raise _Open
        if self.has_async and self.project_names:
            on_loop = self.on_loop()
            if on_loop and _reaches_project(*self.index(tree), self.project_names, on_loop):
                # code on the event loop calling into a module that may be the project's (DPR101 across modules:
                # the summary's async_calls)
                if not self.defer:
                    raise _Open
                deferred = True
        parents: Optional[dict[int, ast.AST]] = None
        agents = False  # a name of _STARTED_BY_CALLS is written (what a started agent's construction must name)
        values: list[tuple[ast.expr, _Scope]] = []  # the SDK's value classes named (python/gate_values.py)
        clients: list[tuple[ast.expr, _Scope]] = []  # the Dapr client classes named (python/gate_clients.py)
        for expr, scope in self.chains:
            value = self.value(expr, scope)
            if value[0] == "ref" and _related(value[1]):
                if value_class_named(value[1]):
                    values.append((expr, scope))
                    continue
                if value[1] in CLIENT_CLASSES or value[1] in gate_workflows.CLIENT_CLASSES:
                    clients.append((expr, scope))
                    continue
                if parents is None:
                    parents = self.index(tree)[1]
                if value[1] in gate_workflows.CONTEXT_CLASSES:
                    _workflows(gate_workflows.check_context, self, expr, parents)  # `DaprWorkflowContext(ctx, ...)`
                    continue
                if gate_actors.shaped(value[1]):
                    _actors(gate_actors.check_use, expr, value[1], parents)  # `@actormethod(...)`, `ActorProxy.create(...)`
                    continue
                if value[1] not in _READ_IN_ONE_SHAPE:
                    if _member_of_one_shape(value[1]):
                        continue  # `ActorId.create_random_id`: never compared
                    if _module_handed_to_call(value[1], expr, parents):
                        continue  # `mock.patch.object(dapr, "__file__", ...)`: a module the model follows no further
                    raise _Open
                _check_shape(self, expr, scope, value[1], parents)
                agents = agents or value[1] in _STARTED_BY_CALLS
        if values:
            try:
                ValueTypes(self, tree, self.sdk).check(values, self.chains)
            except _ValueOpen:
                raise _Open from None
        if agents:
            self.started = _started_agents(self, tree)
        if self.registering:
            self.opaque = _workflows(gate_workflows.opaque_registrations, self, self.registering)
        if self.waits and (self.imports_module("dapr") or self.imports_module("dapr_agents")):
            self.awaited = _awaited_events(self, tree)
        if any(self.imports_module(m) for m in ACTOR_MODULES):
            # the actor rules' shapes (python/gate_actors.py), and the dispatch names the summary's classes need
            self.actors = gate_actors.ActorWalk(
                self, _base_kind, parents if parents is not None else self.index(tree)[1],
                # a call that is another call's argument, read past that call's bracket
                lambda call: self.call_span(call, gate_actors.unparenthesized),
            )
            _actors(self.actors.check)
        summary = self.summary()
        if clients:
            try:
                facts = read_clients(self, tree, [c for c in clients if self.value(*c)[1] in CLIENT_CLASSES])
            except (_ClientOpen, _ValueOpen) as stop:
                raise _Open from stop  # (benchmarks/ceiling.py names where the cause stopped)
            # the workflow clients (python/gate_workflows.py): a blocking entry no Dapr client's may precede
            uses = [c for c in clients if self.value(*c)[1] not in CLIENT_CLASSES]
            workflow = _workflows(gate_workflows.read_clients, self, tree, uses, self.sdk) if uses else None
            if workflow is not None:
                if workflow.blocking and (facts.blocking or facts.calls_at):
                    raise _Open
                facts.blocking.update((key, (callee, "()")) for key, callee in workflow.blocking.items())  # constructions
                summary = _with_workflow_clients(self, summary, workflow)
            summary = _with_clients(self, summary, facts)
        if deferred:
            summary = replace(summary, async_calls_deferred=self.words())
        return summary

    def agent_import_may_fail(self, names: tuple[str, ...]) -> bool:
        """Whether DPR108 may report `from dapr_agents import <names>` (rules/clients.py `_agent_imports`): the
        pin admits dapr-agents releases and one of them does not export a name."""
        if self.sdk is None:
            return True
        sdk = self.sdk
        return any(agent_export_absence(name, sdk) is not None for name in names)

    def words(self) -> tuple[str, ...]:
        """The parts of every import path that may be the project's which a name or attribute chain of the file
        means (as the model's qualified_name gives it): the target of each async call the full way would record
        is such a path or a prefix of one (python/summary_blocking.py: a callee, a receiver, a class, a
        provider), so its last part is among them."""
        found: set[str] = set()
        for expr, scope in self.chains:
            value = self.value(expr, scope)
            if value[0] == "ref" and maybe_project(value[1]):
                found.update(part for part in value[1].split(".") if part)
        return tuple(sorted(found))

    def visit_body(self, body: list, scope: _Scope, function: Optional[_Function], klass: Optional[_Class]) -> None:
        for node in body:
            self.visit(node, scope, function, klass)

    def visit(self, node: Any, scope: _Scope, function: Optional[_Function], klass: Optional[_Class]) -> None:
        # Dispatch on the exact node type (CPython's parser makes no subclasses), most frequent kinds first; the
        # children of a kind with no binding of its own are read from `_CHILD_FIELDS` in `ast.iter_child_nodes`
        # order (leaving out contexts and operators, which hold nothing), so the walk meets nodes as before.
        kind = type(node)
        if kind is _NAME:
            self.chains.append((node, scope))
            return
        if kind is _ATTRIBUTE:
            # the whole chain is one name (`dapr.clients.DaprClient`): check it, not its prefixes
            self.chains.append((node, scope))
            attributes = self.attributes
            link: ast.expr = node
            while type(link) is _ATTRIBUTE:
                attributes.append(link)
                link = link.value  # type: ignore[attr-defined]
            if type(link) is not _NAME:
                self.visit(link, scope, function, klass)
            return
        if kind is _CONSTANT:
            return
        if kind is _CALL:
            func = node.func
            if type(func) is _ATTRIBUTE:
                attr = func.attr
                if attr in OPENING_CALLS:
                    raise _Open
                if attr in _REGISTERING_CALLS:
                    self.registering.append((node, scope))
                if attr == "wait_for_external_event":
                    self.waits.append((node, scope))
            self.calls.append((node, scope))
            if function is None or not function.is_async:
                self.runners.append((node, scope))
            fields: Optional[tuple[str, ...]] = _CALL_FIELDS
        else:
            fields = _CHILD_FIELDS.get(kind)
        if fields is not None:
            for field in fields:
                child = getattr(node, field)
                if type(child) is list:
                    for item in child:
                        if item is not None:
                            self.visit(item, scope, function, klass)
                elif child is not None:
                    self.visit(child, scope, function, klass)
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            routes: list[ast.Call] = []
            for decorator in node.decorator_list:
                if _check_decorator(decorator) and isinstance(decorator, ast.Call):
                    routes.append(decorator)
                self.visit(decorator, scope, function, klass)
            args = node.args
            for default in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
                self.visit(default, scope, function, klass)
            for arg in all_params(args):
                if arg.annotation is not None:
                    self.visit(arg.annotation, scope, function, klass)
            if node.returns is not None:
                self.visit(node.returns, scope, function, klass)
            owner = klass if scope.kind == "class" else None
            inner = _Scope("function", scope)
            prefix = f"{function.qualname}.<locals>." if function is not None else (f"{owner.qualname}." if owner else "")
            info = _Function(node.name, prefix + node.name, owner, function is not None, node.decorator_list, scope)
            info.node, info.inner = node, inner
            if owner is not None:
                owner.methods[node.name] = info
            self.routes.extend((decorator, info) for decorator in routes)
            if isinstance(node, ast.AsyncFunctionDef):
                info.is_async = self.has_async = True
            scope.bind(node.name, _Binding("def", node, scope, target=info))
            self.functions.append(info)
            for arg in all_params(args):
                inner.bind(arg.arg, _Binding("param", None, inner, arg.annotation))
                if arg.annotation is not None:
                    # the model types a parameter from its annotation in the function's own scope
                    self.string_annotation(arg.annotation, (scope, inner))
            self.visit_body(node.body, inner, info, klass)
            return
        if isinstance(node, ast.Lambda):
            args = node.args
            for default in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
                self.visit(default, scope, function, klass)
            inner = _Scope("function", scope)
            for arg in all_params(args):
                inner.bind(arg.arg, _Binding("param", None, inner))
            self.visit(node.body, inner, function or _Function("<lambda>", "<lambda>", None, True, [], scope), klass)
            return
        if isinstance(node, ast.ClassDef):
            for decorator in node.decorator_list:
                _check_decorator(decorator)  # a route verb on a class (`@mock.patch`) is nobody's route
                self.visit(decorator, scope, function, klass)
            for base in node.bases:
                self.visit(base, scope, function, klass)
            for keyword in node.keywords:
                self.visit(keyword.value, scope, function, klass)
            prefix = f"{klass.qualname}." if klass is not None and scope.kind == "class" else ""
            info = _Class(node.name, prefix + node.name, node, scope)
            scope.bind(node.name, _Binding("class", node, scope, target=info))
            self.classes.append(info)
            self.visit_body(node.body, _Scope("class", scope), function, info)
            return
        if isinstance(node, ast.Assign):
            self.visit(node.value, scope, function, klass)
            for target in node.targets:
                self.bind(target, "assign", node.value, scope, function, klass)
            return
        if isinstance(node, ast.AnnAssign):
            self.visit(node.annotation, scope, function, klass)
            self.string_annotation(node.annotation, (scope, self.module))
            if node.value is not None:
                self.visit(node.value, scope, function, klass)
                self.bind(node.target, "assign", node.value, scope, function, klass, node.annotation)
            else:
                self.bind(node.target, "annotation", None, scope, function, klass, node.annotation)
            return
        if isinstance(node, ast.AugAssign):
            self.visit(node.value, scope, function, klass)
            self.bind(node.target, "unknown", None, scope, function, klass)
            return
        if isinstance(node, ast.NamedExpr):
            self.visit(node.value, scope, function, klass)
            self.bind(node.target, "assign", node.value, scope, function, klass)
            return
        if isinstance(node, (ast.For, ast.AsyncFor)):
            self.visit(node.iter, scope, function, klass)
            self.bind(node.target, "unknown", None, scope, function, klass)
            self.visit_body(node.body, scope, function, klass)
            self.visit_body(node.orelse, scope, function, klass)
            return
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                self.visit(item.context_expr, scope, function, klass)
                self.with_items.append(item.context_expr)
                if isinstance(item.optional_vars, ast.Name):
                    scope.bind(item.optional_vars.id, _Binding("with", item.context_expr, scope))
                elif item.optional_vars is not None:
                    self.bind(item.optional_vars, "unknown", None, scope, function, klass)
            self.visit_body(node.body, scope, function, klass)
            return
        if isinstance(node, ast.ExceptHandler):
            if node.type is not None:
                self.visit(node.type, scope, function, klass)
            if node.name is not None:
                scope.bind(node.name, _Binding("unknown", None, scope))
            self.visit_body(node.body, scope, function, klass)
            return
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            inner = _Scope("comprehension", scope)
            for generator in node.generators:
                self.visit(generator.iter, inner, function, klass)
                self.bind(generator.target, "unknown", None, inner, function, klass)
                for condition in generator.ifs:
                    self.visit(condition, inner, function, klass)
            for part in ("elt", "key", "value"):
                child = getattr(node, part, None)
                if child is not None:
                    self.visit(child, inner, function, klass)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                self.imports.append((alias.name, ()))
                if alias.asname is not None:
                    scope.bind(alias.asname, _Binding("import", None, scope, target=alias.name))
                else:
                    root = alias.name.split(".", 1)[0]
                    scope.bind(root, _Binding("import", None, scope, target=root))
                if alias.name.split(".", 1)[0] not in NOT_PROJECT:
                    self.project_names.add(alias.asname or alias.name.split(".", 1)[0])
            return
        if isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            names: list[str] = []
            for alias in node.names:
                if alias.name == "*":
                    continue
                names.append(alias.name)
                target = f"{module}{alias.name}" if module.endswith(".") else f"{module}.{alias.name}"
                scope.bind(alias.asname or alias.name, _Binding("import", None, scope, target=target))
                if target.startswith(".") or target.split(".", 1)[0] not in NOT_PROJECT:
                    self.project_names.add(alias.asname or alias.name)
            self.imports.append((module, tuple(names)))
            return
        if isinstance(node, ast.Global):
            scope.global_names.update(node.names)
            return
        if isinstance(node, ast.Nonlocal):
            scope.nonlocal_names.update(node.names)
            return
        if kind is _MATCH:
            self.captures.update(_captured(node))
        for child in ast.iter_child_nodes(node):
            self.visit(child, scope, function, klass)

    def on_loop(self) -> list[_Function]:
        """The `async def`s that may run on a shared event loop (the summary's async_calls come only from those,
        python/model/clients.py `runs_on_event_loop`): all but the script entries, a coroutine function a script
        runner outside any `async def` is given (`asyncio.run(main())`, `loop.run_until_complete(main())`,
        python/model/handlers.py `find_script_entries`). Fewer entries than the model finds (no propagation to
        the helpers only entries call, no entry reached through an attribute): the gate opens more, never less."""
        entries: set[int] = set()
        for call, scope in self.runners:
            func = call.func
            if not (isinstance(func, ast.Attribute) and func.attr in known.SCRIPT_RUNNER_METHODS):
                if self.imported_path(func, scope) not in known.SCRIPT_RUNNERS:
                    continue
            if not call.args or isinstance(call.args[0], ast.Starred):
                continue  # LibCST's first argument may be a keyword or a starred one: not read here
            target = call.args[0].func if isinstance(call.args[0], ast.Call) else call.args[0]
            if isinstance(target, ast.Name):
                bindings = self.lookup(target.id, scope)
                if bindings and len(bindings) == 1 and bindings[0].kind == "def" and bindings[0].target.is_async:
                    entries.add(id(bindings[0].target))
        return [info for info in self.functions if info.is_async and id(info) not in entries and info.node is not None]

    def imported_path(self, expr: ast.expr, scope: _Scope) -> Optional[str]:
        """The import path of a chain whose root is a name bound once, by an import (then the model's
        `qualified_name` is the same path)."""
        root = expr
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name):
            return None
        bindings = self.lookup(root.id, scope)
        if not bindings or len(bindings) != 1 or bindings[0].kind != "import":
            return None
        return self.path_of(expr, scope)

    def string_annotation(self, annotation: ast.expr, scopes: tuple[_Scope, ...], depth: int = 0) -> None:
        """The names a string in an annotation names (`client: "DaprClient"`): the model parses it
        (ModuleModel.type_from_annotation), so they are checked like the names written outside strings, in each
        scope the model may read them from. Only the names: nothing in a string is a call or a closer."""
        if type(annotation) is _NAME:
            return  # (the most frequent annotation: no string in it)
        for node in _nodes(annotation):
            if not (type(node) is _CONSTANT and isinstance(node.value, str)):  # type: ignore[attr-defined]
                continue
            if depth > 8:
                raise _Open
            for expr in _expressions_in(node.value):
                for chain in _chains(expr):
                    self.chains.extend((chain, scope) for scope in scopes)
                self.string_annotation(expr, scopes, depth + 1)

    def bind(
        self, target: ast.expr, kind: str, value: Any, scope: _Scope, function: Optional[_Function],
        klass: Optional[_Class], annotation: Any = None,
    ) -> None:
        if isinstance(target, ast.Name):
            self.binding_scope(target.id, scope).bind(target.id, _Binding(kind, value, scope, annotation))
            return
        if isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.bind(element.value if isinstance(element, ast.Starred) else element, "unknown", None, scope, function, klass)
            return
        if isinstance(target, ast.Starred):
            self.bind(target.value, "unknown", None, scope, function, klass)
            return
        self.visit(target, scope, function, klass)

    def binding_scope(self, name: str, scope: _Scope) -> _Scope:
        if name in scope.global_names:
            return self.module
        if name in scope.nonlocal_names:
            parent = scope.parent
            while parent is not None:
                if parent.kind == "function" and name in parent.bindings:
                    return parent
                parent = parent.parent
        while scope.kind == "comprehension" and scope.parent is not None:
            scope = scope.parent
        return scope



def _reaches_project(
    nodes: list[ast.AST], parents: dict[int, ast.AST], project_names: set[str], on_loop: list[_Function]
) -> bool:
    """Whether a call in a coroutine on the event loop may reach a value imported from (maybe) the project: the
    summary's async_calls need the import path of such a value (python/summary_blocking.py: a callee, a receiver
    built from or annotated with an imported class, a name imported, one attribute deeper), and the model makes
    an import path only from an import binding (ModuleModel `_binding_value`). So: the names bound by those
    imports, then every name or attribute a binding, a parameter, a `return`/`yield` of a function or a class's
    bases may pass their values to (by identifier, any scope: more than the model follows), to a fixed point;
    and any of them written in the callee of a call in such a coroutine. (`nodes`, `parents`: the module's, by
    `_nodes`.)"""
    edges: list[tuple[set[str], set[str]]] = []
    functions: list[ast.AST] = []
    for node in nodes:
        kind = type(node)
        if kind is ast.Assign:
            edges.append((_bound(node.targets), _identifiers(node.value)))  # type: ignore[attr-defined]
        elif kind is ast.AnnAssign or kind is ast.AugAssign:
            sources = _identifiers(node.value) if node.value is not None else set()  # type: ignore[attr-defined]
            if kind is ast.AnnAssign:
                sources |= _identifiers(node.annotation, True)  # type: ignore[attr-defined]
            edges.append((_bound([node.target]), sources))  # type: ignore[attr-defined]
        elif kind is ast.NamedExpr:
            edges.append((_bound([node.target]), _identifiers(node.value)))  # type: ignore[attr-defined]
        elif kind is ast.For or kind is ast.AsyncFor or kind is ast.comprehension:
            edges.append((_bound([node.target]), _identifiers(node.iter)))  # type: ignore[attr-defined]
        elif kind is ast.withitem:
            if node.optional_vars is not None:  # type: ignore[attr-defined]
                edges.append((_bound([node.optional_vars]), _identifiers(node.context_expr)))  # type: ignore[attr-defined]
        elif kind is ast.ExceptHandler:
            if node.name is not None and node.type is not None:  # type: ignore[attr-defined]
                edges.append(({node.name}, _identifiers(node.type)))  # type: ignore[attr-defined]
        elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef or kind is ast.Lambda:
            args = node.args  # type: ignore[attr-defined]
            defaults: set[str] = set()
            for default in [*args.defaults, *args.kw_defaults]:
                if default is not None:
                    defaults |= _identifiers(default)
            for arg in all_params(args):
                sources = _identifiers(arg.annotation, True) if arg.annotation is not None else set()
                edges.append(({arg.arg}, sources | defaults))
            if kind is not ast.Lambda:
                functions.append(node)
        elif kind.__name__ == "TypeAlias":  # `type X = ...` (3.12)
            edges.append((_bound([node.name]), _identifiers(node.value)))  # type: ignore[attr-defined]
        elif kind is ast.ClassDef:
            sources = set()
            for base in [*node.bases, *(k.value for k in node.keywords), *node.decorator_list]:  # type: ignore[attr-defined]
                sources |= _identifiers(base)
            edges.append(({node.name}, sources))  # type: ignore[attr-defined]
    # what a function returns or yields: every `return`/`yield` with a value anywhere below its `def` (nested
    # functions and lambdas included), and its decorators
    returned: dict[int, set[str]] = {id(node): set() for node in functions}
    for node in nodes:
        kind = type(node)
        if (kind is ast.Return or kind is ast.Yield or kind is ast.YieldFrom) and node.value is not None:  # type: ignore[attr-defined]
            found = _identifiers(node.value)  # type: ignore[attr-defined]
            up = parents.get(id(node))
            while up is not None:
                if id(up) in returned:
                    returned[id(up)] |= found
                up = parents.get(id(up))
    for node in functions:
        sources = returned[id(node)]
        for decorator in node.decorator_list:  # type: ignore[attr-defined]
            sources |= _identifiers(decorator)
        edges.append(({node.name}, sources))  # type: ignore[attr-defined]
    tainted = set(project_names)
    changed = True
    while changed:
        changed = False
        for targets, sources in edges:
            if not targets <= tainted and sources & tainted:
                tainted |= targets
                changed = True
    for function in on_loop:
        # its body only: its decorators, defaults and annotations are the enclosing scope's calls in the model
        for statement in function.node.body:  # type: ignore[union-attr]
            for node in _nodes(statement):
                if type(node) is ast.Call and _identifiers(node.func) & tainted and not calls_own_method(node, function):  # type: ignore[attr-defined]
                    return True
    return False


def _identifiers(expr: ast.AST, annotation: bool = False) -> set[str]:
    """Every name and attribute name written in an expression (in an annotation, its strings' too: the model
    parses them)."""
    found: set[str] = set()
    for node in _nodes(expr):
        kind = type(node)
        if kind is ast.Name:
            found.add(node.id)  # type: ignore[attr-defined]
        elif kind is ast.Attribute:
            found.add(node.attr)  # type: ignore[attr-defined]
        elif annotation and kind is ast.Constant and isinstance(node.value, str):  # type: ignore[attr-defined]
            for inner in _expressions_in(node.value):  # type: ignore[attr-defined]
                found |= _identifiers(inner, True)
    return found


def _bound(targets: list[ast.expr]) -> set[str]:
    """What an assignment binds, by identifier: names, attributes (`self.client`), and the names a subscript
    stores into (`registry["a"] = ...`)."""
    return {i for target in targets for i in _identifiers(target)}


# Where a waiter may stand for the model to meet it in the order it is written: the value of a simple statement,
# under `yield`/`await`, as an argument or an item of a list or tuple argument (`when_any([...])`).
_IN_ORDER = (ast.Expr, ast.Assign, ast.AnnAssign, ast.Return, ast.Yield, ast.Await, ast.List, ast.Tuple, ast.keyword)


def _awaited_events(walk: _WalkFacts, tree: ast.Module) -> tuple[WorkflowEvent, ...]:
    """The summary's awaited events of a module importing `dapr` or `dapr_agents` (python/model/workflow_facts.py
    `_call`: any `<receiver>.wait_for_external_event(name)`, its name a string, an import path or unknown, at the
    span of the call), in the order the model meets them: opens for a waiter written where that order or the
    span could differ (inside a condition, a comprehension, a lambda, another call's callee, parentheses of its
    own) or whose name this pass cannot tell as the model does."""
    nodes, parents = walk.index(tree)
    waiters = 0
    for node in nodes:
        if type(node) is ast.Call and type(node.func) is ast.Attribute and node.func.attr == "wait_for_external_event":  # type: ignore[attr-defined]
            waiters += 1
    if waiters != len(walk.waits):
        raise _Open  # (a waiter the walk did not meet: never so far)
    lines, starts = walk.text()
    found: list[tuple[tuple[int, int], WorkflowEvent]] = []
    for call, scope in walk.waits:
        child: ast.AST = call
        parent = parents.get(id(child))
        while not isinstance(parent, ast.stmt):
            if parent is None or not (
                isinstance(parent, _IN_ORDER) or (isinstance(parent, ast.Call) and child is not parent.func)
            ):
                raise _Open
            child, parent = parent, parents.get(id(parent))
        if not isinstance(parent, (ast.Expr, ast.Assign, ast.AnnAssign, ast.Return)) or child is not parent.value:
            raise _Open
        span = _call_span(walk.data[: starts[call.lineno - 1] + call.col_offset], lines, call)
        found.append(((call.lineno, call.col_offset), WorkflowEvent(_event_name(walk, call, scope), span)))
    found.sort(key=lambda item: item[0])
    if len({key for key, _event in found}) != len(found):
        raise _Open
    return tuple(event for _key, event in found)


def _started_agents(walk: _WalkFacts, tree: ast.Module) -> tuple[WorkflowRuntimeStart, ...]:
    """The summary's started DurableAgents (python/model/workflow_facts.py `_start`, `_runner`, `_agent`): `.start()`
    on a name bound once to a DurableAgent construction, or a runner method (`serve`, `run`...) on what an
    AgentRunner construction built given such a name as its agent, the construction passing no `runtime=` (nor
    the `.start()`): one entry under that name, at the span of the call. Opens where the model's reading could
    differ: more than one call whose receiver a construction of those classes may have built (their order and
    dedupe), a call whose span LibCST could place otherwise."""
    found: Optional[tuple[ast.Call, str]] = None
    candidates = 0
    for call, scope in walk.calls:
        func = call.func
        if type(func) is not _ATTRIBUTE:
            continue
        attr = func.attr  # type: ignore[attr-defined]
        if attr == "start":
            classes = DURABLE_AGENTS
        elif attr in _RUNNER_METHODS:
            classes = AGENT_RUNNERS
        else:
            continue
        receiver = func.value  # type: ignore[attr-defined]
        built = [(receiver, scope)]
        if type(receiver) is _NAME:
            built = [(b.value, b.scope) for b in walk.lookup(receiver.id, scope) or ()]
        if not any(type(value) is _CALL and walk.path_of(value.func, where) in classes for value, where in built):
            continue  # no construction of those classes in reach: the model finds none either
        candidates += 1
        if candidates > 1:
            raise _Open
        if _constructed(walk, receiver, scope) not in classes:
            continue
        if attr == "start":
            if any(k.arg == "runtime" for k in call.keywords):
                continue
            agent: Optional[ast.expr] = receiver
        else:
            agent = _argument(call, 0, "agent")
            if agent is None or _constructed(walk, agent, scope) not in DURABLE_AGENTS:
                continue
        if type(agent) is not _NAME:
            continue
        bindings = walk.lookup(agent.id, scope) or []  # type: ignore[attr-defined]
        if len(bindings) != 1 or type(bindings[0].value) is not _CALL:
            continue
        if any(k.arg == "runtime" for k in bindings[0].value.keywords):
            continue
        found = (call, agent.id)  # type: ignore[attr-defined]
    if found is None:
        return ()
    call, key = found
    span = walk.call_span(call)
    return (WorkflowRuntimeStart("DurableAgent", key, None, span, _in_main_guard(call, walk.index(tree)[1], walk.text()[0])),)


def _constructed(walk: _WalkFacts, expr: ast.expr, scope: _Scope) -> Optional[str]:
    """workflow_facts `_constructed`: the class path of what a name bound once (by an assignment) to a construction
    holds, or of a construction itself."""
    call: Any = expr
    if type(expr) is _NAME:
        bindings = walk.lookup(expr.id, scope)  # type: ignore[attr-defined]
        if not bindings or len(bindings) != 1 or bindings[0].kind != "assign":
            return None
        call, scope = bindings[0].value, bindings[0].scope
    if type(call) is not _CALL:
        return None
    return walk.path_of(call.func, scope)


def _in_main_guard(node: ast.AST, parents: dict[int, ast.AST], lines: list[str]) -> bool:
    """python/model/builder.py `in_main_guard`: in the body of an `if __name__ == "__main__":` (model `_is_main_guard`)
    within the same function (a function's or lambda's body starts afresh)."""
    guarded = False
    child, parent = node, parents.get(id(node))
    while parent is not None:
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(child is stmt for stmt in parent.body):
            return guarded
        if isinstance(parent, ast.Lambda) and child is parent.body:
            return guarded
        if isinstance(parent, ast.If) and any(child is stmt for stmt in parent.body) and _is_main_guard(parent.test, lines):
            guarded = True
        child, parent = parent, parents.get(id(parent))
    return guarded


def _is_main_guard(test: ast.expr, lines: list[str]) -> bool:
    """builder `_is_main_guard`: one `==` between `__name__` and the string `"__main__"` written in plain double or
    single quotes (LibCST compares the string's text)."""
    if not isinstance(test, ast.Compare) or len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = (test.left, test.comparators[0])
    if not any(isinstance(side, ast.Name) and side.id == "__name__" for side in sides):
        return False
    for side in sides:
        if isinstance(side, ast.Constant) and side.value == "__main__" and side.lineno == side.end_lineno:
            text = lines[side.lineno - 1].encode("utf-8")[side.col_offset : side.end_col_offset]
            if text in (b'"__main__"', b"'__main__'"):
                return True
    return False


def _event_name(walk: _WalkFacts, call: ast.Call, scope: _Scope) -> StrValue:
    """workflow_facts `_name` of the waiter's `name`: a string, an import path, or None when there is none."""
    expr = _argument(call, 0, "name")
    if expr is None:
        return None
    return _workflows(gate_workflows.event_name, walk, expr, scope)


def _line_starts(lines: list[str]) -> list[int]:
    """The byte offset each line of `_source_lines` starts at (CPython's columns count bytes within the line)."""
    starts = [0]
    for text in lines:
        starts.append(starts[-1] + len(text.encode("utf-8")) + 1)
    return starts


def _call_span(before: bytes, lines: list[str], call: ast.Call) -> Span:
    """The span LibCST's positions give a call written `name.attr...(...)` with no parentheses of its own
    (`before`: the file's bytes up to the call)."""
    root = call.func
    while isinstance(root, ast.Attribute):
        root = root.value
    if not isinstance(root, ast.Name) or call.end_lineno is None or call.end_col_offset is None:
        raise _Open
    line = lines[call.lineno - 1]
    head = line.encode("utf-8")[: call.col_offset].decode("utf-8", "strict")
    if not line.startswith(root.id, len(head)):
        raise _Open  # a parenthesized receiver, or a name CPython normalised (NFKC)
    before = before.rstrip(b" \t\f\r\n\\")
    while True:
        start = before.rfind(b"\n") + 1
        last = before[start:]
        if not last.lstrip(b" \t\f").startswith(b"#") or b"'" in last or b'"' in last:
            break
        # a whole line of comment with no quote: a comment indeed (the lines below it, to the call, are comments
        # too, and no string can end in one), which hides nothing
        before = before[:start].rstrip(b" \t\f\r\n\\")
    if before.endswith(b"(") or b"#" in last:
        raise _Open  # parentheses of its own (they are the call node's in LibCST), or a comment hides what is before
    end = lines[call.end_lineno - 1].encode("utf-8")[: call.end_col_offset].decode("utf-8", "strict")
    return Span(call.lineno, len(head) + 1, call.end_lineno, len(end) + 1)


# Names of NAMES the model compares in one shape only: a class's base (the actor classes: python/model/actors.py
# `bases`, read here by `_base_kind`, which opens on them) or a callee (`ActorId(...)`: rules/actors.py reads its
# argument's type). In an annotation the model types nothing by them (python/model `_instantiate`: not a class of
# the member tables), and `isinstance`, `issubclass` or a call of an actor class tell it nothing either.
_ACTOR_BASES = ACTOR_CLASSES | INTERFACE_CLASSES | REMINDABLE_CLASSES
# dapr-agents' DurableAgent and AgentRunner: the model reads them only as the class that built what `.start()` or a
# runner method (`serve`, `run`...) is called on (python/model/workflow_facts.py `_start`, `_runner`,
# `_constructed`: a DurableAgent starting a runtime of its own). Called, annotated, checked or compared they pass
# nothing on; where such a call's receiver is built by one of them, the walk builds the summary's entry itself
# (`_started_agents`).
_STARTED_BY_CALLS = DURABLE_AGENTS | AGENT_RUNNERS
_READ_IN_ONE_SHAPE = _ACTOR_BASES | ACTOR_ID | _STARTED_BY_CALLS | gate_actors.PROXY_CLASSES


def _member_of_one_shape(path: str) -> bool:
    """A member below a name of `_READ_IN_ONE_SHAPE`, and below or above no other name of NAMES."""
    if path in _PREFIXES or path.split(".", 1)[0] in ANCHOR_ROOTS:
        return False
    parts = path.split(".")
    above = [".".join(parts[:i]) for i in range(1, len(parts)) if ".".join(parts[:i]) in NAMES]
    return bool(above) and all(name in _READ_IN_ONE_SHAPE for name in above)


def _check_shape(walk: _WalkFacts, expr: ast.expr, scope: _Scope, path: str, parents: dict[int, ast.AST]) -> None:
    """Opens unless a name of `_READ_IN_ONE_SHAPE` stands where the model reads nothing by it: in an annotation
    (a name in a string annotation has no parent here: such strings are read as annotations only), as a
    class's base (`_base_kind` decides), a checked type or compared, or called (an actor class; `ActorId` with a
    `str`, or with an argument the rule does not read)."""
    node: ast.AST = expr
    up = parents.get(id(node))
    if up is None:
        return  # a name in a string annotation
    if isinstance(up, ast.ClassDef) and any(node is base for base in up.bases):
        return
    if _type_variable_bound(walk, node, up, scope, parents):
        return
    if isinstance(up, ast.Call) and up.func is node:
        if path in _ACTOR_BASES or path in _STARTED_BY_CALLS or path in gate_actors.PROXY_CLASSES or _str_actor_id(walk, up, scope):
            return
        raise _Open
    if isinstance(up, ast.Tuple) and isinstance(parents.get(id(up)), ast.Call):
        node, up = up, parents[id(up)]
    if (
        isinstance(up, ast.Call) and isinstance(up.func, ast.Name) and up.func.id in ("isinstance", "issubclass")
        and not walk.lookup(up.func.id, scope) and len(up.args) == 2 and up.args[1] is node and not up.keywords
    ):
        return
    if isinstance(up, ast.Compare):
        return  # `cls is Actor`, `ActorInterface in cls.__bases__`: a comparison passes no value on
    while isinstance(up, (ast.Tuple, ast.List, ast.BinOp)):
        node, up = up, parents.get(id(up))
    if (
        isinstance(up, ast.Subscript)  # `Type[Actor]`, `Callable[[ActorInterface], ...]`: the model has no value for it
        or (isinstance(up, ast.arg) and up.annotation is node)
        or (isinstance(up, (ast.FunctionDef, ast.AsyncFunctionDef)) and up.returns is node)
        or (isinstance(up, ast.AnnAssign) and up.annotation is node)
    ):
        return
    raise _Open  # a value that may flow (an alias, an argument, a default)


def _module_handed_to_call(path: str, expr: ast.expr, parents: dict[int, ast.AST]) -> bool:
    """A module or class above names of NAMES (never one of them, nor an anchor's), written bare as an argument of a
    call: the model makes a name of NAMES of such a path only by reading a member of it (`dapr.clients` +
    `.DaprClient`), after the assignments, returns and attributes it follows; none of those takes a call's
    argument (a parameter is typed by its annotation only, and a call's value never comes from its arguments:
    python/model `_call_value`), and no rule compares an argument's path with a name below it."""
    if path in NAMES or path not in _PREFIXES or path.split(".", 1)[0] in ANCHOR_ROOTS:
        return False
    up = parents.get(id(expr))
    return (isinstance(up, ast.Call) and any(expr is a for a in up.args)) or (isinstance(up, ast.keyword) and up.arg is not None)


_TYPE_VARIABLES = frozenset({"typing.TypeVar", "typing_extensions.TypeVar"})


def _type_variable_bound(walk: _WalkFacts, node: ast.AST, up: Optional[ast.AST], scope: _Scope, parents: dict[int, ast.AST]) -> bool:
    """`TypeVar("T", bound=X)` (or a constraint): the model's value of the call is unknown (python/model
    `_instantiate`: typing's TypeVar is no class it types), and no rule reads a TypeVar's arguments."""
    if isinstance(up, ast.keyword) and up.arg == "bound":
        up = parents.get(id(up))
    elif not (isinstance(up, ast.Call) and any(node is a for a in up.args[1:])):
        return False
    return isinstance(up, ast.Call) and walk.path_of(up.func, scope) in _TYPE_VARIABLES


def _str_actor_id(walk: _WalkFacts, call: ast.Call, scope: _Scope) -> bool:
    """`ActorId(x)` where rules/actors.py (`_call_arg`, `_non_str`) finds nothing wrong with `x`: a str literal or
    f-string, a parameter with no annotation (no value in the model), or no argument it reads."""
    for keyword in call.keywords:
        if keyword.arg == "actor_id":
            arg: Optional[ast.expr] = keyword.value
            break
    else:
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            return True
        positional = call.args
        arg = positional[0] if positional else None
    if arg is None or (isinstance(arg, ast.Constant) and isinstance(arg.value, str)) or isinstance(arg, ast.JoinedStr):
        return True
    if isinstance(arg, ast.Name):
        bindings = walk.lookup(arg.id, scope) or []
        if len(bindings) == 1 and bindings[0].kind == "param":
            return gate_actors.str_annotation(walk, bindings[0].annotation, scope)
        return walk.value(arg, scope)[0] == "str"  # a name bound to str literals only
    return False


def _actor_summary(walk: _WalkFacts) -> ActorSummary:
    """The summary's actor facts of a module importing `dapr.actor` or `dapr.ext` (python/model/actors.py
    `actor_summary_draft`): every class named without a dot, its bases as the model names them and its methods
    (their dispatch names read by python/gate_actors.py), at the spans of their names; the calls through a proxy
    (gate_actors). Registrations and hosts come only from names of NAMES or `register_actor` (which open the file)."""
    classes: dict[str, ActorClassFact] = {}
    actors = walk.actors
    dispatch = actors.dispatch if actors is not None else {}
    for klass in walk.classes:
        if "." in klass.qualname:
            continue
        lines = walk.text()[0]
        bases = tuple(_base_kind(walk, base, klass.scope) for base in klass.node.bases)
        methods = tuple(
            ActorMethodFact(name, dispatch.get(id(info), name), info.is_async, bool(info.decorators), _name_span(lines, info.node, name))
            for name, info in klass.methods.items()
        )
        classes[klass.name] = ActorClassFact(klass.name, bases, methods, _name_span(lines, klass.node, klass.name))
    if actors is None:
        return ActorSummary(classes=classes)
    hosts, registrations = _actors(actors.hosts_and_registrations)
    return ActorSummary(
        classes=classes, registrations=registrations, proxy_calls=_actors(actors.proxy_calls, walk.text()[0]),
        hosts=hosts,
    )


def _actors(check: Any, *args: Any) -> Any:
    """A question of python/gate_actors.py, its `Opens` made the gate's `_Open`."""
    try:
        return check(*args)
    except gate_actors.Opens as stop:
        raise _Open from stop  # (benchmarks/ceiling.py names where the cause stopped)


def _workflows(check: Any, *args: Any) -> Any:
    """A question of python/gate_workflows.py, its `Open` (or a Dapr client check's) made the gate's `_Open`."""
    try:
        return check(*args)
    except (gate_workflows.Open, _ClientOpen) as stop:
        raise _Open from stop


def _with_workflow_clients(walk: _WalkFacts, summary: ModuleSummary, uses: gate_workflows.ClientUses) -> ModuleSummary:
    """The summary's workflow targets and raised events of the module's workflow clients: a target at the span
    of its argument (a string, a name or `self.<method>` on one line, with no parentheses of its own), an event
    at the span of its call."""
    if not uses.targets and not uses.raised:
        return summary
    targets = tuple(
        WorkflowTarget(method, "workflow", name, function, remote, _argument_span(walk, call, argument))
        for call, method, name, function, remote, argument in uses.targets
    )
    raised = tuple(WorkflowEvent(name, walk.call_span(call), remote) for call, name, remote in uses.raised)
    return replace(summary, workflows=replace(summary.workflows, targets=targets, raised=raised))


def _argument_span(walk: _WalkFacts, call: ast.Call, argument: ast.expr) -> Span:
    """The span LibCST gives an argument written on one line without parentheses of its own: right after the
    call's `(`, a `,` or a keyword's `=`."""
    if argument.lineno != argument.end_lineno or argument.end_col_offset is None:
        raise _Open
    lines = walk.text()[0]
    line = lines[argument.lineno - 1].encode("utf-8")
    before = line[: argument.col_offset].rstrip(b" \t")
    keyword = any(k.value is argument for k in call.keywords)
    if not (before.endswith(b"=") if keyword else before.endswith((b",", b"("))) or not before.strip():
        raise _Open
    if not keyword and before.endswith(b"(") and call.args and call.args[0] is not argument:
        raise _Open
    if not keyword and before.endswith(b"(") and (call.func.end_lineno != argument.lineno or line[call.func.end_col_offset or 0 : argument.col_offset].strip() != b"("):
        raise _Open  # a parenthesized first argument
    start = len(line[: argument.col_offset].decode("utf-8", "strict"))
    end = len(line[: argument.end_col_offset].decode("utf-8", "strict"))
    return Span(argument.lineno, start + 1, argument.lineno, end + 1)


def _base_kind(walk: _WalkFacts, base: ast.expr, scope: _Scope) -> str:
    """What `ActorModel.bases` says of a base, from its value; opens where the model may know more than this pass."""
    if isinstance(base, (ast.Name, ast.Attribute)):
        value = walk.value(base, scope)
        if value[0] == "ref":
            path = value[1]
            if path in ACTOR_CLASSES:
                return "sdk:actor"
            if path in INTERFACE_CLASSES:
                return "sdk:interface"
            if path in REMINDABLE_CLASSES:
                return "sdk:remindable"
            return "other" if path.split(".", 1)[0] in _ACTOR_BASE_LIBRARIES else f"import:{path}"
        if isinstance(base, ast.Name):
            bindings = walk.lookup(base.id, scope)
            if not bindings:
                return "other" if base.id == "object" else "unknown"
            if len(bindings) == 1 and bindings[0].kind == "class":
                return f"local:{bindings[0].target.qualname}"
            if len(bindings) == 1 and bindings[0].kind == "def":
                return "other" if base.id == "object" else "unknown"
            if all(b.kind == "param" for b in bindings):
                # (`class Mock(MockActor, cls):`) a parameter's value is an instance or unknown, never a class
                return "other" if base.id == "object" else "unknown"
        raise _Open  # a value this pass does not follow (an attribute of a local object, a joined name)
    if isinstance(base, (ast.Subscript, ast.Constant, ast.BinOp)):
        return "unknown"  # the model has no value for these
    raise _Open


_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


def _source_lines(data: bytes) -> list[str]:
    """The file's lines as LibCST counts them (split at "\n"), for UTF-8 files without a BOM or a lone "\r"
    (other files open: their columns need LibCST's own decoding)."""
    if data.startswith(b"\xef\xbb\xbf") or b"\r" in data.replace(b"\r\n", b""):
        raise _Open
    for line in data.split(b"\n", 2)[:2]:
        match = _CODING.match(line)
        if match is not None and match.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
            raise _Open
    try:
        return data.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        raise _Open from None


_DEFINED_NAME = re.compile(r"(?:async[ \t]+)?(?:def|class)[ \t]+([^\W\d]\w*)")


def _name_span(lines: list[str], node: Any, name: str) -> Span:
    """The span of the name a `def` or `class` statement defines (what the summary's positions give its Name
    node: 1-based columns in characters)."""
    line = lines[node.lineno - 1]
    start = len(line.encode("utf-8")[: node.col_offset].decode("utf-8", "strict"))
    match = _DEFINED_NAME.match(line, start)
    if match is None or match.group(1) != name:
        raise _Open  # a continuation line, or a name CPython normalised (NFKC)
    column = match.start(1) + 1
    return Span(node.lineno, column, node.lineno, column + len(name))


def _check_decorator(decorator: ast.expr) -> bool:
    """True for a called decorator with a route verb (the summary's routes); opens on any other shape the model
    reads by its attribute."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    if not isinstance(target, ast.Attribute) or target.attr not in OPENING_DECORATORS:
        return False
    if target.attr in _ROUTE_VERBS:
        return isinstance(decorator, ast.Call)
    raise _Open


# The route decorators python/summary.py records on any receiver it can name: (verb, the methods it implies).
_ROUTE_VERBS = {
    **{verb: (verb.upper(),) for verb in ("get", "post", "put", "delete", "patch", "head", "options")},
    "route": ("GET",), "api_route": (), "trace": (), "websocket": (),
}


def _argument_values(call: ast.Call) -> list[ast.expr]:
    """What LibCST's `Arg.value` gives for each argument, in order (a `*x` or `**x` gives `x`)."""
    values = [a.value if isinstance(a, ast.Starred) else a for a in call.args]
    values.extend(k.value for k in call.keywords)
    return values


def _argument(call: ast.Call, index: Optional[int], keyword: Union[str, tuple[str, ...]]) -> Optional[ast.expr]:
    """python/model's `argument(call, index, keyword)` for a call without star arguments."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        raise _Open
    keywords = (keyword,) if isinstance(keyword, str) else keyword
    for k in call.keywords:
        if k.arg in keywords:
            return k.value
    if index is None:
        return None
    return call.args[index] if index < len(call.args) else None


def _is_str(expr: Optional[ast.expr]) -> bool:
    return isinstance(expr, ast.Constant) and isinstance(expr.value, str)


def _is_literal(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant)


def _name_of(expr: ast.expr) -> Optional[str]:
    """The text of a name as LibCST sees it (`True`, `False` and `None` are names there)."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Constant) and (expr.value is None or expr.value is True or expr.value is False):
        return repr(expr.value)
    return None


def _last_name(expr: ast.expr) -> Optional[str]:
    if isinstance(expr, (ast.Name, ast.Constant)):
        return _name_of(expr)
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return None


def _with_clients(walk: _WalkFacts, summary: ModuleSummary, clients: ClientFacts) -> ModuleSummary:
    """The summary with what the module's Dapr clients give it (python/gate_clients.py): its component uses, at
    the spans of their calls, the blocking entry of each def or method holding a sync client
    (python/summary_blocking.py `_use_snippet`: the callee of its first use as written, and "()" for a
    constructor, "(...)" for a method), and the client
    class each def building one to hand on returns."""
    lines = walk.text()[0]
    defs = dict(summary.defs)
    classes = {name: dict(members) for name, members in summary.classes.items()}

    def entry(key: tuple[Optional[str], str], **changes: Any) -> None:
        klass, name = key
        held = defs if klass is None else classes[klass]
        held[name] = replace(held[name], **changes)

    for key, (callee, suffix) in clients.blocking.items():
        if callee.end_lineno != callee.lineno or callee.end_col_offset is None:
            raise _Open
        text = lines[callee.lineno - 1].encode("utf-8")[callee.col_offset : callee.end_col_offset].decode("utf-8", "strict")
        if text != ast.unparse(callee):
            raise _Open  # spaces, comments or parentheses inside the callee: LibCST's code for it keeps them
        entry(key, blocking=text + suffix)
    for key, returns in clients.returns.items():
        entry(key, returns=returns)
    components = tuple(
        ComponentUse(**use, span=walk.call_span(call))
        for call, use in clients.components
    )
    return replace(summary, components=components, defs=defs, classes=classes)


def _anchored_import(path: str) -> bool:
    """An import that opens the gate by itself: of an anchor package, or of a name of NAMES or below one (a module
    above a name opens it where its names are used: the chains; so does a name read in one shape only, an actor
    name, a value class or a Dapr client class: python/gate_actors.py, gate_values.py and gate_clients.py read
    where they are used)."""
    canonical = known.canonical(path)
    if (
        path.startswith(".") or canonical in _READ_IN_ONE_SHAPE or value_class_named(path)
        or gate_actors.importable(canonical) or canonical in CLIENT_CLASSES or canonical in gate_workflows.CONTEXT_CLASSES
        or canonical in gate_workflows.CLIENT_CLASSES
    ):
        return False
    if path.split(".", 1)[0] in ANCHOR_ROOTS:
        return True
    parts = path.split(".")
    return any(".".join(parts[:i]) in NAMES for i in range(1, len(parts) + 1))


_IDENTIFIERS = re.compile(r"[^\W\d]\w*(?:\s*\.\s*[^\W\d]\w*)*")


def _expressions_in(text: str) -> list[ast.expr]:
    """What LibCST's `parse_expression` may make of a string annotation: its expression, or, when CPython does
    not parse it, every dotted name written in it (more names than the model can read: the gate opens more)."""
    try:
        return [ast.parse(text.strip(), mode="eval").body]
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    found: list[ast.expr] = []
    for match in _IDENTIFIERS.finditer(text):
        try:
            found.append(ast.parse(re.sub(r"\s+", "", match.group(0)), mode="eval").body)
        except (SyntaxError, ValueError):
            continue  # a keyword: not a name
    return found


def _chains(expr: ast.expr) -> list[ast.expr]:
    """The longest names and attribute chains in an expression (`a.b.c`, not `a.b`)."""
    nodes = _nodes(expr)
    inner = {id(node.value) for node in nodes if type(node) is ast.Attribute}  # type: ignore[attr-defined]
    return [node for node in nodes if (type(node) is ast.Name or type(node) is ast.Attribute) and id(node) not in inner]  # type: ignore[misc]


_PREFIXES: frozenset[str] = frozenset(
    name.rsplit(".", i)[0] for name in NAMES for i in range(name.count(".") + 1)
)


def _related(path: str) -> bool:
    """`path` is a name of NAMES, a module or class above one, or a member below one."""
    if path in _PREFIXES or path.split(".", 1)[0] in ANCHOR_ROOTS:
        return True
    if path.startswith("dapr.") and path.endswith(".TopicEventResponse"):
        return True  # any SDK module's TopicEventResponse (rules/service.py)
    parts = path.split(".")
    return any(".".join(parts[:i]) in NAMES for i in range(1, len(parts)))

