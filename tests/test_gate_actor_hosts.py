"""Actor hosts read by the first pass (python/gate_actors.py): a host's own `register_actor` handing its parameter
to `ActorRuntime.register_actor` (the SDK's `dapr/actor/runtime/grpc_host.py`), a host held on `self` (the SDK's
`tests/actor/test_grpc_host.py`), a host class's members. Each closing shape gives what the full path gives, its
summary's `hosts` and `registrations` included; each variant the model reads otherwise opens."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_gate import _both, _everything

from dapr_lint.python import gate, gate_actors, known
from dapr_lint.python.model.actors import ASYNC_HOSTS, SYNC_HOSTS
from dapr_lint.python.sdk_releases import unpinned
from dapr_lint.python.sdk_table import MEMBERS
from dapr_lint.summaries import Span

_OWN_REGISTER = (
    "from typing import Optional, Type\n\n"
    "from dapr.actor.runtime.actor import Actor\n"
    "from dapr.actor.runtime.runtime import ActorRuntime\n\n\n"
    "class Host:\n"
    "    async def register_actor(self, actor: Type[Actor], message_serializer=None, factory: Optional[object] = None) -> None:\n"
    "        await ActorRuntime.register_actor(\n"
    "            actor,\n"
    "            message_serializer,\n"
    "            actor_factory=factory,\n"
    "            actor_client=self._client(),\n"
    "        )\n\n"
    "    def _client(self):\n"
    "        return None\n"
)
_HELD = (
    "import unittest\n\n"
    "from dapr.actor.runtime.grpc_host import ActorGrpcHost\n\n"
    "from cart import CartActor\n\n\n"
    "class HostTests(unittest.IsolatedAsyncioTestCase):\n"
    "    def setUp(self):\n"
    "        self.host = ActorGrpcHost(address='localhost:1', app_port=0)\n\n"
    "    async def test_register(self):\n"
    "        await self.host.register_actor(CartActor)\n"
    "%s"
)

CLOSES = {
    "a host's own register_actor handing its parameter on": _OWN_REGISTER,
    "a module-level helper never called": (
        "from dapr.actor import ActorRuntime\n\n\nasync def register(cls, serializer=None) -> None:\n"
        "    await ActorRuntime.register_actor(cls, message_serializer=serializer)\n"
    ),
    "a host held on self": _HELD % "",
    "a host held on self, its register_actor not awaited": _HELD % "\n    def test_sync(self):\n        self.host.register_actor(CartActor)\n",
    "a host class's member called": _HELD % "\n    def test_port(self):\n        self.assertEqual(3, ActorGrpcHost._resolve_app_port(3))\n",
    "a local actor registered beside an imported base": (
        "import unittest\n\nfrom dapr.actor import Actor, ActorInterface, ActorGrpcHost, actormethod\n\n\n"
        "class CartInterface(ActorInterface):\n    @actormethod(name='GetItems')\n    async def get_items(self) -> list: ...\n\n\n"
        "class CartActor(Actor, CartInterface):\n    async def get_items(self) -> list:\n        return []\n\n\n"
        "class Tests(unittest.IsolatedAsyncioTestCase):\n    async def test_host(self):\n        host = ActorGrpcHost()\n"
        "        await host.register_actor(CartActor)\n"
    ),
}


def _full_and_gated(source: str, monkeypatch):
    full, gated = _both(Path("module.py"), source.encode(), _everything(), monkeypatch)
    assert gated == full
    return full


@pytest.mark.parametrize("name", sorted(CLOSES))
def test_actor_host_shapes_close_with_the_full_ways_summary(name, monkeypatch):
    source = CLOSES[name]
    assert gate.first_pass(source.encode(), sdk=unpinned())[0] is not None
    full = _full_and_gated(source, monkeypatch)
    assert not full[0], "a closed shape with findings proves nothing"


def _actors(source: str):
    summary = gate.first_pass(source.encode(), sdk=unpinned())[0]
    assert summary is not None
    return summary.actors


def test_a_parameter_registered_is_a_registration_of_no_class_and_the_modules_host():
    actors = _actors(_OWN_REGISTER)
    assert [(r.actor, r.serializer, r.span) for r in actors.registrations] == [(None, True, Span(9, 15, 14, 10))]
    assert actors.hosts == (Span(9, 15, 14, 10),)
    helper = _actors(CLOSES["a module-level helper never called"])
    assert [(r.actor, r.serializer) for r in helper.registrations] == [(None, True)]


def test_a_host_held_on_self_registers_nothing_the_model_knows():
    actors = _actors(_HELD % "")
    assert actors.registrations == ()
    assert actors.hosts == (Span(10, 21, 10, 69),)


OPENS = {
    # the helper called (through self, by name, through an alias): the model registers what each call passes
    "a host's own register_actor called through self": (
        _OWN_REGISTER + "\n    async def main(self):\n        await self.register_actor(CartActor)\n\n\nfrom cart import CartActor\n",
        "import:cart.CartActor",
    ),
    "a helper called by name": (
        CLOSES["a module-level helper never called"] + "\n\nasync def main():\n    await register(CartActor)\n\n\nfrom cart import CartActor\n",
        "import:cart.CartActor",
    ),
    "a host's own register_actor bound to a name": (
        _OWN_REGISTER + "\n    async def main(self):\n        add = self.register_actor\n        await add(CartActor)\n\n\nfrom cart import CartActor\n",
        "import:cart.CartActor",
    ),
    # a registration inside a nested function: the model's helper is no module-level function or method
    "a parameter registered in a nested function": (
        "from dapr.actor import ActorRuntime\n\n\ndef outer():\n    async def register(cls) -> None:\n"
        "        await ActorRuntime.register_actor(cls)\n    return register\n",
        None,
    ),
    # a parameter rebound: not one binding
    "a parameter rebound before its registration": (
        "from dapr.actor import ActorRuntime\n\n\nasync def register(cls) -> None:\n    cls = cls or None\n"
        "    await ActorRuntime.register_actor(cls)\n",
        None,
    ),
    # a file writing a host the model may hold (`DaprActor`), here only in a comment: the screen opens
    "a host held on self beside a DaprActor named": (_HELD % "\n# DaprActor\n", None),
}


@pytest.mark.parametrize("name", sorted(OPENS))
def test_actor_host_shapes_the_model_reads_otherwise_open(name, monkeypatch):
    source, registered = OPENS[name]
    assert gate.first_pass(source.encode(), sdk=unpinned())[0] is None
    full = _full_and_gated(source, monkeypatch)
    if registered is not None:
        assert registered in [r.actor for r in full[1].actors.registrations]


def test_a_pydantic_model_beside_a_registered_actor_opens_for_dpr810(monkeypatch):
    source = (
        "from pydantic import BaseModel\n\nfrom dapr.actor import Actor, ActorInterface, ActorRuntime, actormethod\n\n\n"
        "class Item(BaseModel):\n    sku: str\n\n\n"
        "class CartInterface(ActorInterface):\n    @actormethod(name='GetItem')\n    async def get_item(self) -> Item: ...\n\n\n"
        "class CartActor(Actor, CartInterface):\n    async def get_item(self) -> Item:\n        return Item(sku='a')\n\n\n"
        "async def main() -> None:\n    await ActorRuntime.register_actor(CartActor)\n"
    )
    assert gate.first_pass(source.encode(), sdk=unpinned())[0] is None
    full = _full_and_gated(source, monkeypatch)
    assert "DPR810" in {d.code for d in full[0]}
    assert not gate_actors._imported_class("import:pydantic.BaseModel")
    assert gate_actors._imported_class("import:unittest.TestCase")


def test_every_host_the_model_may_hold_is_named_by_a_word_of_the_screen():
    """The model holds a host as a value (`Instance`) only of a class it instantiates (known.CLIENTS,
    FRAMEWORK_CLASSES, MEMBERS) or an SDK member returns: none returns one, and each such class (or an alias of
    it) ends with a word `_HELD_HOSTS` screens for."""
    hosts = ASYNC_HOSTS | SYNC_HOSTS
    assert not [(owner, name) for owner, members in MEMBERS.items() for name, member in members.items()
                if isinstance(member, dict) and known.canonical(str(member.get("returns"))) in hosts]
    held = [path for path in [*hosts, *known.CANONICAL] if known.canonical(path) in hosts and (
        known.canonical(path) in known.CLIENTS or known.canonical(path) in known.FRAMEWORK_CLASSES
        or known.canonical(path) in MEMBERS
    )]
    assert held
    assert all(path.rsplit(".", 1)[1].encode() in gate_actors._HELD_HOSTS for path in held)
