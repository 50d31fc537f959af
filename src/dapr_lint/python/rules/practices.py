"""DPR413-DPR416: the practices every Dapr service should always have - trace context forwarded on the calls
it makes, a tracing set-up, a logging set-up, and a shutdown that closes what start-up opened.

All four are per app: what counts is whether *any* module of the app (or its run files) sets the practice
up, so they run in the project stage over the per-file facts of dapr_lint.python.practices. An app is an
entry module (one that builds a FastAPI/Flask/gRPC-extension app or starts a WorkflowRuntime) with the
modules it imports in the run and the modules that import it; `app_modules` is the one place that decides
it, so the rules move to the application model unchanged when it lands.

Precision first: an app whose set-up the rules cannot see (an import that leaves the run and is named like
a set-up helper, an instrumentation agent in a Dockerfile, Procfile, run template or script, a Dapr
Configuration with `tracing` in the repository) is not reported.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Optional

from dapr_lint.diagnostics import Diagnostic
from dapr_lint.project import Project, is_test_file, project_rule
from dapr_lint.registry import RuleSpec
from dapr_lint.settings import Settings

# ------------------------------------------------------------------------------------------------
# Apps: an entry module, what it imports in the run, and what imports it
# ------------------------------------------------------------------------------------------------


@dataclass
class PracticeApp:
    """One app as the practice rules see it."""

    entry: dict  # the entry module's summary
    entry_item: dict  # the entry fact (kind, name, position)
    modules: list[dict]  # summaries of the app's modules, entry first
    run_facts: "RunFacts"

    def facts(self) -> Iterator[tuple[dict, dict]]:
        for summary in self.modules:
            yield summary, summary.get("practices") or {}

    def any(self, key: str) -> bool:
        return any(facts.get(key) for _summary, facts in self.facts())


def _facts(summary: dict) -> dict:
    return summary.get("practices") or {}


def app_modules(project: Project, entry: dict) -> list[dict]:
    """The entry module, every module of the run it imports (transitively), and the modules that import it
    (a routes module doing `from main import app`)."""
    seen: dict[int, dict] = {id(entry): entry}
    queue = [entry]
    while queue:
        summary = queue.pop()
        for dotted in _facts(summary).get("imports", ()):
            for target in project.modules(summary, dotted):
                if id(target) not in seen:
                    seen[id(target)] = target
                    queue.append(target)
    entry_file = os.path.normcase(entry.get("file", ""))
    for summary in project.summaries:
        if id(summary) in seen:
            continue
        for dotted in _facts(summary).get("imports", ()):
            if any(os.path.normcase(t.get("file", "")) == entry_file for t in project.modules(summary, dotted)):
                seen[id(summary)] = summary
                break
    return list(seen.values())


def practice_apps(project: Project) -> Iterator[PracticeApp]:
    for summary in project.summaries:
        if is_test_file(summary.get("path", "")):
            continue
        entries = _facts(summary).get("entries") or ()
        if not entries:
            continue
        modules = app_modules(project, summary)
        run = run_facts_for(summary.get("file", ""))
        # one app per module: the first entry names it (an app and the runtime it starts are one app)
        yield PracticeApp(summary, entries[0], modules, run)


def _diagnostic(code: str, message: str, summary: dict, item: dict) -> Diagnostic:
    return Diagnostic(
        code,
        message,
        summary["path"],
        item.get("line", 1),
        item.get("column", 1) or 1,
        item.get("end_line", item.get("line", 1)),
        item.get("end_column", 1) or 1,
    )


def _app_label(app: PracticeApp) -> str:
    item = app.entry_item
    kind, name = item.get("kind", "app"), item.get("name")
    if kind == "WorkflowRuntime":
        return f"the app whose WorkflowRuntime `{name}` starts here"
    return f"{kind} app `{name}`" if name and name != kind else f"this {kind} app"


# ------------------------------------------------------------------------------------------------
# Run files: Dockerfiles, Procfiles, run templates, scripts, manifests, requirements
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunFacts:
    """What the files that start and deploy the apps say (read as text, never run)."""

    tracing_agent: bool = False  # opentelemetry-instrument, ddtrace-run, ...: tracing and forwarding
    logging_config: bool = False  # --log-config, OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED, ...
    tracing_configuration: bool = False  # a Dapr Configuration with `tracing`, or an app naming one
    grpc_instrumentation: bool = False  # opentelemetry-instrumentation-grpc installed (the workflow ext uses it)


_AGENT = re.compile(
    rb"opentelemetry-instrument\b|opentelemetry\.instrumentation\.auto_instrumentation|ddtrace-run|newrelic-admin|"
    rb"elastic-apm|splunk-py-trace|OTEL_PYTHON_CONFIGURATOR|sitecustomize"
)
_LOG_CONFIG = re.compile(
    rb"--log-config\b|--log-config-file\b|logconfig(?:_dict)?\s*=|OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED|"
    rb"--log-config=|LOG_CONFIG|logging\.conf\b|logging\.ya?ml\b|logging\.json\b"
)
_CONFIGURATION_KIND = re.compile(rb"(?m)^\s*kind:\s*[\"']?Configuration[\"']?\s*$")
_TRACING_KEY = re.compile(rb"(?m)^\s+tracing:")
_CONFIG_REFERENCE = re.compile(rb"dapr\.io/config\b|configFilePath|--config\b|--dapr-config|-config\s")
_GRPC_INSTRUMENTATION = re.compile(rb"opentelemetry-instrumentation-grpc|opentelemetry-distro|opentelemetry-bootstrap")

_RUN_FILE_NAMES = re.compile(
    r"(?i)^(dockerfile.*|.*\.dockerfile|containerfile|procfile|makefile|justfile|.*\.sh|.*\.bash|.*\.ps1|.*\.bat|"
    r".*\.ya?ml|.*\.toml|.*\.cfg|.*\.ini|.*\.conf|.*\.env|\.env.*|requirements.*\.txt|.*requirements\.txt|.*\.json|"
    r"gunicorn\.conf\.py|gunicorn_conf\.py|.*\.service|tiltfile)$"
)
_SKIP_DIRS = frozenset(
    {".git", ".venv", "venv", "env", "node_modules", "__pycache__", "build", "dist", ".tox", ".nox", ".mypy_cache",
     ".ruff_cache", ".pytest_cache", "site-packages", ".idea", ".vscode"}
)
_MAX_FILES = 4000
_MAX_BYTES = 512 * 1024


def _repository_root(start: Path) -> Path:
    """The git work tree holding `start`; else the highest folder above it with a `pyproject.toml` or a
    `dapr.yaml` in an unbroken chain; else `start` itself (never the whole file system)."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    root = start
    for folder in start.parents:
        if not any((folder / name).exists() for name in ("pyproject.toml", "dapr.yaml", "dapr.yml", "setup.cfg")):
            break
        root = folder
    return root


