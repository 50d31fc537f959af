"""The first pass on the shapes of the SDK's gRPC servicer and its tests (python/gate.py): an import of
`cloudevents` outside the names a rule compares. Each closes with what the full path gives; each variant a rule
keys on still opens."""

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
}

OPEN = {
    "the http CloudEvent imported (a name DPR405 compares)": (b"from cloudevents.http import CloudEvent\n", None),
    "the cloudevents pydantic module imported": (b"import cloudevents.pydantic\n", None),
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
