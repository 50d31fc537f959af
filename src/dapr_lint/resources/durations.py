"""Go duration syntax (`time.ParseDuration`) and the millisecond integers Dapr's resiliency also accepts."""

from __future__ import annotations

import re

_GO_DURATION = re.compile(r"[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+")
_INTEGER = re.compile(r"[-+]?\d+")


def is_go_duration(value: str) -> bool:
    """True if Go's `time.ParseDuration` accepts `value` (`5s`, `1h30m`, `1.5s`, `0`; not `30`, `1d`, `1 min`)."""
    if value in ("0", "+0", "-0"):
        return True
    return _GO_DURATION.fullmatch(value) is not None


def is_resiliency_duration(value: str) -> bool:
    """True for a Go duration or an integer string, which Dapr's resiliency reads as milliseconds."""
    return is_go_duration(value) or _INTEGER.fullmatch(value) is not None
