"""Discovery: command-line paths -> the files to check, each with its kind (python or yaml).

Nothing here runs a program: `.gitignore` files are read by us (with `pathspec`), never by calling `git`, so a
repository's configured commands (`core.fsmonitor`, hooks) cannot run when it is linted. Only regular files are
ever opened: FIFOs, sockets and devices are skipped before anything reads them, and symbolic links to folders are
not followed (so a link loop cannot make the walk endless)."""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from dapr_lint import reading
from dapr_lint.config import Config, ConfigError, forget_real_folders, glob_match, glob_set, link_path, linked, path_below, real_folder, real_path, relative_posix
from dapr_lint.requirement_files import is_dependency_file
from dapr_lint.roots import RunRoot, project_root, run_root

PYTHON_SUFFIXES = (".py", ".pyw")
YAML_SUFFIXES = (".yaml", ".yml")

# Pruned during the walk (the configured excludes are matched later; these are just the obviously heavy ones).
_PRUNED = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__"})
# A .gitignore larger than this is not read (it would be a hostile one): its folder is walked without it.
_MAX_IGNORE_FILE = 1 << 20


@dataclass(frozen=True)
class SourceFile:
    path: Path
    kind: str  # "python" | "yaml" | "dependencies"
    # content that does not come from disk (standard input, an editor's buffer), and the name to report
    data: Optional[bytes] = None
    display: Optional[str] = None


@dataclass
class Skipped:
    """What discovery passed over with a warning. `unreadable` counts paths that could not be read
    (permission denied and the like): when nothing could be checked because of them, the run exits 2."""

    unreadable: list[str] = field(default_factory=list)


def kind_of(path: Path, named: bool = False) -> Optional[str]:
    """python, yaml, dependencies or None. A file named on the command line without an extension is Python when
    its first line is a Python shebang (`#!/usr/bin/env python3`), as pre-commit's `types: [python]` has it."""
    kind = _kind_of_name(path.name)
    if kind is None and named and not path.suffix and _python_shebang(path):
        return "python"
    return kind


def _kind_of_name(name: str) -> Optional[str]:
    """kind_of by the file name alone (what a walk decides before it builds a path)."""
    dot = name.rfind(".")
    suffix = name[dot:].lower() if 0 < dot < len(name) - 1 else ""  # PurePath(name).suffix
    if suffix in PYTHON_SUFFIXES:
        return "python"
    if suffix in YAML_SUFFIXES:
        return "yaml"
    if is_dependency_file(name):
        return "dependencies"
    return None


_SHEBANG = re.compile(rb"^#!\s*(?:\S*/)?(?:env\s+(?:-\S+\s+)*)?(?:python|pypy)[0-9.]*\b")


def _python_shebang(path: Path) -> bool:
    try:
        first = reading.read_bytes(path, 256, head=True)
    except OSError:
        return False
    return bool(_SHEBANG.match(first))


# The folders walked in this run, with the files each kept: the repository around the named paths is the
# folder the command line named more often than not (`dapr-lint check .`), and is then not walked twice.
_WALKS: Optional[dict] = None


@contextmanager
def one_walk_per_folder() -> Iterator[None]:
    """Within it, a folder is walked once: a walk that says nothing (the run's repository, walked again for the
    project stage) reuses what an earlier one of the same folder and configuration kept."""
    global _WALKS
    outer = _WALKS
    _WALKS = {} if outer is None else outer
    try:
        yield
    finally:
        _WALKS = outer


