"""The result cache: `.dapr-lint_cache/` at the project root (like `.ruff_cache`), `--cache-dir`,
`DAPR_LINT_CACHE_DIR`, `--no-cache`.

Per file it keeps what the per-file stage produced (findings and the summary the project stage reads),
keyed by the file's content, the effective settings, the name it is reported under, its per-file ignores,
the dapr-lint version and the code of the rules (a fingerprint of the installed package's files). A file
whose key matches is neither read by LibCST nor modelled. Per project (the files of one configuration in
one run) it also keeps the final findings after the project stage, keyed by every file's key: when nothing
changed, nothing is recomputed; when one file changed, the project stage runs again over the cached
summaries of the others and the fresh one.

Entries are JSON (never pickle: a cache folder can come from anywhere, and reading it must not run code),
written to a temporary file and renamed into place, so a reader sees a whole entry or none and two runs
at once cannot corrupt each other. An entry that does not decode, or that is not ours, is ignored and
rewritten. Entries of files that no longer exist are removed after each run; stale project entries are
trimmed to the most recent ones; folders of other dapr-lint versions are removed.

The rule catalog (names, categories, fix safety) is kept too, so that a run where every file is cached
can report without importing the rule modules (and LibCST with them)."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any, Optional

from dapr_lint import __version__, registry
from dapr_lint.diagnostics import Diagnostic, FileResult, Fix, Related
from dapr_lint.project.apps import run_template_context
from dapr_lint.project.stage import project_inputs_fingerprint, summary_codes

CACHE_DIR_NAME = ".dapr-lint_cache"
ENVIRONMENT = "DAPR_LINT_CACHE_DIR"
FORMAT = 1
_PROJECT_ENTRIES_KEPT = 64
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by dapr-lint.\n"


def cache_dir_for(root: Path, explicit: Optional[Path] = None) -> Path:
    """Where the cache of a project (a configuration's folder) lives."""
    if explicit is not None:
        return Path(explicit).resolve()
    env = os.environ.get(ENVIRONMENT)
    if env:
        return Path(env).resolve()
    return Path(root).resolve() / CACHE_DIR_NAME


_CODE_FINGERPRINT: Optional[str] = None


def code_fingerprint() -> str:
    """The version and the package's own files (name, size, modification time): a changed rule, even in
    a development checkout with the same version, is a different rule set."""
    global _CODE_FINGERPRINT
    if _CODE_FINGERPRINT is None:
        package = Path(__file__).resolve().parent
        digest = hashlib.sha256(__version__.encode())
        for folder, dirnames, filenames in os.walk(package):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                if not name.endswith((".py", ".md", ".json", ".yaml")):
                    continue
                path = os.path.join(folder, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                digest.update(f"{os.path.relpath(path, package)}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
        _CODE_FINGERPRINT = digest.hexdigest()[:24]
    return _CODE_FINGERPRINT


def settings_fingerprint(settings) -> str:
    data = {
        "enabled": sorted(settings.enabled),
        "options": settings.options,
        "resources": list(settings.resources_paths),
        "unsafe": settings.unsafe_fixes,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


# -- a generic, exact and safe encoding of results ---------------------------------------------------------


def encode(value: Any) -> Any:
    """JSON for what a FileResult holds: dicts with any keys, tuples, sets, and dataclasses of dapr_lint
    (the typed summaries), so that decode() gives back an equal value."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, (set, frozenset)):
        items = sorted((encode(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
        return {"__frozenset__" if isinstance(value, frozenset) else "__set__": items}
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("__") for k in value):
            return {k: encode(v) for k, v in value.items()}
        return {"__dict__": [[encode(k), encode(v)] for k, v in value.items()]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        if not cls.__module__.startswith("dapr_lint."):
            raise TypeError(f"cannot cache {cls.__module__}.{cls.__qualname__}")
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"__dataclass__": f"{cls.__module__}:{cls.__qualname__}", "fields": fields}
    if hasattr(value, "value") and type(value).__module__.startswith("dapr_lint.") and hasattr(type(value), "__members__"):
        cls = type(value)  # an Enum of ours
        return {"__enum__": f"{cls.__module__}:{cls.__qualname__}", "value": encode(value.value)}
    raise TypeError(f"cannot cache a {type(value).__name__}")


def decode(value: Any) -> Any:
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "__tuple__" in value:
        return tuple(decode(v) for v in value["__tuple__"])
    if "__frozenset__" in value:
        return frozenset(_hashable(decode(v)) for v in value["__frozenset__"])
    if "__set__" in value:
        return {_hashable(decode(v)) for v in value["__set__"]}
    if "__dict__" in value:
        return {_hashable(decode(k)): decode(v) for k, v in value["__dict__"]}
    if "__dataclass__" in value:
        cls = _our_class(value["__dataclass__"])
        if not dataclasses.is_dataclass(cls):
            raise ValueError("not a dataclass")
        fields = {k: decode(v) for k, v in value["fields"].items()}
        init = {f.name for f in dataclasses.fields(cls) if f.init}
        obj = cls(**{k: v for k, v in fields.items() if k in init})
        for name, field_value in fields.items():
            if name not in init:
                object.__setattr__(obj, name, field_value)
        return obj
    if "__enum__" in value:
        return _our_class(value["__enum__"])(decode(value["value"]))
    return {k: decode(v) for k, v in value.items()}


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    return value


def _our_class(name: str) -> type:
    import importlib

    module_name, _, qualname = name.partition(":")
    if not module_name.startswith("dapr_lint.") or not qualname:
        raise ValueError(f"not a dapr-lint class: {name}")
    obj: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    if not isinstance(obj, type):
        raise ValueError(f"not a class: {name}")
    return obj


def _diagnostic_to_json(d: Diagnostic) -> list:
    fix = None if d.fix is None else [d.fix.safety, d.fix.title]
    related = [[r.path, r.line, r.column, r.end_line, r.end_column, r.message] for r in d.related]
    return [d.code, d.message, d.path, d.line, d.column, d.end_line, d.end_column, fix, d.severity, d.detail, related]


def _diagnostic_from_json(item: list) -> Diagnostic:
    code, message, path, line, column, end_line, end_column, fix, severity, detail, related = item
    return Diagnostic(
        str(code),
        str(message),
        str(path),
        int(line),
        int(column),
        int(end_line),
        int(end_column),
        None if fix is None else Fix(fix[1], safety=fix[0]),
        severity,
        None if detail is None else str(detail),
        tuple(Related(str(p), int(a), int(b), int(c), int(e), str(m)) for p, a, b, c, e, m in related),
    )


# -- the store ---------------------------------------------------------------------------------------------


class Cache:
    """The cache of one project folder, for one set of settings."""

    def __init__(self, directory: Path, settings) -> None:
        self.directory = Path(directory)
        self.base = self.directory / __version__
        self.files = self.base / "files"
        self.projects = self.base / "projects"
        self.settings_key = settings_fingerprint(settings)
        self.settings = settings
        self.code_key = code_fingerprint()
        self.keys: dict[str, str] = {}  # absolute path -> entry key of this run
        self._prepared = False
        self.writable = True

    # keys and names

    def key_of(self, absolute: str, display: str, kind: str, ignored, data: bytes, context: tuple = ()) -> str:
        """`context`: what else the file's result depends on (a `Chart.yaml` beside its `templates/` folder, the
        app folders of a run template)."""
        head = json.dumps([FORMAT, self.code_key, self.settings_key, kind, display, sorted(ignored), *context]).encode()
        digest = hashlib.sha256(head)
        digest.update(b"\0")
        digest.update(data)
        key = digest.hexdigest()
        self.keys[absolute] = key
        return key

    @staticmethod
    def entry_name(absolute: str) -> str:
        encoded = base64.urlsafe_b64encode(absolute.encode("utf-8", "surrogateescape")).decode("ascii").rstrip("=")
        if len(encoded) <= 180:
            return "p" + encoded + ".json"
        return "h" + hashlib.sha256(absolute.encode("utf-8", "surrogateescape")).hexdigest() + ".json"

    @staticmethod
    def path_of_entry(name: str) -> Optional[str]:
        if not (name.startswith("p") and name.endswith(".json")):
            return None
        encoded = name[1:-5]
        try:
            return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8", "surrogateescape")
        except (ValueError, UnicodeDecodeError):
            return None

    # per file

    def get(self, absolute: str, key: str) -> Optional[FileResult]:
        entry = self._read(self.files / self.entry_name(absolute))
        if entry is None or entry.get("path") != absolute or entry.get("key") != key:
            return None
        try:
            result = FileResult(str(entry["display"]))
            result.diagnostics = [_diagnostic_from_json(item) for item in entry["diagnostics"]]
            result.summary = decode(entry["summary"])
            return result
        except Exception:
            return None  # not ours, or from an older shape: recomputed and rewritten

    def put(self, absolute: str, key: str, result: FileResult) -> None:
        if result.errors or result.warnings or result.fixed or result.diff is not None or result.unanalysed:
            return  # never keep a failure, nor the state of a run that changed files
        try:
            entry = {
                "format": FORMAT,
                "path": absolute,
                "key": key,
                "display": result.path,
                "diagnostics": [_diagnostic_to_json(d) for d in result.diagnostics],
                "summary": encode(result.summary),
            }
        except TypeError:
            return
        self._write(self.files / self.entry_name(absolute), entry)

    # per project

    def project_key(self, absolutes: list[str], others=()) -> Optional[str]:
        """The key of a project stage: the keys of its files, and those of the other files whose summaries it
        read (`others`: (path, key) pairs)."""
        keys = [self.keys.get(a) for a in absolutes]
        if any(k is None for k in keys):
            return None
        digest = hashlib.sha256(self.settings_key.encode())
        for absolute, key in sorted(others):
            digest.update(f"other\0{absolute}\0{key}\n".encode("utf-8", "surrogateescape"))
        for absolute, key in sorted(zip(absolutes, keys)):
            digest.update(f"{absolute}\0{key}\n".encode("utf-8", "surrogateescape"))
        # files a project rule reads besides the run's own (Dockerfiles, Procfiles, run scripts)
        digest.update(project_inputs_fingerprint(absolutes, self.settings).encode("utf-8", "surrogateescape"))
        return digest.hexdigest()

    def get_project(self, key: str) -> Optional[dict[str, list[Diagnostic]]]:
        entry = self._read(self.projects / f"{key[:40]}.json")
        if entry is None or entry.get("key") != key:
            return None
        try:
            return {str(path): [_diagnostic_from_json(item) for item in items] for path, items in entry["findings"].items()}
        except Exception:
            return None

    def put_project(self, key: str, results: list[FileResult]) -> None:
        if any(r.errors or r.fixed or r.unanalysed for r in results):
            return
        entry = {
            "format": FORMAT,
            "key": key,
            "findings": {r.path: [_diagnostic_to_json(d) for d in r.diagnostics] for r in results},
        }
        self._write(self.projects / f"{key[:40]}.json", entry)

    # the rule catalog

    def save_catalog(self) -> None:
        if not registry.fully_loaded():
            return
        path = self.base / f"rules-{self.code_key}.json"
        if path.exists():
            return
        specs = [{k: v for k, v in dataclasses.asdict(spec).items() if k != "examples"} for spec in registry.all_rules()]
        self._write(path, {"format": FORMAT, "rules": specs, "summary_codes": sorted(summary_codes())})

    # housekeeping

    def prune(self) -> None:
        """Remove the entries of files that no longer exist, trim project entries, drop other versions."""
        try:
            names = os.listdir(self.files)
        except OSError:
            names = []
        for name in names:
            absolute = self.path_of_entry(name)
            if absolute is None and name.startswith("h") and name.endswith(".json"):
                entry = self._read(self.files / name)
                absolute = entry.get("path") if entry else None
            if name.startswith(".") and _older_than(self.files / name, 3600):
                _unlink(self.files / name)  # a temporary file of a run that died
                continue
            if absolute is None or not os.path.exists(absolute):
                if name.endswith(".json"):
                    _unlink(self.files / name)
        try:
            projects = [self.projects / n for n in os.listdir(self.projects) if n.endswith(".json")]
        except OSError:
            projects = []
        if len(projects) > _PROJECT_ENTRIES_KEPT:
            projects.sort(key=_mtime, reverse=True)
            for stale in projects[_PROJECT_ENTRIES_KEPT:]:
                _unlink(stale)
        try:
            catalogs = [n for n in os.listdir(self.base) if n.startswith("rules-") and n.endswith(".json")]
        except OSError:
            catalogs = []
        for name in catalogs:
            if name != f"rules-{self.code_key}.json":
                _unlink(self.base / name)  # the catalog of code that changed since
        try:
            versions = os.listdir(self.directory)
        except OSError:
            versions = []
        for name in versions:
            other = self.directory / name
            if name != __version__ and other.is_dir() and (other / "files").is_dir():
                import shutil

                shutil.rmtree(other, ignore_errors=True)

    # reading and writing

    def _read(self, path: Path) -> Optional[dict]:
        try:
            with open(path, "rb") as handle:
                entry = json.loads(handle.read())
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("format") != FORMAT:
            return None
        return entry

    def _prepare(self) -> bool:
        if self._prepared:
            return self.writable
        self._prepared = True
        try:
            self.files.mkdir(parents=True, exist_ok=True)
            self.projects.mkdir(parents=True, exist_ok=True)
            ignore = self.directory / ".gitignore"
            if not ignore.exists():
                _write_atomic(ignore, b"# Automatically created by dapr-lint.\n*\n")
            tag = self.directory / "CACHEDIR.TAG"
            if not tag.exists():
                _write_atomic(tag, _TAG.encode())
        except OSError:
            self.writable = False
        return self.writable

    def _write(self, path: Path, entry: dict) -> None:
        if not self._prepare():
            return
        try:
            _write_atomic(path, json.dumps(entry, separators=(",", ":")).encode("utf-8"))
        except (OSError, ValueError, TypeError):
            pass  # a cache that cannot be written only costs time


def load_catalog(directory: Path) -> bool:
    """Give the registry the rule catalog kept by an earlier run of the same code, if there is one."""
    path = Path(directory) / __version__ / f"rules-{code_fingerprint()}.json"
    try:
        with open(path, "rb") as handle:
            entry = json.loads(handle.read())
        if entry.get("format") != FORMAT:
            return False
        specs = [registry.RuleSpec(**spec) for spec in entry["rules"]]
        codes = [str(code) for code in entry["summary_codes"]]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return False
    return registry.preload(specs, codes)


def _write_atomic(path: Path, data: bytes) -> None:
    fd, temporary = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        _unlink(Path(temporary))
        raise


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _mtime(path: Path) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


def _older_than(path: Path, seconds: float) -> bool:
    return time.time() - _mtime(path) > seconds


def run_cached(tasks, settings, cache: Cache, check, extra=(), project=None, extra_keys=None) -> list[FileResult]:
    """engine.run with the cache: per-file results for unchanged files, the project stage's results when
    no file of the project changed, and `check(tasks)` for the rest. `extra`: summaries of the repository's
    files the run does not check (the project stage reads them; its results are then not memoised, since
    they depend on those files too, unless `extra_keys` gives the cache keys of every one of those files).
    `project`: the project stage, called as `project(results, settings, extra)` (engine.run_project_stage);
    None: per-file results only (summaries of such files)."""
    results: list[Optional[FileResult]] = [None] * len(tasks)
    keys: list[Optional[str]] = [None] * len(tasks)
    absolutes = [os.path.abspath(task.path) for task in tasks]
    for index, task in enumerate(tasks):
        data = task.data
        if data is None:
            try:
                with open(task.path, "rb") as handle:
                    data = handle.read()
            except OSError:
                continue  # check_file reports it
        context = (("chart",) if task.chart_template else ()) + run_template_context(task.path, data)
        key = cache.key_of(absolutes[index], task.display, task.kind, task.ignored, data, context)
        keys[index] = key
        results[index] = cache.get(absolutes[index], key)
    misses = [index for index, result in enumerate(results) if result is None]
    if misses:
        fresh = check([tasks[index] for index in misses])
        for index, result in zip(misses, fresh):
            results[index] = result
            key = keys[index]
            if key is not None:
                cache.put(absolutes[index], key, result)
    done: list[FileResult] = [r for r in results if r is not None]
    if project is None:
        cache.prune()
        return done
    extra = list(extra)
    memoisable = all(k is not None for k in keys) and (not extra or extra_keys is not None)
    project_key = cache.project_key(absolutes, extra_keys or ()) if memoisable else None
    memo = cache.get_project(project_key) if project_key is not None and not misses else None
    if memo is not None and set(memo) == {r.path for r in done}:
        for result in done:
            result.diagnostics = memo[result.path]
    else:
        project(done, settings, extra)
        if project_key is not None:
            cache.put_project(project_key, done)
    cache.save_catalog()
    cache.prune()
    return done