_RUN_TEMPLATE_PATHS = re.compile(rb"(?m)^\s*(?:-\s*)?(?:resourcesPath|resourcesPaths|configFilePath)\s*:\s*(.*)$|^\s*-\s*([^\s:#][^:#]*)$")


def _referenced_folders(folder: str, data: bytes) -> list[str]:
    """The resource folders and configuration files a `dapr.yaml` run template names, resolved from its folder."""
    found = []
    for match in _RUN_TEMPLATE_PATHS.finditer(data):
        raw = (match.group(1) or b"").strip().strip(b"[]")
        for part in raw.split(b","):
            text = part.strip().strip("'\"".encode()).decode("utf-8", "replace")
            if text:
                found.append(os.path.normpath(os.path.join(folder, os.path.expanduser(text))))
    return found


@lru_cache(maxsize=256)
def _folder_facts(folder: str, recursive: bool, depth: int = 0) -> RunFacts:
    agent = log_config = tracing = grpc = False
    count = 0
    referenced: list[str] = []
    root = Path(folder)
    walker: Iterable = os.walk(root) if recursive else [(str(root), [], _list_files(root))]
    for dirpath, dirnames, filenames in walker:
        if recursive:
            dirnames[:] = [d for d in dirnames if d not in _SKIP_DIRS and not d.startswith(".")]
        for name in filenames:
            if not _RUN_FILE_NAMES.match(name):
                continue
            count += 1
            if count > _MAX_FILES:
                break
            try:
                with open(os.path.join(dirpath, name), "rb") as handle:
                    data = handle.read(_MAX_BYTES)
            except OSError:
                continue
            agent = agent or bool(_AGENT.search(data))
            log_config = log_config or bool(_LOG_CONFIG.search(data))
            grpc = grpc or bool(_GRPC_INSTRUMENTATION.search(data))
            if name.lower() in ("dapr.yaml", "dapr.yml") and depth == 0:
                referenced.extend(_referenced_folders(dirpath, data))
            if name.lower().endswith((".yaml", ".yml")):
                if _CONFIGURATION_KIND.search(data) and _TRACING_KEY.search(data):
                    tracing = True
                elif _CONFIG_REFERENCE.search(data):
                    tracing = True  # a Configuration named from elsewhere: it may set tracing up
            elif _CONFIG_REFERENCE.search(data) and b"dapr" in data:
                tracing = True
    for path in referenced:
        if os.path.isdir(path):
            tracing = tracing or _folder_facts(path, True, depth + 1).tracing_configuration
        elif os.path.isfile(path):
            tracing = True  # a run template that names a Configuration file: it may set tracing up
    return RunFacts(agent, log_config, tracing, grpc)


