"""Fixed actor code runs: each fixable actor rule's fix is applied to a small actor program, which is registered with
the SDK's real `ActorRuntime` and dispatched to as the sidecar would (`ActorRuntime.dispatch`, `fire_timer`,
`fire_reminder`). The sidecar's side of the actor client (state, timers, reminders) is an in-memory stand-in: no
network, no daprd. Before the fix the program fails the way the rule's page says; after it, it does what the page
promises."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import textwrap

import pytest

pytest.importorskip("dapr.actor")

from dapr.actor import ActorRuntime  # noqa: E402
from dapr.clients.base import DaprActorClientBase  # noqa: E402

from dapr_lint import registry  # noqa: E402
from dapr_lint.config import OPTIONS  # noqa: E402
from dapr_lint.engine.fixes import fix_python  # noqa: E402
from dapr_lint.settings import Settings  # noqa: E402

pytestmark = pytest.mark.slow  # executes fixed programs: out of the fast loop (`pytest -m "not slow"`)

SETTINGS = Settings(
    enabled=frozenset(registry.codes()),
    options={k: v.default for k, v in OPTIONS.items()},
    fix_mode="fix",
    unsafe_fixes=True,
)


class SidecarState(DaprActorClientBase):
    """The sidecar's actor API as the runtime's actor client sees it: state in a dict, timers and reminders
    recorded."""

    def __init__(self) -> None:
        self.state: dict[tuple[str, str, str], bytes] = {}
        self.timers: list[tuple[str, str, str, bytes]] = []

    async def invoke_method(self, actor_type, actor_id, method, data=None):
        raise AssertionError("no actor-to-actor call expected")

    async def save_state_transactionally(self, actor_type, actor_id, data):
        for op in json.loads(data):
            key = (actor_type, actor_id, op["request"]["key"])
            if op["operation"] == "upsert":
                self.state[key] = json.dumps(op["request"]["value"]).encode()
            else:
                self.state.pop(key, None)

    async def get_state(self, actor_type, actor_id, name):
        return self.state.get((actor_type, actor_id, name), b"")

    async def register_reminder(self, actor_type, actor_id, name, data):
        pass

    async def unregister_reminder(self, actor_type, actor_id, name):
        pass

    async def register_timer(self, actor_type, actor_id, name, data):
        self.timers.append((actor_type, actor_id, name, data))

    async def unregister_timer(self, actor_type, actor_id, name):
        pass


def _fixed(source: str, code: str) -> str:
    outcome = fix_python("program.py", textwrap.dedent(source).encode(), SETTINGS)
    assert code in outcome.applied, (code, outcome.applied, outcome.problems, outcome.refused)
    return outcome.data.decode()


def _load(tmp_path, source: str, name: str):
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _dispatch(actor_class, method: str, body: bytes = b"") -> tuple[bytes, SidecarState]:
    """Register the class with the real runtime (the sidecar stand-in as its client) and call one method."""
    sidecar = SidecarState()

    async def run() -> bytes:
        await ActorRuntime.register_actor(actor_class, actor_client=sidecar)
        return await ActorRuntime.dispatch(actor_class.__name__, "a1", method, body)

    return asyncio.run(run()), sidecar


# DPR801: a plain `def` implementing an interface method: the runtime awaits what it returns.
SYNC_METHOD = """
from dapr.actor import Actor, ActorInterface, actormethod


class CartInterface(ActorInterface):
    @actormethod(name="GetItems")
    async def get_items(self) -> list: ...


class CartActor(Actor, CartInterface):
    def get_items(self) -> list:
        return ["apple"]
"""


def test_dpr801_the_fixed_method_is_awaited_by_the_runtime(tmp_path):
    before = _load(tmp_path, SYNC_METHOD, "before801")
    with pytest.raises(TypeError, match="can't be used in 'await' expression"):
        _dispatch(before.CartActor, "GetItems")
    after = _load(tmp_path, _fixed(SYNC_METHOD, "DPR801"), "after801")
    assert _dispatch(after.CartActor, "GetItems")[0] == b'["apple"]'


# DPR803: `@actormethod()` registers the method under the key None; named, it is dispatched by that name.
UNNAMED = """
from dapr.actor import Actor, ActorInterface, actormethod


class CartInterface(ActorInterface):
    @actormethod()
    async def get_items(self) -> list: ...


class CartActor(Actor, CartInterface):
    async def get_items(self) -> list:
        return ["apple"]
