"""The practice rules (DPR413-DPR416): per app, over mini-repositories, with what users read pinned."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from conftest import FIXTURES, expected_findings
from dapr_lint.cli import main
from dapr_lint.python.practices import text_facts
from dapr_lint.python.rules import practices  # noqa: F401  (registers the practice rules)

ROOT = FIXTURES / "projects" / "practices"
PRACTICES = "DPR413,DPR414,DPR415,DPR416"


def _expected(root: Path) -> Counter:
    found: Counter = Counter()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        for (line, code), n in expected_findings(path.read_text(encoding="utf-8")).items():
            found[(rel, line, code)] += n
    return found


def _findings(root: Path, monkeypatch, capsys, *paths: str) -> list[dict]:
    monkeypatch.chdir(root)
    main(["check", *(paths or (".",)), "--format", "json", "--jobs", "1", "--select", PRACTICES])
    return json.loads(capsys.readouterr().out)


def _run(root: Path, monkeypatch, capsys, *paths: str) -> Counter:
    return Counter((f["path"], f["line"], f["code"]) for f in _findings(root, monkeypatch, capsys, *paths))


def test_practice_rules_per_app_both_ways(monkeypatch, capsys):
    assert _run(ROOT, monkeypatch, capsys) == _expected(ROOT)


def _copy(source: Path, target: Path) -> None:
    (target.parent / ".git").mkdir(exist_ok=True)  # a repository root, as a checkout has
    for path in source.rglob("*"):
        if path.is_file():
            dest = target / path.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(path.read_bytes())


def test_messages_and_columns(monkeypatch, capsys):
    found = {(f["path"], f["line"], f["code"]): f for f in _findings(ROOT, monkeypatch, capsys)}
    tracing = found[("bare/orders/main.py", 11, "DPR414")]
    assert tracing["column"] == 7 and tracing["message"].startswith("FastAPI app `app` has no tracing set-up")
    logging_ = found[("bare/orders/main.py", 11, "DPR415")]
    assert "configures no logging" in logging_["message"] and "drops INFO and DEBUG records" in logging_["detail"]
    publish = found[("bare/orders/main.py", 27, "DPR413")]
    assert publish["column"] == 9
    assert publish["message"].startswith("`publish_event` in handler `create_order` sends no trace context")
    assert "gRPC path (no `interceptors=`" in publish["detail"]
    invoke = found[("bare/orders/main.py", 28, "DPR413")]
    assert "HTTP path (no `headers_callback=`" in invoke["detail"]
    runtime = found[("bare/orders/main.py", 19, "DPR416")]
    assert runtime["message"].startswith("WorkflowRuntime `wfr` is never shut down: the process outlives the server")
    assert runtime["detail"].startswith("Its worker thread is not a daemon") and "`wfr.shutdown()`" in runtime["detail"]
    stream = found[("bare/orders/main.py", 21, "DPR416")]
    assert stream["message"].startswith("streaming subscription (its close function discarded) is never closed")
    client = found[("bare/orders/main.py", 14, "DPR416")]
    assert client["message"].startswith("async DaprClient `shared` is never closed: in-flight calls are cut off at exit")
    worker = found[("bare/orders/worker.py", 12, "DPR414")]
    assert worker["message"].startswith("the app whose WorkflowRuntime `runtime` starts here")


def test_an_agent_in_a_procfile_or_run_script_counts(monkeypatch, capsys, tmp_path):
    _copy(ROOT / "bare", tmp_path / "bare")
    before = {code for _path, _line, code in _run(tmp_path, monkeypatch, capsys)}
    assert {"DPR413", "DPR414"} <= before
    (tmp_path / "bare" / "orders" / "Procfile").write_text("web: opentelemetry-instrument uvicorn main:app\n")
    after = {code for _path, _line, code in _run(tmp_path, monkeypatch, capsys)}
    assert "DPR414" not in after and "DPR413" not in after
    assert "DPR415" in after  # the agent sets tracing up, not logging


def test_a_run_template_naming_a_tracing_configuration_counts(monkeypatch, capsys, tmp_path):
    _copy(ROOT / "run_template", tmp_path / "run_template")
    assert not _run(tmp_path, monkeypatch, capsys)
    (tmp_path / "run_template" / "components" / "tracing.yaml").unlink()
    assert {code for _path, _line, code in _run(tmp_path, monkeypatch, capsys)} == {"DPR414"}


def test_a_log_config_on_the_server_command_counts(monkeypatch, capsys, tmp_path):
    _copy(ROOT / "bare", tmp_path / "bare")
    (tmp_path / "bare" / "run.sh").write_text("#!/bin/sh\nuvicorn orders.main:app --log-config logging.yaml\n")
    codes = Counter(code for _path, _line, code in _run(tmp_path, monkeypatch, capsys))
    assert codes["DPR415"] == 0


def test_the_app_includes_the_modules_that_import_its_entry(monkeypatch, capsys, tmp_path):
    app = tmp_path / "svc"
    app.mkdir()
    (app / "main.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    (app / "logs.py").write_text(
        "import logging\n\nfrom main import app\n\nlogging.basicConfig()\n\n\n@app.get('/x')\ndef x():\n    return {}\n"
    )
    assert Counter(code for _p, _l, code in _run(tmp_path, monkeypatch, capsys))["DPR415"] == 0


def test_a_shared_bootstrap_module_is_read_as_text():
    facts = text_facts(
        b"import logging\nfrom opentelemetry.sdk.trace import TracerProvider\nfrom pkg import a, b as c\n"
        b"def setup():\n    logging.basicConfig()\n"
    )
    assert facts.logging and facts.tracing
    assert {"logging", "opentelemetry.sdk.trace", "opentelemetry.sdk.trace.TracerProvider", "pkg.a", "pkg.b"} <= set(facts.imports)
    assert not text_facts(b"import os\nprint('hi')\n").logging


def test_test_modules_are_not_apps(monkeypatch, capsys, tmp_path):
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_app.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    assert not _run(tmp_path, monkeypatch, capsys)


@pytest.mark.parametrize("code", ["DPR413", "DPR414"])
def test_opinion_rules_are_off_by_default(code):
    from dapr_lint import registry

    assert not registry.get(code).default_enabled


@pytest.mark.parametrize("code", ["DPR415", "DPR416"])
def test_practice_rules_are_on_by_default(code):
    from dapr_lint import registry

    assert registry.get(code).default_enabled and registry.get(code).category == "practice"


def test_a_cached_run_sees_a_changed_run_file(monkeypatch, capsys, tmp_path):
    _copy(ROOT / "bare", tmp_path / "bare")
    cache = tmp_path / "cache"

    def codes() -> set[str]:
        monkeypatch.chdir(tmp_path)
        main(["check", ".", "--format", "json", "--jobs", "1", "--select", PRACTICES, "--cache-dir", str(cache)])
        return {f["code"] for f in json.loads(capsys.readouterr().out)}

    assert "DPR414" in codes()
    assert "DPR414" in codes()  # from the cache
    (tmp_path / "bare" / "orders" / "Dockerfile").write_text('CMD ["opentelemetry-instrument", "python", "main.py"]\n')
    assert "DPR414" not in codes()


def test_a_deployment_folder_beside_the_app_counts(monkeypatch, capsys, tmp_path):
    # the tutorials' layout: tutorial/python/app.py, and tutorial/deploy/ with the manifests naming a Configuration
    _copy(ROOT / "bare", tmp_path / "tutorial")
    assert "DPR414" in {code for _p, _l, code in _run(tmp_path, monkeypatch, capsys)}
    deploy = tmp_path / "tutorial" / "deploy"
    deploy.mkdir()
    (deploy / "orders.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    metadata:\n      annotations:\n"
        '        dapr.io/enabled: "true"\n        dapr.io/config: "appconfig"\n'
    )
    assert "DPR414" not in {code for _p, _l, code in _run(tmp_path, monkeypatch, capsys)}


LIFESPAN = """\
import logging
from contextlib import asynccontextmanager

