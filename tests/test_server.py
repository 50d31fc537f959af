"""The language server end to end: started as a subprocess and driven over stdio as an editor drives it
(a small JSON-RPC client: Content-Length framed messages)."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("pygls")

from dapr_lint.cli import main  # noqa: E402

pytestmark = pytest.mark.slow  # `pytest -m "not slow"` leaves it out of the fast loop

UNAWAITED = textwrap.dedent(
    """\
    from dapr.aio.clients import DaprClient


    async def handler(key: str):
        async with DaprClient() as client:
            client.save_state("statestore", key, "v")
    """
)

TIMEOUT = 60.0


class Client:
    def __init__(self, cwd: Path) -> None:
        env = dict(os.environ)
        env.pop("DAPR_LINT_CACHE_DIR", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "dapr_lint", "server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env=env,
        )
        self.messages: queue.Queue = queue.Queue()
        self.next_id = 0
        self.notifications: list[dict] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.proc.stdout
        while True:
            headers = {}
            while True:
                line = stream.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                headers[name.strip().lower()] = value.strip()
            body = stream.read(int(headers["content-length"]))
            self.messages.put(json.loads(body))

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.proc.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: dict) -> None:
        self.send({"method": method, "params": params})

    def _next(self, deadline: float) -> dict:
        message = self.messages.get(timeout=max(deadline - time.monotonic(), 0.01))
        if "method" in message and "id" in message:  # a request from the server: answer it
            self.send({"id": message["id"], "result": None})
        return message

    def request(self, method: str, params: dict):
        self.next_id += 1
        ident = self.next_id
        self.send({"id": ident, "method": method, "params": params})
        deadline = time.monotonic() + TIMEOUT
        while True:
            message = self._next(deadline)
            if message.get("id") == ident and "method" not in message:
                assert "error" not in message, message
                return message["result"]
            self.notifications.append(message)

    def wait_for(self, method: str, predicate=lambda params: True) -> dict:
        for index, message in enumerate(self.notifications):
            if message.get("method") == method and predicate(message["params"]):
                del self.notifications[index]
                return message["params"]
        deadline = time.monotonic() + TIMEOUT
        while True:
            message = self._next(deadline)
            if message.get("method") == method and predicate(message["params"]):
                return message["params"]
            self.notifications.append(message)

    def close(self) -> None:
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        finally:
            for stream in (self.proc.stdout, self.proc.stderr, self.proc.stdin):
                try:
                    stream.close()
                except OSError:  # the server has exited: what was left to send goes nowhere
                    pass


def apply(text: str, edit: dict) -> str:
    """Apply a WorkspaceEdit's text edits (for one document) to `text`."""
    changes = edit["documentChanges"][0]["edits"]
    lines = text.split("\n")

    def offset(position: dict) -> int:
        before = sum(len(line) + 1 for line in lines[: position["line"]])
        return before + position["character"]  # ASCII text: UTF-16 offsets are character offsets

    for change in sorted(changes, key=lambda c: (c["range"]["start"]["line"], c["range"]["start"]["character"]), reverse=True):
        start, end = offset(change["range"]["start"]), offset(change["range"]["end"])
        text = text[:start] + change["newText"] + text[end:]
    return text


@pytest.fixture
def client(project):
    started = Client(project)
    yield started
    started.close()


