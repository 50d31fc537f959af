"""The committed SDK member table is what the installed Dapr SDK really has (DPR108 depends on it)."""

from __future__ import annotations

import contextlib
import io
import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_member_table_matches_the_installed_sdk():
    pytest.importorskip("dapr.ext.workflow")
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        runpy.run_path(str(ROOT / "scripts" / "gen_sdk_table.py"), run_name="__main__")
    committed = (ROOT / "src" / "dapr_lint" / "python" / "sdk_table.py").read_text(encoding="utf-8")
    assert buffer.getvalue() == committed, "the SDK changed: run scripts/gen_sdk_table.py and review the diff"


def test_table_knows_the_facts_the_rules_rely_on():
    from dapr_lint.python.sdk_table import MEMBERS

    sync, aio = MEMBERS["dapr.clients.DaprClient"], MEMBERS["dapr.aio.clients.DaprClient"]
    assert "invoke_service" not in sync and "raise_workflow_event" not in sync
    assert aio["get_state"]["is_async"] and not sync["get_state"]["is_async"]
    assert sync["invoke_method_async"]["is_async"]
    assert "timeout" not in sync["get_state"]["params"]
    assert "value" not in MEMBERS["dapr.clients.grpc._response.StateResponse"]
    assert not MEMBERS["dapr.ext.workflow.aio.DaprWorkflowClient"]["iter_workflow_instance_ids"]["is_async"]
    assert MEMBERS["dapr.ext.fastapi.DaprActor"]["register_actor"]["is_async"]
    assert not MEMBERS["dapr.ext.flask.DaprActor"]["register_actor"]["is_async"]
