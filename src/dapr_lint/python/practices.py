"""Per-module facts for the practice rules (DPR413-DPR416), built from the ModuleModel (no second walk).

What a module sets up (logging, tracing), which means of forwarding trace context it installs, which outgoing
Dapr calls in request and event handlers carry none, what it opens for the life of the process (a started
WorkflowRuntime, a streaming subscription, an async client held in a global or on app state) and what it closes,
and which modules it imports. The summary builder drafts them as dicts with the nodes to position, and
`freeze` turns the draft into `dapr_lint.summaries.PracticeFacts`; the project stage joins them over the
modules of an app (dapr_lint.python.rules.practices).
"""

from __future__ import annotations

import re
from typing import AbstractSet, Any, Optional

import libcst as cst

from dapr_lint.python import known
from dapr_lint.python.model import CallSite, FunctionInfo, Instance, ModuleModel, all_params, argument
from dapr_lint.python.model.clients import client_facts
from dapr_lint.python.model.payloads import payload_facts
from dapr_lint.python.verify import verify_fix
from dapr_lint.summaries import OpenedResource, OutgoingCall, PracticeEntry, PracticeFacts, Span

# -- logging ------------------------------------------------------------------------------------------

LOGGING_SETUP_CALLS = frozenset(
    {
        "logging.basicConfig",
        "logging.config.dictConfig",
        "logging.config.fileConfig",
        "logging.config.listen",
        "structlog.configure",
        "structlog.configure_once",
        "coloredlogs.install",
        "logfire.configure",
        "google.cloud.logging.Client",
        "ecs_logging.StdlibFormatter",
    }
)
# Importing these gives levels and timestamps without any set-up (loguru's default sink, structlog's
# default processors), or only makes sense together with a handler set-up (JSON formatters).
LOGGING_LIBRARIES = (
    "loguru", "structlog", "pythonjsonlogger", "json_log_formatter", "logging.config", "logfire", "aiologger", "picologging",
)

# -- tracing ------------------------------------------------------------------------------------------

TRACING_LIBRARIES = (
    "opentelemetry.sdk",
    "opentelemetry.instrumentation",
    "opentelemetry.exporter",
    "opentelemetry.distro",
    "azure.monitor.opentelemetry",
    "logfire",
    "ddtrace",
    "traceloop",
    "openlit",
    "phoenix.otel",
    "openinference.instrumentation",
    "elasticapm",
    "newrelic",
    "sentry_sdk",
    "dapr_agents.observability",
)
TRACING_SETUP_CALLS = frozenset({"opentelemetry.trace.set_tracer_provider"})

# -- forwarding trace context -------------------------------------------------------------------------

# OpenTelemetry instrumentations that inject `traceparent` into the SDK's outgoing requests: aiohttp is what
# the SDK's HTTP service invocation uses (dapr/clients/http/client.py), gRPC is everything else.
HTTP_FORWARDING_LIBRARIES = ("opentelemetry.instrumentation.aiohttp_client", "opentelemetry.instrumentation.auto_instrumentation")
GRPC_FORWARDING_LIBRARIES = ("opentelemetry.instrumentation.grpc", "opentelemetry.instrumentation.auto_instrumentation")

# Outgoing Dapr calls whose trace the sidecar continues from the caller's context, and the protocol the SDK
# sends them on (its invoke_method goes over HTTP unless DAPR_API_METHOD_INVOCATION_PROTOCOL=grpc).
OUTGOING_METHODS = {
    "invoke_method": "http",
    "invoke_method_async": "http",
    "publish_event": "grpc",
    "publish_events": "grpc",
    "invoke_binding": "grpc",
}
# Handlers that receive a request or an event carrying a trace context.
RECEIVING_HANDLERS = frozenset({"route", "subscription", "grpc_method", "grpc_subscription", "grpc_binding"})
_METADATA_KEYWORDS = ("publish_metadata", "binding_metadata")

# -- graceful shutdown --------------------------------------------------------------------------------

