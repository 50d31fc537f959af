"""The answer of a whole `dapr-lint check` run, kept for the next run with the same inputs.

A warm run through the engine still walks the repository (`.gitignore`, excludes), resolves every folder's
configuration and SDK pin, and keys every file, before the project memo answers; for one file in a 400-file
repository that is most of its time. This memo answers before any of it: it is kept with a *witness* of
everything such a run can read, taken before the run started, and is used only when a fresh witness equals it:

- under the run's root: every folder and file (but `.git`, `node_modules`, `.venv`, `venv`, `__pycache__` and
  the cache's own folder), each by its type, size, modification and change time and inode (a folder's times
  change when a name in it is added, removed or renamed; a file's change time also when its permissions do);
  a link also by what it points to; the `info/exclude` of each `.git` met (read by the walk);
- above the root, up to the file system's root: each folder's configuration, repository markers,
  `.gitignore` and dependency and lock files (found from above: SDK pins, the run's root, `.git`).

Only a run that read nothing outside those (named paths, resources folders and `--config` file under the root),
changed nothing (no `--fix`, `--diff`, `--add-noqa`, standard input), said nothing (no warning, no internal
error, every file analysed) and found at most 20,000 names under its root is kept. The key is everything
else a run's findings depend on: the code (cache.code_fingerprint), the working folder, the command line's
settings and the named paths, the `DAPR_LINT_*` environment. A witness taken before the run means a file
changed while it ran is seen by the next one.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any, Optional

from dapr_lint import __version__

FORMAT = 1
_PRUNED = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__"})
_ABOVE = frozenset(
    {".git", ".gitignore", "dapr-lint.toml", "pyproject.toml", "dapr.yaml", "dapr.yml", "setup.cfg", "Pipfile", "Pipfile.lock",
     "uv.lock", "poetry.lock", "Chart.yaml"}
)
_MAX_NAMES = 20000
_KEPT = 16


def key_of(parts: list[Any]) -> str:
    return hashlib.sha256(json.dumps([FORMAT, __version__, *parts], sort_keys=True, default=repr).encode("utf-8", "surrogateescape")).hexdigest()


def _signature(info: os.stat_result) -> list[int]:
    return [info.st_mode, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


def _followed(path: str) -> Optional[list[int]]:
    try:
        return _signature(os.stat(path))
    except OSError:
        return None


def witness(root: str, skip: str) -> Optional[list]:
    """What a run under `root` can read (see the module docstring), or None when it is too large to keep;
    `skip`: the cache's folder."""
    from dapr_lint.files import _git_dir  # the walk's own reading of `.git`
    from dapr_lint.requirement_files import is_dependency_file

    found: list = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            found.append([folder, _signature(os.lstat(folder))])
            with os.scandir(folder) as iterator:
                entries = sorted(iterator, key=lambda e: e.name)
        except OSError:
            found.append([folder, None])
            continue
        for entry in entries:
            path = entry.path
            if path == skip:
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                found.append([path, None])
                continue
            if entry.name == ".git":
                git = _git_dir(Path(path))
                if git is not None:
                    exclude = os.path.join(str(git), "info", "exclude")
                    found.append([exclude, _followed(exclude)])
            if entry.name in _PRUNED:
                found.append([path, _signature(info)])
                continue
            if stat.S_ISDIR(info.st_mode):
                stack.append(path)
                continue
            found.append([path, _signature(info), _followed(path) if stat.S_ISLNK(info.st_mode) else None])
        if len(found) > _MAX_NAMES:
            return None
    above = os.path.dirname(root)
    current = root
    while above != current:
        try:
            with os.scandir(above) as iterator:
                names = sorted(e.name for e in iterator if e.name in _ABOVE or is_dependency_file(e.name))
        except OSError:
            names = []
        found.append([above, names])
        for name in names:
            path = os.path.join(above, name)
            found.append([path, _followed(path)])
            if name == ".git":
                git = _git_dir(Path(path))
                if git is not None:
                    exclude = os.path.join(str(git), "info", "exclude")
                    found.append([exclude, _followed(exclude)])
        current, above = above, os.path.dirname(above)
    return found


def lookup(directory: str, key: str, root: str) -> tuple[Optional[dict], Optional[list]]:
    """The kept run of `key` when nothing it may have read changed since ({"results": [[path, findings], ...]}),
    and the witness taken now (what a run that follows is kept with)."""
    from dapr_lint.cache import read_run

    now = witness(root, os.path.abspath(directory))
    if now is None:
        return None, None
    now = json.loads(json.dumps(now))  # as the entry holds it (lists, not tuples)
    entry = read_run(directory, key)
    if entry is None or entry.get("root") != root or entry.get("witness") != now:
        return None, now
    return entry, now


def keep(directory: str, key: str, root: str, seen: list, results) -> None:
    """Keep a run's results with the witness taken before it ran."""
    from dapr_lint.cache import diagnostic_to_json, write_run

    write_run(directory, key, {
        "root": root,
        "witness": seen,
        "results": [[r.path, [diagnostic_to_json(d) for d in r.diagnostics]] for r in results],
    })


def results_of(entry: dict) -> Optional[list]:
    """The FileResults a kept run holds; None when the entry is not one."""
    from dapr_lint.cache import diagnostic_from_json
    from dapr_lint.diagnostics import FileResult

    try:
        return [FileResult(path, diagnostics=[diagnostic_from_json(d) for d in found]) for path, found in entry["results"] if type(path) is str]
    except Exception:
        return None
