"""Per-rule options (`health-routes`, `thread-offloads`, ...): their defaults and how a value is checked.

A leaf: rules read an option's default here, and config.py validates `[tool.dapr-lint]` with these specs, so
that no rule imports the configuration machinery. `ConfigError` lives here because the validators raise it;
config.py re-exports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable


class ConfigError(Exception):
    """A usage error in the configuration or on the command line: one line, exit code 2."""


# -- the options --------------------------------------------------------------------------------


def _route_list(key: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.startswith("/") for v in value):
        raise ConfigError(f"`{key}` must be a list of route paths starting with '/', got {value!r}")
    return list(value)


_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")


def _dotted_list(key: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and _DOTTED.match(v) for v in value):
        raise ConfigError(f"`{key}` must be a list of dotted names such as 'mypkg.utils.run_blocking', got {value!r}")
    return list(value)


def _seconds(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 86400:
        raise ConfigError(f"`{key}` must be a number of seconds greater than 0, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class OptionSpec:
    default: Any
    validate: Callable[[str, Any], Any]
    help: str


OPTIONS: dict[str, OptionSpec] = {
    "health-routes": OptionSpec(
        ["/health", "/healthz", "/livez", "/liveness", "/health/live"], _route_list, "Paths that count as a liveness route (DPR401)."
    ),
    "ready-routes": OptionSpec(["/ready", "/readyz", "/readiness", "/health/ready"], _route_list, "Paths that count as a readiness route (DPR402)."),
    "thread-offloads": OptionSpec(
        [], _dotted_list, "Extra functions that run their argument in a thread, like asyncio.to_thread (DPR101)."
    ),
    "per-file-timeout": OptionSpec(
        10.0, _seconds, "CPU seconds one file may take; a file over the budget is one DPR001 finding and the run goes on."
    ),
}
