"""The multi-app run template (`dapr.yaml`, read by `dapr run -f` with yaml.v2): schema and rule DPR512."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Iterator, Optional

from yaml.nodes import Node

from dapr_lint.diagnostics import Finding
from dapr_lint.registry import Reporter, RuleSpec, check, invalid, page, register, valid
from dapr_lint.resources.findings import Judges, ResourceDocument, judged
from dapr_lint.resources.nodes import MappingView, int_value, is_null, is_sequence, sequence_items, text
from dapr_lint.resources.schema import Field, Schema

_LOG_DESTINATIONS = ("file", "console", "fileAndConsole")

# Keys allowed under `common` and in each app (an app's value overrides common's).
SHARED_RUN_CONFIG: tuple[Field, ...] = (
    Field("configFilePath", "str"),
    Field("appProtocol", "str", allowed=("http", "https", "grpc", "grpcs", "h2c")),
    Field("apiListenAddresses", "str"),
    Field("enableProfiling", "bool"),
    Field("logLevel", "str"),
    Field("appMaxConcurrency", "int"),
    Field("placementHostAddress", "str"),
    Field("schedulerHostAddress", "str"),
    Field("resourcesPath", "str"),
    Field("resourcesPaths", "list", items=Field("", "str")),
    Field("componentspath", "str"),
    Field("appSSL", "bool"),
    Field("maxBodySize", "str"),
    Field("readBufferSize", "str"),
    Field("enableAppHealthCheck", "bool"),
    Field("appHealthCheckPath", "str"),
    Field("appHealthProbeInterval", "int"),
    Field("appHealthProbeTimeout", "int"),
    Field("appHealthThreshold", "int"),
    Field("enableApiLogging", "bool"),
    Field("runtimePath", "str"),
    Field("env", "map"),
    Field("daprdLogDestination", "str", allowed=_LOG_DESTINATIONS),
    Field("appLogDestination", "str", allowed=_LOG_DESTINATIONS),
)

PORT_KEYS: tuple[str, ...] = ("appPort", "daprHTTPPort", "daprGRPCPort", "metricsPort", "profilePort", "daprInternalGRPCPort")

APP_ONLY: tuple[Field, ...] = (
    Field("appDirPath", "str", required=True),
    Field("appID", "str"),
    Field("command", "list", items=Field("", "str")),
    *(Field(key, "int") for key in PORT_KEYS),
    Field("appChannelAddress", "str"),
    Field("unixDomainSocket", "str"),
    Field("containerImage", "str"),
    Field("containerImagePullPolicy", "str", allowed=("Always", "Never", "IfNotPresent")),
    Field("createService", "bool"),
)

_KNOWN_MISTAKES = {
    "appId": "`appId` is ignored: the key is `appID`",
    "app_id": "`app_id` is ignored: the key is `appID`",
    "configFile": "`configFile` is ignored: the key is `configFilePath`",
    "daprHTTPMaxRequestSize": "`daprHTTPMaxRequestSize` is ignored by `dapr run -f`: use `maxBodySize` (e.g. `4Mi`)",
    "daprHTTPReadBufferSize": "`daprHTTPReadBufferSize` is ignored by `dapr run -f`: use `readBufferSize` (e.g. `4Ki`)",
    "componentsPath": "`componentsPath` is ignored (only the lower-case `componentspath` is read): use `resourcesPaths`",
}

APP_SCHEMA = Schema(APP_ONLY + SHARED_RUN_CONFIG, unknown_keys="suggest", hints=_KNOWN_MISTAKES)
COMMON_SCHEMA = Schema(
    SHARED_RUN_CONFIG,
    unknown_keys="suggest",
    hints={
        **_KNOWN_MISTAKES,
        **{
            f.name: f"`{f.name}` is ignored under `common`: set it on each app"
            for f in APP_ONLY
        },
    },
)
RUN_TEMPLATE_SCHEMA = Schema(
    (
        Field("version", "int", required=True),
        Field("name", "str"),
        Field("common", "object", fields=COMMON_SCHEMA),
        Field("apps", "list", required=True, items=Field("", "object", fields=APP_SCHEMA)),
    ),
    unknown_keys="suggest",
)


def is_run_template(root: MappingView) -> bool:
    """A `dapr run -f` template: no apiVersion/kind (nor compose `services`), an `apps` list, and `version` or
    apps with `appDirPath`."""
    if not root or "apiVersion" in root or "kind" in root or "services" in root:
        return False
    apps = root.get("apps")
    if not is_sequence(apps) and not (is_null(apps) and "version" in root):
        return False
    if "version" in root:
        return True
    return any("appDirPath" in MappingView(app) for app in sequence_items(root.get("apps")))


def check_run_template(judges: Judges, root: MappingView) -> None:
    """What the run template's own rule says beyond its schema (`judges.kind`)."""
    judge = judges.kind
    if not judge:
        return
    version_node = root.get("version")
    if version_node is not None and int_value(version_node) == 0:
        judge(version_node, "`version` must be non-zero (use 1): `dapr run -f` refuses the file")
    apps_key = root.key("apps")
    apps = [MappingView(n) for n in sequence_items(root.get("apps"))]
    if apps_key is not None and not apps and (is_null(root.get("apps")) or sequence_items(root.get("apps")) == []):
        judge(apps_key, "`apps` is empty: `dapr run -f` exits with \"No apps to run\"")
    app_ids: dict[str, Node] = {}
    for app in apps:
        if not app:
            continue
        app_id, anchor = _app_id(app)
        if app_id and anchor is not None and not judges.is_placeholder(anchor):
            if app_id in app_ids:
                judge(anchor, f"app ID `{app_id}` is used by two apps in this template")
            else:
                app_ids[app_id] = anchor
    for clash in port_clashes(apps):
        if clash.first_app is None:  # an appPort two apps name: the project stage judges it (shared_app_ports)
            judge(clash.node, clash.message)


