"""`dapr-lint server`: a language server over stdio (pygls + lsprotocol, the `lsp` extra).

Diagnostics on open, on change (debounced) and on save, from the same engine as `dapr-lint check` with the
buffer's unsaved text and its path's configuration; code actions for each fix (safe ones as `quickfix`, unsafe
ones labelled as such), "fix all safe" (`source.fixAll`), a `# noqa` action per finding; hover on a finding
shows its detail (evidence and remedy) and its rule's page; each diagnostic links to the page
(`codeDescription.href`) and carries the defect's other places (`relatedInformation`).

Only documents the editor opened are read, and only from the editor's buffer (never from disk). Lints and fixes
run on one worker thread, off the event loop that answers the editor: a lint whose document changed meanwhile is
skipped if it has not started and its result dropped if it has, so the editor never waits behind stale work. A
document over MAX_DOCUMENT_BYTES is not linted: it gets one diagnostic saying so."""

from __future__ import annotations

import asyncio
import queue
import re
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

from dapr_lint import __version__
from dapr_lint.config import ConfigError, Resolver
from dapr_lint.diagnostics import Diagnostic
from dapr_lint.editor import fix_all_safe, fix_one, lint_buffer, noqa_for
from dapr_lint.report import printable, severity_of
from dapr_lint.report.sarif import DOCS_URL
from dapr_lint.session import rule_doc

DEBOUNCE_SECONDS = 0.3
SOURCE = "dapr-lint"
FIX_ALL_KIND = "source.fixAll.dapr-lint"
UNSAFE_KIND = "quickfix.unsafe"
# The largest document the server lints (about 25,000 lines of Python): past it, one diagnostic says so. The
# parser's memory and time grow with the text, and an editor opens whatever the user clicks on.
MAX_DOCUMENT_BYTES = 1 << 20
# How long the configurations read are reused between lints.
FRESH_SECONDS = 10.0

_MISSING = (
    "dapr-lint: the language server needs pygls and lsprotocol; install them with `pip install pygls lsprotocol` "
    "(or reinstall dapr-lint with its `lsp` extra: `pip install \"/path/to/dapr-lint[lsp]\"`)"
)


def main(argv: Optional[list[str]] = None) -> int:
    try:
        state: dict[str, Any] = {}
        server = build_server(state)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] in ("pygls", "lsprotocol", "cattrs", "attrs"):
            print(_MISSING, file=sys.stderr)
            return 2
        raise
    server.start_io()
    # The protocol: `exit` after `shutdown` is 0; an `exit` without it (or the editor going away) is 1.
    return 0 if state.get("shutdown") else 1


_BREAK = re.compile(r"\r\n|\r|\n")


class LineIndex:
    """The text of the lines the findings name, found by scanning for line breaks (LSP's: \\n, \\r\\n, \\r) up to
    the last of them: no list of every line of the document is built."""

    def __init__(self, source: str, wanted: Iterable[int]) -> None:
        self._lines: dict[int, str] = {}
        remaining = {n for n in wanted if n >= 1}
        number, start = 1, 0
        if remaining:
            for match in _BREAK.finditer(source):
                if number in remaining:
                    self._lines[number] = source[start : match.start()]
                    remaining.discard(number)
                    if not remaining:
                        break
                number, start = number + 1, match.end()
            else:
                if number in remaining:
                    self._lines[number] = source[start:]

    def get(self, number: int) -> str:
        return self._lines.get(number, "")


def end_of(source: str) -> tuple[int, int]:
    """The 0-based line and UTF-16 character of the end of `source`, without splitting it into lines."""
    breaks = source.count("\n") + source.count("\r") - source.count("\r\n")
    last = source[max(source.rfind("\n"), source.rfind("\r")) + 1 :]
    return breaks, len(last.encode("utf-16-le")) // 2


