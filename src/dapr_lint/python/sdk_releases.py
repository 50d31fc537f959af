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
    from dapr_lint.python.sdk_release_names import RELEASES

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
    # dapr-agents, when a dependency file lists it: the lowest and highest admitted release and where from
    agents: Optional[tuple[str, str, str]] = None

    @property
    def exact(self) -> bool:
        return self.low == self.high

    @property
    def older_than_newest(self) -> bool:
        """Whether the pin admits a release before the newest: only then do the rules speak of releases (a pin
        of just the newest is judged, and worded, as an unpinned project)."""
        return self.low != newest()

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


def admitted(specifier: str, releases: Optional[tuple[str, ...]] = None) -> Optional[list[str]]:
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
    for release in releases or _releases():
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
    if not specifier.strip():  # `dapr` with no version: pip installs the newest
        return SdkPin(newest(), newest(), source)
    releases = admitted(specifier)
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
    from dapr_lint.python.sdk_release_names import AGENT_RELEASES

    return AGENT_RELEASES


def agent_exports_history(name: str) -> tuple[tuple[int, int], ...]:
    from dapr_lint.python.sdk_versions import AGENT_EXPORTS

    return AGENT_EXPORTS.get(name, ())


# -- verdicts for the rules: does a member or keyword exist in every release a pin admits? -------------------


@dataclass(frozen=True)
class Absence:
    """Why `cls.name` (or a keyword of it) fails under a pin: `kind` is "unknown" (no release has it),
    "not-yet" (added in `release`, after the lowest admitted one) or "removed" (gone from `release` on, at or
    before the highest admitted one)."""

    kind: str
    release: Optional[str] = None


def _index(release: str) -> int:
    return _releases().index(release)


def member_absence(cls: str, name: str, sdk: SdkPin) -> Optional[Absence]:
    """None when `cls.name` exists in the lowest and the highest release the pin admits, or when the class
    itself is absent from either (its import is what fails, not the member: nothing to say here)."""
    low, high = members_at(sdk.low).get(cls), members_at(sdk.high).get(cls)
    if low is None or high is None:
        return None
    return _absence(name in low, name in high, _history_of(cls, name), sdk)


def keyword_absence(cls: str, member: str, keyword: str, sdk: SdkPin) -> Optional[Absence]:
    """As member_absence for a keyword of a method (None also when the method is absent at either end, or
    accepts **kwargs there)."""
    low, high = member_at(cls, member, sdk.low), member_at(cls, member, sdk.high)
    if low is None or high is None or low.get("params") is None or high.get("params") is None:
        return None
    runs: list[tuple[int, int]] = []
    for first, last, description in _history_of(cls, member):
        params = description.get("params")
        if params is None or keyword in params:
            runs.append((first, last))
    return _absence(keyword in low["params"], keyword in high["params"], tuple((f, last, None) for f, last in runs), sdk)


def _history_of(cls: str, name: str) -> tuple:
    from dapr_lint.python.sdk_versions import HISTORY

    return HISTORY.get(cls, {}).get(name, ())


def _absence(
    in_low: bool, in_high: bool, runs: tuple, sdk: SdkPin, releases: Optional[tuple[str, ...]] = None, ends=None
) -> Optional[Absence]:
    """Judged at the two ends of the pin: missing at the top is "removed" (the newest admitted release
    fails), else missing at the bottom is "not yet" (the oldest admitted release fails). `releases`/`ends`:
    another distribution's releases and the pin's (low, high) among them (dapr-agents)."""
    if in_low and in_high:
        return None
    if not runs:
        return Absence("unknown")
    releases = releases or _releases()
    low, high = (releases.index(ends[0]), releases.index(ends[1])) if ends else (_index(sdk.low), _index(sdk.high))
    if not in_high:
        gone = [last for _first, last, _d in runs if last < high]
        if in_low or any(last >= low for last in gone):
            return Absence("removed", releases[max(last for last in gone if last >= low) + 1])
        later = [first for first, _last, _d in runs if first > high]
        if later:
            return Absence("not-yet", releases[min(later)])
        return Absence("removed", releases[max(gone) + 1])
    return Absence("not-yet", releases[min(first for first, _last, _d in runs if first > low)])


def agents_range(specifier: Optional[str], exact_version: Optional[str], source: str) -> Optional[tuple[str, str, str]]:
    """The dapr-agents releases a requirement (or a lock's exact version) admits: (lowest, highest, source)."""
    releases = agent_releases()
    if exact_version is not None:
        wanted = parse_version(exact_version)
        found = [r for r in releases if parse_version(r) == wanted]
        return (found[0], found[0], source) if found else None
    if not (specifier or "").strip():
        return (releases[-1], releases[-1], source)
    found = admitted(specifier or "", releases)
    return (found[0], found[-1], source) if found else None


def agent_export_absence(name: str, sdk: SdkPin) -> Optional[Absence]:
    """Why `from dapr_agents import name` fails under the pin's dapr-agents range (None: it does not, no
    dapr-agents is pinned, or no release dapr-lint knows exports the name: a submodule, or newer than the tables)."""
    if sdk.agents is None:
        return None
    releases = agent_releases()
    low, high = releases.index(sdk.agents[0]), releases.index(sdk.agents[1])
    runs = tuple((first, last, None) for first, last in agent_exports_history(name))
    in_low = any(first <= low <= last for first, last, _ in runs)
    in_high = any(first <= high <= last for first, last, _ in runs)
    absence = _absence(in_low, in_high, runs, sdk, releases, sdk.agents[:2])
    return None if absence is not None and absence.kind == "unknown" else absence
