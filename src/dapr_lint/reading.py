"""The one way dapr-lint opens a file it reads: sources, YAML, run files (`.env`, `Dockerfile`, `start.sh`,
Procfile), entries of its cache.

A repository is input one did not write: a name in it can be a FIFO (opening it for reading blocks until a
writer comes), a device (`/dev/zero` never ends), a link to `/dev/stdin` (the terminal, or a language server's
own protocol input) or a link out of the repository. So a read here opens without blocking and without waiting
for a writer (`O_NONBLOCK`), takes regular files only (checked on the open descriptor, so a name swapped after a
check cannot slip through), reads at most a size bound, and, given the repository's folder, refuses a path whose
links lead out of it. A refusal is an `OSError` (`Refused`), so callers that already handle an unreadable file
handle it the same way.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import Optional, Union

# The size bound when the caller names none: far above any source or resource file dapr-lint can use (the YAML
# loader stops at 1 MB, a Python file that large is refused by the analyzer's bounds long before).
DEFAULT_LIMIT = 64 * 1024 * 1024

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)

PathLike = Union[str, "os.PathLike[str]"]


class Refused(OSError):
    """A path dapr-lint does not read: not a regular file, larger than the bound, or outside the repository."""

    def __init__(self, path: PathLike, reason: str) -> None:
        super().__init__(errno.EPERM, reason, os.fspath(path))
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


def inside(path: PathLike, root: PathLike) -> bool:
    """Whether `path`, its links followed, lies in the folder `root` (its links followed too)."""
    real = os.path.realpath(path)
    base = os.path.realpath(root)
    if real == base:
        return True
    return real.startswith(base if base.endswith(os.sep) else base + os.sep)


def read_bytes(
    path: PathLike,
    limit: int = DEFAULT_LIMIT,
    *,
    within: Optional[PathLike] = None,
    follow: bool = True,
    dir_fd: Optional[int] = None,
    head: bool = False,
) -> bytes:
    """The content of a regular file of at most `limit` bytes (`head`: its first `limit` bytes, whatever its
    size). `within`: the repository's folder, which the path (links followed) must not leave. `follow=False`:
    the last component must not be a link (`O_NOFOLLOW`). Raises OSError (`Refused` for a FIFO, a device, a
    folder, a file over the bound or outside `within`)."""
    if within is not None and not inside(path, within):
        raise Refused(path, "outside the repository")
    flags = _FLAGS | (0 if follow else _NOFOLLOW)
    fd = os.open(path, flags, dir_fd=dir_fd) if dir_fd is not None else os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Refused(path, "not a regular file")
        if info.st_size > limit and not head:
            raise Refused(path, f"larger than {limit} bytes")
        wanted = limit if head else limit + 1
        chunks = []
        size = 0
        while size < wanted:
            chunk = os.read(fd, min(1 << 20, wanted - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew while being read
            raise Refused(path, f"larger than {limit} bytes")
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text(path: PathLike, limit: int = DEFAULT_LIMIT, *, within: Optional[PathLike] = None, head: bool = False) -> str:
    """`read_bytes` decoded as UTF-8 (undecodable bytes kept as surrogates)."""
    return read_bytes(path, limit, within=within, head=head).decode("utf-8", errors="surrogateescape")


def is_regular(path: PathLike, *, within: Optional[PathLike] = None) -> bool:
    """Whether the path is a regular file (links followed, but not out of `within`), without opening it."""
    if within is not None and not inside(path, within):
        return False
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False
