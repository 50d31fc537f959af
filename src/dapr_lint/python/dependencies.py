"""Dependency files read as text (never installed, never run): which Dapr distributions a project lists, with
what version constraint, on which line, and the Dapr SDK release a folder pins.

Requirement files (`requirements*.txt`), `pyproject.toml` (PEP 621 and Poetry), `setup.cfg`, `Pipfile`; and the
lock files `uv.lock`, `poetry.lock`, `Pipfile.lock`, whose exact version wins over a range.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import sys
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

from dapr_lint import reading
from dapr_lint.python.sdk_releases import SdkPin, exact_pin, pin_from
from dapr_lint.requirement_files import MANIFEST_FILES, REQUIREMENT_FILE

# The files that list requirements, and the lock files, in the order a folder's pin is looked for.
LOCK_FILES = ("uv.lock", "poetry.lock", "Pipfile.lock")
_MAX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Requirement:
    """One listed distribution: its normalised name, the version constraint (PEP 440 or Poetry), and where the
    requirement stands (1-based line, 0-based columns of its text on that line)."""

    name: str
    specifier: str
    line: int
    column: int
    end_column: int
    extras: tuple[str, ...] = ()


@dataclass(frozen=True)
class DependencyFile:
    """One dependency file as a rule sees it: its display path, its file name, what it lists, and the `dapr`
    version the lock file its tool installs from pins (uv.lock or poetry.lock for pyproject.toml, Pipfile.lock
    for a Pipfile; None: no such lock, or a requirements file, which pip installs as written)."""

    path: str
    name: str
    requirements: tuple[Requirement, ...]
    locked_dapr: Optional[str] = None


# The lock files a manifest's tool installs from (pip reads a requirements file as it is).
_LOCKS_OF = {"pyproject.toml": ("uv.lock", "poetry.lock"), "Pipfile": ("Pipfile.lock",)}


def locked_dapr_beside(path: str) -> Optional[str]:
    """The `dapr` version a manifest's lock file beside it pins; part of the file's cache key (the lock decides
    what DPR110 says of the manifest)."""
    folder = Path(path).parent
    for lock in _LOCKS_OF.get(Path(path).name, ()):
        text = read_text(folder / lock, folder)
        if text is not None:
            version = locked_version(lock, text)
            if version is not None:
                return version
    return None


def dependency_file(display: str, text: str, locked_dapr: Optional[str] = None) -> DependencyFile:
    name = display.replace("\\", "/").rsplit("/", 1)[-1]
    return DependencyFile(display, name, tuple(requirements_of(name, text)), locked_dapr)


@lru_cache(maxsize=4096)
def normalise(name: str) -> str:
    """A distribution name as PEP 503 compares them (the same few hundred recur in every lock file of a run)."""
    return re.sub(r"[-_.]+", "-", name).lower()


# `name[extra,...] <specifier> ; marker` (the specifier may be parenthesised); URLs and options are not requirements.
_REQUIREMENT = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[(?P<extras>[^\]]*)\])?\s*\(?(?P<spec>[^;@#)]*)\)?\s*(?:;.*)?$"
)


def parse_requirement(text: str) -> Optional[tuple[str, tuple[str, ...], str]]:
    match = _REQUIREMENT.match(text)
    if match is None:
        return None
    extras = tuple(e.strip() for e in (match.group("extras") or "").split(",") if e.strip())
    return normalise(match.group("name")), extras, match.group("spec").strip()


def requirements_txt(text: str) -> list[Requirement]:
    found = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].rstrip().rstrip("\\").rstrip()
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "-", "http:", "https:", "git+", "file:", ".", "/")):
            continue
        parsed = parse_requirement(stripped)
        if parsed is None:
            continue
        column = len(line) - len(line.lstrip())
        found.append(Requirement(parsed[0], parsed[2], number, column, len(line), parsed[1]))
    return found


def _locate(lines: list[str], needle: str, start: int = 0) -> tuple[int, int, int]:
    """(line, column, end column) of the first line from `start` holding `needle`; the first line when none does."""
    for index in range(start, len(lines)):
        column = lines[index].find(needle)
        if column >= 0:
            return index + 1, column, column + len(needle)
    return 1, 0, 0


def _strings_requirements(lines: list[str], values: Iterable[Any]) -> list[Requirement]:
    found = []
    for value in values:
        if not isinstance(value, str):
            continue
        parsed = parse_requirement(value)
        if parsed is None:
            continue
        line, column, end = _locate(lines, value.strip())
        found.append(Requirement(parsed[0], parsed[2], line, column, end, parsed[1]))
    return found


def _poetry_requirements(lines: list[str], table: dict, section: str) -> list[Requirement]:
    found = []
    header = next((i for i, line in enumerate(lines) if line.strip().startswith(f"[{section}")), 0)
    for name, constraint in table.items():
        if not isinstance(name, str):
            continue
        extras: tuple[str, ...] = ()
        if isinstance(constraint, dict):
            extras = tuple(e for e in constraint.get("extras", ()) if isinstance(e, str))
            constraint = constraint.get("version", "")
        if not isinstance(constraint, str):
            continue
        specifier = "" if constraint.strip() in ("*", "") else constraint
        line, column, end = _key_position(lines, name, header)
        found.append(Requirement(normalise(name), specifier, line, column, end, extras))
    return found


def _key_position(lines: list[str], key: str, start: int) -> tuple[int, int, int]:
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for index in range(start, len(lines)):
        if pattern.match(lines[index]):
            column = len(lines[index]) - len(lines[index].lstrip())
            return index + 1, column, len(lines[index].rstrip())
    return 1, 0, 0


def pyproject_toml(text: str) -> list[Requirement]:
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return []
    lines = text.splitlines()
    found: list[Requirement] = []
    project = data.get("project")
    if isinstance(project, dict):
        found += _strings_requirements(lines, project.get("dependencies") or ())
        optional = project.get("optional-dependencies")
        if isinstance(optional, dict):
            for values in optional.values():
                if isinstance(values, list):
                    found += _strings_requirements(lines, values)
    groups = data.get("dependency-groups")
    if isinstance(groups, dict):
        for values in groups.values():
            if isinstance(values, list):
                found += _strings_requirements(lines, values)
    poetry = (data.get("tool") or {}).get("poetry") if isinstance(data.get("tool"), dict) else None
    if isinstance(poetry, dict):
        if isinstance(poetry.get("dependencies"), dict):
            found += _poetry_requirements(lines, poetry["dependencies"], "tool.poetry.dependencies")
        for name, group in (poetry.get("group") or {}).items() if isinstance(poetry.get("group"), dict) else ():
            if isinstance(group, dict) and isinstance(group.get("dependencies"), dict):
                found += _poetry_requirements(lines, group["dependencies"], f"tool.poetry.group.{name}.dependencies")
    return found


def setup_cfg(text: str) -> list[Requirement]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return []
    values: list[str] = []
    if parser.has_option("options", "install_requires"):
        values += parser.get("options", "install_requires").splitlines()
    if parser.has_section("options.extras_require"):
        for _, value in parser.items("options.extras_require"):
            values += value.splitlines()
    return _strings_requirements(text.splitlines(), [v for v in values if v.strip()])


def pipfile(text: str) -> list[Requirement]:
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return []
    lines = text.splitlines()
    found: list[Requirement] = []
    for section in ("packages", "dev-packages"):
        table = data.get(section)
        if isinstance(table, dict):
            found += _poetry_requirements(lines, table, section)
    return found


def requirements_of(name: str, text: str) -> list[Requirement]:
    """The requirements a dependency file lists (by its file name); [] for any other file."""
    if name == "pyproject.toml":
        return pyproject_toml(text)
    if name == "setup.cfg":
        return setup_cfg(text)
    if name == "Pipfile":
        return pipfile(text)
    if REQUIREMENT_FILE.match(name):
        return requirements_txt(text)
    return []


# uv.lock and poetry.lock write each package as a table whose first two keys are its name and version; reading
# those lines is what the pin needs, and a whole-file TOML parse of a large lock cost ~0.1 s per read.
_LOCKED_PACKAGE = re.compile(r'^\[\[package\]\][ \t]*\r?\nname = "([^"\\]*)"[ \t]*\r?\nversion = "([^"\\]*)"', re.MULTILINE)


def _locked_packages(text: str) -> Iterator[re.Match]:
    """_LOCKED_PACKAGE.finditer(text), the tables found by their header first: the pattern tried at every line
    start of a large lock file cost ~8 ms a read, finding the few hundred headers ~0.3 ms."""
    position = text.find("[[package]]")
    while position != -1:
        match = _LOCKED_PACKAGE.match(text, position) if position == 0 or text[position - 1] == "\n" else None
        if match is not None:
            yield match
        position = text.find("[[package]]", match.end() if match is not None else position + 1)


def locked_version(name: str, text: str, distribution: str = "dapr") -> Optional[str]:
    """The exact version of a distribution in a lock file (uv.lock, poetry.lock, Pipfile.lock)."""
    if name == "Pipfile.lock":
        try:
            data = json.loads(text)
        except ValueError:
            return None
        for section in ("default", "develop"):
            entry = data.get(section, {}).get(distribution) if isinstance(data.get(section), dict) else None
            if isinstance(entry, dict) and isinstance(entry.get("version"), str):
                return entry["version"].lstrip("=")
        return None
    known_layout = False
    for match in _locked_packages(text):
        if normalise(match.group(1)) == distribution:
            return match.group(2)
        known_layout = True
    if known_layout or not re.search(r"^name\s*=", text, re.MULTILINE):
        return None
    # a layout the fast read does not know (keys reordered, other quoting): the TOML parser decides
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return None
    for package in data.get("package", ()) if isinstance(data.get("package"), list) else ():
        if isinstance(package, dict) and normalise(str(package.get("name", ""))) == distribution:
            version = package.get("version")
            return version if isinstance(version, str) else None
    return None


def read_text(path: Path, within: Optional[Path] = None) -> Optional[str]:
    """A small regular file's text, through the one reader (never a FIFO or device, never a link out of
    `within`); None when it is absent or refused."""
    try:
        return reading.read_bytes(path, _MAX_BYTES, within=within, follow=False).decode("utf-8", errors="replace")
    except OSError:
        return None


class _Folder:
    """One folder's dependency and lock files, each read (and its requirements parsed) at most once: the `dapr`
    pin and the dapr-agents range are read from the same files. A name the folder's listing does not hold is
    not opened (it would not open); a folder that cannot be listed still has its lock files tried by name."""

    def __init__(self, folder: Path, within: Optional[Path]) -> None:
        self.folder = folder
        self.within = within
        try:
            self.names: Optional[list[str]] = sorted(os.listdir(folder))
        except OSError:
            self.names = None
        self._texts: dict[str, Optional[str]] = {}
        self._requirements: dict[str, list[Requirement]] = {}

    def text(self, name: str) -> Optional[str]:
        if name not in self._texts:
            listed = self.names is None or name in self.names
            self._texts[name] = read_text(self.folder / name, self.within) if listed else None
        return self._texts[name]

    def requirements(self, name: str) -> list[Requirement]:
        if name not in self._requirements:
            text = self.text(name)
            self._requirements[name] = requirements_of(name, text) if text is not None else []
        return self._requirements[name]


def _dapr_pin_in(files: _Folder, label: str = "") -> Optional[SdkPin]:
    """The pin one folder's files make (`label`: the folder as the user should read it, with a trailing /)."""
    for lock in LOCK_FILES:
        text = files.text(lock)
        if text is not None:
            version = locked_version(lock, text)
            if version is not None:
                return exact_pin(version, f"{label}{lock}")
    names = files.names
    if names is None:
        return None
    ordered = [n for n in names if n == "requirements.txt"] + [n for n in MANIFEST_FILES if n in names]
    ordered += [n for n in names if REQUIREMENT_FILE.match(n) and n not in ordered]
    for name in ordered:
        for requirement in files.requirements(name):
            if requirement.name == "dapr":
                return pin_from(requirement.specifier, f"{label}{name}:{requirement.line}")
    return None


