"""What a check of one file needs to know from the configuration; picklable, so it crosses to workers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from dapr_lint.roots import RunRoot

if TYPE_CHECKING:
    from dapr_lint.python.sdk_releases import SdkPin


@dataclass(frozen=True)
class Settings:
    # Codes whose rules run. Rules not in this set are not run at all (not run-then-filtered).
    enabled: frozenset[str]
    # Per-rule options by their configuration key (`health-routes`, `thread-offloads`, ...), already validated.
    options: dict[str, Any] = field(default_factory=dict)
    # Folders holding the app's Dapr resources, for project rules.
    resources_paths: tuple[str, ...] = ()
    # None (report only), "fix" (write fixes) or "diff" (compute them, write nothing).
    fix_mode: Optional[str] = None
    unsafe_fixes: bool = False
    # Build every file's summary even when no enabled rule reads summaries (`dapr-lint apps`, the summaries of the
    # repository files a run does not check).
    summaries: bool = False
    # Where the run's project starts (dapr_lint.roots): the application model groups files by it. None: found
    # from the files the project stage sees.
    root: Optional[RunRoot] = None
    # The Dapr SDK releases the file's project admits (its dependency files, or `target-sdk`); None: the newest.
    sdk: Optional["SdkPin"] = None

    def is_enabled(self, code: str) -> bool:
        return code in self.enabled
