"""How the project stage reads an app's jobs: the modules its entry modules run, the routes that
may take a job's `POST /job/<name>`. Shared by DPR611 and the apps graph, so the two never disagree."""

from __future__ import annotations

import os
from typing import Optional

from dapr_lint.project import Project, ServedRoute
from dapr_lint.project.apps import App
from dapr_lint.summaries import ModuleSummary


def app_modules(project: Project, app: App) -> list[ModuleSummary]:
    found = []
    for file in app.modules:
        summary = project.by_file.get(os.path.normcase(file))
        if summary is not None:
            found.append(summary)
    return found


def reached(project: Project, app: App) -> list[ModuleSummary]:
    """The modules an app's entry modules run: the entries and the repository modules they import, a few levels
    deep (another script beside them, with its own `__main__`, is another process)."""
    entries = [s for s in app_modules(project, app) if s.file in app.entries]
    seen = {s.file: s for s in entries}
    stack = list(entries)
    memo = project.memo("imported modules")  # every app of the run walks the same modules
    while stack and len(seen) < 500:
        summary = stack.pop()
        targets = memo.get(summary.file)
        if targets is None:
            targets = memo[summary.file] = _imported(project, summary)
        for target in targets:
            if target.file not in seen:
                seen[target.file] = target
                stack.append(target)
    return list(seen.values())


def _imported(project: Project, summary: ModuleSummary) -> list[ModuleSummary]:
    """The summaries of the run a module imports, each import by its longest name a module of the run has."""
    found: list[ModuleSummary] = []
    for dotted in summary.imports.values():
        parts = dotted.split(".")
        for length in range(len(parts), 0, -1):
            prefix = ".".join(parts[:length])
            targets = project.modules(summary, prefix) if prefix.strip(".") else []
            if targets:
                found.extend(targets)
                break
    return found


def route_may_be(full: Optional[str], wanted: str) -> bool:
    """Whether a served route may be `wanted`: unknown parts and path parameters (`{name}`, `<name>`) match
    any segment."""
    if full is None:
        return True
    have = [p for p in full.split("/") if p]
    want = [p for p in wanted.split("/") if p]
    if have and (have[-1].endswith(":path}") or have[-1].startswith("<path:")):
        return len(want) >= len(have) - 1 and all(_segment(h, w) for h, w in zip(have[:-1], want))
    return len(have) == len(want) and all(_segment(h, w) for h, w in zip(have, want))


def _segment(have: str, want: str) -> bool:
    return have == want or have.startswith("{") or have.startswith("<")


def job_routes(project: Project, app: App) -> Optional[list[ServedRoute]]:
    """The POST (or any-method) routes an app serves over HTTP; None when it has no HTTP app or its routes are
    not all known."""
    if not project.app_objects(app):
        return None
    served, complete = project.app_routes(app)
    if not complete:
        return None
    return [r for r in served if not (r.entry is not None and r.entry.methods and "POST" not in r.entry.methods)]