def _agents_in(files: _Folder, label: str) -> Optional[tuple[str, str, str]]:
    """The dapr-agents releases one folder's lock or dependency files admit."""
    from dapr_lint.python.sdk_releases import agents_range

    for lock in LOCK_FILES:
        text = files.text(lock)
        if text is not None:
            version = locked_version(lock, text, "dapr-agents")
            if version is not None:
                return agents_range(None, version, f"{label}{lock}")
    names = files.names
    if names is None:
        return None
    for name in [n for n in names if n in MANIFEST_FILES or REQUIREMENT_FILE.match(n)]:
        for requirement in files.requirements(name):
            if requirement.name == "dapr-agents":
                return agents_range(requirement.specifier, None, f"{label}{name}:{requirement.line}")
    return None


FolderPins = dict[tuple[Path, Path], tuple[Optional[SdkPin], Optional[tuple[str, str, str]]]]


def pin_for(start: Path, stop: Path, memo: Optional[FolderPins] = None) -> Optional[SdkPin]:
    """The Dapr SDK pin nearest `start` (a folder), looking in it and its parents up to `stop` (inclusive, the
    repository root): the first folder whose lock file or dependency file names `dapr` decides. None when no
    folder does (unpinned). `memo` keeps what each (folder, root) says across calls of one run, so the files of a
    folder shared by many (a repository's lock file) are read once."""
    memo = {} if memo is None else memo
    try:
        start.relative_to(stop)
        folders: list[Path] = []
        for folder in (start, *start.parents):
            folders.append(folder)
            if folder == stop:
                break
    except ValueError:
        folders, stop = [start], start
    dapr: Optional[SdkPin] = None
    agents: Optional[tuple[str, str, str]] = None
    for folder in folders:
        relative = folder.relative_to(stop).as_posix()
        label = "" if relative == "." else relative + "/"
        if (folder, stop) not in memo:
            files = _Folder(folder, stop)
            memo[folder, stop] = (_dapr_pin_in(files, label), _agents_in(files, label))
        here_dapr, here_agents = memo[folder, stop]
        dapr = dapr or here_dapr
        agents = agents or here_agents
        if dapr is not None and agents is not None:
            break
    if agents is not None:
        from dapr_lint.python.sdk_releases import unpinned

        return replace(dapr or unpinned(), agents=agents)
    return dapr