def discover(
    paths: Iterable[Path],
    config,
    warn: Optional[Callable[[str], None]] = None,
    force_exclude: bool = False,
    skipped: Optional[Skipped] = None,
) -> list[SourceFile]:
    """Files under `paths`: `.gitignore` is honoured inside a git work tree, `exclude`/`extend-exclude`
    everywhere; a file named on the command line is always checked, unless `force_exclude` (for
    pre-commit, which names every staged file). `config` is one Config, or a function giving the Config
    of a path (each file's nearest configuration decides its exclusions).

    When every argument is a file that cannot be checked, that is a usage error, never a silent pass."""
    config_for = config if callable(config) else (lambda _path: config)
    unlintable: list[str] = []
    paths = list(paths)
    say = warn if warn is not None else (lambda message: None)
    skipped = skipped if skipped is not None else Skipped()
    found: dict[str, tuple[bool, SourceFile]] = {}
    forget_real_folders()  # links are resolved as they are now

    def add(path: Path, kind: str, is_link: bool) -> None:
        # One file reached twice (a link and its target both in the run) is checked once, under the
        # path that is not a link when there is one.
        key = os.path.realpath(path) if is_link else linked(path)
        previous = found.get(key)
        if previous is None or (previous[0] and not is_link):
            found[key] = (is_link, SourceFile(path, kind))

    for raw in paths:
        path = Path(raw)
        try:
            info = os.stat(path)
        except OSError as exc:
            if exc.errno in (errno.ENOENT, errno.ENOTDIR):
                raise ConfigError(f"no such file or directory: {raw}") from None
            if exc.errno == errno.ELOOP:
                say(f"skipping {raw}: symbolic link loop")
                continue
            say(f"skipping {raw}: {exc.strerror}")
            skipped.unreadable.append(str(raw))
            continue
        if stat.S_ISDIR(info.st_mode):
            walk_key = (os.path.abspath(path), getattr(config, "__self__", config))
            walked = _WALKS.get(walk_key) if _WALKS is not None and warn is None else None
            if walked is None:
                walked = []
                excludes: dict[int, _Excludes] = {}  # by Config: one per configuration the walk meets
                folder: Optional[Path] = None
                for directory, candidate, relative, kind, is_link in _Walker(say, skipped).files_under(path):
                    if directory is not folder:  # the files of a folder come together and share its Config
                        folder = directory
                        cfg = config_for(candidate)
                        matcher = excludes.get(id(cfg))
                        if matcher is None:
                            matcher = excludes[id(cfg)] = _Excludes(path, cfg.root, cfg.exclude_patterns)
                    if not matcher.excluded(candidate):
                        walked.append((relative, kind, is_link))
                if _WALKS is not None:
                    _WALKS[walk_key] = walked
            for relative, kind, is_link in walked:
                add(path / relative, kind, is_link)
            continue
        if not stat.S_ISREG(info.st_mode):  # never opened: a FIFO would block, a device never ends
            say(f"skipping {raw}: {_file_type(info.st_mode)}, not a regular file")
            unlintable.append(f"{raw} is {_file_type(info.st_mode)}, not a regular file")
            continue
        kind = kind_of(path, named=True)
        if kind is None:
            say(f"skipping {raw}: not a Python file (by extension or shebang) or a YAML file")
            unlintable.append(f"{raw} is not a Python or YAML file")
            continue
        if not os.access(path, os.R_OK):
            say(f"skipping {raw}: permission denied")
            skipped.unreadable.append(str(raw))
            continue
        if force_exclude and _excluded_explicit(path, config_for(path)):
            continue
        add(path, kind, os.path.islink(path))
    if paths and len(unlintable) == len(paths):
        raise ConfigError(f"nothing to check: {'; '.join(unlintable)}")
    return sorted((entry for _, entry in found.values()), key=lambda f: str(f.path))


