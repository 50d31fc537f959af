"""The first pass on the shapes of the SDK's gRPC servicer and its tests (python/gate.py, python/gate_values.py): an
import of `cloudevents` outside the names a rule compares, a type alias holding a value class in a subscript, a
topic event response given a member nothing in the file binds, a function returning a response handed on as an
argument. Each closes with what the full path gives; each variant a rule keys on still opens and is reported."""

from __future__ import annotations

import pytest
from test_gate import assert_closes_clean, assert_opens, assert_opens_for

from dapr_lint.python import gate

_RESPONSES = (
    b"from typing import Callable, Dict, List, Optional, Tuple, Union\n\n"
    b"from dapr.clients.grpc._request import InvokeMethodRequest\n"
    b"from dapr.clients.grpc._response import InvokeMethodResponse, TopicEventResponse\n"
)

CLOSED = {
    # the legacy event class: no rule, model fact or summary fact keys on `cloudevents` but the CloudEvent names
    # (rules/service.py, DPR405), which still open
    "the cloudevents sdk's event built and filled": (
        b"from cloudevents.sdk.event import v1\nimport cloudevents.sdk.event.v1 as events\n\n\n"
        b"def build(data, request):\n    event = v1.Event()\n    event.SetData(data)\n    event.SetSubject(request.topic)\n"
        b"    assert isinstance(event, events.Event)\n    return event\n"
    ),
    # a subscript holding a value class outside an annotation: the model's value of a subscript is unknown, and a
    # name bound to one types nothing where it annotates (a member the class lacks is not reported)
    "type aliases holding responses": (
        _RESPONSES
        + b"\nInvokeMethodCallable = Callable[[InvokeMethodRequest], Union[str, bytes, InvokeMethodResponse]]\n"
        b"MaybeAnswer = Optional[TopicEventResponse]\nBoth = (Optional[TopicEventResponse], List[InvokeMethodResponse])\n"
        b"Pair = InvokeMethodResponse[0], Dict[str, InvokeMethodResponse] | None\n\n\n"
        b"class Servicer:\n    def __init__(self):\n        self._map: Dict[str, InvokeMethodCallable] = {}\n"
        b"        self._routes: Dict[Tuple[str, str], InvokeMethodCallable] = {}\n\n"
        b"    def register(self, name: str, cb: InvokeMethodCallable) -> Optional[MaybeAnswer]:\n"
        b"        self._map[name] = cb\n        return None\n\n\n"
        b"def answer(resp: MaybeAnswer, other: 'InvokeMethodCallable'):\n    return resp.no_such_member, other.nothing\n"
    ),
    # a topic event response given a member no class of the file has and no dotted store binds: never a constant
    "topic event responses given a member nothing binds": (
        b"from dapr.clients.grpc._response import TopicEventResponse\nfrom dapr.proto import appcallback_v1\n\n\n"
        b"class Servicer:\n    def __init__(self):\n        self.callbacks = {}\n\n"
        b"    def on_event(self, request):\n        cb = self.callbacks.get(request.topic)\n        response = cb(request)\n"
        b"        if isinstance(response, TopicEventResponse):\n"
        b"            return appcallback_v1.TopicEventResponse(status=response.status.value)\n"
        b"        answer = TopicEventResponse(self.pick().status)\n        return answer\n\n"
        b"    def pick(self):\n        return Servicer()\n"
    ),
    # a function returning a response handed on as an argument, by position or keyword: no call of it is typed
    "a function returning a response handed on as an argument": (
        _RESPONSES
        + b"import unittest\n\n\nclass Servicer:\n    def register_method(self, name, cb):\n        self.cb = cb\n\n\n"
        b"class T(unittest.TestCase):\n    def _on_invoke(self, name, cb):\n        Servicer().register_method(name, cb)\n\n"
        b"    def test_response(self):\n        def method_cb(request: InvokeMethodRequest):\n"
        b"            return InvokeMethodResponse(data='fake_data', content_type='text/plain')\n\n"
        b"        self._on_invoke('m', method_cb)\n        Servicer().register_method(name='n', cb=method_cb)\n"
        b"        self.assertEqual('text/plain', method_cb(None).content_type)\n"
    ),
}

