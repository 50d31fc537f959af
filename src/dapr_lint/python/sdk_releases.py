"""Dapr Python SDK releases: version numbers, what a requirement admits, and what each release offers.

The facts come from the generated `sdk_versions.py` (every release's classes, parsed from the SDK's release
tags). A project's pin is a range of known releases (`SdkPin`): a rule that says "X does not exist yet" judges
against the lowest release the pin admits, a rule that says "X was removed" against the highest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Optional

Version = tuple[int, ...]

# For messages: the range of releases the tables describe.
RELEASES_KNOWN = "1.10.0 to 1.19.x"

_VERSION = re.compile(r"^\s*v?(\d+(?:\.\d+)*)")


def parse_version(text: str) -> Optional[Version]:
    """`1.15.0` -> (1, 15, 0); pre-release and local suffixes are ignored; None when it is no version."""
    match = _VERSION.match(text)
    if match is None:
        return None
    return tuple(int(part) for part in match.group(1).split("."))


def _padded(version: Version, length: int = 3) -> Version:
    return version + (0,) * (length - len(version))


def _releases() -> tuple[str, ...]:
    from dapr_lint.python.sdk_versions import RELEASES

    return RELEASES


def newest() -> str:
    """The newest release dapr-lint knows (the one sdk_table.py describes; equal to RELEASES[-1], tested)."""
    from dapr_lint.python.sdk_table import SDK_VERSION

    return SDK_VERSION


@dataclass(frozen=True)
class SdkPin:
    """The SDK releases a project admits, as the lowest and highest release dapr-lint knows in that range, and
    where that was read (`requirements.txt:3`, `uv.lock`, `target-sdk`), or `None` when nothing pins it."""

    low: str
    high: str
    source: Optional[str] = None

    @property
    def exact(self) -> bool:
        return self.low == self.high

    def describe(self) -> str:
        admitted = self.low if self.exact else f"{self.low} to {self.high}"
        return f"{admitted} ({self.source})" if self.source else f"{admitted} (unpinned: the newest known)"


def unpinned() -> SdkPin:
    return SdkPin(newest(), newest(), None)


# One clause of a PEP 440 specifier (`>=1.15,<1.18`, `==1.15.*`, `~=1.16.0`), or Poetry's `^1.15` / `~1.15`.
_CLAUSE = re.compile(r"^\s*(===|==|!=|~=|>=|<=|>|<|\^|~)?\s*v?([0-9][0-9a-zA-Z.*+!-]*)\s*$")


def _clause_admits(operator: str, text: str, version: Version) -> bool:
    wildcard = text.endswith(".*")
    wanted = parse_version(text[:-2] if wildcard else text)
    if wanted is None:
        return True  # an unreadable clause restricts nothing we can judge
    if wildcard:
        prefix_match = version[: len(wanted)] == wanted
        return prefix_match if operator in ("==", "===") else not prefix_match if operator == "!=" else True
    length = max(len(wanted), len(version), 3)
    v, w = _padded(version, length), _padded(wanted, length)
    if operator in ("==", "==="):
        return v == w
    if operator == "!=":
        return v != w
    if operator == ">=":
        return v >= w
    if operator == "<=":
        return v <= w
    if operator == ">":
        return v > w
    if operator == "<":
        return v < w
    if operator == "~=":  # compatible release: >= X.Y(.Z), == X.*(.*)
        return v >= w and version[: max(len(wanted) - 1, 1)] == wanted[: max(len(wanted) - 1, 1)]
    if operator == "^":  # Poetry caret: the leftmost non-zero part stays
        first = next((i for i, part in enumerate(wanted) if part), len(wanted) - 1)
        return v >= w and version[: first + 1] == wanted[: first + 1]
    if operator == "~":  # Poetry tilde: ~1.15 -> >=1.15,<1.16; ~1 -> >=1,<2
        keep = 2 if len(wanted) >= 2 else 1
        return v >= w and version[:keep] == wanted[:keep]
    return v == w  # a bare version (Poetry `"1.15.0"`) is exact


def admitted(specifier: str) -> Optional[list[str]]:
    """The known releases a specifier admits, oldest first (`[]` when it admits none we know); None when the
    specifier cannot be read (judge nothing by it)."""
    clauses = [c for c in specifier.split(",") if c.strip()]
    parsed = []
    for clause in clauses:
        match = _CLAUSE.match(clause)
        if match is None:
            return None
        parsed.append((match.group(1) or "==", match.group(2)))
    found = []
    for release in _releases():
        version = parse_version(release)
        assert version is not None
        if all(_clause_admits(operator, text, version) for operator, text in parsed):
            found.append(release)
    return found


def admits_from(specifier: str, version: str) -> bool:
    """Whether a specifier admits some release from `version` on (known or not yet released): `dapr>=1.15`
    and a bare `dapr` do, `dapr<1.19` and `dapr==1.18.3` do not. An unreadable specifier admits it."""
    clauses = [c for c in specifier.split(",") if c.strip()]
    floor = parse_version(version)
    assert floor is not None
    for clause in clauses:
        match = _CLAUSE.match(clause)
        if match is None:
            return True
        operator, text = match.group(1) or "==", match.group(2)
        bound = parse_version(text.rstrip(".*"))
        if bound is None:
            continue
        length = max(len(bound), len(floor), 3)
        b, f = _padded(bound, length), _padded(floor, length)
        if operator in ("==", "===") and not text.endswith(".*") and b < f:
            return False
        if operator in ("==", "===") and text.endswith(".*") and bound[: len(floor)] < floor[: len(bound)]:
            return False
        if operator in ("<", "<=") and (b <= f if operator == "<" else b < f):
            return False
        if operator in ("~=",) and bound[: max(len(bound) - 1, 1)] < floor[: max(len(bound) - 1, 1)]:
            return False
        if operator in ("^", "~") and not _clause_admits(operator, text, floor) and b < f:
            return False
    return True


def pin_from(specifier: str, source: Optional[str]) -> Optional[SdkPin]:
    """The pin a specifier of the `dapr` distribution makes; None when it admits no release dapr-lint knows
    (older than the tables, or unreadable), so nothing is judged by it."""
    releases = admitted(specifier) if specifier.strip() else list(_releases())
    if not releases:
        return None
    return SdkPin(releases[0], releases[-1], source)


def target_pin(version: str, source: str) -> Optional[SdkPin]:
    """`target-sdk = "1.16"` (the 1.16 line: 1.16.0 to its newest patch) or `"1.16.2"` (that release)."""
    parsed = parse_version(version)
    if parsed is None or len(parsed) < 2 or not re.fullmatch(r"\s*v?\d+(\.\d+){1,2}\s*", version):
        return None
    specifier = f"=={version.strip().lstrip('v')}" + (".*" if len(parsed) == 2 else "")
    return pin_from(specifier, source)


def exact_pin(version: str, source: Optional[str]) -> Optional[SdkPin]:
    """A lock file's exact version: the known release of its line (a patch release dapr-lint has no table for
    is judged by the nearest known one of the same minor line)."""
    wanted = parse_version(version)
    if wanted is None:
        return None
    same_line = [r for r in _releases() if parse_version(r)[:2] == _padded(wanted)[:2]]  # type: ignore[index]
    if not same_line:
        return None
    older = [r for r in same_line if _padded(parse_version(r)) <= _padded(wanted)]  # type: ignore[arg-type]
    release = older[-1] if older else same_line[0]
    return SdkPin(release, release, source)


@lru_cache(maxsize=None)
def members_at(release: str) -> dict[str, dict[str, dict]]:
    """class path -> member -> description at one release, as `sdk_table.MEMBERS` is for the newest."""
    from dapr_lint.python.sdk_versions import HISTORY

    index = _releases().index(release)
    table: dict[str, dict[str, dict]] = {}
    for cls, members in HISTORY.items():
        for name, runs in members.items():
            for first, last, description in runs:
                if first <= index <= last:
                    table.setdefault(cls, {})[name] = description
                    break
    return table


def member_at(cls: str, name: str, release: str) -> Optional[dict]:
    return members_at(release).get(cls, {}).get(name)


def first_release_with(cls: str, name: str) -> Optional[str]:
    """The oldest known release offering `cls.name` (None: none does)."""
    from dapr_lint.python.sdk_versions import HISTORY

    runs = HISTORY.get(cls, {}).get(name)
    return _releases()[runs[0][0]] if runs else None


def last_release_with(cls: str, name: str) -> Optional[str]:
    from dapr_lint.python.sdk_versions import HISTORY

    runs = HISTORY.get(cls, {}).get(name)
    return _releases()[runs[-1][1]] if runs else None


_NO_DEFAULT = object()


def default_at(cls: str, member: str, param: str, release: str) -> Any:
    """The literal default of a parameter at a release, for the defaults that changed between releases
    (`wait_for_workflow_completion(timeout_in_seconds=)` 60 -> 0 in 1.15); `NO_DEFAULT` when the parameter is
    required there, `UNKNOWN_DEFAULT` when the tables record no change for it."""
    from dapr_lint.python.sdk_versions import DEFAULTS

    runs = DEFAULTS.get(cls, {}).get(member, {}).get(param)
    if runs is None:
        return UNKNOWN_DEFAULT
    index = _releases().index(release)
    for first, last, value in runs:
        if first <= index <= last:
            return value
    return NO_DEFAULT


NO_DEFAULT = _NO_DEFAULT
UNKNOWN_DEFAULT = object()


def at_least(release: str, version: str) -> bool:
    """`release` is `version` or newer (`at_least("1.18.1", "1.18")`)."""
    have, want = parse_version(release), parse_version(version)
    assert have is not None and want is not None
    length = max(len(have), len(want), 3)
    return _padded(have, length) >= _padded(want, length)


# dapr-agents: the names `dapr_agents` exports per release.


def agent_releases() -> tuple[str, ...]:
    from dapr_lint.python.sdk_versions import AGENT_RELEASES

    return AGENT_RELEASES


def agent_exports_history(name: str) -> tuple[tuple[int, int], ...]:
    from dapr_lint.python.sdk_versions import AGENT_EXPORTS

    return AGENT_EXPORTS.get(name, ())