def test_open_fix_and_clean_as_an_editor_would(project, client, capsys):
    svc = project / "svc.py"
    svc.write_text(UNAWAITED, encoding="utf-8")
    uri = svc.resolve().as_uri()
    # what `dapr-lint check` reports for the same file: the range the editor must get
    assert main(["check", "svc.py", "--output-format", "json"]) == 1
    [expected] = json.loads(capsys.readouterr().out)

    result = client.request(
        "initialize",
        {
            "processId": os.getpid(),
            "rootUri": project.resolve().as_uri(),
            "capabilities": {
                "textDocument": {"publishDiagnostics": {}, "codeAction": {}, "hover": {}},
                "workspace": {"workspaceEdit": {"documentChanges": True}},
            },
        },
    )
    capabilities = result["capabilities"]
    assert capabilities["codeActionProvider"] and capabilities["hoverProvider"]
    client.notify("initialized", {})

    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": UNAWAITED}})
    published = client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri)
    [diagnostic] = published["diagnostics"]
    assert diagnostic["code"] == "DPR104" == expected["code"]
    assert diagnostic["source"] == "dapr-lint"
    assert diagnostic["message"] == expected["message"]
    assert diagnostic["range"] == {
        "start": {"line": expected["line"] - 1, "character": expected["column"] - 1},
        "end": {"line": expected["end_line"] - 1, "character": expected["end_column"] - 1},
    }
    assert diagnostic["range"]["start"] == {"line": 5, "character": 8}

    hover = client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 5, "character": 12}})
    # the finding's own evidence first, then the rule's page
    assert hover["contents"]["value"].startswith(f"**DPR104** {diagnostic['message']}\n\n")
    assert "\n\n---\n\n# DPR104" in hover["contents"]["value"]

    actions = client.request(
        "textDocument/codeAction",
        {"textDocument": {"uri": uri}, "range": diagnostic["range"], "context": {"diagnostics": [diagnostic]}},
    )
    titles = [a["title"] for a in actions]
    fix = next(a for a in actions if a["title"].startswith("Fix DPR104"))
    assert fix["kind"] == "quickfix" and fix["isPreferred"] is True
    assert "Silence DPR104 on this line (# noqa: DPR104)" in titles
    assert "dapr-lint: fix all safe findings" in titles

    fixed = apply(UNAWAITED, fix["edit"])
    assert "        await client.save_state(" in fixed
    client.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]},
    )
    cleared = client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri and p.get("version") == 2)
    assert cleared["diagnostics"] == []
    assert svc.read_text(encoding="utf-8") == UNAWAITED  # the server never writes the file


def test_unsafe_fix_is_labelled_and_noqa_silences(project, client):
    source = textwrap.dedent(
        """\
        from dapr.clients import DaprClient


        async def handler(key: str):
            with DaprClient() as client:
                return client.get_state("statestore", key).data
        """
    )
    svc = project / "svc.py"
    svc.write_text(source, encoding="utf-8")
    uri = svc.resolve().as_uri()
    client.request("initialize", {"processId": None, "rootUri": project.resolve().as_uri(), "capabilities": {}})
    client.notify("initialized", {})
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": source}})
    published = client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri)
    first = next(d for d in published["diagnostics"] if d["code"] == "DPR101")
    actions = client.request(
        "textDocument/codeAction",
        {"textDocument": {"uri": uri}, "range": first["range"], "context": {"diagnostics": [first]}},
    )
    unsafe = next(a for a in actions if a["title"].startswith("Fix DPR101"))
    assert unsafe["kind"] == "quickfix.unsafe"
    assert "(unsafe: may change behaviour)" in unsafe["title"]
    assert not unsafe.get("isPreferred")
    silence = next(a for a in actions if a["title"].startswith("Silence DPR101"))
    silenced = apply(source, silence["edit"])
    assert "    with DaprClient() as client:  # noqa: DPR101\n" in silenced
    client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri)


def test_server_without_pygls_says_how_to_install_it(project):
    code = (
        "import sys; sys.modules['pygls'] = None; sys.modules['lsprotocol'] = None\n"
        "from dapr_lint.cli import main; sys.exit(main(['server']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    # names what exists on PyPI (the libraries), and the extra only as a local install: dapr-lint is not on PyPI
    assert "pip install pygls lsprotocol" in done.stderr
    assert "dapr-lint[lsp]'" not in done.stderr and '"/path/to/dapr-lint[lsp]"' in done.stderr
    assert "Traceback" not in done.stderr


def _initialize(client: Client, project: Path) -> None:
    client.request("initialize", {"processId": None, "rootUri": project.resolve().as_uri(), "capabilities": {}})
    client.notify("initialized", {})


def _open(client: Client, path: Path, text: str, version: int = 1) -> str:
    uri = path.resolve().as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": version, "text": text}})
    return uri


def test_a_document_never_opened_is_never_read(project, client):
    """A code action or hover for a document the editor did not open gets nothing: the server does not read it
    from disk (here a FIFO: reading it would block the server for good)."""
    fifo = project / "pipe.py"
    os.mkfifo(fifo)
    _initialize(client, project)
    uri = fifo.resolve().as_uri()
    whole = {"start": {"line": 0, "character": 0}, "end": {"line": 10, "character": 0}}
    assert client.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": []}}) == []
    assert client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}) is None
    # still answering: an opened document is linted as usual
    svc_uri = _open(client, project / "svc.py", UNAWAITED)
    published = client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == svc_uri)
    [diagnostic] = published["diagnostics"]
    assert diagnostic["codeDescription"]["href"].endswith("/docs/rules/DPR104.md")


