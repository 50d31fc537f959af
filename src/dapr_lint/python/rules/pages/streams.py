"""The written sections of the streams rules' pages: each spec in python/rules/streams.py names its own,
`prose=pages.DPRxxx`, and scripts/gen_rule_docs.py generates the whole page from the spec."""

from dapr_lint.examples import page


DPR417 = page(
    (
        "What it does",
        """
        Reports the handler given to `subscribe_with_handler` on a Dapr client (a function or method of the same
        module, or a lambda) when:

        - the client is the async one (`dapr.aio.clients.DaprClient`) and the handler is a plain `def`;
        - the client is the sync one (`dapr.clients.DaprClient`) and the handler is an `async def`;
        - the handler returns something that is not a `TopicEventResponse` on some path: a `str`, a `dict`, a `bool`
          (a literal or a value of known type), `None`, a bare `return`, or the end of its body reached without a
          `return`.

        It does not report handlers built by factories or `functools.partial`, handlers from other modules, values
        whose type it cannot tell, a plain lambda that hands on an async function's coroutine to the async client, nor
        a `while True:` loop with no `break` (it never falls through).
        """,
    ),
    (
        "Why is this bad?",
        """
        Streaming subscriptions (SDK 1.15 and later) call the handler for each message and send its
        `TopicEventResponse.status` back to the sidecar:

        - the async client runs `response = await handler(message)` in a task nobody awaits and that only catches
          `StreamInactiveError`: awaiting a plain function's result raises `TypeError`, the task ends, and the app
          stops consuming **silently**;
        - the sync client calls the handler in a thread: an `async def` returns a coroutine that never runs,
          `response.status` raises `AttributeError`, the loop reconnects the stream, and the message is delivered
          again, forever;
        - a `str` or `dict` fails the same way on `response.status` (the sync client reconnects and redelivers, the
          async one stops);
        - with `None`, no answer is sent: the message is never acknowledged.
        """,
    ),
    (
        "Fix safety",
        """
        There is no automatic fix: making a handler async (or not) changes what it may call.
        """,
    ),
    (
        "References",
        """
        - Dapr streaming subscriptions: https://docs.dapr.io/developing-applications/building-blocks/pubsub/subscription-methods/#streaming-subscriptions
        - `subscribe_with_handler` (dapr/python-sdk, `dapr/clients/grpc/client.py`, `dapr/aio/clients/grpc/client.py`)
        """,
    ),
)


DPR418 = page(
    (
        "What it does",
        """
        Reports `publish_events(...)` calls on a Dapr client (sync or async) when:

        - the result is dropped (the call, or its `await`, is a statement of its own);
        - the result is bound to a name that is never read for `failed_entries` (only other attributes are read, or
          nothing is);
        - an item of a literal list or tuple of events is not `str`/`bytes` (nor a `BulkPublishEntry`): a dict, a
          list, a number, `None`.

        It does not report results returned to the caller, passed to another function or stored, nor items whose type
        it cannot tell.
        """,
    ),
    (
        "Why is this bad?",
        """
        `publish_events` (SDK 1.17 and later) does not raise when some entries fail to publish: the failures come back
        in `response.failed_entries`, each with its entry ID and error. Code that never reads them loses those events
        without a trace. Each event must be `str`, `bytes` or a `BulkPublishEntry`; anything else makes the SDK raise
        `TypeError: invalid type for event` before anything is sent (serialise it first, for example with
        `json.dumps`, and set `data_content_type="application/json"`).
        """,
    ),
    (
        "Fix safety",
        """
        There is no automatic fix: what to do with failed entries (retry them, raise, log) is the application's
        decision.
        """,
    ),
    (
        "References",
        """
        - Dapr bulk publish: https://docs.dapr.io/developing-applications/building-blocks/pubsub/pubsub-bulk/
        - `publish_events` and `BulkPublishEntry` (dapr/python-sdk, `dapr/clients/grpc/client.py`, `dapr/clients/grpc/_request.py`)
        """,
    ),
)


