"""The first pass's reading of the workflow family (python/gate_workflows.py): the shapes it closes give what the
full path gives, and every shape a rule or a summary fact keys on still opens."""

from __future__ import annotations

import pytest
from test_gate import assert_closes_clean, assert_opens, assert_opens_for

from dapr_lint.python import gate

# The SDK's own runtime (dapr/ext/workflow/workflow_runtime.py): registrations of a caller's function under a
# caller's name, on `self`, and the context built for the function it wraps.
_RUNTIME = (
    b"from typing import Optional\n\nfrom dapr.ext.workflow.dapr_workflow_context import DaprWorkflowContext\n"
    b"from dapr.ext.workflow.workflow_context import Workflow\n\n\n"
    b"class Runtime:\n    def __init__(self):\n        self._registry = {}\n\n"
    b"    def register_workflow(self, fn: Workflow, *, name: Optional[str] = None):\n"
    b"        def wrapper(ctx, inp=None):\n            context = DaprWorkflowContext(ctx, None)\n"
    b"            return fn(context, inp)\n\n        self._registry[name or fn.__name__] = wrapper\n\n"
    b"    def workflow(self, __fn: Workflow = None, *, name: Optional[str] = None):\n"
    b"        def wrapper(fn: Workflow):\n            self.register_workflow(fn, name=name)\n            return fn\n\n"
    b"        return wrapper(__fn) if __fn else wrapper\n\n"
    b"    def versioned(self, fn, *, name: str, is_latest: bool):\n"
    b"        self.register_versioned_workflow(fn, name=name, is_latest=is_latest)\n"
    b"        self.register_activity(fn=fn, name=None)\n        self.register_activity(fn)\n"
)


def test_the_runtime_registering_a_callers_function_closes_with_its_registrations_unknown(monkeypatch):
    summary = assert_closes_clean(_RUNTIME, monkeypatch)
    assert summary.workflows.opaque and not summary.workflows.registrations


def test_the_text_screen_lets_registrations_on_self_and_the_context_through():
    assert not gate._surely_open(_RUNTIME)
    assert gate._surely_open(b"import x\nwfr = x.get()\nwfr.register_workflow(f)\n")
    assert not gate._surely_open(b"def wf(ctx: DaprWorkflowContext):\n    pass\n")


# The SDK's tests of the context (tests/ext/workflow/test_dapr_workflow_context.py): a context annotating a
# parameter no call is made on (the first parameter of a method, even), and one built and called.
_CONTEXT_TEST = (
    b"import unittest\n\nfrom dapr.ext.workflow.dapr_workflow_context import DaprWorkflowContext\n\n\n"
    b"class ContextTest(unittest.TestCase):\n    def child(ctx: DaprWorkflowContext, input):\n        print(f'{input}')\n\n"
    b"    def test_calls(self):\n        context = DaprWorkflowContext(object())\n"
    b"        assert context.call_child_workflow(self.child) is not None\n\n\n"
    b"def helper(ctx: DaprWorkflowContext, order):\n    return [ctx, order]\n"
)
# The SDK's context itself (dapr/ext/workflow/dapr_workflow_context.py): a waiter named by a parameter
_WAITER = (
    b"from dapr.ext.workflow._durabletask import task\n\n\nclass Context:\n    def __init__(self, obj):\n"
    b"        self._obj = obj\n\n    def wait_for_external_event(self, name: str, timeout=None) -> task.Task:\n"
    b"        return self._obj.wait_for_external_event(name, timeout=timeout)\n"
)


def test_a_context_annotating_a_parameter_no_call_is_made_on_closes(monkeypatch):
    assert_closes_clean(_CONTEXT_TEST, monkeypatch)


def test_a_waiter_named_by_a_parameter_closes_with_its_name_unknown(monkeypatch):
    summary = assert_closes_clean(_WAITER, monkeypatch)
    assert [event.name for event in summary.workflows.awaited] == [None]
    # unannotated, in a module importing the workflow extension; an f-string (the model's `Kind("str")`), directly
    # or through a name bound to one
    head = b"import dapr.ext.workflow as wf\n\n\ndef orchestrator(ctx, n):\n"
    for body in (
        b"    return ctx.wait_for_external_event(n)\n",
        b"    return ctx.wait_for_external_event(f'{n}')\n",
        b"    name = f'approval_{n}'\n    return ctx.wait_for_external_event(name)\n",
    ):
        assert [event.name for event in assert_closes_clean(head + body, monkeypatch).workflows.awaited] == [None]