CLOSE_METHODS = frozenset({"close", "aclose", "shutdown", "stop", "__exit__", "__aexit__"})
# Calls that take over closing what they are given.
_CLOSERS = frozenset(
    {
        "atexit.register",
        "contextlib.closing",
        "contextlib.aclosing",
        "weakref.finalize",
    }
)
_CLOSER_METHODS = frozenset({"enter_context", "enter_async_context", "push", "push_async_exit", "callback", "push_async_callback"})

SUBSCRIBE_METHODS = frozenset({"subscribe", "subscribe_with_handler"})

# Names of imported helpers that (by their name) set logging or tracing up somewhere we cannot see: a shared
# bootstrap package. Precision first: such a call counts as the set-up.
_LOGGING_HELPER = re.compile(r"(?i)(log|observab|telemetry|monitor)")
_TRACING_HELPER = re.compile(r"(?i)(trac|otel|opentelemetry|observab|telemetry|instrument|monitor)")
_SETUP_VERB = re.compile(r"(?i)(setup|set_up|configure|config|init|install|enable|bootstrap|start)")


def practice_facts(model: ModuleModel) -> tuple[dict, list[tuple[dict, cst.CSTNode]]]:
    """The facts of one module and the (item, node) pairs whose positions the summary's pass fills in."""
    return _Facts(model).build()


