"""What the enabled rules ask of a run besides their own checks: per-file summaries (the project stage's input),
and the files project rules read beside the run's own."""

from __future__ import annotations

from dapr_lint import registry
from dapr_lint.project.run_files import RULES_READING_RUN_FILES, run_files_fingerprint
from dapr_lint.settings import Settings


def project_inputs_fingerprint(files: list[str], settings: Settings) -> str:
    """A fingerprint of the files project rules read besides the run's own (run files: Dockerfile, Procfile,
    scripts), so that a cached project result is reused only when those did not change either."""
    if not any(settings.is_enabled(code) for code in RULES_READING_RUN_FILES):
        return ""
    return run_files_fingerprint(files)


def wants_summary(settings: Settings) -> bool:
    """Whether the per-file stage must build summaries: some project rule is enabled."""
    return any(settings.is_enabled(code) for code in summary_codes())


def summary_codes() -> frozenset[str]:
    """The codes that need summaries. From the catalog a cached run saved when the rule modules are not
    imported (so that a run served from the cache does not import them, nor LibCST), else from the code."""
    saved = registry.saved_summary_codes()
    if saved is not None:
        return saved
    from dapr_lint import catalog  # noqa: F401  (registers the project rules; here: a cached run does without it)

    return frozenset((*registry.checks("project"), *REFINED_BY_SUBSCRIPTIONS))


# Per-file rules whose findings change when a route turns out to receive events (a declarative Subscription of
# the app, a `GET /dapr/subscribe` in another module of the app, a router prefix): the subscriber rules apply
# to it, the route-only ones (DPR301, DPR411) spare it. Only the project stage sees those facts: it checks such
# a file again, telling the model which route functions are subscribers.
REFINED_BY_SUBSCRIPTIONS = frozenset({"DPR301", "DPR304", "DPR403", "DPR404", "DPR406", "DPR408", "DPR411"})
