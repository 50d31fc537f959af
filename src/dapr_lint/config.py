"""`[tool.dapr-lint]` in pyproject.toml, CLI overrides, and the rule selection they make together."""

from __future__ import annotations

import copy
import os
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Optional

from dapr_lint import reading, registry, specs
from dapr_lint.options import OPTIONS, ConfigError, OptionSpec  # noqa: F401  (OptionSpec: re-exported)
from dapr_lint.settings import Settings

if TYPE_CHECKING:
    from dapr_lint.python.sdk_releases import SdkPin

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


DEFAULT_EXCLUDE = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".dapr-lint_cache",
    "__pycache__",
    "node_modules",
    "build",
    "dist",
    ".eggs",
    "*.egg-info",
    "site-packages",
)


# -- the configuration ---------------------------------------------------------------------------------


@dataclass
class SelectionLayer:
    select: Optional[list[str]] = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)


@dataclass
class Config:
    root: Path
    source: Optional[Path] = None
    file_layer: SelectionLayer = field(default_factory=SelectionLayer)
    cli_layer: SelectionLayer = field(default_factory=SelectionLayer)
    exclude: list[str] = field(default_factory=lambda: list(DEFAULT_EXCLUDE))
    extend_exclude: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    resources_paths: list[str] = field(default_factory=list)
    test_paths: list[str] = field(default_factory=lambda: list(DEFAULT_TEST_PATHS))
    options: dict[str, Any] = field(default_factory=lambda: {k: v.default for k, v in OPTIONS.items()})
    # `fail-on`: the least severe category whose findings fail the run (None: any finding does). Decides the
    # exit status only, so it is no part of Settings (nor of the cache's keys).
    fail_on: Optional[str] = None
    # `target-sdk = "1.16"`: judge against that SDK line whatever the dependency files say
    target_sdk: Optional[str] = None

    @property
    def exclude_patterns(self) -> list[str]:
        return self.exclude + self.extend_exclude

    def enabled_codes(self) -> frozenset[str]:
        return resolve_selection([self.file_layer, self.cli_layer])

    def ignored_for(self, path: Path) -> frozenset[str]:
        """Codes `per-file-ignores` switches off for one file, and the lifecycle and hygiene rules in test code."""
        if not self.per_file_ignores and not self.test_paths:
            return frozenset()
        rel = relative_posix(path, self.root)
        if rel is None:
            rel = path.resolve().as_posix().lstrip("/")  # outside the configuration's folder: name patterns still apply
        codes: set[str] = set()
        if glob_set(self.test_paths).matches(rel):
            # test code: these rules are off, and --fix leaves the file alone (a test that uses a deprecated API
            # or a bad payload on purpose tests exactly that)
            codes.update(rule.code for rule in specs.all_rules() if rule.off_in_test_code)
            codes.add(NO_FIX)
        universe: Optional[list[str]] = None  # every code: only when a pattern matches (a sorted list of ~100)
        for pattern, selectors in self.per_file_ignores.items():
            if glob_match(pattern, rel):
                universe = specs.codes() if universe is None else universe
                for selector in selectors:
                    codes.update(registry.matching(selector, universe))
        return frozenset(codes)


# Test code: where the lifecycle and hygiene rules are off (RuleSpec.off_in_test_code) and --fix writes nothing.
NO_FIX = "no-fix"  # engine.file_stage.NO_FIX: --fix leaves test code alone
DEFAULT_TEST_PATHS: tuple[str, ...] = ("tests", "test_*.py", "*_test.py", "conftest.py")


_KNOWN_KEYS = {
    "select",
    "ignore",
    "extend-select",
    "exclude",
    "extend-exclude",
    "per-file-ignores",
    "resources-paths",
    "test-paths",
    "fail-on",
    "target-sdk",
} | set(OPTIONS)

# The categories `fail-on` takes, most severe first: a category fails the run with every one before it.
FAIL_ON = ("bug", "practice", "opinion")


def validate_fail_on(value: Any, key: str) -> str:
    if not isinstance(value, str) or value not in FAIL_ON:
        raise ConfigError(f"`{key}` must be one of {', '.join(repr(c) for c in FAIL_ON)}, got {value!r}")
    return value


