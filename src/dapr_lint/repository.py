"""The repository a path belongs to: the folder project rules, discovery and resource paths are bounded by."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from dapr_lint import reading


def repository_root(path: Path) -> Path:
    """The repository a file or folder belongs to: the nearest folder above it holding `.git` or a
    `pyproject.toml` with a `[tool.dapr-lint]` table (the project the user configured), else the nearest
    holding `pyproject.toml` or `dapr.yaml`, else the folder itself."""
    start = path.resolve()
    folder = start if start.is_dir() else start.parent
    fallback: Optional[Path] = None
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            try:
                if "[tool.dapr-lint]" in reading.read_text(pyproject, 16 << 20):
                    return candidate
            except OSError:
                pass
        if fallback is None and (pyproject.is_file() or (candidate / "dapr.yaml").is_file()):
            fallback = candidate
    return fallback or folder
