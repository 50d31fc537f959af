"""A sync client class annotating a parameter the model ends up knowing nothing of (python/gate_clients.py
`_held_for_both`, python/model/clients.py `dual_use`: the SDK's own TryLockResponse): the shape closes with what the
full path gives, and each condition it rests on, broken, opens."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_gate import _both, _everything, assert_closes_clean, assert_opens, assert_opens_for

from dapr_lint.python import gate

_HEAD = (
    b"from __future__ import annotations\n\nimport contextlib\nfrom typing import TYPE_CHECKING\n\n"
    b"if TYPE_CHECKING:\n    from dapr.clients.grpc.client import DaprGrpcClient\n\n\n"
)
_INIT = (
    b"class Lock(contextlib.AbstractContextManager):\n"
    b"    def __init__(self, success: bool, client: DaprGrpcClient, store_name: str):\n"
    b"        self._success = success\n        self._client = client\n        self._store_name = store_name\n\n"
)
_EXIT = b"    def __exit__(self, *exc) -> None:\n        if self._success:\n            self._client.unlock(self._store_name, 'r', 'o')\n\n"
_AEXIT = (
    b"    async def __aexit__(self, *exc) -> None:\n        if self._success:\n"
    b"            await self._client.unlock(self._store_name, 'r', 'o')\n\n"
)
_AENTER = b"    async def __aenter__(self) -> 'Lock':\n        return self\n"
SHAPE = _HEAD + _INIT + _EXIT + _AEXIT + _AENTER


def test_a_client_held_for_both_clients_closes(monkeypatch):
    summary = assert_closes_clean(SHAPE, monkeypatch)
    assert summary.components == () and set(summary.classes["Lock"]) == {"__init__", "__exit__", "__aexit__", "__aenter__"}
    # a subclass reads the member through the class, named as its base
    sub = SHAPE + b"\n\nclass Sub(Lock):\n    def release(self):\n        self._client.unlock(self._store_name, 'r', 'o')\n"
    assert_closes_clean(sub, monkeypatch)


OPEN = {
    # no call on the member awaited: the model knows the member as the sync client
    "no await on the member (DPR101)": (
        _HEAD + _INIT + _EXIT + b"    async def __aexit__(self, *exc) -> None:\n        self._client.unlock(self._store_name, 'r', 'o')\n",
        "DPR101",
    ),
    # the parameter read as the client itself: the summary's blocking entry of the method
    "the parameter read again": (
        SHAPE.replace(b"        self._client = client\n", b"        self._client = client\n        client.unlock('s', 'r', 'o')\n"),
        None,
    ),
}


@pytest.mark.parametrize("name", sorted(OPEN))
def test_what_the_shape_rests_on_opens(name, monkeypatch):
    source, code = OPEN[name]
    if code is None:
        full = assert_opens(source, monkeypatch)
        assert full[1].classes["Lock"]["__init__"].blocking == "client.unlock(...)"
    else:
        assert_opens_for(source, code, monkeypatch)


OPENED = {
    "the class built here (which client it is given is read)": SHAPE + b"\n\ndef make(client):\n    return Lock(True, client, 's')\n",
    "the class aliased": SHAPE + b"\n\nMAKE = Lock\n",
    "the member stored again": SHAPE + b"\n\ndef reset(lock):\n    lock._client = None\n",
    "a name of the member bound": SHAPE + b"\n\n_client = None\n",
    "a method of the member's name": SHAPE + b"\n\nclass Other:\n    def _client(self):\n        return 1\n",
    "the parameter first (the model's self)": SHAPE.replace(
        b"def __init__(self, success: bool, client: DaprGrpcClient, store_name: str)",
        b"def __init__(client: DaprGrpcClient, self, success, store_name)",
    ),
    "the member stored through another name": SHAPE.replace(b"        self._client = client\n", b"        other = self\n        other._client = client\n"),
    "the await on another object's member": SHAPE.replace(b"await self._client.unlock", b"await exc._client.unlock"),
    "the awaiting method decorated": SHAPE.replace(b"    async def __aexit__", b"    @staticmethod\n    async def __aexit__"),
    "the aio client": SHAPE.replace(b"from dapr.clients.grpc.client import DaprGrpcClient", b"from dapr.aio.clients import DaprClient as DaprGrpcClient"),
    "the parameter named again in a string annotation": SHAPE.replace(
        b"        self._client = client\n", b"        self._client = client\n        held: 'client' = None\n"
    ),
}


@pytest.mark.parametrize("name", sorted(OPENED))
def test_each_condition_broken_opens(name, monkeypatch):
    """Each opens (and the gated run equals the full one); what the full path makes of the client then differs
    in some, not all (opening is the safe side where this pass cannot tell)."""
    source = OPENED[name]
    assert gate.closed_summary(source) is None
    full, gated = _both(Path("module.py"), source, _everything(), monkeypatch)
    assert gated == full