# In one folder, a dedicated file wins over pyproject.toml (as ruff's ruff.toml does).
CONFIG_FILES = ("dapr-lint.toml", "pyproject.toml")


def config_in(folder: Path) -> Optional[Path]:
    """The configuration file of one folder: `dapr-lint.toml`, else a pyproject.toml with a
    [tool.dapr-lint] table, else None."""
    dedicated = folder / "dapr-lint.toml"
    if dedicated.is_file():
        return dedicated
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file() and "dapr-lint" in _tool_table(_read_toml(pyproject), pyproject):
        return pyproject
    return None


def _tool_table(data: dict, path: Path) -> dict:
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: `tool` must be a table, got {tool!r}")
    return tool


def find_config(start: Path) -> Optional[Path]:
    """The nearest configuration (`dapr-lint.toml`, or pyproject.toml with a [tool.dapr-lint] table),
    walking up from `start`."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        found = config_in(candidate)
        if found is not None:
            return found
    return None


_MAX_CONFIG_SIZE = 16 << 20
# A configuration file's parsed TOML by its bytes: a run finds its configuration before the rule catalog is
# loaded (the cache's), then again to resolve every folder; TOML is parsed in pure Python.
_PARSED_TOML: dict[tuple[str, bytes], dict] = {}


def _read_toml(path: Path) -> dict:
    try:
        data = reading.read_bytes(path, _MAX_CONFIG_SIZE + 1, head=True)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > _MAX_CONFIG_SIZE:
        raise ConfigError(f"{path}: larger than {_MAX_CONFIG_SIZE >> 20} MiB; not a configuration file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}: not valid UTF-8 (byte {exc.start + 1}, line {line}); TOML files are UTF-8") from None
    known = _PARSED_TOML.get((str(path), data))
    if known is not None:
        return copy.deepcopy(known)
    try:
        parsed = tomllib.loads(text)
        if len(_PARSED_TOML) < 64:
            _PARSED_TOML[(str(path), data)] = copy.deepcopy(parsed)
        return parsed
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None


def _table_of(path: Path) -> Any:
    data = _read_toml(path)
    table = _tool_table(data, path).get("dapr-lint")
    if table is None:
        # A dedicated file (dapr-lint.toml) holds the keys at the top level.
        table = {} if path.name == "pyproject.toml" else data
    if not isinstance(table, dict):
        raise ConfigError(f"[tool.dapr-lint] in {path}: expected a table, got {table!r}")
    return table


def load_config(explicit: Optional[Path], start: Path) -> Config:
    """Read the configuration: `--config FILE` if given, else the nearest configuration of `start`."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"--config: no such file: {explicit}")
        return _config_from_table(_table_of(explicit), explicit.resolve().parent, explicit)
    found = find_config(start)
    if found is None:
        return Config(root=Path.cwd().resolve())
    return _config_from_table(_table_of(found), found.resolve().parent, found)


def _config_from_table(table: Any, root: Path, source: Optional[Path], where: Optional[str] = None) -> Config:
    if where is None:
        where = f"[tool.dapr-lint] in {source}" if source is None or source.name == "pyproject.toml" else str(source)
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table")
    config = Config(root=root, source=source)
    for key, _value in table.items():
        if key not in _KNOWN_KEYS:
            suggestion = _suggest(key, sorted(_KNOWN_KEYS))
            raise ConfigError(f"{where}: unknown key `{key}`{suggestion}")
    try:
        if "select" in table:
            config.file_layer.select = validate_selectors(table["select"], "select")
        if "extend-select" in table:
            config.file_layer.extend_select = validate_selectors(table["extend-select"], "extend-select")
        if "ignore" in table:
            config.file_layer.ignore = validate_selectors(table["ignore"], "ignore")
        if "exclude" in table:
            config.exclude = _glob_list(table["exclude"], "exclude")
        if "extend-exclude" in table:
            config.extend_exclude = _glob_list(table["extend-exclude"], "extend-exclude")
        if "resources-paths" in table:
            config.resources_paths = _string_list(table["resources-paths"], "resources-paths")
        if "target-sdk" in table:
            config.target_sdk = _target_sdk(table["target-sdk"])
        if "test-paths" in table:
            config.test_paths = _glob_list(table["test-paths"], "test-paths")
        if "per-file-ignores" in table:
            pfi = table["per-file-ignores"]
            if not isinstance(pfi, dict):
                raise ConfigError("`per-file-ignores` must be a table of glob = [codes]")
            config.per_file_ignores = {
                validate_glob(str(pattern), f"per-file-ignores.{pattern}"): validate_selectors(codes, f"per-file-ignores.{pattern}")
                for pattern, codes in pfi.items()
            }
        if "fail-on" in table:
            config.fail_on = validate_fail_on(table["fail-on"], "fail-on")
        for key, spec in OPTIONS.items():
            if key in table:
                config.options[key] = spec.validate(key, table[key])
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return config