DPR419 = page(
    (
        "What it does",
        """
        Reports a `try_lock(...)` call on a Dapr client (sync or async, through any import alias, on a client held in
        a variable, a parameter or an attribute) whose response decides nothing:

        - `with client.try_lock(...):` with no `as` name;
        - `with client.try_lock(...) as lock:` (or `async with await ...`) whose body never tests `lock`
          (`if lock:`, `if not lock.success:`, `assert lock.success`, `bool(lock)` in a condition);
        - a `try_lock(...)` (or `await client.try_lock(...)`) statement whose result is dropped.

        It does not report responses that are tested anywhere in the function, returned, passed to another function or
        stored, nor a `try_lock` method of a class that is not a Dapr client.
        """,
    ),
    (
        "Why is this bad?",
        """
        `try_lock` does not wait and does not raise when another owner holds the lock: it returns a `TryLockResponse`
        whose `success` is `False`. The response is a context manager that enters whether or not the lock was
        acquired; its `__exit__` only unlocks when it was. So a `with` block that never tests the response runs the
        critical section *without* the lock exactly when another process is inside it, which is the case the lock was
        written for. A discarded response is the same: the code after it runs unprotected. The SDK's own example tests
        the response first.
        """,
    ),
    (
        "Fix safety",
        """
        There is no automatic fix: what to do when the lock is held elsewhere (skip, retry later, fail the request) is
        the application's decision.
        """,
    ),
    (
        "References",
        """
        - Dapr distributed lock API: https://docs.dapr.io/developing-applications/building-blocks/distributed-lock/distributed-lock-api-overview/
        - `TryLockResponse.__exit__` (dapr/python-sdk, `dapr/clients/grpc/_response.py`)
        """,
    ),
)


DPR420 = page(
    (
        "What it does",
        """
        Reports Dapr jobs (`dapr.clients.Job`, scheduled with `schedule_job`) that fail when scheduled:

        - `Job(schedule=...)` with a 5-field cron expression (a literal or a constant): Dapr's scheduler takes 6
          fields, seconds first (`"0 */5 * * * *"`), or a period (`"@every 5m"`, `"@daily"`);
        - `Job(data=...)` given a `dict`, `str` or `bytes` (not empty): `data` must be a protobuf `Any`;
        - a `Job` with neither `schedule` nor `due_time` (absent or `None`);
        - `schedule_job(job)` in start-up code (a FastAPI/Starlette lifespan before its `yield`, an
          `on_event("startup")` handler, or a plain function only they call) for a job with a fixed name, without
          `overwrite=True`.

        It does not report values it cannot resolve (a schedule from a variable, `**options`), jobs whose name is made
        per run, scheduling in request handlers or scripts, nor a `schedule_job` after the lifespan's `yield`.
        """,
    ),
    (
        "Why is this bad?",
        """
        - A 5-field cron is rejected by the scheduler (`expected exactly 6 fields, found 5`): `schedule_job` raises
          `DaprGrpcError`.
        - The SDK copies `data` into a protobuf `Any`; anything else raises `TypeError: Parameter to CopyFrom() must
          be instance of same class` in `schedule_job`. Pack the payload: `any = GrpcAny(); any.value =
          json.dumps(payload).encode()`.
        - `schedule_job` raises `ValueError: Job must have either schedule or due_time specified`.
        - From Dapr 1.16, scheduling a name that already exists fails unless `overwrite=True`. A job scheduled when the
          app starts exists on the next start (a recurring job always, a one-shot one until it fires), so the second
          start of the app crashes in its start-up code.
        """,
    ),
    (
        "Fix safety",
        """
        The fix passes `overwrite=True` to `schedule_job` in start-up code. It is safe: the job the app schedules
        replaces the one its previous start scheduled, with the same name and the definition the code now gives.
        The other cases have no automatic fix.
        """,
    ),
    (
        "References",
        """
        - Dapr jobs API: https://docs.dapr.io/reference/api/jobs_api/
        - dapr/dapr#8384 (5-field cron rejected), dapr/dapr#8701 (scheduling an existing job name fails without overwrite)
        - `Job._get_proto` and `schedule_job` (dapr/python-sdk, `dapr/clients/grpc/_jobs.py`, `dapr/clients/grpc/client.py`)
        """,
    ),
)