def _list_files(folder: Path) -> list[str]:
    try:
        return [entry.name for entry in os.scandir(folder) if entry.is_file()]
    except OSError:
        return []


_DEPLOY_FOLDERS = ("deploy", "deployment", "deployments", "k8s", "kubernetes", "manifests", "helm", "charts", "infra", "config", "configs", "components", "resources", "scripts")


def run_facts_for(file: str) -> RunFacts:
    """The run facts that may concern the app whose entry module is `file`: its own folder (above its
    package), read recursively; every folder above it up to the repository root, not recursively (a shared
    `dapr.yaml`, compose file or Makefile), with the folders a run template there names; and the repository's
    deployment folders."""
    if not file:
        return RunFacts(True, True, True, True)  # nowhere to look: assume it is all set up
    start = Path(file).resolve().parent
    while (start / "__init__.py").exists() and start.parent != start:
        start = start.parent
    root = _repository_root(start)
    parts: list[RunFacts] = [_folder_facts(str(start), True)]
    if start != root:
        for folder in start.parents:
            parts.append(_folder_facts(str(folder), False))
            if folder == root:
                break
    for name in _DEPLOY_FOLDERS:
        candidate = root / name
        if candidate.is_dir():
            parts.append(_folder_facts(str(candidate), True))
    return RunFacts(
        any(p.tracing_agent for p in parts),
        any(p.logging_config for p in parts),
        any(p.tracing_configuration for p in parts),
        any(p.grpc_instrumentation for p in parts),
    )


# ------------------------------------------------------------------------------------------------
# DPR413 trace-context-not-forwarded
# ------------------------------------------------------------------------------------------------

_PROTOCOL_MEANS = {
    "http": "no `headers_callback=` on the client, no OpenTelemetry aiohttp-client instrumentation, no `metadata=` with the header",
    "grpc": "no `interceptors=` on the client, no OpenTelemetry gRPC client instrumentation, no `metadata=` with the header",
}


def _forwards(app: PracticeApp, protocol: str) -> bool:
    if app.run_facts.tracing_agent:
        return True
    if protocol == "grpc" and app.run_facts.grpc_instrumentation:
        return True
    return app.any("forward_http" if protocol == "http" else "forward_grpc")


@project_rule(
    RuleSpec(
        code="DPR413",
        name="trace-context-not-forwarded",
        category="opinion",
        summary="A handler calls `invoke_method`/`publish_event`/`invoke_binding` and nothing in its app forwards the incoming trace context: the trace stops at this service.",
        target="project",
    )
)
def trace_context_not_forwarded(project: Project, settings: Settings) -> Iterator[Diagnostic]:
    verdicts: dict[tuple[int, int], list[bool]] = {}
    items: dict[tuple[int, int], tuple[dict, dict]] = {}
    for app in practice_apps(project):
        for summary, facts in app.facts():
            for index, item in enumerate(facts.get("outgoing", ())):
                key = (id(summary), index)
                items[key] = (summary, item)
                verdicts.setdefault(key, []).append(_forwards(app, item["protocol"]))
    for key, forwarded in verdicts.items():
        if any(forwarded):
            continue  # some app this module belongs to forwards it (precision first)
        summary, item = items[key]
        if is_test_file(summary.get("path", "")):
            continue
        protocol = item["protocol"]
        message = (
            f"`{item['method']}` in handler `{item['handler']}` sends no trace context: nothing in this app forwards "
            f"the incoming `traceparent` on the {'HTTP' if protocol == 'http' else 'gRPC'} path ({_PROTOCOL_MEANS[protocol]}), "
            f"so Dapr starts a new trace here"
        )
        yield _diagnostic("DPR413", message, summary, item)


# ------------------------------------------------------------------------------------------------
# DPR414 no-tracing-setup
# ------------------------------------------------------------------------------------------------