class _Facts:
    def __init__(self, model: ModuleModel) -> None:
        self.m = model
        self.pending: list[tuple[dict, cst.CSTNode]] = []

    def build(self) -> tuple[dict, list[tuple[dict, cst.CSTNode]]]:
        m = self.m
        facts: dict[str, Any] = {
            "imports": self._imports(),
            "logging": any(m.imports_module(lib) for lib in LOGGING_LIBRARIES),
            "tracing": any(m.imports_module(lib) for lib in TRACING_LIBRARIES),
            "forward_http": any(m.imports_module(lib) for lib in HTTP_FORWARDING_LIBRARIES),
            "forward_grpc": any(m.imports_module(lib) for lib in GRPC_FORWARDING_LIBRARIES),
            "outgoing": [],
            "opened": [],
            "closed": sorted(self._closed_names()),
            "entries": [],
        }
        for site in m.calls:
            self._call(site, facts)
        if not facts["logging"] and m.imports_module("flask"):
            facts["logging"] = self._uses_flask_logger()
        self._outgoing(facts)
        return facts, self.pending

    def _uses_flask_logger(self) -> bool:
        """`app.logger` on a Flask app: Flask gives that logger its own handler (time, level, module) when
        nothing else handles it, so its records are printed with a level and a time."""
        for site in self.m.attributes:
            if site.node.attr.value != "logger":
                continue
            value = self.m.value_of(site.node.value, site.scope)
            if isinstance(value, Instance) and value.path == known.FLASK_APP:
                return True
        return False

    def _imports(self) -> list[str]:
        found: set[str] = set()
        for site in self.m.imports:
            found.add(site.module)
            for name in site.names:
                found.add(f"{site.module}.{name}" if not site.module.endswith(".") else f"{site.module}{name}")
        return sorted(found)

    def _call(self, site: CallSite, facts: dict) -> None:
        m = self.m
        path = self.m.callee_path(site.node, site.scope)
        call = site.node
        if path is not None:
            if path in LOGGING_SETUP_CALLS or (path == "uvicorn.run" and argument(call, None, "log_config") is not None):
                facts["logging"] = True
            if path in TRACING_SETUP_CALLS:
                facts["tracing"] = True
            if not path.startswith(("logging.", "builtins.")):
                last = path.rsplit(".", 1)[-1]
                if _SETUP_VERB.search(last):
                    if _LOGGING_HELPER.search(last):
                        facts["logging"] = True
                    if _TRACING_HELPER.search(last):
                        facts["tracing"] = True
            kind = known.CLIENTS.get(path)
            if kind is not None and kind.family == "dapr":
                if argument(call, 1, "headers_callback") is not None:
                    facts["forward_http"] = True
                if argument(call, 2, "interceptors") is not None:
                    facts["forward_grpc"] = True
            if path in (known.FASTAPI_APP, known.FLASK_APP, known.GRPC_APP):
                self._entry(site, facts, {known.FASTAPI_APP: "FastAPI", known.FLASK_APP: "Flask", known.GRPC_APP: "gRPC App"}[path])
        func = call.func
        if isinstance(func, cst.Attribute):
            attr = func.attr.value
            # `logging.getLogger(...).addHandler(h)`, `root.addHandler(h)`: some logger gets a handler
            if attr == "addHandler":
                facts["logging"] = True
            receiver = m.value_of(func.value, site.scope)
            if attr == "start" and isinstance(receiver, Instance) and receiver.path == known.WORKFLOW_RUNTIME:
                name = _last_name(func.value)
                if name is not None:
                    self._opened(site, facts, "workflow-runtime", name)
                    self._entry(site, facts, "WorkflowRuntime", name)
            elif attr in SUBSCRIBE_METHODS:
                client = client_facts(m).client_of(func.value, site.scope)
                if client is not None and client.family == "dapr":
                    self._subscription(site, facts, attr, client)
        kind = client_facts(m).constructed_client(site)
        if kind is not None and kind.is_async and kind.family == "dapr":
            self._held_async_client(site, facts)

    def _entry(self, site: CallSite, facts: dict, kind: str, name: Optional[str] = None) -> None:
        if site.function is not None and not site.in_main_guard and kind != "WorkflowRuntime":
            return  # an app built inside a function (a factory) is an entry too, but keep to the plain shapes
        item = {"kind": kind, "name": name or _target_name(site) or kind}
        # the web or gRPC app names the app; a runtime it starts belongs to it
        if kind == "WorkflowRuntime":
            facts["entries"].append(item)
        else:
            facts["entries"].insert(sum(1 for e in facts["entries"] if e["kind"] != "WorkflowRuntime"), item)
        self.pending.append((item, site.node))

    def _opened(self, site: CallSite, facts: dict, kind: str, name: str) -> None:
        item = {"kind": kind, "name": name, "fix": self._close_statement(site, kind)}
        facts["opened"].append(item)
        self.pending.append((item, site.node))

    def _subscription(self, site: CallSite, facts: dict, method: str, client: known.ClientKind) -> None:
        """`client.subscribe(...)` returns a Subscription to close; `subscribe_with_handler(...)` returns the
        function that closes it. Either discarded, or held under a name nothing closes, is left open."""
        call = site.node
        if site.context in ("return", "arg", "yield"):
            return  # handed to someone else
        name = _target_name(site)
        if site.context == "assign" and name is None:
            target = site.target
            if target and target[0] == "attribute" and target[1]:
                name = target[1].rsplit(".", 1)[-1]
            else:
                return
        if site.context not in ("assign", "stmt", "await"):
            return
        if site.context == "await":
            # `close = await client.subscribe_with_handler(...)` is an assignment the model records as await
            statement = site.statement
            name = None
            if statement is not None and isinstance(statement.body[0], (cst.Assign, cst.AnnAssign)):
                body = statement.body[0]
                target = body.targets[0].target if isinstance(body, cst.Assign) else body.target
                name = _last_name(target)
            if name is None:
                if statement is not None and isinstance(statement.body[0], cst.Expr):
                    name = ""  # discarded
                else:
                    return
        del call
        self._opened(site, facts, "subscription", name or "")

    def _held_async_client(self, site: CallSite, facts: dict) -> None:
        """An async DaprClient held for the life of the process: assigned at module level, to a `global`, or
        to an attribute (`app.state.dapr = DaprClient()`). One built and dropped inside a function is
        DPR105's."""
        if site.context != "assign" or not site.target:
            return
        kind, dotted = site.target
        if kind == "name" and dotted:
            if site.function is not None and dotted not in site.scope.global_names:
                return
            name = dotted
        elif kind == "attribute" and dotted:
            if dotted.startswith("self."):
                return  # an object's own client: its owner's lifetime, not the process's
            name = dotted.rsplit(".", 1)[-1]
        else:
            return
        self._opened(site, facts, "async-client", name)

    # -- DPR416's fix: close it at the end of the app's lifespan ------------------------------------------

    def _lifespan(self) -> Optional[FunctionInfo]:
        """The module's FastAPI lifespan when its shape lets a close be appended safely: a module-level
        `@asynccontextmanager async def` given as `lifespan=` to the module's one `FastAPI()`, whose body
        holds its `yield` as a statement of its own (or in a `try` with a `finally`)."""
        if "lifespan" in self.__dict__:
            return self.__dict__["lifespan"]
        found: Optional[FunctionInfo] = None
        apps = [site for site in self.m.calls if self.m.callee_path(site.node, site.scope) == known.FASTAPI_APP]
        if len(apps) == 1:
            value = argument(apps[0].node, None, "lifespan")
            ref = self.m.value_of(value, apps[0].scope) if isinstance(value, cst.Name) else None
            info = getattr(ref, "info", None)
            if (
                isinstance(info, FunctionInfo)
                and info.is_async
                and info.parent_function is None
                and info.klass is None
                and self.m.decorated_with(info, "contextlib.asynccontextmanager")
                and isinstance(info.node, cst.FunctionDef)
                and _yield_anchor(info.node) is not None
            ):
                found = info
        self.__dict__["lifespan"] = found
        return found

    def _close_statement(self, site: CallSite, kind: str) -> str:
        """The statement that closes what `site` opens, when the module's lifespan can run it: a runtime or
        client held in a module-level name (`wfr.shutdown()`, `await client.close()`), or a client the lifespan
        puts on its app's state (`await app.state.dapr.close()`)."""
        lifespan = self._lifespan()
        if lifespan is None or kind == "subscription":
            return ""
        call = site.node
        if kind == "workflow-runtime":
            receiver = call.func.value if isinstance(call.func, cst.Attribute) else None
            if isinstance(receiver, cst.Name) and self._module_name(receiver.value, lifespan):
                return f"{receiver.value}.shutdown()"
            return ""
        target = site.target
        if not target:
            return ""
        if target[0] == "name" and target[1] and site.function is None and self._module_name(target[1], lifespan):
            return f"await {target[1]}.close()"
        if target[0] == "attribute" and target[1] and site.function is lifespan:
            params = [p.name.value for p in all_params(lifespan.node.params)]
            if params and target[1].split(".", 1)[0] == params[0] and ".state." in f".{target[1]}":
                return f"await {target[1]}.close()"
        return ""

    def _module_name(self, name: str, lifespan: FunctionInfo) -> bool:
        """`name` means the same module-level binding inside the lifespan."""
        bindings = self.m.lookup(name, lifespan.scope)
        return bool(bindings) and bindings is self.m.module_scope.bindings.get(name)

    def _closed_names(self) -> set[str]:
        """Names whose close is reached anywhere in the module: `x.close()` / `x.shutdown` referenced (called or
        handed to atexit, a signal handler, a finally), a subscription's close function called or handed on,
        `x` given to a closer (`atexit.register(x.close)`, `closing(x)`, `stack.enter_async_context(x)`)."""
        m = self.m
        names: set[str] = set()
        for site in m.attributes:
            node = site.node
            if node.attr.value in CLOSE_METHODS:
                name = _last_name(node.value)
                if name is not None:
                    names.add(name)
        for site in m.calls:
            func = site.node.func
            if isinstance(func, cst.Name):
                names.add(func.value)  # `close_subscription()`
            path = self.m.callee_path(site.node, site.scope)
            closer = path in _CLOSERS or (isinstance(func, cst.Attribute) and func.attr.value in _CLOSER_METHODS)
            if closer:
                for arg in site.node.args:
                    name = _last_name(arg.value)
                    if name is not None:
                        names.add(name)
        for item in m.with_items:
            name = _last_name(item.node.item)
            if name is not None:
                names.add(name)
        # a close function handed on by name (`atexit.register(close_sub)`, `on_shutdown=[close]`)
        for site in m.calls:
            for arg in site.node.args:
                value = arg.value
                if isinstance(value, cst.Name):
                    names.add(value.value)
                elif isinstance(value, (cst.List, cst.Tuple)):
                    for element in value.elements:
                        if isinstance(element.value, cst.Name):
                            names.add(element.value.value)
        return names

    def _outgoing(self, facts: dict) -> None:
        m = self.m
        for info in m.functions:
            handlers = [h for h in info.handlers if h.kind in RECEIVING_HANDLERS]
            if not handlers:
                continue
            for site in info.calls:
                method = client_facts(m).client_method_call(site)
                if method is None or method[0].family != "dapr":
                    continue
                protocol = OUTGOING_METHODS.get(method[1])
                if protocol is None or _forwards_per_call(m, site):
                    continue
                fixable = protocol == "http" and self._trace_headers_constructor(site) is not None
                item: dict[str, Any] = {"method": method[1], "protocol": protocol, "handler": info.qualname, "fixable": fixable}
                facts["outgoing"].append(item)
                self.pending.append((item, site.node))

    def _trace_headers_constructor(self, site: CallSite) -> Optional[cst.Call]:
        """DPR413's fix: the `DaprClient(...)` call an `invoke_method` receiver was built by in this module (a
        `with DaprClient() as client`, or one assignment), when it has no `headers_callback` yet and the module
        imports OpenTelemetry (so the callback's import works)."""
        m = self.m
        if not m.imports_module("opentelemetry"):
            return None
        func = site.node.func
        if not isinstance(func, cst.Attribute) or not isinstance(func.value, cst.Name):
            return None
        bindings = m.lookup(func.value.value, site.scope)
        if not bindings or len(bindings) != 1 or bindings[0].kind not in ("assign", "with", "async_with"):
            return None
        call = bindings[0].value
        if not isinstance(call, cst.Call) or m.callee_path(call, bindings[0].scope) not in (known.SYNC_DAPR_CLIENT, known.AIO_DAPR_CLIENT):
            return None
        if argument(call, 1, "headers_callback") is not None or any(arg.star for arg in call.args):
            return None
        return call


