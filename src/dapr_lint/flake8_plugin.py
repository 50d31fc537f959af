"""dapr-lint as a flake8 plugin (entry point `DPR` in group `flake8.extension`).

For each file flake8 checks, the plugin reports exactly what `dapr-lint check` reports for that file when it
is given the same paths flake8 was given: the same engine runs once per flake8 process over those paths
(each file with its nearest configuration, the project stage over the modules of the run, so cross-module
and project findings are included), through the result cache, and each file's findings are looked up in
that run. A file whose text differs from what is on disk (flake8 reading standard input) is checked on its
own, as `dapr-lint check --stdin-filename` does. flake8 then applies its own `# noqa`, `--per-file-ignores`
and `--select`/`--ignore` to what we yield.

Rule selection: each file's configuration decides, as for `dapr-lint check`; a code flake8 is explicitly asked
for (`--select DPR107`) is added, as `--extend-select` would.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Sequence

from dapr_lint import __version__, reading
from dapr_lint.suppressions import skips_file


class DaprLintPlugin:
    name = "dapr-lint"
    version = __version__

    # Codes flake8 was asked for beyond our defaults (`--select DPR107`); set by parse_options.
    _explicit: tuple[str, ...] = ()
    # The paths flake8 was given (what `dapr-lint check` is given for the same findings).
    _filenames: tuple[str, ...] = (".",)

    def __init__(self, tree: Any, lines: Sequence[str], filename: str) -> None:
        self.lines = lines
        self.filename = filename

    @classmethod
    def parse_options(cls, options: Any) -> None:
        selectors: list[str] = []
        for attribute in ("select", "extend_select", "enable_extensions"):
            value = getattr(options, attribute, None) or []
            if isinstance(value, str):
                value = [v.strip() for v in value.split(",")]
            selectors.extend(v.upper() for v in value if v)
        # `--select DPR` means "this plugin", as with any flake8 plugin: it keeps our defaults (opinion
        # rules off). A more specific selector (`DPR107`, `DPR10`) switches rules on, as in dapr-lint.
        cls._explicit = tuple(sorted({s for s in selectors if s.startswith("DPR") and len(s) > 3}))
        filenames = getattr(options, "filenames", None) or ["."]
        cls._filenames = tuple(str(f) for f in filenames if str(f) != "-") or (".",)

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        text = "".join(self.lines)
        if skips_file(text):
            return
        try:
            result = _findings_for(self.filename, text, self.lines, self._filenames, self._explicit)
        except Exception as exc:  # a configuration error or a bug of ours: say so on the file, never crash flake8
            yield 1, 0, f"DPR001 dapr-lint could not check this file: {type(exc).__name__}: {exc}", type(self)
            return
        for d in result.diagnostics:
            yield d.line, d.column - 1, f"{d.code} {d.message}", type(self)
        for error in result.errors:
            yield 1, 0, f"DPR001 dapr-lint internal error in {error.where}: {error.message}", type(self)


def _findings_for(filename: str, text: str, lines: Sequence[str], filenames: tuple[str, ...], explicit: tuple[str, ...]):
    from dapr_lint.diagnostics import FileResult
    from dapr_lint.editor import lint_buffer

    data = _encode(text, lines)
    if filename in ("stdin", "-", ""):
        return lint_buffer(Path("stdin.py"), data, _resolver(explicit))
    absolute = os.path.realpath(filename)
    run = _run(filenames, explicit, os.getcwd())
    entry = run.get(absolute)
    if entry is not None and _same_text(absolute, text):
        return entry
    if entry is None and not os.path.exists(absolute):
        return FileResult(filename)
    # not part of the run (excluded by our configuration, or flake8 reads another text): checked alone
    return lint_buffer(Path(filename), data, _resolver(explicit))


@lru_cache(maxsize=8)
def _resolver(explicit: tuple[str, ...]):
    from dapr_lint.config import CommandLine, Resolver, SelectionLayer

    return Resolver(CommandLine(selection=SelectionLayer(extend_select=list(explicit))))


@lru_cache(maxsize=4)
def _run(filenames: tuple[str, ...], explicit: tuple[str, ...], cwd: str) -> dict:
    """`dapr-lint check FILENAMES` once per process: absolute path -> that file's FileResult."""
    from dapr_lint.session import check_files
    from dapr_lint.files import discover, display_path

    resolver = _resolver(explicit)
    paths = [Path(f) for f in filenames if os.path.exists(f)]
    files = discover(paths, resolver.config_for) if paths else []
    results = check_files(files, resolver, jobs=1, cache=True)
    by_display = {display_path(f.path): os.path.realpath(f.path) for f in files}
    return {by_display[r.path]: r for r in results if r.path in by_display}


def _same_text(path: str, text: str) -> bool:
    try:
        data = reading.read_bytes(path)
    except OSError:
        return False
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    on_disk = data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    return on_disk == text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _encode(text: str, lines: Sequence[str]) -> bytes:
    """Bytes in the file's declared encoding, so that LibCST reads the coding cookie truthfully."""
    match = re.search(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", "".join(lines[:2]), re.MULTILINE)
    if match:
        try:
            return text.encode(match.group(1))
        except (LookupError, UnicodeEncodeError):
            pass
    return text.encode("utf-8")
