"""The multi-app run template (`dapr.yaml`, read by `dapr run -f` with yaml.v2): schema and rule DPR512."""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import Optional

from yaml.nodes import Node

from dapr_lint.app_folders import runs_server
from dapr_lint.roots import repository_root
from dapr_lint.registry import RuleSpec, invalid, register, valid
from dapr_lint.resources.findings import FindingSink
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


def check_run_template(sink: FindingSink, root: MappingView) -> None:
    version_node = root.get("version")
    if version_node is not None and int_value(version_node) == 0:
        sink.report("DPR512", version_node, "`version` must be non-zero (use 1): `dapr run -f` refuses the file")
    apps_key = root.key("apps")
    apps = [MappingView(n) for n in sequence_items(root.get("apps"))]
    if apps_key is not None and not apps and (is_null(root.get("apps")) or sequence_items(root.get("apps")) == []):
        sink.report("DPR512", apps_key, "`apps` is empty: `dapr run -f` exits with \"No apps to run\"")
    app_ids: dict[str, Node] = {}
    ports: dict[int, str] = {}
    port_apps: dict[int, MappingView] = {}
    for app in apps:
        if not app:
            continue
        app_id_node = app.get("appID")
        app_id = text(app_id_node)
        anchor = app_id_node
        if app_id is None:
            directory = text(app.get("appDirPath"))
            if directory:
                app_id = posixpath.basename(directory.replace("\\", "/").rstrip("/"))
                anchor = app.get("appDirPath")
        if app_id and anchor is not None and not sink.is_placeholder(anchor):
            if app_id in app_ids:
                sink.report("DPR512", anchor, f"app ID `{app_id}` is used by two apps in this template")
            else:
                app_ids[app_id] = anchor
        for key in PORT_KEYS:
            port_node = app.get(key)
            port = int_value(port_node)
            if port_node is None or port is None or port <= 0:
                continue
            owner = f"`{key}` of app `{app_id}`"
            if port in ports:
                if key == "appPort" and port in port_apps and not (
                    _serves(sink.path, app) and _serves(sink.path, port_apps[port])
                ):
                    # an app with no server of its own binds no appPort: it may name its server's. Only two apps
                    # known to run a server (Python that builds one) are a conflict; a Java, .NET or JavaScript
                    # app, or a folder that is not there, is not known to bind the port.
                    continue
                sink.report("DPR512", port_node, f"port {port} is also {ports[port]}: the apps cannot both bind it")
            else:
                ports[port] = owner
                if key == "appPort":
                    port_apps[port] = app


def _serves(template_path: str, app: MappingView) -> Optional[bool]:
    """Whether an app of the template runs a server (`app_folders.runs_server` on its `appDirPath`)."""
    directory = text(app.get("appDirPath"))
    if not directory:
        return None
    # never a folder outside the template's repository (`appDirPath: /`)
    return runs_server(os.path.join(os.path.dirname(template_path), directory), repository_root(Path(template_path)))


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
