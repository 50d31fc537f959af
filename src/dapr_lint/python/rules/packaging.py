"""DPR110: the Dapr packages a project's dependency files list (requirements*.txt, pyproject.toml, setup.cfg,
Pipfile), read as text by dapr_lint.python.dependencies: the legacy extension distributions beside a `dapr` that
may resolve to 1.19, where both own the same files."""

from __future__ import annotations

from typing import Iterator

from dapr_lint.python.dependencies import FOLDED_INTO_DAPR, DependencyFile, legacy_extensions
from dapr_lint.diagnostics import Finding, Location
from dapr_lint.python.rules.pages import packaging as pages
from dapr_lint.registry import Reporter, RuleSpec, invalid, rule, valid
from dapr_lint.summaries import Span


@rule(
    RuleSpec(
        code="DPR110",
        name="legacy-extension-package",
        category="bug",
        summary="A legacy `dapr-ext-*`/`flask-dapr` package beside a `dapr` that may install 1.19: two owners of one module.",
        target="dependencies",
        prose=pages.DPR110,
        examples=(
            invalid(
                """
                dapr>=1.15
                dapr-ext-fastapi>=1.15  # DPR110: dapr 1.19 ships dapr/ext/fastapi too
                uvicorn
                """,
                "text",
                filename="requirements.txt",
            ),
            valid(
                """
                dapr[fastapi]==1.19.0
                uvicorn
                """,
                "text",
                filename="requirements.txt",
            ),
        ),
    )
)
def legacy_extension_package(file: DependencyFile, report: Reporter) -> Iterator[Finding]:
    for requirement, extra in legacy_extensions(file.requirements, file.locked_dapr):
        module = "flask_dapr" if extra == "flask" else f"dapr/ext/{extra}"
        yield report(
            Location(file.path, Span(requirement.line, requirement.column + 1, requirement.line, requirement.end_column + 1)),
            f"`{requirement.name}` beside a `dapr` that admits {FOLDED_INTO_DAPR}: both install {module}; "
            f"uninstalling one deletes it",
        )
