"""Order fulfilment: a Dapr workflow that reserves stock, then waits for the payment.

`wfr` is started and stopped by the lifespan in app.py. Workflow code must be
deterministic and do no I/O, so every Dapr call lives in an activity.
"""

import json
import logging
from datetime import timedelta

from dapr.clients import DaprClient
from dapr.ext.workflow import (
    DaprWorkflowClient,
    DaprWorkflowContext,
    RetryPolicy,
    WorkflowActivityContext,
    WorkflowRuntime,
    when_any,
)

logger = logging.getLogger("orders.workflow")

PUBSUB = "pubsub"

wfr = WorkflowRuntime()

inventory_retry = RetryPolicy(first_retry_interval=timedelta(seconds=2), max_number_of_attempts=3)


@wfr.workflow(name="order_fulfilment")
def order_fulfilment(ctx: DaprWorkflowContext, order: dict):
    reserved = yield ctx.call_activity(reserve_stock, input=order, retry_policy=inventory_retry)
    if not reserved:
        yield ctx.call_activity(notify_customer, input={"id": order["id"], "status": "out-of-stock"})
        return "rejected"
    payment = ctx.wait_for_external_event("payment_received")
    deadline = ctx.create_timer(timedelta(hours=24))
    winner = yield when_any([payment, deadline])
    if winner == deadline:
        yield ctx.call_activity(notify_customer, input={"id": order["id"], "status": "payment-timeout"})
        return "cancelled"
    yield ctx.call_activity(notify_customer, input={"id": order["id"], "status": "paid"})
    return "confirmed"


# Correct: activities may do I/O, and a plain `def` activity runs on the runtime's
# thread pool, so the sync client in a `with` block is the right tool here.
@wfr.activity(name="reserve_stock")
def reserve_stock(ctx: WorkflowActivityContext, order: dict) -> bool:
    with DaprClient() as client:
        resp = client.invoke_method(
            "inventory", "reservations", data=json.dumps(order), http_verb="POST"
        )
    return bool(resp.json().get("reserved"))


@wfr.activity(name="notify_customer")
def notify_customer(ctx: WorkflowActivityContext, update: dict) -> None:
    # bug: this client is never closed: no `with`, no close() (DPR106)
    client = DaprClient()
    client.publish_event(
        PUBSUB, "order-status", json.dumps(update), data_content_type="application/json"
    )


def fulfilment_status(instance_id: str) -> str | None:
    # bug: DaprWorkflowClient has no __enter__/__exit__, so `with` raises TypeError (DPR102).
    # Create it, then call close() in a `finally` block.
    with DaprWorkflowClient() as workflows:
        state = workflows.get_workflow_state(instance_id, fetch_payloads=False)
    return state.runtime_status.name if state else None


def cancel_fulfilment(instance_id: str) -> None:
    with DaprClient() as client:
        # bug: DaprClient lost its workflow methods in SDK 1.18; use
        # DaprWorkflowClient.terminate_workflow (DPR108)
        client.terminate_workflow(instance_id=instance_id, workflow_component="dapr")
    logger.info("fulfilment %s cancelled", instance_id)
