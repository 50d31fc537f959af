"""What the enabled rules ask of a run besides their own checks (their RuleSpec says): per-file summaries (the
project stage's input), files read beside the run's own, a second look at files whose routes receive events."""

from __future__ import annotations

from dapr_lint import specs
from dapr_lint.project.run_files import run_files_fingerprint
from dapr_lint.settings import Settings


def project_inputs_fingerprint(files: list[str], settings: Settings) -> str:
    """A fingerprint of the files project rules read besides the run's own (run files: Dockerfile, Procfile,
    scripts), so that a cached project result is reused only when those did not change either."""
    if not any(settings.is_enabled(rule.code) for rule in specs.all_rules() if rule.reads_run_files):
        return ""
    return run_files_fingerprint(files)


def wants_summary(settings: Settings) -> bool:
    """Whether the per-file stage must build summaries: some enabled rule reads them, or the run asks for them
    alone (`dapr-lint apps`, the other files of a run's repository)."""
    return settings.summaries or any(settings.is_enabled(rule.code) for rule in specs.all_rules() if rule.needs_summaries)


def refines_subscribers(settings: Settings) -> bool:
    """Whether some enabled rule wants a file checked again once its subscriber routes are known."""
    return any(settings.is_enabled(rule.code) for rule in specs.all_rules() if rule.reads_subscribers)