def _target_sdk(value: Any) -> str:
    from dapr_lint.python.sdk_releases import RELEASES_KNOWN, target_pin

    if not isinstance(value, str) or target_pin(value, "target-sdk") is None:
        raise ConfigError(
            f"`target-sdk` must name a Dapr Python SDK release or line dapr-lint knows ({RELEASES_KNOWN}), got {value!r}"
        )
    return value.strip()


def _glob_list(value: Any, key: str) -> list[str]:
    return [validate_glob(pattern, key) for pattern in _string_list(value, key)]


def _string_list(value: Any, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"`{key}` must be a list of strings, got {value!r}")
    return list(value)


def _suggest(word: str, choices: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean `{close[0]}`?)" if close else ""


def validate_selectors(value: Any, key: str) -> list[str]:
    """Codes, prefixes (`DPR1`) or `ALL`; each must name at least one rule."""
    if isinstance(value, str):
        value = [v for v in re.split(r"[,\s]+", value) if v]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"`{key}` must be a list of rule codes, got {value!r}")
    universe = specs.codes()
    result = []
    for selector in value:
        normalized = selector.strip().upper()
        if not normalized:  # "" is a prefix of every code: it would select or ignore every rule
            raise ConfigError(f"`{key}`: an empty rule code; name a code (DPR101), a prefix (DPR1) or ALL")
        if not registry.matching(normalized, universe):
            known = _suggest(normalized, universe)
            raise ConfigError(f"`{key}`: unknown rule code or prefix `{selector}`{known}")
        result.append(normalized)
    return result


def resolve_selection(layers: list[SelectionLayer]) -> frozenset[str]:
    """Which rules run. Each layer (the file, then the command line) starts from the previous result:
    `select` replaces it, `extend-select` adds, `ignore` removes; within a layer the most specific
    selector that names a rule decides (`ignore = ["DPR1"]` with `extend-select = ["DPR101"]` keeps
    DPR101), and on a tie `ignore` wins."""
    rules = specs.all_rules()
    enabled = {r.code for r in rules if r.default_enabled}
    for layer in layers:
        updated: set[str] = set()
        for rule in rules:
            best: Optional[tuple[int, bool]] = None
            for selector in (layer.select or []) + layer.extend_select:
                if _matches(selector, rule.code):
                    candidate = (_specificity(selector), True)
                    if best is None or candidate[0] > best[0]:
                        best = candidate
            for selector in layer.ignore:
                if _matches(selector, rule.code):
                    candidate = (_specificity(selector), False)
                    if best is None or candidate[0] >= best[0]:
                        best = candidate
            if best is not None:
                state = best[1]
            elif layer.select is not None:
                state = False
            else:
                state = rule.code in enabled
            if rule.code == registry.DPR001.code and not state:
                # Parse errors are always reported unless DPR001 itself (or DPR0/DPR00) is ignored.
                state = not any(_matches(s, rule.code) and _specificity(s) > 3 for s in layer.ignore)
            if state:
                updated.add(rule.code)
        enabled = updated
    return frozenset(enabled)


def _matches(selector: str, code: str) -> bool:
    return selector == "ALL" or code.startswith(selector)