def _file_type(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


class _Excludes:
    """Whether a file found under the folder argument `base` is excluded by one configuration's patterns. A folder
    named on the command line is never excluded itself: only what lies below it is matched (`dapr-lint
    tests/fixtures` checks the fixtures even when the configuration excludes them from `dapr-lint .`).

    A pattern with a `/` is matched against the path from the configuration's folder; one without, against
    the path below `base` (config.GlobSet: each name is decided once for all such patterns)."""

    def __init__(self, base: Path, root: Path, patterns: list[str]) -> None:
        self.base = base
        self.root = root
        self.base_rel = relative_posix(base, root)
        self.paths = [p for p in patterns if "/" in p.strip().strip("/")]
        self.below = glob_set(p for p in patterns if "/" not in p.strip().strip("/"))

    def excluded(self, candidate: Path) -> bool:
        rel = relative_posix(candidate, self.root)
        base_rel = self.base_rel
        if rel is None or base_rel is None:
            # the folder is outside the configuration's folder: match what lies below the folder
            rel = os.path.relpath(os.path.abspath(candidate), os.path.abspath(self.base)).replace(os.sep, "/")
            base_rel = ""
        for pattern in self.paths:
            if glob_match(pattern, rel) and not (base_rel and glob_match(pattern, base_rel)):
                return True
        return self.below.matches(rel[len(base_rel) + 1 :] if base_rel and base_rel != "." else rel)


def _excluded_explicit(path: Path, config: Config) -> bool:
    rel = relative_posix(path, config.root)
    if rel is None:
        return False
    return glob_set(config.exclude_patterns).matches(rel)


# -- the walk ----------------------------------------------------------------------------------------------


class _Walker:
    def __init__(self, warn: Callable[[str], None], skipped: Skipped) -> None:
        self.warn = warn
        self.skipped = skipped

    def files_under(self, folder: Path) -> list[tuple[Path, Path, str, str, bool]]:
        """(its folder, path, path relative to `folder`, kind, is a symbolic link) of every file below `folder`
        that dapr-lint checks and `.gitignore` keeps, the files of one folder together."""
        result: list[tuple[Path, Path, str, str, bool]] = []
        ignores = _Ignores.for_folder(folder, self.warn)
        stack: list[tuple[Path, Optional[_Ignores], str, str]] = [(folder, ignores, ignores.rel_of_start if ignores else "", "")]
        while stack:
            directory, ignores, rel_dir, sub_dir = stack.pop()
            try:
                with os.scandir(directory) as iterator:
                    entries = sorted(iterator, key=lambda e: e.name)
            except OSError as exc:
                self.warn(f"skipping folder {directory}: {exc.strerror or exc}")
                self.skipped.unreadable.append(str(directory))
                continue
            names = {entry.name for entry in entries}
            if directory != folder:  # the folder's own ignores are read by _Ignores.for_folder
                if ".git" in names:
                    ignores, rel_dir = _Ignores.at_root(directory, self.warn), ""  # a nested repository
                elif ignores is not None and ".gitignore" in names:
                    ignores = ignores.with_file(rel_dir, directory / ".gitignore", self.warn)
            below: list[tuple[Path, Optional[_Ignores], str, str]] = []
            for entry in entries:
                name = entry.name
                rel = f"{rel_dir}/{name}" if rel_dir else name
                try:
                    is_link = entry.is_symlink()
                    is_dir = not is_link and entry.is_dir(follow_symlinks=False)
                except OSError:
                    continue
                sub = f"{sub_dir}/{name}" if sub_dir else name
                if is_dir:
                    if name in _PRUNED:
                        continue
                    if ignores is not None and ignores.ignored(rel, True):
                        continue
                    below.append((directory / name, ignores, rel, sub))
                    continue
                kind = _kind_of_name(name)
                if kind is None:
                    continue  # only names we would check are looked at (and warned about)
                if ignores is not None and ignores.ignored(rel, False):
                    continue
                path = directory / name
                try:
                    info = os.stat(path)  # follows a link: what it points to
                except OSError as exc:
                    if is_link and exc.errno == errno.ELOOP:
                        self.warn(f"skipping {path}: symbolic link loop")
                    elif is_link and exc.errno in (errno.ENOENT, errno.ENOTDIR):
                        self.warn(f"skipping {path}: broken symbolic link")
                    else:
                        self.warn(f"skipping {path}: {exc.strerror or exc}")
                        self.skipped.unreadable.append(str(path))
                    continue
                if stat.S_ISDIR(info.st_mode):
                    continue  # a link to a folder is not followed
                if not stat.S_ISREG(info.st_mode):
                    self.warn(f"skipping {path}: {_file_type(info.st_mode)}, not a regular file")
                    continue
                if not os.access(path, os.R_OK):
                    self.warn(f"skipping {path}: permission denied")
                    self.skipped.unreadable.append(str(path))
                    continue
                result.append((directory, path, sub, kind, is_link))
            stack.extend(reversed(below))
        return result


# -- .gitignore, read without git ------------------------------------------------------------------------------


class _Ignores:
    """The ignore files that apply in one folder of a git work tree: `$GIT_DIR/info/exclude` and every
    `.gitignore` from the work tree's root down to the folder, deeper files first, as git orders them.
    The global excludes file (`core.excludesFile`) is not read: that would mean reading git's configuration."""

    def __init__(self, root: Path, layers: tuple, exclude, rel_of_start: str = "") -> None:
        self.root = root
        self.layers = layers  # ((folder relative to root, spec), ...), outermost first
        self.exclude = exclude
        self.rel_of_start = rel_of_start

    @classmethod
    def for_folder(cls, folder: Path, warn) -> Optional["_Ignores"]:
        """The ignores in effect at `folder`, or None when it is not inside a git work tree."""
        start = Path(os.path.realpath(folder))
        root = next((candidate for candidate in (start, *start.parents) if os.path.lexists(candidate / ".git")), None)
        if root is None:
            return None
        ignores = cls.at_root(root, warn)
        rel = start.relative_to(root).as_posix()
        rel = "" if rel == "." else rel
        current = root
        walked = ""
        for part in [p for p in rel.split("/") if p]:
            current = current / part
            walked = f"{walked}/{part}" if walked else part
            if ignores.ignored(walked, True):
                break  # an ignored folder named on the command line: its own files are matched below
            if os.path.lexists(current / ".gitignore") and current != start:
                ignores = ignores.with_file(walked, current / ".gitignore", warn)
        if start != root and os.path.lexists(start / ".gitignore"):
            ignores = ignores.with_file(rel, start / ".gitignore", warn)
        ignores.rel_of_start = rel
        return ignores

    @classmethod
    def at_root(cls, root: Path, warn) -> "_Ignores":
        exclude = None
        git_dir = _git_dir(root / ".git")
        if git_dir is not None:
            exclude = _read_spec(git_dir / "info" / "exclude", warn)
        ignores = cls(root, (), exclude)
        return ignores.with_file("", root / ".gitignore", warn)

    def with_file(self, rel_dir: str, path: Path, warn) -> "_Ignores":
        spec = _read_spec(path, warn)
        if spec is None:
            return self
        return _Ignores(self.root, self.layers + ((rel_dir, spec),), self.exclude, self.rel_of_start)

    def ignored(self, rel: str, is_dir: bool) -> bool:
        suffix = "/" if is_dir else ""
        for base, spec in reversed(self.layers):
            if base:
                if not rel.startswith(base + "/"):
                    continue
                sub = rel[len(base) + 1 :]
            else:
                sub = rel
            decision = spec.check_file(sub + suffix).include
            if decision is not None:
                return decision
        if self.exclude is not None:
            return bool(self.exclude.check_file(rel + suffix).include)
        return False


def _git_dir(dot_git: Path) -> Optional[Path]:
    """The repository folder behind a work tree's `.git`: the folder itself, or the `gitdir:` a `.git` file
    names (linked work trees and submodules), where `commondir` leads to the shared `info/exclude`."""
    try:
        info = os.lstat(dot_git)
    except OSError:
        return None
    if stat.S_ISDIR(info.st_mode):
        return dot_git
    text = _read_small(dot_git)
    first = text.splitlines()[0] if text else ""
    if not first.startswith("gitdir:") or not first[len("gitdir:") :].strip():
        return None
    git_dir = Path(first[len("gitdir:") :].strip())
    if not git_dir.is_absolute():
        git_dir = dot_git.parent / git_dir
    common = _read_small(git_dir / "commondir")
    if common is not None and common.strip():
        common_dir = Path(common.strip())
        return common_dir if common_dir.is_absolute() else git_dir / common_dir
    return git_dir


def _read_small(path: Path) -> Optional[str]:
    """The text of a small regular file, never following a link and never opening a FIFO or device."""
    try:
        data = reading.read_bytes(path, _MAX_IGNORE_FILE, follow=False)
    except OSError:
        return None
    return data.decode("utf-8", errors="surrogateescape")


def _read_spec(path: Path, warn):
    if not os.path.lexists(path):
        return None
    text = _read_small(path)
    if text is None:
        if os.path.islink(path):
            return None  # git does not follow a symbolic link named .gitignore either
        warn(f"cannot read {path}; its patterns are not applied")
        return None
    import pathspec

    try:
        return pathspec.GitIgnoreSpec.from_lines(text.splitlines())
    except Exception as exc:  # a pattern pathspec rejects: say so, walk without the file
        warn(f"cannot use {path}: {exc}")
        return None


def display_path(path: Path) -> str:
    """Relative to the working directory when under it, else absolute; always with `/`. A symbolic link is
    shown under its own path, not its target's."""
    if os.sep == "/":
        absolute = linked(path)
        return path_below(absolute, real_folder(os.getcwd())) or absolute
    absolute_path = link_path(path)
    try:
        return absolute_path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return absolute_path.as_posix() if sys.platform != "win32" else str(absolute_path)


def repository_files(files: Iterable[SourceFile], config, root: Optional[RunRoot] = None) -> list[SourceFile]:
    """Every file of the projects `files` belong to (`.gitignore` and `exclude` honoured): the project stage
    reads their summaries, so that a file's project findings do not depend on the files named.
    `config`: a Config or a function giving the Config of a path, as for `discover`. `root`: the run's root
    (dapr_lint.roots; found from `files` when not given). With no repository marker, the project is what was
    named: `files` themselves, nothing around them is walked."""
    files = list(files)
    if root is None:
        # a buffer (standard input, an editor) stands for the path it names
        root = run_root([f.path for f in files])
    if not root.marked:
        return sorted(files, key=lambda f: str(f.path))
    roots: dict[str, None] = {}
    by_folder = {os.path.dirname(os.path.abspath(f.path)): f for f in files}
    for f in by_folder.values():  # the files of one folder share their project
        roots.setdefault(project_root(str(f.path), root), None)
    found: dict[str, SourceFile] = {}
    for folder in roots:
        try:
            listed = discover([Path(folder)], config)
        except ConfigError:
            continue
        for entry in listed:
            if entry.kind != "dependencies":  # no summary: the project stage has nothing to read in them
                found.setdefault(real_path(entry.path), entry)
    return sorted(found.values(), key=lambda f: str(f.path))
