"""Conformance: the calls our "the SDK raises" rules flag really fail that way on the installed SDK.

For DPR201, DPR203 and DPR204 every flagged one-line client call of the rule's positive fixture is run
against a real `dapr.clients.DaprClient` (and the aio one for `await client.` lines). A tiny HTTP server on
loopback stands in for the sidecar's health endpoint (client construction waits for it) and records
service invocations; the gRPC port points at a closed local port, so a call that passed the SDK's validation
would fail with grpc.RpcError instead of the documented error (validation comes first).
"""

from __future__ import annotations

import asyncio
import importlib.util
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

dapr_clients = pytest.importorskip("dapr.clients")
grpc = pytest.importorskip("grpc")

from conftest import FIXTURES  # noqa: E402

PYTHON_FIXTURES = FIXTURES / "python"
_FLAGGED = re.compile(r"^\s*(?P<code>(?:await\s+)?client\.[a-z_]+\(.*\))\s*#\s*error:\s*(?P<codes>DPR\d{3}(?:\s*,\s*DPR\d{3})*)\s*$")
_ASSIGNED = re.compile(r"^\s*\w+\s*=\s*\[?(?P<code>(?:StateItem|TransactionalStateOperation)\(.*\))\]?\s*#\s*error:\s*DPR201\s*$")


class _Sidecar(BaseHTTPRequestHandler):
    """Answers the health probe with 204 and records every service invocation."""

    invocations: list = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path.startswith("/v1.0/healthz"):
            self.send_response(204)
            self.end_headers()
            return
        if self.path.startswith("/v1.0/invoke/"):
            type(self).invocations.append((self.command, self.path, body, self.headers.get("Content-Type")))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")
            return
        self.send_response(404)
        self.end_headers()

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, format, *args):  # noqa: A002 - silence the default stderr log
        return


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def _server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sidecar)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def sidecar(_server, monkeypatch):
    server = _server
    _Sidecar.invocations = []
    for name in ("DAPR_HTTP_ENDPOINT", "DAPR_GRPC_ENDPOINT", "DAPR_API_TOKEN", "DAPR_API_METHOD_INVOCATION_PROTOCOL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DAPR_RUNTIME_HOST", "127.0.0.1")
    monkeypatch.setenv("DAPR_HTTP_PORT", str(server.server_address[1]))
    monkeypatch.setenv("DAPR_GRPC_PORT", str(_closed_port()))
    monkeypatch.setenv("DAPR_HEALTH_TIMEOUT", "5")
    return _Sidecar


