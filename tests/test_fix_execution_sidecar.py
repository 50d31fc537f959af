"""Fixed code runs, part two: the fixes whose effect only shows on the wire or in a running app or workflow.

Each program is fixed by the CLI (`dapr-lint check --select DPRxxx --fix`, plus `--unsafe-fixes` exactly when the
rule's fix is unsafe), which must make the same program again on a second run (idempotent) and add no undefined
name and no unused import (pyflakes). The fixed program is then imported and run against the installed SDK and
loopback stand-ins, started on 127.0.0.1 by the test and stopped after it:

- the HTTP stand-in of tests/test_conformance_sdk.py (the sidecar's health endpoint, service invocation, here
  also recording the headers it receives);
- a gRPC stand-in serving the Dapr API (records PublishEvent and SaveState requests; GetState fails the way a
  misconfigured component does) and the workflow API the SDK's durabletask worker talks to (Hello, the
  GetWorkItems stream, CompleteOrchestratorTask/CompleteActivityTask). `_WorkflowEngine` plays the sidecar's
  workflow engine: it hands the real `WorkflowRuntime` worker its work items and keeps the instance's history,
  so workflows and activities run through the SDK's own worker, executor and replay.

What cannot run here is Dapr itself (the runtime's CloudEvent wrapping, its reading of a subscriber's answer):
those tests assert what the SDK sends or what the app answers, against the contract the SDK ships (its protos).
"""

from __future__ import annotations

import ast
import asyncio
import importlib.util
import json
import queue
import re
import textwrap
import threading
import time
from concurrent import futures
from datetime import datetime, timedelta, timezone
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from pyflakes import checker, messages

grpc = pytest.importorskip("grpc")
pytest.importorskip("dapr.clients")
pytest.importorskip("dapr.ext.workflow")

from google.protobuf import empty_pb2  # noqa: E402
from test_conformance_sdk import _Sidecar  # noqa: E402  (the HTTP stand-in)

from dapr.ext.workflow._durabletask.internal import helpers  # noqa: E402
from dapr.ext.workflow._durabletask.internal import orchestrator_service_pb2_grpc as taskhub  # noqa: E402
from dapr.ext.workflow._durabletask.internal import protos as wpb  # noqa: E402
from dapr.proto import api_v1  # noqa: E402
from dapr.proto.runtime.v1 import appcallback_pb2, dapr_pb2_grpc  # noqa: E402

from dapr_lint import registry  # noqa: E402
from dapr_lint.cli import main  # noqa: E402

pytestmark = pytest.mark.slow  # `pytest -m "not slow"` leaves it out of the fast loop

THIS = Path(__file__)
EXECUTION_TESTS = tuple(sorted(THIS.parent.glob("test_fix_execution*.py")))


# -- the stand-ins ---------------------------------------------------------------------------------------------


class _HttpSidecar(_Sidecar):
    """The conformance tests' HTTP stand-in, also keeping the headers of every service invocation."""

    headers: list = []

    def _answer(self) -> None:
        if self.path.startswith("/v1.0/invoke/"):
            type(self).headers.append({k.lower(): v for k, v in self.headers.items()})
        super()._answer()

    do_GET = do_POST = do_PUT = _answer


class _Dapr(dapr_pb2_grpc.DaprServicer):
    """The Dapr API: records what is published and saved; a state read fails like a store that is not there."""

    def __init__(self) -> None:
        self.published: list = []
        self.saved: list = []
        self.jobs: dict = {}

    def PublishEvent(self, request, context):  # noqa: N802 - gRPC method names
        self.published.append(request)
        return empty_pb2.Empty()

    def SaveState(self, request, context):  # noqa: N802
        self.saved.append(request)
        return empty_pb2.Empty()

    def GetState(self, request, context):  # noqa: N802
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"state store {request.store_name} is not found")

    def ScheduleJob(self, request, context):  # noqa: N802
        # the scheduler of Dapr >= 1.16: a name that exists is refused unless the request overwrites it
        if request.job.name in self.jobs and not request.overwrite:
            context.abort(grpc.StatusCode.ALREADY_EXISTS, f"job {request.job.name} already exists")
        self.jobs[request.job.name] = request
        return api_v1.ScheduleJobResponse()


class _TaskHub(taskhub.TaskHubSidecarServiceServicer):
    """The workflow API: a work-item stream per connected worker, fed by the test, and the results the worker
    sends back. Work goes to the newest stream only (a stopped worker's stream may linger a moment)."""

    def __init__(self) -> None:
        self.streams: list[queue.Queue] = []
        self.results: queue.Queue = queue.Queue()
        self.closing = threading.Event()

    def Hello(self, request, context):  # noqa: N802
        return empty_pb2.Empty()

    def GetWorkItems(self, request, context):  # noqa: N802
        items: queue.Queue = queue.Queue()
        self.streams.append(items)
        while context.is_active() and not self.closing.is_set():
            try:
                yield items.get(timeout=0.05)
            except queue.Empty:
                continue

    def CompleteOrchestratorTask(self, request, context):  # noqa: N802
        self.results.put(request)
        return wpb.CompleteTaskResponse()

    def CompleteActivityTask(self, request, context):  # noqa: N802
        self.results.put(request)
        return wpb.CompleteTaskResponse()

    def call(self, item):
        """Hand the connected worker one work item; return what it answers."""
        self.streams[-1].put(item)
        return self.results.get(timeout=10)