def _forwards_per_call(m: ModuleModel, site: CallSite) -> bool:
    """Whether the call itself may carry trace context: any `metadata=` (gRPC call metadata, or HTTP headers for
    invoke_method over HTTP), or Dapr metadata that is not a literal or names a trace field
    (`cloudevent.traceparent`)."""
    call = site.node
    if any(arg.star for arg in call.args):
        return True
    if argument(call, None, "metadata") is not None:
        return True
    for keyword in _METADATA_KEYWORDS:
        value = argument(call, None, keyword)
        if value is None:
            continue
        literal = payload_facts(m).dict_literal_of(value, site.scope)
        if literal is None:
            return True
        for element in literal[0].elements:
            if not isinstance(element, cst.DictElement):
                return True
            key = m.value_of(element.key, literal[1])
            text = getattr(key, "value", None)
            if not isinstance(text, str) or "trace" in text.lower():
                return True
    return False


def _last_name(expr: cst.BaseExpression) -> Optional[str]:
    """`wfr` -> "wfr", `app.state.dapr` -> "dapr", `self.runtime` -> "runtime"; None for anything else."""
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    if isinstance(expr, cst.Call):
        return None
    return None


def _target_name(site: CallSite) -> Optional[str]:
    if site.context == "assign" and site.target and site.target[0] == "name":
        return site.target[1]
    return None


