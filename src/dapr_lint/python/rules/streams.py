"""DPR417-DPR420: streaming subscriptions, bulk publish, locks and jobs.

What the rules read is the model's streams facet (dapr_lint.python.model.streams): the calls on a Dapr client
resolved through imports, the `Job(...)` constructions and the handlers handed to `subscribe_with_handler`.
"""

from __future__ import annotations

from functools import partial
from typing import Iterator

import libcst as cst

from dapr_lint.diagnostics import Finding, Fix, Location, with_article
from dapr_lint.python import edits
from dapr_lint.python.model import Const, ModuleModel
from dapr_lint.python.model.streams import (
    bare_returns,
    bulk_item_kind,
    can_fall_off,
    cron_fields,
    data_kind,
    facts,
    returned_response,
    returns_coroutine,
)
from dapr_lint.project import Project
from dapr_lint.python.rules.pages import streams as pages
from dapr_lint.registry import Reporter, RuleSpec, check, invalid, rule, valid
from dapr_lint.settings import Settings

# ------------------------------------------------------------------------------------------------
# DPR419
# ------------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR419",
        name="unchecked-lock",
        category="bug",
        summary="`with try_lock(...)` or a discarded `try_lock` result: the code runs whether or not the lock was acquired.",
        target="python",
        prose=pages.DPR419,
        examples=(
            invalid(
                """
                from dapr.clients import DaprClient


                def charge(order_id: str) -> None:
                    with DaprClient() as client:
                        with client.try_lock("lockstore", order_id, "billing", 60):  # DPR419
                            client.invoke_method("payments", "charge", data=order_id)
                """,
            ),
            valid(
                """
                from dapr.clients import DaprClient


                def charge(order_id: str) -> bool:
                    with DaprClient() as client:
                        with client.try_lock("lockstore", order_id, "billing", 60) as lock:
                            if not lock:
                                return False  # another owner holds it
                            client.invoke_method("payments", "charge", data=order_id)
                            return True
                """,
            ),
        ),
    )
)
def unchecked_lock(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for use in facts(model).locks:
        if use.how == "discarded":
            message = "`try_lock(...)` result discarded: the code after it runs whether or not the lock was acquired"
        elif use.how == "with":
            message = "`with try_lock(...)` enters even when another owner holds the lock: the body runs unlocked"
        else:
            message = (
                f"`with try_lock(...) as {use.name}` never tests `{use.name}`: the body runs even without the lock"
            )
        yield report(use.site.node, message)


# ------------------------------------------------------------------------------------------------
# DPR420
# ------------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR420",
        name="invalid-job",
        category="bug",
        summary=(
            "A Dapr job the scheduler rejects (5-field cron, data not a protobuf `Any`, no schedule nor due time) "
            "or one scheduled at start-up without `overwrite=True`."
        ),
        target="python",
        predicts="exception",
        fix_safety="safe",
        fix_description="`schedule_job(job)` in start-up code becomes `schedule_job(job, overwrite=True)`.",
        fix_note="(start-up code without `overwrite=True`)",
        prose=pages.DPR420,
        examples=(
            invalid(
                """
                from contextlib import asynccontextmanager

                from dapr.aio.clients import DaprClient
                from dapr.clients import Job
                from fastapi import FastAPI


                @asynccontextmanager
                async def lifespan(app: FastAPI):
                    async with DaprClient() as client:
                        nightly = Job(name="nightly-report", schedule="0 2 * * *")  # DPR420
                        await client.schedule_job(nightly)  # DPR420
                    yield


                app = FastAPI(lifespan=lifespan)


                @app.post("/job/nightly-report")
                async def nightly_report() -> None:
                    ...
                """,
            ),
            valid(
                """
                from contextlib import asynccontextmanager

                from dapr.aio.clients import DaprClient
                from dapr.clients import Job
                from fastapi import FastAPI


                @asynccontextmanager
                async def lifespan(app: FastAPI):
                    async with DaprClient() as client:
                        nightly = Job(name="nightly-report", schedule="0 0 2 * * *")
                        await client.schedule_job(nightly, overwrite=True)
                    yield


                app = FastAPI(lifespan=lifespan)


                @app.post("/job/nightly-report")
                async def nightly_report() -> None:
                    ...
                """,
            ),
        ),
    )
)
def invalid_job(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    found = facts(model)
    # a test module that builds jobs and schedules none checks the Job class itself (its fields, `_get_proto`)
    unit_test = not found.schedules and (model.imports_module("unittest") or model.imports_module("pytest"))
    for build in () if unit_test else found.jobs:
        yield from _job_findings(model, build, report)
    for schedule in found.schedules:
        if not schedule.at_startup or schedule.job is None:
            continue
        name = schedule.job.fields.get("name")
        if name is None or model.string_of(name, schedule.job.scope) is None:
            continue  # a name made per run (a UUID, a timestamp) meets no earlier job
        if schedule.overwrite is not None:
            value = model.value_of(schedule.overwrite, schedule.site.scope)
            if not (isinstance(value, Const) and value.value is False):
                continue
        call = schedule.site.node
        if schedule.overwrite is not None:  # `overwrite=False` or `schedule_job(job, False)`
            edit = partial(edits.Edit, schedule.overwrite, _true)
        else:
            edit = partial(edits.keyword_argument, call, "overwrite", "True")
        yield report(
            call,
            "job scheduled at start-up without `overwrite=True`: the next start fails, the job already exists",
            Fix("Pass `overwrite=True`.", edit),
        )


def _true(_node: cst.CSTNode) -> cst.CSTNode:
    return cst.Name("True")


def _job_findings(model: ModuleModel, build, report: Reporter) -> Iterator[Finding]:
    schedule = build.fields.get("schedule")
    if schedule is not None:
        text = model.string_of(schedule, build.scope)
        if text is not None and cron_fields(text) == 5:
            yield report(
                schedule,
                f"5-field cron {_quoted(text)}: Dapr job schedules take 6 fields (seconds first); scheduling fails",
            )
    kind = data_kind(model, build)
    if kind is not None:
        data = build.fields["data"]
        assert data is not None
        yield report(data, f"`Job(data=<{kind}>)`: data must be a protobuf `Any`; `schedule_job` raises TypeError")
    if not build.opaque and _is_none(build.fields.get("schedule")) and _is_none(build.fields.get("due_time")):
        yield report(build.call, "`Job` with neither `schedule` nor `due_time`: `schedule_job` raises ValueError")


def _is_none(expr) -> bool:
    return expr is None or (isinstance(expr, cst.Name) and expr.value == "None")


def _quoted(text: str) -> str:
    text = text.strip()
    shown = text if len(text) <= 30 else text[:27] + "..."
    return f"`{shown}`"


# ------------------------------------------------------------------------------------------------
# DPR417
# ------------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR417",
        name="streaming-handler-contract",
        category="bug",
        across_modules=True,
        summary=(
            "A `subscribe_with_handler` handler whose async-ness does not match the client, or that does not "
            "return a `TopicEventResponse`: messages stop or are redelivered forever."
        ),
        target="python",
        prose=pages.DPR417,
        examples=(
            invalid(
                """
                import asyncio

                from dapr.aio.clients import DaprClient
                from dapr.clients.grpc._response import TopicEventResponse


                def process(message) -> TopicEventResponse:
                    print(message.data())
                    return TopicEventResponse("success")


                async def main() -> None:
                    async with DaprClient() as client:
                        close = await client.subscribe_with_handler("pubsub", "orders", process)  # DPR417
                        await asyncio.sleep(60)
                        await close()


                if __name__ == "__main__":
                    asyncio.run(main())
                """,
            ),
            valid(
                """
                import asyncio

                from dapr.aio.clients import DaprClient
                from dapr.clients.grpc._response import TopicEventResponse


                async def process(message) -> TopicEventResponse:
                    print(message.data())
                    return TopicEventResponse("success")


                async def main() -> None:
                    async with DaprClient() as client:
                        close = await client.subscribe_with_handler("pubsub", "orders", process)
                        await asyncio.sleep(60)
                        await close()


                if __name__ == "__main__":
                    asyncio.run(main())
                """,
            ),
        ),
    )
)
def streaming_handler_contract(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    seen: set[int] = set()
    for subscription in facts(model).handlers:
        info = subscription.handler
        name = info.name
        if subscription.client_is_async and not info.is_async:
            if not returns_coroutine(model, info):
                yield report(subscription.argument, _sync_on_aio(name))
            continue
        if not subscription.client_is_async and info.is_async:
            yield report(subscription.argument, _async_on_sync(name))
            continue
        if id(info) in seen or info.is_generator:
            continue
        seen.add(id(info))
        outcome = (
            "consumption stops silently" if subscription.client_is_async else "the message is redelivered forever"
        )
        for value in info.returns:
            kind = returned_response(model, info, value)
            if kind == "None":
                yield report(value, f"streaming handler `{name}` returns None: the message is never acknowledged")
            elif kind is not None:
                yield report(
                    value, f"streaming handler `{name}` returns {with_article(kind)}, not a TopicEventResponse: {outcome}"
                )
        for bare in bare_returns(info):
            yield report(bare, f"streaming handler `{name}` returns None: the message is never acknowledged")
        if not info.is_lambda and can_fall_off(info):
            yield report(
                info.name_node,
                f"streaming handler `{name}` can end without a return (None): the message is never acknowledged",
            )


def _sync_on_aio(name: str) -> str:
    return f"sync handler `{name}` on the aio client: awaiting its result fails and consumption stops silently"


def _async_on_sync(name: str) -> str:
    return f"async handler `{name}` on the sync client: its coroutine never runs; the message is redelivered forever"


@check("DPR417", "project")
def streaming_handler_across_modules(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
    """DPR417's async-ness part when the handler is a function imported from another module of the run: every
    module the import can mean must agree on whether it is `async def`."""
    for summary in project.summaries:
        for stream in summary.wiring.streaming:
            found = {definition.is_async for module, name in project.resolve(summary, stream.handler, "defs")
                     for definition in [module.defs[name]] if definition.kind == "method"}
            if len(found) != 1:
                continue
            is_async = found.pop()
            name = stream.handler.rsplit(".", 1)[-1]
            if stream.client_async and not is_async:
                yield report(Location(summary.path, stream.span), _sync_on_aio(name))
            elif not stream.client_async and is_async:
                yield report(Location(summary.path, stream.span), _async_on_sync(name))


# ------------------------------------------------------------------------------------------------
# DPR418
# ------------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR418",
        name="bulk-publish-result-ignored",
        category="bug",
        summary=(
            "A `publish_events` result never read for `failed_entries` (failed entries are returned, not raised), "
            "or an event that is not str/bytes."
        ),
        target="python",
        prose=pages.DPR418,
        examples=(
            invalid(
                """
                import json

                from dapr.clients import DaprClient


                def publish(orders: list[dict]) -> None:
                    with DaprClient() as client:
                        client.publish_events(  # DPR418
                            "pubsub", "orders", [json.dumps(o) for o in orders], data_content_type="application/json"
                        )
                """,
            ),
            valid(
                """
                import json

                from dapr.clients import DaprClient


                def publish(orders: list[dict]) -> None:
                    with DaprClient() as client:
                        response = client.publish_events(
                            "pubsub", "orders", [json.dumps(o) for o in orders], data_content_type="application/json"
                        )
                        if response.failed_entries:
                            raise RuntimeError(f"{len(response.failed_entries)} orders were not published")
                """,
            ),
        ),
    )
)
def bulk_publish_result_ignored(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for publish in facts(model).publishes:
        if publish.result == "discarded":
            yield report(
                publish.site.node, "`publish_events` result discarded: entries that failed to publish are lost silently"
            )
        elif publish.result == "unread":
            yield report(
                publish.site.node,
                "`publish_events` result never read for `failed_entries`: entries that failed are lost silently",
            )
        for item in publish.bad_items:
            kind = bulk_item_kind(model, publish.site, item)
            yield report(
                item,
                f"`publish_events` event is {with_article(kind)}, not str or bytes: the call raises before publishing",
                predicts=("exception",),
            )
