"""Discovery: command-line paths -> the files to check, each with its kind (python or yaml)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from dapr_lint.config import Config, ConfigError, glob_match, relative_posix

PYTHON_SUFFIXES = (".py", ".pyw")
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class SourceFile:
    path: Path
    kind: str  # "python" | "yaml"
    # content that does not come from disk (standard input, an editor's buffer), and the name to report
    data: Optional[bytes] = None
    display: Optional[str] = None


def kind_of(path: Path, named: bool = False) -> Optional[str]:
    """python, yaml or None. A file named on the command line without an extension is Python when its
    first line is a Python shebang (`#!/usr/bin/env python3`), as pre-commit's `types: [python]` has it."""
    suffix = path.suffix.lower()
    if suffix in PYTHON_SUFFIXES:
        return "python"
    if suffix in YAML_SUFFIXES:
        return "yaml"
    if named and not suffix and _python_shebang(path):
        return "python"
    return None


_SHEBANG = re.compile(rb"^#!\s*(?:\S*/)?(?:env\s+(?:-\S+\s+)*)?(?:python|pypy)[0-9.]*\b")


def _python_shebang(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            first = handle.readline(256)
    except OSError:
        return False
    return bool(_SHEBANG.match(first))


def discover(paths: Iterable[Path], config, warn=None, force_exclude: bool = False) -> list[SourceFile]:
    """Files under `paths`: `.gitignore` is honoured inside a git work tree, `exclude`/`extend-exclude`
    everywhere; a file named on the command line is always checked, unless `force_exclude` (for
    pre-commit, which names every staged file). `config` is one Config, or a function giving the
    Config of a path (each file's nearest configuration decides its exclusions).

    When every argument is a file that cannot be checked, that is a usage error, never a silent pass."""
    config_for = config if callable(config) else (lambda _path: config)
    found: dict[Path, SourceFile] = {}
    unlintable = []
    raw_paths = list(paths)
    for raw in raw_paths:
        path = Path(raw)
        if not path.exists():
            raise ConfigError(f"no such file or directory: {raw}")
        if path.is_file():
            kind = kind_of(path, named=True)
            if kind is None:
                unlintable.append(str(raw))
                if warn is not None:
                    warn(f"skipping {raw}: not a Python file (by extension or shebang) or a YAML file")
                continue
            if force_exclude and _excluded_explicit(path, config_for(path)):
                continue
            found.setdefault(path.resolve(), SourceFile(path, kind))
            continue
        for candidate in _files_under(path):
            kind = kind_of(candidate)
            if kind is None:
                continue
            cfg = config_for(candidate)
            if _excluded(candidate, path, cfg.root, cfg.exclude_patterns):
                continue
            found.setdefault(candidate.resolve(), SourceFile(candidate, kind))
    if raw_paths and len(unlintable) == len(raw_paths):
        names = ", ".join(unlintable)
        raise ConfigError(f"nothing to check: {names} {'is' if len(unlintable) == 1 else 'are'} not a Python or YAML file")
    return sorted(found.values(), key=lambda f: str(f.path))


def _excluded(candidate: Path, base: Path, root: Path, patterns: list[str]) -> bool:
    """Whether a file found under the folder argument `base` is excluded. A folder named on the command
    line is never excluded itself: only what lies below it is matched (`dapr-lint tests/fixtures` checks
    the fixtures even when the configuration excludes them from `dapr-lint .`)."""
    rel = relative_posix(candidate, root)
    base_rel = relative_posix(base, root)
    if rel is None or base_rel is None:
        rel = candidate.resolve().relative_to(base.resolve()).as_posix()
        base_rel = ""
    for pattern in patterns:
        if "/" in pattern.strip().strip("/"):
            if glob_match(pattern, rel) and not (base_rel and glob_match(pattern, base_rel)):
                return True
        else:
            below = rel[len(base_rel) + 1 :] if base_rel and base_rel != "." else rel
            if glob_match(pattern, below):
                return True
    return False


def _excluded_explicit(path: Path, config: Config) -> bool:
    rel = relative_posix(path, config.root)
    if rel is None:
        return False
    return any(glob_match(pattern, rel) for pattern in config.exclude_patterns)


def _files_under(folder: Path) -> list[Path]:
    listed = _git_listing(folder)
    if listed is not None:
        return listed
    result = []
    for dirpath, dirnames, filenames in os.walk(folder):
        # Hidden folders and the default exclusions are pruned by `_excluded` later; pruning the
        # obvious heavy ones here keeps a walk of a project with a virtualenv fast.
        dirnames[:] = [d for d in dirnames if d not in (".git", "node_modules", ".venv", "venv", "__pycache__")]
        for name in filenames:
            result.append(Path(dirpath) / name)
    return result


def _git_listing(folder: Path) -> Optional[list[Path]]:
    """Tracked and untracked-but-not-ignored files below `folder`, or None outside a git work tree."""
    try:
        inside = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--is-inside-work-tree"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        if inside.returncode != 0 or inside.stdout.strip() != "true":
            return None
        listing = subprocess.run(
            ["git", "-C", str(folder), "ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", "."],
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if listing.returncode != 0:
        return None
    result = []
    for entry in listing.stdout.split(b"\0"):
        if not entry:
            continue
        path = folder / os.fsdecode(entry)
        if path.is_file():  # deleted-but-tracked files and submodule folders are skipped
            result.append(path)
    return result


def display_path(path: Path) -> str:
    """Relative to the working directory when under it, else absolute; always with `/`."""
    absolute = path.resolve()
    try:
        return absolute.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return absolute.as_posix() if sys.platform != "win32" else str(absolute)