class _Worker:
    """One daemon thread that runs the lints and fixes in order, off the event loop. A daemon: a lint still
    running when the editor exits does not keep the process alive."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._run, name="dapr-lint-worker", daemon=True).start()

    def _run(self) -> None:
        while True:
            loop, future, function, args = self._jobs.get()
            try:
                result = function(*args)
            except BaseException as exc:  # noqa: BLE001 - handed to the awaiting handler, never lost
                loop.call_soon_threadsafe(_settle, future, None, exc)
            else:
                loop.call_soon_threadsafe(_settle, future, result, None)

    def run(self, function: Callable, *args: Any) -> "asyncio.Future":
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._jobs.put((loop, future, function, args))
        return future


def _settle(future: "asyncio.Future", result: Any, error: Optional[BaseException]) -> None:
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class _Stale(Exception):
    """The document changed (or closed) after this lint was asked for: its result would be out of date."""


def build_server(state: Optional[dict] = None):
    from urllib.parse import unquote

    from lsprotocol import types
    from pygls.lsp.server import LanguageServer

    state = state if state is not None else {}
    server = LanguageServer("dapr-lint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
    worker = _Worker()
    # uri -> (document version, [(finding, its LSP diagnostic)]) as last published
    published: dict[str, tuple[Optional[int], list]] = {}
    pending: dict[str, asyncio.TimerHandle] = {}
    # uri -> the number of the latest change: a lint asked for at an older one is stale
    generation: dict[str, int] = {}
    # What stays the same from one keystroke to the next: the configurations read. Forgotten on a save (a
    # configuration may have been written) and after FRESH_SECONDS (it may change outside the editor).
    reused: dict[str, Any] = {"since": 0.0, "resolver": None}

    def settings_reused():
        now = time.monotonic()
        if reused["resolver"] is None or now - reused["since"] > FRESH_SECONDS:
            reused.update(since=now, resolver=Resolver())
        return reused["resolver"]

    def forget() -> None:
        reused["resolver"] = None

    severities = {
        "error": types.DiagnosticSeverity.Error,
        "warning": types.DiagnosticSeverity.Warning,
        "info": types.DiagnosticSeverity.Information,
    }

    def opened(uri: str):
        """The editor's buffer of `uri`, or None when the editor has not opened it: the server never reads a
        document from disk (a FIFO or a device there would block it)."""
        return server.workspace.text_documents.get(unquote(uri))

    def path_of(uri: str) -> Optional[Path]:
        from pygls.uris import to_fs_path

        fs = to_fs_path(uri)
        return Path(fs) if fs else None

    def utf16_column(line_text: str, column: int) -> int:
        """Our 1-based code point column -> LSP's 0-based UTF-16 offset."""
        prefix = line_text[: max(column - 1, 0)]
        if prefix.isascii():
            return len(prefix)
        return len(prefix.encode("utf-16-le")) // 2

    def to_range(lines: LineIndex, d: Diagnostic):
        def position(line: int, column: int):
            return types.Position(line=max(line - 1, 0), character=utf16_column(lines.get(line), column))

        return types.Range(start=position(d.line, d.column), end=position(d.end_line, d.end_column))

    def related_information(uri: str, lines: LineIndex, d: Diagnostic):
        """The other places of the same defect (Finding.related) as LSP relatedInformation: places in this
        document by its own text (UTF-16 columns), places in other files by their path."""
        found = []
        for r in d.related:
            if r.path == d.path:
                where, index = uri, lines
            else:
                where, index = Path(r.path).resolve().as_uri(), None
            if index is not None:
                start = types.Position(line=max(r.line - 1, 0), character=utf16_column(index.get(r.line), r.column))
                end = types.Position(line=max(r.end_line - 1, 0), character=utf16_column(index.get(r.end_line), r.end_column))
            else:
                start = types.Position(line=max(r.line - 1, 0), character=max(r.column - 1, 0))
                end = types.Position(line=max(r.end_line - 1, 0), character=max(r.end_column - 1, 0))
            location = types.Location(uri=where, range=types.Range(start=start, end=end))
            found.append(types.DiagnosticRelatedInformation(location=location, message=printable(r.message)))
        return found or None

    def to_lsp(uri: str, lines: LineIndex, d: Diagnostic):
        data = None
        if d.fix is not None:
            data = {"fix": d.fix.safety, "description": d.fix.title}
        return types.Diagnostic(
            range=to_range(lines, d),
            message=printable(d.message),
            severity=severities[severity_of(d)],
            code=d.code,
            code_description=types.CodeDescription(href=f"{DOCS_URL}{d.code}.md"),
            source=SOURCE,
            data=data,
            related_information=related_information(uri, lines, d),
        )

    def too_large(source: str) -> Optional[int]:
        """The document's size in bytes when it is over the bound, else None."""
        if len(source) <= MAX_DOCUMENT_BYTES // 4:  # at most 4 bytes a character: certainly within
            return None
        size = len(source.encode("utf-8", "surrogatepass"))
        return size if size > MAX_DOCUMENT_BYTES else None

    def publish(uri: str, version: Optional[int], entries: list) -> None:
        published[uri] = (version, entries)
        server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=[lsp for _finding, lsp in entries])
        )

    def run_lint(uri: str, asked: int, path: Path, data: bytes):
        if generation.get(uri) != asked:
            raise _Stale()  # changed again before this lint started: skip it
        return lint_buffer(path, data, settings_reused())

    async def lint(uri: str) -> None:
        document = opened(uri)
        path = path_of(uri)
        if document is None or path is None:
            return
        asked = generation.setdefault(uri, 0)
        version, source = document.version, document.source
        size = too_large(source)
        if size is not None:
            refusal = types.Diagnostic(
                range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
                message=f"dapr-lint: not checked: the document is {size / 1e6:.1f} MB, over the "
                f"{MAX_DOCUMENT_BYTES / 1e6:.1f} MB the language server checks (`dapr-lint check` checks it)",
                severity=types.DiagnosticSeverity.Information,
                source=SOURCE,
            )
            published[uri] = (version, [])
            server.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=[refusal])
            )
            return
        try:
            result = await worker.run(run_lint, uri, asked, path, source.encode("utf-8", "surrogatepass"))
        except _Stale:
            return
        except ConfigError as exc:
            server.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=f"dapr-lint: {exc}"))
            return
        if generation.get(uri) != asked or opened(uri) is None:
            return  # changed or closed while it ran: a newer lint publishes
        for error in result.errors:
            server.window_log_message(
                types.LogMessageParams(type=types.MessageType.Error, message=f"dapr-lint: internal error in {error.where}: {error.message}")
            )
        findings = sorted(result.diagnostics, key=lambda d: d.sort_key())
        wanted = {n for d in findings for n in (d.line, d.end_line)}
        wanted |= {n for d in findings for r in d.related if r.path == d.path for n in (r.line, r.end_line)}
        lines = LineIndex(source, wanted)
        publish(uri, version, [(d, to_lsp(uri, lines, d)) for d in findings])

    def schedule(uri: str, delay: float) -> None:
        loop = asyncio.get_running_loop()
        previous = pending.pop(uri, None)
        if previous is not None:
            previous.cancel()

        def fire() -> None:
            pending.pop(uri, None)
            loop.create_task(lint(uri))

        pending[uri] = loop.call_later(delay, fire)

    def changed(uri: str) -> None:
        # a lint running or queued for an older text is stale from now on
        generation[uri] = generation.get(uri, 0) + 1

    @server.feature(types.SHUTDOWN)
    def shutdown(ls, params) -> None:
        state["shutdown"] = True

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls, params: types.DidOpenTextDocumentParams) -> None:
        changed(params.text_document.uri)
        await lint(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls, params: types.DidChangeTextDocumentParams) -> None:
        changed(params.text_document.uri)
        schedule(params.text_document.uri, DEBOUNCE_SECONDS)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls, params: types.DidSaveTextDocumentParams) -> None:
        forget()
        schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        handle = pending.pop(uri, None)
        if handle is not None:
            handle.cancel()
        changed(uri)
        published.pop(uri, None)
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def whole_document_edit(uri: str, version: Optional[int], old: str, new: str):
        line, character = end_of(old)
        end = types.Position(line=line, character=character)
        edit = types.TextEdit(range=types.Range(start=types.Position(line=0, character=0), end=end), new_text=new)
        return types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                    edits=[edit],
                )
            ]
        )

    def overlaps(a, b) -> bool:
        return (a.start.line, a.start.character) <= (b.end.line, b.end.character) and (
            b.start.line,
            b.start.character,
        ) <= (a.end.line, a.end.character)

    async def current(uri: str):
        """The findings of the document's current version (linting it first if they are older)."""
        document = opened(uri)
        if document is None:
            return None, []
        version, entries = published.get(uri, (None, []))
        if version != document.version or uri not in published:
            await lint(uri)
            version, entries = published.get(uri, (None, []))
        if version != document.version:
            return None, []  # changed while it was linted: the editor asks again
        return document, entries

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, UNSAFE_KIND, FIX_ALL_KIND],
            resolve_provider=False,
        ),
    )
    async def code_action(ls, params: types.CodeActionParams):
        uri = params.text_document.uri
        path = path_of(uri)
        document, entries = await current(uri)
        if document is None or path is None:
            return []
        source = document.source
        version = document.version
        data = source.encode("utf-8", "surrogatepass")
        wanted = params.context.only
        quick = wanted is None or any(k.startswith("quickfix") for k in wanted)
        actions = []
        for finding, lsp_diagnostic in entries:
            if not overlaps(lsp_diagnostic.range, params.range):
                continue
            if finding.fix is not None and quick:
                fixed = await worker.run(fix_one, path, data, finding)
                if fixed is not None:
                    safe = finding.fix.safety == "safe"
                    title = f"Fix {finding.code}: {finding.fix.title}"
                    if not safe:
                        title = f"Fix {finding.code} (unsafe: may change behaviour): {finding.fix.title}"
                    actions.append(
                        types.CodeAction(
                            title=title,
                            kind=types.CodeActionKind.QuickFix if safe else UNSAFE_KIND,
                            diagnostics=[lsp_diagnostic],
                            is_preferred=safe,
                            edit=whole_document_edit(uri, version, source, fixed.decode("utf-8", "surrogatepass")),
                        )
                    )
            if quick:
                silenced = await worker.run(noqa_for, path, data, finding)
                if silenced is not None:
                    actions.append(
                        types.CodeAction(
                            title=f"Silence {finding.code} on this line (# noqa: {finding.code})",
                            kind=types.CodeActionKind.QuickFix,
                            diagnostics=[lsp_diagnostic],
                            edit=whole_document_edit(uri, version, source, silenced.decode("utf-8", "surrogatepass")),
                        )
                    )
        if any(f.fix is not None and f.fix.safety == "safe" for f, _lsp in entries) and (
            wanted is None or any(FIX_ALL_KIND.startswith(k) or k.startswith("source.fixAll") for k in wanted)
        ):
            fixed = await worker.run(fix_all_safe, path, data)
            if fixed is not None:
                actions.append(
                    types.CodeAction(
                        title="dapr-lint: fix all safe findings",
                        kind=FIX_ALL_KIND,
                        edit=whole_document_edit(uri, version, source, fixed.decode("utf-8", "surrogatepass")),
                    )
                )
        if opened(uri) is None or opened(uri).version != version:
            return []  # the edits would apply to a text the editor no longer has
        return actions

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls, params: types.HoverParams):
        uri = params.text_document.uri
        if opened(uri) is None:
            return None
        _version, entries = published.get(uri, (None, []))
        here = types.Range(start=params.position, end=params.position)
        under = [f for f, lsp in entries if overlaps(lsp.range, here)]
        # what this finding found (its evidence and remedy), then its rule's page
        parts = [f"**{f.code}** {printable(f.message)}\n\n{f.detail.strip()}" for f in under if f.detail]
        for code in sorted({f.code for f in under}):
            page = rule_doc(code)
            if page:
                parts.append(page.strip())
        if not parts:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)))

    return server


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