_CONTEXT = b"from dapr.ext.workflow import DaprWorkflowContext\n"
_WORKFLOW_MODULE = b"from dapr.ext.workflow import WorkflowActivityContext\n"

OPEN_FOR = {
    # the context as a parameter's annotation: `context_method` reads its calls (DPR705)
    "an annotated context": (
        _CONTEXT + b"\n\ndef wf(ctx: DaprWorkflowContext, order):\n    yield ctx.call_activity(act, order)\n\n\n"
        b"def act(ctx, order):\n    return order\n",
        "DPR705",
    ),
    # an alias of the class, read as the annotation it names (DPR705)
    "an aliased context": (
        _CONTEXT + b"Ctx = DaprWorkflowContext\n\n\ndef wf(ctx: Ctx, order):\n    yield ctx.call_activity(act, order)\n\n\n"
        b"def act(ctx, order):\n    return order\n",
        "DPR705",
    ),
    # a call on an annotated context in a nested function: `context_method` still reads the annotation (DPR705)
    "a context called on in a nested function": (
        _CONTEXT + b"\n\ndef wf(ctx: DaprWorkflowContext, order):\n    def inner():\n        return ctx.call_activity(act, order)\n\n"
        b"    yield inner()\n\n\ndef act(ctx, order):\n    return order\n",
        "DPR705",
    ),
    # a runtime's registration of a local `async def` workflow: a handler (DPR704)
    "a local function registered on a runtime": (
        b"from dapr.ext.workflow import WorkflowRuntime\n\n\ndef setup(rt: WorkflowRuntime):\n"
        b"    rt.register_workflow(wf)\n\n\nasync def wf(ctx):\n    pass\n",
        "DPR704",
    ),
}

OPEN = {
    "a context in a string annotation": _CONTEXT + b"\n\ndef wf(ctx: 'DaprWorkflowContext', order):\n    return order\n",
    "a context handed on": _CONTEXT + b"\n\ndef f(g):\n    return g(DaprWorkflowContext)\n",
    "a wrapped context annotation": _CONTEXT + b"from typing import Optional\n\n\ndef wf(ctx: Optional[DaprWorkflowContext]):\n"
    b"    return ctx\n",
    "a waiter named by a parameter bound again": _CONTEXT + b"\n\ndef f(ctx, name):\n    name = name.lower()\n"
    b"    return ctx.wait_for_external_event(name)\n",
    "a member of the context class": _CONTEXT + b"\n\ndef f(ctx):\n    return DaprWorkflowContext.is_replaying\n",
    # the registration the summary records: a local function (its own name), a string name, an import path
    "a local function registered": _WORKFLOW_MODULE + b"\n\ndef setup(runtime):\n    runtime.register_activity(act)\n\n\n"
    b"def act(ctx):\n    pass\n",
    "a registered name": _WORKFLOW_MODULE + b"\n\ndef setup(runtime, fn):\n    runtime.register_workflow(fn, name='orders')\n",
    "an imported function registered": _WORKFLOW_MODULE + b"from .activities import act\n\n\ndef setup(runtime):\n"
    b"    runtime.register_activity(act)\n",
    "a name bound otherwise too": _WORKFLOW_MODULE + b"\n\ndef setup(runtime, fn, name):\n    name = name or 'x'\n"
    b"    runtime.register_workflow(fn, name=name)\n",
    "a method registered": _WORKFLOW_MODULE + b"\n\nclass A:\n    def setup(self, runtime):\n"
    b"        runtime.register_activity(self.act)\n\n    def act(self, ctx):\n        pass\n",
    "star arguments": _WORKFLOW_MODULE + b"\n\ndef setup(runtime, *args):\n    runtime.register_activity(*args)\n",
    # without `dapr.ext.workflow` imported the receiver's resolution decides (here: nothing recorded)
    "no workflow import": b"def setup(runtime, fn):\n    runtime.register_workflow(fn)\n",
}