def test_a_document_over_the_bound_gets_one_diagnostic(project, client):
    from dapr_lint.server import MAX_DOCUMENT_BYTES

    _initialize(client, project)
    text = UNAWAITED + "#" * 70 + "\n"
    text = text * (MAX_DOCUMENT_BYTES // len(text) + 1)
    uri = _open(client, project / "huge.py", text)
    published = client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri)
    [refusal] = published["diagnostics"]
    assert refusal["message"].startswith("dapr-lint: not checked: the document is ")
    assert "code" not in refusal


def test_lints_run_off_the_event_loop_and_stale_results_are_dropped(project, client):
    """While a long lint runs, the server answers other requests; a lint whose document changed meanwhile
    publishes nothing, the lint of the new text does."""
    _initialize(client, project)
    small_uri = _open(client, project / "small.py", UNAWAITED)
    client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == small_uri)
    slow = "from dapr.aio.clients import DaprClient\n\n" + "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(3000))
    big_uri = _open(client, project / "big.py", slow)
    # answered before the long lint is done: nothing was published for big.py yet
    hover = client.request("textDocument/hover", {"textDocument": {"uri": small_uri}, "position": {"line": 5, "character": 12}})
    assert hover["contents"]["value"].startswith("**DPR104** ") and "\n\n---\n\n# DPR104" in hover["contents"]["value"]
    assert not any(m.get("params", {}).get("uri") == big_uri for m in client.notifications)
    client.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": big_uri, "version": 2}, "contentChanges": [{"text": UNAWAITED}]},
    )
    published = client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == big_uri)
    assert published["version"] == 2 and [d["code"] for d in published["diagnostics"]] == ["DPR104"]


def test_exit_without_shutdown_is_exit_code_1(project):
    started = Client(project)
    try:
        _initialize(started, project)
        started.notify("exit", None)
        assert started.proc.wait(timeout=30) == 1
    finally:
        started.close()


def test_exit_after_shutdown_is_exit_code_0(project):
    started = Client(project)
    _initialize(started, project)
    started.close()
    assert started.proc.returncode == 0


def test_code_action_gives_the_command_line_fix(project, client, capsys):
    """The quick fix's text is the file `dapr-lint check --fix` writes (tests/test_editor_fixes.py compares the
    two on every fixture, through the same functions)."""
    svc = project / "svc.py"
    svc.write_text(UNAWAITED, encoding="utf-8")
    _initialize(client, project)
    uri = _open(client, svc, UNAWAITED)
    [diagnostic] = client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri)["diagnostics"]
    actions = client.request(
        "textDocument/codeAction",
        {"textDocument": {"uri": uri}, "range": diagnostic["range"], "context": {"diagnostics": [diagnostic]}},
    )
    by_title = {a["title"]: a for a in actions}
    quick = next(a for title, a in by_title.items() if title.startswith("Fix DPR104"))
    every = by_title["dapr-lint: fix all safe findings"]
    assert main(["check", "--fix", "--no-cache", "svc.py"]) == 0
    capsys.readouterr()
    assert apply(UNAWAITED, quick["edit"]) == apply(UNAWAITED, every["edit"]) == svc.read_text(encoding="utf-8")


BLOCKING = textwrap.dedent(
    """\
    from dapr.clients import DaprClient


    async def handler(key: str):
        async with DaprClient() as client:
            return client.get_state("statestore", key).data
    """
)


def test_related_places_and_the_detail_reach_the_editor(project, client):
    """A finding's other places (the blocking call on a client built in an async def) are its
    relatedInformation, and hovering on it shows its evidence and remedy before the rule's page."""
    _initialize(client, project)
    uri = _open(client, project / "left.py", BLOCKING)
    published = client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri)
    [sync_client] = [d for d in published["diagnostics"] if d["code"] == "DPR101"]
    [related] = sync_client["relatedInformation"]
    assert related["location"]["uri"] == uri
    assert related["location"]["range"] == {"start": {"line": 5, "character": 15}, "end": {"line": 5, "character": 50}}
    assert related["message"] == "`get_state` on this client blocks the event loop"
    hover = client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": sync_client["range"]["start"]})
    text = hover["contents"]["value"]
    assert text.startswith(f"**DPR101** {sync_client['message']}\n\nThe constructor waits on a sidecar health check")
    assert text.index("DAPR_HEALTH_TIMEOUT") < text.index("# DPR101")
