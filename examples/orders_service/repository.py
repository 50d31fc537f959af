"""Order persistence on the Dapr state store.

The methods are `async def` so that routes can `await` them, but the client underneath is
the blocking one: every call holds the event loop for a full round trip to the sidecar.
This "fake async" shape is the most common way a sync client ends up on a server's loop.
"""

import json
import logging

from dapr.clients import DaprClient, Job

logger = logging.getLogger("orders.repository")


class OrderRepository:
    def __init__(self, store_name: str) -> None:
        self.store_name = store_name
        # bug: gRPC addresses take `host:port?tls=false`; the http:// scheme is deprecated (DPR109)
        self._client = DaprClient(address="http://localhost:50001")

    async def get(self, order_id: str) -> dict | None:
        resp = self._client.get_state(self.store_name, order_id)  # bug: blocks the loop (DPR101)
        if not resp.data:
            return None
        return resp.json()

    async def save(self, order_id: str, order: dict) -> None:
        self._client.save_state(self.store_name, order_id, json.dumps(order))  # bug: DPR101

    async def get_status(self, order_id: str) -> str | None:
        resp = self._client.get_state(self.store_name, f"{order_id}-status")  # bug: DPR101
        # bug: StateResponse has no .value; the bytes are in .data (DPR108)
        return resp.value.decode() or None

    def schedule_payment_reminder(self, order_id: str) -> None:
        # bug: the alpha job methods are deprecated; the Jobs API is stable as schedule_job (DPR109)
        self._client.schedule_job_alpha1(Job(name=f"payment-reminder-{order_id}", due_time="24h"))
        logger.info("payment reminder scheduled for order %s", order_id)

    def close(self) -> None:
        self._client.close()
