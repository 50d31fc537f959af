"""The first pass's reading of the SDK's value classes (python/gate_values.py): the shapes it closes give what the
full path gives, and every shape a rule keys on still opens (or gives the same findings)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from test_gate import _both, _everything, assert_closes_clean, assert_opens_for

from dapr_lint.python import gate
from dapr_lint.python.gate_values import VALUE_CLASSES
from dapr_lint.python.sdk_releases import SdkPin, unpinned

_IMPORT = b"from dapr.clients.grpc._response import (\n    ConfigurationResponse, GetMetadataResponse, GetSecretResponse,\n    InvokeMethodResponse, StateResponse,\n)\n"

CLOSED = {
    # constructions read through their members, a method called with its keywords, an argument, a test
    "constructions read by member": (
        _IMPORT + b"import unittest\n\n\nclass T(unittest.TestCase):\n    def test_data(self):\n"
        b"        resp = InvokeMethodResponse(data=b'x', content_type='application/json')\n"
        b"        self.assertEqual(b'x', resp.data)\n        self.assertEqual('x', resp.text())\n"
        b"        self.assertTrue(resp.get_headers(as_dict=True) is not None and not resp.is_proto())\n"
        b"        self.assertIsNotNone(resp)\n        print(f'{resp}', [resp])\n"
        b"        state = StateResponse(data=b'hello', etag='1')\n        assert state.etag and state.data\n"
        b"        StateResponse(data=b'')\n"
    ),
    # annotations the model types by (a string, Optional, `|`, a module-level AnnAssign), with `list[...]` of
    # one typing nothing
    "annotated parameters and names": (
        _IMPORT + b"from typing import Optional\n\nreceived: list[ConfigurationResponse] = []\n\n\n"
        b"def handler(_id: str, resp: 'Optional[ConfigurationResponse]', other: ConfigurationResponse | None) -> None:\n"
        b"    received.append(resp)\n    last: ConfigurationResponse = received[-1]\n"
        b"    assert 'k' in last.items and other.items['k'].value == 'v'\n"
    ),
    # checked types, comparisons, return annotations, a name bound again to an instance
    "checked, compared, returned as a type": (
        _IMPORT + b"\n\ndef check(x) -> 'StateResponse':\n    if isinstance(x, (StateResponse, GetSecretResponse)):\n"
        b"        return x\n    return type(x) is InvokeMethodResponse\n\n\n"
        b"def copy(resp: GetSecretResponse):\n    again = resp\n    return again.secret\n"
    ),
    # returned by local functions, each call read where it stands (awaited, for a coroutine function)
    "instances returned by local functions": (
        _IMPORT + b"\n\ndef make():\n    return StateResponse(data=b'x')\n\n\nasync def amake():\n"
        b"    resp = StateResponse(data=b'y')\n    return resp\n\n\nasync def use():\n    r = make()\n"
        b"    print(r.data, make().etag)\n    again = await amake()\n    return again.data\n"
    ),
    # returned by methods, each call through a member read where it stands (`self.f()`, another receiver's, an
    # alias returning the call again; awaited, for a coroutine method), as the SDK's own client modules do
    "instances returned by methods": (
        _IMPORT + b"\n\nclass Client:\n    def make(self, x):\n        return StateResponse(data=x)\n\n"
        b"    def make_alpha(self, x):\n        return self.make(x)\n\n    async def amake(self):\n"
        b"        return StateResponse(data=b'y')\n\n    def use(self):\n        r = self.make(b'x')\n"
        b"        print(r.data, Client().make_alpha(b'z').etag)\n\n    async def ause(self):\n"
        b"        again = await self.amake()\n        return again.etag\n"
    ),
    # a method's coroutine bound to a name read only as an argument (the SDK's HTTP invocation client hands it to
    # `run_until_complete`): awaited nowhere, it is never the instance
    "a method's coroutine handed to a runner by name": (
        _IMPORT + b"import asyncio\n\n\nclass Client:\n    async def make_async(self, x):\n"
        b"        return StateResponse(data=x)\n\n    def make(self, x):\n        loop = asyncio.new_event_loop()\n"
        b"        awaitable = self.make_async(x)\n        return loop.run_until_complete(future=awaitable)\n"
    ),
    # a member stored on an instance: DPR108 reads no store
    "a member stored on an instance": (
        _IMPORT + b"\n\ndef f(data):\n    resp = InvokeMethodResponse(data, 'text/plain')\n"
        b"    resp.headers = (('a', 'b'),)\n    print(resp)\n"
    ),
    # a class named in a list of an annotation's subscript (`Callable[[...], None]`: the model types nothing by it)
    "a response in a callable's parameters": (
        _IMPORT + b"from typing import Callable, Text\n\n\n"
        b"def watch(handler: Callable[[Text, ConfigurationResponse], None]) -> None:\n    handler('a', None)\n"
    ),
    # DPR205 knows a StateResponse built from a non-empty literal is not empty (a test double)
    "state responses built from non-empty literals, decoded": (
        _IMPORT + b"\n\ndef test_json():\n    resp = StateResponse(data=b'{\"status\": \"ok\"}')\n"
        b"    assert resp.json() == {'status': 'ok'}\n    assert [StateResponse('{}').json() for _ in range(2)]\n"
    ),
}

OPEN = {
    # DPR108, an attribute the class does not have
    "an attribute a constructed response lacks (DPR108)": (
        _IMPORT + b"\n\ndef f():\n    resp = StateResponse(data=b'x')\n    return resp.value\n",
        "DPR108",
    ),
    "an attribute an annotated response lacks (DPR108)": (
        _IMPORT + b"\n\ndef f(resp: 'InvokeMethodResponse'):\n    return resp.status\n",
        "DPR108",
    ),
    # DPR108, a method's keyword
    "a keyword a response's method lacks (DPR108)": (
        _IMPORT + b"\n\ndef f(resp: StateResponse):\n    return resp.get_headers(as_dic=True)\n",
        "DPR108",
    ),
    # DPR108, a subscript of a secret response
    "a secret response subscripted (DPR108)": (
        _IMPORT + b"\n\ndef f(secret: GetSecretResponse):\n    return secret['key']\n",
        "DPR108",
    ),
    # DPR205, a StateResponse decoded as JSON, by its method or by json.loads of its data
    "a state response's .json() (DPR205)": (
        _IMPORT + b"\n\ndef f(resp: StateResponse):\n    return resp.json()\n",
        "DPR205",
    ),
    "json.loads of a state response's data (DPR205)": (
        _IMPORT + b"import json\n\n\ndef f(resp: StateResponse):\n    return json.loads(resp.data)\n",
        "DPR205",
    ),
    "json.loads of a state response's decoded data (DPR205)": (
        _IMPORT + b"from json import loads\n\n\ndef f(resp: StateResponse):\n    return loads(resp.data.decode())\n",
        "DPR205",
    ),
    "a state response built from an empty literal, decoded (DPR205)": (
        _IMPORT + b"\n\ndef f():\n    resp = StateResponse(data=b'')\n    return resp.json()\n",
        "DPR205",
    ),
    "a state response built from a literal, decoded in a nested function (DPR205)": (
        _IMPORT + b"\n\ndef f():\n    resp = StateResponse(data=b'{}')\n\n    def inner():\n        return resp.json()\n\n"
        b"    return inner\n",
        "DPR205",
    ),
    "a state response bound twice, decoded (DPR205)": (
        _IMPORT + b"\n\ndef f(flag):\n    resp = StateResponse(data=b'{}')\n    if flag:\n        resp = StateResponse(data=b'{}')\n"
        b"    return resp.json()\n",
        "DPR205",
    ),
    # what the model types through flows this pass does not follow: each reaches DPR108
    "an instance returned by a local function (DPR108)": (
        _IMPORT + b"\n\ndef make():\n    return StateResponse(data=b'x')\n\n\ndef f():\n    return make().value\n",
        "DPR108",
    ),
    "an instance returned, bound and read (DPR108)": (
        _IMPORT + b"\n\ndef make():\n    return StateResponse(data=b'x')\n\n\ndef f():\n    r = make()\n    return r.value\n",
        "DPR108",
    ),
    "a coroutine's instance awaited later (DPR108)": (
        _IMPORT + b"\n\nasync def make():\n    return StateResponse(data=b'x')\n\n\nasync def f():\n    task = make()\n"
        b"    r = await task\n    return r.value\n",
        "DPR108",
    ),
    "an instance returned by a method (DPR108)": (
        _IMPORT + b"\n\nclass A:\n    def make(self):\n        return StateResponse(data=b'x')\n\n"
        b"    def f(self):\n        return self.make().value\n",
        "DPR108",
    ),
    "an instance returned by a method, called on another receiver (DPR108)": (
        _IMPORT + b"\n\nclass A:\n    def make(self):\n        return StateResponse(data=b'x')\n\n\n"
        b"def f():\n    return A().make().value\n",
        "DPR108",
    ),
    "an instance returned by a method, its bound method held (DPR108)": (
        _IMPORT + b"\n\nclass A:\n    def make(self):\n        return StateResponse(data=b'x')\n\n"
        b"    def f(self):\n        m = self.make\n        return m().value\n",
        "DPR108",
    ),
    "a method's coroutine awaited later (DPR108)": (
        _IMPORT + b"\n\nclass A:\n    async def make(self):\n        return StateResponse(data=b'x')\n\n"
        b"    async def f(self):\n        task = self.make()\n        r = await task\n        return r.value\n",
        "DPR108",
    ),
    "an instance returned by a method, returned again and read (DPR108)": (
        _IMPORT + b"\n\nclass A:\n    def make(self):\n        return StateResponse(data=b'x')\n\n"
        b"    def again(self):\n        return self.make()\n\n    def f(self):\n        return self.again().value\n",
        "DPR108",
    ),
    "an instance returned by a function called through an alias (DPR108)": (
        _IMPORT + b"\n\ndef make():\n    return StateResponse(data=b'x')\n\n\nbuild = make\n\n\ndef f():\n"
        b"    return build().value\n",
        "DPR108",
    ),
    "an instance held by an attribute (DPR108)": (
        _IMPORT + b"\n\nclass H:\n    def __init__(self):\n        self.resp = StateResponse(data=b'x')\n\n"
        b"    def f(self):\n        return self.resp.value\n",
        "DPR108",
    ),
    "a class's field typed as a response (DPR108)": (
        _IMPORT + b"from dataclasses import dataclass\n\n\n@dataclass\nclass H:\n    resp: 'StateResponse'\n\n"
        b"    def f(self):\n        return self.resp.value\n",
        "DPR108",
    ),
    "a class attribute built as a response (DPR108)": (
        _IMPORT + b"\n\nclass H:\n    resp = StateResponse(data=b'x')\n\n    def f(self):\n        return self.resp.value\n",
        "DPR108",
    ),
    "a response class through an alias (DPR108)": (
        _IMPORT + b"\nS = StateResponse\n\n\ndef f():\n    return S(data=b'x').value\n",
        "DPR108",
    ),
    "a response's method passed on, called with a wrong keyword (DPR108)": (
        _IMPORT + b"\n\ndef f(resp: StateResponse):\n    g = resp.get_headers\n    return g(as_dic=True)\n",
        "DPR108",
    ),
    "a response entered by `with` (DPR108)": (
        _IMPORT + b"\n\ndef f():\n    with StateResponse(data=b'x') as resp:\n        return resp.value\n",
        "DPR108",
    ),
    "a response awaited (DPR108)": (
        _IMPORT + b"\n\nasync def f(resp: StateResponse):\n    return (await resp).value\n",
        "DPR108",
    ),
}


# The classes the model reads only where they are called, or by a member (gate_values.CALLED_CLASSES)
CALLED_CLOSED = {
    # a test module checks the Job class itself: DPR420 reads none of its constructions (a 5-field cron here)
    "jobs built in a test module": (
        b"import unittest\nfrom dapr.clients.grpc._jobs import DropFailurePolicy, Job\n\n\nclass T(unittest.TestCase):\n"
        b"    def test_job(self):\n        job = Job(name='j', schedule='* * * * *', failure_policy=DropFailurePolicy())\n"
        b"        self.assertEqual(job.name, 'j')\n        again = Job._from_proto(job._get_proto())\n"
        b"        self.assertIsInstance(again, Job)\n"
    ),
    "the sidecar health check": (
        b"from typing import Optional\nfrom dapr.clients.health import DaprHealth\n\n\n"
        b"def ready(health: Optional[DaprHealth] = None) -> None:\n    DaprHealth.wait_for_sidecar()\n    DaprHealth()\n"
    ),
    "payload classes with str payloads and metadata": (
        b"import json\nfrom dapr.clients import BulkPublishEntry\nfrom dapr.clients.grpc._request import "
        b"TransactionalStateOperation, TransactionOperationType\nfrom dapr.clients.grpc._state import StateItem\n\n\n"
        b"def build(key, payload):\n    return [\n        StateItem(key='a', value='v1', metadata={'ttlInSeconds': '5'}),\n"
        b"        StateItem(key, json.dumps({'a': 1}), None, None, {'k': f'{key}'}),\n"
        b"        TransactionalStateOperation(key='b', data=b'x', operation_type=TransactionOperationType.upsert),\n"
        b"        TransactionalStateOperation('c', payload),\n        BulkPublishEntry(event=payload, metadata=None, entry_id='1'),\n    ]\n"
    ),
    "topic event responses with a valid or unknown status": (
        b"from dapr.clients.grpc._response import TopicEventResponse, TopicEventResponseStatus\n\n\n"
        b"def answers(status):\n    found = [TopicEventResponse('success'), TopicEventResponse(status='RETRY'), TopicEventResponse(status)]\n"
        b"    for each in TopicEventResponseStatus:\n        found.append(TopicEventResponse(each.name))\n"
        b"    found.append(TopicEventResponse(TopicEventResponseStatus.drop))\n    return found\n"
    ),
    # a member of a parameter the model knows nothing of (no annotation, not a method's first): unknown, whatever
    # else the name is bound to (the SDK's own subscription modules rebind it to the response)
    "topic event responses given a member of an untyped parameter": (
        b"from dapr.proto import appcallback_v1\n\n\nclass Stream:\n    def respond(self, message, status):\n"
        b"        status = appcallback_v1.TopicEventResponse(status=status.value)\n        print(message, status)\n\n\n"
        b"def answer(event, *args):\n    check = lambda s: appcallback_v1.TopicEventResponse(s.value)\n"
        b"    return [appcallback_v1.TopicEventResponse(event.status), check(args), appcallback_v1.TopicEventResponse(args.x)]\n"
    ),
    # local subclasses: the model types their instances as the local class, which DPR108 does not judge, and
    # the actor facts (a module importing dapr.actor) name the base as an import
    "local subclasses of SDK classes": (
        b"from dapr.actor.runtime.config import ActorRuntimeConfig\nfrom dapr.clients import Job\n"
        b"from dapr.clients.grpc._response import StateResponse\nfrom dapr.clients.health import DaprHealth\n\n\n"
        b"class Cached(StateResponse):\n    pass\n\n\nclass Nightly(Job):\n    pass\n\n\nclass Health(DaprHealth):\n    pass\n\n\n"
        b"def use():\n    Health.wait_until_ready()\n    Nightly(name='n')\n    return Cached(data=b'').value\n"
    ),
}

CALLED_OPEN = {
    "a job with a 5-field cron (DPR420)": (
        b"from dapr.clients import Job\n\nJOB = Job(name='nightly', schedule='0 0 * * *')\n",
        "DPR420",
    ),
    "a job with no schedule built through an alias (DPR420)": (
        b"from dapr.clients import Job\n\nJ = Job\n\n\ndef make():\n    return J(name='once')\n",
        "DPR420",
    ),
    "the deprecated health check (DPR109)": (
        b"from dapr.clients.health import DaprHealth\n\n\ndef ready():\n    DaprHealth.wait_until_ready()\n",
        "DPR109",
    ),
    "the health check held by an attribute (DPR109)": (
        b"from dapr.clients.health import DaprHealth\n\n\nclass C:\n    def __init__(self):\n        self.h = DaprHealth\n\n"
        b"    def ready(self):\n        self.h.wait_until_ready()\n",
        "DPR109",
    ),
    "a state item's dict value (DPR201)": (
        b"from dapr.clients.grpc._state import StateItem\n\n\ndef item():\n    return StateItem(key='a', value={'n': 1})\n",
        "DPR201",
    ),
    "a transaction's number data, by position (DPR201)": (
        b"from dapr.clients.grpc._request import TransactionalStateOperation\n\n\ndef op():\n"
        b"    return TransactionalStateOperation('a', 5)\n",
        "DPR201",
    ),
    "a state item's metadata with a number (DPR203)": (
        b"from dapr.clients.grpc._state import StateItem\n\n\ndef item():\n"
        b"    return StateItem('a', 'v', metadata={'ttlInSeconds': 5})\n",
        "DPR203",
    ),
    "a bulk entry's metadata through a name (DPR203)": (
        b"from dapr.clients import BulkPublishEntry\n\n\ndef entry():\n    meta = {'a': True}\n"
        b"    return BulkPublishEntry(event='x', metadata=meta)\n",
        "DPR203",
    ),
    "a topic event response with a bad status (DPR403)": (
        b"from dapr.ext.grpc import TopicEventResponse\n\n\ndef answer():\n    return TopicEventResponse('fail')\n",
        "DPR403",
    ),
    "a topic event response with a constant's status (DPR403)": (
        b"from dapr.clients.grpc._response import TopicEventResponse\n\nSTATUS = 'ok'\n\n\ndef answer():\n"
        b"    return TopicEventResponse(STATUS)\n",
        "DPR403",
    ),
    "a topic event response with a class constant read through an annotated parameter (DPR403)": (
        b"from dapr.clients.grpc._response import TopicEventResponse\n\n\nclass Config:\n    status = 'nope'\n\n\n"
        b"def answer(config: Config, status):\n    status = TopicEventResponse(config.status)\n    return status\n",
        "DPR403",
    ),
    "a topic event response with a class constant read through self (DPR403)": (
        b"from dapr.clients.grpc._response import TopicEventResponse\n\n\nclass H:\n    status = 'nope'\n\n"
        b"    def answer(self):\n        return TopicEventResponse(self.status)\n",
        "DPR403",
    ),
}


@pytest.mark.parametrize("name", sorted(CALLED_CLOSED))
def test_called_classes_close(name, monkeypatch):
    assert_closes_clean(CALLED_CLOSED[name], monkeypatch)


@pytest.mark.parametrize("name", sorted(CALLED_OPEN))
def test_called_classes_a_rule_keys_on_open(name, monkeypatch):
    assert_opens_for(*CALLED_OPEN[name], monkeypatch)


@pytest.mark.parametrize("name", sorted(CLOSED))
def test_value_shapes_close(name, monkeypatch):
    summary = assert_closes_clean(CLOSED[name], monkeypatch)
    assert summary.uses_dapr and summary.imports["StateResponse"] == "dapr.clients.grpc._response.StateResponse"


@pytest.mark.parametrize("name", sorted(OPEN))
def test_value_shapes_a_rule_keys_on_open(name, monkeypatch):
    assert_opens_for(*OPEN[name], monkeypatch)


# GetMetadataResponse.mcp_servers is new in 1.18.0; BulkPublishResponse is new in 1.17.1 as a whole (its import
# fails before: DPR108 says nothing of its members)
_PINNED = _IMPORT + b"\n\ndef f(meta: GetMetadataResponse):\n    return meta.mcp_servers\n"


def test_a_member_the_pinned_releases_lack_opens(monkeypatch):
    old = SdkPin("1.16.0", "1.19.0", "requirements.txt:1")
    assert gate.first_pass(_PINNED, sdk=old)[0] is None
    assert gate.first_pass(_PINNED, sdk=unpinned())[0] is not None
    assert gate.first_pass(_PINNED, sdk=SdkPin("1.18.0", "1.19.0", "requirements.txt:1"))[0] is not None
    settings = dataclasses.replace(_everything(), sdk=old)
    full, gated = _both(Path("module.py"), _PINNED, settings, monkeypatch)
    assert gated == full and "DPR108" in {d.code for d in full[0]}
    newer = b"from dapr.clients.grpc._response import BulkPublishResponse\n\n\ndef f(r: BulkPublishResponse):\n    return r.failed_entries\n"
    assert gate.first_pass(newer, sdk=old)[0] is not None
    full, gated = _both(Path("module.py"), newer, settings, monkeypatch)
    assert gated == full and not full[0]


def test_the_value_classes_are_the_member_tables_responses():
    assert VALUE_CLASSES and all(path.startswith("dapr.clients.grpc._response.") for path in VALUE_CLASSES)


def _results_check(source: bytes) -> bool:
    """Whether ValueTypes closes a module where every call of `fetch` (or its `await`) is typed as a StateResponse
    by the `results` hook (as python/gate_clients.py would type a client method's result)."""
    import ast

    from dapr_lint.python.gate_values import Open, ValueTypes

    tree = ast.parse(source)
    walk = gate._Gate(source)
    walk.visit_body(tree.body, walk.module, None, None)

    def results(expr, scope):
        call = expr.value if isinstance(expr, ast.Await) else expr
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "fetch":
            return "dapr.clients.grpc._response.StateResponse"
        return None

    try:
        ValueTypes(walk, tree, unpinned(), results).check([], walk.chains)
    except Open:
        return False
    return True


def test_another_familys_results_are_read_as_value_instances():
    assert _results_check(b"def f():\n    resp = fetch()\n    print(resp.data, resp.etag)\n    fetch().text()\n")
    assert _results_check(b"async def f():\n    resp = await fetch()\n    return resp.etag\n")
    assert not _results_check(b"def f():\n    resp = fetch()\n    return resp.value\n")  # DPR108
    assert not _results_check(b"def f():\n    return fetch().json()\n")  # DPR205
    assert not _results_check(b"import json\n\n\nasync def f():\n    resp = await fetch()\n    return json.loads(resp.data)\n")
    assert _results_check(b"def f():\n    return fetch()\n\n\ndef g():\n    return f().etag\n")  # returned, read
    assert not _results_check(b"def f():\n    return fetch()\n\n\ndef g():\n    r = f()\n    return r.value\n")


def test_json_loads_through_a_class_attribute_still_opens(monkeypatch):
    source = (
        _IMPORT + b"import json\n\n\nclass Store:\n    decode = json.loads\n\n"
        b"    def load(self, resp: StateResponse):\n        return self.decode(resp.data)\n"
    )
    assert gate.closed_summary(source) is None
    full, gated = _both(Path("module.py"), source, _everything(), monkeypatch)
    assert gated == full and "DPR205" in {d.code for d in full[0]}
    # with no json module imported, a method given the data is no decoder the model knows
    printed = _IMPORT + b"\n\nclass T:\n    def check(self, resp: StateResponse):\n        self.same(resp.data, resp.text())\n"
    assert gate.closed_summary(printed) is not None
    full, gated = _both(Path("module.py"), printed, _everything(), monkeypatch)
    assert gated == full and not full[0]


def test_a_bad_status_a_test_expects_to_raise_closes(monkeypatch):
    source = (
        b"import unittest\n\nimport pytest\nfrom dapr.clients.grpc._response import TopicEventResponse\n\n\n"
        b"class T(unittest.TestCase):\n    def test_fails(self):\n        with self.assertRaises(KeyError):\n"
        b"            TopicEventResponse('invalid')\n        with pytest.raises(ValueError):\n            TopicEventResponse(None)\n"
    )
    assert gate.closed_summary(source) is not None
    full, gated = _both(Path("test_x.py"), source, _everything(), monkeypatch)
    assert gated == full and not full[0]
    # a warning expected is no exception expected; a nested function is read in its own scope (it opens)
    for body, reported in (
        (b"with pytest.warns(UserWarning):\n    TopicEventResponse('invalid')\n", True),
        (b"with pytest.raises(KeyError):\n    def later():\n        return TopicEventResponse('invalid')\n", False),
    ):
        source = b"import pytest\nfrom dapr.clients.grpc._response import TopicEventResponse\n\n" + body
        assert gate.closed_summary(source) is None
        full, gated = _both(Path("test_x.py"), source, _everything(), monkeypatch)
        assert gated == full and ("DPR403" in {d.code for d in full[0]}) == reported


def test_a_state_responses_member_stored_opens(monkeypatch):
    """A store on a StateResponse opens (DPR205 reads what it holds); a store on an instance of another class,
    or a store that is not a plain assignment's target, is read where it stands."""
    from test_gate import assert_opens

    stored = _IMPORT + b"\n\ndef f():\n    resp = StateResponse(data=b'{}')\n    resp.data = b''\n    return resp.json()\n"
    assert_opens(stored, monkeypatch)
    augmented = _IMPORT + b"\n\ndef f(resp: InvokeMethodResponse):\n    resp.headers += (('a', 'b'),)\n"
    assert_opens(augmented, monkeypatch)


@pytest.mark.parametrize(
    "use",
    [
        b"        return loop.run_until_complete(self.make_async(x))\n",  # a runner's entry (python/model/handlers.py)
        b"        awaitable = self.make_async(x)\n        awaitable = None\n        return loop.run_until_complete(awaitable)\n",
        b"        awaitable = self.make_async(x)\n        return awaitable\n",
        b"        awaitable = self.make_async(x)\n        return loop.run_until_complete(*[awaitable])\n",
    ],
)
def test_a_coroutine_held_otherwise_opens(use, monkeypatch):
    from test_gate import assert_opens

    source = (
        _IMPORT + b"import asyncio\n\n\nclass Client:\n    async def make_async(self, x):\n"
        b"        return StateResponse(data=x)\n\n    def make(self, x):\n        loop = asyncio.new_event_loop()\n" + use
    )
    assert_opens(source, monkeypatch)
