"""The per-file summaries are typed, frozen, picklable, and survive a JSON round trip (for a cache)."""

from __future__ import annotations

import dataclasses
import json
import pickle

import pytest

from conftest import FIXTURES
from dapr_lint.engine.file_stage import FileTask, check_file
from dapr_lint.settings import Settings
from dapr_lint.summaries import ImportedName, LocalObject, ModuleSummary, ResourceSummary, from_json, to_json

PROBES = FIXTURES / "projects" / "probes"


def _summary(path):
    kind = "yaml" if path.suffix in (".yaml", ".yml") else "python"
    result = check_file(FileTask(str(path), path.name, kind), Settings(enabled=frozenset({"DPR401", "DPR402", "DPR101"})))
    return result.summary


def test_module_summary_is_typed_and_frozen():
    summary = _summary(PROBES / "service_a" / "main.py")
    assert isinstance(summary, ModuleSummary)
    assert summary.path == "main.py" and summary.file.endswith("main.py")
    app = summary.objects["app"]
    assert app.kind == "app" and app.framework == "fastapi" and app.span.line > 0
    assert any(isinstance(include.child, (LocalObject, ImportedName)) for include in summary.includes)
    with pytest.raises(dataclasses.FrozenInstanceError):
        summary.path = "other.py"  # type: ignore[misc]


@pytest.mark.parametrize(
    "path",
    [p for p in sorted((FIXTURES / "projects").rglob("*")) if p.suffix in (".py", ".yaml")],
    ids=lambda p: p.relative_to(FIXTURES).as_posix(),
)
def test_summaries_round_trip_through_json_and_pickle(path):
    summary = _summary(path)
    if summary is None:
        return
    assert isinstance(summary, (ModuleSummary, ResourceSummary))
    assert from_json(json.loads(json.dumps(to_json(summary)))) == summary
    assert pickle.loads(pickle.dumps(summary)) == summary
