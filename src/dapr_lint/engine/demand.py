"""What the enabled rules ask of a run besides their own checks (their RuleSpec says): per-file summaries (the
project stage's input), files read beside the run's own, a second look at files whose routes receive events."""

from __future__ import annotations

from dataclasses import replace

from dapr_lint import specs
from dapr_lint.run_files import run_files_fingerprint
from dapr_lint.settings import Settings


def project_inputs_fingerprint(files: list[str], settings: Settings) -> str:
    """What a project stage reads besides the summaries, for the key of its stored findings: where the run's root
    is (it decides which apps the stage sees), and the files project rules read besides the run's own (run files:
    Dockerfile, Procfile, scripts), so that stored findings are reused only when those did not change either."""
    root = settings.root
    where = f"root\0{root.folder if root else ''}\0{bool(root and root.marked)}\n"
    if not any(settings.is_enabled(rule.code) for rule in specs.all_rules() if rule.reads_run_files):
        return where
    return where + run_files_fingerprint(files, settings.root)


def wants_summary(settings: Settings) -> bool:
    """Whether the per-file stage must build summaries: some enabled rule reads them, or the run asks for them
    alone (`dapr-lint apps`, the other files of a run's repository)."""
    return settings.summaries or any(settings.is_enabled(rule.code) for rule in specs.all_rules() if rule.needs_summaries)


def reads_async_calls(settings: Settings) -> bool:
    """Whether some enabled rule reads the summaries' async calls (what the first pass may leave out of them)."""
    return any(settings.is_enabled(rule.code) for rule in specs.all_rules() if rule.reads_async_calls)


def refines_subscribers(settings: Settings) -> bool:
    """Whether some enabled rule wants a file checked again once its subscriber routes are known."""
    return any(settings.is_enabled(rule.code) for rule in specs.all_rules() if rule.reads_subscribers)


def summary_settings(settings: Settings) -> Settings:
    """Settings that build a file's summary and run no per-file rule."""
    # the project rules by the catalog's metadata (the same set the code registers; a run served from the
    # cache knows it without importing the rule modules)
    project_rules = {rule.code for rule in specs.all_rules() if rule.target == "project"}
    codes = frozenset(code for code in settings.enabled if code in project_rules)
    return replace(settings, enabled=codes, fix_mode=None, summaries=True)