from dapr.aio.clients import DaprClient
from dapr.ext.workflow import WorkflowRuntime
from fastapi import FastAPI

logging.basicConfig()
wfr = WorkflowRuntime()
shared = DaprClient()


@asynccontextmanager
async def lifespan(application: FastAPI):
    application.state.dapr = DaprClient()
    wfr.start()
    yield
    logging.info("stopping")


app = FastAPI(lifespan=lifespan)
"""


def _fix(tmp_path: Path, monkeypatch, capsys, text: str, *extra: str) -> tuple[str, list[dict]]:
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / "main.py").write_text(text)
    monkeypatch.chdir(tmp_path)
    main(["check", ".", "--select", "DPR416", "--fix", "--no-cache", "--exit-zero", *extra])
    capsys.readouterr()
    main(["check", ".", "--select", "DPR416", "--no-cache", "--format", "json", "--exit-zero"])
    return (tmp_path / "main.py").read_text(), json.loads(capsys.readouterr().out)


def test_the_shutdown_fix_closes_what_start_up_opened_at_the_end_of_the_lifespan(monkeypatch, capsys, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "main.py").write_text(LIFESPAN)
    found = _findings(tmp_path, monkeypatch, capsys)
    assert {(f["line"], f["fix"]["safety"]) for f in found if f["code"] == "DPR416"} == {(10, "safe"), (15, "safe"), (16, "safe")}
    assert any("Add `await application.state.dapr.close()` at the end of the lifespan." in f["detail"] for f in found)
    fixed, left = _fix(tmp_path, monkeypatch, capsys, LIFESPAN)  # safe: no --unsafe-fixes needed
    assert fixed == LIFESPAN.replace(
        '    logging.info("stopping")\n',
        '    logging.info("stopping")\n    wfr.shutdown()\n    await application.state.dapr.close()\n    await shared.close()\n',
    )
    compile(fixed, "main.py", "exec")
    assert left == []
    again, _left = _fix(tmp_path, monkeypatch, capsys, fixed)  # idempotent
    assert again == fixed


def test_the_shutdown_fix_goes_in_the_lifespans_finally(monkeypatch, capsys, tmp_path):
    text = LIFESPAN.replace(
        '    yield\n    logging.info("stopping")\n', '    try:\n        yield\n    finally:\n        logging.info("stopping")\n'
    )
    fixed, left = _fix(tmp_path, monkeypatch, capsys, text)
    assert fixed.endswith(
        '    finally:\n        logging.info("stopping")\n        wfr.shutdown()\n'
        "        await application.state.dapr.close()\n        await shared.close()\n\n\napp = FastAPI(lifespan=lifespan)\n"
    )
    assert left == []


@pytest.mark.parametrize(
    "change",
    [
        # the yield inside `async with`: where the close would go is not mechanical
        lambda t: t.replace("    yield\n", "    async with DaprClient() as other:\n        yield\n"),
        # no lifespan: FastAPI would ignore on_event hooks once one is added
        lambda t: t.replace("app = FastAPI(lifespan=lifespan)", "app = FastAPI()\napp.on_event('startup')(lambda: wfr.start())"),
    ],
)
def test_no_shutdown_fix_for_other_shapes(change, monkeypatch, capsys, tmp_path):
    text = change(LIFESPAN)
    fixed, left = _fix(tmp_path, monkeypatch, capsys, text)
    assert fixed == text
    assert left and all(f["fix"] is None for f in left)


HANDLER = """\
import json