# -- modules that are not modelled ------------------------------------------------------------------------

_TEXT_IMPORT = re.compile(rb"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+([\w, \t]+)|import[ \t]+([\w., \t]+))", re.M)
_TEXT_LOGGING = re.compile(
    rb"\b(?:basicConfig|dictConfig|fileConfig|addHandler|structlog|loguru|coloredlogs|pythonjsonlogger|logfire|aiologger)\b"
)
_TEXT_TRACING = re.compile(
    rb"\b(?:TracerProvider|set_tracer_provider|configure_azure_monitor|opentelemetry\.sdk|opentelemetry\.instrumentation|"
    rb"opentelemetry\.exporter|ddtrace|logfire|traceloop|openlit|sentry_sdk|elasticapm|newrelic)\b"
)
_TEXT_FORWARD_HTTP = re.compile(rb"AioHttpClientInstrumentor|headers_callback|auto_instrumentation")
_TEXT_FORWARD_GRPC = re.compile(rb"GrpcInstrumentorClient|GrpcAioInstrumentorClient|interceptors|auto_instrumentation")


def text_facts(data: bytes) -> PracticeFacts:
    """The same facts, read from the text of a module that is not modelled (it names no Dapr or web
    framework): a shared bootstrap module that sets logging and tracing up. It opens and serves nothing."""
    imports: set[str] = set()
    for match in _TEXT_IMPORT.finditer(data):
        if match.group(1):
            module = match.group(1).decode("ascii", "replace")
            imports.add(module)
            for name in match.group(2).decode("ascii", "replace").split(","):
                name = name.strip().split(" ")[0]
                if name:
                    imports.add(f"{module}.{name}")
        else:
            for name in match.group(3).decode("ascii", "replace").split(","):
                name = name.strip().split(" ")[0]
                if name:
                    imports.add(name)
    return PracticeFacts(
        imports=tuple(sorted(imports)),
        logging=bool(_TEXT_LOGGING.search(data)),
        tracing=bool(_TEXT_TRACING.search(data)),
        forward_http=bool(_TEXT_FORWARD_HTTP.search(data)),
        forward_grpc=bool(_TEXT_FORWARD_GRPC.search(data)),
    )