# The distributions SDK 1.19 folded into `dapr` (as extras): pre-1.19 releases of these own the same files
# (`dapr/ext/<name>/`, `flask_dapr/`) as the 1.19 `dapr` wheel, and every one of them requires an unbounded
# `dapr >= X`, so installing one beside a `dapr` that may resolve to 1.19 gives the files two owners.
LEGACY_EXTENSIONS: dict[str, str] = {
    "dapr-ext-fastapi": "fastapi",
    "dapr-ext-grpc": "grpc",
    "dapr-ext-langgraph": "langgraph",
    "dapr-ext-strands": "strands",
    "dapr-ext-workflow": "workflow",
    "flask-dapr": "flask",
}
FOLDED_INTO_DAPR = "1.19"


def legacy_extensions(requirements: Iterable[Requirement], locked_dapr: Optional[str] = None) -> list[tuple[Requirement, str]]:
    """The legacy extension requirements of one dependency file whose `dapr` may resolve to 1.19 or later
    (listed without an upper bound below 1.19, or not listed at all) and is not held below 1.19 by the lock file
    its tool installs from: (requirement, the `dapr` extra that replaces it)."""
    from dapr_lint.python.sdk_releases import admits_from

    if locked_dapr is not None and not admits_from(f"=={locked_dapr}", FOLDED_INTO_DAPR):
        return []
    requirements = list(requirements)
    legacy = [(r, LEGACY_EXTENSIONS[r.name]) for r in requirements if r.name in LEGACY_EXTENSIONS]
    if not legacy:
        return []
    dapr = [r for r in requirements if r.name == "dapr"]
    if dapr and not any(admits_from(r.specifier, FOLDED_INTO_DAPR) for r in dapr):
        return []
    return legacy