@pytest.mark.parametrize("name", sorted(OPEN_FOR))
def test_what_a_workflow_rule_reads_opens(name, monkeypatch):
    source, code = OPEN_FOR[name]
    assert_opens_for(source, code, monkeypatch)


@pytest.mark.parametrize("name", sorted(OPEN))
def test_what_the_workflow_facts_read_opens(name, monkeypatch):
    assert_opens(OPEN[name], monkeypatch)


_SYNC_CLIENT = b"from typing import Optional\n\nfrom dapr.ext.workflow import DaprWorkflowClient\n"
_AIO_CLIENT = b"from dapr.ext.workflow.aio import DaprWorkflowClient\n"

# A workflow client built as the fallback of a parameter into an attribute (dapr/ext/workflow/mcp.py): the model
# has no value for `or`, so nothing called on the attribute is a client call.
CLIENTS_CLOSED = {
    "a sync client": _SYNC_CLIENT + b"\n\nclass Tools(object):\n"
    b"    def __init__(self, *, wf_client: Optional[DaprWorkflowClient] = None) -> None:\n"
    b"        super().__init__()\n        self._wf_client = wf_client or DaprWorkflowClient()\n\n"
    b"    def connect(self, name: str) -> None:\n"
    b"        self._wf_client.schedule_new_workflow(workflow=f'x.{name}', input={'a': name})\n"
    b"        state = self._wf_client.wait_for_workflow_completion(instance_id=name, timeout_in_seconds=5)\n"
    b"        if state is None:\n            raise RuntimeError(name)\n",
    "an aio client": _AIO_CLIENT + b"\n\nclass Tools:\n"
    b"    def __init__(self, wf_client: DaprWorkflowClient | None = None) -> None:\n"
    b"        self._wf_client = wf_client or DaprWorkflowClient()\n\n"
    b"    async def connect(self, name: str) -> None:\n"
    b"        await self._wf_client.schedule_new_workflow(workflow=name)\n",
}


def test_a_workflow_client_built_as_a_fallback_closes_with_its_blocking_entry(monkeypatch):
    summary = assert_closes_clean(CLIENTS_CLOSED["a sync client"], monkeypatch)
    assert summary.classes["Tools"]["__init__"].blocking == "DaprWorkflowClient()"
    summary = assert_closes_clean(CLIENTS_CLOSED["an aio client"], monkeypatch)
    assert summary.classes["Tools"]["__init__"].blocking is None
    assert not gate._surely_open(CLIENTS_CLOSED["a sync client"])


CLIENTS_OPEN_FOR = {
    "a client parameter called": (_SYNC_CLIENT + b"\n\nasync def f(c: DaprWorkflowClient):\n    await c.get_workflow_state('x')\n", "DPR103"),
    "a client entered by with": (_SYNC_CLIENT + b"\n\ndef f():\n    with DaprWorkflowClient() as c:\n        pass\n", "DPR102"),
    "a client bound to a name in a coroutine": (
        _SYNC_CLIENT + b"\n\nasync def f():\n    c = DaprWorkflowClient()\n    c.get_workflow_state('x')\n", "DPR101"
    ),
    "a keyword the constructor lacks": (
        _SYNC_CLIENT + b"\n\nclass A:\n    def __init__(self, c=None):\n        self.c = c or DaprWorkflowClient(hots='x')\n", "DPR108"
    ),
    "a method building one called from a coroutine": (
        _SYNC_CLIENT + b"\n\nclass A:\n    def build(self, c=None):\n        self.c = c or DaprWorkflowClient()\n\n"
        b"    async def run(self):\n        self.build()\n",
        "DPR101",
    ),
}

CLIENTS_OPEN = {
    "an annotated attribute": _SYNC_CLIENT + b"\n\nclass A:\n    def __init__(self, c=None):\n"
    b"        self.c: DaprWorkflowClient = c or DaprWorkflowClient()\n",
    "a client class as a default": _SYNC_CLIENT + b"\n\ndef f(c=DaprWorkflowClient):\n    return c\n",
    "a string annotation": _SYNC_CLIENT + b"\n\ndef f(c: 'DaprWorkflowClient'):\n    return c\n",
    "a client parameter returned": _SYNC_CLIENT + b"\n\ndef f(c: Optional[DaprWorkflowClient]):\n    return c\n",
    "a fallback bound to a name": _SYNC_CLIENT + b"\n\ndef f(c=None):\n    c = c or DaprWorkflowClient()\n    return c\n",
    "a method building one called by name": _SYNC_CLIENT + b"\n\nclass A:\n    def build(self, c=None):\n"
    b"        self.c = c or DaprWorkflowClient()\n\n    def run(self):\n        self.build()\n",
}