def _load_fixture(name: str):
    path = PYTHON_FIXTURES / name
    spec = importlib.util.spec_from_file_location(f"conformance_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # module level: imports and constants only
    return module


_SETUP = re.compile(r"^    (?P<stmt>[a-z_]+ = .*)$")


def _flagged_calls(name: str, code: str) -> list[str]:
    """The flagged one-line client calls, each prefixed by the plain assignments at the top level of its
    function that precede it (`body = {...}`), joined by newlines."""
    found = []
    setup: list[str] = []
    for line in (PYTHON_FIXTURES / name).read_text(encoding="utf-8").splitlines():
        if line.startswith(("def ", "async def ")):
            setup = []
            continue
        match = _FLAGGED.match(line)
        if match and code in re.split(r"\s*,\s*", match.group("codes")):
            found.append("\n".join(setup + [match.group("code")]))
            continue
        assignment = _SETUP.match(line)
        if assignment and "error:" not in line:
            setup.append(assignment.group("stmt"))
    return found


_LOCALS = {"order_id": "o1", "body": "b", "inputs": [], "lines": [{"sku": "a", "qty": 1}]}


def _run(module, source: str):
    """Run one fixture call with a fresh client; return the exception it raised (or None)."""
    namespace = dict(vars(module))
    namespace.update(_LOCALS)
    if "Order" in namespace:
        namespace["order"] = namespace["Order"](id="o1", total=1.0)
    *setup, call = source.split("\n")
    for statement in setup:
        exec(statement, namespace)
    if call.startswith("await "):
        aio = pytest.importorskip("dapr.aio.clients")

        async def main():
            async with aio.DaprClient() as client:
                namespace["client"] = client
                exec(compile(f"async def __call():\n    return {call}\n", "<fixture>", "exec"), namespace)
                return await namespace["__call"]()

        try:
            asyncio.run(main())
        except Exception as exc:  # noqa: BLE001 - the point is which one
            return exc
        return None
    with dapr_clients.DaprClient() as client:
        namespace["client"] = client
        try:
            eval(call, namespace)
        except Exception as exc:  # noqa: BLE001
            return exc
    return None


def _method(source: str) -> str:
    return re.search(r"client\.([a-z_]+)\(", source.split("\n")[-1]).group(1)


# -- DPR201 -------------------------------------------------------------------------------------------------

_DPR201_FIXTURE = "DPR201_payloads.py"


def test_dpr201_fixture_has_calls_to_check():
    methods = {_method(c) for c in _flagged_calls(_DPR201_FIXTURE, "DPR201")}
    assert {"save_state", "publish_event", "invoke_binding", "invoke_method"} <= methods


@pytest.mark.parametrize("call", _flagged_calls(_DPR201_FIXTURE, "DPR201"))
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_dpr201_sdk_rejects_or_mangles_the_payload(sidecar, call):
    module = _load_fixture(_DPR201_FIXTURE)
    error = _run(module, call)
    method = _method(call)
    if method == "invoke_method":
        # HTTP protocol (the default): no error, the dict arrives form-encoded under a JSON content type
        assert error is None, repr(error)
        (verb, _path, received, content_type) = sidecar.invocations[-1]
        assert received == b"id=o1"
        assert content_type.startswith("application/json")
        return
    assert not isinstance(error, grpc.RpcError), f"validation did not fire; the call reached gRPC: {error!r}"
    if method == "invoke_binding":
        assert isinstance(error, TypeError) and "invalid data type" in str(error), repr(error)
    else:
        assert isinstance(error, ValueError) and "invalid type for data" in str(error), repr(error)


def test_dpr201_payload_classes_reject_a_dict():
    module = _load_fixture(_DPR201_FIXTURE)
    lines = [
        m.group("code")
        for m in map(_ASSIGNED.match, (PYTHON_FIXTURES / _DPR201_FIXTURE).read_text(encoding="utf-8").splitlines())
        if m
    ]
    assert len(lines) == 2
    namespace = dict(vars(module), **_LOCALS)
    for code in lines:
        with pytest.raises(ValueError, match="invalid type for data"):
            eval(code, namespace)


# -- DPR203 -------------------------------------------------------------------------------------------------

_DPR203_FIXTURE = "DPR203_metadata_values.py"


def test_dpr203_fixture_has_calls_to_check():
    assert len(_flagged_calls(_DPR203_FIXTURE, "DPR203")) >= 5


@pytest.mark.parametrize("call", _flagged_calls(_DPR203_FIXTURE, "DPR203"))
def test_dpr203_protobuf_rejects_non_string_metadata(sidecar, call):
    error = _run(_load_fixture(_DPR203_FIXTURE), call)
    # The wording comes from the protobuf build; the type does not.
    assert isinstance(error, TypeError), repr(error)


def test_dpr203_state_item_metadata_fails_on_save(sidecar):
    from dapr.clients.grpc._state import StateItem

    with dapr_clients.DaprClient() as client:
        with pytest.raises(TypeError):
            client.save_bulk_state("statestore", [StateItem("k", "v", metadata={"ttlInSeconds": 60})])


@pytest.mark.parametrize("value", ["3600", b"3600"])
def test_dpr203_string_and_bytes_values_pass_validation(sidecar, value):
    # the fixed form (and bytes, which DPR203 leaves alone) reaches the network: with the gRPC port closed
    # that is an RpcError, not a TypeError
    with dapr_clients.DaprClient() as client:
        with pytest.raises(grpc.RpcError):
            client.save_state("statestore", "k", "v", state_metadata={"ttlInSeconds": value})


# -- DPR204 -------------------------------------------------------------------------------------------------

_DPR204_FIXTURE = "DPR204_grpc_metadata.py"


def test_dpr204_fixture_has_calls_to_check():
    methods = {_method(c) for c in _flagged_calls(_DPR204_FIXTURE, "DPR204")}
    assert {"save_state", "publish_event", "invoke_method"} <= methods


@pytest.mark.parametrize("call", _flagged_calls(_DPR204_FIXTURE, "DPR204"))
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_dpr204_dict_as_grpc_metadata_raises(sidecar, call):
    error = _run(_load_fixture(_DPR204_FIXTURE), call)
    assert isinstance(error, ValueError) and "unpack" in str(error), repr(error)