class _Stand_ins:  # noqa: N801
    def __init__(self, http, dapr: _Dapr, hub: _TaskHub, grpc_port: int) -> None:
        self.http, self.dapr, self.hub, self.grpc_port = http, dapr, hub, grpc_port


@pytest.fixture(scope="module")
def _servers():
    http = ThreadingHTTPServer(("127.0.0.1", 0), _HttpSidecar)
    http_thread = threading.Thread(target=http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    http_thread.start()
    dapr, hub = _Dapr(), _TaskHub()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    dapr_pb2_grpc.add_DaprServicer_to_server(dapr, server)
    taskhub.add_TaskHubSidecarServiceServicer_to_server(hub, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield _Stand_ins(http, dapr, hub, port)
    finally:
        hub.closing.set()
        server.stop(grace=None).wait(5)
        http.shutdown()
        http.server_close()
        http_thread.join(timeout=5)


@pytest.fixture
def sidecar(_servers, monkeypatch):
    """The environment the SDK reads, pointing at the stand-ins; the recordings start empty."""
    for name in ("DAPR_HTTP_ENDPOINT", "DAPR_GRPC_ENDPOINT", "DAPR_API_TOKEN", "DAPR_API_METHOD_INVOCATION_PROTOCOL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DAPR_RUNTIME_HOST", "127.0.0.1")
    monkeypatch.setenv("DAPR_HTTP_PORT", str(_servers.http.server_address[1]))
    monkeypatch.setenv("DAPR_GRPC_PORT", str(_servers.grpc_port))
    monkeypatch.setenv("DAPR_HEALTH_TIMEOUT", "5")
    _HttpSidecar.invocations = []
    _HttpSidecar.headers = []
    _servers.dapr.published.clear()
    _servers.dapr.saved.clear()
    _servers.dapr.jobs.clear()
    while not _servers.hub.results.empty():
        _servers.hub.results.get_nowait()
    return _servers


# -- fixing and loading ----------------------------------------------------------------------------------------


def _flakes(source: str) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for message in checker.Checker(ast.parse(source)).messages:
        if isinstance(message, messages.UndefinedName):
            found.add(("undefined", message.message_args[0]))
        elif isinstance(message, messages.UnusedImport):
            found.add(("unused-import", message.message_args[0]))
    return found


def _findings(capsys, *argv) -> list[tuple[int, str]]:
    main(["check", *argv, "--no-cache", "--jobs", "1", "--format", "json", "--exit-zero"])
    return sorted((f["line"], f["code"]) for f in json.loads(capsys.readouterr().out))


def _fix(root: Path, capsys, name: str, source: str, code: str, lines: list[int]) -> str:
    """Write the program, check that `code` reports exactly `lines`, fix it the way a user would and return the
    fixed text, after checking that the fix needs the flag its safety says, is idempotent and pyflakes-clean."""
    path = root / f"{name}.py"
    before = textwrap.dedent(source)
    path.write_text(before, encoding="utf-8")
    assert _findings(capsys, path.name, "--select", code) == [(line, code) for line in lines]
    unsafe = registry.get(code).fix_safety == "unsafe"
    argv = ["check", path.name, "--select", code, "--no-cache", "--jobs", "1", "--exit-zero", "--fix"]
    if unsafe:
        main(argv)
        capsys.readouterr()
        assert path.read_text(encoding="utf-8") == before, f"{code}: an unsafe fix applied without --unsafe-fixes"
        argv.append("--unsafe-fixes")
    main(argv)
    capsys.readouterr()
    fixed = path.read_text(encoding="utf-8")
    assert fixed != before, f"{code}: nothing fixed"
    main([*argv, "--format", "json"])  # again: nothing more to fix, and (the report after --fix) nothing left
    assert json.loads(capsys.readouterr().out) == [], fixed
    assert path.read_text(encoding="utf-8") == fixed, f"{code}: the fix is not idempotent"
    introduced = _flakes(fixed) - _flakes(before)
    assert not introduced, f"{code}: the fix introduced {sorted(introduced)}:\n{fixed}"
    return fixed


def _load(root: Path, source: str, name: str):
    path = root / f"{name}.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- DPR202: JSON published without a content type ---------------------------------------------------------------

JSON_NO_TYPE = """
import json

from dapr.clients import DaprClient


def publish(order_id):
    with DaprClient() as client:
        client.publish_event("pubsub", "orders", json.dumps({"id": order_id}))
"""


def test_dpr202_the_fixed_event_is_sent_as_json(project, capsys, sidecar):
    before = _load(project, JSON_NO_TYPE, "before202")
    before.publish("o1")
    after = _load(project, _fix(project, capsys, "app202", JSON_NO_TYPE, "DPR202", [9]), "after202")
    after.publish("o1")
    sent, fixed = sidecar.dapr.published
    # without a type the sidecar gets none (Dapr then wraps the text as text/plain); fixed, the data is
    # declared JSON and is the same bytes
    assert sent.data_content_type == ""
    assert fixed.data_content_type == "application/json"
    assert json.loads(fixed.data) == {"id": "o1"} and fixed.data == sent.data
    assert (fixed.pubsub_name, fixed.topic) == ("pubsub", "orders")


# -- DPR204: a dict given as the gRPC call metadata --------------------------------------------------------------

DICT_METADATA = """
from dapr.clients import DaprClient


def remember(order_id):
    with DaprClient() as client:
        client.save_state("statestore", order_id, "{}", metadata={"ttlInSeconds": "60"})
        client.publish_event("pubsub", "orders", order_id, metadata={"ttlInSeconds": "60"})
"""


def test_dpr204_the_fixed_call_sends_the_dapr_metadata(project, capsys, sidecar):
    before = _load(project, DICT_METADATA, "before204")
    with pytest.warns(DeprecationWarning), pytest.raises(ValueError, match="unpack"):
        before.remember("o1")
    assert sidecar.dapr.saved == []
    after = _load(project, _fix(project, capsys, "app204", DICT_METADATA, "DPR204", [7, 8]), "after204")
    after.remember("o1")
    (request,) = sidecar.dapr.saved
    (item,) = request.states
    assert (request.store_name, item.key, item.value) == ("statestore", "o1", b"{}")
    assert dict(item.metadata) == {"ttlInSeconds": "60"}  # the TTL reaches the store
    (event,) = sidecar.dapr.published
    assert (event.topic, event.data, dict(event.metadata)) == ("orders", b"o1", {"ttlInSeconds": "60"})


# -- DPR207: a CloudEvent published without the cloudevents content type ----------------------------------------

OWN_CLOUDEVENT = """
import json

from dapr.clients import DaprClient


def forward(order_id):
    event = {"specversion": "1.0", "type": "order.created", "source": "shop", "id": order_id, "data": {"n": 1}}
    with DaprClient() as client:
        client.publish_event("pubsub", "orders", json.dumps(event))
"""


def test_dpr207_the_fixed_event_is_declared_a_cloudevent(project, capsys, sidecar):
    # not DPR202's too: its fix (application/json) would have the event wrapped in a second envelope
    (project / "own202.py").write_text(textwrap.dedent(OWN_CLOUDEVENT), encoding="utf-8")
    assert _findings(capsys, "own202.py", "--select", "DPR202,DPR207") == [(10, "DPR207")]
    after = _load(project, _fix(project, capsys, "app207", OWN_CLOUDEVENT, "DPR207", [10]), "after207")
    after.forward("o1")
    (request,) = sidecar.dapr.published
    # the content type that makes Dapr forward the event as it is instead of wrapping it in a second envelope
    assert request.data_content_type == "application/cloudevents+json"
    event = json.loads(request.data)
    assert (event["specversion"], event["id"], event["source"], event["data"]) == ("1.0", "o1", "shop", {"n": 1})


# -- DPR302: an except clause that misses the gRPC errors ---------------------------------------------------------

INTERNAL_ONLY = """
from dapr.clients import DaprClient
from dapr.clients.exceptions import DaprInternalError


def load(order_id):
    with DaprClient() as client:
        try:
            return client.get_state("statestore", order_id).data
        except DaprInternalError:
            return None
"""


def test_dpr302_the_fixed_handler_catches_the_component_failure(project, capsys, sidecar):
    from dapr.clients.exceptions import DaprGrpcError

    before = _load(project, INTERNAL_ONLY, "before302")
    with pytest.raises(DaprGrpcError, match="state store statestore is not found"):
        before.load("o1")  # escapes the clause, as the page says
    after = _load(project, _fix(project, capsys, "app302", INTERNAL_ONLY, "DPR302", [10]), "after302")
    assert after.load("o1") is None  # handled by the clause the author wrote


# -- DPR403: a subscriber status in the wrong case ---------------------------------------------------------------

FASTAPI_SUBSCRIBER = """
from dapr.ext.fastapi import DaprApp
from fastapi import FastAPI

app = FastAPI()
dapr_app = DaprApp(app)
seen = []


@dapr_app.subscribe(pubsub="pubsub", topic="orders")
def on_order(event: dict) -> dict:
    seen.append(event["data"])
    return {"status": "success"}
"""
FLASK_SUBSCRIBER = """
from dapr.ext.flask import DaprApp
from flask import Flask, request

app = Flask(__name__)
dapr_app = DaprApp(app)
seen = []


@dapr_app.subscribe(pubsub="pubsub", topic="orders")
def on_order():
    seen.append(request.get_json()["data"])
    return {"status": "Retry"}
"""
EVENT = {"specversion": "1.0", "id": "e1", "source": "shop", "type": "order", "datacontenttype": "application/json",
         "data": {"id": "o1"}, "pubsubname": "pubsub", "topic": "orders"}
# the statuses the runtime knows, as the SDK's own protocol spells them
STATUSES = set(appcallback_pb2.TopicEventResponse.TopicEventResponseStatus.keys())


async def _request(app, method: str, path: str, body: bytes = b"") -> tuple[int, object]:
    """One request through an ASGI app, as uvicorn makes it (here: the sidecar's delivery)."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"content-type", b"application/cloudevents+json"), (b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
    }
    incoming = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list = []

    async def receive():
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, json.loads(b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"))


def _asgi(app, method: str, path: str, body: bytes = b"") -> tuple[int, object]:
    return asyncio.run(_request(app, method, path, body))


def _deliver_fastapi(module) -> dict:
    status, subscriptions = _asgi(module.app, "GET", "/dapr/subscribe")
    assert status == 200
    (subscription,) = subscriptions
    status, answer = _asgi(module.app, "POST", subscription["route"], json.dumps(EVENT).encode())
    assert status == 200
    return answer


def _deliver_flask(module) -> dict:
    client = module.app.test_client()
    (subscription,) = client.get("/dapr/subscribe").get_json()
    response = client.post(subscription["route"], json=EVENT)
    assert response.status_code == 200
    return response.get_json()


@pytest.mark.parametrize(
    "framework, source, deliver, meant",
    [("fastapi", FASTAPI_SUBSCRIBER, _deliver_fastapi, "SUCCESS"), ("flask", FLASK_SUBSCRIBER, _deliver_flask, "RETRY")],
)
def test_dpr403_the_fixed_subscriber_answers_a_status_dapr_knows(project, capsys, framework, source, deliver, meant):
    pytest.importorskip(f"dapr.ext.{framework}")
    before = _load(project, source, f"before403{framework}")
    answer = deliver(before)
    assert answer["status"] not in STATUSES  # an unknown status: Dapr counts the delivery as failed
    after = _load(project, _fix(project, capsys, f"app403{framework}", source, "DPR403", [13]), f"after403{framework}")
    answer = deliver(after)
    assert answer == {"status": meant} and meant in STATUSES
    assert after.seen == [{"id": "o1"}]  # the handler still did its work


# -- DPR413: trace context not forwarded -------------------------------------------------------------------------

UNTRACED = """
from dapr.clients import DaprClient
from fastapi import FastAPI
from opentelemetry import trace

app = FastAPI()
tracer = trace.get_tracer(__name__)


@app.post("/orders")
def create_order(order: dict) -> dict:
    with DaprClient() as client:
        client.invoke_method("billing", "charge", data="{}", http_verb="POST")
    return order
"""
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_dpr413_the_fixed_call_forwards_the_incoming_trace(project, capsys, sidecar):
    pytest.importorskip("fastapi")
    pytest.importorskip("opentelemetry.propagate")
    from opentelemetry import context, propagate

    def handle(module):
        # the incoming request's trace in the OpenTelemetry context, as an instrumented framework puts it
        token = context.attach(propagate.extract({"traceparent": TRACEPARENT}))
        try:
            return module.create_order({"id": "o1"})
        finally:
            context.detach(token)

    before = _load(project, UNTRACED, "before413")
    assert handle(before) == {"id": "o1"}
    after = _load(project, _fix(project, capsys, "app413", UNTRACED, "DPR413", [13]), "after413")
    assert handle(after) == {"id": "o1"}
    assert [path for _verb, path, _body in ((i[0], i[1], i[2]) for i in _HttpSidecar.invocations)] == [
        "/v1.0/invoke/billing/method/charge"
    ] * 2
    sent_before, sent_after = _HttpSidecar.headers
    assert "traceparent" not in sent_before  # a new trace starts at the sidecar
    assert sent_after["traceparent"] == TRACEPARENT  # the caller's trace continues


# -- workflows: the SDK's worker against a stand-in workflow engine ------------------------------------------------

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


class _WorkflowEngine:
    """Plays the sidecar's workflow engine: sends the worker an instance's history and new events, runs the
    activities and child workflows the worker schedules (through the worker too) and appends their results to the
    history, until the workflow completes. Each turn starts one second after the previous one."""

    def __init__(self, hub: _TaskHub) -> None:
        self.hub = hub
        self.activity_calls: list = []  # (name, input) of every activity run
        self.timers: list = []  # the fire-at time of every timer the workflow creates
        self.last_turn: dict = {}  # instance -> (past, new) of its last turn, to replay it
        self._clock = T0

    def _tick(self):
        now, self._clock = self._clock, self._clock + timedelta(seconds=1)
        return helpers.new_workflow_started_event(now)

    def turn(self, instance: str, past: list, new: list):
        request = wpb.WorkflowRequest(instanceId=instance, pastEvents=past, newEvents=new)
        return self.hub.call(wpb.WorkItem(workflowRequest=request, completionToken=instance))

    def replay(self, instance: str = "i1"):
        """The instance's last turn again, from the same history: what the runtime does after a restart."""
        return self.turn(instance, *self.last_turn[instance]).actions[-1].completeWorkflow

    def run(self, name: str, payload, instance: str = "i1"):
        """Run the workflow to its end; return its CompleteWorkflowAction."""
        past: list = []
        new = [self._tick(), helpers.new_execution_started_event(name, instance, json.dumps(payload))]
        for _ in range(10):
            response = self.turn(instance, past, new)
            self.last_turn[instance] = (past, new)
            past, new = past + new, [self._tick()]
            for action in response.actions:
                if action.HasField("completeWorkflow"):
                    return action.completeWorkflow
                if action.HasField("scheduleTask"):
                    task = action.scheduleTask
                    past.append(helpers.new_task_scheduled_event(action.id, task.name, task.input.value))
                    self.activity_calls.append((task.name, json.loads(task.input.value)))
                    request = wpb.ActivityRequest(
                        name=task.name, input=task.input, taskId=action.id,
                        workflowInstance=wpb.WorkflowInstance(instanceId=instance),
                    )
                    result = self.hub.call(wpb.WorkItem(activityRequest=request, completionToken=f"a{action.id}"))
                    assert not result.HasField("failureDetails"), result.failureDetails
                    new.append(helpers.new_task_completed_event(action.id, result.result.value))
                elif action.HasField("createChildWorkflow"):
                    child = action.createChildWorkflow
                    past.append(
                        helpers.new_child_workflow_created_event(action.id, child.name, child.instanceId, child.input.value)
                    )
                    done = self.run(child.name, json.loads(child.input.value), child.instanceId)
                    new.append(helpers.new_child_workflow_completed_event(action.id, _result_text(done)))
                elif action.HasField("createTimer"):
                    # the timer fires at once (the stand-in's clock does not wait)
                    fire_at = action.createTimer.fireAt
                    self.timers.append(fire_at.ToDatetime())
                    past.append(wpb.HistoryEvent(eventId=action.id, timerCreated=wpb.TimerCreatedEvent(fireAt=fire_at)))
                    new.append(wpb.HistoryEvent(eventId=-1, timerFired=wpb.TimerFiredEvent(fireAt=fire_at, timerId=action.id)))
                else:
                    raise AssertionError(f"the stand-in does not play {action}")
        raise AssertionError(f"{name} did not complete in 10 turns")


def _result_text(done) -> str:
    assert done.workflowStatus == wpb.ORCHESTRATION_STATUS_COMPLETED, done.failureDetails
    return done.result.value


class _Started:
    """The module's WorkflowRuntime started against the stand-in (the SDK's worker, its gRPC stream and all)."""

    def __init__(self, module, hub: _TaskHub) -> None:
        self.wfr, self.hub = module.wfr, hub

    def __enter__(self):
        streams = len(self.hub.streams)
        self.wfr.start()
        deadline = time.monotonic() + 10
        while len(self.hub.streams) == streams:  # the worker's stream has reached the stand-in
            assert time.monotonic() < deadline, "the worker opened no work-item stream"
            time.sleep(0.005)
        return self.wfr

    def __exit__(self, *exc):
        self.wfr.shutdown()


# DPR701: clock reads replaced by the replay-safe time. The workflow compares its clock with an aware deadline and
# passes it on; the fixed code must still get the aware datetime it was written for.
CLOCK = """
from datetime import datetime, timezone

from dapr.ext.workflow import DaprWorkflowContext, WorkflowActivityContext, WorkflowRuntime

wfr = WorkflowRuntime()


@wfr.workflow
def order_workflow(ctx: DaprWorkflowContext, order: dict):
    started = datetime.now(timezone.utc)
    late = started > datetime.fromisoformat(order["deadline"])
    yield ctx.call_activity(charge, input={"id": order["id"], "at": started.isoformat(), "late": late})
    stamped = datetime.utcnow()
    return [stamped.isoformat(), (stamped - started.replace(tzinfo=None)).total_seconds()]


@wfr.activity
def charge(ctx: WorkflowActivityContext, payment: dict) -> str:
    return payment["id"]
"""


def test_dpr701_the_fixed_workflow_replays_to_the_same_values(project, capsys, sidecar):
    order = {"id": "o1", "deadline": "2026-01-01T00:00:00+00:00"}
    before = _load(project, CLOCK, "before701")
    engine = _WorkflowEngine(sidecar.hub)
    with _Started(before, sidecar.hub):
        first = _result_text(engine.run("order_workflow", order))
        again = _result_text(engine.replay())
    (_name, sent), = engine.activity_calls
    assert datetime.fromisoformat(sent["at"]) != T0  # the wall clock, not the instance's time
    assert again != first  # the same history replayed gives another result

    after = _load(project, _fix(project, capsys, "app701", CLOCK, "DPR701", [11, 14]), "after701")
    engine = _WorkflowEngine(sidecar.hub)
    with _Started(after, sidecar.hub):
        first = json.loads(_result_text(engine.run("order_workflow", order)))
        again = json.loads(_result_text(engine.replay()))
    (_name, sent), = engine.activity_calls
    assert sent == {"id": "o1", "at": T0.isoformat(), "late": True}  # aware, the instance's own start time
    assert first == [(T0 + timedelta(seconds=1)).replace(tzinfo=None).isoformat(), 1.0]
    assert again == first  # replay is deterministic


# DPR703: a task that is never yielded is never scheduled; yielded, the activity runs before the workflow ends.
NOT_YIELDED = """
from dapr.ext.workflow import DaprWorkflowContext, WorkflowActivityContext, WorkflowRuntime

wfr = WorkflowRuntime()
sent = []


@wfr.workflow
def notify(ctx: DaprWorkflowContext, order):
    ctx.call_activity(send_email, input=order)
    return "done"


@wfr.activity
def send_email(ctx: WorkflowActivityContext, order: dict) -> None:
    sent.append(order["id"])
"""


def test_dpr703_the_fixed_workflow_runs_its_activity(project, capsys, sidecar):
    before = _load(project, NOT_YIELDED, "before703")
    engine = _WorkflowEngine(sidecar.hub)
    with _Started(before, sidecar.hub):
        assert json.loads(_result_text(engine.run("notify", {"id": "o1"}))) == "done"
    assert engine.activity_calls == [] and before.sent == []  # completed at once; the activity never ran

    after = _load(project, _fix(project, capsys, "app703", NOT_YIELDED, "DPR703", [10]), "after703")
    engine = _WorkflowEngine(sidecar.hub)
    with _Started(after, sidecar.hub):
        assert json.loads(_result_text(engine.run("notify", {"id": "o1"}))) == "done"
    assert engine.activity_calls == [("send_email", {"id": "o1"})] and after.sent == ["o1"]


# DPR705: a positional input fails the instance with TypeError; as `input=` the activity and the child run.
POSITIONAL = """
from dapr.ext.workflow import DaprWorkflowContext, WorkflowActivityContext, WorkflowRuntime

wfr = WorkflowRuntime()


@wfr.workflow
def order_workflow(ctx: DaprWorkflowContext, order: dict):
    charged = yield ctx.call_activity(charge, order)
    receipt_id = yield ctx.call_child_workflow(receipt, order)
    return [charged, receipt_id]


@wfr.workflow
def receipt(ctx: DaprWorkflowContext, order: dict):
    return "r-" + order["id"]


@wfr.activity
def charge(ctx: WorkflowActivityContext, order: dict) -> dict:
    return {"charged": order["id"]}
"""


def test_dpr705_the_fixed_workflow_passes_its_inputs(project, capsys, sidecar):
    before = _load(project, POSITIONAL, "before705")
    engine = _WorkflowEngine(sidecar.hub)
    with _Started(before, sidecar.hub):
        done = engine.run("order_workflow", {"id": "o1"})
    assert done.workflowStatus == wpb.ORCHESTRATION_STATUS_FAILED
    assert done.failureDetails.errorType == "TypeError"
    assert re.search(r"takes 2 positional arguments but 3 were given", done.failureDetails.errorMessage)

    after = _load(project, _fix(project, capsys, "app705", POSITIONAL, "DPR705", [9, 10]), "after705")
    engine = _WorkflowEngine(sidecar.hub)
    with _Started(after, sidecar.hub):
        result = json.loads(_result_text(engine.run("order_workflow", {"id": "o1"})))
    assert result == [{"charged": "o1"}, "r-o1"]
    assert engine.activity_calls == [("charge", {"id": "o1"})]


# DPR711: a number given to create_timer fails the instance with TypeError; as a timedelta the timer fires that
# many seconds after the instance's current time.
TIMER = """
from dapr.ext.workflow import DaprWorkflowContext, WorkflowRuntime

wfr = WorkflowRuntime()


@wfr.workflow
def reminder(ctx: DaprWorkflowContext, order: dict):
    yield ctx.create_timer(30)
    return "reminded " + order["id"]
"""


def test_dpr711_the_fixed_timer_fires(project, capsys, sidecar):
    before = _load(project, TIMER, "before711")
    engine = _WorkflowEngine(sidecar.hub)
    with _Started(before, sidecar.hub):
        done = engine.run("reminder", {"id": "o1"})
    assert done.workflowStatus == wpb.ORCHESTRATION_STATUS_FAILED
    assert done.failureDetails.errorType == "TypeError"
    assert "Expected a datetime object got int" in done.failureDetails.errorMessage
    assert engine.timers == []

    fixed = _fix(project, capsys, "app711", TIMER, "DPR711", [9])
    assert "from datetime import timedelta" in fixed and "ctx.create_timer(timedelta(seconds=30))" in fixed
    after = _load(project, fixed, "after711")
    engine = _WorkflowEngine(sidecar.hub)
    with _Started(after, sidecar.hub):
        assert json.loads(_result_text(engine.run("reminder", {"id": "o1"}))) == "reminded o1"
    assert engine.timers == [T0.replace(tzinfo=None) + timedelta(seconds=30)]


# DPR707 (no fix): what its finding predicts. The activity is called by function but never registered: the worker
# fails the activity, and the failure fails the instance.
UNREGISTERED = """
from dapr.ext.workflow import DaprWorkflowContext, WorkflowActivityContext, WorkflowRuntime

wfr = WorkflowRuntime()


@wfr.workflow
def order_workflow(ctx: DaprWorkflowContext, order: dict):
    return (yield ctx.call_activity(refund, input=order))


@wfr.activity
def charge(ctx: WorkflowActivityContext, order: dict) -> str:
    return "charged " + order["id"]


def refund(ctx: WorkflowActivityContext, order: dict) -> str:
    return "refunded " + order["id"]
"""


def test_dpr707_an_unregistered_activity_fails_the_instance(project, capsys, sidecar):
    (project / "app707.py").write_text(textwrap.dedent(UNREGISTERED), encoding="utf-8")
    assert _findings(capsys, "app707.py", "--select", "DPR707") == [(9, "DPR707")]
    module = _load(project, UNREGISTERED, "before707")
    engine = _WorkflowEngine(sidecar.hub)
    started = [engine._tick(), helpers.new_execution_started_event("order_workflow", "i1", json.dumps({"id": "o1"}))]
    with _Started(module, sidecar.hub):
        (action,) = engine.turn("i1", [], started).actions
        task = action.scheduleTask
        assert task.name == "refund"  # sent under the function's own name
        request = wpb.ActivityRequest(
            name=task.name, input=task.input, taskId=action.id, workflowInstance=wpb.WorkflowInstance(instanceId="i1")
        )
        failed = sidecar.hub.call(wpb.WorkItem(activityRequest=request, completionToken="a1"))
        assert failed.HasField("failureDetails")
        assert "refund" in failed.failureDetails.errorMessage
        past = [*started, helpers.new_task_scheduled_event(action.id, task.name, task.input.value)]
        failure = wpb.HistoryEvent(
            eventId=-1, taskFailed=wpb.TaskFailedEvent(taskScheduledId=action.id, failureDetails=failed.failureDetails)
        )
        done = engine.turn("i1", past, [engine._tick(), failure]).actions[-1].completeWorkflow
    assert done.workflowStatus == wpb.ORCHESTRATION_STATUS_FAILED
    assert "refund" in done.failureDetails.errorMessage


# DPR416: a WorkflowRuntime started in the lifespan and never shut down keeps a non-daemon thread alive after the
# server's shutdown (the process cannot exit); the fix shuts it down at the end of the lifespan.
LIFESPAN = """
from contextlib import asynccontextmanager

from dapr.ext.workflow import WorkflowRuntime
from fastapi import FastAPI

wfr = WorkflowRuntime()


@asynccontextmanager
async def lifespan(app: FastAPI):
    wfr.start()
    yield


app = FastAPI(lifespan=lifespan)
"""


def _serve(app, during=None, after=None, grace: float = 5.0) -> set[str]:
    """Start and stop an ASGI app the way uvicorn does (the lifespan protocol), awaiting `during()` while it is
    up and `after()` once it has stopped, in the same event loop; return the names of the non-daemon threads
    that are new and still alive afterwards: what keeps the interpreter from exiting."""
    existing = set(threading.enumerate())

    async def lifespan():
        incoming: asyncio.Queue = asyncio.Queue()
        sent: list = []

        async def send(message):
            sent.append(message["type"])

        await incoming.put({"type": "lifespan.startup"})
        task = asyncio.ensure_future(app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
                                         incoming.get, send))
        while "lifespan.startup.complete" not in sent:
            assert not task.done() and "lifespan.startup.failed" not in sent, sent
            await asyncio.sleep(0.01)
        if during is not None:
            await during()
        await incoming.put({"type": "lifespan.shutdown"})
        await task
        assert sent[-1] == "lifespan.shutdown.complete", sent
        if after is not None:
            await after()

    asyncio.run(lifespan())

    def lingering() -> set[str]:
        # idle executor threads do not count: concurrent.futures wakes and joins them at exit
        return {
            t.name
            for t in threading.enumerate()
            if t not in existing and not t.daemon and t.is_alive() and not t.name.startswith(("asyncio_", "ThreadPool"))
        }

    # threads on their way out (a stream reader noticing its closed channel) get a moment under load; a thread
    # nobody stops stays
    deadline = time.monotonic() + grace
    while lingering() and time.monotonic() < deadline:
        time.sleep(0.02)
    return lingering()


def test_dpr416_the_fixed_app_stops_its_workflow_worker(project, capsys, sidecar):
    pytest.importorskip("fastapi")
    before = _load(project, LIFESPAN, "before416")
    try:
        left = _serve(before.app, grace=0.5)
        assert "WorkerRunLoop" in left  # the worker still runs after the server stopped
    finally:
        before.wfr.shutdown()
    after = _load(project, _fix(project, capsys, "app416", LIFESPAN, "DPR416", [12]), "after416")
    assert _serve(after.app) == set()


# -- DPR420: a job scheduled at start-up without overwrite=True -------------------------------------------------

STARTUP_JOB = """
from contextlib import asynccontextmanager

from dapr.aio.clients import DaprClient
from dapr.clients import Job
from fastapi import FastAPI


@asynccontextmanager
async def lifespan(app: FastAPI):
    async with DaprClient() as client:
        await client.schedule_job(Job(name="nightly-report", schedule="@daily"))
    yield


app = FastAPI(lifespan=lifespan)
"""


def _start(app) -> None:
    """One start (and stop) of the app: its lifespan, as the server runs it."""

    async def run():
        async with app.router.lifespan_context(app):
            pass

    asyncio.run(run())


def test_dpr420_the_fixed_app_starts_a_second_time(project, capsys, sidecar):
    pytest.importorskip("fastapi")
    from dapr.clients.exceptions import DaprGrpcError

    before = _load(project, STARTUP_JOB, "before420")
    _start(before.app)  # the first start schedules the job
    with pytest.raises(DaprGrpcError, match="already exists"):
        _start(before.app)  # the second start finds it there, as the page says
    sidecar.dapr.jobs.clear()
    after = _load(project, _fix(project, capsys, "app420", STARTUP_JOB, "DPR420", [12]), "after420")
    _start(after.app)
    _start(after.app)
    job = sidecar.dapr.jobs["nightly-report"]
    assert job.overwrite and job.job.schedule == "@daily"


# -- every fix is run ----------------------------------------------------------------------------------------------

_TEST_NAME = re.compile(r"^test_((?:dpr\d{3}_)+)")


def test_every_fixable_rule_has_an_execution_test():
    covered = set()
    for path in EXECUTION_TESTS:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            match = isinstance(node, ast.FunctionDef) and _TEST_NAME.match(node.name)
            if match:
                covered |= {code.upper() for code in match.group(1).split("_") if code}
    fixable = {rule.code for rule in registry.all_rules() if rule.fix_safety is not None}
    assert fixable <= covered, f"fixable rules whose fixed code no test runs: {sorted(fixable - covered)}"


# DPR416, an async client the lifespan puts on the app's state: it serves requests, and nothing closes it when the
# server stops (it has no __del__); the fix closes it at the end of the lifespan.
HELD_CLIENT = """
from contextlib import asynccontextmanager

from dapr.aio.clients import DaprClient
from fastapi import FastAPI


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.dapr = DaprClient()
    yield


app = FastAPI(lifespan=lifespan)


@app.post("/orders/{order_id}")
async def create(order_id: str):
    await app.state.dapr.save_state("statestore", order_id, "{}")
    return {"saved": order_id}
"""


def test_dpr416_the_fixed_app_closes_its_async_client(project, capsys, sidecar):
    pytest.importorskip("fastapi")

    def serve(module) -> dict:
        seen: dict = {}

        async def during():
            seen["answer"] = await _request(module.app, "POST", "/orders/o1")

        async def after():  # the client the app held, used once the server has stopped
            try:
                await module.app.state.dapr.save_state("statestore", "late", "{}")
                seen["late"] = "sent"
            except Exception as exc:  # noqa: BLE001 - which one is the point
                seen["late"] = exc

        assert _serve(module.app, during, after) == set()
        return seen

    before = serve(_load(project, HELD_CLIENT, "before416aio"))
    assert before == {"answer": (200, {"saved": "o1"}), "late": "sent"}  # still open after the server stopped
    assert [r.states[0].key for r in sidecar.dapr.saved] == ["o1", "late"]
    sidecar.dapr.saved.clear()
    after = serve(_load(project, _fix(project, capsys, "app416aio", HELD_CLIENT, "DPR416", [10]), "after416aio"))
    assert after["answer"] == (200, {"saved": "o1"})  # the app works as before
    late = after["late"]  # and its client was closed with it
    assert isinstance(late, grpc.aio.UsageError) and "closed" in str(late), repr(late)
    assert [r.states[0].key for r in sidecar.dapr.saved] == ["o1"]