def freeze(draft: dict) -> PracticeFacts:
    """The typed facts of a draft whose items have their `span` filled in."""

    def span(item: dict) -> Span:
        return item.get("span", Span())

    return PracticeFacts(
        imports=tuple(draft["imports"]),
        logging=draft["logging"],
        tracing=draft["tracing"],
        forward_http=draft["forward_http"],
        forward_grpc=draft["forward_grpc"],
        outgoing=tuple(
            OutgoingCall(i["method"], i["protocol"], i["handler"], span(i), i.get("fixable", False)) for i in draft["outgoing"]
        ),
        opened=tuple(OpenedResource(i["kind"], i["name"], span(i), i.get("fix", "")) for i in draft["opened"]),
        closed=tuple(draft["closed"]),
        entries=tuple(PracticeEntry(i["kind"], i["name"], span(i)) for i in draft["entries"]),
    )




# -- DPR416's fix ---------------------------------------------------------------------------------------


def _yield_anchor(function: cst.FunctionDef) -> Optional[cst.BaseSuite]:
    """The suite a close goes at the end of: the function's own body when its `yield` is a statement of it,
    the `finally` of a top-level `try` whose body holds the `yield` statement; None for other shapes."""
    body = function.body
    if not isinstance(body, cst.IndentedBlock):
        return None
    for statement in body.body:
        if _is_yield_statement(statement):
            return body
        if isinstance(statement, cst.Try) and statement.finalbody is not None:
            if any(_is_yield_statement(inner) for inner in statement.body.body):
                return statement.finalbody.body
    return None


def _is_yield_statement(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.Yield)
    )


def _parsed(data: bytes) -> Optional[tuple[cst.Module, ModuleModel]]:
    """The module and its model, for a fix that edits the file's text; None when it does not parse."""
    try:
        module = cst.parse_module(data)
        return module, ModuleModel.build(module)
    except Exception:
        return None


