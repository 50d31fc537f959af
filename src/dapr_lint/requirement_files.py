"""Which files list a project's requirements, by name alone: what file discovery and the run memo need to know,
without the readers of python/dependencies.py (a warm run reads no dependency file)."""

from __future__ import annotations

import re

REQUIREMENT_FILE = re.compile(r"(?i)^(?:.*[-_.])?requirements(?:[-_.].*)?\.(?:txt|in)$")
MANIFEST_FILES = ("pyproject.toml", "setup.cfg", "Pipfile")


def is_dependency_file(name: str) -> bool:
    """A file whose requirements dapr-lint reads (lock files are read for the pin only)."""
    return name in MANIFEST_FILES or bool(REQUIREMENT_FILE.match(name))