from dapr.clients import DaprClient
from fastapi import FastAPI
from opentelemetry import trace

tracer = trace.get_tracer(__name__)
app = FastAPI()


@app.post("/orders")
def create_order(order: dict) -> dict:
    with DaprClient() as client:
        client.invoke_method("stock", "reserve", json.dumps(order), http_verb="POST")
        client.publish_event("pubsub", "orders", "{}")
    return order
"""


def _fix_413(tmp_path: Path, monkeypatch, capsys, text: str) -> tuple[str, list[dict]]:
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / "main.py").write_text(text)
    monkeypatch.chdir(tmp_path)
    main(["check", ".", "--select", "DPR413", "--fix", "--unsafe-fixes", "--no-cache", "--exit-zero"])
    capsys.readouterr()
    main(["check", ".", "--select", "DPR413", "--no-cache", "--format", "json", "--exit-zero"])
    return (tmp_path / "main.py").read_text(), json.loads(capsys.readouterr().out)


def test_the_trace_fix_gives_the_client_a_headers_callback(monkeypatch, capsys, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "main.py").write_text(HANDLER)
    found = {f["line"]: f["fix"] for f in _findings(tmp_path, monkeypatch, capsys)}
    assert found[14] == {"safety": "unsafe", "description": "Give the client a `headers_callback` that injects the current OpenTelemetry context."}
    assert found[15] is None  # publish_event goes over gRPC: a headers_callback does not reach it
    fixed, left = _fix_413(tmp_path, monkeypatch, capsys, HANDLER)
    assert fixed == HANDLER.replace(
        "from opentelemetry import trace\n",
        "from opentelemetry import trace\nfrom opentelemetry import propagate\n\n\n"
        "def _dapr_trace_headers() -> dict:\n"
        '    """The current W3C trace context (traceparent, tracestate), for Dapr\'s HTTP service invocation."""\n'
        "    carrier: dict = {}\n    propagate.inject(carrier)\n    return carrier\n\n",
    ).replace("with DaprClient() as client:", "with DaprClient(headers_callback=_dapr_trace_headers) as client:")
    compile(fixed, "main.py", "exec")
    assert [f["line"] for f in left] == [24]  # the gRPC call is left
    again, _left = _fix_413(tmp_path, monkeypatch, capsys, fixed)
    assert again == fixed


def test_no_trace_fix_without_opentelemetry_in_the_module(monkeypatch, capsys, tmp_path):
    text = HANDLER.replace("from opentelemetry import trace\n", "").replace("tracer = trace.get_tracer(__name__)\n", "")
    fixed, left = _fix_413(tmp_path, monkeypatch, capsys, text)
    assert fixed == text and left and all(f["fix"] is None for f in left)
