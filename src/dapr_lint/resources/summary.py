"""The summary of one YAML file for the project stage (`dapr_lint.summaries.ResourceSummary`): the Dapr
resources it declares, the apps a `dapr.yaml` run template, a Kubernetes manifest or a docker-compose file
runs, and the paths their probes call. Read with the bounded safe loader; never evaluates anything."""

from __future__ import annotations

import os
import re
import shlex
from typing import Optional

from yaml.nodes import Node

from dapr_lint.resources.kinds.runfile import port_clashes
from dapr_lint.run_files import server_port
from dapr_lint.resources.loader import DocumentsOnce, ResourceParseError, decode_text
from dapr_lint.resources.nodes import MappingView, int_value, sequence_items, text
from dapr_lint.resources.templates import strip_templates
from dapr_lint.summaries import (
    ComponentFact,
    Located,
    ResiliencyFact,
    ResourceSummary,
    RunApp,
    Sidecar,
    Span,
    SubscriptionFact,
    Workload,
)

_METADATA_KEPT = ("route", "direction", "actorstatestore")
_WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod", "Job", "CronJob"})


def span_of(node: Optional[Node]) -> Span:
    if node is None:
        return Span()
    start, end = node.start_mark, node.end_mark
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _located(node: Optional[Node]) -> Optional[Located]:
    value = text(node)
    return Located(value, span_of(node)) if value else None


def resource_summary(
    path: str, data: bytes, kubernetes: bool = False, load: Optional[DocumentsOnce] = None
) -> Optional[ResourceSummary]:
    """The summary of a YAML file, or None when it tells the project stage nothing. `path` is the file's
    absolute path (paths in run templates and compose files are relative to it). `load`: the file's one load,
    shared with its checks."""
    if b"dapr" not in data and b"appDirPath" not in data:
        return None
    try:
        source = decode_text(data)
    except ResourceParseError:
        return None
    # a Helm template: the YAML only exists after rendering; its plain lines may still parse
    source = strip_templates(source)
    try:
        documents = (load or DocumentsOnce())(source)
    except ResourceParseError:
        return None
    folder = os.path.dirname(os.path.abspath(path))
    parts: dict[str, list] = {k: [] for k in ("components", "subscriptions", "resiliencies", "run_apps", "workloads", "sidecars", "routes")}
    saw_workload = False
    for document in documents:
        root = MappingView(document) if document is not None else None
        if not root:
            continue
        api_version = text(root.get("apiVersion")) or ""
        kind = text(root.get("kind")) or ""
        if api_version.startswith("dapr.io"):
            _dapr_resource(root, kind, parts)
        elif isinstance(root.get("apps"), Node) and "version" in root:
            parts["run_apps"].extend(_run_apps(root, folder))
        elif kind in _WORKLOAD_KINDS:
            saw_workload = True
            workload = _workload(root, kind)
            if workload is not None:
                parts["workloads"].append(workload)
        elif "services" in root:
            parts["sidecars"].extend(_sidecars(root, folder))
    if not any(parts.values()):
        return None
    return ResourceSummary(
        subscription_routes=tuple(parts["routes"]),
        components=tuple(parts["components"]),
        subscriptions=tuple(parts["subscriptions"]),
        resiliencies=tuple(parts["resiliencies"]),
        run_apps=tuple(parts["run_apps"]),
        workloads=tuple(parts["workloads"]),
        sidecars=tuple(parts["sidecars"]),
        kubernetes=kubernetes or saw_workload,
    )


def _scopes(root: MappingView) -> tuple[str, ...]:
    return tuple(v for v in (text(item) for item in sequence_items(root.get("scopes"))) if v)


