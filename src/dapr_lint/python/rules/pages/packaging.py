"""The written sections of the packaging rules' pages: each spec in python/rules/packaging.py names its own,
`prose=pages.DPRxxx`, and scripts/gen_rule_docs.py generates the whole page from the spec."""

from dapr_lint.examples import page


DPR110 = page(
    (
        "What it does",
        """
        Reports a dependency file (`requirements*.txt`, `pyproject.toml` with PEP 621 or Poetry dependencies, `setup.cfg`,
        `Pipfile`) that lists one of the legacy extension distributions `dapr-ext-fastapi`, `dapr-ext-grpc`,
        `dapr-ext-langgraph`, `dapr-ext-strands`, `dapr-ext-workflow` or `flask-dapr` while its `dapr` requirement admits
        SDK 1.19 or later: `dapr` unpinned, `dapr>=1.15`, `dapr~=1.18`, `dapr==1.19.0`, or no `dapr` line at all (the
        extension itself requires an unbounded `dapr`). The finding sits on the extension's line, so `# noqa: DPR110` on
        that line silences it.

        Not reported: a `dapr` bounded below 1.19 (`dapr<1.19`, `dapr==1.18.3`, Poetry's `~1.18`), which keeps the legacy
        layout whole, and the old `dapr-ext-*-dev` distributions, which depend on `dapr-dev` rather than `dapr`.
        """,
    ),
    (
        "Why is this bad?",
        """
        From SDK 1.19 the extensions ship inside the `dapr` wheel (as the extras `dapr[fastapi]`, `dapr[grpc]`,
        `dapr[flask]`, `dapr[langgraph]`, `dapr[strands]`, `dapr[workflow]`) and the separate distributions are no longer
        published. Their last releases (1.18.x) still require an unbounded `dapr`, so `pip install -U dapr dapr-ext-workflow`
        installs the 1.19 core beside the 1.18 extension, and both own `dapr/ext/workflow/`. pip does not track shared
        ownership: uninstalling the legacy distribution later deletes the files the core wheel needs, and
        `from dapr.ext.workflow import ...` raises `ModuleNotFoundError` while `pip show dapr` still reports 1.19. The 1.19
        `dapr` package warns about this state at import (`FutureWarning`), which is easy to miss in a container log.
        """,
    ),
    (
        "Fix safety",
        """
        None: the right change depends on the SDK line the project wants. Either move to the extras and drop the legacy
        distributions (`dapr[fastapi]==1.19.0`), or stay on the legacy layout with `dapr<1.19` pinned. For an environment
        that already has both, the SDK's release notes give the recovery: uninstall the legacy distributions, then
        `pip install --force-reinstall --no-deps dapr`.
        """,
    ),
    (
        "References",
        """
        - Dapr Python SDK 1.19 `RELEASE.md`, the packaging change and its migration steps
        - `dapr/__init__.py` in SDK 1.19: the legacy-install check and `DAPR_SKIP_LEGACY_CHECK`
        """,
    ),
)