@pytest.mark.parametrize("name", sorted(CLIENTS_OPEN_FOR))
def test_what_a_client_rule_reads_opens(name, monkeypatch):
    source, code = CLIENTS_OPEN_FOR[name]
    assert_opens_for(source, code, monkeypatch)


@pytest.mark.parametrize("name", sorted(CLIENTS_OPEN))
def test_what_the_client_facts_read_opens(name, monkeypatch):
    assert_opens(CLIENTS_OPEN[name], monkeypatch)


# A sync workflow client bound to a name in a test's method (tests/ext/workflow/test_workflow_client.py): its calls
# start workflows (the summary's targets) and raise events; the deprecated `reuse_id_policy` where a test expects
# the warning; an expected failure.
_CLIENT_TEST = (
    b"import unittest\nimport warnings\nfrom unittest import mock\n\n"
    b"from dapr.ext.workflow.dapr_workflow_client import DaprWorkflowClient\n"
    b"from dapr.ext.workflow.dapr_workflow_context import DaprWorkflowContext\n\n\n"
    b"class ClientTest(unittest.TestCase):\n    def wf(ctx: DaprWorkflowContext, input):\n        print(f'{input}')\n\n"
    b"    @mock.patch.object(warnings, 'filters', [])\n    def test_built(self):\n"
    b"        DaprWorkflowClient(max_grpc_message_length=1024)\n\n"
    b"    def test_calls(self):\n        with mock.patch('x.y', return_value=None):\n"
    b"            client = DaprWorkflowClient()\n"
    b"            result = client.schedule_new_workflow(workflow='orders', input='data')\n            assert result\n"
    b"            other = client.schedule_new_workflow(self.wf, input='x')\n"
    b"            with self.assertWarns(DeprecationWarning):\n"
    b"                client.schedule_new_workflow(workflow='orders', reuse_id_policy=object())\n"
    b"            with self.assertRaises(RuntimeError):\n"
    b"                client.get_workflow_state(instance_id='i', fetch_payloads=True)\n"
    b"            client.raise_workflow_event(instance_id='i', event_name='approved', data='d')\n"
    b"            event = f'approval_{other}'\n            client.raise_workflow_event('i', event)\n"
    b"            client.wait_for_workflow_completion(instance_id='i', timeout_in_seconds=30)\n"
    b"            client.purge_workflow(instance_id=other)\n"
)


def test_a_workflow_client_bound_in_a_method_closes_with_its_targets_and_events(monkeypatch):
    summary = assert_closes_clean(_CLIENT_TEST, monkeypatch)
    facts = summary.workflows
    assert [(t.name, t.function) for t in facts.targets] == [("orders", None), (None, "wf"), ("orders", None)]
    assert [e.name for e in facts.raised] == ["approved", None]
    assert summary.classes["ClientTest"]["test_calls"].blocking == "DaprWorkflowClient()"
    assert summary.classes["ClientTest"]["test_built"].blocking == "DaprWorkflowClient()"


_IN_DEF = b"from dapr.ext.workflow import DaprWorkflowClient\n\n\ndef f(g):\n    client = DaprWorkflowClient()\n"

BOUND_OPEN_FOR = {
    "a deprecated keyword no test expects": (_IN_DEF + b"    client.schedule_new_workflow('w', reuse_id_policy=g)\n", "DPR109"),
    "a member the client lacks": (_IN_DEF + b"    client.start_workflow('w')\n", "DPR108"),
    "a keyword the method lacks": (_IN_DEF + b"    client.get_workflow_state('i', fetch=True)\n", "DPR108"),
    "a call under a try that swallows": (
        _IN_DEF + b"    try:\n        client.get_workflow_state('i')\n    except Exception:\n        pass\n", "DPR303"
    ),
}

