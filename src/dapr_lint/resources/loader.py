"""Positioned, bounded, safe YAML loading for Dapr resource files.

Every node keeps its start and end marks. Aliases are not expanded by the composer, but anything that walks the
node graph would expand them; every node is therefore weighed by its expanded size, and documents that would
blow up (billion laughs), that nest too deeply, or that contain recursive aliases are refused. Every refusal is
a `ResourceParseError`, which the checker turns into DPR001.

Two composers give the same nodes: libyaml's (PyYAML's C extension, ~10x faster: an 8,000-line file is
composed in tens of milliseconds, not a third of a second), used when it is there, and PyYAML's pure-Python one
(`BoundedSafeLoader`), which enforces the limits while it composes. A document libyaml composes is weighed
afterwards; whenever libyaml refuses the text or a limit is crossed, the pure-Python composer runs again on
it, so every error (its message and its position) is the pure-Python composer's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

import codecs
import re

import yaml
import yaml.reader
from yaml.events import AliasEvent
from yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode, SequenceNode

# libyaml's loader (None when PyYAML was built without it).
_C_LOADER: Optional[type[yaml.CSafeLoader]] = getattr(yaml, "CSafeLoader", None)


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
    documents = _compose_with_libyaml(text, limits)
    if documents is not None:
        return documents
    return _compose_in_python(text, limits)


def _compose_with_libyaml(text: str, limits: LoadLimits) -> Optional[list[Node | None]]:
    """The documents as libyaml composes them, or None when libyaml is missing, refuses the text, or a document
    crosses a limit: the pure-Python composer then says why, at the position it says it."""
    if _C_LOADER is None or "\t" in text or "\ufeff" in text or _BLOCK_HEADER_COMMENT.search(text):
        # libyaml takes a tab inside a plain scalar and a comment right after a block scalar's header (`|#`) that
        # PyYAML refuses, and counts a byte-order mark inside the text as a column that PyYAML does not
        return None
    if "?" in text and ("[" in text or "{" in text):
        # inside `[...]`/`{...}` PyYAML reads every `?` as a key indicator, libyaml one inside a plain scalar as
        # part of it (`{b ?c}`): a text that may hold one goes to PyYAML (5 of the corpus's 915 YAML files)
        return None
    if not _libyaml_bounds_nesting():
        return None
    try:
        yaml.reader.Reader(text)  # the characters YAML forbids: the pure-Python reader says which and where
    except yaml.reader.ReaderError:
        return None
    documents: list[Node | None] = []
    loader = _C_LOADER(text)
    try:
        while loader.check_node():
            documents.append(loader.get_node())
            if len(documents) > limits.max_documents:
                return None
    except (yaml.YAMLError, RecursionError):
        return None
    finally:
        loader.dispose()
    if not all(document is None or _within_limits(document, limits) for document in documents):
        return None
    end = _unterminated_end(text)
    if end is not None:
        _move_stream_end(documents, end)
    return documents


_LINE_BREAKS = "\n\r\x85\u2028\u2029"


def _unterminated_end(text: str) -> Optional[yaml.Mark]:
    """Where the pure-Python reader ends a text that does not end with a line break (libyaml adds one there)."""
    if not text or text[-1] in _LINE_BREAKS:
        return None
    last_break = max(text.rfind(character) for character in _LINE_BREAKS)
    lines = sum(text.count(character) for character in _LINE_BREAKS) - text.count("\r\n")
    return yaml.Mark("<unicode string>", len(text), lines, len(text) - last_break - 1, None, 0)


def _move_stream_end(documents: list[Node | None], end: yaml.Mark) -> None:
    """libyaml ends a text without a final line break on a line after it (column 0); the pure-Python composer
    where the text ends. No character stands on that extra line, so every mark on it is the end of the text."""
    seen: set[int] = set()
    stack = [document for document in documents if document is not None]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.start_mark.line > end.line:
            node.start_mark = end
        if node.end_mark.line > end.line:
            node.end_mark = end
        if isinstance(node, CollectionNode):
            stack.extend(_children(node))


_BLOCK_HEADER_COMMENT = re.compile(r"[|>][-+0-9]*#")
_NESTING_PROBE: list[bool] = []


def _libyaml_bounds_nesting() -> bool:
    """Whether libyaml refuses deep nesting itself (libyaml 0.2.6 stops at 1,000 levels): its composer recurses in
    C, so one without that bound could overflow the stack on `[[[[...` before any limit of ours is checked."""
    if not _NESTING_PROBE and _C_LOADER is not None:
        depth = 5_000
        try:
            yaml.compose("[" * depth + "]" * depth, Loader=_C_LOADER)
            _NESTING_PROBE.append(False)
        except yaml.YAMLError:
            _NESTING_PROBE.append(True)
    return bool(_NESTING_PROBE) and _NESTING_PROBE[0]


def _within_limits(root: Node, limits: LoadLimits) -> bool:
    """Whether one composed document stays within the limits the pure-Python composer enforces: no node weighs
    more than `max_expanded_nodes` or stands for a nesting deeper than `max_depth` once aliases are expanded,
    and no alias refers to a node that contains it. The expanded weight and height of a node are those of the
    document's root at most, so the root decides. On the way the nodes get the two styles the composers name
    differently (plain scalars, indentless sequences), so either composer gives equal nodes."""
    weights: dict[int, int] = {}
    heights: dict[int, int] = {}
    if not isinstance(root, CollectionNode):
        return not isinstance(root, ScalarNode) or _plain_style(root)
    open_nodes = {id(root)}
    stack = [(root, iter(_children(root)))]
    while stack:
        node, children = stack[-1]
        for child in children:
            key = id(child)
            if key in weights:
                continue
            if key in open_nodes:
                return False  # a recursive alias
            if isinstance(child, CollectionNode):
                open_nodes.add(key)
                stack.append((child, iter(_children(child))))
                break
            if isinstance(child, ScalarNode) and not _plain_style(child):
                return False
            weights[key] = heights[key] = 1
        else:
            stack.pop()
            open_nodes.discard(id(node))
            if isinstance(node, MappingNode) and node.flow_style is False:
                _mark_indentless_sequences(node)
            weight = 1
            height = 0
            for child in _children(node):
                weight += weights[id(child)]
                height = max(height, heights[id(child)])
            if weight > limits.max_expanded_nodes or height + 1 > limits.max_depth:
                return False
            weights[id(node)] = weight
            heights[id(node)] = height + 1
    return True


_STR_TAG = "tag:yaml.org,2002:str"


def _plain_style(scalar: ScalarNode) -> bool:
    """Give a plain scalar the pure-Python composer's style (None, libyaml says ""); False for the one scalar the
    composers resolve differently: an empty value with the non-specific tag (`key: !`), null in pure Python,
    a string in libyaml (libyaml cannot tell it from `key: !!str`, so both go to the pure-Python composer)."""
    if scalar.style == "":
        if scalar.value == "" and scalar.tag == _STR_TAG:
            return False
        scalar.style = None
    return True


def _mark_indentless_sequences(mapping: MappingNode) -> None:
    """A block sequence whose `-` stands at its mapping's indent (`key:` / `- item` on the next line, same column)
    is "indentless": the pure-Python parser gives it no flow style (None), libyaml says block (False)."""
    column = mapping.start_mark.column
    for _, value in mapping.value:
        if isinstance(value, SequenceNode) and value.flow_style is False and value.start_mark.column == column:
            value.flow_style = None


def _children(node: CollectionNode) -> list[Node]:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return list(node.value)


def _compose_in_python(text: str, limits: LoadLimits) -> list[Node | None]:
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