def close_in_lifespan(data: bytes, lines: AbstractSet[int]) -> Optional[bytes]:
    """DPR416's fix: append the statements that close what the findings on `lines` opened at the end of the
    module's lifespan (after its `yield`, or in its `finally`), last opened first closed. None when nothing
    applies or the result does not parse."""
    from dapr_lint.python.positions import positions

    parsed = _parsed(data)
    if parsed is None:
        return None
    module, model = parsed
    builder = _Facts(model)
    facts, pending = builder.build()
    lifespan = builder._lifespan()
    if lifespan is None:
        return None
    spans = positions(module, [node for _item, node in pending])
    wanted = []
    for item, node in pending:
        if any(item is opened for opened in facts["opened"]) and item.get("fix") and spans.get(id(node), (0,))[0] in lines:
            wanted.append(item["fix"])
    if not wanted:
        return None
    statements = [cst.parse_statement(code + "\n") for code in dict.fromkeys(reversed(wanted))]
    anchor = _yield_anchor(lifespan.node) if isinstance(lifespan.node, cst.FunctionDef) else None
    if anchor is None:
        return None

    class _Append(cst.CSTTransformer):
        def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
            if original is anchor:
                return updated.with_changes(body=[*updated.body, *statements])
            return updated

    fixed = module.visit(_Append()).bytes
    return fixed if verify_fix(data, fixed) is None else None


# -- DPR413's fix ---------------------------------------------------------------------------------------

TRACE_HEADERS_FUNCTION = "_dapr_trace_headers"
_TRACE_HEADERS_CODE = f"""

def {TRACE_HEADERS_FUNCTION}() -> dict:
    \"\"\"The current W3C trace context (traceparent, tracestate), for Dapr's HTTP service invocation.\"\"\"
    carrier: dict = {{}}
    propagate.inject(carrier)
    return carrier
"""


def forward_trace_headers(data: bytes, lines: AbstractSet[int]) -> Optional[bytes]:
    """DPR413's fix (unsafe): give the clients of the `invoke_method` calls on `lines` a `headers_callback` that
    injects the current OpenTelemetry context, with the helper and its import added to the module."""
    from dapr_lint.python.positions import positions

    parsed = _parsed(data)
    if parsed is None:
        return None
    module, model = parsed
    builder = _Facts(model)
    sites = [site for site in model.calls if isinstance(site.node.func, cst.Attribute)]
    spans = positions(module, [site.node for site in sites])
    constructors: dict[int, cst.Call] = {}
    for site in sites:
        if spans.get(id(site.node), (0,))[0] not in lines:
            continue
        method = client_facts(model).client_method_call(site)
        if method is None or OUTGOING_METHODS.get(method[1]) != "http":
            continue
        call = builder._trace_headers_constructor(site)
        if call is not None:
            constructors[id(call)] = call
    if not constructors:
        return None
    defined = TRACE_HEADERS_FUNCTION in model.module_scope.bindings
    has_propagate = model.module_scope.bindings.get("propagate")

    class _Forward(cst.CSTTransformer):
        def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
            if id(original) not in constructors:
                return updated
            argument_ = cst.Arg(
                keyword=cst.Name("headers_callback"),
                value=cst.Name(TRACE_HEADERS_FUNCTION),
                equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
            )
            args = list(updated.args)
            if args:
                args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            return updated.with_changes(args=[*args, argument_])

    fixed = module.visit(_Forward())
    body: list = list(fixed.body)
    last_import = max(
        (i for i, statement in enumerate(body) if isinstance(statement, cst.SimpleStatementLine)
         and all(isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body)),
        default=-1,
    )
    added: list = []
    if not has_propagate:
        added.append(cst.parse_statement("from opentelemetry import propagate\n"))
    if not defined:
        helper = cst.parse_statement(_TRACE_HEADERS_CODE.lstrip("\n"))
        two = [cst.EmptyLine(), cst.EmptyLine()]
        added.append(helper.with_changes(leading_lines=two))
        following = last_import + 1
        if following < len(body):
            statement = body[following]
            blank = 0
            for line in statement.leading_lines:
                if line.comment is not None:
                    break
                blank += 1
            if blank < 2:
                body[following] = statement.with_changes(leading_lines=[*([cst.EmptyLine()] * (2 - blank)), *statement.leading_lines])
    if has_propagate is not None and (len(has_propagate) != 1 or has_propagate[0].kind != "import" or has_propagate[0].target != "opentelemetry.propagate"):
        return None  # `propagate` means something else here
    body[last_import + 1 : last_import + 1] = added
    result = fixed.with_changes(body=body).bytes
    return result if verify_fix(data, result) is None else None
