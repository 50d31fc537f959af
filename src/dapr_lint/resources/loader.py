"""Positioned, bounded, safe YAML loading for Dapr resource files.

Uses PyYAML's pure-Python SafeLoader composer, so every node keeps its start and end marks. Aliases are not
expanded by the composer, but anything that walks the node graph would expand them; the composer therefore
weighs every node by its expanded size and refuses documents that would blow up (billion laughs), that nest
too deeply, or that contain recursive aliases. Every refusal is a `ResourceParseError`, which the checker turns
into DPR001.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

import codecs

import yaml
import yaml.reader
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, SequenceNode


@dataclass(frozen=True)
class LoadLimits:
    """Bounds on one file; Dapr resource files are a few kilobytes, so these are generous."""

    max_bytes: int = 1_000_000
    max_depth: int = 64
    # Nodes in one document once every alias is expanded.
    max_expanded_nodes: int = 100_000
    max_documents: int = 1_000


DEFAULT_LIMITS = LoadLimits()


class ResourceParseError(Exception):
    """The file is not valid YAML, or exceeds a load limit; line and column are 1-based."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class _LimitExceeded(yaml.YAMLError):
    def __init__(self, message: str, mark: yaml.Mark | None) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


class BoundedSafeLoader(yaml.SafeLoader):
    """SafeLoader whose composer enforces depth, expanded-size and alias-cycle limits."""

    def __init__(self, stream: str, limits: LoadLimits = DEFAULT_LIMITS) -> None:
        super().__init__(stream)
        self.limits = limits
        self._depth = 0
        self._weights: dict[int, int] = {}
        self._heights: dict[int, int] = {}
        self._alias_expansion = 0
        self._documents = 0

    def compose_document(self) -> Node | None:
        self._documents += 1
        if self._documents > self.limits.max_documents:
            raise _LimitExceeded(
                f"more than {self.limits.max_documents} YAML documents in one file", self.peek_event().start_mark
            )
        self._weights = {}
        self._heights = {}
        self._alias_expansion = 0
        return super().compose_document()

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()
        mark = event.start_mark
        if isinstance(event, AliasEvent):
            node = super().compose_node(parent, index)
            weight = self._weights.get(id(node))
            if weight is None:  # the anchored node is still being composed: the alias refers to itself
                raise _LimitExceeded(f"recursive alias *{event.anchor}", mark)
            self._alias_expansion += weight
            if self._alias_expansion > self.limits.max_expanded_nodes:
                raise _LimitExceeded(
                    f"aliases expand to more than {self.limits.max_expanded_nodes} nodes (alias bomb)", mark
                )
            return node
        self._depth += 1
        if self._depth > self.limits.max_depth:
            raise _LimitExceeded(f"nesting deeper than {self.limits.max_depth} levels", mark)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        weight = 1
        height = 1
        if isinstance(node, SequenceNode):
            weight += sum(self._weights.get(id(child), 1) for child in node.value)
            height += max((self._heights.get(id(child), 1) for child in node.value), default=0)
        elif isinstance(node, MappingNode):
            weight += sum(
                self._weights.get(id(k), 1) + self._weights.get(id(v), 1) for k, v in node.value
            )
            height += max(
                (max(self._heights.get(id(k), 1), self._heights.get(id(v), 1)) for k, v in node.value), default=0
            )
        # nesting through aliases: `b: &b [*a]`, `c: &c [*b]`... is as deep as the nesting it stands for
        if height > self.limits.max_depth:
            raise _LimitExceeded(f"nesting deeper than {self.limits.max_depth} levels (through aliases)", mark)
        self._heights[id(node)] = height
        if weight > self.limits.max_expanded_nodes:
            raise _LimitExceeded(
                f"document expands to more than {self.limits.max_expanded_nodes} nodes", mark
            )
        self._weights[id(node)] = weight
        return node


_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def as_utf8(data: bytes) -> bytes:
    """UTF-16/32 text with a byte-order mark (which YAML allows) as UTF-8; other bytes unchanged."""
    for bom, codec in _WIDE_BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec).encode("utf-8", "surrogatepass")
            except UnicodeDecodeError:
                return data
    return data


def decode_text(data: bytes) -> str:
    """The file's text (UTF-8, BOM allowed); raises ResourceParseError if it is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        prefix = data[: exc.start]
        line = prefix.count(b"\n") + 1
        column = exc.start - (prefix.rfind(b"\n") + 1) + 1
        raise ResourceParseError("the file is not valid UTF-8", line, column) from None


class DocumentsOnce:
    """`load_documents` with the default limits that loads one text once (the same documents, or the same error,
    when asked again): a file's checks and its summary read one load. The nodes are shared: readers never change
    them."""

    def __init__(self) -> None:
        self._text: Optional[str] = None
        self._answer: Union[list[Node | None], ResourceParseError] = []

    def __call__(self, text: str) -> list[Node | None]:
        if self._text is None or self._text != text:
            try:
                self._answer = load_documents(text, DEFAULT_LIMITS)
            except ResourceParseError as exc:
                self._answer = exc
            self._text = text
        if isinstance(self._answer, ResourceParseError):
            raise self._answer
        return self._answer


def load_documents(text: str, limits: LoadLimits = DEFAULT_LIMITS) -> list[Node | None]:
    """Compose every document of `text` into positioned nodes (None for an empty document)."""
    if len(text.encode("utf-8", "surrogatepass")) > limits.max_bytes:
        raise ResourceParseError(f"the file is larger than {limits.max_bytes} bytes", 1, 1)
    try:
        loader = BoundedSafeLoader(text, limits)
    except yaml.reader.ReaderError as exc:  # a NUL or control character: PyYAML checks the text up front
        raise ResourceParseError(_reader_message(exc), *_text_position(text, exc.position)) from None
    documents: list[Node | None] = []
    try:
        while loader.check_node():
            documents.append(loader.get_node())
    except _LimitExceeded as exc:
        line, column = _position(exc.mark)
        raise ResourceParseError(exc.message, line, column) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = _position(mark)
        message = " ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
        raise ResourceParseError(message, line, column) from None
    except yaml.reader.ReaderError as exc:
        raise ResourceParseError(_reader_message(exc), *_text_position(text, exc.position)) from None
    except yaml.YAMLError as exc:
        raise ResourceParseError(str(exc) or "invalid YAML", 1, 1) from None
    except RecursionError:
        raise ResourceParseError("the YAML nests too deeply", 1, 1) from None
    finally:
        loader.dispose()
    return documents


def _reader_message(exc: yaml.reader.ReaderError) -> str:
    character = exc.character if isinstance(exc.character, str) else chr(exc.character)
    return f"control character U+{ord(character):04X} is not allowed in YAML"


def _text_position(text: str, index: int) -> tuple[int, int]:
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _position(mark: yaml.Mark | None) -> tuple[int, int]:
    if mark is None:
        return 1, 1
    return mark.line + 1, mark.column + 1
