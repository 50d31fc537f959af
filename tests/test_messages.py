"""The corrected messages, pinned: each states what the SDK and the runtime actually do (checked against the SDK's
source, dapr 1.19: both clients' constructors call DaprHealth.wait_for_sidecar(); invoke_method goes over HTTP by
default; Flask and uvicorn log unhandled exceptions; a failed delivery is retried within the component's and the
resiliency policy's limits)."""

from __future__ import annotations

import json
import textwrap

import pytest

from conftest import lint

from dapr_lint.cli import main


def _findings(tmp_path, code: str, source: str) -> list:
    path = tmp_path / "service.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    result = lint(path, frozenset({code}))
    assert not result.errors
    return [d for d in result.diagnostics if d.code == code]


def _messages(tmp_path, code: str, source: str) -> list[str]:
    return [d.message for d in _findings(tmp_path, code, source)]


def test_dpr101_says_the_aio_constructor_blocks_too_and_recommends_one_client_at_start_up(tmp_path):
    (finding,) = _findings(
        tmp_path,
        "DPR101",
        """\
        from dapr.clients import DaprClient
        from fastapi import FastAPI

        app = FastAPI()


        @app.get("/orders")
        async def orders():
            client = DaprClient()
            return "ok"
        """,
    )
    # the message says what is wrong and what happens; the evidence and the remedy are the detail
    assert finding.message == "sync DaprClient built inside `async def orders`: it and its calls block the event loop"
    assert finding.detail == (
        "The constructor waits on a sidecar health check (up to DAPR_HEALTH_TIMEOUT, 60 s, while the sidecar is down; "
        "the aio client's constructor runs the same check) and every call blocks too. Use one "
        "dapr.aio.clients.DaprClient built at start-up (a FastAPI lifespan) and reused, awaiting its methods."
    )


def test_dpr301_states_the_real_consequence_not_an_unlogged_500(tmp_path):
    (finding,) = _findings(
        tmp_path,
        "DPR301",
        """\
        from dapr.clients import DaprClient
        from flask import Flask

        app = Flask(__name__)
        client = DaprClient()


        @app.route("/orders")
        def orders():
            return client.get_state("statestore", "k").data
        """,
    )
    assert "unlogged" not in finding.message + finding.detail
    assert finding.message == "`get_state` in route `orders` catches no Dapr error: a sidecar failure becomes a generic 500"
    assert finding.detail == (
        "A sidecar or component failure escapes as a 500 that tells the caller nothing it can act on (a 503 to retry "
        "later, a 409 on an etag conflict). Catch `(DaprInternalError, grpc.RpcError)`, log it with context and return "
        "a deliberate status (or register an app-level exception handler)."
    )


FAILED = (
    "retried as far as the component's retry settings and resiliency policy allow, then sent to the dead-letter "
    "topic if one is set (without one, the broker decides whether it comes back)"
)


@pytest.mark.parametrize(
    "code, source, expected, detail",
    [
        (
            "DPR403",
            """\
            from dapr.ext.fastapi import DaprApp
            from fastapi import FastAPI

            dapr_app = DaprApp(FastAPI())


            @dapr_app.subscribe(pubsub="pubsub", topic="orders")
            def on_order(event: dict):
                return {"status": "ok"}
            """,
            'handler `on_order` answers status "ok": Dapr counts it a failed delivery',
            f'The event is {FAILED}. Answer "SUCCESS", "RETRY" or "DROP", or return no status key (success).',
        ),
        (
            "DPR404",
            """\
            from dapr.ext.flask import DaprApp
            from flask import Flask

            dapr_app = DaprApp(Flask(__name__))


            @dapr_app.subscribe(pubsub="pubsub", topic="orders")
            def on_order():
                print("got it")
            """,
            "Flask subscription handler `on_order` can end without returning: Flask answers 500",
            f'The event is {FAILED}. End it with `return {{"status": "SUCCESS"}}`.',
        ),
        (
            "DPR406",
            """\
            from dapr.ext.fastapi import DaprApp
            from fastapi import FastAPI
            from pydantic import BaseModel

            dapr_app = DaprApp(FastAPI())


            class Order(BaseModel):
                id: str


            @dapr_app.subscribe(pubsub="pubsub", topic="orders")
            def on_order(order: Order):
                return {"status": "SUCCESS"}
            """,
            "subscription handler `on_order` reads the body as `Order`: FastAPI answers 422 to every event",
            f"Dapr posts a CloudEvent envelope with the payload under `data`; the event is {FAILED}, never handled. "
            "Take `event: dict` (or `cloudevents.pydantic.CloudEvent`) and validate `Order.model_validate(event['data'])`.",
        ),
    ],
)
def test_failed_deliveries_are_bounded_not_forever(tmp_path, code, source, expected, detail):
    (finding,) = _findings(tmp_path, code, source)
    assert (finding.message, finding.detail) == (expected, detail)
    assert "forever" not in finding.message + finding.detail


def test_type_names_take_the_right_article(tmp_path):
    messages = _messages(
        tmp_path,
        "DPR201",
        """\
        from dapr.clients import DaprClient


        def save():
            with DaprClient() as client:
                client.save_state("statestore", "count", 42)
                client.save_state("statestore", "flag", True)
        """,
    )
    assert [m.split(":", 1)[0] for m in messages] == [
        "`value` of `save_state` is an int, not bytes or str",
        "`value` of `save_state` is a bool, not bytes or str",
    ]
    (metadata,) = _messages(
        tmp_path,
        "DPR203",
        """\
        from dapr.clients import DaprClient


        def publish():
            with DaprClient() as client:
                client.publish_event("pubsub", "orders", b"{}", publish_metadata={"ttlInSeconds": 60})
        """,
    )
    assert '`publish_metadata` of `publish_event` maps "ttlInSeconds" to an int:' in metadata


def test_dpr001_has_one_category_everywhere(project, capsys):
    (project / "broken.py").write_text("import dapr\ndef f(:\n", encoding="utf-8")
    main(["check", "broken.py", "--format", "json"])
    (finding,) = json.loads(capsys.readouterr().out)
    main(["rules", "--format", "json"])
    listed = {rule["code"]: rule for rule in json.loads(capsys.readouterr().out)}
    assert finding["category"] == listed["DPR001"]["category"] == "bug"