def _dapr_resource(root: MappingView, kind: str, parts: dict) -> None:
    metadata = root.view("metadata")
    name_node = metadata.get("name")
    name = text(name_node)
    if not name:
        return
    spec = root.view("spec", nocase=True)
    if kind == "Component":
        kept: dict[str, str] = {}
        for item in sequence_items(spec.get_nocase("metadata")):
            view = MappingView(item)
            key = (text(view.get_nocase("name")) or "").lower()
            value = text(view.get_nocase("value"))
            if key in _METADATA_KEPT and value is not None:
                kept[key] = value
        parts["components"].append(
            ComponentFact(
                name=name,
                type=(text(spec.get_nocase("type")) or "").lower(),
                scopes=_scopes(root),
                namespace=text(metadata.get("namespace")),
                span=span_of(name_node),
                metadata=kept,
                secret_store=_located(root.view("auth").get_nocase("secretStore")),
            )
        )
    elif kind == "Subscription":
        routes: list[Located] = []
        for node in (spec.get_nocase("route"), spec.view("routes", nocase=True).get_nocase("default")):
            found = _located(node)
            if found is not None:
                routes.append(found)
        for rule in sequence_items(spec.view("routes", nocase=True).get_nocase("rules")):
            found = _located(MappingView(rule).get_nocase("path"))
            if found is not None:
                routes.append(found)
        parts["routes"].extend(r.value for r in routes)
        parts["subscriptions"].append(
            SubscriptionFact(
                name=name,
                pubsub=_located(spec.get_nocase("pubsubname")),
                topic=text(spec.get_nocase("topic")),
                routes=tuple(routes),
                scopes=_scopes(root),
                span=span_of(name_node),
                bulk=(text(spec.view("bulkSubscribe", nocase=True).get_nocase("enabled")) or "").lower() == "true",
            )
        )
    elif kind == "Resiliency":
        targets = spec.view("targets", nocase=True)
        apps = tuple(Located(key, span_of(key_node)) for key, key_node, _ in targets.view("apps", nocase=True))
        components = tuple(Located(key, span_of(key_node)) for key, key_node, _ in targets.view("components", nocase=True))
        parts["resiliencies"].append(ResiliencyFact(name, _scopes(root), apps, components))


def _paths(node: Optional[Node], base: str) -> list[str]:
    values = [text(node)] if text(node) else [text(item) for item in sequence_items(node)]
    return [os.path.normpath(os.path.join(base, v)) for v in values if v]


def _run_apps(root: MappingView, folder: str) -> list[RunApp]:
    common = root.view("common")
    common_resources = _paths(common.get("resourcesPaths"), folder) + _paths(common.get("resourcesPath"), folder)
    common_health = common.get("appHealthCheckPath")
    common_checks = _true(common.get("enableAppHealthCheck"))
    found = []
    shared = {id(clash.app.node): clash for clash in port_clashes([MappingView(n) for n in sequence_items(root.get("apps"))])}
    for item in sequence_items(root.get("apps")):
        app = MappingView(item)
        directory = text(app.get("appDirPath"))
        if not directory:
            continue
        app_dir = os.path.normpath(os.path.join(folder, directory))
        clash = shared.get(id(item))
        first = _run_app_identity(clash.first_app, folder) if clash is not None and clash.first_app is not None else None
        own = _paths(app.get("resourcesPaths"), app_dir) + _paths(app.get("resourcesPath"), app_dir)
        # precedence (dapr CLI): the app's own paths, else <appDirPath>/.dapr/resources, else common's
        resources = own or ([os.path.join(app_dir, ".dapr", "resources")] if os.path.isdir(os.path.join(app_dir, ".dapr", "resources")) else common_resources)
        # the CLI hands the path to daprd only with health checks enabled (the app's own key, else common's)
        enabled = _true(app.get("enableAppHealthCheck")) if app.get("enableAppHealthCheck") is not None else common_checks
        health = (app.get("appHealthCheckPath") or common_health) if enabled else None
        words = [text(w) or "" for w in sequence_items(app.get("command"))]
        found.append(
            RunApp(
                app_id=text(app.get("appID")) or os.path.basename(app_dir.rstrip("/\\")),
                app_dir=app_dir,
                resources_paths=tuple(resources),
                health_path=_located(health),
                port=int_value(app.get("appPort")),
                span=span_of(app.get("appID") or app.get("appDirPath")),
                entry=_command_entry(words, app_dir),
                python=runs_python(words),
                port_given=app.get("appPort") is not None,
                port_span=span_of(app.get("appPort")) if app.get("appPort") is not None else None,
                protocol=_located(app.get("appProtocol")),
                command_port=server_port(words),
                shares_app_port=(*first, clash.owner) if first is not None and clash is not None else None,
            )
        )
    return found


