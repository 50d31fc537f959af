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
            self.proc.stdout.close()
            self.proc.stderr.close()
            self.proc.stdin.close()


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
    assert hover["contents"]["value"].startswith("# DPR104")

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
    assert "pip install 'dapr-lint[lsp]'" in done.stderr
    assert "Traceback" not in done.stderr
