"""The write section of --fix: a signal that should stop the run while a file is being replaced takes
effect right after the file is written (or left alone), so that a stopped run never loses an edit half-way.
Kept apart from engine/fixes.py so that the signal handlers need not import LibCST."""

from __future__ import annotations

import contextlib
from typing import Callable, Optional

_writing = 0
_deferred: Optional[Callable[[], None]] = None


def defer_while_writing(action: Callable[[], None]) -> bool:
    """If a file is being written, run `action` right after it is, and say so; else do nothing."""
    global _deferred
    if _writing:
        _deferred = action
        return True
    return False


@contextlib.contextmanager
def write_section():
    global _writing, _deferred
    _writing += 1
    try:
        yield
    finally:
        _writing -= 1
        if not _writing and _deferred is not None:
            action, _deferred = _deferred, None
            action()
