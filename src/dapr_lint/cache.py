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
can report without importing the rule modules (and LibCST with them).

The cache is a plain store: the run's orchestrator (engine/run.py) keys each file (`key_of`), asks (`get`,
`get_project`) and fills (`put`, `put_project`); the cache knows no stage."""

from __future__ import annotations

import base64
import collections.abc
import dataclasses
import hashlib
import json
import os
import re
import stat
import sys
import time
import types
import typing
from pathlib import Path
from typing import Any, Mapping, Optional

from dapr_lint import __version__, reading, registry
from dapr_lint.diagnostics import Diagnostic, FileResult, Fix, Related

CACHE_DIR_NAME = ".dapr-lint_cache"
ENVIRONMENT = "DAPR_LINT_CACHE_DIR"
FORMAT = 1
_PROJECT_ENTRIES_KEPT = 64
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by dapr-lint.\n"


def cache_dir_for(root: Path, explicit: Optional[Path] = None) -> Path:
    """Where the cache of a project (a configuration's folder) lives."""
    # never resolved: a cache folder that is a link is refused (Cache.usable), not followed
    if explicit is not None:
        return Path(os.path.abspath(explicit))
    env = os.environ.get(ENVIRONMENT)
    if env:
        return Path(os.path.abspath(env))
    return Path(root).resolve() / CACHE_DIR_NAME


_CODE_FINGERPRINT: Optional[str] = None


def code_fingerprint() -> str:
    """The version and the package's own files (name, size, modification time): a changed rule, even in
    a development checkout with the same version, is a different rule set."""
    global _CODE_FINGERPRINT
    if _CODE_FINGERPRINT is None:
        package = str(Path(__file__).resolve().parent)
        digest = hashlib.sha256(__version__.encode())
        for folder, dirnames, filenames in os.walk(package):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            inside = os.path.relpath(folder, package)  # once a folder, not once a file
            for name in sorted(filenames):
                if not name.endswith((".py", ".md", ".json", ".yaml")):
                    continue
                path = os.path.join(folder, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                relative = name if inside == "." else os.path.join(inside, name)
                digest.update(f"{relative}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
        _CODE_FINGERPRINT = digest.hexdigest()[:24]
    return _CODE_FINGERPRINT


def settings_fingerprint(settings) -> str:
    data = {
        "enabled": sorted(settings.enabled),
        "options": settings.options,
        "resources": list(settings.resources_paths),
        "unsafe": settings.unsafe_fixes,
        "summaries": settings.summaries,
        # the SDK releases the files are judged against (a changed pin changes what DPR108/DPR109 say)
        "sdk": repr(getattr(settings, "sdk", None)),
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


# -- a typed encoding of summaries, decoded from a closed table of classes -----------------------------------
#
# An entry is data someone else may have written (a shared cache folder, a CI cache restored across jobs, a
# committed folder): decoding it builds only the summary classes of dapr_lint.summaries, found by name in their
# table, and checks every value against the type its field declares. Nothing is imported, no attribute is looked
# up by a name the entry gives, and a value of the wrong type (`"path": [1]`) makes the entry a miss.


def encode(value: Any) -> Any:
    """JSON data for a summary (or any part of one): a dataclass of the summaries' table becomes
    `{"@": name, field: value, ...}`, a tuple, list or set a list, a mapping `{"@map": [[key, value], ...]}`."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)):
        return [encode(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((encode(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, Mapping):
        return {"@map": [[encode(k), encode(v)] for k, v in value.items()]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if _summary_classes().get(name) is not type(value):
            raise TypeError(f"cannot cache a {name}: not a summary class")
        data = {"@": name}
        for item in dataclasses.fields(value):
            data[item.name] = encode(getattr(value, item.name))
        return data
    raise TypeError(f"cannot cache a {type(value).__name__}")


def decode(data: Any, hint: Any = None) -> Any:
    """The value of type `hint` (default: a summary or None) that `encode` gave `data` for; ValueError (or
    TypeError) when `data` is not one."""
    if hint is None:
        from dapr_lint.summaries import Summary

        hint = Optional[Summary]
    return _decode(data, hint)


def _summary_classes() -> Mapping[str, type]:
    # imported when an entry is encoded or decoded: a run the project memo answers builds no summary class
    from dapr_lint.summaries import json_classes

    return json_classes()


def _decode(data: Any, hint: Any) -> Any:
    if hint is Any or hint is object:
        raise ValueError("an untyped value")
    if hint is None or hint is type(None):
        if data is not None:
            raise ValueError("not None")
        return None
    if hint in (str, bool):
        if type(data) is not hint:
            raise ValueError(f"not a {hint.__name__}")
        return data
    if hint is int:
        if type(data) is not int:
            raise ValueError("not an int")
        return data
    if hint is float:
        if type(data) not in (int, float):
            raise ValueError("not a number")
        return float(data)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union or origin is types.UnionType:
        return _decode_union(data, args)
    if origin is typing.Literal:
        if not any(data == arg and type(data) is type(arg) for arg in args):
            raise ValueError("not one of the values it may take")
        return data
    if origin is tuple:
        if type(data) is not list:
            raise ValueError("not a list")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(v, args[0]) for v in data)
        if len(args) != len(data):
            raise ValueError("a tuple of another length")
        return tuple(_decode(v, a) for v, a in zip(data, args))
    if origin is list:
        if type(data) is not list:
            raise ValueError("not a list")
        return [_decode(v, args[0]) for v in data]
    if origin in (set, frozenset, collections.abc.Set):
        if type(data) is not list:
            raise ValueError("not a list")
        items = (_decode(v, args[0]) for v in data)
        return set(items) if origin is set else frozenset(items)
    if origin in (dict, collections.abc.Mapping):
        if type(data) is not dict or set(data) != {"@map"} or type(data["@map"]) is not list:
            raise ValueError("not a mapping")
        result = {}
        for pair in data["@map"]:
            if type(pair) is not list or len(pair) != 2:
                raise ValueError("not a key and a value")
            result[_decode(pair[0], args[0])] = _decode(pair[1], args[1])
        return result
    if isinstance(hint, type) and _summary_classes().get(hint.__name__) is hint:
        return _decode_dataclass(data, hint)
    raise ValueError(f"cannot decode a {hint!r}")


def _decode_union(data: Any, args: tuple) -> Any:
    if data is None:
        if type(None) not in args:
            raise ValueError("None where a value is needed")
        return None
    if type(data) is dict and "@" in data:
        for arg in args:
            if isinstance(arg, type) and arg.__name__ == data["@"]:
                return _decode(data, arg)
        raise ValueError("a class the field does not take")
    for arg in args:
        if arg is type(None):
            continue
        try:
            return _decode(data, arg)
        except (ValueError, TypeError):
            continue
    raise ValueError("none of the types the field takes")


def _decode_dataclass(data: Any, cls: type) -> Any:
    if type(data) is not dict or data.get("@") != cls.__name__:
        raise ValueError(f"not a {cls.__name__}")
    hints = _field_types(cls)
    values = {}
    for name, value in data.items():
        if name == "@":
            continue
        if name not in hints:
            raise ValueError(f"{cls.__name__} has no field {name}")
        values[name] = _decode(value, hints[name][0])
    init = {k: v for k, v in values.items() if hints[k][1]}
    obj = cls(**init)
    for name, value in values.items():
        if not hints[name][1]:
            object.__setattr__(obj, name, value)
    return obj


_FIELD_TYPES: dict[type, dict[str, tuple[Any, bool]]] = {}


def _field_types(cls: type) -> dict[str, tuple[Any, bool]]:
    """field name -> (its declared type, whether __init__ takes it), from the class's own annotations."""
    known = _FIELD_TYPES.get(cls)
    if known is None:
        resolved = typing.get_type_hints(cls)
        known = {f.name: (resolved[f.name], f.init) for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        _FIELD_TYPES[cls] = known
    return known


def diagnostic_to_json(d: Diagnostic) -> list:
    fix = None if d.fix is None else [d.fix.safety, d.fix.title]
    related = [[r.path, r.line, r.column, r.end_line, r.end_column, r.message] for r in d.related]
    return [d.code, d.message, d.path, d.line, d.column, d.end_line, d.end_column, fix, d.severity, d.detail, related]


def diagnostic_from_json(item: Any) -> Diagnostic:
    """A Diagnostic from its cached list; ValueError when the list is not one."""
    if type(item) is not list or len(item) != 11:
        raise ValueError("not a finding")
    code, message, path, line, column, end_line, end_column, fix, severity, detail, related = item
    if not all(type(v) is str for v in (code, message, path)) or not all(type(v) is int for v in (line, column, end_line, end_column)):
        raise ValueError("not a finding")
    if severity not in (None, "error", "warning", "info"):
        raise ValueError("not a severity")
    if fix is not None and (type(fix) is not list or len(fix) != 2 or fix[0] not in (None, "safe", "unsafe") or type(fix[1]) is not str):
        raise ValueError("not a fix")
    if detail is not None and type(detail) is not str:
        raise ValueError("not a detail")
    if type(related) is not list or not all(
        type(r) is list and len(r) == 6 and type(r[0]) is str and type(r[5]) is str and all(type(v) is int for v in r[1:5])
        for r in related
    ):
        raise ValueError("not related locations")
    return Diagnostic(
        code,
        message,
        path,
        line,
        column,
        end_line,
        end_column,
        None if fix is None else Fix(fix[1], safety=fix[0]),
        severity,
        detail,
        tuple(Related(*r) for r in related),
    )


# -- whose folder it is ------------------------------------------------------------------------------------
#
# The cache deletes and writes files, so it works only in a folder that is its own: one it created (it leaves
# its marker there, with CACHEDIR.TAG and a `.gitignore`), or one given empty. A folder that is a link, holds a
# link where the cache keeps its folders, or holds anything else is refused (one warning; the run goes on
# without a cache): a repository can commit `.dapr-lint_cache -> ..`, and `--cache-dir .` names a folder of
# the user's files. Inside its folder the cache deletes only names of its own scheme, in real folders.

_MARKER = ".dapr-lint-cache"
_MARKER_TEXT = b"dapr-lint result cache: this folder was created by dapr-lint, which deletes only the entries it writes here.\n"
_IGNORE_TEXT = b"# Automatically created by dapr-lint.\n*\n"
_ENTRY = re.compile(r"p[A-Za-z0-9_-]{1,180}\.json\Z")
_HASHED_ENTRY = re.compile(r"h[0-9a-f]{64}\.json\Z")
_PROJECT_ENTRY = re.compile(r"[0-9a-f]{40}\.json\Z")
_CATALOG = re.compile(r"rules-[0-9a-f]{24}\.json\Z")
_INDEX = re.compile(r"index-[0-9a-f]{12}-[0-9a-f]{12}\.json\Z")
_TEMPORARY_PREFIX = ".dapr-lint-"
_TEMPORARY = re.compile(r"\.dapr-lint-[A-Za-z0-9_]{1,40}\.tmp\Z")
_VERSION = re.compile(r"[0-9]+\.[0-9][0-9A-Za-z.+_-]{0,40}\Z")
# An entry is a summary and a file's findings: far below this; a larger one is not ours.
_ENTRY_LIMIT = 32 * 1024 * 1024
# The RuleSpec fields only a rule's page shows: a saved catalog leaves them out (no run reads them).
_PAGE_FIELDS = ("examples", "prose")
_WARNED: set[str] = set()


def _is_dir(path: str) -> bool:
    """A real folder (not a link to one)."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _holds(path: str, text: bytes) -> bool:
    try:
        return reading.read_bytes(path, len(text), follow=False) == text
    except OSError:
        return False


def _claim(directory: str) -> Optional[str]:
    """None when `directory` is (now) the cache's own folder; else why it is not used."""
    try:
        info = os.lstat(directory)
    except FileNotFoundError:
        try:
            os.makedirs(directory)
        except FileExistsError:
            return _claim_existing(directory)  # another run created it meanwhile
        except OSError as exc:
            return f"it cannot be created ({exc.strerror or exc})"
        return _mark(directory)
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    if stat.S_ISLNK(info.st_mode):
        return "it is a link"
    return _claim_existing(directory)


def _claim_existing(directory: str) -> Optional[str]:
    if not _is_dir(directory):
        return "it is a link or not a folder"
    try:
        names = os.listdir(directory)
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    if _holds(os.path.join(directory, _MARKER), _MARKER_TEXT) or _holds(os.path.join(directory, "CACHEDIR.TAG"), _TAG.encode()):
        reason = None  # ours (or made by an earlier dapr-lint, whose tag it carries)
    elif all(name == _MARKER or _TEMPORARY.match(name) for name in names):
        reason = None  # empty, or being created by another run
    else:
        return f"it is neither empty nor a dapr-lint cache (no {_MARKER} in it)"
    for name in (__version__, "summaries", os.path.join(__version__, "files"), os.path.join(__version__, "projects")):
        if os.path.lexists(os.path.join(directory, name)) and not _is_dir(os.path.join(directory, name)):
            return f"`{name}` in it is a link or not a folder"  # the cache would read and write through it
    return reason or _mark(directory)


def _mark(directory: str) -> Optional[str]:
    try:
        if not _holds(os.path.join(directory, _MARKER), _MARKER_TEXT):
            _write_atomic(directory, _MARKER, _MARKER_TEXT)
        for name, text in (("CACHEDIR.TAG", _TAG.encode()), (".gitignore", _IGNORE_TEXT)):
            if not os.path.lexists(os.path.join(directory, name)):
                _write_atomic(directory, name, text)
    except OSError as exc:
        return f"it cannot be written ({exc.strerror or exc})"
    return None


def _warn(directory: str, reason: str) -> None:
    if directory in _WARNED:
        return
    _WARNED.add(directory)
    print(f"dapr-lint: warning: not using the cache folder {directory!r}: {reason}; running without a cache", file=sys.stderr)


# -- the store ---------------------------------------------------------------------------------------------


class Cache:
    """The cache of one project folder, for one set of settings. A folder that is not the cache's own (see
    `_claim`) makes every lookup a miss and every write a no-op."""

    def __init__(self, directory: Path, settings) -> None:
        self.directory = Path(os.path.abspath(directory))
        self.base = self.directory / __version__
        self.files = self.base / "files"
        self.projects = self.base / "projects"
        self.settings_key = settings_fingerprint(settings)
        self.code_key = code_fingerprint()
        self._prepared = False
        self.writable = True
        self._refused: Optional[str] = None
        self._claimed = False

    @property
    def usable(self) -> bool:
        """Whether the folder is the cache's own (claimed on first use; a refusal warns once)."""
        if not self._claimed:
            self._claimed = True
            self._refused = _claim(str(self.directory))
            if self._refused is not None:
                self.writable = False
                _warn(str(self.directory), self._refused)
        return self._refused is None

    def child(self, name: str, settings) -> "Cache":
        """A cache in a folder of this one (the summaries of files a run does not check)."""
        return Cache(self.directory / name, settings) if self.usable else _Refused(self.directory / name, settings)

    # keys and names

    def key_of(self, display: str, kind: str, ignored, data: bytes, context: tuple = ()) -> str:
        """`context`: what else the file's result depends on (a `Chart.yaml` beside its `templates/` folder, the
        app folders of a run template)."""
        head = json.dumps([FORMAT, self.code_key, self.settings_key, kind, display, sorted(ignored), *context]).encode()
        digest = hashlib.sha256(head)
        digest.update(b"\0")
        digest.update(data)
        return digest.hexdigest()

    @staticmethod
    def entry_name(absolute: str) -> str:
        encoded = base64.urlsafe_b64encode(absolute.encode("utf-8", "surrogateescape")).decode("ascii").rstrip("=")
        if len(encoded) <= 180:
            return "p" + encoded + ".json"
        return "h" + hashlib.sha256(absolute.encode("utf-8", "surrogateescape")).hexdigest() + ".json"

    @staticmethod
    def path_of_entry(name: str) -> Optional[str]:
        if not (name.startswith("p") and _ENTRY.match(name)):
            return None
        encoded = name[1:-5]
        try:
            absolute = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8", "surrogateescape")
        except (ValueError, UnicodeDecodeError):
            return None
        # only a name the cache writes: an absolute path, encoded exactly so (`package.json` is not one)
        if not os.path.isabs(absolute) or Cache.entry_name(absolute) != name:
            return None
        return absolute

    # per file

    def get(self, absolute: str, key: str) -> Optional[FileResult]:
        entry = self._read(self.files / self.entry_name(absolute))
        try:
            if entry is None or entry.get("path") != absolute or entry.get("key") != key:
                return None
            display = entry["display"]
            if type(display) is not str or type(entry["diagnostics"]) is not list:
                return None
            result = FileResult(display)
            result.diagnostics = [diagnostic_from_json(item) for item in entry["diagnostics"]]
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
                "diagnostics": [diagnostic_to_json(d) for d in result.diagnostics],
                "summary": encode(result.summary),
            }
        except TypeError:
            return
        self._write(self.files, self.entry_name(absolute), entry)

    # per project

    def project_key(self, files: list[tuple[str, str]], others=(), inputs: str = "") -> str:
        """The key of a project stage: the keys of its files (`files`: (path, key) pairs), those of the other
        files whose summaries it read (`others`: the same), and `inputs`: what else the stage reads (where the run's
        root is, the files project rules read besides the run's own: Dockerfiles, Procfiles, run scripts)."""
        digest = hashlib.sha256(self.settings_key.encode())
        for absolute, key in sorted(others):
            digest.update(f"other\0{absolute}\0{key}\n".encode("utf-8", "surrogateescape"))
        for absolute, key in sorted(files):
            digest.update(f"{absolute}\0{key}\n".encode("utf-8", "surrogateescape"))
        digest.update(inputs.encode("utf-8", "surrogateescape"))
        return digest.hexdigest()

    def get_project(self, key: str) -> Optional[dict[str, list[Diagnostic]]]:
        entry = self._read(self.projects / f"{key[:40]}.json")
        try:
            if entry is None or entry.get("key") != key or type(entry["findings"]) is not dict:
                return None
            return {str(path): [diagnostic_from_json(item) for item in items] for path, items in entry["findings"].items()}
        except Exception:
            return None

    def put_project(self, key: str, results: list[FileResult]) -> None:
        if any(r.errors or r.fixed or r.unanalysed for r in results):
            return
        entry = {
            "format": FORMAT,
            "key": key,
            "findings": {r.path: [diagnostic_to_json(d) for d in r.diagnostics] for r in results},
        }
        self._write(self.projects, f"{key[:40]}.json", entry)

    # the stat index: a file whose size and modification time did not change keeps its key (not read, not hashed)

    def _index_name(self) -> str:
        return f"index-{self.code_key[:12]}-{self.settings_key[:12]}.json"

    def read_index(self) -> dict[str, list]:
        """absolute path -> [size, mtime_ns, display, kind, ignored, context, key] as the last run of this code
        and these settings saw it; {} when there is none or it is not ours."""
        entry = self._read(self.base / self._index_name())
        files = entry.get("files") if entry is not None else None
        if type(files) is not dict:
            return {}
        return {path: item for path, item in files.items() if type(path) is str and type(item) is list and len(item) == 7}

    def write_index(self, files: dict[str, list]) -> None:
        self._write(self.base, self._index_name(), {"format": FORMAT, "files": files})

    # the rule catalog

    def save_catalog(self) -> None:
        """Keep the rule catalog for runs served from here."""
        if not registry.fully_loaded() or not self.usable:
            return
        name = f"rules-{self.code_key}.json"
        if os.path.lexists(self.base / name):
            return
        specs = [{k: v for k, v in dataclasses.asdict(spec).items() if k not in _PAGE_FIELDS} for spec in registry.all_rules()]
        self._write(self.base, name, {"format": FORMAT, "rules": specs})

    # housekeeping

    def prune(self) -> None:
        """Remove the entries of files that no longer exist, trim project entries, drop other versions. Only
        names the cache writes, in real folders of its own, are ever removed."""
        if not self.usable or not _is_dir(str(self.base)):
            return
        for name in _listdir(self.files):
            path = self.files / name
            if _TEMPORARY.match(name):
                if _older_than(path, 3600):
                    _unlink(path)  # a temporary file of a run that died
                continue
            absolute = self.path_of_entry(name)
            if absolute is None:
                if not _HASHED_ENTRY.match(name):
                    continue  # not a name the cache writes
                entry = self._read(path)
                found = entry.get("path") if entry else None
                absolute = found if type(found) is str else None
            if absolute is None or not os.path.lexists(absolute):
                _unlink(path)
        projects = [self.projects / n for n in _listdir(self.projects) if _PROJECT_ENTRY.match(n)]
        if len(projects) > _PROJECT_ENTRIES_KEPT:
            projects.sort(key=_mtime, reverse=True)
            for stale in projects[_PROJECT_ENTRIES_KEPT:]:
                _unlink(stale)
        for name in _listdir(self.base):
            if _CATALOG.match(name) and name != f"rules-{self.code_key}.json":
                _unlink(self.base / name)  # the catalog of code that changed since
            if _INDEX.match(name) and not name.startswith(f"index-{self.code_key[:12]}-"):
                _unlink(self.base / name)  # the index of code that changed since
        for name in _listdir(self.directory):
            if name != __version__ and _VERSION.match(name):
                _remove_version(self.directory / name)

    # reading and writing

    def _read(self, path: Path) -> Optional[dict]:
        if not self.usable:
            return None
        try:
            entry = json.loads(reading.read_bytes(path, _ENTRY_LIMIT, follow=False))
        except Exception:  # unreadable, not a regular file, too large, not JSON, nested too deep
            return None
        if not isinstance(entry, dict) or entry.get("format") != FORMAT:
            return None
        return entry

    def _prepare(self) -> bool:
        if self._prepared:
            return self.writable
        self._prepared = True
        if not self.usable:
            return False
        try:
            for folder in (self.base, self.files, self.projects):
                _make_dir(str(folder))
        except OSError:
            self.writable = False
        return self.writable

    def _write(self, folder: Path, name: str, entry: dict) -> None:
        if not self._prepare():
            return
        try:
            _write_atomic(str(folder), name, json.dumps(entry, separators=(",", ":")).encode("utf-8"))
        except (OSError, ValueError, TypeError):
            pass  # a cache that cannot be written only costs time


class _Refused(Cache):
    """The child of a refused cache: refused too, without a second warning."""

    def __init__(self, directory: Path, settings) -> None:
        super().__init__(directory, settings)
        self._claimed = True
        self._refused = "its parent folder is refused"
        self.writable = False


def load_catalog(directory: Path) -> bool:
    """Give the registry the rule catalog kept by an earlier run of the same code, if there is one. Only read
    from a folder that is a cache's (it is not claimed here: a refused folder warns when the run uses it)."""
    folder = os.path.abspath(directory)
    if not _is_dir(folder) or not _is_dir(os.path.join(folder, __version__)):
        return False
    if not (_holds(os.path.join(folder, _MARKER), _MARKER_TEXT) or _holds(os.path.join(folder, "CACHEDIR.TAG"), _TAG.encode())):
        return False
    path = os.path.join(folder, __version__, f"rules-{code_fingerprint()}.json")
    try:
        entry = json.loads(reading.read_bytes(path, _ENTRY_LIMIT, follow=False))
        if entry.get("format") != FORMAT or type(entry["rules"]) is not list:
            return False
        hints = typing.get_type_hints(registry.RuleSpec)
        fields = {f.name for f in dataclasses.fields(registry.RuleSpec) if f.name not in _PAGE_FIELDS}
        specs = [_rule_spec(spec, hints, fields) for spec in entry["rules"]]
    except Exception:
        return False
    return registry.preload(specs)


_RUN = re.compile(r"[0-9a-f]{40}\.json\Z")
_RUNS_KEPT = 16


def read_run(directory: str, key: str) -> Optional[dict]:
    """A whole run kept by write_run (run_memo.py); only from a folder that is a cache's."""
    folder = os.path.abspath(directory)
    if not _is_dir(folder) or not _is_dir(os.path.join(folder, __version__, "runs")):
        return None
    if not (_holds(os.path.join(folder, _MARKER), _MARKER_TEXT) or _holds(os.path.join(folder, "CACHEDIR.TAG"), _TAG.encode())):
        return None
    try:
        entry = json.loads(reading.read_bytes(os.path.join(folder, __version__, "runs", f"{key[:40]}.json"), _ENTRY_LIMIT, follow=False))
    except Exception:
        return None
    if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("key") != key:
        return None
    return entry


def write_run(directory: str, key: str, entry: dict) -> None:
    """Keep a whole run (the most recent few) in a folder that is (now) the cache's own."""
    folder = os.path.abspath(directory)
    if not _is_dir(folder) or _claim(folder) is not None:
        return  # only where the run itself kept its cache
    runs = os.path.join(folder, __version__, "runs")
    try:
        _make_dir(os.path.join(folder, __version__))
        _make_dir(runs)
        _write_atomic(runs, f"{key[:40]}.json", json.dumps({"format": FORMAT, "key": key, **entry}, separators=(",", ":")).encode("utf-8"))
    except (OSError, ValueError, TypeError):
        return
    kept = sorted((Path(runs) / name for name in _listdir(Path(runs)) if _RUN.match(name)), key=_mtime, reverse=True)
    for stale in kept[_RUNS_KEPT:]:
        _unlink(stale)


def _rule_spec(data: Any, hints: dict[str, Any], fields: set[str]) -> registry.RuleSpec:
    """A RuleSpec from the catalog's saved fields, each checked against its declared type (`hints`: RuleSpec's
    field types, `fields`: the names it saves)."""
    if type(data) is not dict:
        raise ValueError("not a rule")
    if not set(data) <= fields:
        raise ValueError("a field RuleSpec does not have")
    return registry.RuleSpec(**{name: _decode(value, hints[name]) for name, value in data.items()})


def _listdir(folder: Path) -> list[str]:
    """The names in a real folder of the cache (none when it is a link)."""
    if not _is_dir(str(folder)):
        return []
    try:
        return os.listdir(folder)
    except OSError:
        return []


def _remove_version(folder: Path) -> None:
    """The folder of another dapr-lint version: its entries, catalogs and temporary files, then the folders if
    they are left empty. Nothing else in it is touched, and no link is followed."""
    if not _is_dir(str(folder)):
        return
    for sub in ("files", "projects"):
        for name in _listdir(folder / sub):
            ours = Cache.path_of_entry(name) is not None or _HASHED_ENTRY.match(name) if sub == "files" else _PROJECT_ENTRY.match(name)
            if ours or _TEMPORARY.match(name):
                _unlink(folder / sub / name)
        if _is_dir(str(folder / sub)):
            _rmdir(folder / sub)
    for name in _listdir(folder):
        if _CATALOG.match(name) or _INDEX.match(name) or _TEMPORARY.match(name):
            _unlink(folder / name)
    _rmdir(folder)


def _make_dir(path: str) -> None:
    try:
        os.mkdir(path)
    except FileExistsError:
        pass
    if not _is_dir(path):
        raise OSError(f"{path} is a link or not a folder")


def _write_atomic(folder: str, name: str, data: bytes) -> None:
    """Write `folder/name` whole or not at all: a temporary file of the cache's own naming, renamed into place
    (a rename replaces a link by the file, never writes through it)."""
    import tempfile  # here: a run that only reads the cache (a warm run) never needs it, nor shutil behind it

    fd, temporary = tempfile.mkstemp(prefix=_TEMPORARY_PREFIX, suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, os.path.join(folder, name))
    except BaseException:
        _unlink(Path(temporary))
        raise


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)  # removes a link itself, never what it points to
    except OSError:
        pass


def _rmdir(path: Path) -> None:
    try:
        os.rmdir(path)  # only when empty
    except OSError:
        pass


def _mtime(path: Path) -> float:
    try:
        return os.lstat(path).st_mtime
    except OSError:
        return 0.0


def _older_than(path: Path, seconds: float) -> bool:
    return time.time() - _mtime(path) > seconds

