"""The first pass's reading of Dapr clients held by a class's methods or built to be handed on
(python/gate_clients.py): a `with` block in a method of a module-level class, a sync client built outside `with`
and returned or handed to a call, and a client class named where the model types nothing by it. The shapes it
closes give what the full path gives (the summary's `classes` and `defs` entries: blocking, returns); every
variant a rule or a summary fact keys on still opens."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_gate import _both, _everything, assert_closes_clean, assert_opens

from dapr_lint.python import gate

_IMPORT = b"from dapr.clients import DaprClient\n"

CLOSED = {
    # a with block in methods, sync and aio: the sync method's classes entry blocks on the constructor
    "with blocks in methods": (
        _IMPORT + b"from dapr.aio.clients import DaprClient as AsyncDaprClient\n\n\nclass Tester:\n"
        b"    def save(self) -> None:\n        with DaprClient() as client:\n"
        b"            client.save_state('statestore', 'k', 'v')\n\n"
        b"    async def publish(self) -> None:\n        async with AsyncDaprClient() as client:\n"
        b"            await client.publish_event('pubsub', 'orders', 'x')\n"
    ),
    # a client built in a method, kept in a list and returned (tests/integration/conftest.py's shape)
    "a client built, kept and returned by a method": (
        _IMPORT + b"\n\nclass Environment:\n    def __init__(self) -> None:\n        self.clients: list[DaprClient] = []\n\n"
        b"    def start(self, port: int) -> DaprClient:\n        client = DaprClient(address=f'127.0.0.1:{port}')\n"
        b"        self.clients.append(client)\n        return client\n\n"
        b"    def cleanup(self) -> None:\n        for client in self.clients:\n            client.close()\n"
    ),
    # a factory returning a client as built, with names typing nothing (a subscript, a return annotation)
    "a factory returning a client": (
        _IMPORT + b"from typing import Callable, Optional\n\nFactory = Callable[[], DaprClient]\n\n\n"
        b"def make() -> DaprClient:\n    return DaprClient('localhost:50001')\n\n\n"
        b"def pool(n: int) -> 'list[DaprClient]':\n    return []\n\n\n"
        b"def maybe(flag) -> Optional[list[DaprClient]]:\n    if flag:\n        return None\n    return None\n"
    ),
    # bound to a name handed to a call by keyword, with a bare `return` the model does not record
    "a client handed on by keyword": (
        _IMPORT + b"\n\ndef register(registry, flag) -> None:\n    client = DaprClient()\n    if flag:\n        return\n"
        b"    registry.add(name='dapr', value=client)\n    return client\n"
    ),
    # defs and methods calling a holder, a few calls deep: their entries are the holder's (summary_blocking
    # `_blocking`), each call a statement of its own the model resolves as this pass does
    "calls of a holder, a few calls deep": (
        _IMPORT + b"\n\nclass Tester:\n    def save(self) -> None:\n        with DaprClient() as client:\n"
        b"            client.save_state('s', 'k', 'v')\n\n    def load(self) -> None:\n        with DaprClient() as client:\n"
        b"            client.get_state('s', 'k')\n\n    def run(self) -> int:\n        self.save()\n        done = self.load()\n"
        b"        return done\n\n    async def later(self) -> None:\n        pass\n\n\ndef helper():\n    t = Tester()\n    t.run()\n\n\n"
        b"def main():\n    helper()\n    print('done')\n\n\nif __name__ == '__main__':\n    main()\n    Tester().run()\n"
    ),
    # the conversation methods: any argument, their result (typed as nothing) kept and read
    "conversation calls": (
        _IMPORT + b"from dapr.aio.clients import DaprClient as AsyncDaprClient\nfrom dapr.clients.grpc import conversation\n\n\n"
        b"def show(response: conversation.ConversationResponseAlpha2) -> None:\n    print(response.outputs)\n\n\n"
        b"class Tester:\n    def ask(self, provider: str) -> None:\n        with DaprClient() as client:\n"
        b"            inputs = [conversation.ConversationInputAlpha2(messages=[])]\n"
        b"            response = client.converse_alpha2(name=provider, inputs=inputs, tools=[], parameters={'max_tokens': 5}, temperature=1)\n"
        b"            show(response)\n\n    async def ask_async(self) -> None:\n        async with AsyncDaprClient() as client:\n"
        b"            response = await client.converse_alpha1('echo', [conversation.ConversationInput(content='hi')])\n"
        b"            for output in response.outputs:\n                print(output.result)\n"
    ),
    # a conversation call's Dapr metadata (no rule reads it), texts made by `str(...)`, comment lines before calls
    "metadata, str() and comments": (
        _IMPORT + b"\nSTORE = 'statestore'\n\n\ndef main():\n    with DaprClient() as d:\n        for i in range(3):\n"
        b"            order_id = str(i)\n            # save it\n            # (then read it back)\n"
        b"            d.save_state(STORE, order_id, str({'id': i}))\n"
        b"            d.converse_alpha1(name='echo', inputs=[], metadata={'cacheTTL': 10})\n"
    ),
    # a client parameter typed by its annotation, read as a receiver only; untyped parameters as arguments; a
    # holder called by a lambda; a call on a client written before its `with` block, the def's first use
    "client parameters": (
        _IMPORT + b"\nSTORE = 'statestore'\n\n\ndef fetch(client: DaprClient, key: str) -> bytes:\n"
        b"    return client.get_state(store_name=STORE, key=key).data\n\n\nclass Saver:\n"
        b"    def save(self, client: DaprClient, key, value: str) -> None:\n        client.save_state(STORE, key, value)\n\n\n"
        b"def poll(wait, key):\n    wait(lambda: fetch(key=key))\n\n\n"
        b"def first(flag):\n    if flag:\n        client.save_state('s', 'k', 'v')\n    with DaprClient() as client:\n        pass\n"
    ),
}


@pytest.mark.parametrize("name", sorted(CLOSED))
def test_held_client_shapes_close_with_the_full_ways_summary(name, monkeypatch):
    assert_closes_clean(CLOSED[name], monkeypatch)


def test_the_summary_entries_of_held_clients(monkeypatch):
    """The blocking and returns entries, by the first pass, of methods and defs (each equal to the full way's:
    `assert_closes_clean`)."""
    methods = assert_closes_clean(CLOSED["with blocks in methods"], monkeypatch).classes["Tester"]
    assert (methods["save"].blocking, methods["publish"].blocking) == ("DaprClient()", None)
    kept = assert_closes_clean(CLOSED["a client built, kept and returned by a method"], monkeypatch).classes["Environment"]
    assert (kept["start"].blocking, kept["start"].returns) == ("DaprClient()", "dapr.clients.DaprClient")
    assert (kept["cleanup"].blocking, kept["__init__"].returns) == (None, None)
    factory = assert_closes_clean(CLOSED["a factory returning a client"], monkeypatch).defs
    assert (factory["make"].blocking, factory["make"].returns, factory["pool"].returns) == (
        "DaprClient()", "dapr.clients.DaprClient", None,
    )
    params = assert_closes_clean(CLOSED["client parameters"], monkeypatch)
    assert (params.defs["fetch"].blocking, params.classes["Saver"]["save"].blocking) == (
        "client.get_state(...)", "client.save_state(...)",
    )
    assert (params.defs["poll"].blocking, params.defs["first"].blocking) == (None, "client.save_state(...)")
    handed = assert_closes_clean(CLOSED["a client handed on by keyword"], monkeypatch).defs["register"]
    assert (handed.blocking, handed.returns) == ("DaprClient()", "dapr.clients.DaprClient")
    deep = assert_closes_clean(CLOSED["calls of a holder, a few calls deep"], monkeypatch)
    assert [deep.classes["Tester"][m].blocking for m in ("save", "load", "run", "later")] == ["DaprClient()"] * 3 + [None]
    assert (deep.defs["helper"].blocking, deep.defs["main"].blocking) == ("DaprClient()", "DaprClient()")


_METHOD = _IMPORT + b"\n\nclass Tester:\n    def save(self) -> None:\n        with DaprClient() as client:\n            client.save_state('s', 'k', 'v')\n"
_MAIN = _IMPORT + b"\n\ndef main():\n    with DaprClient() as client:\n        client.save_state('s', 'k', 'v')\n"
_MAKE = _IMPORT + b"\n\ndef make():\n    client = DaprClient()\n    return client\n"

# Each variant a rule or a summary fact keys on: it opens, and the full way finds it (a code) or fills the fact
# (`defs`, `classes`: a blocking or returns entry the first pass does not build).
OPENED = {
    "a coroutine calling a method holding a sync client (DPR101)": (
        _METHOD + b"\n    async def handle(self) -> None:\n        self.save()\n", "DPR101",
    ),
    "a holder called inside another call (summary: the caller's blocking entry)": (
        _METHOD + b"\n    def outer(self) -> None:\n        print(self.save())\n", "classes",
    ),
    "a holder called by a subclass (summary: the caller's blocking entry)": (
        _METHOD + b"\n\nclass Sub(Tester):\n    def outer(self) -> None:\n        self.save()\n", "classes",
    ),
    "a holder called by a nested def (no entry of its own)": (
        _METHOD + b"\n    def outer(self) -> None:\n        def inner():\n            self.save()\n        return inner\n", None,
    ),
    "a holder called by a generator (no entry of its own)": (
        _METHOD + b"\n    def outer(self):\n        self.save()\n        yield 1\n", None,
    ),
    "a holder read, not called (summary: where it is called)": (
        _METHOD + b"\n    def outer(self) -> None:\n        f = self.save\n        f()\n", "classes",
    ),
    "calls of a holder in a cycle (summary: the callers' blocking entries)": (
        _MAIN + b"\n\ndef a():\n    b()\n\n\ndef b():\n    a()\n    main()\n", "defs",
    ),
    "calls of a holder 4 calls deep (summary: the callers' blocking entries)": (
        _MAIN + b"\n\ndef f1():\n    f2()\n\n\ndef f2():\n    f3()\n\n\ndef f3():\n    f4()\n\n\ndef f4():\n    main()\n", "defs",
    ),
    "a def calling holders of two callees (summary: the first it calls)": (
        _MAIN + b"from dapr import clients\n\n\ndef other():\n    with clients.DaprClient() as c:\n        c.get_state('s', 'k')\n\n\n"
        b"def both():\n    main()\n    other()\n", "defs",
    ),
    "a client parameter handed on (summary: where it is used)": (
        _IMPORT + b"\n\ndef fetch(client: DaprClient):\n    return client\n", None,
    ),
    "a client parameter in a coroutine (DPR101)": (
        _IMPORT + b"\n\nasync def fetch(client: DaprClient):\n    client.get_state('s', 'k')\n", "DPR101",
    ),
    "a client parameter of a coroutine's helper (DPR101)": (
        _IMPORT + b"\n\ndef fetch(client: DaprClient):\n    client.get_state('s', 'k')\n\n\n"
        b"async def main(client: DaprClient):\n    fetch(client)\n", "DPR101",
    ),
    "a method's first parameter annotated as a client (the model's self)": (
        _IMPORT + b"\n\nclass Saver:\n    def save(client: DaprClient):\n        client.save_state('s', 'k', 'v')\n", None,
    ),
    "a parameter annotated with a class of the module (DPR201)": (
        _IMPORT + b"\n\nclass Order(dict):\n    pass\n\n\ndef save(client: DaprClient, order: Order):\n"
        b"    client.save_state('s', 'k', order)\n", None,
    ),
    "a holder a lambda returns (summary: where it is called)": (
        _MAKE + b"\n\nf = lambda: make()\n", None,
    ),
    "a local str (DPR201)": (
        _IMPORT + b"\n\ndef str(x):\n    return {'x': x}\n\n\ndef main():\n    with DaprClient() as d:\n"
        b"        d.save_state('s', 'k', str(1))\n", "DPR201",
    ),
    "a call parenthesized across a comment (summary: the span of its component)": (
        _IMPORT + b"\n\ndef main():\n    with DaprClient() as d:\n        (\n            # save it\n"
        b"            d.save_state('s', 'k', 'v')\n        )\n", "components",
    ),
    "a comment line with a quote before a call (summary: the span of its component)": (
        _IMPORT + b"\n\ndef main():\n    with DaprClient() as d:\n        # don't wait\n        d.save_state('s', 'k', 'v')\n",
        "components",
    ),
    "a conversation call awaited on the sync client (DPR103)": (
        _IMPORT + b"\n\nasync def ask():\n    with DaprClient() as client:\n        await client.converse_alpha2('echo', [])\n", "DPR103",
    ),
    "a conversation keyword the SDK lacks (DPR108)": (
        _IMPORT + b"\n\ndef ask():\n    with DaprClient() as client:\n        client.converse_alpha2('echo', [], nonsense=1)\n", "DPR108",
    ),
    "a method of a nested class (summary: no entry)": (
        _IMPORT + b"\n\nclass Outer:\n    class Inner:\n        def save(self) -> None:\n            with DaprClient() as client:\n"
        b"                client.save_state('s', 'k', 'v')\n", None,
    ),
    "a property building a client (summary: its returned client)": (
        _IMPORT + b"\n\nclass Holder:\n    @property\n    def client(self):\n        return DaprClient()\n", "classes",
    ),
    "a returned client used at module level (DPR201)": (
        _MAKE + b"\n\nc = make()\nc.save_state('s', 'k', {'a': 1})\n", "DPR201",
    ),
    "a returned client used by another def (DPR201)": (
        _MAKE + b"\n\ndef use():\n    make().save_state('s', 'k', {'a': 1})\n", "DPR201",
    ),
    "a client built and never read (DPR106)": (_IMPORT + b"\n\ndef make():\n    client = DaprClient()\n", "DPR106"),
    "a client built, called and closed (DPR106 silent, summary: components)": (
        _IMPORT + b"\n\ndef make():\n    client = DaprClient()\n    client.save_state('s', 'k', 'v')\n    client.close()\n", "components",
    ),
    "a client called and returned (summary: components)": (
        _IMPORT + b"\n\ndef make():\n    client = DaprClient()\n    client.save_state('s', 'k', 'v')\n    return client\n", "components",
    ),
    "a client built in a coroutine (DPR101)": (
        _IMPORT + b"\n\nasync def make():\n    client = DaprClient()\n    return client\n", "DPR101",
    ),
    "an aio client built outside async with (summary: practices)": (
        b"from dapr.aio.clients import DaprClient\n\n\nasync def make():\n    client = DaprClient()\n    return client\n", None,
    ),
    "an Optional client parameter (DPR201)": (
        _IMPORT + b"from typing import Optional\n\n\ndef save(c: Optional[DaprClient]):\n    c.save_state('s', 'k', {'a': 1})\n",
        "DPR201",
    ),
    "a client kept in an attribute (summary: its held client)": (
        _IMPORT + b"\n\nclass Holder:\n    def __init__(self):\n        self.client = DaprClient()\n", "classes",
    ),
    "a client bound in a global (DPR106 silent, a module-level client)": (
        _IMPORT + b"\nclient = None\n\n\ndef make():\n    global client\n    client = DaprClient()\n    return client\n", None,
    ),
}


@pytest.mark.parametrize("name", sorted(OPENED))
def test_held_client_shapes_a_rule_keys_on_still_open(name, monkeypatch):
    source, code = OPENED[name]
    full = assert_opens(source, monkeypatch)
    if code is None:
        return
    if code.startswith("DPR"):
        assert code in {d.code for d in full[0]}
    elif code == "classes":
        assert any(d.blocking or d.returns for members in full[1].classes.values() for d in members.values())
    else:
        assert getattr(full[1], code), f"the summary's {code} is empty: the shape proves nothing"


def test_the_first_pass_and_the_full_way_agree_on_every_held_shape(monkeypatch):
    for source in [*CLOSED.values(), *(source for source, _code in OPENED.values())]:
        full, gated = _both(Path("module.py"), source, _everything(), monkeypatch)
        assert gated == full
    assert gate.closed_summary(_MAKE) is not None
