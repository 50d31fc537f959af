"""A client class of the module's own (python/gate_defines.py: `class DaprClient(DaprGrpcClient)`, the SDK's
`dapr/clients/__init__.py`): the shape closes with what the full path gives, and every read of its instance a
rule keys on opens."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_gate import _both, _everything, assert_closes_clean, assert_opens_for

from dapr_lint.python import gate, gate_defines

_SYNC = (
    b"from typing import Optional\n\nfrom dapr.clients.grpc.client import DaprGrpcClient\n"
    b"from dapr.clients.http.dapr_invocation_http_client import DaprInvocationHttpClient\n\n\n"
    b"class DaprClient(DaprGrpcClient):\n"
    b"    def __init__(self, address: Optional[str] = None):\n        super().__init__(address)\n"
    b"        self.invocation_client = None\n        if address:\n"
    b"            self.invocation_client = DaprInvocationHttpClient(timeout=5)\n\n"
    b"    def invoke_method(self, app_id: str, method_name: str, data=''):\n        if self.invocation_client:\n"
    b"            return self.invocation_client.invoke_method(app_id, method_name, data)\n"
    b"        return super().invoke_method(app_id, method_name, data)\n\n"
    b"    async def invoke_method_async(self, app_id, method_name, data):\n        if self.invocation_client:\n"
    b"            return await self.invocation_client.invoke_method_async(app_id, method_name, data)\n"
    b"        raise NotImplementedError('use the aio client')\n"
)
_AIO = (
    b"from dapr.aio.clients.grpc.client import DaprGrpcClientAsync\n\n\n"
    b"class DaprClient(DaprGrpcClientAsync):\n    def __init__(self, address=None):\n"
    b"        super().__init__(address)\n        self.invocation_client = None\n\n"
    b"    async def invoke_method(self, app_id, method_name, data=''):\n"
    b"        return await super().invoke_method(app_id, method_name, data)\n"
)


def test_a_client_class_of_the_modules_own_closes(monkeypatch):
    summary = assert_closes_clean(_SYNC, monkeypatch)
    assert set(summary.classes["DaprClient"]) == {"__init__", "invoke_method", "invoke_method_async"}
    assert_closes_clean(_AIO, monkeypatch)


def test_the_deprecated_members_are_those_the_rule_reads():
    from dapr_lint.python.rules.deprecations import _JOB_RENAMES

    assert gate_defines.DEPRECATED_MEMBERS == {"wait", "invoke_method_async", *_JOB_RENAMES}


OPEN = {
    "a client method called on self in a coroutine (DPR101)": (
        _SYNC + b"\n    async def load(self):\n        return self.get_state('statestore', 'k')\n",
        "DPR101",
    ),
    "an aio client method called on self with a dict to publish (DPR201)": (
        _AIO + b"\n    async def load(self):\n        await self.publish_event('pubsub', 'orders', {'a': 1})\n",
        "DPR201",
    ),
    "the class built and never closed (DPR106)": (
        _SYNC + b"\n\ndef load():\n    client = DaprClient()\n    return client.get_state('statestore', 'k').data\n",
        "DPR106",
    ),
    "a deprecated member read on self, not called (DPR109)": (
        _SYNC + b"\n    def ready(self):\n        waiter = self.wait\n        return waiter\n",
        "DPR109",
    ),
}


@pytest.mark.parametrize("name", sorted(OPEN))
def test_a_read_of_the_instance_a_rule_keys_on_opens(name, monkeypatch):
    assert_opens_for(*OPEN[name], monkeypatch)


OPENED = {
    "self returned": _SYNC + b"\n    def me(self):\n        return self\n",
    "self entered": _SYNC + b"\n    def run(self):\n        with self:\n            pass\n",
    "a method of its own called": _SYNC + b"\n    def again(self):\n        return self.invoke_method('a', 'b')\n",
    "the class annotated": _SYNC + b"\n\ndef use(client: 'DaprClient'):\n    return client\n",
    "the class subclassed": _SYNC + b"\n\nclass Mine(DaprClient):\n    pass\n",
    "a classmethod's cls built": _SYNC + b"\n    @classmethod\n    def make(cls):\n        return cls()\n",
}


@pytest.mark.parametrize("name", sorted(OPENED))
def test_each_other_read_of_the_instance_opens(name, monkeypatch):
    source = OPENED[name]
    assert gate.closed_summary(source) is None
    full, gated = _both(Path("module.py"), source, _everything(), monkeypatch)
    assert gated == full
