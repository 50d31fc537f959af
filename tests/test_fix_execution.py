"""Fixed code runs: each fixable client rule's fix is applied to a small program, which is then imported and run
against the installed SDK with the loopback sidecar stand-in of the conformance tests (a health endpoint and a
service-invocation recorder on HTTP; a closed gRPC port, so a call that passes the SDK's own checks ends in
grpc.RpcError). Before the fix the program fails the way the rule's page says; after it, it does what the page
promises. Also: a file using Python 3.12 f-string syntax is fixed on whatever Python runs the suite."""

from __future__ import annotations

import asyncio
import gc
import importlib.util
import sys
import textwrap
import warnings

import pytest

grpc = pytest.importorskip("grpc")
pytest.importorskip("dapr.aio.clients")

from test_conformance_sdk import _Sidecar, _server, sidecar  # noqa: E402,F401  (the loopback stand-ins)

from dapr_lint import registry  # noqa: E402

# every program runs against the stand-in sidecar (environment pointing at it)
pytestmark = [pytest.mark.usefixtures("sidecar"), pytest.mark.slow]
from dapr_lint.config import OPTIONS  # noqa: E402
from dapr_lint.engine.fixes import fix_python  # noqa: E402
from dapr_lint.settings import Settings  # noqa: E402

SETTINGS = Settings(
    enabled=frozenset(registry.codes()),
    options={k: v.default for k, v in OPTIONS.items()},
    fix_mode="fix",
    unsafe_fixes=True,
)


def _fixed(source: str, code: str) -> str:
    outcome = fix_python("program.py", textwrap.dedent(source).encode(), SETTINGS)
    assert code in outcome.applied, (code, outcome.applied, outcome.problems, outcome.refused)
    return outcome.data.decode()


def _load(tmp_path, source: str, name: str):
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _invocations():
    return [(verb, path, body) for verb, path, body, _ in _Sidecar.invocations]


# DPR101 (and DPR103, the same conversion): a sync client in `async def`. Its invoke_method cannot run on a running
# loop (RuntimeError); converted to the aio client, the invocation reaches the sidecar.
CONVERT = """
from dapr.clients import DaprClient


async def quote(order_id):
    with DaprClient() as client:
        resp = client.invoke_method("pricing", "quotes", data=order_id, http_verb="POST")
        return resp.text()
"""


def test_dpr101_conversion_runs(tmp_path):
    before = _load(tmp_path, CONVERT, "before101")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError, match="event loop is already running"):
            asyncio.run(before.quote("o1"))
        gc.collect()  # the SDK's un-run invoke_method_async coroutine: collected here, not in a later test
    after = _load(tmp_path, _fixed(CONVERT, "DPR101"), "after101")
    _Sidecar.invocations = []
    assert asyncio.run(after.quote("o1")) == "{}"
    assert _invocations() == [("POST", "/v1.0/invoke/pricing/method/quotes", b"o1")]


AWAIT_ON_SYNC = """
from dapr.clients import DaprClient


async def quote(order_id):
    with DaprClient() as client:
        resp = await client.invoke_method("pricing", "quotes", data=order_id, http_verb="POST")
        return resp.text()
"""


def test_dpr103_conversion_runs(tmp_path):
    after = _load(tmp_path, _fixed(AWAIT_ON_SYNC, "DPR103"), "after103")
    _Sidecar.invocations = []
    assert asyncio.run(after.quote("o2")) == "{}"
    assert _invocations() == [("POST", "/v1.0/invoke/pricing/method/quotes", b"o2")]


# DPR102: `with` on the aio client raises TypeError; `async with` works.
WITH_ON_AIO = """
from dapr.aio.clients import DaprClient


async def quote(order_id):
    with DaprClient() as client:
        resp = await client.invoke_method("pricing", "quotes", data=order_id, http_verb="POST")
        return resp.text()
"""


def test_dpr102_fix_runs(tmp_path):
    before = _load(tmp_path, WITH_ON_AIO, "before102")
    with pytest.raises((TypeError, AttributeError)):
        asyncio.run(before.quote("o3"))
    after = _load(tmp_path, _fixed(WITH_ON_AIO, "DPR102"), "after102")
    assert asyncio.run(after.quote("o3")) == "{}"


