"""Run files: the Dockerfiles, Procfiles, run templates, compose files, Makefiles, scripts, manifests and
requirements around an app, read as text (never run) for what they say about its tracing and logging set-up
(the practice rules DPR413-DPR415). No LibCST here: a run served from the cache fingerprints these files
without loading the rules, nor the app model (a leaf outside project/: importing that package imports the
app model)."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

from dapr_lint import reading
from dapr_lint.roots import RunRoot, project_root, run_root


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
_CONFIG_REFERENCE = re.compile(
    rb"dapr\.io/config\b|configFilePath|dapr run[^\n]*\s--config[\s=]|daprd[^\n]*\s--?config[\s=]|[\"']--?config[\"']"
)
_SIDECAR_TRACING = re.compile(rb"\.dapr/config\.ya?ml|openzipkin/zipkin|jaegertracing/|otel/opentelemetry-collector")
_CONTINUATION = re.compile(rb"[ \t]*(?:\\|`)\r?\n[ \t]*")  # shell `\`, PowerShell backtick
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


_RUN_TEMPLATE_PATHS = re.compile(rb"(?m)^\s*(?:-\s*)?(?:resourcesPath|resourcesPaths|configFilePath)\s*:\s*(.*)$|^\s*-\s*([^\s:#][^:#]*)$")


def _referenced_folders(folder: str, data: bytes) -> list[str]:
    """The resource folders and configuration files a `dapr.yaml` run template names, resolved from its folder
    (`~` is a name like any other: never the user's home folder)."""
    found = []
    for match in _RUN_TEMPLATE_PATHS.finditer(data):
        raw = (match.group(1) or b"").strip().strip(b"[]")
        for part in raw.split(b","):
            text = part.strip().strip("'\"".encode()).decode("utf-8", "replace")
            if text:
                found.append(os.path.normpath(os.path.join(folder, text)))
    return found


def _listing(folder: str, recursive: bool, root: str) -> tuple[tuple[str, int, int], ...]:
    """The run files of a folder (recursively or not) with their size and modification time: what the facts
    are read from, and what a cached result depends on. A link that leads out of the repository `root` is left
    out (links to folders are never walked into)."""
    found: list[tuple[str, int, int]] = []
    root = Path(folder)
    walker: Iterable = os.walk(root) if recursive else [(str(root), [], _list_files(root))]
    for dirpath, dirnames, filenames in walker:
        if recursive:
            dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            if not _RUN_FILE_NAMES.match(name):
                continue
            path = os.path.join(dirpath, name)
            if os.path.islink(path) and not reading.inside(path, root):
                continue
            try:
                stat = os.stat(path)
            except OSError:
                continue
            found.append((path, stat.st_size, stat.st_mtime_ns))
            if len(found) >= _MAX_FILES:
                return tuple(found)
    return tuple(found)


def _folder_facts(folder: str, recursive: bool, root: str, depth: int = 0) -> RunFacts:
    facts, referenced = _facts_of(_listing(folder, recursive, root), root)
    if depth > 0 or facts.tracing_configuration:
        return facts
    for path in referenced:
        if not reading.inside(path, root):
            continue  # a run template naming `/` or `../../elsewhere`: not read
        if os.path.isdir(path):
            if _folder_facts(path, True, root, depth + 1).tracing_configuration:
                return dataclasses.replace(facts, tracing_configuration=True)
        elif os.path.isfile(path):
            # a run template that names a Configuration file: it may set tracing up
            return dataclasses.replace(facts, tracing_configuration=True)
    return facts


@lru_cache(maxsize=512)
def _facts_of(listing: tuple[tuple[str, int, int], ...], root: str) -> tuple[RunFacts, tuple[str, ...]]:
    """The facts of a listing; read again only when a file of it changed (size or time)."""
    agent = log_config = tracing = grpc = False
    referenced: list[str] = []
    for path, _size, _mtime in listing:
        dirpath, name = os.path.split(path)
        try:
            # a FIFO named `.env`, a link to /dev/stdin or out of the repository: refused
            data = reading.read_bytes(path, _MAX_BYTES, head=True, within=root)
        except OSError:
            continue
        # a command continued over several lines (`dapr run \` then `--config "$DIR/config.yaml"`) is one line
        data = _CONTINUATION.sub(b" ", data)
        agent = agent or bool(_AGENT.search(data))
        log_config = log_config or bool(_LOG_CONFIG.search(data))
        grpc = grpc or bool(_GRPC_INSTRUMENTATION.search(data))
        if name.lower() in ("dapr.yaml", "dapr.yml"):
            referenced.extend(_referenced_folders(dirpath, data))
        if name.lower().endswith((".yaml", ".yml")):
            if _CONFIGURATION_KIND.search(data) and _TRACING_KEY.search(data):
                tracing = True
            elif _CONFIG_REFERENCE.search(data) and (b"dapr" in data):
                tracing = True  # a Configuration named from elsewhere: it may set tracing up
        elif _CONFIG_REFERENCE.search(data) and b"daprd" in data or re.search(rb"dapr run[^\n]*\s--config[\s=]", data):
            tracing = True
        elif b"dapr" in data and _SIDECAR_TRACING.search(data):
            tracing = True  # a script that edits the sidecars' default Configuration or starts their trace backend
    return RunFacts(agent, log_config, tracing, grpc), tuple(referenced)


def _list_files(folder: Path) -> list[str]:
    try:
        return [entry.name for entry in os.scandir(folder) if entry.is_file()]
    except OSError:
        return []


_DEPLOY_FOLDERS = ("deploy", "deployment", "deployments", "k8s", "kubernetes", "manifests", "helm", "charts", "infra", "config", "configs", "components", "resources", "scripts")


def _run_folders(file: str, run: Optional[RunRoot] = None) -> tuple[str, list[tuple[str, bool]]]:
    """The project's root, and the (folder, recursive) pairs whose run files may concern the app whose entry
    module is `file`: its own folder (above its package) recursively, every folder above it up to the project's
    root (their own files only), and the deployment folders beside each of them (not a link out of the
    repository). `run`: the run's root (dapr_lint.roots; found from the file when not given); for files named
    alone, only the file's own folder's files are read."""
    run = run or run_root([Path(file)])
    root = Path(project_root(file, run))
    start = Path(os.path.abspath(file)).parent
    if run.loose:
        return str(root), [(str(start), False)]
    if not _under(start, root):
        return str(start), [(str(start), True)]
    while (start / "__init__.py").exists() and start.parent != start and start != root:
        start = start.parent
    folders: list[tuple[str, bool]] = [(str(start), True)]
    if start != root:
        for folder in start.parents:
            folders.append((str(folder), False))
            if folder == root:
                break
    # deployment folders beside the app's folder and beside every folder above it (`deploy/`, `k8s/`, ...)
    for folder in (start, *start.parents):
        for name in _DEPLOY_FOLDERS:
            candidate = folder / name
            if candidate.is_dir() and not _under(start, candidate) and reading.inside(candidate, root):
                folders.append((str(candidate), True))
        if folder == root:
            break
    return str(root), folders


def _under(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def run_files_fingerprint(files: list[str], run: Optional[RunRoot] = None) -> str:
    """What the practice rules would read for a run of these files (the cache's project key includes it)."""
    folders: set[tuple[str, str, bool]] = set()
    by_folder = {os.path.dirname(os.path.abspath(file)): file for file in files if file.endswith(".py")}
    for file in by_folder.values():  # the files of one folder share their run folders
        root, pairs = _run_folders(file, run)
        folders.update((root, folder, recursive) for folder, recursive in pairs)
    listings = []
    referenced: set[tuple[str, str]] = set()
    for root, folder, recursive in sorted(folders):
        listing = _listing(folder, recursive, root)
        listings.append(listing)
        referenced.update((root, path) for path in _facts_of(listing, root)[1] if reading.inside(path, root) and os.path.isdir(path))
    listings.extend(_listing(path, True, root) for root, path in sorted(referenced))
    return hashlib.sha256(repr(listings).encode("utf-8", "surrogateescape")).hexdigest()


def run_facts_for(
    file: str,
    app_folder: str = "",
    resource_folders: Iterable[str] = (),
    run: Optional[RunRoot] = None,
    memo: Optional[dict] = None,
) -> RunFacts:
    """The run facts that may concern the app whose entry module is `file`: its own folder (above its
    package) and the app's folder, read recursively; every folder above it up to the repository root, not
    recursively (a shared `dapr.yaml`, compose file or Makefile), with the folders a run template there names;
    the app's resource folders; and the repository's deployment folders. `memo`: a table kept for one run of
    one root (Project.memo), where the apps of a repository share folders: each is looked at once."""
    if not file:
        return RunFacts(True, True, True, True)  # nowhere to look: assume it is all set up
    memo = {} if memo is None else memo
    here = ("around", os.path.dirname(os.path.abspath(file)))
    around = memo.get(here)
    if around is None:
        around = memo[here] = _run_folders(file, run)
    root, folders = around[0], list(around[1])
    if app_folder and not (run is not None and run.loose):
        folders.append((app_folder, True))
    folders.extend((folder, True) for folder in resource_folders)
    parts = []
    for folder, recursive in folders:
        key = ("facts", folder, recursive, root)
        if key not in memo:
            # a folder the repository names outside itself (`resourcesPath: /`, a compose volume `/:/components`,
            # a link out of it) is never read
            readable = os.path.isdir(folder) and reading.inside(folder, root)
            memo[key] = _folder_facts(folder, recursive, root) if readable else None
        if memo[key] is not None:
            parts.append(memo[key])
    return RunFacts(
        any(p.tracing_agent for p in parts),
        any(p.logging_config for p in parts),
        any(p.tracing_configuration for p in parts),
        any(p.grpc_instrumentation for p in parts),
    )


# The option that gives a server its port: uvicorn/hypercorn `--port`, flask `--port`/`-p`, gunicorn/hypercorn
# `--bind`/`-b` (`host:port`).
_SERVERS = frozenset({"uvicorn", "gunicorn", "hypercorn", "flask", "fastapi"})


def server_port(words: list[str]) -> Optional[int]:
    """The literal port a command gives the server it starts (uvicorn, gunicorn, hypercorn, flask)."""
    if not any(os.path.basename(w) in _SERVERS for w in words):
        return None
    for index, word in enumerate(words):
        name, _, inline = word.partition("=")
        value = (inline or (words[index + 1] if index + 1 < len(words) else "")).strip()
        if name in ("--port", "-p"):
            return int(value) if value.isdigit() else None
        if name in ("--bind", "-b"):
            port = value.rpartition(":")[2]
            return int(port) if ":" in value and port.isdigit() else None
    return None


# The files that say how a container or a buildpack starts an app: Dockerfiles (the last ENTRYPOINT and CMD of the
# last stage) and a Procfile (its `web` process, else its only one).
_CONTAINER_FILES = re.compile(r"(?i)^(dockerfile(\..+)?|.+\.dockerfile|containerfile|procfile)$")
_PROCESS = re.compile(r"^([A-Za-z0-9_-]+):[ \t]*(.+)$")


@dataclass(frozen=True)
class StartCommand:
    """A command a folder's Dockerfile or Procfile starts its app with, as words (read as text, never run)."""

    words: tuple[str, ...]
    path: str
    line: int


def _words(text: str) -> Optional[list[str]]:
    """The words of an exec-form (JSON array) or shell-form command; a quoted shell string (`sh -c "..."`) is
    split too. None when the text is neither."""
    import json
    import shlex

    text = text.strip()
    try:
        words = json.loads(text) if text.startswith("[") else shlex.split(text)
    except ValueError:
        return None
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        return None
    found: list[str] = []
    for word in words:
        try:
            found.extend(shlex.split(word) if " " in word else [word])
        except ValueError:
            found.append(word)
    return found


def _dockerfile_command(text: str) -> Optional[tuple[list[str], int]]:
    """The words of the last stage's ENTRYPOINT followed by its CMD, with the line of the later of the two."""
    logical: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, line in enumerate(text.splitlines(), 1):
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        start = start if pending else number
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        logical.append((start, pending + line))
        pending = ""
    entry: Optional[tuple[list[str], int]] = None
    command: Optional[tuple[list[str], int]] = None
    for number, line in logical:
        keyword, _, rest = line.strip().partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            entry = command = None
        elif keyword in ("CMD", "ENTRYPOINT"):
            words = _words(rest)
            if words is None:
                return None  # a command this reading does not understand: say nothing rather than guess
            if keyword == "CMD":
                command = (words, number)
            else:
                entry = (words, number)
    if entry is None and command is None:
        return None
    words = (entry[0] if entry else []) + (command[0] if command else [])
    return words, max(entry[1] if entry else 0, command[1] if command else 0)


def _procfile_command(text: str) -> Optional[tuple[list[str], int]]:
    processes = [(n, m) for n, line in enumerate(text.splitlines(), 1) if (m := _PROCESS.match(line.strip()))]
    chosen = [(n, m) for n, m in processes if m.group(1) == "web"] or (processes if len(processes) == 1 else [])
    if len(chosen) != 1:
        return None
    number, match = chosen[0]
    words = _words(match.group(2))
    return (words, number) if words is not None else None


def start_commands(folder: str, root: str) -> list[StartCommand]:
    """What the Dockerfiles and Procfile directly in `folder` (an app's folder inside the repository `root`)
    start the app with."""
    found: list[StartCommand] = []
    for name in sorted(_list_files(Path(folder))):
        if not _CONTAINER_FILES.match(name):
            continue
        path = os.path.join(folder, name)
        try:
            text = reading.read_bytes(Path(path), _MAX_BYTES, within=Path(root), follow=False).decode("utf-8", "replace")
        except OSError:
            continue
        command = _procfile_command(text) if name.lower() == "procfile" else _dockerfile_command(text)
        if command is not None:
            found.append(StartCommand(tuple(command[0]), path, command[1]))
    return found
