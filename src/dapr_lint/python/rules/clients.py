"""DPR1xx: Dapr clients and async correctness."""

from __future__ import annotations

import difflib
import os
from functools import partial
from typing import Iterator, Optional

import libcst as cst

from dapr_lint.diagnostics import EditBuilder, Finding, Fix, Location
from dapr_lint.project import Project
from dapr_lint.summaries import AsyncCall, ModuleSummary
from dapr_lint.python import edits, known
from dapr_lint.python.model import (
    CallSite,
    FunctionInfo,
    Instance,
    ModuleModel,
    Ref,
    SdkMethod,
    WithItemSite,
    is_blocking_method,
)
from dapr_lint.python.model.clients import client_facts
from dapr_lint.python.model.handlers import runs_at_startup
from dapr_lint.python.sdk_releases import Absence, SdkPin, agent_export_absence, keyword_absence, member_absence
from dapr_lint.python.sdk_table import MEMBERS
from dapr_lint.python.model.actors import actor_facts
from dapr_lint.python.walk import children, preorder
from dapr_lint.python.rules.pages import clients as pages
from dapr_lint.registry import Reporter, RuleSpec, check, invalid, rule, valid
from dapr_lint.settings import Settings

# DPR101's fix title, also offered (unsafe) for DPR102 and DPR103
_TO_ASYNC_CLIENT = "Switch to the async client: import it from dapr.aio, use `async with`, and `await` each call."


def _short(kind: known.ClientKind) -> str:
    return kind.display


def _async_alternative(kind: known.ClientKind) -> str:
    if kind.family == "workflow":
        return "dapr.ext.workflow.aio.DaprWorkflowClient (and `await` its methods)"
    return "one dapr.aio.clients.DaprClient built at start-up (a FastAPI lifespan) and reused, awaiting its methods"


class AsyncConversions:
    """DPR101's fix, shared by DPR102 and DPR103: a `with DaprClient() as c:` block inside `async def`
    becomes `async with <aio DaprClient>() as c:` with `await` on each of c's calls. Only offered when c
    is used for nothing but calls of methods the async client has.

    Whether the conversion is possible needs the whole analysis (every use of c and of its results), so that
    is decided while reporting; only the edit is deferred (an EditBuilder, built when the fix is applied)."""

    def __init__(self, model: ModuleModel) -> None:
        self.model = model
        self.by_call: dict[int, WithItemSite] = {}
        for site in model.with_items:
            if isinstance(site.node.item, cst.Call):
                self.by_call[id(site.node.item)] = site
        self._builders: dict[int, Optional[EditBuilder]] = {}

    def for_construction(self, call: cst.Call) -> Optional[EditBuilder]:
        site = self.by_call.get(id(call))
        if site is None:
            return None
        key = id(site.node)
        if key not in self._builders:
            self._builders[key] = self._conversion(site)
        return self._builders[key]

    def for_client_name(self, receiver: cst.BaseExpression, scope) -> Optional[EditBuilder]:
        """The conversion of the `with` that bound `receiver` (a plain name), if that is convertible."""
        if not isinstance(receiver, cst.Name):
            return None
        bindings = self.model.lookup(receiver.value, scope)
        if not bindings or len(bindings) != 1 or bindings[0].kind not in ("with", "async_with"):
            return None
        value = bindings[0].value
        return self.for_construction(value) if isinstance(value, cst.Call) else None

    def _conversion(self, site: WithItemSite) -> Optional[EditBuilder]:
        model = self.model
        statement = site.statement
        if statement is None or site.function is None or not site.function.is_async or len(statement.items) != 1:
            return None
        item = site.node
        if item.asname is None or not isinstance(item.asname.name, cst.Name):
            return None
        constructor = model.value_of(item.item.func, site.scope)  # type: ignore[attr-defined]
        if not isinstance(constructor, Ref) or known.canonical(constructor.path) != known.SYNC_DAPR_CLIENT:
            return None
        name = item.asname.name.value
        bindings = model.lookup(name, site.scope)
        if not bindings or len(bindings) != 1:
            return None
        aio_members = MEMBERS[known.AIO_DAPR_CLIENT]
        for context, detail in model.uses_of(name, site.scope):
            if context != "attr" or not aio_members.get(detail, {}).get("is_async"):
                return None
        results = self._awaited_results(site, name, statement)
        if results is None:
            return None  # a result used in a way the conversion cannot follow: not every use would work
        constructor_name, imports = self._aio_constructor()
        if constructor_name is None:
            return None
        return partial(edits.with_to_async_client, statement, name, constructor_name, imports, results)

    def _awaited_results(self, site: WithItemSite, name: str, statement: cst.With) -> Optional[dict[str, frozenset[str]]]:
        """Names bound to results of `name`'s calls whose methods the async client makes coroutines
        (`resp = client.encrypt(...)` then `resp.read()`): each such method call must be awaited too. None when a
        result of that kind is used otherwise (iterated, chained, passed on, used outside the block)."""
        model = self.model
        function = site.function
        assert function is not None
        results: dict[str, frozenset[str]] = {}
        for call in function.calls:
            func = call.node.func
            if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == name):
                continue
            coroutine_methods = known.AIO_RESULT_COROUTINE_METHODS.get(func.attr.value)
            if coroutine_methods is None:
                continue
            if call.context in ("stmt", "await"):
                continue
            if call.context != "assign" or call.target is None or call.target[0] != "name" or call.target[1] is None:
                return None
            result = call.target[1]
            bindings = model.lookup(result, call.scope)
            if not bindings or len(bindings) != 1:
                return None
            for context, detail in model.uses_of(result, call.scope):
                if context != "attr" or detail not in coroutine_methods:
                    return None
            if _count_names(function.node, result) != _count_names(statement.body, result):
                return None  # used outside the `with` block, where the conversion does not reach
            if not _all_reads_are_calls(statement.body, result):
                return None
            results[result] = coroutine_methods
        return results

    def _aio_constructor(self) -> tuple[Optional[str], tuple[edits.ImportSpec, ...]]:
        module_bindings = self.model.module_scope.bindings
        for local, bindings in module_bindings.items():
            if len(bindings) != 1 or bindings[0].kind != "import":
                continue
            path = known.canonical(bindings[0].target)
            if path == known.AIO_DAPR_CLIENT:
                return local, ()
            if path == "dapr.aio.clients":
                return f"{local}.DaprClient", ()
        if "AsyncDaprClient" in module_bindings:
            return None, ()
        return "AsyncDaprClient", (edits.ImportSpec("dapr.aio.clients", "DaprClient", "AsyncDaprClient"),)


def _count_names(node: cst.CSTNode, name: str) -> int:
    return sum(1 for found in preorder(node) if type(found) is cst.Name and found.value == name)