# DPR104: an un-awaited coroutine never runs; awaited, the invocation happens.
UNAWAITED = """
from dapr.aio.clients import DaprClient


async def notify(order_id):
    async with DaprClient() as client:
        client.invoke_method("mailer", "send", data=order_id, http_verb="POST")
"""


def test_dpr104_fix_runs(tmp_path):
    before = _load(tmp_path, UNAWAITED, "before104")
    _Sidecar.invocations = []
    # what the rule's page says: the call never runs, and Python says so once the coroutine is collected
    with pytest.warns(RuntimeWarning, match="was never awaited"):
        asyncio.run(before.notify("o4"))
        gc.collect()
    assert _invocations() == []  # never ran
    after = _load(tmp_path, _fixed(UNAWAITED, "DPR104"), "after104")
    asyncio.run(after.notify("o4"))
    assert _invocations() == [("POST", "/v1.0/invoke/mailer/method/send", b"o4")]


# DPR105 / DPR106: the client is wrapped in `async with` / `with`: the call still happens, and the client is closed.
UNCLOSED_AIO = """
from dapr.aio.clients import DaprClient


async def notify(order_id):
    client = DaprClient()
    await client.invoke_method("mailer", "send", data=order_id, http_verb="POST")
    return client
"""
UNCLOSED_SYNC = """
from dapr.clients import DaprClient


def notify(order_id):
    client = DaprClient()
    client.invoke_method("mailer", "send", data=order_id, http_verb="POST")
"""


def test_dpr105_fix_runs_and_closes(tmp_path):
    source = UNCLOSED_AIO.replace("    return client\n", "")
    after = _load(tmp_path, _fixed(source, "DPR105"), "after105")
    _Sidecar.invocations = []
    asyncio.run(after.notify("o5"))
    assert _invocations() == [("POST", "/v1.0/invoke/mailer/method/send", b"o5")]
    assert "async with DaprClient() as client:" in _fixed(source, "DPR105")


def test_dpr106_fix_runs_and_closes(tmp_path, monkeypatch):
    fixed = _fixed(UNCLOSED_SYNC, "DPR106")
    after = _load(tmp_path, fixed, "after106")
    closed = []
    from dapr.clients import DaprClient

    original = DaprClient.close
    monkeypatch.setattr(DaprClient, "close", lambda self: (closed.append(True), original(self))[1])
    _Sidecar.invocations = []
    after.notify("o6")
    assert _invocations() == [("POST", "/v1.0/invoke/mailer/method/send", b"o6")]
    assert closed  # `with` closed it


# DPR108: a keyword the SDK does not take raises TypeError; renamed, the call passes the SDK's checks.
BAD_KEYWORD = """
from dapr.clients import DaprClient


def publish(order):
    with DaprClient() as client:
        client.publish_event("pubsub", "orders", order, content_type="application/json")
"""


def test_dpr108_fix_runs(tmp_path):
    before = _load(tmp_path, BAD_KEYWORD, "before108")
    with pytest.raises(TypeError, match="content_type"):
        before.publish("{}")
    after = _load(tmp_path, _fixed(BAD_KEYWORD, "DPR108"), "after108")
    with pytest.raises(grpc.RpcError):  # reached the (closed) gRPC port: the SDK accepted the call
        after.publish("{}")


# DPR109: a deprecated name warns; renamed, it does the same without the warning.
DEPRECATED = """
from dapr.clients.health import DaprHealth


def wait():
    DaprHealth.wait_until_ready()
"""


def test_dpr109_fix_runs(tmp_path):
    before = _load(tmp_path, DEPRECATED, "before109")
    with pytest.warns(DeprecationWarning):
        before.wait()
    after = _load(tmp_path, _fixed(DEPRECATED, "DPR109"), "after109")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        after.wait()


# DPR201: a dict payload makes the SDK raise ValueError; serialised, the call passes the SDK's checks.
DICT_PAYLOAD = """
from dapr.clients import DaprClient


def save(order_id):
    with DaprClient() as client:
        client.save_state("statestore", order_id, {"id": order_id})
"""


def test_dpr201_fix_runs(tmp_path):
    before = _load(tmp_path, DICT_PAYLOAD, "before201")
    with pytest.raises(ValueError, match="invalid type for data"):
        before.save("o7")
    after = _load(tmp_path, _fixed(DICT_PAYLOAD, "DPR201"), "after201")
    with pytest.raises(grpc.RpcError):
        after.save("o7")