"""


def test_dpr803_the_fixed_method_is_reachable(tmp_path):
    from dapr.actor import ActorMethodNotFoundError

    before = _load(tmp_path, UNNAMED, "before803")
    with pytest.raises(ActorMethodNotFoundError):
        _dispatch(before.CartActor, "get_items")
    after = _load(tmp_path, _fixed(UNNAMED, "DPR803"), "after803")
    assert _dispatch(after.CartActor, "get_items")[0] == b'["apple"]'


# DPR806: `get_state` raises KeyError for a missing key; with `try_get_state` the `None` branch initialises it.
COUNTER = """
from dapr.actor import Actor, ActorInterface, actormethod


class CounterInterface(ActorInterface):
    @actormethod(name="Increment")
    async def increment(self) -> int: ...


class CounterActor(Actor, CounterInterface):
    async def increment(self) -> int:
        count = await self._state_manager.get_state("count")
        if count is None:
            count = 0
        await self._state_manager.set_state("count", count + 1)
        return count + 1
"""


def test_dpr806_the_fixed_actor_initialises_missing_state(tmp_path):
    before = _load(tmp_path, COUNTER, "before806")
    with pytest.raises(KeyError, match="count"):
        _dispatch(before.CounterActor, "Increment")
    after = _load(tmp_path, _fixed(COUNTER, "DPR806"), "after806")
    result, sidecar = _dispatch(after.CounterActor, "Increment")
    assert result == b"1"
    assert sidecar.state[("CounterActor", "a1", "count")] == b"1"


# DPR809: the proxy resolves `proxy.<name>` by the actor-method name; by the Python name it raises AttributeError.
# The fixed call goes through the proxy to the (stand-in) sidecar's invoke endpoint under the actor-method name.
PROXY_CALL = """
from dapr.actor import ActorId, ActorInterface, ActorProxy, actormethod


class CartInterface(ActorInterface):
    @actormethod(name="AddItem")
    async def add_item(self, item: dict) -> None: ...


async def add(factory, cart_id: str, item: dict) -> None:
    proxy = ActorProxy.create("CartActor", ActorId(cart_id), CartInterface, factory)
    await proxy.add_item(item)
"""


class _RecordingFactory:
    """An ActorProxyFactory whose client records the invocations the proxy sends (no sidecar)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str, bytes]] = []

    def create(self, actor_type, actor_id, actor_interface=None):
        from dapr.actor import ActorProxy
        from dapr.serializers import DefaultJSONSerializer

        factory = self

        class Client(SidecarState):
            async def invoke_method(self, actor_type, actor_id, method, data=None):
                factory.sent.append((actor_type, actor_id, method, data))
                return b"null"

        return ActorProxy(Client(), actor_type, actor_id, actor_interface, DefaultJSONSerializer())


def test_dpr809_the_fixed_proxy_call_reaches_the_actor_method(tmp_path):
    before = _load(tmp_path, PROXY_CALL, "before809")
    factory = _RecordingFactory()
    with pytest.raises(AttributeError, match="has no attribute add_item"):
        asyncio.run(before.add(factory, "c1", {"sku": "a"}))
    after = _load(tmp_path, _fixed(PROXY_CALL, "DPR809"), "after809")
    asyncio.run(after.add(factory, "c1", {"sku": "a"}))
    assert factory.sent == [("CartActor", "c1", "AddItem", b'{"sku":"a"}')]


# DPR104 on the actor coroutines: `set_state` without `await` changes nothing (Python only warns when the coroutine
# is collected); awaited, the state reaches the sidecar when the runtime saves it after the call.
UNAWAITED_STATE = """
from dapr.actor import Actor, ActorInterface, actormethod


class CounterInterface(ActorInterface):
    @actormethod(name="Reset")
    async def reset(self) -> None: ...


class CounterActor(Actor, CounterInterface):
    async def reset(self) -> None:
        self._state_manager.set_state("count", 0)
"""


def test_dpr104_the_fixed_actor_saves_its_state(tmp_path):
    import gc
    import warnings

    before = _load(tmp_path, UNAWAITED_STATE, "before104a")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _result, sidecar = _dispatch(before.CounterActor, "Reset")
        gc.collect()
    assert sidecar.state == {}
    assert any("was never awaited" in str(w.message) for w in caught)
    after = _load(tmp_path, _fixed(UNAWAITED_STATE, "DPR104"), "after104a")
    _result, sidecar = _dispatch(after.CounterActor, "Reset")
    assert sidecar.state == {("CounterActor", "a1", "count"): b"0"}
