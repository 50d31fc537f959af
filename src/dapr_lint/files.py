"""Discovery: command-line paths -> the files to check, each with its kind (python or yaml)."""

from __future__ import annotations

import os
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


def kind_of(path: Path) -> Optional[str]:
    suffix = path.suffix.lower()
    if suffix in PYTHON_SUFFIXES:
        return "python"
    if suffix in YAML_SUFFIXES:
        return "yaml"
    return None


def discover(paths: Iterable[Path], config: Config, warn=None, force_exclude: bool = False) -> list[SourceFile]:
    """Files under `paths`: `.gitignore` is honoured inside a git work tree, `exclude`/`extend-exclude`
    everywhere; a file named on the command line is always checked, unless `force_exclude` (for
    pre-commit, which names every staged file)."""
    found: dict[Path, SourceFile] = {}
    patterns = config.exclude_patterns
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise ConfigError(f"no such file or directory: {raw}")
        if path.is_file():
            kind = kind_of(path)
            if kind is None:
                if warn is not None:
                    warn(f"skipping {raw}: not a Python or YAML file")
                continue
            if force_exclude and _excluded_explicit(path, config):
                continue
            found.setdefault(path.resolve(), SourceFile(path, kind))
            continue
        for candidate in _files_under(path):
            kind = kind_of(candidate)
            if kind is None or _excluded(candidate, path, config.root, patterns):
                continue
            found.setdefault(candidate.resolve(), SourceFile(candidate, kind))
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


def repository_files(files: Iterable[SourceFile], config: Config) -> list[SourceFile]:
    """Every file of the repositories `files` belong to (`.gitignore` and `exclude` honoured): the project
    stage reads their summaries, so that a file's project findings do not depend on the files named."""
    from dapr_lint.project.apps import repository_root

    roots: dict[Path, None] = {}
    for f in files:
        roots.setdefault(repository_root(f.path), None)
    found: dict[Path, SourceFile] = {}
    for root in roots:
        for candidate in _files_under(root):
            kind = kind_of(candidate)
            if kind is None or _excluded(candidate, root, config.root, config.exclude_patterns):
                continue
            found.setdefault(candidate.resolve(), SourceFile(candidate, kind))
    return sorted(found.values(), key=lambda f: str(f.path))