# DPR203: a non-str metadata value makes protobuf raise TypeError; quoted, the call passes.
INT_METADATA = """
from dapr.clients import DaprClient


def save(order_id):
    with DaprClient() as client:
        client.save_state("statestore", order_id, "{}", state_metadata={"ttlInSeconds": 60})
"""


def test_dpr203_fix_runs(tmp_path):
    before = _load(tmp_path, INT_METADATA, "before203")
    with pytest.raises(TypeError):
        before.save("o8")
    after = _load(tmp_path, _fixed(INT_METADATA, "DPR203"), "after203")
    with pytest.raises(grpc.RpcError):
        after.save("o8")


# DPR206: a body with no verb is sent as GET (and dropped by most routes); with the verb, as POST.
NO_VERB = """
from dapr.clients import DaprClient


def create(order):
    with DaprClient() as client:
        client.invoke_method("orders", "api/v1/orders", data=order)
"""


def test_dpr206_fix_runs(tmp_path):
    before = _load(tmp_path, NO_VERB, "before206")
    _Sidecar.invocations = []
    before.create("{}")
    after = _load(tmp_path, _fixed(NO_VERB, "DPR206"), "after206")
    after.create("{}")
    verbs = [verb for verb, *_ in _invocations()]
    assert verbs[0] != "POST" and verbs[-1] == "POST", verbs


# Python 3.12 grammar (PEP 701 f-strings) on an older interpreter: the fix is verified with LibCST, the file's own
# grammar, and written; never an internal error.
PEP701 = '''
from dapr.aio.clients import DaprClient

songs = {"a": 1}


async def notify(order_id):
    async with DaprClient() as client:
        client.publish_event("pubsub", "orders", f"{songs["a"]}-{order_id}")
'''


def test_a_python_312_f_string_file_is_fixed_on_any_supported_python(project, capsys):
    from dapr_lint.cli import main

    (project / "app.py").write_text(textwrap.dedent(PEP701), encoding="utf-8")
    code = main(["check", "app.py", "--fix", "--no-cache"])
    captured = capsys.readouterr()
    assert "internal error" not in captured.err.lower(), captured.err
    fixed = (project / "app.py").read_text(encoding="utf-8")
    assert 'await client.publish_event("pubsub", "orders", f"{songs["a"]}-{order_id}")' in fixed
    assert code in (0, 1)
    if sys.version_info >= (3, 12):
        compile(fixed, "app.py", "exec")


# DPR405: a `cloudevents.http.CloudEvent` parameter makes FastAPI refuse the route when the module is imported;
# with the pydantic CloudEvent the module imports and the route exists.
CLOUDEVENT_PARAM = """
from cloudevents.http import CloudEvent
from dapr.ext.fastapi import DaprApp
from fastapi import FastAPI

app = FastAPI()
dapr_app = DaprApp(app)


@app.post("/orders")
def on_order(event: CloudEvent):
    return {"status": "SUCCESS"}
"""


def test_dpr405_fix_runs(tmp_path):
    pytest.importorskip("cloudevents.pydantic")
    with pytest.raises(Exception, match="(?i)invalid args for response field|not a valid pydantic field type"):
        _load(tmp_path, CLOUDEVENT_PARAM, "before405")
    after = _load(tmp_path, _fixed(CLOUDEVENT_PARAM, "DPR405"), "after405")
    assert "/orders" in {route.path for route in after.app.routes}


# DPR401 / DPR402: the routes the project fix adds answer 200 (Flask's test client, no server needed).
FLASK_APP = """
from dapr.clients import DaprClient
from flask import Flask

app = Flask(__name__)


@app.route("/orders")
def orders():
    with DaprClient() as client:
        return client.get_state("statestore", "k").text()
"""


def test_dpr401_dpr402_fix_runs(project, capsys):
    from dapr_lint.cli import main

    (project / "service.py").write_text(textwrap.dedent(FLASK_APP), encoding="utf-8")
    main(["check", "service.py", "--fix", "--unsafe-fixes", "--no-cache", "--select", "DPR401,DPR402"])
    capsys.readouterr()
    module = _load(project, (project / "service.py").read_text(encoding="utf-8"), "after401")
    client = module.app.test_client()
    for route in ("/health", "/ready"):
        response = client.get(route)
        assert response.status_code == 200 and response.get_json() == {"status": "ok"}, route