def _run_app_identity(app: MappingView, folder: str) -> Optional[tuple[str, str]]:
    """The app ID and folder of an app of a run template as its RunApp has them (None: no appDirPath)."""
    directory = text(app.get("appDirPath"))
    if not directory:
        return None
    app_dir = os.path.normpath(os.path.join(folder, directory))
    return text(app.get("appID")) or os.path.basename(app_dir.rstrip("/\\")), app_dir


def _number(value: Optional[str]) -> Optional[int]:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def _true(node: Optional[Node]) -> bool:
    return (text(node) or "").strip().lower() in ("true", "yes", "on", "1")


# Commands that start a program in another language, or a built binary: such an app owns no Python module.
_OTHER_RUNTIMES = frozenset(
    {"node", "nodejs", "npm", "npx", "yarn", "pnpm", "bun", "deno", "ts-node", "dotnet", "java", "mvn", "mvnw",
     "gradle", "gradlew", "go", "cargo", "ruby", "bundle", "rails", "php", "composer", "elixir", "mix", "swift"}
)
_PYTHON_RUNNERS = frozenset(
    {"uvicorn", "gunicorn", "hypercorn", "daphne", "flask", "fastapi", "granian", "celery", "dapr-agents"}
)
_WRAPPERS = frozenset({"uv", "poetry", "pipenv", "pdm", "hatch", "rye", "env", "exec", "opentelemetry-instrument"})


def runs_python(words: list[str]) -> Optional[bool]:
    """Whether a run template's `command` runs Python: True (python, uvicorn, a `.py` file, through `uv run`
    and the like), False (Node, .NET, Java, Go, ... or a built binary), None (no command, a shell script)."""
    words = [w for w in words if w]
    while words and (os.path.basename(words[0]) in _WRAPPERS or words[0] == "run" or "=" in words[0]):
        words = words[1:]
    if not words:
        return None
    first = os.path.basename(words[0]).lower()
    if first.startswith("python") or first.startswith("pypy") or first in _PYTHON_RUNNERS or first.endswith(".py"):
        return True
    if first in _OTHER_RUNTIMES or first.endswith((".jar", ".exe", ".dll", ".js", ".mjs", ".ts")):
        return False
    if first.endswith((".sh", ".bash", ".ps1", ".cmd", ".bat")) or first in ("sh", "bash", "pwsh", "powershell", "make"):
        return None
    if words[0].startswith(("./", "bin/", "/")) and "." not in first:
        return False  # a built binary (`./orders`, `bin/server`)
    return None


def _command_entry(words: list[str], folder: str) -> Optional[str]:
    """The Python module a run command starts, as a path below `folder`."""
    for index, word in enumerate(words):
        if word.endswith(".py"):
            return os.path.normpath(os.path.join(folder, word))
        if word == "-m" and index + 1 < len(words) and words[index + 1] not in ("uvicorn", "gunicorn", "flask", "hypercorn"):
            return os.path.normpath(os.path.join(folder, *words[index + 1].split("."))) + ".py"
        servers = {"uvicorn", "gunicorn", "hypercorn"}
        if ":" in word and not word.startswith("-") and any(os.path.basename(w) in servers for w in words[:index]):
            module = word.split(":", 1)[0]
            return os.path.normpath(os.path.join(folder, *module.split("."))) + ".py"
    return None


