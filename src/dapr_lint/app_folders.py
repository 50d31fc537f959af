"""What the app folders a run template names hold, read from disk and never run: whether an app there serves
(DPR512 judges a shared appPort by it), and so what a template's result depends on besides its own text."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Optional, Union

from dapr_lint import reading
from dapr_lint.roots import repository_root

PathLike = Union[str, "os.PathLike[str]"]

# What makes a Python app listen on its appPort: a web framework's app, an ASGI/WSGI server, the Dapr gRPC app.
_SERVER_MARKERS = re.compile(
    rb"\b(?:FastAPI|Flask|Starlette|Quart|Sanic|App|DaprActor)\s*\(|\b(?:uvicorn|gunicorn|hypercorn|waitress|aiohttp)\b"
    rb"|\bgrpc\.(?:aio\.)?server\b|\bHTTPServer\b|\bserve_forever\b|\bdapr\.ext\.grpc\b"
)
_MAX_SERVER_FILES = 200


def runs_server(folder: str, root: Optional[PathLike] = None) -> Optional[bool]:
    """Whether the app in `folder` runs a server: True when one of its Python files builds a web or gRPC server,
    False when it holds Python files and none does (a client with `main()`); None when that cannot be told (no
    such folder, no Python: another language, too many files). The files are read, never run; `root`: the
    repository, which no file read (a link) may leave."""
    if not os.path.isdir(folder) or (root is not None and not reading.inside(folder, root)):
        return None
    seen = 0
    for walked, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in ("venv", "node_modules", "__pycache__")]
        for name in files:
            if not name.endswith(".py"):
                continue
            seen += 1
            if seen > _MAX_SERVER_FILES:
                return None
            try:
                if _SERVER_MARKERS.search(reading.read_bytes(os.path.join(walked, name), 1_000_000, head=True, within=root)):
                    return True
            except OSError:
                return None
    return False if seen else None


_APP_DIR = re.compile(rb"""appDirPath\s*:\s*["']?([^"'\s#]+)""")


def run_template_context(path: str, data: bytes) -> tuple:
    """What a run template's per-file result depends on besides its text: whether each app folder it names runs
    a server (DPR512 judges a shared appPort by it), for the result cache's key. Any `appDirPath` value counts:
    naming one too many only costs a cache miss."""
    if b"appDirPath" not in data or b"appPort" not in data:
        return ()
    base = os.path.dirname(path)
    root = repository_root(Path(path))
    folders = sorted({found.decode("utf-8", "replace") for found in _APP_DIR.findall(data)})
    # a folder outside the repository (`appDirPath: /`, a link out of it) is never walked
    return tuple(
        ("serves", folder, runs_server(os.path.join(base, folder), root) if reading.inside(os.path.join(base, folder), root) else None)
        for folder in folders
    )