def _specificity(selector: str) -> int:
    return 0 if selector == "ALL" else len(selector)


# -- paths and globs -----------------------------------------------------------------------------------


def link_path(path: Path) -> Path:
    """The absolute path with its folders resolved but its last part kept: a symbolic link to a file
    elsewhere (a module shared between services) stays where it is linked."""
    return Path(linked(path))


def linked(path) -> str:
    """link_path as a string. The last part is kept whether or not it is a link (resolving a part that is no
    link changes nothing), so only the folder is resolved: once per folder and run (_REAL_FOLDERS)."""
    absolute = os.path.abspath(path)
    folder, name = os.path.split(absolute)
    if not name:
        return os.path.realpath(absolute)
    return os.path.join(real_folder(folder), name)


def real_folder(folder: str) -> str:
    """os.path.realpath of an absolute folder, resolved once per run (_REAL_FOLDERS)."""
    real = _REAL_FOLDERS.get(folder)
    if real is None:
        real = os.path.realpath(folder)
        if len(_REAL_FOLDERS) < 65536:
            _REAL_FOLDERS[folder] = real
    return real


def real_path(path) -> str:
    """os.path.realpath of a file's path, with its folder resolved once per run (_REAL_FOLDERS) and the file itself
    asked whether it is a link (one lstat, where realpath asks every part of the path). A path with a `..` is
    resolved whole: realpath follows a link before the `..` that leaves it, abspath would drop both."""
    text = os.fspath(path)
    if ".." in text.split(os.sep) or (os.altsep is not None and ".." in text.split(os.altsep)):
        return os.path.realpath(text)
    resolved = linked(text)
    return os.path.realpath(resolved) if os.path.islink(resolved) else resolved


# A folder's resolved path, for the files of one run (a walk of 400 files resolved every folder of every file
# again: ~40 % of a warm run's discovery). Emptied when a run or a walk starts, so a long-lived process (the
# language server) sees a link that changed between runs.
_REAL_FOLDERS: dict[str, str] = {}


def forget_real_folders() -> None:
    _REAL_FOLDERS.clear()


def relative_posix(path: Path, root: Path) -> Optional[str]:
    if os.sep != "/":
        try:
            return link_path(path).relative_to(root).as_posix()
        except ValueError:
            return None
    return path_below(linked(path), str(root) if isinstance(root, Path) else str(Path(root)))


def path_below(absolute: str, root: str) -> Optional[str]:
    """`Path(absolute).relative_to(root).as_posix()` for a normalized absolute path, None when not below."""
    if absolute == root:
        return "."
    prefix = root if root.endswith("/") else root + "/"
    return absolute[len(prefix) :] if absolute.startswith(prefix) else None


# Globs are matched by our own matcher, segment by segment, in time proportional to pattern length times
# path length: a regular expression with many `[^/]*` backtracks exponentially on a path that does not match.


class GlobError(ValueError):
    """A glob that cannot match as written (an empty or reversed character class)."""


def _segment_tokens(segment: str) -> tuple:
    """A pattern segment as tokens: a literal character, "?" (any one), "*" (any run), or a class
    ("[", negated, ((low, high), ...)). An unclosed `[` is a literal."""
    tokens: list = []
    i = 0
    while i < len(segment):
        ch = segment[i]
        if ch == "*":
            while i + 1 < len(segment) and segment[i + 1] == "*":
                i += 1  # `**` inside a segment is `*`
            if not tokens or tokens[-1] != "*":
                tokens.append("*")
        elif ch == "?":
            tokens.append("?")
        elif ch == "[":
            start = i + 1
            negated = start < len(segment) and segment[start] in "!^"
            if negated:
                start += 1
            end = segment.find("]", start + 1 if start < len(segment) and segment[start] == "]" else start)
            if end == -1:
                tokens.append(("lit", ch))
                i += 1
                continue
            body = segment[start:end]
            if not body:
                raise GlobError("an empty character class `[]`")
            ranges = []
            k = 0
            while k < len(body):
                if k + 2 < len(body) and body[k + 1] == "-":
                    low, high = body[k], body[k + 2]
                    if low > high:
                        raise GlobError(f"a reversed range `{low}-{high}` in `[{body}]`")
                    ranges.append((low, high))
                    k += 3
                else:
                    ranges.append((body[k], body[k]))
                    k += 1
            tokens.append(("[", negated, tuple(ranges)))
            i = end
        else:
            tokens.append(("lit", ch))
        i += 1
    return tuple(tokens)


