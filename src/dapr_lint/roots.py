"""Where a run's project begins: one repository root per run, found from the paths the user named (a leaf: no
dapr_lint import, so the file reader, the cache and the application model can all ask it).

The root is the nearest folder above the named paths holding `.git` or a dapr-lint configuration (a
`pyproject.toml` with `[tool.dapr-lint]`, a `dapr-lint.toml`); else the nearest holding a `pyproject.toml` or a
`dapr.yaml`; else the folder the user named (the common folder of the folders given). Never each file's own
folder: a source archive, a container build context or a CI artifact has no `.git`, and its apps keep their
`components/` and the routers of their sibling modules.

A file named alone (a command-line file, an editor buffer, `--stdin-filename`) with no marker above it is its
own project: nothing below its folder is read, so that a scratch file does not summarise the tree under it.
A folder below the root with a marker of its own (a nested repository, a folder with its own configuration)
is a project of its own inside the run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from dapr_lint import reading

_CONFIG_TABLE = "[tool.dapr-lint]"
_MAX_PYPROJECT = 1 << 20


@dataclass(frozen=True)
class RunRoot:
    """The folder a run's project starts at and why. With no marker, only what the user named is read: the
    folders named (walked) and the files named; `loose` when no folder was named (nothing below is walked)."""

    folder: str
    reason: str
    marked: bool = True  # found by a marker: the projects of the named files are read whole
    loose: bool = False  # files named alone, no marker: nothing but those files is read


def _configured(folder: str) -> bool:
    """Whether the folder holds a dapr-lint configuration: `dapr-lint.toml`, or a pyproject.toml naming
    `[tool.dapr-lint]` (read as text, capped; a file that cannot be read configures nothing)."""
    if os.path.isfile(os.path.join(folder, "dapr-lint.toml")):
        return True
    pyproject = os.path.join(folder, "pyproject.toml")
    if not os.path.isfile(pyproject):
        return False
    try:
        return _CONFIG_TABLE.encode() in reading.read_bytes(pyproject, _MAX_PYPROJECT, head=True)
    except OSError:
        return False


def strong_marker(folder: str) -> Optional[str]:
    """What makes `folder` a repository of its own (`.git`, a dapr-lint configuration), or None."""
    if os.path.lexists(os.path.join(folder, ".git")):
        return ".git"
    if _configured(folder):
        return "a dapr-lint configuration"
    return None


def weak_marker(folder: str) -> Optional[str]:
    """A project file that marks a folder as a project when nothing stronger is above it."""
    for name in ("pyproject.toml", "dapr.yaml", "dapr.yml"):
        if os.path.isfile(os.path.join(folder, name)):
            return name
    return None


def _start(path: Path) -> str:
    """The folder a named path stands in: itself for a folder, else its parent (a file, a buffer's name that
    need not exist)."""
    absolute = os.path.abspath(path)
    return absolute if os.path.isdir(absolute) else os.path.dirname(absolute)


def marked_root(folder: str) -> Optional[tuple[str, str]]:
    """(root, why) from the markers at or above `folder`: the nearest strong marker, else the nearest weak one;
    None when there is neither."""
    weak: Optional[tuple[str, str]] = None
    current = folder
    while True:
        marker = strong_marker(current)
        if marker is not None:
            return current, f"holds {marker}"
        if weak is None:
            found = weak_marker(current)
            if found is not None:
                weak = (current, f"holds {found} (no .git or dapr-lint configuration above)")
        parent = os.path.dirname(current)
        if parent == current:
            return weak
        current = parent


def run_root(named: Iterable[Path]) -> RunRoot:
    """The root of a run over the named paths (files and folders as the user gave them)."""
    paths = list(named) or [Path(".")]
    starts = [_start(p) for p in paths]
    try:
        common = os.path.commonpath(starts)
    except ValueError:  # paths on different drives: the first one's folder
        common = starts[0]
    found = marked_root(common)
    if found is not None:
        return RunRoot(found[0], found[1])
    folders = [s for p, s in zip(paths, starts) if os.path.isdir(os.path.abspath(p))]
    if not folders:
        what = "the file named is a project" if len(paths) == 1 else "the files named are a project"
        return RunRoot(common, f"no .git, pyproject.toml or dapr.yaml above it: {what} of its own, nothing below is read", marked=False, loose=True)
    what = "the folder named" if len(folders) == 1 else "the common folder of the folders named"
    return RunRoot(common, f"no .git, pyproject.toml or dapr.yaml above it: {what}", marked=False)


def project_root(file: str, root: RunRoot) -> str:
    """The root of the project a file of the run belongs to: the nearest folder between the file and the run's
    root that is a repository of its own (`.git`, a dapr-lint configuration), else the run's root."""
    folder = os.path.dirname(os.path.abspath(file))
    top = root.folder
    if not (folder == top or folder.startswith(top.rstrip(os.sep) + os.sep)):
        found = marked_root(folder)
        return found[0] if found is not None else folder
    current = folder
    while current != top:
        if strong_marker(current) is not None:
            return current
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return top


def repository_root(path: Path) -> Path:
    """The repository a file or folder belongs to by the markers above it: the nearest folder holding `.git` or
    a dapr-lint configuration, else the nearest holding `pyproject.toml` or `dapr.yaml`, else the folder itself
    (a file's own folder: callers that know what the user named use `run_root` instead)."""
    start = _start(path)
    found = marked_root(start)
    return Path(found[0] if found is not None else start)


def in_helm_chart(path: str) -> bool:
    """Whether a file is in a Helm chart's `templates/` folder (a `Chart.yaml` beside that folder), whatever the
    chart folder is called: Kubernetes manifests. Only folders of the linted tree are looked at: the chart folder
    must be inside the file's repository (repository_root) or the working directory the run walks,
    never above them; a file with no `templates` folder costs nothing."""
    if "templates" not in Path(os.path.abspath(path)).parts[:-1]:
        return False
    try:
        file = Path(path).resolve()
        bounds = {repository_root(file), Path.cwd().resolve()}
        for folder in file.parents:
            if not any(folder.parent == bound or bound in folder.parent.parents for bound in bounds):
                return False
            if folder.name == "templates":
                return (folder.parent / "Chart.yaml").is_file()
    except OSError:
        return False
    return False
