"""DPR417-DPR420: streaming subscriptions, bulk publish, locks and jobs (models-facts N, O, P).

What the rules read is the model's streams facet (dapr_lint.python.model.streams): the calls on a Dapr client
resolved through imports, the `Job(...)` constructions and the handlers handed to `subscribe_with_handler`.
"""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from dapr_lint.diagnostics import Finding, Fix
from dapr_lint.python import edits
from dapr_lint.python.model import Const, ModuleModel
from dapr_lint.python.model.streams import cron_fields, data_kind, facts
from dapr_lint.registry import Reporter, RuleSpec, invalid, rule, valid

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
            edit = edits.Edit(schedule.overwrite, lambda node: cst.Name("True"))
        else:
            edit = edits.keyword_argument(call, "overwrite", "True")
        yield report(
            call,
            "job scheduled at start-up without `overwrite=True`: the next start fails, the job already exists",
            Fix("Pass `overwrite=True`.", edit),
        )


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