def _workload(root: MappingView, kind: str) -> Optional[Workload]:
    spec = root.view("spec")
    if kind == "CronJob":
        spec = spec.view("jobTemplate").view("spec")
    template = root if kind == "Pod" else MappingView(spec.get("template"))  # type: ignore[arg-type]
    pod_meta = template.view("metadata")
    annotations = pod_meta.view("annotations")
    app_id_node = annotations.get("dapr.io/app-id")
    app_id = text(app_id_node)
    if not app_id or (text(annotations.get("dapr.io/enabled")) or "").lower() not in ("true", "1", "yes"):
        return None
    app_port = text(annotations.get("dapr.io/app-port"))
    containers = sequence_items(template.view("spec").get("containers"))
    probes: list[Located] = []
    for container in containers:
        view = MappingView(container)
        port_values = {text(MappingView(p).get("containerPort")) for p in sequence_items(view.get("ports"))}
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            http = view.view(probe).view("httpGet")
            path = _located(http.get("path"))
            if path is None:
                continue
            port = text(http.get("port"))
            # the app container's probe: the only container, or one probing the Dapr app port
            if len(containers) == 1 or (app_port is not None and (port == app_port or app_port in port_values and port in port_values)):
                probes.append(path)
    health = None
    if (text(annotations.get("dapr.io/enable-app-health-check")) or "").lower() == "true":
        health = _located(annotations.get("dapr.io/app-health-check-path"))
    name = text(root.view("metadata").get("name")) or app_id
    port_node = annotations.get("dapr.io/app-port")
    return Workload(
        app_id, name, tuple(probes), health, span_of(app_id_node),
        port=_number(text(port_node)), port_given=port_node is not None,
        protocol=text(annotations.get("dapr.io/app-protocol")),
    )


_ARG = re.compile(r"^--?([a-z-]+)(?:=(.*))?$")


def _sidecars(root: MappingView, folder: str) -> list[Sidecar]:
    services = root.view("services")
    found = []
    for _name, _key, node in services:
        service = MappingView(node)
        command = service.get("command")
        words: list[str] = []
        if text(command):
            try:
                words = shlex.split(text(command) or "")
            except ValueError:
                continue
        else:
            words = [w for w in (text(item) for item in sequence_items(command)) if w]
        if not any(os.path.basename(w) == "daprd" for w in words[:2]):
            continue
        args: dict[str, list[str]] = {}
        index = 0
        while index < len(words):
            match = _ARG.match(words[index])
            if match:
                value = match.group(2)
                if value is None and index + 1 < len(words) and not words[index + 1].startswith("-"):
                    value = words[index + 1]
                    index += 1
                args.setdefault(match.group(1), []).append(value or "")
            index += 1
        app_id = (args.get("app-id") or [""])[0]
        if not app_id:
            continue
        volumes = {}
        for volume in sequence_items(service.get("volumes")):
            parts = (text(volume) or "").split(":")
            if len(parts) >= 2:
                volumes[parts[1].rstrip("/")] = os.path.normpath(os.path.join(folder, parts[0]))
        resources = []
        for inside in args.get("resources-path", []) + args.get("components-path", []):
            inside = inside.rstrip("/")
            host = next((h + inside[len(c):] for c, h in volumes.items() if inside == c or inside.startswith(c + "/")), None)
            if host is not None:
                resources.append(host)
        app_dir = None
        network = text(service.get("network_mode")) or ""
        if network.startswith("service:"):
            app_service = services.view(network.split(":", 1)[1])
            build = app_service.get("build")
            context = text(build) or text(MappingView(build).get("context")) if build is not None else None
            if context:
                app_dir = os.path.normpath(os.path.join(folder, context))
        ports = args.get("app-port") or []
        protocol = args.get("app-protocol") or []
        found.append(
            Sidecar(
                app_id, app_dir, tuple(resources), span_of(command),
                port=_number(ports[0]) if ports else None, port_given=bool(ports),
                protocol=protocol[0] if protocol else None,
            )
        )
    return found
