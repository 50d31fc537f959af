"""Every fix: exact output, idempotence, output parses, the finding is gone, bytes kept around the edit."""

from __future__ import annotations

import json
import textwrap

import libcst as cst
import pytest

from dapr_lint import registry
from dapr_lint.cli import main
from dapr_lint.config import OPTIONS
from dapr_lint.engine.fixes import fix_python
from dapr_lint.engine.python_stage import analyze_python
from dapr_lint.settings import Settings


def settings(unsafe: bool) -> Settings:
    # every rule, the opinion ones too (DPR202 adds the JSON content type after DPR201's json.dumps)
    return Settings(
        enabled=frozenset(registry.codes()),
        options={k: v.default for k, v in OPTIONS.items()},
        fix_mode="fix",
        unsafe_fixes=unsafe,
    )


def d(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


CASES = [
    (
        "DPR104-statement",
        False,
        """
        from dapr.aio.clients import DaprClient


        async def publish(order):
            async with DaprClient() as client:
                client.publish_event("pubsub", "orders", order)  # keep this comment
        """,
        """
        from dapr.aio.clients import DaprClient


        async def publish(order):
            async with DaprClient() as client:
                await client.publish_event("pubsub", "orders", order)  # keep this comment
        """,
    ),
    (
        "DPR801-interface-method",
        True,
        """
        from dapr.actor import Actor, ActorInterface, actormethod


        class CartInterface(ActorInterface):
            @actormethod(name="GetItems")
            async def get_items(self) -> list: ...


        class CartActor(Actor, CartInterface):
            def get_items(self) -> list:  # keep this comment
                return []
        """,
        """
        from dapr.actor import Actor, ActorInterface, actormethod


        class CartInterface(ActorInterface):
            @actormethod(name="GetItems")
            async def get_items(self) -> list: ...


        class CartActor(Actor, CartInterface):
            async def get_items(self) -> list:  # keep this comment
                return []
        """,
    ),
    (
        "DPR803-empty-and-bare",
        True,
        """
        from dapr.actor import ActorInterface, actormethod


        class CartInterface(ActorInterface):
            @actormethod()
            async def get_items(self) -> list: ...

            @actormethod
            async def clear(self) -> None: ...
        """,
        """
        from dapr.actor import ActorInterface, actormethod


        class CartInterface(ActorInterface):
            @actormethod(name="get_items")
            async def get_items(self) -> list: ...

            @actormethod(name="clear")
            async def clear(self) -> None: ...
        """,
    ),
    (
        "DPR809-actor-method-name",
        False,
        """
        from dapr.actor import ActorId, ActorInterface, ActorProxy, actormethod


        class CartInterface(ActorInterface):
            @actormethod(name="AddItem")
            async def add_item(self, item: dict) -> None: ...


        async def add(cart_id: str, item: dict) -> None:
            proxy = ActorProxy.create("CartActor", ActorId(cart_id), CartInterface)
            await proxy.add_item(item)
        """,
        """
        from dapr.actor import ActorId, ActorInterface, ActorProxy, actormethod


        class CartInterface(ActorInterface):
            @actormethod(name="AddItem")
            async def add_item(self, item: dict) -> None: ...


        async def add(cart_id: str, item: dict) -> None:
            proxy = ActorProxy.create("CartActor", ActorId(cart_id), CartInterface)
            await proxy.AddItem(item)
        """,
    ),
    (
        "DPR806-try-get-state",
        True,
        """
        from dapr.actor import Actor, ActorInterface


        class CounterInterface(ActorInterface):
            async def increment(self) -> int: ...


        class CounterActor(Actor, CounterInterface):
            async def increment(self) -> int:
                count: int = await self._state_manager.get_state("count")
                count = count or 0
                await self._state_manager.set_state("count", count + 1)
                return count + 1
        """,
        """
        from dapr.actor import Actor, ActorInterface


        class CounterInterface(ActorInterface):
            async def increment(self) -> int: ...


        class CounterActor(Actor, CounterInterface):
            async def increment(self) -> int:
                _, count = await self._state_manager.try_get_state("count")
                count = count or 0
                await self._state_manager.set_state("count", count + 1)
                return count + 1
        """,
    ),
    (
        "DPR104-attribute",
        False,
        """
        from dapr.aio.clients import DaprClient


        async def load(key):
            async with DaprClient() as client:
                return client.get_state("statestore", key).data
        """,
        """
        from dapr.aio.clients import DaprClient


        async def load(key):
            async with DaprClient() as client:
                return (await client.get_state("statestore", key)).data
        """,
    ),
    (
        "DPR102-with-on-aio",
        False,
        """
        from dapr.aio.clients import DaprClient


        async def load(key):
            with DaprClient() as client:
                return await client.get_state("statestore", key)
        """,
        """
        from dapr.aio.clients import DaprClient


        async def load(key):
            async with DaprClient() as client:
                return await client.get_state("statestore", key)
        """,
    ),
    (
        "DPR101-convert-with-block",
        True,
        '''
        """Orders."""
        import json

        from dapr.clients import DaprClient


        async def save(order):
            with DaprClient() as client:
                client.save_state("statestore", order["id"], json.dumps(order))
                current = client.get_state("statestore", order["id"]).data
                await client.publish_event("pubsub", "orders", current)
            return current


        def sync_path(order):
            with DaprClient() as client:
                client.save_state("statestore", order["id"], json.dumps(order))
        ''',
        '''
        """Orders."""
        import json

        from dapr.clients import DaprClient
        from dapr.aio.clients import DaprClient as AsyncDaprClient


        async def save(order):
            async with AsyncDaprClient() as client:
                await client.save_state("statestore", order["id"], json.dumps(order))
                current = (await client.get_state("statestore", order["id"])).data
                await client.publish_event("pubsub", "orders", current)
            return current


        def sync_path(order):
            with DaprClient() as client:
                client.save_state("statestore", order["id"], json.dumps(order))
        ''',
    ),
    (
        "DPR101-convert-awaits-coroutine-results",
        True,
        """
        from dapr.clients import DaprClient
        from dapr.clients.grpc._crypto import EncryptOptions


        async def seal(text):
            with DaprClient() as client:
                resp = client.encrypt(text, EncryptOptions("vault", "key", "RSA"))
                return resp.read()
        """,
        """
        from dapr.aio.clients import DaprClient as AsyncDaprClient
        from dapr.clients.grpc._crypto import EncryptOptions


        async def seal(text):
            async with AsyncDaprClient() as client:
                resp = await client.encrypt(text, EncryptOptions("vault", "key", "RSA"))
                return await resp.read()
        """,
    ),
    (
        "DPR101-convert-removes-the-import-it-leaves-unused",
        True,
        """
        import dapr.clients as dc


        async def save(order_id, body):
            with dc.DaprClient() as client:
                client.save_state("statestore", order_id, body)
        """,
        """
        from dapr.aio.clients import DaprClient as AsyncDaprClient


        async def save(order_id, body):
            async with AsyncDaprClient() as client:
                await client.save_state("statestore", order_id, body)
        """,
    ),
    (
        "DPR102-async-with-on-sync-alias",
        True,
        """
        from dapr.aio.clients import DaprClient as Aio
        from dapr.clients import DaprClient as DC


        async def load(key):
            async with DC() as client:
                return client.get_state("statestore", key).json()
        """,
        """
        from dapr.aio.clients import DaprClient as Aio


        async def load(key):
            async with Aio() as client:
                return (await client.get_state("statestore", key)).json()
        """,
    ),
    (
        "DPR103-await-on-sync",
        True,
        """
        from dapr.aio.clients import DaprClient as AioClient
        from dapr.clients import DaprClient


        async def load(key):
            with DaprClient() as client:
                resp = await client.get_state("statestore", key)
            return resp.data
        """,
        """
        from dapr.aio.clients import DaprClient as AioClient


        async def load(key):
            async with AioClient() as client:
                resp = await client.get_state("statestore", key)
            return resp.data
        """,
    ),
    (
        "DPR105-wrap-in-async-with",
        True,
        """
        from dapr.aio.clients import DaprClient


        async def ship(order_id):
            client = DaprClient()
            resp = await client.invoke_method("shipping", "ship", data=order_id, http_verb="POST")
            return resp.text()
        """,
        """
        from dapr.aio.clients import DaprClient


        async def ship(order_id):
            async with DaprClient() as client:
                resp = await client.invoke_method("shipping", "ship", data=order_id, http_verb="POST")
                return resp.text()
        """,
    ),
    (
        "DPR106-wrap-in-with",
        True,
        """
        from dapr.clients import DaprClient


        def reserve(item):
            if item:
                client = DaprClient()
                client.save_state("statestore", item, "reserved")
            return item
        """,
        """
        from dapr.clients import DaprClient


        def reserve(item):
            if item:
                with DaprClient() as client:
                    client.save_state("statestore", item, "reserved")
            return item
        """,
    ),
    (
        "DPR108-renames",
        False,
        """
        from dapr.clients import DaprClient


        def publish(order):
            with DaprClient(max_message_length=1024) as client:
                client.publish_event("pubsub", "orders", order, content_type="application/json")
                secret = client.get_secret("vault", "db")
                return secret["password"]
        """,
        """
        from dapr.clients import DaprClient


        def publish(order):
            with DaprClient(max_grpc_message_length=1024) as client:
                client.publish_event("pubsub", "orders", order, data_content_type="application/json")
                secret = client.get_secret("vault", "db")
                return secret.secret["password"]
        """,
    ),
    (
        "DPR109-renames",
        False,
        """
        import flask_dapr
        from flask_dapr import DaprApp
        from dapr.clients import DaprClient
        from dapr.clients.health import DaprHealth


        def schedule(job):
            DaprHealth.wait_until_ready()
            with DaprClient() as client:
                client.schedule_job_alpha1(job)
                return client.get_job_alpha1(job.name), DaprApp, flask_dapr.DaprActor
        """,
        """
        import dapr.ext.flask as flask_dapr
        from dapr.ext.flask import DaprApp
        from dapr.clients import DaprClient
        from dapr.clients.health import DaprHealth


        def schedule(job):
            DaprHealth.wait_for_sidecar()
            with DaprClient() as client:
                client.schedule_job(job)
                return client.get_job(job.name), DaprApp, flask_dapr.DaprActor
        """,
    ),
    (
        "DPR201-json-dumps",
        False,
        """
        from dapr.clients import DaprClient


        def save(order_id):
            order = {"id": order_id, "total": 3}
            with DaprClient() as client:
                client.save_state("statestore", order_id, order)
                client.publish_event("pubsub", "orders", [order_id])
        """,
        """
        import json
        from dapr.clients import DaprClient


        def save(order_id):
            order = {"id": order_id, "total": 3}
            with DaprClient() as client:
                client.save_state("statestore", order_id, json.dumps(order))
                client.publish_event("pubsub", "orders", json.dumps([order_id]))
        """,
    ),
    (
        "DPR202-json-content-type",
        True,
        """
        import json

        from dapr.clients import DaprClient


        def publish(order):
            with DaprClient() as client:
                client.publish_event("pubsub", "orders", json.dumps(order))
        """,
        """
        import json

        from dapr.clients import DaprClient


        def publish(order):
            with DaprClient() as client:
                client.publish_event("pubsub", "orders", json.dumps(order), data_content_type="application/json")
        """,
    ),
    (
        "DPR420-overwrite-at-startup",
        False,
        """
        from dapr.clients import DaprClient, Job
        from fastapi import FastAPI

        app = FastAPI()


        @app.on_event("startup")
        def schedule() -> None:
            with DaprClient() as client:
                client.schedule_job(Job(name="nightly", schedule="@daily"))
                client.schedule_job(Job(name="weekly", schedule="@weekly"), False)
                client.schedule_job(
                    job=Job(name="hourly", schedule="@hourly"),
                )
        """,
        """
        from dapr.clients import DaprClient, Job
        from fastapi import FastAPI

        app = FastAPI()


        @app.on_event("startup")
        def schedule() -> None:
            with DaprClient() as client:
                client.schedule_job(Job(name="nightly", schedule="@daily"), overwrite=True)
                client.schedule_job(Job(name="weekly", schedule="@weekly"), True)
                client.schedule_job(
                    job=Job(name="hourly", schedule="@hourly"), overwrite=True,
                )
        """,
    ),
    (
        "DPR203-quote-metadata",
        False,
        """
        from dapr.clients import DaprClient


        def save(key, value):
            with DaprClient() as client:
                client.save_state("statestore", key, value, state_metadata={'ttlInSeconds': 3600, "contentType": "json"})
                client.publish_event("pubsub", "t", value, publish_metadata={"rawPayload": True})
        """,
        """
        from dapr.clients import DaprClient


        def save(key, value):
            with DaprClient() as client:
                client.save_state("statestore", key, value, state_metadata={'ttlInSeconds': "3600", "contentType": "json"})
                client.publish_event("pubsub", "t", value, publish_metadata={"rawPayload": "true"})
        """,
    ),
    (
        "DPR204-rename-metadata",
        False,
        """
        from dapr.clients import DaprClient


        def save(key, value):
            with DaprClient() as client:
                client.save_state("statestore", key, value, metadata={"ttlInSeconds": "60"})
        """,
        """
        from dapr.clients import DaprClient


        def save(key, value):
            with DaprClient() as client:
                client.save_state("statestore", key, value, state_metadata={"ttlInSeconds": "60"})
        """,
    ),
    (
        "DPR206-add-verb",
        True,
        """
        from dapr.clients import DaprClient
        from flask import Flask

        app = Flask(__name__)


        @app.route("/checkout")
        def checkout():
            try:
                with DaprClient() as client:
                    return client.invoke_method("orders", "orders/new", data='{"id": 1}').text()
            except Exception:
                app.logger.exception("orders unavailable")
                return "unavailable", 503
        """,
        """
        from dapr.clients import DaprClient
        from flask import Flask

        app = Flask(__name__)


        @app.route("/checkout")
        def checkout():
            try:
                with DaprClient() as client:
                    return client.invoke_method("orders", "orders/new", data='{"id": 1}', http_verb="POST").text()
            except Exception:
                app.logger.exception("orders unavailable")
                return "unavailable", 503
        """,
    ),
    (
        "DPR207-cloudevents-content-type",
        False,
        """
        import json

        from dapr.clients import DaprClient


        def forward(event_id, data):
            event = {"specversion": "1.0", "id": event_id, "source": "orders", "type": "created", "data": data}
            with DaprClient() as client:
                client.publish_event("pubsub", "orders", json.dumps(event), data_content_type="application/json")
        """,
        """
        import json

        from dapr.clients import DaprClient


        def forward(event_id, data):
            event = {"specversion": "1.0", "id": event_id, "source": "orders", "type": "created", "data": data}
            with DaprClient() as client:
                client.publish_event("pubsub", "orders", json.dumps(event), data_content_type="application/cloudevents+json")
        """,
    ),
    (
        "DPR302-catch-rpc-error",
        True,
        """
        import logging

        from dapr.clients import DaprClient
        from dapr.clients.exceptions import DaprInternalError

        log = logging.getLogger(__name__)


        def load(key):
            with DaprClient() as client:
                try:
                    return client.get_state("statestore", key).data
                except DaprInternalError:
                    log.exception("state store failed")
                    raise
        """,
        """
        import logging

        from dapr.clients import DaprClient
        from dapr.clients.exceptions import DaprInternalError
        import grpc

        log = logging.getLogger(__name__)


        def load(key):
            with DaprClient() as client:
                try:
                    return client.get_state("statestore", key).data
                except (DaprInternalError, grpc.RpcError):
                    log.exception("state store failed")
                    raise
        """,
    ),
    (
        "DPR403-status-case",
        False,
        """
        from dapr.ext.fastapi import DaprApp
        from fastapi import FastAPI

        app = FastAPI()
        dapr_app = DaprApp(app)


        @app.get("/health")
        def health():
            return {"ok": True}


        @app.get("/ready")
        def ready():
            return {"ok": True}


        @dapr_app.subscribe(pubsub="pubsub", topic="orders")
        def on_order(event: dict):
            return {"status": 'success'}
        """,
        """
        from dapr.ext.fastapi import DaprApp
        from fastapi import FastAPI

        app = FastAPI()
        dapr_app = DaprApp(app)


        @app.get("/health")
        def health():
            return {"ok": True}


        @app.get("/ready")
        def ready():
            return {"ok": True}


        @dapr_app.subscribe(pubsub="pubsub", topic="orders")
        def on_order(event: dict):
            return {"status": 'SUCCESS'}
        """,
    ),
    (
        "DPR405-pydantic-cloudevent",
        False,
        """
        from cloudevents.http import CloudEvent
        from dapr.ext.fastapi import DaprApp
        from fastapi import FastAPI

        app = FastAPI()
        dapr_app = DaprApp(app)


        @app.get("/health")
        def health():
            return {"ok": True}


        @app.get("/ready")
        def ready():
            return {"ok": True}


        @dapr_app.subscribe(pubsub="pubsub", topic="orders")
        def on_order(event: CloudEvent):
            return {"status": "SUCCESS"}
        """,
        """
        from cloudevents.pydantic import CloudEvent as PydanticCloudEvent
        from dapr.ext.fastapi import DaprApp
        from fastapi import FastAPI

        app = FastAPI()
        dapr_app = DaprApp(app)


        @app.get("/health")
        def health():
            return {"ok": True}


        @app.get("/ready")
        def ready():
            return {"ok": True}


        @dapr_app.subscribe(pubsub="pubsub", topic="orders")
        def on_order(event: PydanticCloudEvent):
            return {"status": "SUCCESS"}
        """,
    ),
    (
        "DPR701-utc-now",
        False,
        """
        from datetime import datetime, timezone

        from dapr.ext.workflow import DaprWorkflowContext, WorkflowRuntime

        wfr = WorkflowRuntime()


        @wfr.workflow(name="order")
        def order_workflow(context: DaprWorkflowContext, order: dict):
            started = datetime.now(timezone.utc)
            stamp = datetime.utcnow()
            yield context.create_timer(started)
            return stamp.isoformat()
        """,
        """
        from datetime import timezone

        from dapr.ext.workflow import DaprWorkflowContext, WorkflowRuntime

        wfr = WorkflowRuntime()


        @wfr.workflow(name="order")
        def order_workflow(context: DaprWorkflowContext, order: dict):
            started = context.current_utc_datetime.replace(tzinfo=timezone.utc)
            stamp = context.current_utc_datetime
            yield context.create_timer(started)
            return stamp.isoformat()
        """,
    ),
    (
        "DPR703-yield-task",
        False,
        """
        from dapr.ext.workflow import DaprWorkflowContext, WorkflowRuntime

        wfr = WorkflowRuntime()


        @wfr.activity(name="notify")
        def notify(ctx, order):
            return order


        @wfr.workflow(name="order")
        def order_workflow(ctx: DaprWorkflowContext, order: dict):
            ctx.call_activity(notify, input=order)
            return "done"
        """,
        """
        from dapr.ext.workflow import DaprWorkflowContext, WorkflowRuntime

        wfr = WorkflowRuntime()


        @wfr.activity(name="notify")
        def notify(ctx, order):
            return order


        @wfr.workflow(name="order")
        def order_workflow(ctx: DaprWorkflowContext, order: dict):
            yield ctx.call_activity(notify, input=order)
            return "done"
        """,
    ),
    (
        "DPR711-timedelta-import-added",
        False,
        """
        from dapr.ext.workflow import DaprWorkflowContext, WorkflowRuntime

        wfr = WorkflowRuntime()
        DELAY = 45


        @wfr.workflow(name="order")
        def order_workflow(ctx: DaprWorkflowContext, order: dict):
            yield ctx.create_timer(DELAY)
            yield ctx.create_timer(fire_at=1.5)
            return "done"
        """,
        """
        from datetime import timedelta
        from dapr.ext.workflow import DaprWorkflowContext, WorkflowRuntime

        wfr = WorkflowRuntime()
        DELAY = 45


        @wfr.workflow(name="order")
        def order_workflow(ctx: DaprWorkflowContext, order: dict):
            yield ctx.create_timer(timedelta(seconds=DELAY))
            yield ctx.create_timer(fire_at=timedelta(seconds=1.5))
            return "done"
        """,
    ),
    (
        "DPR711-datetime-module",
        False,
        """
        import datetime

        from dapr.ext.workflow import DaprWorkflowContext, WorkflowRuntime

        wfr = WorkflowRuntime()


        @wfr.workflow(name="order")
        def order_workflow(ctx: DaprWorkflowContext, order: dict):
            yield ctx.create_timer(30)
            return "done"
        """,
        """
        import datetime

        from dapr.ext.workflow import DaprWorkflowContext, WorkflowRuntime

        wfr = WorkflowRuntime()


        @wfr.workflow(name="order")
        def order_workflow(ctx: DaprWorkflowContext, order: dict):
            yield ctx.create_timer(datetime.timedelta(seconds=30))
            return "done"
        """,
    ),
    (
        "DPR705-input-keyword",
        False,
        """
        from dapr.ext.workflow import DaprWorkflowContext, WorkflowRuntime

        wfr = WorkflowRuntime()


        @wfr.activity(name="reserve")
        def reserve(ctx, order):
            return order


        @wfr.workflow(name="order")
        def order_workflow(ctx: DaprWorkflowContext, order: dict):
            reserved = yield ctx.call_activity(reserve, order)
            return reserved
        """,
        """
        from dapr.ext.workflow import DaprWorkflowContext, WorkflowRuntime

        wfr = WorkflowRuntime()


        @wfr.activity(name="reserve")
        def reserve(ctx, order):
            return order


        @wfr.workflow(name="order")
        def order_workflow(ctx: DaprWorkflowContext, order: dict):
            reserved = yield ctx.call_activity(reserve, input=order)
            return reserved
        """,
    ),
]


@pytest.mark.parametrize("name, unsafe, before, after", CASES, ids=[c[0] for c in CASES])
def test_fix(name, unsafe, before, after):
    before, after = d(before), d(after)
    code = name.split("-", 1)[0]
    outcome = fix_python("app.py", before.encode(), settings(unsafe))
    assert outcome.data.decode() == after
    assert code in outcome.applied
    assert not outcome.problems
    cst.parse_module(outcome.data)  # parses
    again = fix_python("app.py", outcome.data, settings(unsafe))
    assert again.data == outcome.data and again.applied == []  # idempotent
    remaining = analyze_python("app.py", outcome.data, settings(unsafe)).diagnostics
    assert code not in {diag.code for diag in remaining}


@pytest.mark.parametrize("name, unsafe, before, after", [c for c in CASES if c[1]], ids=[c[0] for c in CASES if c[1]])
def test_unsafe_fixes_need_the_flag(name, unsafe, before, after):
    code = name.split("-", 1)[0]
    outcome = fix_python("app.py", d(before).encode(), settings(False))
    assert code not in outcome.applied


@pytest.mark.parametrize("variant", ["crlf", "bom", "latin-1"])
def test_line_endings_and_encodings_are_kept(variant):
    _, _, before, after = CASES[0]
    before, after = d(before), d(after)
    if variant == "crlf":
        encode = lambda s: s.replace("\n", "\r\n").encode()  # noqa: E731
    elif variant == "bom":
        encode = lambda s: b"\xef\xbb\xbf" + s.encode()  # noqa: E731
    else:
        encode = lambda s: ("# -*- coding: latin-1 -*-\n# caf\xe9\n" + s).encode("latin-1")  # noqa: E731
    outcome = fix_python("app.py", encode(before), settings(False))
    assert outcome.data == encode(after)


def test_cli_fix_diff_and_unsafe(project, capsys):
    _, _, before, after = next(c for c in CASES if c[0] == "DPR101-convert-with-block")
    path = project / "app.py"
    path.write_text(d(before))
    path.chmod(0o640)

    assert main(["check", "app.py", "--diff"]) == 0  # only unsafe fixes here: nothing to show
    assert capsys.readouterr().out == ""
    assert main(["check", "app.py", "--diff", "--unsafe-fixes"]) == 1
    diff = capsys.readouterr().out
    assert diff.startswith("--- a/app.py\n+++ b/app.py\n") and "+    async with AsyncDaprClient() as client:" in diff
    assert path.read_text() == d(before)  # --diff never writes

    assert main(["check", "app.py", "--fix"]) == 1  # unsafe fixes are not applied with --fix alone
    assert path.read_text() == d(before)
    capsys.readouterr()
    assert main(["check", "app.py", "--fix", "--unsafe-fixes", "--show-fixes"]) == 0
    out = capsys.readouterr().out
    # one finding per defect: the client built in the function is one DPR101, its calls are related locations
    assert "Fixed 2 findings:" in out and "1 × DPR101 (sync-client-in-async)" in out and "1 × DPR103" in out
    assert path.read_text() == d(after)
    assert oct(path.stat().st_mode & 0o777) == oct(0o640)  # mode kept


def test_json_says_which_findings_are_fixable(project, capsys):
    _, _, before, _ = CASES[0]
    (project / "app.py").write_text(d(before))
    main(["check", "app.py", "--format", "json"])
    (finding,) = json.loads(capsys.readouterr().out)
    assert finding["fix"] == {"safety": "safe", "description": "Add `await`."}


def test_text_marks_fixable_findings(project, capsys):
    _, _, before, _ = CASES[0]
    (project / "app.py").write_text(d(before))
    main(["check", "app.py"])
    out = capsys.readouterr().out
    assert "DPR104 bug      [*] " in out and "[*] 1 fixable with `--fix`." in out


def test_a_failed_write_leaves_the_original_intact(project, capsys, monkeypatch):
    _, _, before, _ = CASES[0]
    path = project / "app.py"
    path.write_text(d(before))

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("dapr_lint.engine.fixes.os.replace", broken_replace)
    assert main(["check", "app.py", "--fix", "--jobs", "1"]) == 2
    assert path.read_text() == d(before)
    assert "No space left on device; the file is unchanged" in capsys.readouterr().err
    assert [p.name for p in project.iterdir()] == ["app.py"]  # no temporary file left behind


def test_a_fix_that_would_not_parse_is_discarded(project, monkeypatch):
    from dapr_lint.python import edits

    _, _, before, _ = CASES[0]

    def bad_await(call, parenthesize):
        return edits.Edit(call, lambda node: cst.Name("await"))

    monkeypatch.setattr(edits, "add_await", bad_await)
    outcome = fix_python("app.py", d(before).encode(), settings(False))
    assert outcome.data == d(before).encode()
    assert not outcome.problems
    assert outcome.refused and "does not parse" in outcome.refused[0]


def test_noqa_prevents_the_fix(project):
    _, _, before, _ = CASES[0]
    text = d(before).replace("# keep this comment", "# noqa: DPR104")
    outcome = fix_python("app.py", text.encode(), settings(False))
    assert outcome.data == text.encode()


@pytest.mark.slow
def test_codemod_command_applies_the_same_fix(project):
    import subprocess
    import sys

    _, _, before, after = CASES[0]
    (project / "svc").mkdir()
    path = project / "svc" / "app.py"
    path.write_text(d(before))
    result = subprocess.run(
        [sys.executable, "-m", "libcst.tool", "codemod", "-x", "dapr_lint.codemods.FixDPR104", "--no-format", "svc"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert path.read_text() == d(after)


def test_every_fixable_python_rule_has_a_codemod():
    from dapr_lint import codemods
    from libcst.codemod import VisitorBasedCodemodCommand

    for rule in registry.all_rules():
        if rule.target == "python" and rule.fix_safety is not None:
            command = getattr(codemods, f"Fix{rule.code}")
            assert issubclass(command, VisitorBasedCodemodCommand)
            assert command.CODES == (rule.code,)



def test_project_fix_adds_health_and_ready_routes(project, capsys):
    source = d(
        """
        from dapr.aio.clients import DaprClient
        from flask import Flask

        app = Flask(
            __name__,
        )
        # the port comes from the environment
        PORT = 5001
        """
    )
    path = project / "app.py"
    path.write_text(source)
    assert main(["check", "app.py", "--select", "DPR401,DPR402", "--fix"]) == 1  # unsafe: not applied
    assert path.read_text() == source
    assert main(["check", "app.py", "--select", "DPR401,DPR402", "--diff", "--unsafe-fixes"]) == 1
    assert '+@app.route("/health")' in capsys.readouterr().out
    assert path.read_text() == source
    assert main(["check", "app.py", "--select", "DPR401,DPR402", "--fix", "--unsafe-fixes"]) == 0
    fixed = path.read_text()
    app_statement, rest = source.split("# the port", 1)
    assert fixed == app_statement + "\n\n" + d(
        """
        @app.route("/health")
        def health():
            return {"status": "ok"}


        @app.route("/ready")
        def ready():
            return {"status": "ok"}


        # the port"""
    ) + rest
    assert main(["check", "app.py", "--select", "DPR401,DPR402", "--fix", "--unsafe-fixes"]) == 0
    assert path.read_text() == fixed  # idempotent


def test_every_rule_with_a_fix_has_a_tested_fix():
    # project fixes are tested where their rules are: DPR401/DPR402 in test_project.py, DPR413 and DPR416 in test_practices.py
    tested = {name.split("-", 1)[0] for name, *_ in CASES} | {"DPR401", "DPR402", "DPR413", "DPR416"}
    with_fix = {r.code for r in registry.all_rules() if r.fix_safety is not None}
    assert with_fix <= tested, f"fixes without a test: {sorted(with_fix - tested)}"


def test_the_aio_conversion_is_not_offered_when_a_result_cannot_follow():
    # `for chunk in resp` needs `async for` with the aio response: not every use would work, so no fix
    before = d(
        """
        from dapr.clients import DaprClient
        from dapr.clients.grpc._crypto import DecryptOptions


        async def unseal(blob):
            with DaprClient() as client:
                resp = client.decrypt(blob, DecryptOptions("vault", "key"))
                return b"".join(chunk for chunk in resp)
        """
    )
    outcome = fix_python("app.py", before.encode(), settings(True))
    assert outcome.data.decode() == before
    diagnostics = analyze_python("app.py", before.encode(), settings(True)).diagnostics
    # one finding (the construction; the decrypt call is its related location), offered no fix
    assert [(d.fix, len(d.related)) for d in diagnostics if d.code == "DPR101"] == [(None, 1)]


def test_the_with_conversion_is_not_offered_when_a_use_is_outside_the_block():
    # the client is used after the `if` block: wrapping the rest of that block would close it before that use
    before = d(
        """
        from dapr.clients import DaprClient


        def save(order_id, body, audit):
            if audit:
                client = DaprClient()
                client.save_state("statestore", "audit", body)
            client.save_state("statestore", order_id, body)
        """
    )
    findings = [f for f in analyze_python("app.py", before.encode(), settings(True)).diagnostics if f.code == "DPR106"]
    assert findings and all(f.fix is None for f in findings)
    assert fix_python("app.py", before.encode(), settings(True)).data.decode() == before
