"""The bytes of a Python file as CPython reads them: encoding (BOM, coding cookie, UTF-8), and what it refuses.

A file CPython cannot decode is a DPR001 finding with the position where decoding failed, never an internal
error: undecodable bytes, an unknown or wrong coding cookie, UTF-16/32 text, a binary file named `.py`, NUL
bytes.
"""

from __future__ import annotations

import codecs
import io
import tokenize
from dataclasses import dataclass
from typing import Optional, Union

_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


@dataclass(frozen=True)
class SourceProblem:
    """Why CPython cannot read the file, and where (1-based line and column)."""

    message: str
    line: int
    column: int


def decode(data: bytes) -> Union[str, SourceProblem]:
    """The file's text, decoded as CPython would, or the problem that stops CPython from reading it."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return SourceProblem(
                f"the file is {name} (it starts with a {name} byte-order mark), but Python source must be UTF-8 "
                "or declare an ASCII-compatible encoding",
                1,
                1,
            )
    nul = data.find(b"\0")
    if nul >= 0:  # CPython refuses NUL bytes before decoding
        line_start = data.rfind(b"\n", 0, nul) + 1
        line = data.count(b"\n", 0, nul) + 1
        column = len(data[line_start:nul].decode("utf-8", "replace")) + 1
        return SourceProblem(f"the file contains a NUL byte, which Python source cannot{_utf16_hint(data)}", line, column)
    try:
        encoding, _lines = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        reason = str(exc.msg if getattr(exc, "msg", None) else exc)
        if reason.startswith("invalid or missing encoding declaration"):
            encoding = "utf-8"  # undecodable bytes in the first two lines: decoding says where
        else:  # "unknown encoding: utf-t", "encoding problem: utf-8" (a BOM with another cookie)
            return SourceProblem(f"cannot decode the file: {reason}", _cookie_line(data), 1)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        return _decode_error(data, exc, encoding)
    except LookupError:  # detect_encoding checked the name; a codec may still refuse
        return SourceProblem(f"cannot decode the file: unknown encoding {encoding}", _cookie_line(data), 1)
    return text


def _decode_error(data: bytes, exc: UnicodeDecodeError, encoding: str) -> SourceProblem:
    body = exc.object if isinstance(exc.object, bytes) else data  # without the BOM the codec skipped
    start = exc.start
    line_start = body.rfind(b"\n", 0, start) + 1
    line = body.count(b"\n", 0, start) + 1
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    column = len(body[line_start:start].decode(codec, "replace")) + 1
    name = "UTF-8" if codec == "utf-8" else encoding
    byte = body[start] if start < len(body) else 0
    return SourceProblem(
        f"cannot decode the file as {name}: byte 0x{byte:02x} ({exc.reason}){_utf16_hint(data)}", line, column
    )


def _utf16_hint(data: bytes) -> str:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return f"; the file starts with a {name} byte-order mark, but Python source must be UTF-8 or declare its encoding"
    sample = data[:512]
    if len(sample) >= 4:
        even = sample[0::2].count(0)
        odd = sample[1::2].count(0)
        half = len(sample) // 2
        if max(even, odd) > half * 0.6 and min(even, odd) < half * 0.1:
            return "; the file looks like UTF-16 text, but Python source must be UTF-8 or declare its encoding"
    controls = sum(1 for byte in sample if byte < 9 or 13 < byte < 32)
    if controls * 20 > len(sample):
        return "; it looks like a binary file"
    return ""


def _cookie_line(data: bytes) -> int:
    """The line (1 or 2) holding the coding cookie, where CPython looks for it."""
    lines = data.split(b"\n", 2)
    for index, content in enumerate(lines[:2]):
        if b"coding" in content:
            return index + 1
    return 1


def problem_of(data: bytes) -> Optional[SourceProblem]:
    decoded = decode(data)
    return decoded if isinstance(decoded, SourceProblem) else None


def lenient(data: bytes) -> bytes:
    """UTF-8 text with each undecodable byte replaced (U+FFFD): for a file CPython's `compile()` accepts although
    it holds such bytes (they are in comments), so that LibCST can parse it too."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    return data.decode("utf-8", "replace").encode("utf-8")