@project_rule(
    RuleSpec(
        code="DPR414",
        name="no-tracing-setup",
        category="opinion",
        summary="An app with no OpenTelemetry set-up in its modules, no tracing agent in its run files and no Dapr Configuration with `tracing`.",
        target="project",
    )
)
def no_tracing_setup(project: Project, settings: Settings) -> Iterator[Diagnostic]:
    for app in practice_apps(project):
        if app.any("tracing") or app.run_facts.tracing_agent or app.run_facts.tracing_configuration:
            continue
        yield _diagnostic(
            "DPR414",
            f"{_app_label(app)} has no tracing set-up: no OpenTelemetry tracer provider or instrumentation in its "
            f"modules, no agent (`opentelemetry-instrument`) in its run files and no Dapr Configuration with "
            f"`tracing` in the repository, so its requests produce no spans",
            app.entry,
            app.entry_item,
        )


# ------------------------------------------------------------------------------------------------
# DPR415 no-logging-setup
# ------------------------------------------------------------------------------------------------


@project_rule(
    RuleSpec(
        code="DPR415",
        name="no-logging-setup",
        category="practice",
        summary="An app that configures no logging (no `basicConfig`/`dictConfig`, structlog or loguru): its INFO records are dropped, the rest has no level, time or trace ID.",
        target="project",
    )
)
def no_logging_setup(project: Project, settings: Settings) -> Iterator[Diagnostic]:
    for app in practice_apps(project):
        if app.any("logging") or app.run_facts.logging_config:
            continue
        yield _diagnostic(
            "DPR415",
            f"{_app_label(app)} configures no logging (no `logging.basicConfig`/`dictConfig`, structlog or loguru "
            f"set-up in its modules, no `--log-config` in its run files): Python's last-resort handler drops "
            f"INFO and DEBUG records and prints the rest with no level, time or trace ID",
            app.entry,
            app.entry_item,
        )


# ------------------------------------------------------------------------------------------------
# DPR416 no-graceful-shutdown
# ------------------------------------------------------------------------------------------------

# What was opened, and what leaving it open does (SDK 1.19 evidence on docs/rules/DPR416.md).
_OPENED = {
    "workflow-runtime": (
        "WorkflowRuntime {name} is started and never shut down",
        "its worker thread is not a daemon, so the process does not exit when the server stops and is killed "
        "mid-activity at the end of the grace period; "
        "call `{short}.shutdown()` in the lifespan exit, a shutdown hook or `atexit`",
    ),
    "subscription": (
        "streaming subscription {name} is never closed",
        "in-flight messages are cut off before they are acknowledged, and a sync handler thread keeps the "
        "process from exiting; close it in the lifespan exit, a shutdown hook or `atexit`",
    ),
    "async-client": (
        "async DaprClient {name} is held for the whole process and never closed",
        "it has no `__del__`, so its gRPC channel is left open and in-flight calls are cut off at exit; "
        "`await {short}.close()` in the lifespan exit or a shutdown hook",
    ),
}


@project_rule(
    RuleSpec(
        code="DPR416",
        name="no-graceful-shutdown",
        category="practice",
        summary="A WorkflowRuntime started, a streaming subscription opened or an async client held at start-up that nothing in the app closes.",
        target="project",
    )
)
def no_graceful_shutdown(project: Project, settings: Settings) -> Iterator[Diagnostic]:
    verdicts: dict[tuple[int, int], list[bool]] = {}
    items: dict[tuple[int, int], tuple[dict, dict]] = {}
    for app in practice_apps(project):
        closed: set[str] = set()
        for _summary, facts in app.facts():
            closed.update(facts.get("closed", ()))
        for summary, facts in app.facts():
            for index, item in enumerate(facts.get("opened", ())):
                key = (id(summary), index)
                items[key] = (summary, item)
                verdicts.setdefault(key, []).append(bool(item["name"]) and item["name"] in closed)
    for key, closed_in in verdicts.items():
        if any(closed_in):
            continue  # some app this module belongs to closes it (precision first)
        summary, item = items[key]
        if is_test_file(summary.get("path", "")):
            continue
        head, consequence = _OPENED[item["kind"]]
        name = f"`{item['name']}`" if item["name"] else "(its close function discarded)"
        short = item["name"] or "it"
        message = head.format(name=name) + ": " + consequence.format(short=short)
        yield _diagnostic("DPR416", message.replace("  ", " "), summary, item)
