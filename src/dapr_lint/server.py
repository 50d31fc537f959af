"""`dapr-lint server`: a language server over stdio (pygls + lsprotocol, the `lsp` extra).

Diagnostics on open, on change (debounced) and on save, from the same engine as `dapr-lint check` with the
buffer's unsaved text and its path's configuration; code actions for each fix (safe ones as `quickfix`, unsafe
ones labelled as such), "fix all safe" (`source.fixAll`), a `# noqa` action per finding; hover on a finding
shows what it says in full (message, evidence and remedy, fix) and its rule's page."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Optional, Union

from dapr_lint import __version__
from dapr_lint.config import ConfigError
from dapr_lint.diagnostics import Diagnostic, Related
from dapr_lint.editor import fix_all_safe, fix_one, lint_buffer, noqa_for
from dapr_lint.report import severity_of
from dapr_lint.session import rule_doc

DEBOUNCE_SECONDS = 0.3
SOURCE = "dapr-lint"
FIX_ALL_KIND = "source.fixAll.dapr-lint"
UNSAFE_KIND = "quickfix.unsafe"

# dapr-lint has no PyPI release: the extra is installed from a checkout or a git URL, the libraries from PyPI.
_MISSING = (
    "dapr-lint: the language server needs pygls and lsprotocol; install them with `pip install pygls lsprotocol` "
    "(or reinstall dapr-lint with its `lsp` extra: `pip install \"/path/to/dapr-lint[lsp]\"`)"
)


def main(argv: Optional[list[str]] = None) -> int:
    try:
        server = build_server()
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] in ("pygls", "lsprotocol", "cattrs", "attrs"):
            print(_MISSING, file=sys.stderr)
            return 2
        raise
    server.start_io()
    return 0


def build_server():
    from lsprotocol import types
    from pygls.lsp.server import LanguageServer

    server = LanguageServer("dapr-lint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
    # uri -> (document version, the findings published for it)
    published: dict[str, tuple[Optional[int], list[Diagnostic]]] = {}
    pending: dict[str, asyncio.TimerHandle] = {}

    severities = {
        "error": types.DiagnosticSeverity.Error,
        "warning": types.DiagnosticSeverity.Warning,
        "info": types.DiagnosticSeverity.Information,
    }

    def path_of(uri: str) -> Optional[Path]:
        from pygls.uris import to_fs_path

        fs = to_fs_path(uri)
        return Path(fs) if fs else None

    def uri_of(path: str) -> str:
        from pygls.uris import from_fs_path

        return from_fs_path(str(Path(path).resolve())) or path

    def utf16_column(line_text: str, column: int) -> int:
        """Our 1-based code point column -> LSP's 0-based UTF-16 offset."""
        prefix = line_text[: max(column - 1, 0)]
        return len(prefix.encode("utf-16-le")) // 2

    def to_range(lines: list[str], d: Union[Diagnostic, Related]):
        def position(line: int, column: int):
            text = lines[line - 1] if 1 <= line <= len(lines) else ""
            return types.Position(line=max(line - 1, 0), character=utf16_column(text, column))

        return types.Range(start=position(d.line, d.column), end=position(d.end_line, d.end_column))

    def to_lsp(lines: list[str], d: Diagnostic):
        data = None
        if d.fix is not None:
            data = {"fix": d.fix.safety, "description": d.fix.title}
        related = None
        if d.related:
            related = [
                types.DiagnosticRelatedInformation(
                    location=types.Location(uri=uri_of(r.path), range=to_range(lines if r.path == d.path else [], r)),
                    message=r.message,
                )
                for r in d.related
            ]
        return types.Diagnostic(
            range=to_range(lines, d),
            message=d.message,
            severity=severities[severity_of(d)],
            code=d.code,
            source=SOURCE,
            data=data,
            related_information=related,
        )

    def lint(uri: str) -> None:
        document = server.workspace.get_text_document(uri)
        path = path_of(uri)
        if path is None:
            return
        source = document.source
        try:
            result = lint_buffer(path, source.encode("utf-8"))
        except ConfigError as exc:
            server.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=f"dapr-lint: {exc}"))
            return
        for error in result.errors:
            server.window_log_message(
                types.LogMessageParams(type=types.MessageType.Error, message=f"dapr-lint: internal error in {error.where}: {error.message}")
            )
        lines = source.splitlines()
        findings = sorted(result.diagnostics, key=lambda d: d.sort_key())
        published[uri] = (document.version, findings)
        server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri, version=document.version, diagnostics=[to_lsp(lines, d) for d in findings]
            )
        )

    def schedule(uri: str, delay: float) -> None:
        loop = asyncio.get_event_loop()
        previous = pending.pop(uri, None)
        if previous is not None:
            previous.cancel()

        def fire() -> None:
            pending.pop(uri, None)
            try:
                lint(uri)
            except KeyError:
                pass  # closed meanwhile

        pending[uri] = loop.call_later(delay, fire)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls, params: types.DidOpenTextDocumentParams) -> None:
        lint(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls, params: types.DidChangeTextDocumentParams) -> None:
        schedule(params.text_document.uri, DEBOUNCE_SECONDS)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls, params: types.DidSaveTextDocumentParams) -> None:
        schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        handle = pending.pop(uri, None)
        if handle is not None:
            handle.cancel()
        published.pop(uri, None)
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def whole_document_edit(uri: str, version: Optional[int], old: str, new: str):
        lines = old.split("\n")
        end = types.Position(line=len(lines) - 1, character=len(lines[-1].encode("utf-16-le")) // 2)
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

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, UNSAFE_KIND, FIX_ALL_KIND],
            resolve_provider=False,
        ),
    )
    def code_action(ls, params: types.CodeActionParams):
        uri = params.text_document.uri
        document = server.workspace.get_text_document(uri)
        path = path_of(uri)
        if path is None:
            return []
        version, findings = published.get(uri, (None, []))
        if version != document.version:
            lint(uri)
            version, findings = published.get(uri, (None, []))
        source = document.source
        data = source.encode("utf-8")
        lines = source.splitlines()
        wanted = params.context.only
        actions = []
        for finding in findings:
            if not overlaps(to_range(lines, finding), params.range):
                continue
            lsp_diagnostic = to_lsp(lines, finding)
            if finding.fix is not None and (wanted is None or any(k.startswith("quickfix") for k in wanted)):
                fixed = fix_one(path, data, finding)
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
                            edit=whole_document_edit(uri, document.version, source, fixed.decode("utf-8")),
                        )
                    )
            if wanted is None or any(k.startswith("quickfix") for k in wanted):
                silenced = noqa_for(path, data, finding)
                if silenced is not None:
                    actions.append(
                        types.CodeAction(
                            title=f"Silence {finding.code} on this line (# noqa: {finding.code})",
                            kind=types.CodeActionKind.QuickFix,
                            diagnostics=[lsp_diagnostic],
                            edit=whole_document_edit(uri, document.version, source, silenced.decode("utf-8")),
                        )
                    )
        if any(f.fix is not None and f.fix.safety == "safe" for f in findings) and (
            wanted is None or any(FIX_ALL_KIND.startswith(k) or k.startswith("source.fixAll") for k in wanted)
        ):
            fixed = fix_all_safe(path, data)
            if fixed is not None:
                actions.append(
                    types.CodeAction(
                        title="dapr-lint: fix all safe findings",
                        kind=FIX_ALL_KIND,
                        edit=whole_document_edit(uri, document.version, source, fixed.decode("utf-8")),
                    )
                )
        return actions

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls, params: types.HoverParams):
        uri = params.text_document.uri
        _version, findings = published.get(uri, (None, []))
        if not findings:
            return None
        lines = server.workspace.get_text_document(uri).source.splitlines()
        here = types.Range(start=params.position, end=params.position)
        pages = []
        under = [f for f in findings if overlaps(to_range(lines, f), here)]
        for f in under:  # what this finding says in full: the message, the evidence and remedy, the fix
            said = [f"**{f.code}** {f.message}"]
            if f.detail:
                said.append(f.detail)
            if f.fix is not None:
                said.append(f"Fix ({f.fix.safety}): {f.fix.title}")
            pages.append("\n\n".join(said))
        for code in sorted({f.code for f in under}):
            page = rule_doc(code)
            if page:
                pages.append(page.strip())
        if not pages:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(pages)))

    return server


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