OPEN = {
    "the http CloudEvent imported (a name DPR405 compares)": (b"from cloudevents.http import CloudEvent\n", None),
    "the cloudevents pydantic module imported": (b"import cloudevents.pydantic\n", None),
    "a response class aliased outside a subscript (DPR108)": (
        _RESPONSES + b"\nAnswer = InvokeMethodResponse\n\n\ndef f():\n    return Answer().no_such_member\n",
        "DPR108",
    ),
    "a response class as a list's item, outside a subscript": (
        _RESPONSES + b"\nClasses = [InvokeMethodResponse, TopicEventResponse]\n",
        None,
    ),
    # the member a status is read by is a class attribute, or stored on `self`: the model follows it to a constant
    "a status read through a member a class binds (DPR403)": (
        b"from dapr.clients.grpc._response import TopicEventResponse\n\n\nclass Status:\n    value = 'nope'\n\n\n"
        b"class Holder:\n    status = Status()\n\n\ndef answer():\n    response = Holder()\n"
        b"    return TopicEventResponse(response.status.value)\n",
        "DPR403",
    ),
    "a status read through a member a method stores (DPR403)": (
        b"from dapr.clients.grpc._response import TopicEventResponse\n\n\nclass Holder:\n    def __init__(self):\n"
        b"        self.value = 'nope'\n\n\ndef answer():\n    return TopicEventResponse(Holder().value)\n",
        "DPR403",
    ),
    "a status read through a dotted module binding (DPR403)": (
        b"import types\nfrom dapr.clients.grpc._response import TopicEventResponse\n\nconfig = types.SimpleNamespace()\n"
        b"config.value = 'nope'\n\n\ndef answer():\n    return TopicEventResponse(config.value)\n",
        "DPR403",
    ),
    # a function returning a response, handed on where a call of it is typed
    "a function returning a response, stored on self and called (DPR108)": (
        _RESPONSES + b"\n\ndef make():\n    return InvokeMethodResponse()\n\n\nclass H:\n    def __init__(self):\n"
        b"        self.cb = make\n\n    def f(self):\n        return self.cb().no_such_member\n",
        "DPR108",
    ),
    "a function returning a response, handed on and called (DPR108)": (
        _RESPONSES + b"\n\ndef make():\n    return InvokeMethodResponse()\n\n\ndef f(register):\n    register(make)\n"
        b"    return make().no_such_member\n",
        "DPR108",
    ),
    "a function returning a response, starred into a call": (
        _RESPONSES + b"\n\ndef make():\n    return InvokeMethodResponse()\n\n\ndef f(register):\n    register(*make)\n",
        None,
    ),
}


@pytest.mark.parametrize("name", sorted(CLOSED))
def test_servicer_shapes_close(name, monkeypatch):
    assert_closes_clean(CLOSED[name], monkeypatch)


@pytest.mark.parametrize("name", sorted(OPEN))
def test_servicer_shapes_a_rule_keys_on_open(name, monkeypatch):
    source, code = OPEN[name]
    if code is None:
        assert_opens(source, monkeypatch)
    else:
        assert_opens_for(source, code, monkeypatch)


def test_cloudevents_is_no_anchor_and_no_screen_word():
    """An import of the cloudevents sdk neither opens the walk nor skips it: no rule, model fact or summary fact
    asks `imports_module("cloudevents")`; the names compared are in NAMES."""
    assert "cloudevents" not in gate.ANCHOR_ROOTS
    assert not gate._surely_open(b"from cloudevents.sdk.event import v1\n")
    assert not gate._surely_open(b"import cloudevents\n")