def _all_reads_are_calls(node: cst.CSTNode, name: str) -> bool:
    """Whether every `name.attr` in a block is the callee of a call (`resp.read()`, not `resp.read`)."""
    called: set[int] = set()
    for found in preorder(node):
        if type(found) is cst.Call:
            called.add(id(found.func))
        elif type(found) is cst.Attribute and type(found.value) is cst.Name and found.value.value == name:
            if id(found) not in called:
                return False
    return True


# ------------------------------------------------------------------------------------------------
# DPR101
# ------------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR101",
        name="sync-client-in-async",
        category="bug",
        summary="A sync Dapr client constructed or called inside `async def` blocks the event loop.",
        target="python",
        across_modules=True,
        reads_async_calls=True,
        fix_safety="unsafe",
        fix_description="Switch to the async client, `async with`, and `await` each call.",
        prose=pages.DPR101,
        examples=(
            invalid(
                """
                from dapr.clients import DaprClient
                from fastapi import FastAPI

                app = FastAPI()


                @app.get("/orders/{order_id}")
                async def get_order(order_id: str) -> dict:
                    with DaprClient() as client:  # DPR101: blocks the loop on the sidecar health check
                        resp = client.get_state("statestore", order_id)  # DPR101: blocking gRPC call
                        quote = client.invoke_method("pricing", f"quotes/{order_id}", http_verb="GET")  # DPR101: RuntimeError
                    return {"order": resp.text(), "quote": quote.text()}


                class OrderRepository:
                    def __init__(self) -> None:
                        self.client = DaprClient()

                    async def save(self, order_id: str, payload: str) -> None:  # "fake async": the method only looks async
                        self.client.save_state("statestore", order_id, payload)  # DPR101
                """,
            ),
            valid(
                """
                from contextlib import asynccontextmanager

                from dapr.aio.clients import DaprClient
                from fastapi import FastAPI, Request


                @asynccontextmanager
                async def lifespan(app: FastAPI):
                    async with DaprClient() as client:  # built once, before the app serves
                        app.state.dapr = client
                        yield


                app = FastAPI(lifespan=lifespan)


                @app.get("/orders/{order_id}")
                async def get_order(order_id: str, request: Request) -> dict:
                    resp = await request.app.state.dapr.get_state("statestore", order_id)
                    return {"order": resp.text()}
                """,
                before="""
                Build one client at start-up and reuse it. Either client's constructor runs a blocking health check against the
                sidecar (`DaprHealth.wait_for_sidecar()`: urllib and `time.sleep`), the async client's included, so a client built
                inside a request handler blocks the loop on every request, for up to `DAPR_HEALTH_TIMEOUT` while the sidecar is down.
                Build it in the lifespan, before `yield` (not reported there), and await its methods in the handlers:
                """,
            ),
            valid(
                """
                from dapr.aio.clients import DaprClient
                from fastapi import FastAPI

                app = FastAPI()


                @app.get("/orders/{order_id}")
                async def get_order(order_id: str) -> dict:
                    async with DaprClient() as client:
                        resp = await client.get_state("statestore", order_id)
                        quote = await client.invoke_method("pricing", f"quotes/{order_id}", http_verb="GET")
                    return {"order": resp.text(), "quote": quote.text()}
                """,
                before="""
                The async client inside the handler at least stops the calls from blocking (its construction still does):
                """,
            ),
            valid(
                """
                import asyncio

                from dapr.clients import DaprClient
                from fastapi import FastAPI

                app = FastAPI()


                def load_order(order_id: str) -> bytes:
                    with DaprClient() as client:
                        return client.get_state("statestore", order_id).data


                @app.get("/orders/{order_id}/raw")
                async def get_order_raw(order_id: str) -> dict:
                    data = await asyncio.to_thread(load_order, order_id)
                    return {"size": len(data)}


                @app.get("/orders/{order_id}/size")
                def get_order_size(order_id: str) -> dict:  # FastAPI runs plain `def` routes in a worker thread
                    return {"size": len(load_order(order_id))}
                """,
                before="""
                Or keep the sync code and move it off the loop, either with a thread or by making the route a plain `def`:
                """,
                after="""
                For workflows, `dapr.ext.workflow.aio.DaprWorkflowClient` has the same methods as the sync client, all `async`.
                """,
            ),
        ),
    )
)
def sync_client_in_async(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    conversions = AsyncConversions(model)
    for info in model.functions:
        if not info.is_async or info.is_script_entry:
            continue
        # An async Flask view runs on a loop of its own (model.runs_on_event_loop): blocking it delays nothing
        # else, and only the sync invoke_method still fails there (the loop is running).
        flask_view = not client_facts(model).runs_on_event_loop(info)
        # One finding per defect: a client built here is reported at its construction, and the calls on it
        # become that finding's related locations; a client from elsewhere keeps one finding per call.
        built: dict[int, tuple[CallSite, known.ClientKind, list[tuple[cst.CSTNode, str]]]] = {}
        calls: list[tuple[CallSite, known.ClientKind, str]] = []
        helpers: list[tuple[CallSite, FunctionInfo, CallSite]] = []
        for site in info.calls:
            if site.offloaded or runs_at_startup(site):
                continue  # start-up code (lifespan before `yield`, on_event("startup")) blocks no request
            constructed = client_facts(model).constructed_client(site)
            if constructed is not None:
                # Constructing the workflow client opens a channel and waits for nothing (no health check,
                # unlike DaprClient): only its calls block.
                if not constructed.is_async and constructed.family == "dapr" and not flask_view:
                    built[id(site.node)] = (site, constructed, [])
                continue
            method = client_facts(model).client_method_call(site)
            if method is not None:
                kind, name = method
                if not kind.is_async and is_blocking_method(kind, name):
                    if flask_view and not (kind.family == "dapr" and name == "invoke_method"):
                        continue
                    calls.append((site, kind, name))
                continue
            helper = None if flask_view else _blocking_helper(model, site, info)
            if helper is not None:
                helpers.append((site, *helper))
        for site, kind, name in calls:
            owner = built.get(_built_here(model, site, info))
            raises = kind.family == "dapr" and name == "invoke_method"
            if owner is not None and not raises:
                owner[2].append((site.node, f"`{name}` on this client blocks the event loop"))
                continue
            what = "raises RuntimeError (the loop is running)" if raises else "blocks the event loop"
            yield report(
                site.node,
                f"`{name}` on a {_short(kind)} {what} in `async def {info.name}`",
                Fix(_TO_ASYNC_CLIENT, conversions.for_client_name(site.node.func.value, site.scope)),  # type: ignore[attr-defined]
                detail=(
                    "With the default HTTP protocol the sync invoke_method raises RuntimeError: This event loop is "
                    "already running. "
                    if raises
                    else ""
                )
                + f"Use {_async_alternative(kind)}, or run the call in `asyncio.to_thread`.",
            )
        for site, constructed, related in built.values():
            yield report(
                site.node,
                f"{_short(constructed)} built inside `async def {info.name}`: it and its calls block the event loop",
                Fix(_TO_ASYNC_CLIENT, conversions.for_construction(site.node)),
                detail=(
                    "The constructor waits on a sidecar health check (up to DAPR_HEALTH_TIMEOUT, 60 s, while the "
                    "sidecar is down; the aio client's constructor runs the same check) and every call blocks too. "
                    f"Use {_async_alternative(constructed)}."
                ),
                related=related,
            )
        for site, callee, use in helpers:
            snippet = model.module.code_for_node(use.node.func) + ("()" if client_facts(model).constructed_client(use) else "(...)")
            yield report(
                site.node,
                f"`{callee.name}()` blocks the event loop of `async def {info.name}`: it uses a sync Dapr client",
                detail=(
                    f"`{callee.name}` calls `{snippet}`. Make it async with the aio client, or call it via "
                    "`asyncio.to_thread`."
                ),
            )


def _built_here(model: ModuleModel, site: CallSite, info: FunctionInfo) -> int:
    """The id of the construction (a call directly in `info`) a method call's receiver was bound from, when
    every binding of the receiver name is one in `info` itself; 0 otherwise (a client from elsewhere)."""
    receiver = site.node.func.value  # type: ignore[attr-defined]
    if not isinstance(receiver, cst.Name):
        return 0
    bindings = model.lookup(receiver.value, site.scope)
    if not bindings or any(b.scope is not info.scope or not isinstance(b.value, cst.Call) for b in bindings):
        return 0
    values = {id(b.value) for b in bindings}
    return values.pop() if len(values) == 1 else 0


def _blocking_helper(model: ModuleModel, site: CallSite, caller: FunctionInfo) -> Optional[tuple[FunctionInfo, CallSite]]:
    """One level of call tracking: a plain `def` of this module (function or method) that constructs or
    calls a sync client itself. (Helpers in other modules of the run: the project stage, see
    `fake_async_across_modules`.)"""
    callee = model.called_function(site)
    if callee is None or callee is caller:
        return None
    use = client_facts(model).blocking_use(callee)
    return (callee, use) if use is not None else None


# ------------------------------------------------------------------------------------------------
# DPR102
# ------------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR102",
        name="wrong-context-manager",
        category="bug",
        summary="`async with` on a sync client, `with` on an async client, or any `with` on a DaprWorkflowClient.",
        target="python",
        predicts="exception",
        fix_safety="safe",
        fix_description="`with` on the aio DaprClient inside `async def` becomes `async with`.",
        fix_note="in one case (see below)",
        prose=pages.DPR102,
        examples=(
            invalid(
                """
                from dapr.aio.clients import DaprClient as AsyncDaprClient
                from dapr.clients import DaprClient as Dapr
                from dapr.ext.workflow import DaprWorkflowClient


                async def save_order(order_id: str, payload: str) -> None:
                    async with Dapr() as client:  # DPR102: the sync client has no __aenter__ (and DPR101)
                        client.save_state("statestore", order_id, payload)  # DPR101


                async def publish_order(payload: str) -> None:
                    with AsyncDaprClient() as client:  # DPR102: the async client has no __enter__
                        await client.publish_event("pubsub", "orders", payload, data_content_type="application/json")


                def start_fulfilment(order_id: str) -> str:
                    with DaprWorkflowClient() as wf:  # DPR102: no context manager at all
                        return wf.schedule_new_workflow("order_fulfilment", input={"id": order_id})
                """,
            ),
            valid(
                """
                from dapr.aio.clients import DaprClient as AsyncDaprClient
                from dapr.ext.workflow import DaprWorkflowClient


                async def save_order(order_id: str, payload: str) -> None:
                    async with AsyncDaprClient() as client:
                        await client.save_state("statestore", order_id, payload)


                async def publish_order(payload: str) -> None:
                    async with AsyncDaprClient() as client:
                        await client.publish_event("pubsub", "orders", payload, data_content_type="application/json")


                def start_fulfilment(order_id: str) -> str:
                    wf = DaprWorkflowClient()
                    try:
                        return wf.schedule_new_workflow("order_fulfilment", input={"id": order_id})
                    finally:
                        wf.close()
                """,
                after="""
                The async workflow client, `dapr.ext.workflow.aio.DaprWorkflowClient`, has no `close()` in SDK 1.19. Create one when
                the application starts and keep it for the life of the process.
                """,
            ),
        ),
    )
)
def wrong_context_manager(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    conversions = AsyncConversions(model)
    for site in model.with_items:
        kind = client_facts(model).client_of(site.node.item, site.scope)
        if kind is None:
            continue
        node = site.node.item
        if not kind.has_context_manager:
            statement = "async with" if site.is_async else "with"
            advice = (
                "create it and call `close()` in a `finally`"
                if not kind.is_async
                else "create it once and reuse it (it has no close())"
            )
            yield report(
                node,
                f"`{statement}` on a {_short(kind)} raises TypeError: it defines no context manager",
                detail=advice[:1].upper() + advice[1:] + ".",
            )
        elif site.is_async and not kind.is_async:
            yield report(
                node,
                "`async with` on the sync DaprClient raises TypeError: it has no __aenter__",
                Fix(_TO_ASYNC_CLIENT, conversions.for_construction(node) if isinstance(node, cst.Call) else None, safety="unsafe"),
                detail="Use `async with dapr.aio.clients.DaprClient()`, or `with` in a plain `def`.",
            )
        elif not site.is_async and kind.is_async:
            in_async = site.function is not None and site.function.is_async
            yield report(
                node,
                "`with` on the async DaprClient raises TypeError: it has no __enter__",
                Fix("Use `async with`.", partial(edits.make_async_with, site.statement) if in_async and site.statement is not None else None),
                detail="Use `async with`.",
            )


# ------------------------------------------------------------------------------------------------
# DPR103
# ------------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR103",
        name="await-on-sync-call",
        category="bug",
        summary="`await` on a sync client method: the call blocks, then raises TypeError.",
        target="python",
        predicts="exception",
        fix_safety="unsafe",
        fix_description="Fixed with DPR101's fix (switch to the async client).",
        fix_note="(through DPR101's fix)",
        prose=pages.DPR103,
        examples=(
            invalid(
                """
                from dapr.clients import DaprClient
                from fastapi import FastAPI

                app = FastAPI()
                client = DaprClient()


                @app.post("/orders/{order_id}/cancel")
                async def cancel_order(order_id: str) -> dict:
                    await client.save_state("statestore", f"{order_id}-status", "cancelled")  # DPR103: TypeError after the save
                    await client.publish_event("pubsub", "order-cancelled", order_id, data_content_type="text/plain")  # DPR103
                    return {"id": order_id, "status": "cancelled"}
                """,
            ),
            valid(
                """
                from contextlib import asynccontextmanager

                from dapr.aio.clients import DaprClient
                from fastapi import FastAPI, Request


                @asynccontextmanager
                async def lifespan(app: FastAPI):
                    async with DaprClient() as client:
                        app.state.dapr = client
                        yield


                app = FastAPI(lifespan=lifespan)


                @app.post("/orders/{order_id}/cancel")
                async def cancel_order(order_id: str, request: Request) -> dict:
                    client: DaprClient = request.app.state.dapr
                    await client.save_state("statestore", f"{order_id}-status", "cancelled")
                    await client.publish_event("pubsub", "order-cancelled", order_id, data_content_type="text/plain")
                    return {"id": order_id, "status": "cancelled"}
                """,
                before="""
                Use the async client, whose methods are coroutines:
                """,
            ),
        ),
    )
)
def await_on_sync_call(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    conversions = AsyncConversions(model)
    for site in model.awaits:
        expr = site.node.expression
        if not isinstance(expr, cst.Call) or not isinstance(expr.func, cst.Attribute):
            continue
        kind = client_facts(model).client_of(expr.func.value, site.scope)
        if kind is None or kind.is_async:
            continue
        name = expr.func.attr.value
        member = MEMBERS.get(kind.path, {}).get(name)
        if member is None or member.get("kind") != "method" or member.get("is_async"):
            continue
        returns = member.get("returns") or "its result"
        returned = returns.rsplit(".", 1)[-1] if returns != "its result" else returns
        yield report(
            site.node,
            f"`await` on `{name}` of a {_short(kind)} raises TypeError after the call ran synchronously",
            Fix(_TO_ASYNC_CLIENT, conversions.for_client_name(expr.func.value, site.scope)),
            detail=f"The call returns {returned}, which is not awaitable. Use the async client.",
        )


# ------------------------------------------------------------------------------------------------
# DPR104
# ------------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR104",
        name="unawaited-coroutine",
        category="bug",
        summary="An async Dapr method called without `await`: it never runs.",
        target="python",
        predicts="warning",
        fix_safety="safe",
        fix_description="Inside `async def`, add `await`.",
        fix_note="(inside `async def`)",
        prose=pages.DPR104,
        examples=(
            invalid(
                """
                from dapr.aio.clients import DaprClient
                from dapr.ext.fastapi import DaprActor
                from fastapi import FastAPI

                from orders.actors import OrderActor

                app = FastAPI()
                actor = DaprActor(app)


                @app.post("/orders/{order_id}/paid")
                async def mark_paid(order_id: str) -> dict:
                    async with DaprClient() as client:
                        client.save_state("statestore", f"{order_id}-status", "paid")  # DPR104: never runs
                        status = client.get_state("statestore", f"{order_id}-status").data  # DPR104: AttributeError
                    return {"id": order_id, "status": status.decode()}


                async def register_actors() -> None:
                    actor.register_actor(OrderActor)  # DPR104: the actor type is never registered
                """,
                fixed="""
                from dapr.aio.clients import DaprClient
                from dapr.ext.fastapi import DaprActor
                from fastapi import FastAPI

                from orders.actors import OrderActor

                app = FastAPI()
                actor = DaprActor(app)


                @app.post("/orders/{order_id}/paid")
                async def mark_paid(order_id: str) -> dict:
                    async with DaprClient() as client:
                        await client.save_state("statestore", f"{order_id}-status", "paid")  # DPR104: never runs
                        status = (await client.get_state("statestore", f"{order_id}-status")).data  # DPR104: AttributeError
                    return {"id": order_id, "status": status.decode()}


                async def register_actors() -> None:
                    await actor.register_actor(OrderActor)  # DPR104: the actor type is never registered
                """,
            ),
            valid(
                """
                import asyncio

                from dapr.aio.clients import DaprClient
                from dapr.ext.fastapi import DaprActor
                from fastapi import FastAPI

                from orders.actors import OrderActor

                app = FastAPI()
                actor = DaprActor(app)


                @app.post("/orders/{order_id}/paid")
                async def mark_paid(order_id: str) -> dict:
                    async with DaprClient() as client:
                        await asyncio.gather(
                            client.save_state("statestore", f"{order_id}-status", "paid"),
                            client.publish_event("pubsub", "order-paid", order_id, data_content_type="text/plain"),
                        )
                        status = (await client.get_state("statestore", f"{order_id}-status")).data
                    return {"id": order_id, "status": status.decode()}


                async def register_actors() -> None:
                    await actor.register_actor(OrderActor)
                """,
            ),
        ),
    )
)
def unawaited_coroutine(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for site in model.calls:
        func = site.node.func
        if not isinstance(func, cst.Attribute):
            continue
        if site.context not in ("stmt", "attr", "assign"):
            continue
        method = model.value_of(func, site.scope)
        actor_coroutine = actor_facts(model).coroutine_call(site) if not isinstance(method, SdkMethod) else None
        if actor_coroutine is not None:
            method = SdkMethod(f"dapr.actor.{actor_coroutine[1]}", actor_coroutine[0])
        elif not isinstance(method, SdkMethod):
            continue
        else:
            member = MEMBERS.get(method.owner, {}).get(method.name, {})
            if not member.get("is_async"):
                continue
        if site.context == "assign" and not _only_read_by_attribute(model, site):
            continue
        owner = method.owner.rsplit(".", 1)[-1]
        in_async = site.function is not None and site.function.is_async
        consequence = (
            "its result is a coroutine" if site.context != "stmt" else "it never runs"
        )
        yield report(
            site.node,
            f"`{method.name}` of {owner} is a coroutine called without `await`: {consequence}",
            Fix(
                "Add `await`.",
                partial(edits.add_await, site.node, parenthesize=site.context == "attr")
                if in_async and site.context in ("stmt", "attr")
                else None,
            ),
            detail=f"{owner} of {method.owner.rsplit('.', 1)[0]}: `{method.name}` is `async def`. Add `await`.",
        )


def _only_read_by_attribute(model: ModuleModel, site: CallSite) -> bool:
    if site.target is None or site.target[0] != "name" or site.target[1] is None:
        return False
    uses = model.uses_of(site.target[1], site.scope)
    return all(context == "attr" for context, _ in uses)


# ------------------------------------------------------------------------------------------------
# DPR105 / DPR106
# ------------------------------------------------------------------------------------------------

# How a local name holding a client can leave the function or be closed: any of these uses means the
# function does not own the client's lifetime alone, so it is not reported.
_HAND_OFF_CONTEXTS = frozenset({"return", "yield", "arg", "assign", "nested", "other", "with", "async_with", "subscript", "call", "await"})


def _unclosed_constructions(model: ModuleModel, want_async: bool) -> Iterator[tuple[CallSite, known.ClientKind]]:
    for site in model.calls:
        if site.function is None or site.function.is_lambda:
            continue
        kind = client_facts(model).constructed_client(site)
        if kind is None or kind.is_async != want_async or kind.family != "dapr":
            continue
        if site.context == "attr":
            yield site, kind
            continue
        if site.context != "assign" or site.target is None or site.target[0] != "name":
            continue
        name = site.target[1]
        if name in site.scope.global_names or name in site.scope.nonlocal_names:
            continue  # stored in a module global or an enclosing function: someone else owns it
        uses = model.uses_of(name, site.scope)  # type: ignore[arg-type]
        if any(context in _HAND_OFF_CONTEXTS for context, _ in uses):
            continue
        if any(context == "attr" and detail == "close" for context, detail in uses):
            continue
        yield site, kind


def _wrap_in_with(site: CallSite, is_async: bool) -> Optional[EditBuilder]:
    """`c = Client()` alone on its line, in an `async def` for `async with`: wrap the rest of the block.

    Whether the fix exists (every use of c in the rest of the block) is the expensive part and is decided
    here, while reporting; only the edit is deferred."""
    statement = site.statement
    if site.context != "assign" or statement is None or len(statement.body) != 1:
        return None
    assign = statement.body[0]
    if not isinstance(assign, cst.Assign) or len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name):
        return None
    if is_async and (site.function is None or not site.function.is_async):
        return None
    name = assign.targets[0].target.value
    if site.function is None or not _uses_all_in_rest_of_block(site.function.node, statement, name):
        return None  # a use outside the rest of the block would run after `with` closed the client
    return partial(edits.wrap_rest_in_with, statement, name, is_async)