def _token_matches(token, ch: str) -> bool:
    if token == "?":
        return ch != "/"
    if token[0] == "lit":
        return token[1] == ch
    inside = any(low <= ch <= high for low, high in token[2])
    return inside != token[1]


def _segment_match(tokens: tuple, text: str) -> bool:
    """Wildcard matching with one remembered star: O(len(tokens) * len(text)), never exponential."""
    t = c = 0
    star_t, star_c = -1, 0
    while c < len(text):
        if t < len(tokens) and tokens[t] == "*":
            star_t, star_c = t, c
            t += 1
        elif t < len(tokens) and _token_matches(tokens[t], text[c]):
            t += 1
            c += 1
        elif star_t != -1:
            t = star_t + 1
            star_c += 1
            c = star_c
        else:
            return False
    while t < len(tokens) and tokens[t] == "*":
        t += 1
    return t == len(tokens)


_GLOB_CACHE: dict[str, tuple] = {}
_NAME_MATCHES: dict[tuple[str, str], bool] = {}


def compile_glob(pattern: str) -> tuple:
    """(anchored, segments) of a pattern; `**` as a whole segment is the token "**". Raises GlobError."""
    compiled = _GLOB_CACHE.get(pattern)
    if compiled is not None:
        return compiled
    text = pattern.strip()
    if text.startswith("./"):
        text = text[2:]
    text = text.rstrip("/")
    anchored = "/" in text
    parts = text.lstrip("/").split("/") if anchored else [text]
    segments = tuple("**" if part == "**" else _segment_tokens(part) for part in parts)
    compiled = (anchored, segments)
    if len(_GLOB_CACHE) < 4096:
        _GLOB_CACHE[pattern] = compiled
    return compiled


def validate_glob(pattern: str, key: str) -> str:
    try:
        compile_glob(pattern)
    except GlobError as exc:
        raise ConfigError(f"`{key}`: invalid glob `{pattern}`: {exc}") from None
    return pattern


def glob_match(pattern: str, rel_path: str) -> bool:
    """Whether a root-relative posix path (or one of its folders) matches a glob.

    A pattern with no `/` matches a file or folder name at any depth (`venv`, `*_pb2.py`); one with a `/`
    is anchored at the configuration's folder (`tests/fixtures`, `src/**/generated_*.py`). `*`, `?` and
    `[...]` stay within one segment; `**` as a whole segment stands for any number of segments. A pattern
    that matches a folder covers everything inside it."""
    anchored, segments = compile_glob(pattern)
    parts = rel_path.split("/")
    if not anchored:
        # the folders of a walk's files repeat: each name is matched once per pattern
        for part in parts:
            key = (pattern, part)
            hit = _NAME_MATCHES.get(key)
            if hit is None:
                hit = _segment_match(segments[0], part)
                if len(_NAME_MATCHES) < 65536:
                    _NAME_MATCHES[key] = hit
            if hit:
                return True
        return False
    # match[j]: the pattern's segments from i on match a prefix of the path's segments from j on
    count = len(parts)
    following = [True] * (count + 1)  # past the last pattern segment: any rest (a folder's contents)
    for index in range(len(segments) - 1, -1, -1):
        segment = segments[index]
        current = [False] * (count + 1)
        for j in range(count, -1, -1):
            if segment == "**" and index == len(segments) - 1:
                current[j] = j < count  # a trailing `/**`: what is inside, not the folder itself
            elif segment == "**":
                current[j] = following[j] or (j < count and current[j + 1])
            else:
                current[j] = j < count and following[j + 1] and _segment_match(segment, parts[j])
        following = current
    return following[0]