BOUND_OPEN = {
    "the client handed on": _IN_DEF + b"    g(client)\n",
    "the client returned": _IN_DEF + b"    return client\n",
    "a target the model reads as a kind": _IN_DEF + b"    client.schedule_new_workflow(f'w{g}')\n",
    "a parenthesized target": _IN_DEF + b"    client.schedule_new_workflow(('w'))\n",
    "a client read in a nested function": _IN_DEF + b"    return lambda: client.get_workflow_state('i')\n",
    "a client built at module level": b"from dapr.ext.workflow import DaprWorkflowClient\n\nclient = DaprWorkflowClient()\n",
    "a cached factory": b"import functools\n\nfrom dapr.ext.workflow import DaprWorkflowClient\n\n\n@functools.cache\n"
    b"def f():\n    DaprWorkflowClient()\n",
}


@pytest.mark.parametrize("name", sorted(BOUND_OPEN_FOR))
def test_what_a_rule_reads_of_a_bound_client_opens(name, monkeypatch):
    source, code = BOUND_OPEN_FOR[name]
    assert_opens_for(source, code, monkeypatch)


@pytest.mark.parametrize("name", sorted(BOUND_OPEN))
def test_what_the_facts_read_of_a_bound_client_opens(name, monkeypatch):
    assert_opens(BOUND_OPEN[name], monkeypatch)


# The aio client (tests/ext/workflow/test_workflow_client_aio.py): built in any def with its value dropped, bound
# to a name in a coroutine whose every call on it is awaited.
_AIO_TEST = (
    b"import unittest\n\nfrom dapr.ext.workflow.aio import DaprWorkflowClient\n\n\n"
    b"class AioTest(unittest.IsolatedAsyncioTestCase):\n    def wf(ctx, input):\n        print(input)\n\n"
    b"    def test_built(self):\n        DaprWorkflowClient(max_grpc_message_length=1024)\n\n"
    b"    async def test_calls(self):\n        client = DaprWorkflowClient()\n"
    b"        await client.schedule_new_workflow(workflow=self.wf, input='x')\n"
    b"        with self.assertRaises(RuntimeError):\n"
    b"            await client.get_workflow_state(instance_id='i', fetch_payloads=True)\n"
    b"        await client.raise_workflow_event('i', 'approved', data='d')\n"
)


def test_an_aio_workflow_client_awaited_in_a_coroutine_closes(monkeypatch):
    summary = assert_closes_clean(_AIO_TEST, monkeypatch)
    assert [(t.name, t.function) for t in summary.workflows.targets] == [(None, "wf")]
    assert [e.name for e in summary.workflows.raised] == ["approved"]
    assert summary.classes["AioTest"]["test_calls"].blocking is None


_AIO = b"from dapr.ext.workflow.aio import DaprWorkflowClient\n\n\n"


@pytest.mark.parametrize(
    "source",
    [
        _AIO + b"async def f():\n    c = DaprWorkflowClient()\n    c.get_workflow_state('i')\n",
        _AIO + b"def f():\n    c = DaprWorkflowClient()\n    c.get_workflow_state('i')\n",
    ],
)
def test_an_aio_call_not_awaited_opens(source, monkeypatch):
    assert_opens_for(source, "DPR104", monkeypatch)


def test_a_sync_client_in_a_scripts_coroutine_closes(monkeypatch):
    """A coroutine run as the script (`asyncio.run(main())`): DPR101 reads no call in it (the dapr-agents examples
    raising an approval event); the same coroutine on a shared loop opens (`CLIENTS_OPEN_FOR`, DPR101)."""
    source = (
        b"import asyncio\n\nfrom dapr.ext.workflow import DaprWorkflowClient\n\n\nasync def main():\n"
        b"    client = DaprWorkflowClient()\n    client.raise_workflow_event(instance_id='i', event_name='go')\n"
        b"    await asyncio.sleep(0)\n\n\nif __name__ == '__main__':\n    asyncio.run(main())\n"
    )
    summary = assert_closes_clean(source, monkeypatch)
    assert [e.name for e in summary.workflows.raised] == ["go"] and summary.defs["main"].blocking is None
