"""The failures DPR403, DPR405, DPR409 and DPR410 promise, shown on their positive fixtures with the real
libraries (FastAPI, Flask, the dapr extensions, cloudevents 1.x). No sidecar, no network: the failures
happen when the app is defined."""

from __future__ import annotations

import runpy
import warnings

import pytest

from conftest import FIXTURES, lint

PYTHON = FIXTURES / "python"

fastapi = pytest.importorskip("fastapi")
pytest.importorskip("flask")
pytest.importorskip("cloudevents.pydantic")
pytest.importorskip("dapr.ext.fastapi")
pytest.importorskip("dapr.ext.flask")
pytest.importorskip("dapr.ext.grpc")


def _codes(path, code):
    return {(d.line, d.code) for d in lint(path, frozenset({code})).diagnostics}


def _run(name: str) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return runpy.run_path(str(PYTHON / name), run_name="fixture_under_test")


def test_dpr405_fastapi_rejects_cloudevents_http_when_the_route_is_defined():
    from fastapi.exceptions import FastAPIError

    assert _codes(PYTHON / "DPR405_fastapi.py", "DPR405")
    with pytest.raises(FastAPIError, match="CloudEvent"):
        _run("DPR405_fastapi.py")


def test_dpr405_the_pydantic_cloudevent_is_accepted():
    from cloudevents.pydantic import CloudEvent
    from dapr.ext.fastapi import DaprApp
    from fastapi import FastAPI

    app = FastAPI()

    @DaprApp(app).subscribe(pubsub="pubsub", topic="orders")
    def on_order(event: CloudEvent):
        return {"status": "SUCCESS"}

    assert any(getattr(r, "path", None) == "/events/pubsub/orders" for r in app.routes)


def test_dpr409_the_decorated_name_is_none():
    expected = {(18, "DPR409"), (31, "DPR409")}
    assert _codes(PYTHON / "DPR409_decorators.py", "DPR409") == expected
    namespace = _run("DPR409_decorators.py")
    assert namespace["on_payment"] is None  # what `replay` would call
    assert namespace["on_order"] is not None  # `traced` wrapped None: calling it fails later
    with pytest.raises(TypeError):
        namespace["replay"]({"data": {}})
    grpc = _run("DPR409_grpc.py")
    assert grpc["echo"] is None


def test_dpr410_flask_raises_on_a_duplicate_subscription_route():
    assert (14, "DPR410") in _codes(PYTHON / "DPR410_flask.py", "DPR410")
    with pytest.raises(AssertionError, match="overwriting an existing endpoint function: /orders"):
        _run("DPR410_flask.py")


def test_dpr410_fastapi_keeps_the_first_handler_only():
    namespace = _run("DPR410_fastapi.py")
    app = namespace["app"]
    matching = [r for r in app.routes if getattr(r, "path", None) == "/events/pubsub/orders"]
    assert len(matching) == 2  # both registered; Starlette dispatches to the first


def test_dpr403_topic_event_response_rejects_unknown_statuses():
    from dapr.clients.grpc._response import TopicEventResponse

    assert _codes(PYTHON / "DPR403_topic_event_response.py", "DPR403") == {(12, "DPR403"), (14, "DPR403"), (16, "DPR403")}
    with pytest.raises(KeyError):
        TopicEventResponse("fail")
    with pytest.raises(KeyError):
        TopicEventResponse("failed")
    with pytest.raises(ValueError):
        TopicEventResponse(1)
    assert TopicEventResponse("RETRY").status.name == "retry"
    namespace = _run("DPR403_topic_event_response.py")  # defining the handlers does not raise
    assert namespace["on_order"] is None
    # the protobuf message takes the enum's number: 0 is SUCCESS, and no finding is made of it
    assert namespace["on_raw"](None).status == 0