class GlobSet:
    """Whether any of several globs matches a path: `any(glob_match(p, rel_path) for p in patterns)`, with the
    patterns that match a name at any depth decided once per name for all of them (the names of a run's paths
    repeat: its folders, `__init__.py`), a name without a wildcard by a set lookup."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self.anchored: list[str] = []
        self.literals: set[str] = set()
        self.wildcards: list[tuple] = []
        for pattern in patterns:
            anchored, segments = compile_glob(pattern)
            if anchored:
                self.anchored.append(pattern)
            elif all(token[0] == "lit" for token in segments[0]):
                self.literals.add("".join(token[1] for token in segments[0]))
            else:
                self.wildcards.append(segments[0])
        self._names: dict[str, bool] = {}

    def matches(self, rel_path: str) -> bool:
        for name in rel_path.split("/"):
            hit = self._names.get(name)
            if hit is None:
                hit = name in self.literals or any(_segment_match(tokens, name) for tokens in self.wildcards)
                if len(self._names) < 65536:
                    self._names[name] = hit
            if hit:
                return True
        return any(glob_match(pattern, rel_path) for pattern in self.anchored)


_GLOB_SETS: dict[tuple[str, ...], GlobSet] = {}


def glob_set(patterns: Iterable[str]) -> GlobSet:
    """The GlobSet of a list of patterns, built once per list."""
    key = tuple(patterns)
    found = _GLOB_SETS.get(key)
    if found is None:
        found = GlobSet(key)
        if len(_GLOB_SETS) < 256:
            _GLOB_SETS[key] = found
    return found


# -- the effective settings of each file ---------------------------------------------------------------


@dataclass
class CommandLine:
    """What the command line (or an editor, or flake8) says about settings; it overrides every file."""

    config_file: Optional[Path] = None
    # `--config KEY=VALUE` pairs, as one TOML table applied over each configuration file's table
    overrides: dict[str, Any] = field(default_factory=dict)
    selection: SelectionLayer = field(default_factory=SelectionLayer)
    exclude: Optional[list[str]] = None
    extend_exclude: list[str] = field(default_factory=list)
    resources_paths: list[str] = field(default_factory=list)  # absolute folders
    fix_mode: Optional[str] = None
    unsafe_fixes: bool = False


def parse_override(text: str) -> dict[str, Any]:
    """One `--config KEY=VALUE` argument (a line of TOML, as ruff takes it), validated like a file's key."""
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"--config: `{text}` is neither a file nor a TOML `KEY = VALUE` pair ({exc})"
        ) from None
    _config_from_table(table, Path.cwd(), None, where=f"--config `{text}`")
    return table


_UNKNOWN = object()