def _uses_all_in_rest_of_block(function: cst.CSTNode, statement: cst.SimpleStatementLine, name: str) -> bool:
    """Whether every occurrence of `name` in the function is in `statement` or in the statements after it in
    the same block: what the `with` conversion wraps. One walk of the function that skips those statements
    once it meets their block (a block is met before what it holds) and stops at the first other occurrence."""
    rest: set[int] = set()
    stack: list[cst.CSTNode] = [function]
    while stack:
        node = stack.pop()
        if id(node) in rest:
            continue
        if type(node) is cst.Name and node.value == name:
            return False
        if not rest:
            body = getattr(node, "body", None)
            if isinstance(body, (list, tuple)):
                for index, held in enumerate(body):
                    if held is statement:
                        rest = {id(s) for s in body[index:]}
                        break
        stack.extend(children(node))
    return bool(rest)


@rule(
    RuleSpec(
        code="DPR105",
        name="async-client-not-closed",
        category="bug",
        summary="An async DaprClient created in a function and never closed (it has no __del__).",
        target="python",
        off_in_test_code=True,
        fix_safety="unsafe",
        fix_description="Wrap the uses in `async with`.",
        prose=pages.DPR105,
        examples=(
            invalid(
                """
                import json

                from dapr.aio.clients import DaprClient


                async def request_shipment(order: dict) -> None:
                    client = DaprClient()  # DPR105: never closed
                    await client.invoke_method(
                        "shipping", "shipments", data=json.dumps(order), http_verb="POST"
                    )
                """,
                fixed="""
                import json

                from dapr.aio.clients import DaprClient


                async def request_shipment(order: dict) -> None:
                    async with DaprClient() as client:
                        await client.invoke_method(
                            "shipping", "shipments", data=json.dumps(order), http_verb="POST"
                        )
                """,
            ),
            valid(
                """
                import json

                from dapr.aio.clients import DaprClient


                async def request_shipment(order: dict) -> None:
                    async with DaprClient() as client:
                        await client.invoke_method(
                            "shipping", "shipments", data=json.dumps(order), http_verb="POST"
                        )
                """,
            ),
            valid(
                """
                from contextlib import asynccontextmanager

                from dapr.aio.clients import DaprClient
                from fastapi import FastAPI


                @asynccontextmanager
                async def lifespan(app: FastAPI):
                    async with DaprClient() as client:  # closed when the application stops
                        app.state.dapr = client
                        yield


                app = FastAPI(lifespan=lifespan)
                """,
                before="""
                Better still, create one client when the application starts and pass it in:
                """,
            ),
        ),
    )
)
def async_client_not_closed(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for site, _kind in _unclosed_constructions(model, want_async=True):
        yield report(
            site.node,
            "async DaprClient created here is never closed: its channel stays open until garbage collection",
            Fix("Wrap the uses in `async with`.", _wrap_in_with(site, is_async=True)),
            detail=(
                "The async client has no __del__. Use `async with DaprClient() as client:` or `await client.close()` "
                "in a `finally`."
            ),
        )


@rule(
    RuleSpec(
        code="DPR106",
        name="client-without-context-manager",
        category="practice",
        summary="A sync DaprClient created in a function without `with` or `close()`.",
        target="python",
        off_in_test_code=True,
        fix_safety="unsafe",
        fix_description="Wrap the uses in `with`.",
        prose=pages.DPR106,
        examples=(
            invalid(
                """
                import json

                from dapr.clients import DaprClient
                from dapr.ext.workflow import WorkflowActivityContext, WorkflowRuntime

                wfr = WorkflowRuntime()


                @wfr.activity(name="notify_customer")
                def notify_customer(ctx: WorkflowActivityContext, update: dict) -> None:
                    client = DaprClient()  # DPR106: not closed
                    client.publish_event(
                        "pubsub", "order-status", json.dumps(update), data_content_type="application/json"
                    )
                """,
                fixed="""
                import json

                from dapr.clients import DaprClient
                from dapr.ext.workflow import WorkflowActivityContext, WorkflowRuntime

                wfr = WorkflowRuntime()


                @wfr.activity(name="notify_customer")
                def notify_customer(ctx: WorkflowActivityContext, update: dict) -> None:
                    with DaprClient() as client:
                        client.publish_event(
                            "pubsub", "order-status", json.dumps(update), data_content_type="application/json"
                        )
                """,
            ),
            valid(
                """
                import json

                from dapr.clients import DaprClient
                from dapr.ext.workflow import WorkflowActivityContext, WorkflowRuntime

                wfr = WorkflowRuntime()


                @wfr.activity(name="notify_customer")
                def notify_customer(ctx: WorkflowActivityContext, update: dict) -> None:
                    with DaprClient() as client:
                        client.publish_event(
                            "pubsub", "order-status", json.dumps(update), data_content_type="application/json"
                        )
                """,
            ),
        ),
    )
)
def client_without_context_manager(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for site, _kind in _unclosed_constructions(model, want_async=False):
        yield report(
            site.node,
            "DaprClient created without `with` and never closed: its channels stay open after the work",
            Fix("Wrap the uses in `with`.", _wrap_in_with(site, is_async=False)),
            detail="Use `with DaprClient() as client:` so its channels close when the work is done.",
        )


# ------------------------------------------------------------------------------------------------
# DPR107
# ------------------------------------------------------------------------------------------------

_REQUEST_HANDLER_KINDS = frozenset(
    {"route", "subscription", "grpc_method", "grpc_subscription", "grpc_binding", "grpc_job"}
)


@rule(
    RuleSpec(
        code="DPR107",
        name="client-per-request",
        category="opinion",
        summary="A Dapr client constructed inside a request or event handler.",
        target="python",
        off_in_test_code=True,
        prose=pages.DPR107,
        examples=(
            invalid(
                """
                from dapr.aio.clients import DaprClient
                from fastapi import FastAPI

                app = FastAPI()


                @app.get("/orders/{order_id}")
                async def get_order(order_id: str) -> dict:
                    async with DaprClient() as client:  # DPR107: a client, a health check and a channel per request
                        resp = await client.get_state("statestore", order_id)
                    return {"id": order_id, "order": resp.text()}
                """,
            ),
            valid(
                """
                from contextlib import asynccontextmanager

                from dapr.aio.clients import DaprClient
                from fastapi import Depends, FastAPI, Request


                @asynccontextmanager
                async def lifespan(app: FastAPI):
                    async with DaprClient() as client:
                        app.state.dapr = client
                        yield


                app = FastAPI(lifespan=lifespan)


                def get_dapr(request: Request) -> DaprClient:
                    return request.app.state.dapr


                @app.get("/orders/{order_id}")
                async def get_order(order_id: str, dapr: DaprClient = Depends(get_dapr)) -> dict:
                    resp = await dapr.get_state("statestore", order_id)
                    return {"id": order_id, "order": resp.text()}
                """,
                before="""
                Create the client once, when the application starts, and close it when it stops:
                """,
                after="""
                In Flask, a module-level `DaprClient()` does the same job.
                """,
            ),
        ),
    )
)
def client_per_request(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    for info in model.functions:
        if not any(h.kind in _REQUEST_HANDLER_KINDS for h in info.handlers):
            continue
        for site in info.calls:
            kind = client_facts(model).constructed_client(site)
            if kind is not None:
                cost = (
                    "Each construction runs a blocking sidecar health check (up to DAPR_HEALTH_TIMEOUT, 60 s, "
                    "while the sidecar is down) and opens a new channel"
                    if kind.family == "dapr"
                    else "Each construction opens a new gRPC channel"
                )
                summary = "a health check and a new channel each time" if kind.family == "dapr" else "a new channel each time"
                yield report(
                    site.node,
                    f"{_short(kind)} constructed on every request of `{info.name}`: {summary}",
                    detail=f"{cost}. Create it once at start-up.",
                )
                continue
            callee = model.called_function(site)
            if callee is None or callee is info or not callee.is_module_level_or_method or model.is_cached(callee):
                continue
            built = next(filter(None, (client_facts(model).constructed_client(c) for c in callee.calls)), None)
            if built is not None:
                yield report(
                    site.node,
                    f"`{callee.name}()` constructs a {_short(built)} on every request of `{info.name}`",
                    detail="Create the client once at start-up.",
                )


# ------------------------------------------------------------------------------------------------
# DPR108
# ------------------------------------------------------------------------------------------------

_REMOVED_WORKFLOW_METHODS = frozenset(
    {
        "start_workflow",
        "get_workflow",
        "terminate_workflow",
        "raise_workflow_event",
        "pause_workflow",
        "resume_workflow",
        "purge_workflow",
    }
)
_MEMBER_ADVICE: dict[tuple[str, str], str] = {
    (known.SYNC_DAPR_CLIENT, "invoke_service"): "use `invoke_method`",
    (known.AIO_DAPR_CLIENT, "invoke_service"): "use `invoke_method`",
    ("dapr.clients.grpc._response.StateResponse", "value"): "use `.data` (bytes), `.text()` or `.json()`",
    ("dapr.clients.grpc._response.InvokeMethodResponse", "content"): "use `.data`, `.text()` or `.json()`",
    ("dapr.clients.grpc._response.InvokeMethodResponse", "status"): "use `.status_code` (a non-2xx reply raises DaprHttpError)",
    ("dapr.clients.grpc._response.InvokeMethodResponse", "ok"): "a non-2xx reply raises DaprHttpError; there is no `.ok`",
}
_KEYWORD_RENAMES = {"content_type": "data_content_type", "max_message_length": "max_grpc_message_length"}
_KEYWORD_ADVICE = {
    "timeout": "state, pub/sub and secret calls take no timeout; set DAPR_API_TIMEOUT_SECONDS",
    "ttl_in_seconds": "pass `state_metadata={\"ttlInSeconds\": \"60\"}`",
}


def _class_label(path: str) -> str:
    if path in known.CLIENTS:
        return known.CLIENTS[path].display
    return path.rsplit(".", 1)[-1]


@rule(
    RuleSpec(
        code="DPR108",
        name="unknown-sdk-member",
        category="bug",
        summary="An attribute or keyword that does not exist on the Dapr SDK object.",
        target="python",
        predicts="exception",
        fix_safety="safe",
        fix_description="Rename where the replacement is a rename (`content_type`→`data_content_type`, `resp[k]`→`resp.secret[k]`).",
        fix_note="for renames (see below)",
        prose=pages.DPR108,
        examples=(
            invalid(
                """
                from dapr.clients import DaprClient


                def order_summary(order_id: str) -> dict:
                    with DaprClient() as client:
                        state = client.get_state("statestore", order_id)
                        invoice = client.invoke_method("billing", f"invoices/{order_id}", http_verb="GET")
                        key = client.get_secret("secretstore", "billing-api-key")
                        client.invoke_service("audit", f"orders/{order_id}/viewed")  # DPR108
                        client.publish_event(
                            "pubsub", "order-viewed", order_id, content_type="text/plain"  # DPR108
                        )
                        client.terminate_workflow(instance_id=f"order-{order_id}", workflow_component="dapr")  # DPR108
                    return {
                        "order": state.value.decode(),  # DPR108
                        "invoice": invoice.content,  # DPR108
                        "key_set": bool(key["billing-api-key"]),  # DPR108
                    }
                """,
            ),
            valid(
                """
                from dapr.clients import DaprClient
                from dapr.ext.workflow import DaprWorkflowClient


                def order_summary(order_id: str) -> dict:
                    with DaprClient() as client:
                        state = client.get_state("statestore", order_id)
                        invoice = client.invoke_method("billing", f"invoices/{order_id}", http_verb="GET")
                        key = client.get_secret("secretstore", "billing-api-key")
                        client.invoke_method("audit", f"orders/{order_id}/viewed", http_verb="GET")
                        client.publish_event("pubsub", "order-viewed", order_id, data_content_type="text/plain")
                    workflows = DaprWorkflowClient()
                    try:
                        workflows.terminate_workflow(f"order-{order_id}")
                    finally:
                        workflows.close()
                    return {
                        "order": state.data.decode(),
                        "invoice": invoice.text(),
                        "key_set": bool(key.secret["billing-api-key"]),
                    }
                """,
            ),
        ),
    )
)
def unknown_sdk_member(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    if model.sdk.agents is not None:  # dapr-agents' exports change between releases (python/sdk_releases.py)
        yield from _agent_imports(model, report)
    for site in model.attributes:
        if site.is_store:
            continue
        attr = site.node.attr.value
        if attr.startswith("_"):
            continue
        base = model.value_of(site.node.value, site.scope)
        if not isinstance(base, Instance) or base.local is not None:
            continue
        members = MEMBERS.get(base.path)
        if members is None:
            continue
        if model.sdk.older_than_newest:  # judged against the releases the project pins
            absence = member_absence(base.path, attr, model.sdk)
            if absence is None:
                continue
            if absence.kind != "unknown":
                yield report(site.node.attr, _pinned_member_message(base.path, attr, absence, model.sdk))
                continue
        if attr in members:
            continue
        message, detail = _unknown_member_message(base.path, attr, members)
        yield report(site.node.attr, message, detail=detail)

    for site in model.calls:
        params, owner, what = _signature_of(model, site)
        if params is None:
            continue
        for arg in site.node.args:
            if arg.keyword is None:
                continue
            if model.sdk.older_than_newest:  # judged against the releases the project pins
                member = "__init__" if what.endswith("()") else what
                absence = keyword_absence(owner, member, arg.keyword.value, model.sdk)
                if absence is None:
                    continue
                if absence.kind != "unknown":
                    yield report(arg.keyword, _pinned_keyword_message(owner, what, arg.keyword.value, absence, model.sdk))
                    continue
            if arg.keyword.value in params:
                continue
            keyword = arg.keyword.value
            rename = _KEYWORD_RENAMES.get(keyword)
            fix = None
            if rename is not None and rename in params:
                advice = f"use `{rename}=`"
                fix = Fix(f"Rename `{keyword}=` to `{rename}=`.", partial(edits.rename_name, arg.keyword, rename))
            elif keyword in _KEYWORD_ADVICE:
                advice = _KEYWORD_ADVICE[keyword]
            else:
                close = difflib.get_close_matches(keyword, params, n=1, cutoff=0.6)
                advice = f"did you mean `{close[0]}=`?" if close else f"accepted: {', '.join(params)}"
            yield report(
                arg.keyword,
                f"`{what}` of {_class_label(owner)} has no keyword `{keyword}`: the call raises TypeError",
                fix,
                detail=advice[:1].upper() + advice[1:] + ("" if advice.endswith(("?", ".")) else "."),
            )

    for site in model.subscripts:
        if site.is_store:
            continue
        base = model.value_of(site.node.value, site.scope)
        if isinstance(base, Instance) and base.local is None:
            if base.path == "dapr.clients.grpc._response.GetSecretResponse":
                yield report(
                    site.node,
                    "GetSecretResponse is not subscriptable: this raises TypeError",
                    Fix("Subscript `.secret` instead.", partial(edits.subscript_through, site.node, "secret")),
                    detail="Use `resp.secret[key]`.",
                )
            elif base.path == "dapr.clients.grpc._response.GetBulkSecretResponse":
                yield report(
                    site.node,
                    "GetBulkSecretResponse is not subscriptable: this raises TypeError",
                    Fix("Subscript `.secrets` instead.", partial(edits.subscript_through, site.node, "secrets")),
                    detail="Use `resp.secrets[key]`.",
                )


def _unknown_member_message(path: str, attr: str, members: dict) -> tuple[str, Optional[str]]:
    """(message, detail) of an attribute the SDK class does not have."""
    label = _class_label(path)
    if path in (known.SYNC_DAPR_CLIENT, known.AIO_DAPR_CLIENT) and attr in _REMOVED_WORKFLOW_METHODS:
        flavour = "dapr.ext.workflow.aio" if path == known.AIO_DAPR_CLIENT else "dapr.ext.workflow"
        return (
            f"{label} has no `{attr}` since SDK 1.18 (workflow methods moved): AttributeError",
            f"Use DaprWorkflowClient from {flavour}.",
        )
    advice = _MEMBER_ADVICE.get((path, attr))
    if advice is None:
        public = [m for m in members if not m.startswith("_")]
        close = difflib.get_close_matches(attr, public, n=1, cutoff=0.6)
        if close:
            return f"{label} has no attribute `{attr}`: AttributeError; did you mean `{close[0]}`?", None
        return f"{label} has no attribute `{attr}`: it raises AttributeError", None
    return f"{label} has no attribute `{attr}`: it raises AttributeError", advice[:1].upper() + advice[1:] + "."


def _agent_imports(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    """`from dapr_agents import X` where the dapr-agents releases the project admits do not all export X."""
    assert model.sdk.agents is not None
    low, high, _source = model.sdk.agents
    for site in model.imports:
        if site.module != "dapr_agents" or not isinstance(site.node, cst.ImportFrom) or isinstance(site.node.names, cst.ImportStar):
            continue
        for alias in site.node.names:
            if not isinstance(alias.name, cst.Name):
                continue
            absence = agent_export_absence(alias.name.value, model.sdk)
            if absence is None:
                continue
            when = f"from {absence.release} on" if absence.kind == "removed" else f"before {absence.release}"
            admits = high if absence.kind == "removed" else low
            yield report(
                alias.name,
                f"dapr_agents does not export `{alias.name.value}` {when}, and the project admits {admits}: ImportError",
            )


def _pinned_member_message(path: str, attr: str, absence: Absence, sdk: SdkPin) -> str:
    label = _class_label(path)
    if absence.kind == "removed":
        return f"{label} has no `{attr}` from SDK {absence.release} on, and the project admits {sdk.high}: AttributeError"
    return f"{label} has no `{attr}` before SDK {absence.release}, and the project admits {sdk.low}: AttributeError"


def _pinned_keyword_message(owner: str, what: str, keyword: str, absence: Absence, sdk: SdkPin) -> str:
    label = _class_label(owner)
    if absence.kind == "removed":
        return f"`{what}` of {label} takes no `{keyword}` from SDK {absence.release} on (the project admits {sdk.high}): TypeError"
    return f"`{what}` of {label} takes no `{keyword}` before SDK {absence.release} (the project admits {sdk.low}): TypeError"


def _signature_of(model: ModuleModel, site: CallSite) -> tuple[Optional[tuple[str, ...]], str, str]:
    """The keyword names a call accepts when it is an SDK method or an SDK class constructor."""
    func = model.value_of(site.node.func, site.scope)
    if isinstance(func, SdkMethod):
        member = MEMBERS.get(func.owner, {}).get(func.name, {})
        return member.get("params"), func.owner, func.name
    if isinstance(func, Ref):
        path = known.canonical(func.path)
        init = MEMBERS.get(path, {}).get("__init__")
        if init is not None and path in known.CLIENTS:
            return init.get("params"), path, path.rsplit(".", 1)[-1] + "()"
    return None, "", ""


# ------------------------------------------------------------------------------------------------
# DPR101 across modules (project stage)
# ------------------------------------------------------------------------------------------------


@check("DPR101", "project")
def fake_async_across_modules(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
    """The "fake async" call of DPR101 when the helper lives in another module of the run: an `async def`
    calls a plain function (or a method of an imported class's instance, or of a module-level instance
    imported from another module) that uses a sync client, or calls a method of the sync client such an
    instance hands out (a property, a method or an attribute: `manager.client.save_state(...)`). Every
    module the import can mean must agree; modules in the caller's own folder win over same-named modules
    elsewhere in the run."""
    for summary in project.summaries:
        seen: set[tuple[int, int]] = set()
        for call in summary.async_calls:
            found = _imported_definition(project, summary, call)
            if found is None or (call.span.line, call.span.column) in seen:
                continue
            seen.add((call.span.line, call.span.column))
            where, snippet, client = found
            owner = call.target.rsplit(".", 1)[-1]
            if call.provided:
                yield report(
                    Location(summary.path, call.span),
                    f"`Depends({owner})` gives a {client}: its `{call.method}()` blocks the loop of `async def {call.function}`",
                    detail=f"`{owner}` is defined in {where}. Hand out the aio client, or call it via `asyncio.to_thread`.",
                )
                continue
            if client is not None:
                access = f"{call.attribute}()" if call.called else call.attribute
                yield report(
                    Location(summary.path, call.span),
                    f"`{owner}.{access}` is a {client}: its `{call.method}()` blocks the loop of `async def {call.function}`",
                    detail=f"`{owner}` is defined in {where}. Hand out the aio client, or call it via `asyncio.to_thread`.",
                )
                continue
            name = f"{owner}.{call.method}" if call.method else owner
            yield report(
                Location(summary.path, call.span),
                f"`{name}()` blocks the event loop of `async def {call.function}`: it uses a sync Dapr client",
                detail=(
                    f"`{name}` ({where}) calls `{snippet}`. Make it async with the aio client, or call it via "
                    "`asyncio.to_thread`."
                ),
            )


def _classes_of(project: Project, origin: ModuleSummary, call: AsyncCall) -> list[tuple[ModuleSummary, str]]:
    """The (module, class name) pairs the receiver of a call can be an instance of."""
    if not call.instance:
        return project.resolve(origin, call.target, "classes")
    found: list[tuple[ModuleSummary, str]] = []
    for summary, name in project.resolve(origin, call.target, "instances"):
        klass = summary.instances[name]
        if klass in summary.classes:
            found.append((summary, klass))
            continue
        resolved = project.resolve(summary, klass, "classes")
        if not resolved:
            return []  # a class we cannot see: not sure
        found.extend(resolved)
    return found


def _provided_client(project: Project, origin: ModuleSummary, call: AsyncCall) -> Optional[tuple[str, str, Optional[str]]]:
    """(where, "", sync client display name) when the `Depends()` provider of a handler parameter returns a sync
    client every time, in every module the name can mean, and the call made on it blocks."""
    if "." not in call.target:
        matches = [(origin, call.target)] if call.target in origin.defs else []
    else:
        matches = project.resolve(origin, call.target, "defs")
    if not matches or call.method is None:
        return None
    displays = set()
    for summary, name in matches:
        entry = summary.defs[name]
        kind = known.CLIENTS.get(entry.returns) if entry.returns else None
        if entry.is_async or kind is None or kind.is_async or not is_blocking_method(kind, call.method):
            return None
        displays.add((summary.path, kind.display))
    if len({display for _path, display in displays}) != 1:
        return None
    path, display = sorted(displays)[0]
    return path, "", display


def _imported_definition(
    project: Project, origin: ModuleSummary, call: AsyncCall
) -> Optional[tuple[str, str, Optional[str]]]:
    """(where, snippet of the blocking use, sync client display name when the call is on a handed-out
    client) when every definition the call can mean blocks; None otherwise."""
    method = call.method
    if call.provided:
        return _provided_client(project, origin, call)
    if method is None:
        matches = project.resolve(origin, call.target, "defs")
    else:
        matches = _classes_of(project, origin, call)
    if not matches:
        return None
    folder = os.path.dirname(origin.file)
    near = [(s, n) for s, n in matches if os.path.dirname(s.file) == folder]
    if not near and not call.target.startswith("."):
        # A same-named module beside the caller (one with nothing Dapr in it has no summary) is the one
        # the import means when the caller's folder is on the path: the run's other modules say nothing.
        parts = call.target.split(".")[:-1]  # the module: drop the function or class name
        beside = os.path.join(folder, *parts)
        if os.path.isfile(beside + ".py") or os.path.isfile(os.path.join(beside, "__init__.py")):
            return None
    matches = near or matches
    entries: list[tuple[str, str, Optional[str]]] = []
    for summary, name in matches:
        if method is None:
            entry = summary.defs[name]
        else:
            entry = summary.classes[name].get(call.attribute or method)
        if entry is None:
            return None
        if call.attribute is not None:
            kind = known.CLIENTS.get(entry.returns) if entry.returns else None
            if kind is None or kind.is_async or (entry.kind == "method") != call.called:
                return None
            if method is None or not is_blocking_method(kind, method):
                return None
            entries.append((summary.path, "", kind.display))
            continue
        if entry.kind != "method" or entry.is_async or not entry.blocking:
            return None
        entries.append((summary.path, entry.blocking, None))
    if len({e[2] for e in entries}) != 1:
        return None
    return entries[0]