def _app_id(app: MappingView) -> tuple[Optional[str], Optional[Node]]:
    """The app's ID as `dapr run -f` takes it (`appID`, else the last part of `appDirPath`) and the node saying it."""
    app_id_node = app.get("appID")
    app_id = text(app_id_node)
    if app_id is None:
        directory = text(app.get("appDirPath"))
        if directory:
            return posixpath.basename(directory.replace("\\", "/").rstrip("/")), app.get("appDirPath")
    return app_id, app_id_node


@dataclass(frozen=True)
class PortClash:
    """A port of an app that an earlier app of the template names too. `first_app`: the earlier app, when both
    name it as `appPort`: an app with no server of its own binds no appPort (it may name its server's), so that
    clash is a defect only when both apps run a server, which the project stage tells from the apps' code."""

    app: MappingView
    node: Node
    port: int
    owner: str  # "`appPort` of app `orders`"
    first_app: Optional[MappingView]

    @property
    def message(self) -> str:
        return f"port {self.port} is also {self.owner}: the apps cannot both bind it"


def port_clashes(apps: list[MappingView]) -> list[PortClash]:
    """Each port (`appPort`, the sidecar's ports) an app of the template names after an earlier app named it."""
    ports: dict[int, str] = {}
    port_apps: dict[int, MappingView] = {}
    clashes = []
    for app in apps:
        if not app:
            continue
        app_id, _ = _app_id(app)
        for key in PORT_KEYS:
            port_node = app.get(key)
            port = int_value(port_node)
            if port_node is None or port is None or port <= 0:
                continue
            if port in ports:
                first = port_apps.get(port) if key == "appPort" else None
                clashes.append(PortClash(app, port_node, port, ports[port], first))
            else:
                ports[port] = f"`{key}` of app `{app_id}`"
                if key == "appPort":
                    port_apps[port] = app
    return clashes


# -- the rules this module checks (spec and the examples its page shows) ------------------------------

DPR512 = register(
    RuleSpec(
        code="DPR512",
        name="invalid-run-template",
        category="bug",
        summary=(
            "A dapr.yaml run template with missing or mistyped fields, unknown keys, or duplicate app IDs or "
            "ports."
        ),
        target="yaml",
        # two apps sharing an appPort clash only when both serve: the project stage tells from the apps' code
        across_modules=True,
        prose=page(
            (
                "What it does",
                """
                Checks `dapr run -f` templates (recognised by shape): `version` missing or 0, no apps, apps without `appDirPath`, strings where lists are required (`command`, `resourcesPaths`), invalid `appProtocol`, log destinations and pull policies, unknown or miscased keys (`appId`, `configFile`, `daprHTTPMaxRequestSize`), app-only keys under `common`, and duplicate app IDs or ports. An app with no server of its own may name the `appPort` of the server app it calls,
                so a shared `appPort` is reported only when both apps are known to run a server: a Python module of the app (the
                modules under its `appDirPath` and those they import; of two apps sharing one folder, each its command's module
                and what it imports) builds a FastAPI, Flask or Starlette app or a Dapr gRPC `App`, or serves on a literal port
                (`uvicorn.run(app, port=8000)`). This part is judged with the whole repository's code, whatever files the run is
                given. An app in another language (Java, .NET, JavaScript, Go), or whose folder is not there, is not known to
                bind the port and is not judged. The files are read, never run. The sidecar ports (`daprHTTPPort`, `daprGRPCPort`, ...) are bound by
                daprd: any duplicate is reported.
                """,
            ),
            (
                "Why is this bad?",
                """
                The CLI ignores unknown keys silently, fails on wrong collection types, and does not check that two apps share an app ID or a port.
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
                - [Multi-app run template](https://docs.dapr.io/developing-applications/local-development/multi-app-dapr-run/multi-app-template/)
                """,
            ),
        ),
        examples=(
            invalid(
                """
                version: 1
                apps:
                  - appId: orders
                    appDirPath: ./orders
                    command: python3 app.py
                """,
                "yaml",
            ),
            valid(
                """
                version: 1
                apps:
                  - appID: orders
                    appDirPath: ./orders
                    command: ["python3", "app.py"]
                """,
                "yaml",
            ),
        ),
    )
)


# -- the check: what the walks over a document found for this rule, through its bound report -----------------


@check(DPR512.code, "yaml")
def check_dpr512(document: ResourceDocument, report: Reporter) -> Iterator[Finding]:
    """Run template errors, as its walk and its schema found them (two apps serving one appPort: the project stage)."""
    yield from judged(document, report)