class Resolver:
    """The one place that computes the effective configuration and settings of a file: the nearest
    configuration file of that file (or `--config FILE` for every file), with the command line's
    overrides on top. Folders and files are read once per resolver."""

    def __init__(self, cli: Optional[CommandLine] = None, cwd: Optional[Path] = None) -> None:
        self.cli = cli or CommandLine()
        self.cwd = (cwd or Path.cwd()).resolve()
        self._folders: dict[Path, Optional[Path]] = {}
        self._configs: dict[Optional[Path], Config] = {}
        self._settings: dict[int, Settings] = {}
        self._pins: dict[Path, Optional["SdkPin"]] = {}
        self._folder_pins: dict = {}
        self._git_roots: dict[Path, Optional[Path]] = {}
        if self.cli.config_file is not None and not self.cli.config_file.is_file():
            raise ConfigError(f"--config: no such file: {self.cli.config_file}")

    def source_for(self, path: Path) -> Optional[Path]:
        """The configuration file that applies to `path` (None: the defaults)."""
        if self.cli.config_file is not None:
            return self.cli.config_file.resolve()
        path = path if path.is_absolute() else self.cwd / path
        folder = path if path.is_dir() else path.parent
        folder = Path(os.path.normpath(folder))
        known = self._folders.get(folder, _UNKNOWN)
        if known is not _UNKNOWN:  # the files of a folder share it (and a walk gives hundreds of them)
            return known  # type: ignore[return-value]
        walked = []
        found: Optional[Path] = None
        for candidate in (folder, *folder.parents):
            if candidate in self._folders:
                found = self._folders[candidate]
                break
            walked.append(candidate)
            found = config_in(candidate)
            if found is not None:
                break
        for candidate in walked:
            if found is None or candidate == found.parent or _is_under(candidate, found.parent):
                self._folders[candidate] = found
        return found

    def config_for(self, path: Path) -> Config:
        return self._config(self.source_for(path))

    def configs(self) -> list[Config]:
        """The configurations read so far."""
        return list(self._configs.values())

    def _config(self, source: Optional[Path]) -> Config:
        config = self._configs.get(source)
        if config is not None:
            return config
        table = dict(_table_of(source)) if source is not None else {}
        table.update(self.cli.overrides)
        if source is None:
            config = _config_from_table(table, self.cwd, None, where="--config")
        else:
            config = _config_from_table(table, source.parent, source)
        config.cli_layer = self.cli.selection
        if self.cli.exclude is not None:
            config.exclude = list(self.cli.exclude)
        config.extend_exclude = config.extend_exclude + list(self.cli.extend_exclude)
        self._configs[source] = config
        return config

    def settings_for(self, path: Path) -> Settings:
        """The settings of one file, with the SDK releases its project admits."""
        settings = self.settings_of(self.config_for(path))
        sdk = self.sdk_for(path)
        return settings if sdk == settings.sdk else replace(settings, sdk=sdk)

    def sdk_for(self, path: Path) -> Optional["SdkPin"]:
        """The Dapr SDK releases a file is judged against: `target-sdk` of its configuration, else the pin of the
        nearest dependency or lock file naming `dapr` (dependencies.pin_for), looked for up to the repository
        root; None: unpinned (the newest release)."""
        from dapr_lint.python import dependencies
        from dapr_lint.python.sdk_releases import target_pin

        config = self.config_for(path)
        if config.target_sdk is not None:
            where = config.source.name if config.source is not None else "--config"
            return target_pin(config.target_sdk, f"target-sdk in {where}")
        path = path if path.is_absolute() else self.cwd / path
        folder = Path(os.path.normpath(path if path.is_dir() else path.parent))
        if folder not in self._pins:
            self._pins[folder] = dependencies.pin_for(folder, self._pin_root(folder, config), self._folder_pins)
        return self._pins[folder]

    def _pin_root(self, folder: Path, config: Config) -> Path:
        """How far up a pin is looked for: the git work tree, else the configuration's folder, else the working
        folder when the file is below it, else the file's own folder (never above what the user named)."""
        git_root = self._git_root(folder)
        if git_root is not None:
            return git_root
        for root in ((config.root,) if config.source is not None else ()) + (self.cwd,):
            if _is_under(folder, root):
                return root
        return folder

    def _git_root(self, folder: Path) -> Optional[Path]:
        """The nearest folder at or above `folder` holding `.git`; each folder is asked once per resolver (the
        folders of a repository share their answer)."""
        known = self._git_roots.get(folder, _UNKNOWN)
        if known is not _UNKNOWN:
            return known  # type: ignore[return-value]
        walked = []
        found: Optional[Path] = None
        for candidate in (folder, *folder.parents):
            known = self._git_roots.get(candidate, _UNKNOWN)
            if known is not _UNKNOWN:
                found = known  # type: ignore[assignment]
                break
            walked.append(candidate)
            if (candidate / ".git").exists():
                found = candidate
                break
        for candidate in walked:
            self._git_roots[candidate] = found
        return found

    def settings_of(self, config: Config) -> Settings:
        settings = self._settings.get(id(config))
        if settings is None:
            resources = [str(config.root / p) for p in config.resources_paths] + list(self.cli.resources_paths)
            settings = Settings(
                enabled=config.enabled_codes(),
                options=dict(config.options),
                resources_paths=tuple(resources),
                fix_mode=self.cli.fix_mode,
                unsafe_fixes=self.cli.unsafe_fixes,
            )
            self._settings[id(config)] = settings
        return settings


def _is_under(folder: Path, root: Path) -> bool:
    try:
        folder.relative_to(root)
        return True
    except ValueError:
        return False
