"""The first pass's reading of the SDK's value classes (python/gate_values.py): the shapes it closes give what the
full path gives, and every shape a rule keys on still opens (or gives the same findings)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from test_gate import _both, _everything

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
    # what the model types through flows this pass does not follow: each reaches DPR108
    "an instance returned by a local function (DPR108)": (
        _IMPORT + b"\n\ndef make():\n    return StateResponse(data=b'x')\n\n\ndef f():\n    return make().value\n",
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


@pytest.mark.parametrize("name", sorted(CLOSED))
def test_value_shapes_close(name, monkeypatch):
    source = CLOSED[name]
    summary = gate.closed_summary(source)
    assert summary is not None
    assert summary.uses_dapr and summary.imports["StateResponse"] == "dapr.clients.grpc._response.StateResponse"
    full, gated = _both(Path("module.py"), source, _everything(), monkeypatch)
    assert gated == full
    assert not full[0], "a closed shape with findings proves nothing"


@pytest.mark.parametrize("name", sorted(OPEN))
def test_value_shapes_a_rule_keys_on_open(name, monkeypatch):
    source, code = OPEN[name]
    assert gate.closed_summary(source) is None
    full, gated = _both(Path("module.py"), source, _everything(), monkeypatch)
    assert gated == full
    assert code in {d.code for d in full[0]}


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
