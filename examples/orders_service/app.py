"""Orders service: a FastAPI app that keeps orders in a Dapr state store, publishes order
events, listens for payments and runs a fulfilment workflow.

Run it next to a Dapr sidecar, from this folder:

    dapr run --app-id orders --app-port 8000 \
        --resources-path ./components --resources-path . \
        -- uvicorn app:app --port 8000

(The second resources path is this folder, so that daprd also loads resiliency.yaml.)

This file is an example for dapr-lint: correct code sits next to mistakes that real
services make. Each mistake carries a `# bug:` comment naming the rule that reports it.
"""

import asyncio
import json
import logging
from contextlib import asynccontextmanager

import aiohttp
import grpc
from dapr.aio.clients import DaprClient as AsyncDaprClient
from dapr.clients import DaprClient as Dapr
from dapr.clients.exceptions import DaprInternalError
from dapr.ext.fastapi import DaprApp
from dapr.ext.workflow.aio import DaprWorkflowClient as AsyncWorkflowClient
from fastapi import Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel

from repository import OrderRepository
from workflow import cancel_fulfilment, fulfilment_status, order_fulfilment, wfr

logger = logging.getLogger("orders")

STATE_STORE = "statestore"
PUBSUB = "pubsub"


class Order(BaseModel):
    id: str
    customer_id: str
    items: list[str]
    total: float


@asynccontextmanager
async def lifespan(application: FastAPI):
    # One async client and one workflow client for the whole process.
    async with AsyncDaprClient() as dapr:
        application.state.dapr = dapr
        application.state.workflows = AsyncWorkflowClient()
        wfr.start()  # waits for the workflow worker to connect; fine once, at start-up
        try:
            yield
        finally:
            wfr.shutdown()


app = FastAPI(title="orders", lifespan=lifespan)
dapr_app = DaprApp(app)
repository = OrderRepository(STATE_STORE)


def get_dapr(request: Request) -> AsyncDaprClient:
    return request.app.state.dapr


def get_workflows(request: Request) -> AsyncWorkflowClient:
    return request.app.state.workflows


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


@app.get("/ready")
def ready(request: Request) -> dict:
    if getattr(request.app.state, "dapr", None) is None:
        raise HTTPException(status_code=503, detail="starting")
    return {"status": "ready"}


# Correct: an async route with the async client; every call is awaited.
@app.post("/orders", status_code=201)
async def create_order(
    order: Order,
    dapr: AsyncDaprClient = Depends(get_dapr),
    workflows: AsyncWorkflowClient = Depends(get_workflows),
) -> dict:
    payload = order.model_dump_json()
    try:
        await dapr.save_state(STATE_STORE, order.id, payload)
        await dapr.publish_event(PUBSUB, "orders", payload, data_content_type="application/json")
        instance_id = await workflows.schedule_new_workflow(
            order_fulfilment, input=order.model_dump(), instance_id=f"order-{order.id}"
        )
    except (DaprInternalError, grpc.RpcError) as exc:
        logger.error("could not create order %s: %s", order.id, exc)
        raise HTTPException(status_code=503, detail="order store unavailable") from exc
    return {"id": order.id, "workflow": instance_id}


# Correct: a plain `def` route. FastAPI runs it in a worker thread, so the sync client
# in a `with` block blocks that thread only.
@app.get("/orders/{order_id}")
def get_order(order_id: str) -> dict:
    try:
        with Dapr() as client:
            resp = client.get_state(STATE_STORE, order_id)
    except (DaprInternalError, grpc.RpcError) as exc:
        logger.error("could not read order %s: %s", order_id, exc)
        raise HTTPException(status_code=503, detail="order store unavailable") from exc
    if not resp.data:
        raise HTTPException(status_code=404, detail="order not found")
    return resp.json()


@app.get("/orders/{order_id}/fulfilment")
def get_fulfilment(order_id: str) -> dict:
    try:
        status = fulfilment_status(f"order-{order_id}")
    except grpc.RpcError as exc:
        logger.error("workflow engine unavailable: %s", exc)
        raise HTTPException(status_code=503, detail="workflow engine unavailable") from exc
    if status is None:
        raise HTTPException(status_code=404, detail="no fulfilment for this order")
    return {"id": order_id, "fulfilment": status}


def load_customer(customer_id: str) -> dict:
    """Blocking helper: fine in a thread, wrong on the event loop."""
    with Dapr() as client:
        resp = client.invoke_method("customers", f"customers/{customer_id}", http_verb="GET")
    return resp.json()


# Correct: the blocking helper runs in a worker thread, off the event loop.
@app.get("/customers/{customer_id}")
async def get_customer(customer_id: str) -> dict:
    try:
        return await asyncio.to_thread(load_customer, customer_id)
    except (DaprInternalError, grpc.RpcError, aiohttp.ClientError) as exc:
        logger.error("customer service unavailable: %s", exc)
        raise HTTPException(status_code=503, detail="customer service unavailable") from exc


@app.post("/orders/{order_id}/confirm")
async def confirm_order(order_id: str) -> dict:
    try:
        order = await repository.get(order_id)  # looks async; see repository.py
        if order is None:
            raise HTTPException(status_code=404, detail="order not found")
        # bug: load_customer() builds a sync client on the event loop, and its sync
        # invoke_method raises "RuntimeError: This event loop is already running" (DPR101)
        customer = load_customer(order["customer_id"])
        order["status"] = "confirmed"
        order["customer_name"] = customer.get("name")
        await repository.save(order_id, order)
        # Correct: a blocking method handed to a thread.
        await asyncio.to_thread(repository.schedule_payment_reminder, order_id)
    except (DaprInternalError, grpc.RpcError, aiohttp.ClientError) as exc:
        logger.error("could not confirm order %s: %s", order_id, exc)
        raise HTTPException(status_code=503, detail="dependency unavailable") from exc
    return {"id": order_id, "status": "confirmed"}


@app.post("/orders/{order_id}/cancel")
async def cancel_order(order_id: str) -> dict:
    try:
        # bug: `Dapr` is the sync client under another name. It has no __aenter__, so this
        # line raises TypeError (DPR102), and building it blocks the loop (DPR101).
        async with Dapr() as client:
            # bug: awaiting a sync call: the read blocks the loop (part of the DPR101 above), then the
            # await raises TypeError on the StateResponse (DPR103)
            resp = await client.get_state(STATE_STORE, order_id)
            if not resp.data:
                raise HTTPException(status_code=404, detail="order not found")
            order = resp.json()
            order["status"] = "cancelled"
            await client.save_state(STATE_STORE, order_id, json.dumps(order))  # bug: DPR103 (and DPR101's client)
        await asyncio.to_thread(cancel_fulfilment, f"order-{order_id}")
    except (DaprInternalError, grpc.RpcError) as exc:
        logger.error("could not cancel order %s: %s", order_id, exc)
        raise HTTPException(status_code=503, detail="order store unavailable") from exc
    return {"id": order_id, "status": "cancelled"}


@app.get("/orders/{order_id}/invoice")
def get_invoice(order_id: str) -> dict:
    try:
        with Dapr() as client:
            # bug: the SDK has no invoke_service; the method is invoke_method (DPR108)
            resp = client.invoke_service("billing", f"invoices/{order_id}", http_verb="GET")
    except (DaprInternalError, grpc.RpcError, aiohttp.ClientError) as exc:
        logger.error("billing unavailable: %s", exc)
        raise HTTPException(status_code=503, detail="billing unavailable") from exc
    return resp.json()


async def request_shipment(order_id: str) -> None:
    # bug: this async client is never closed; nothing in the SDK closes it (DPR105)
    client = AsyncDaprClient()
    await client.invoke_method(
        "shipping", "shipments", data=json.dumps({"orderId": order_id}), http_verb="POST"
    )


# Dapr delivers the `payments` topic here: POST /events/pubsub/payments.
@dapr_app.subscribe(pubsub=PUBSUB, topic="payments")
async def on_payment(
    event: dict,
    dapr: AsyncDaprClient = Depends(get_dapr),
    workflows: AsyncWorkflowClient = Depends(get_workflows),
) -> dict:
    payment = event.get("data") or {}
    order_id = payment.get("orderId")
    if not order_id:
        logger.warning("payment event %s has no orderId, dropping it", event.get("id"))
        return {"status": "DROP"}
    try:
        await workflows.raise_workflow_event(f"order-{order_id}", "payment_received", data=payment)
        await request_shipment(order_id)
        # bug: no await, so the event is never published and no error is raised (DPR104)
        dapr.publish_event(
            PUBSUB, "order-paid", json.dumps({"orderId": order_id}), data_content_type="application/json"
        )
    except (DaprInternalError, grpc.RpcError, aiohttp.ClientError) as exc:
        logger.error("payment for order %s not processed: %s", order_id, exc)
        return {"status": "RETRY"}
    return {"status": "SUCCESS"}
